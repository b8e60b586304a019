package logline

import (
	"strings"
	"time"
)

// word is s[i:] up to the next space, and the index after the spaces
// that follow it.
func word(s string, i int) (string, int) {
	j := strings.IndexByte(s[i:], ' ')
	if j < 0 {
		return s[i:], len(s)
	}
	w := s[i : i+j]
	i += j
	for i < len(s) && s[i] == ' ' {
		i++
	}
	return w, i
}

// parseAccessTime reads an access log's time, dd/Mon/yyyy:hh:mm:ss
// -0700 (or with a space before the clock, and no zone, as Python's
// http.server writes it), the whole of s.
func parseAccessTime(s string, loc *time.Location) (time.Time, bool) {
	day, ok1 := digits2(s, 0)
	month, ok2 := parseMonth(s, 3)
	year, ok3 := digitsN(s, 7, 4)
	if !ok1 || !ok2 || !ok3 || len(s) < 20 || s[2] != '/' || s[6] != '/' || (s[11] != ':' && s[11] != ' ') ||
		day < 1 || day > daysIn(month, year) {
		return time.Time{}, false
	}
	c, n, ok := parseClock(s, 12)
	if !ok {
		return time.Time{}, false
	}
	off, zoned := 0, false
	if n < len(s) && s[n] == ' ' {
		if off, n, zoned = parseZone(s, n+1); !zoned {
			return time.Time{}, false
		}
	}
	if n != len(s) {
		return time.Time{}, false
	}
	return makeTime(year, month, day, c, off, zoned, loc), true
}

// access reads the Apache/nginx common or combined access log: remote
// ident user [time] "request" status bytes ["referer" "user agent"]
// [anything after].
func (p *parser) access(line string) bool {
	remote, i := word(line, 0)
	ident, i := word(line, i)
	user, i := word(line, i)
	if remote == "" || ident == "" || user == "" || i >= len(line) || line[i] != '[' {
		return false
	}
	b := strings.IndexByte(line[i:], ']')
	if b < 0 {
		return false
	}
	t, ok := parseAccessTime(line[i+1:i+b], p.loc)
	i += b + 1
	if !ok || !strings.HasPrefix(line[i:], ` "`) {
		return false
	}
	end, _, ok := scanQuoted(line, i+1)
	if !ok {
		return false
	}
	request := line[i+2 : end-1]
	i = end
	if i >= len(line) || line[i] != ' ' {
		return false
	}
	status, i := word(line, i+1)
	bytes, i := word(line, i)
	code, ok := digitsN(status, 0, 3)
	if !ok || len(status) != 3 || code < 100 || bytes == "" {
		return false
	}
	if bytes != "-" {
		if _, ok := digitsN(bytes, 0, len(bytes)); !ok {
			return false
		}
	}
	var referer, agent string
	if strings.HasPrefix(line[i:], `"`) {
		if e, _, ok := scanQuoted(line, i); ok && strings.HasPrefix(line[e:], ` "`) {
			if e2, _, ok := scanQuoted(line, e+1); ok {
				referer, agent = line[i+1:e-1], line[e+2:e2-1]
				i = e2
			}
		}
	}
	extra := strings.TrimSpace(line[i:])
	p.addSome("remote_addr", remote)
	p.addSome("ident", ident)
	p.addSome("user", user)
	p.add("status", status)
	p.addSome("bytes", bytes)
	p.addSome("referer", referer)
	p.addSome("user_agent", agent)
	p.addSome("extra", extra)
	l := &p.l
	l.Format, l.Time, l.Level, l.Message = Access, t, statusLevel(code), request
	return true
}

// addSome adds a field unless its value is empty or "-" (a log's
// placeholder for none).
func (p *parser) addSome(key, value string) {
	if value != "" && value != "-" {
		p.add(key, value)
	}
}
