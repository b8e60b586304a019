package logline

import (
	"strings"
	"time"
)

// looksLikeCaller tells whether s is a source position as loggers write
// it: path/file.ext:line, with no blanks (driver/redis.go:70,
// service@v0.117.0/service.go:135), and not an address (127.0.0.1:80).
func looksLikeCaller(s string) bool {
	c := strings.LastIndexByte(s, ':')
	if c <= 0 || c == len(s)-1 || len(s) > 512 {
		return false
	}
	for i := c + 1; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	file := s[:c]
	if strings.IndexByte(file, ' ') >= 0 || strings.IndexByte(file, '\t') >= 0 {
		return false
	}
	file = file[strings.LastIndexByte(file, '/')+1:]
	dot := strings.LastIndexByte(file, '.')
	if dot <= 0 {
		return false
	}
	ext := file[dot+1:]
	if len(ext) == 0 || len(ext) > 5 {
		return false
	}
	for i := 0; i < len(ext); i++ {
		if c := ext[i] | 0x20; c < 'a' || c > 'z' {
			return false
		}
	}
	return true
}

// console reads a line that starts with a time: zap's console encoder
// (fields separated by TABs), zerolog's console writer and others'
// "time LEVEL message" (by blanks), or else syslog without its PRI.
func (p *parser) console(line string) bool {
	t, n, ok := parseISO(line, p.loc)
	if !ok {
		// zap's epoch time: 1733035725.318123<TAB>info<TAB>...
		j := 0
		for j < len(line) && (isDigit(line[j]) || line[j] == '.' || line[j] == 'e' || line[j] == '+') {
			j++
		}
		if j == len(line) || line[j] != '\t' {
			return false
		}
		if t, ok = parseEpoch(line[:j], p.loc); !ok {
			return false
		}
		n = j
	}
	if n >= len(line) {
		return false
	}
	switch line[n] {
	case '\t':
		return p.zap(line, t, n+1)
	case ' ':
		if p.spaced(line, t, n+1) {
			return true
		}
		p.reset(line)
		return p.syslogFile(line)
	}
	return false
}

// tabField is s[i:] up to the next TAB, and the index after that TAB
// (-1 when there is none).
func tabField(s string, i int) (string, int) {
	j := strings.IndexByte(s[i:], '\t')
	if j < 0 {
		return s[i:], -1
	}
	return s[i : i+j], i + j + 1
}

// zap reads the rest of a zap console line from line[i:], after its time
// and TAB: LEVEL TAB [logger TAB] [caller TAB] message [TAB {json}]
// [NEWLINE stacktrace].
func (p *parser) zap(line string, t time.Time, i int) bool {
	word, next := tabField(line, i)
	if next < 0 {
		return false
	}
	lv := NormalizeLevel(word)
	if lv == "" {
		return false
	}
	i = next
	if part, next := tabField(line, i); next >= 0 {
		if looksLikeCaller(part) {
			p.add("caller", part)
			i = next
		} else if part2, next2 := tabField(line, next); next2 >= 0 && part != "" &&
			strings.IndexByte(part, ' ') < 0 && looksLikeCaller(part2) {
			p.add("logger", part)
			p.add("caller", part2)
			i = next2
		}
	}
	rest := line[i:]
	msgEnd := len(rest)
	// The object is zap's last TAB-separated part (its JSON has no raw
	// TAB), before the stack trace; tried at the first "\t{" and at the
	// last before the stack trace, and no more, so that a long line of
	// them costs no more than reading it twice.
	keep := len(p.l.Fields)
	body := rest
	if nl := strings.IndexByte(rest, '\n'); nl >= 0 {
		body = rest[:nl]
	}
	if first := strings.Index(body, "\t{"); first >= 0 {
		last := strings.LastIndex(body, "\t{")
		for _, k := range [2]int{first, last} {
			if p.zapFields(rest, k+1) {
				msgEnd = k
				break
			}
			p.clear(keep)
			if last == first {
				break
			}
		}
	}
	l := &p.l
	l.Format, l.Time, l.Level, l.Message = Console, t, lv, rest[:msgEnd]
	return true
}

// zapFields reads zap's trailing object at rest[k] and what may follow
// it, a NEWLINE and the stack trace, into fields.
func (p *parser) zapFields(rest string, k int) bool {
	end, ok := p.jsonMembers(rest, k, nil)
	if !ok {
		return false
	}
	e := end
	if e < len(rest) && rest[e] == '\r' {
		e++
	}
	if e == len(rest) {
		return true
	}
	if rest[e] != '\n' {
		return false
	}
	if stack := rest[e+1:]; strings.TrimSpace(stack) != "" {
		p.add("stacktrace", stack)
	}
	return true
}

// spaced reads the rest of a "time LEVEL message" line from line[i:],
// after its time and a blank: the level (INF, INFO, [error], ...), then
// zerolog's caller (file.go:12 >), then the message and its trailing
// key=value pairs.
func (p *parser) spaced(line string, t time.Time, i int) bool {
	for i < len(line) && line[i] == ' ' {
		i++
	}
	j := i
	for j < len(line) && line[j] != ' ' && line[j] != '\t' {
		j++
	}
	word := line[i:j]
	if len(word) > 2 && word[0] == '[' && word[len(word)-1] == ']' {
		word = word[1 : len(word)-1]
	}
	if len(word) < 3 {
		return false
	}
	lv := NormalizeLevel(word)
	if lv == "" {
		return false
	}
	i = skipBlanks(line, j)
	// zerolog's caller: main.go:12 >
	if k := strings.IndexByte(line[i:], ' '); k > 0 && strings.HasPrefix(line[i+k:], " >") &&
		looksLikeCaller(line[i:i+k]) {
		p.add("caller", line[i:i+k])
		i = skipBlanks(line, i+k+2)
	}
	rest := line[i:]
	n := p.trailingPairs(rest)
	l := &p.l
	l.Format, l.Time, l.Level, l.Message = Console, t, lv, rest[:n]
	return true
}

// bracketed reads a line of a bracketed time, then LEVEL message, as
// Kafka's log4j layout writes it.
func (p *parser) bracketed(line string) bool {
	t, n, ok := parseISO(line[1:], p.loc)
	if !ok || n+3 > len(line) || line[n+1] != ']' || line[n+2] != ' ' {
		return false
	}
	return p.spaced(line, t, n+3)
}

// kitchen reads zerolog's console line with its default time: 3:04PM INF
// message key=value.
func (p *parser) kitchen(line string) bool {
	i := 1
	if len(line) > 1 && isDigit(line[1]) {
		i = 2
	}
	h, ok1 := digitsN(line, 0, i)
	m, ok2 := digits2(line, i+1)
	if !ok1 || !ok2 || len(line) < i+6 || line[i] != ':' || line[i+5] != ' ' || h < 1 || h > 12 || m > 59 {
		return false
	}
	switch {
	case line[i+3]|0x20 == 'a' && line[i+4]|0x20 == 'm':
		if h == 12 {
			h = 0
		}
	case line[i+3]|0x20 == 'p' && line[i+4]|0x20 == 'm':
		if h != 12 {
			h += 12
		}
	default:
		return false
	}
	now := p.ref()
	t := time.Date(now.Year(), now.Month(), now.Day(), h, m, 0, 0, now.Location())
	if t.After(now.Add(time.Hour)) {
		t = t.AddDate(0, 0, -1)
	}
	return p.spaced(line, t, i+6)
}
