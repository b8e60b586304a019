package logline

import "strings"

// facilities are syslog's facility names, by number (PRI / 8).
var facilities = [...]string{
	"kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news",
	"uucp", "cron", "authpriv", "ftp", "ntp", "security", "console", "solaris-cron",
	"local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7",
}

// syslogPRI reads a syslog line that starts with its <PRI>: RFC 5424
// when a version follows, else RFC 3164. What follows a valid PRI is the
// message when it is neither (as RFC 3164 tells a relay to take it).
func (p *parser) syslogPRI(line string) bool {
	i := 1
	for i < len(line) && i < 5 && isDigit(line[i]) {
		i++
	}
	if i == 1 || i >= len(line) || line[i] != '>' || i > 2 && line[1] == '0' {
		return false
	}
	pri, _ := digitsN(line, 1, i-1)
	if pri > 191 {
		return false
	}
	i++
	if p.syslog5424(line, pri, i) {
		return true
	}
	p.reset(line)
	if p.syslog3164(line, pri, i) {
		return true
	}
	p.reset(line)
	p.add("facility", facilities[pri/8])
	l := &p.l
	l.Format, l.Level, l.Message = Syslog, syslogLevel(pri%8), line[i:]
	return true
}

// syslog5424 reads an RFC 5424 line from line[i:], after its PRI: VERSION
// TIMESTAMP HOSTNAME APP-NAME PROCID MSGID STRUCTURED-DATA [MSG].
func (p *parser) syslog5424(line string, pri, i int) bool {
	v := i
	for i < len(line) && i-v < 3 && isDigit(line[i]) {
		i++
	}
	if i == v || line[v] == '0' || i >= len(line) || line[i] != ' ' {
		return false
	}
	ts, i := field5424(line, i+1)
	host, i := field5424(line, i)
	app, i := field5424(line, i)
	pid, i := field5424(line, i)
	msgid, i := field5424(line, i)
	if msgid == "" || i > len(line) {
		return false
	}
	l := &p.l
	if ts != "-" {
		t, ok := parseISOAll(ts, p.loc)
		if !ok {
			return false
		}
		l.Time = t
	}
	p.add("facility", facilities[pri/8])
	p.addSome("host", host)
	p.addSome("app", app)
	p.addSome("pid", pid)
	p.addSome("msgid", msgid)
	// STRUCTURED-DATA: - or [id param="value" ...]...
	switch {
	case i < len(line) && line[i] == '-':
		i++
	case i < len(line) && line[i] == '[':
		var ok bool
		if i, ok = p.structuredData(line, i); !ok {
			return false
		}
	default:
		return false
	}
	if i < len(line) && line[i] != ' ' {
		return false
	}
	msg := ""
	if i < len(line) {
		msg = strings.TrimPrefix(line[i+1:], "\uFEFF")
	}
	l.Format, l.Level, l.Message = Syslog, syslogLevel(pri%8), msg
	return true
}

// field5424 is the header field at line[i:], up to a space, and the
// index after the space; i > len(line) when the line ends before it.
func field5424(line string, i int) (string, int) {
	if i >= len(line) {
		return "", len(line) + 1
	}
	j := strings.IndexByte(line[i:], ' ')
	if j <= 0 {
		return "", len(line) + 1
	}
	return line[i : i+j], i + j + 1
}

// structuredData reads RFC 5424's structured data at line[i] (an opening
// bracket), adding each parameter as a field named by its name.
func (p *parser) structuredData(line string, i int) (int, bool) {
	for i < len(line) && line[i] == '[' {
		i++
		// SD-ID
		j := i
		for j < len(line) && line[j] != ' ' && line[j] != ']' && line[j] != '=' && line[j] != '"' {
			j++
		}
		if j == i || j >= len(line) {
			return 0, false
		}
		i = j
		for i < len(line) && line[i] == ' ' {
			i++
			j := i
			for j < len(line) && line[j] != ' ' && line[j] != ']' && line[j] != '=' && line[j] != '"' {
				j++
			}
			if j == i || j+1 >= len(line) || line[j] != '=' || line[j+1] != '"' {
				return 0, false
			}
			name := line[i:j]
			i = j + 2
			escaped := false
			for ; i < len(line) && line[i] != '"'; i++ {
				if line[i] == '\\' && i+1 < len(line) {
					escaped = true
					i++
				}
			}
			if i >= len(line) {
				return 0, false
			}
			value := line[j+2 : i]
			if escaped {
				value = unescapeSD(value)
			}
			p.add(name, value)
			i++
		}
		if i >= len(line) || line[i] != ']' {
			return 0, false
		}
		i++
	}
	return i, true
}

