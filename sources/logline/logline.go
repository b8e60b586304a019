// Package logline reads a log line's own structure: the format it is
// written in (JSON, logfmt, a zap/zerolog console line, klog, an access
// log, syslog) and from it the line's own time, level, message and
// fields. Pure functions, no I/O; a line in no known format is Plain,
// its whole text the message.
//
// Strings are returned as written (substrings of the line where they can
// be, so parsing a line allocates nothing but the growth of Fields):
// control characters and escape sequences included. Making them safe to
// print is the renderer's job (sources.Sanitize).
//
// # Formats
//
// Each format is recognised by its shape, most specific first:
//
//   - JSON: an object, validated as encoding/json would. The message is
//     the first string under msg, message, Message, MESSAGE, @m, @mt,
//     log, body or short_message (in that order of preference); the level
//     under level, lvl, severity, levelname, log.level, severity_text,
//     loglevel, @l, Level, severityText or PRIORITY (a number under level
//     or lvl is pino's and bunyan's scale, 10 trace to 60 fatal, or
//     below 10 a syslog severity, as GELF writes); the time under time,
//     ts, timestamp, @timestamp, @t, t, Time, Timestamp, asctime,
//     __REALTIME_TIMESTAMP or timestamp_ns (an RFC 3339-like string, or
//     a Unix time in seconds, milliseconds, microseconds or nanoseconds,
//     told apart by their size). A value is taken for the time or level
//     only if it reads as one; else it stays a field. The other members
//     are the fields, in order: a string unquoted, any other value (a
//     number, true, an object, an array) as its JSON text; a member with
//     an empty key is left out. Nested objects are not flattened: the
//     field's value is the object's JSON text. The message loses a
//     trailing newline (Docker's "log" has one). A line that looks like
//     JSON but is not valid is Plain.
//   - logfmt: key=value, key="quoted \" value" and bare keys, with the
//     keys above (msg, level, ts, t, ...); quoted values are unquoted as
//     Go strings (as go-logfmt writes them), or kept as written when they
//     do not unquote. A line is logfmt only if its first word is a
//     key=value pair and at least two words and half of them are (a line
//     of one pair only if its key is one of those), so a sentence with a
//     stray = stays Plain.
//   - Console: zap's console encoder, time TAB level TAB [logger TAB]
//     [caller TAB] message [TAB {json}] [NEWLINE stacktrace]; the caller
//     is a field "caller", the logger "logger", the trailing object's
//     members fields (as for JSON), the stack trace "stacktrace". Also
//     the space-separated "time LEVEL message" of zerolog's console writer
//     (3:04PM INF message key=value, with its caller as "caller"), log4j,
//     Kafka (the time in brackets), Python and nginx's error log
//     ([error]): trailing key=value pairs are fields.
//   - Klog: glog and klog's header, Lmmdd hh:mm:ss.uuuuuu thread
//     file:line] message (with or without the year after the level
//     letter); the thread is a field "thread", the file:line "caller".
//     klog's structured lines ("message" key="value" ...) give the
//     unquoted message and the pairs as fields.
//   - Access: the Apache/nginx common and combined access log. The
//     message is the request line; the fields remote_addr, ident, user,
//     status, bytes, referer, user_agent and extra (what follows), each
//     left out when "-" or empty; the level from the status (5xx error,
//     4xx warn, else info).
//   - Syslog: RFC 5424 and RFC 3164 (with a <PRI>, or without one as in
//     a file: Mmm dd hh:mm:ss host tag[pid]: message). The level is the
//     PRI's severity; the fields facility, host, app, pid and msgid, then
//     the structured data's parameters, named by their parameter names
//     (the SD-ID is not kept; escapes in values are undone). After a
//     valid PRI, a line in neither shape is still syslog, its message
//     what follows the PRI.
//
// # Times
//
// A time with a zone or offset is the instant the line says; one without
// is read in the reference location, and one without a year (klog's,
// RFC 3164's) takes the latest year that does not put it more than a day
// after the reference time (a December line read in January is last
// year's); zerolog's kitchen time (3:04PM) takes the
// reference day, or the day before if that would put it more than an
// hour ahead. Parse's reference is the current time in time.Local;
// ParseAt takes it. Times are returned in the reference time's location.
package logline

import "time"

// Format is the format a line is written in.
type Format uint8

// The formats, Plain for a line in none of the others.
const (
	Plain   Format = iota
	JSON           // a JSON object
	Logfmt         // key=value pairs
	Console        // zap/zerolog console: time<TAB>LEVEL<TAB>caller<TAB>message<TAB>{json}
	Klog           // klog/glog: I1201 06:15:25.318123    1 file.go:70] message
	Access         // the Apache/nginx combined access log
	Syslog         // RFC 3164 or RFC 5424
)

var formatNames = [...]string{"plain", "json", "logfmt", "console", "klog", "access", "syslog"}

