package logline

import "strings"

// klog reads klog's and glog's lines: Lmmdd hh:mm:ss.uuuuuu thread
// file:line] message, L the level letter (I, W, E, F), the date with or
// without its year (Lyyyymmdd).
func (p *parser) klog(line string) bool {
	var lv string
	switch line[0] {
	case 'I':
		lv = LevelInfo
	case 'W':
		lv = LevelWarn
	case 'E':
		lv = LevelError
	case 'F':
		lv = LevelFatal
	default:
		return false
	}
	nd := 0
	for 1+nd < len(line) && isDigit(line[1+nd]) {
		nd++
	}
	if nd != 4 && nd != 8 || 1+nd >= len(line) || line[1+nd] != ' ' {
		return false
	}
	year := -1
	i := 1
	if nd == 8 {
		year, _ = digitsN(line, 1, 4)
		i += 4
	}
	month, _ := digits2(line, i)
	day, _ := digits2(line, i+2)
	if month < 1 || month > 12 || day < 1 || day > 31 || year >= 0 && day > daysIn(month, year) {
		return false
	}
	c, i, ok := parseClock(line, i+5)
	if !ok || i >= len(line) || line[i] != ' ' {
		return false
	}
	i = skipBlanks(line, i)
	th := i
	for i < len(line) && isDigit(line[i]) {
		i++
	}
	if i == th || i >= len(line) || line[i] != ' ' {
		return false
	}
	thread := line[th:i]
	i++
	b := strings.IndexByte(line[i:], ']')
	if b <= 0 {
		return false
	}
	caller := line[i : i+b]
	if strings.IndexByte(caller, ' ') >= 0 || strings.IndexByte(caller, ':') < 0 {
		return false
	}
	i += b + 1
	if i < len(line) && line[i] == ' ' {
		i++
	}
	l := &p.l
	if year >= 0 {
		l.Time = makeTime(year, month, day, c, 0, false, p.loc)
	} else {
		if month == 2 && day == 29 || day <= daysIn(month, 2001) {
			l.Time = yearOf(month, day, c, p.ref())
		} else {
			return false
		}
	}
	p.add("thread", thread)
	p.add("caller", caller)
	l.Format, l.Level, l.Message = Klog, lv, line[i:]
	p.klogStructured(line[i:])
	return true
}

// klogStructured reads klog's structured message, "message" key=value
// ...: when msg is one, the message is unquoted and the pairs become
// fields; else it stays as written.
func (p *parser) klogStructured(msg string) {
	if len(msg) == 0 || msg[0] != '"' {
		return
	}
	end, escaped, ok := scanQuoted(msg, 0)
	if !ok || end < len(msg) && msg[end] != ' ' {
		return
	}
	rest := msg[end:]
	keep := len(p.l.Fields)
	if n := p.trailingPairs(rest); n != 0 && strings.TrimSpace(rest) != "" {
		p.clear(keep)
		return
	}
	p.l.Message = quotedValue(msg[:end], escaped)
}