// unescapeSD undoes a structured data value's escapes, \" \\ and \]; any
// other backslash stays, as RFC 5424 says.
func unescapeSD(v string) string {
	b := make([]byte, 0, len(v))
	for i := 0; i < len(v); i++ {
		if v[i] == '\\' && i+1 < len(v) && (v[i+1] == '"' || v[i+1] == '\\' || v[i+1] == ']') {
			i++
		}
		b = append(b, v[i])
	}
	return string(b)
}

// syslogFile reads RFC 3164's shape without a PRI, as syslog writes
// its files.
func (p *parser) syslogFile(line string) bool { return p.syslog3164(line, -1, 0) }

// syslog3164 reads an RFC 3164 line from line[i:], after its PRI (pri <
// 0 when it has none, as in a file): TIMESTAMP HOSTNAME TAG[PID]: MSG,
// the timestamp Mmm dd hh:mm:ss or RFC 3339's. Without a PRI the whole
// shape must be there; with one, the hostname and tag may be missing.
func (p *parser) syslog3164(line string, pri, i int) bool {
	strict := pri < 0
	l := &p.l
	if month, ok := parseMonth(line, i); ok {
		// Mmm dd, Mmm  d (RFC 3164's padding) or Mmm d
		j := i + 4
		if j < len(line) && line[j] == ' ' {
			j++
		}
		if len(line) < i+15 || line[i+3] != ' ' || !isDigit(line[j]) {
			return false
		}
		day := int(line[j] - '0')
		if j++; j == i+5 && isDigit(line[j]) {
			day = day*10 + int(line[j]-'0')
			j++
		}
		if day < 1 || day > daysIn(month, 2000) || line[j] != ' ' {
			return false
		}
		c, n, ok := parseClock(line, j+1)
		if !ok || n-(j+1) != 8 {
			return false
		}
		l.Time = yearOf(month, day, c, p.ref())
		i = n
	} else if t, n, ok := parseISO(line[i:], p.loc); ok && (!strict || rfc3339(line[i:i+n])) {
		l.Time = t
		i += n
	} else {
		return false
	}
	if i >= len(line) || line[i] != ' ' {
		return false
	}
	i++
	if pri >= 0 {
		p.add("facility", facilities[pri/8])
	}
	// HOSTNAME, unless the first word is the tag
	w, next := word(line, i)
	if w != "" && w[len(w)-1] != ':' && strings.IndexByte(w, '[') < 0 {
		p.add("host", w)
		i = next
	}
	msgStart := i
	if app, pid, n, ok := tag3164(line, i); ok {
		p.addSome("app", app)
		p.addSome("pid", pid)
		i = n
	} else if strict {
		return false
	} else {
		i = msgStart
	}
	lv := ""
	if pri >= 0 {
		lv = syslogLevel(pri % 8)
	}
	l.Format, l.Level, l.Message = Syslog, lv, line[i:]
	return true
}

// tag3164 reads RFC 3164's TAG at line[i:]: a name, an optional [pid],
// then a colon and a space; it returns the index after them.
func tag3164(line string, i int) (app, pid string, end int, ok bool) {
	j := i
	for j < len(line) && line[j] != '[' && line[j] != ':' && line[j] != ' ' {
		j++
	}
	if j == i || j >= len(line) || j-i > 64 {
		return "", "", 0, false
	}
	app = line[i:j]
	if line[j] == '[' {
		k := strings.IndexByte(line[j:], ']')
		if k < 0 {
			return "", "", 0, false
		}
		pid = line[j+1 : j+k]
		j += k + 1
	}
	if j >= len(line) || line[j] != ':' {
		return "", "", 0, false
	}
	j++
	if j < len(line) && line[j] == ' ' {
		j++
	}
	return app, pid, j, true
}

// rfc3339 tells whether t, a time parseISO read, is RFC 3339's own: a T
// between date and time, and a zone (rsyslog's file format, not a Go
// log's 2006/01/02 15:04:05).
func rfc3339(t string) bool {
	if len(t) < 20 || t[4] != '-' || t[10] != 'T' {
		return false
	}
	switch t[len(t)-1] {
	case 'Z', 'z':
		return true
	}
	_, n, ok := parseZone(t, len(t)-6)
	return ok && n == len(t)
}
