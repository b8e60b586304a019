// Package logline reads a log line's own structure: the format it is
// written in (JSON, logfmt, a zap/zerolog console line, klog, an access
// log, syslog) and from it the line's own time, level, message and
// fields. Pure functions, no I/O; a line in no known format is Plain,
// its whole text the message.
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

func (f Format) String() string {
	return [...]string{"plain", "json", "logfmt", "console", "klog", "access", "syslog"}[f]
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

// Parse reads line.
func Parse(line string) Line {
	var l Line
	ParseInto(line, &l)
	return l
}

// ParseInto reads line into l, reusing l.Fields' storage.
func ParseInto(line string, l *Line) {
	*l = Line{Format: Plain, Message: line, Fields: l.Fields[:0]}
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
