package logline

import "strconv"

// isBlank tells whether c separates logfmt's words.
func isBlank(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r'
}

// isKeyByte tells whether c may be part of a logfmt key: anything but a
// blank, '=' and '"'. Other control characters are kept, as written.
func isKeyByte(c byte) bool {
	return !isBlank(c) && c != '=' && c != '"'
}

// scanQuoted reads the quoted string whose opening quote is s[i], a
// backslash escaping the byte after it. It returns the index after the
// closing quote and whether there were escapes.
func scanQuoted(s string, i int) (end int, escaped, ok bool) {
	for j := i + 1; j < len(s); j++ {
		switch s[j] {
		case '\\':
			escaped = true
			j++
		case '"':
			return j + 1, escaped, true
		}
	}
	return 0, false, false
}

// quotedValue is the value of the quoted string q (quotes included):
// its inside as written, or when it holds escapes, unquoted as a Go
// string (logfmt's, zerolog's and klog's escapes are Go's); as written
// if it does not unquote.
func quotedValue(q string, escaped bool) string {
	if escaped {
		if v, err := strconv.Unquote(q); err == nil {
			return v
		}
	}
	return q[1 : len(q)-1]
}

// pair reads the logfmt word at s[i:] (not blank): key=value,
// key="quoted value" or a bare key. It returns the key, the value, the
// index after the word, whether it was a pair, and ok false when it is
// not a logfmt word at all (no key, or an unterminated quote).
func pair(s string, i int) (key, value string, end int, isPair, ok bool) {
	k := i
	for k < len(s) && isKeyByte(s[k]) {
		k++
	}
	if k == i {
		return "", "", 0, false, false
	}
	key = s[i:k]
	if k >= len(s) || s[k] != '=' {
		if k < len(s) && s[k] == '"' {
			return "", "", 0, false, false
		}
		return key, "", k, false, true
	}
	k++
	if k < len(s) && s[k] == '"' {
		e, escaped, ok := scanQuoted(s, k)
		if !ok {
			return "", "", 0, false, false
		}
		if e < len(s) && !isBlank(s[e]) {
			return "", "", 0, false, false // "a"b
		}
		return key, quotedValue(s[k:e], escaped), e, true, true
	}
	e := k
	for e < len(s) && !isBlank(s[e]) {
		e++
	}
	return key, s[k:e], e, true, true
}

func skipBlanks(s string, i int) int {
	for i < len(s) && isBlank(s[i]) {
		i++
	}
	return i
}

// logfmt reads line as logfmt: its first word a pair, at least two
// pairs, and no fewer pairs than other words; or a single pair of a key
// taken for the message, level or time.
func (p *parser) logfmt(line string) bool {
	from := len(p.l.Fields)
	r := newRoles()
	words, pairs := 0, 0
	for i := skipBlanks(line, 0); i < len(line); i = skipBlanks(line, i) {
		key, value, end, isPair, ok := pair(line, i)
		if !ok || words == 0 && !isPair {
			return false
		}
		words++
		if isPair {
			pairs++
			p.consider(&r, len(p.l.Fields), key, value, kindString)
		}
		p.add(key, value)
		i = end
	}
	switch {
	case pairs >= 2 && pairs*2 >= words:
	case words == 1 && pairs == 1 && (r.msg >= 0 || r.level >= 0 || r.time >= 0):
	default:
		return false
	}
	p.l.Format = Logfmt
	p.apply(&r, from)
	return true
}

// trailingPairs adds as fields the key=value pairs that end s (a
// message followed by zerolog's or klog's fields), and returns the
// length of what comes before them, blanks trimmed. Bare keys are not
// taken: a trailing word stays the message's.
func (p *parser) trailingPairs(s string) int {
	from := len(p.l.Fields)
	run := -1 // where the run of pairs being read starts in s
	for i := skipBlanks(s, 0); i < len(s); i = skipBlanks(s, i) {
		key, value, end, isPair, ok := pair(s, i)
		if ok && isPair {
			if run < 0 {
				run = i
			}
			p.add(key, value)
			i = end
			continue
		}
		// a word of the message: the pairs before it are the message's too
		p.clear(from)
		run = -1
		for i < len(s) && !isBlank(s[i]) {
			i++
		}
	}
	if run < 0 {
		return len(s)
	}
	for run > 0 && isBlank(s[run-1]) {
		run--
	}
	return run
}