func (f Format) String() string {
	if int(f) < len(formatNames) {
		return formatNames[f]
	}
	return "plain"
}

// Field is one of a line's fields, as written in it (JSON values other
// than strings keep their JSON text: 3, true, {"a":1}).
type Field struct {
	Key, Value string
}

// Line is what a line says of itself. Its strings are substrings of the
// line where they can be (no copy), so a Line keeps its line alive.
type Line struct {
	Format Format
	// Time is the line's own timestamp, zero when it has none.
	Time time.Time
	// Level is normalised to trace, debug, info, warn, error or fatal;
	// empty when the line says none.
	Level string
	// Message is the line's message: the whole line when Plain.
	Message string
	// Fields are the line's other fields, in the order written, without
	// those taken as its time, level and message.
	Fields []Field
}

// Parse reads line, taking the current time (in time.Local) as the
// reference for times that do not say their year or zone.
func Parse(line string) Line {
	var l Line
	ParseInto(line, &l)
	return l
}

// ParseInto reads line into l, reusing l.Fields' storage, as Parse does.
func ParseInto(line string, l *Line) {
	p := parser{loc: time.Local, l: Line{Fields: l.Fields}}
	p.parse(line)
	*l = p.l
}

// ParseAt reads line as Parse does, with now as the reference time: a
// time without a zone is read in now's location, one without a year or
// date takes it from now, and every time is returned in now's location.
// A zero now is time.Now().
func ParseAt(line string, now time.Time) Line {
	var l Line
	ParseIntoAt(line, now, &l)
	return l
}

// ParseIntoAt reads line into l as ParseAt does, reusing l.Fields'
// storage.
func ParseIntoAt(line string, now time.Time, l *Line) {
	p := parser{loc: time.Local, l: Line{Fields: l.Fields}}
	if !now.IsZero() {
		p.now, p.hasNow, p.loc = now, true, now.Location()
	}
	p.parse(line)
	*l = p.l
}

// Field returns the value of the first field named key.
func (l *Line) Field(key string) (string, bool) {
	for _, f := range l.Fields {
		if f.Key == key {
			return f.Value, true
		}
	}
	return "", false
}

// parser holds one line's parse: the reference time, asked of the clock
// only when a line needs it, and the Line being filled (by value, copied
// in and out, so that neither it nor the parser leaves the stack).
type parser struct {
	now    time.Time
	hasNow bool
	loc    *time.Location
	l      Line
}

func (p *parser) ref() time.Time {
	if !p.hasNow {
		p.now, p.hasNow = time.Now().In(p.loc), true
	}
	return p.now
}

func (p *parser) parse(line string) {
	p.reset(line)
	if len(line) > 0 && !p.detect(line) {
		p.reset(line)
	}
}

// reset makes the line Plain, as it is until a format takes it.
func (p *parser) reset(line string) {
	l := &p.l
	*l = Line{Format: Plain, Message: line, Fields: l.Fields[:0]}
}

// The readers detect tries, by a line's first byte. A reader either
// takes the line, or returns false having maybe set some of it: the next
// is tried on a reset line. (A switch, not a table of functions, so that
// the parser stays on the stack.)
const (
	readConsole = iota
	readAccess
	readKitchen
	readKlog
	readSyslogFile
	readBracketed
	readLogfmt
	readNone
)

var (
	byDigit  = [...]uint8{readConsole, readAccess, readKitchen, readLogfmt}
	byLetter = [...]uint8{readKlog, readSyslogFile, readAccess, readLogfmt}
	byColon  = [...]uint8{readAccess, readLogfmt, readNone, readNone}
	byOpen   = [...]uint8{readBracketed, readAccess, readLogfmt, readNone}
	byOther  = [...]uint8{readLogfmt, readNone, readNone, readNone}
)

func (p *parser) read(r uint8, line string) bool {
	switch r {
	case readConsole:
		return p.console(line)
	case readAccess:
		return p.access(line)
	case readKitchen:
		return p.kitchen(line)
	case readKlog:
		return p.klog(line)
	case readSyslogFile:
		return p.syslogFile(line)
	case readBracketed:
		return p.bracketed(line)
	case readLogfmt:
		return p.logfmt(line)
	}
	return false
}

// detect tries the formats a line's first byte allows, and reports
// whether one took it.
func (p *parser) detect(line string) bool {
	c := line[0]
	var readers *[4]uint8
	switch {
	case c == '{':
		// a line that looks like JSON but is not stays Plain
		return p.json(line, 0)
	case c == ' ' || c == '\t':
		if i := skipWS(line, 0); i < len(line) && line[i] == '{' {
			return p.json(line, i)
		}
		readers = &byOther
	case c == '<':
		return p.syslogPRI(line)
	case isDigit(c):
		readers = &byDigit
	case c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z':
		readers = &byLetter
	case c == '[':
		readers = &byOpen
	case c == ':': // ::1
		readers = &byColon
	default:
		readers = &byOther
	}
	for _, r := range readers {
		if r == readNone {
			break
		}
		if p.read(r, line) {
			return true
		}
		p.reset(line)
	}
	return false
}

