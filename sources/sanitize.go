package sources

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// Sanitize makes text from a backend safe to print on a terminal as one
// line: control characters (C0, DEL, C1), escape sequences, bidirectional
// overrides and invalid UTF-8 are shown as visible escapes (\x1b, \n,
// \u202e) instead of reaching the terminal. Text without any of them is
// returned as it is, without allocating.
//
// Everything that reaches the terminal from a backend goes through here
// (or SanitizeKeepTabs, where a TAB has a place).
func Sanitize(s string) string { return sanitize(s, false) }

// SanitizeKeepTabs is Sanitize that lets TAB through as it is: for raw
// output (`-o raw`, where a TAB separates fields for cut and awk) and
// for text that is laid out at tab stops before it is shown. Every other
// control character is made visible as by Sanitize.
func SanitizeKeepTabs(s string) string { return sanitize(s, true) }

func sanitize(s string, tabs bool) string {
	i := firstUnsafe(s, tabs)
	if i < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	b.WriteString(s[:i])
	for i < len(s) {
		c := s[i]
		if c >= 0x20 && c < 0x7f {
			b.WriteByte(c)
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			b.WriteString(`\x`)
			b.WriteString(hex2(c))
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			if tabs {
				b.WriteByte('\t')
			} else {
				b.WriteString(`\t`)
			}
		case r < 0x20 || r == 0x7f:
			b.WriteString(`\x`)
			b.WriteString(hex2(byte(r)))
		case unsafeRune(r):
			b.WriteString(`\u`)
			u := strconv.FormatInt(int64(r), 16)
			b.WriteString(strings.Repeat("0", 4-len(u)))
			b.WriteString(u)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// firstUnsafe returns the index of the first byte Sanitize must change
// (TAB excepted when tabs), or -1.
func firstUnsafe(s string, tabs bool) int {
	for i := 0; i < len(s); {
		c := s[i]
		if (c >= 0x20 && c < 0x7f) || (tabs && c == '\t') {
			i++
			continue
		}
		if c < 0x80 {
			return i
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && size <= 1) || unsafeRune(r) {
			return i
		}
		i += size
	}
	return -1
}

// unsafeRune reports the non-ASCII runes a terminal may act on: C1
// controls (0x9b is CSI on some terminals) and the bidirectional controls
// that reorder what is shown.
func unsafeRune(r rune) bool {
	return (r >= 0x80 && r <= 0x9f) ||
		(r >= 0x202a && r <= 0x202e) ||
		(r >= 0x2066 && r <= 0x2069) ||
		r == 0x200e || r == 0x200f || r == 0x061c
}

func hex2(c byte) string {
	const digits = "0123456789abcdef"
	return string([]byte{digits[c>>4], digits[c&15]})
}
