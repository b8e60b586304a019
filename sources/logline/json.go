package logline

import (
	"unicode/utf16"
	"unicode/utf8"
)

// A JSON line is read by a small scanner of its own rather than a JSON
// library: it validates the object as encoding/json would (the fuzz test
// checks that it agrees with json.Valid) and yields the members as
// substrings of the line, without allocating, where a decoder would copy
// them. Only a string holding escapes is copied, to unescape it.

// maxDepth is how deeply a value may nest arrays and objects: beyond, the
// line is not taken as JSON.
const maxDepth = 512

// strSpecial marks the bytes that end the fast scan of a JSON string: the
// quote, the backslash and the control characters (invalid unescaped).
var strSpecial = func() (t [256]bool) {
	for c := 0; c < 0x20; c++ {
		t[c] = true
	}
	t['"'] = true
	t['\\'] = true
	return t
}()

func skipWS(s string, i int) int {
	for i < len(s) {
		switch s[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// scanString reads the JSON string whose opening quote is s[i]. It
// returns the index after the closing quote and whether the string holds
// escapes; ok is false when it is not a valid JSON string.
func scanString(s string, i int) (end int, escaped, ok bool) {
	i++
	for {
		for i < len(s) && !strSpecial[s[i]] {
			i++
		}
		if i >= len(s) {
			return 0, false, false
		}
		switch s[i] {
		case '"':
			return i + 1, escaped, true
		case '\\':
			escaped = true
			if i+1 >= len(s) {
				return 0, false, false
			}
			switch s[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if i+6 > len(s) || !isHex(s[i+2]) || !isHex(s[i+3]) || !isHex(s[i+4]) || !isHex(s[i+5]) {
					return 0, false, false
				}
				i += 6
			default:
				return 0, false, false
			}
		default: // a control character
			return 0, false, false
		}
	}
}

// readString reads the JSON string whose opening quote is s[i] and
// returns its value: a substring of s, or an unescaped copy when it holds
// escapes.
func readString(s string, i int) (v string, end int, ok bool) {
	end, escaped, ok := scanString(s, i)
	if !ok {
		return "", 0, false
	}
	v = s[i+1 : end-1]
	if escaped {
		v = unescapeJSON(v)
	}
	return v, end, true
}

func hexVal(c byte) rune {
	switch {
	case c >= '0' && c <= '9':
		return rune(c - '0')
	case c >= 'a' && c <= 'f':
		return rune(c - 'a' + 10)
	default:
		return rune(c - 'A' + 10)
	}
}

func hex4(s string) rune {
	return hexVal(s[0])<<12 | hexVal(s[1])<<8 | hexVal(s[2])<<4 | hexVal(s[3])
}

// unescapeJSON decodes the escapes of raw, the inside of a JSON string
// that scanString found valid. Other bytes are kept as written (invalid
// UTF-8 too); an unpaired surrogate becomes U+FFFD, as in encoding/json.
func unescapeJSON(raw string) string {
	b := make([]byte, 0, len(raw))
	for i := 0; i < len(raw); {
		c := raw[i]
		if c != '\\' {
			b = append(b, c)
			i++
			continue
		}
		e := raw[i+1]
		i += 2
		switch e {
		case 'b':
			b = append(b, '\b')
		case 'f':
			b = append(b, '\f')
		case 'n':
			b = append(b, '\n')
		case 'r':
			b = append(b, '\r')
		case 't':
			b = append(b, '\t')
		case 'u':
			r := hex4(raw[i:])
			i += 4
			if utf16.IsSurrogate(r) {
				r2 := utf8.RuneError
				if i+6 <= len(raw) && raw[i] == '\\' && raw[i+1] == 'u' {
					r2 = utf16.DecodeRune(r, hex4(raw[i+2:]))
					if r2 != utf8.RuneError {
						i += 6
					}
				}
				r = r2
			}
			b = utf8.AppendRune(b, r)
		default: // " \ /
			b = append(b, e)
		}
	}
	return string(b)
}

// skipNumber reads the JSON number at s[i:] and returns the index after it.
func skipNumber(s string, i int) (int, bool) {
	if i < len(s) && s[i] == '-' {
		i++
	}
	if i >= len(s) {
		return 0, false
	}
	if s[i] == '0' {
		i++
	} else if s[i] >= '1' && s[i] <= '9' {
		for i < len(s) && isDigit(s[i]) {
			i++
		}
	} else {
		return 0, false
	}
	if i < len(s) && s[i] == '.' {
		i++
		start := i
		for i < len(s) && isDigit(s[i]) {
			i++
		}
		if i == start {
			return 0, false
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		start := i
		for i < len(s) && isDigit(s[i]) {
			i++
		}
		if i == start {
			return 0, false
		}
	}
	return i, true
}

// skipScalar reads the string, number, true, false or null at s[i:].
func skipScalar(s string, i int) (int, bool) {
	if i >= len(s) {
		return 0, false
	}
	switch s[i] {
	case '"':
		end, _, ok := scanString(s, i)
		return end, ok
	case 't':
		return skipWord(s, i, "true")
	case 'f':
		return skipWord(s, i, "false")
	case 'n':
		return skipWord(s, i, "null")
	}
	return skipNumber(s, i)
}

func skipWord(s string, i int, w string) (int, bool) {
	if len(s)-i >= len(w) && s[i:i+len(w)] == w {
		return i + len(w), true
	}
	return 0, false
}

// skipValue reads the JSON value at s[i:] (no leading blanks) and returns
// the index after it. Arrays and objects are walked without recursion,
// with a stack of one bit per level (set for an object).
func skipValue(s string, i int) (int, bool) {
	if i >= len(s) || (s[i] != '{' && s[i] != '[') {
		return skipScalar(s, i)
	}
	var stack [maxDepth / 64]uint64
	depth := 0
	inObject := func() bool { return stack[(depth-1)/64]&(1<<((depth-1)%64)) != 0 }
	// key reads an object's key and its colon at s[i:] (blanks first).
	key := func(i int) (int, bool) {
		i = skipWS(s, i)
		if i >= len(s) || s[i] != '"' {
			return 0, false
		}
		i, _, ok := scanString(s, i)
		if !ok {
			return 0, false
		}
		i = skipWS(s, i)
		if i >= len(s) || s[i] != ':' {
			return 0, false
		}
		return i + 1, true
	}
	var ok bool
	for {
		// a value at s[i:], after blanks
		i = skipWS(s, i)
		if i >= len(s) {
			return 0, false
		}
		closed := false
		switch s[i] {
		case '{', '[':
			if depth == maxDepth {
				return 0, false
			}
			obj := s[i] == '{'
			w, bit := depth/64, uint64(1)<<(depth%64)
			if obj {
				stack[w] |= bit
			} else {
				stack[w] &^= bit
			}
			depth++
			i = skipWS(s, i+1)
			if i < len(s) && (s[i] == '}' && obj || s[i] == ']' && !obj) {
				i++
				depth--
				closed = true
			} else if obj {
				if i, ok = key(i); !ok {
					return 0, false
				}
				continue
			} else {
				continue
			}
		default:
			if i, ok = skipScalar(s, i); !ok {
				return 0, false
			}
			closed = true
		}
		// after a value: a comma, or the end of its array or object
		for closed {
			if depth == 0 {
				return i, true
			}
			i = skipWS(s, i)
			if i >= len(s) {
				return 0, false
			}
			obj := inObject()
			switch {
			case s[i] == ',':
				i++
				if obj {
					if i, ok = key(i); !ok {
						return 0, false
					}
				}
				closed = false
			case s[i] == '}' && obj, s[i] == ']' && !obj:
				i++
				depth--
			default:
				return 0, false
			}
		}
	}
}

// json reads line as a JSON object starting at line[i].
func (p *parser) json(line string, i int) bool {
	from := len(p.l.Fields)
	r := newRoles()
	end, ok := p.jsonMembers(line, i, &r)
	if !ok || skipWS(line, end) != len(line) {
		return false
	}
	p.l.Format = JSON
	p.apply(&r, from)
	// a message ends as a line does (Docker's "log" keeps its newline)
	m := p.l.Message
	for len(m) > 0 && (m[len(m)-1] == '\n' || m[len(m)-1] == '\r') {
		m = m[:len(m)-1]
	}
	p.l.Message = m
	return true
}

// jsonMembers reads the JSON object at s[i] (its opening brace), adding
// its members as fields and weighing them for r when r is not nil. It
// returns the index after the closing brace.
func (p *parser) jsonMembers(s string, i int, r *roles) (int, bool) {
	i = skipWS(s, i+1)
	if i < len(s) && s[i] == '}' {
		return i + 1, true
	}
	for {
		if i >= len(s) || s[i] != '"' {
			return 0, false
		}
		key, end, ok := readString(s, i)
		if !ok {
			return 0, false
		}
		i = skipWS(s, end)
		if i >= len(s) || s[i] != ':' {
			return 0, false
		}
		i = skipWS(s, i+1)
		if i >= len(s) {
			return 0, false
		}
		var value string
		kind := kindString
		switch c := s[i]; {
		case c == '"':
			if value, end, ok = readString(s, i); !ok {
				return 0, false
			}
		default:
			if end, ok = skipValue(s, i); !ok {
				return 0, false
			}
			value = s[i:end]
			kind = kindOther
			if c == '-' || isDigit(c) {
				kind = kindNumber
			}
		}
		i = skipWS(s, end)
		if key != "" {
			if r != nil {
				p.consider(r, len(p.l.Fields), key, value, kind)
			}
			p.add(key, value)
		}
		if i >= len(s) {
			return 0, false
		}
		switch s[i] {
		case ',':
			i = skipWS(s, i+1)
		case '}':
			return i + 1, true
		default:
			return 0, false
		}
	}
}