// clear forgets the fields from n on, those of a format that turned out
// not to be the line's.
func (p *parser) clear(n int) {
	p.l.Fields = p.l.Fields[:n]
}

func (p *parser) add(key, value string) {
	p.l.Fields = append(p.l.Fields, Field{Key: key, Value: value})
}

// roles keeps, while a JSON or logfmt line is read, which of its fields
// is the best message, level and time so far (the lower the rank, the
// better).
type roles struct {
	msg, level, time             int // the fields' indexes; -1 for none
	msgRank, levelRank, timeRank int
	levelValue                   string
	timeValue                    time.Time
}

func newRoles() roles {
	return roles{msg: -1, level: -1, time: -1, msgRank: 1 << 30, levelRank: 1 << 30, timeRank: 1 << 30}
}

// Value kinds, for roles.
const (
	kindString = iota // a string (JSON) or any logfmt value
	kindNumber        // a JSON number
	kindOther         // a JSON object, array, true, false or null
)

func messageRank(key string) int {
	switch key {
	case "msg":
		return 0
	case "message":
		return 1
	case "Message":
		return 2
	case "MESSAGE":
		return 3
	case "@m":
		return 4
	case "@mt":
		return 5
	case "log":
		return 6
	case "body":
		return 7
	case "short_message":
		return 8
	}
	return -1
}

func levelRank(key string) int {
	switch key {
	case "level":
		return 0
	case "lvl":
		return 1
	case "severity":
		return 2
	case "levelname":
		return 3
	case "log.level":
		return 4
	case "severity_text":
		return 5
	case "loglevel":
		return 6
	case "@l":
		return 7
	case "Level":
		return 8
	case "severityText":
		return 9
	case "PRIORITY":
		return 10
	}
	return -1
}

func timeRank(key string) int {
	switch key {
	case "time":
		return 0
	case "ts":
		return 1
	case "timestamp":
		return 2
	case "@timestamp":
		return 3
	case "@t":
		return 4
	case "t":
		return 5
	case "Time":
		return 6
	case "Timestamp":
		return 7
	case "asctime":
		return 8
	case "__REALTIME_TIMESTAMP":
		return 9
	case "timestamp_ns":
		return 10
	}
	return -1
}

// smallInt reads s as a non-negative integer of at most four digits.
func smallInt(s string) (int, bool) {
	if len(s) == 0 || len(s) > 4 {
		return 0, false
	}
	return digitsN(s, 0, len(s))
}

// consider weighs field idx (key, value of kind) for the message, level
// and time.
func (p *parser) consider(r *roles, idx int, key, value string, kind int) {
	if len(key) > len("__REALTIME_TIMESTAMP") {
		return
	}
	if kind == kindString {
		if rk := messageRank(key); rk >= 0 && rk < r.msgRank {
			r.msg, r.msgRank = idx, rk
			return
		}
	}
	if kind == kindOther {
		return
	}
	if rk := levelRank(key); rk >= 0 {
		if rk < r.levelRank {
			lv := ""
			switch {
			case key == "PRIORITY":
				if n, ok := smallInt(value); ok {
					lv = syslogLevel(n)
				}
			case kind == kindNumber:
				if n, ok := smallInt(value); ok {
					if n < 10 {
						lv = syslogLevel(n)
					} else {
						lv = numericLevel(n)
					}
				}
			default:
				lv = NormalizeLevel(value)
			}
			if lv != "" {
				r.level, r.levelRank, r.levelValue = idx, rk, lv
			}
		}
		return
	}
	if rk := timeRank(key); rk >= 0 && rk < r.timeRank {
		if t, ok := parseTimeValue(value, p.loc); ok {
			r.time, r.timeRank, r.timeValue = idx, rk, t
		}
	}
}

// apply moves the fields r chose, from those at from on, into the line's
// message, level and time.
func (p *parser) apply(r *roles, from int) {
	l := &p.l
	if r.msg >= 0 {
		l.Message = l.Fields[r.msg].Value
	} else {
		l.Message = ""
	}
	if r.level >= 0 {
		l.Level = r.levelValue
	}
	if r.time >= 0 {
		l.Time = r.timeValue
	}
	if r.msg < 0 && r.level < 0 && r.time < 0 {
		return
	}
	out := from
	for i := from; i < len(l.Fields); i++ {
		if i == r.msg || i == r.level || i == r.time {
			continue
		}
		l.Fields[out] = l.Fields[i]
		out++
	}
	clear(l.Fields[out:])
	l.Fields = l.Fields[:out]
}
