package sources

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// TraceID is a trace's ID as telx uses it everywhere: 32 lowercase hex
// characters. Backends that give 16 characters (64-bit IDs) are left-padded
// with zeros, as Jaeger and OpenTelemetry do.
type TraceID string

// SpanID is a span's ID: 16 lowercase hex characters.
type SpanID string

// ParseTraceID accepts a trace ID of 1 to 32 hex characters (of either case,
// with or without a 0x prefix) and returns it normalised to 32 lowercase hex
// characters. An ID of all zeros is invalid, as in OpenTelemetry.
func ParseTraceID(s string) (TraceID, error) {
	id, err := normaliseHex(s, 32)
	if err != nil {
		return "", fmt.Errorf("invalid trace ID %q: %w", s, err)
	}
	return TraceID(id), nil
}

// ParseSpanID accepts a span ID of 1 to 16 hex characters and returns it
// normalised to 16 lowercase hex characters.
func ParseSpanID(s string) (SpanID, error) {
	id, err := normaliseHex(s, 16)
	if err != nil {
		return "", fmt.Errorf("invalid span ID %q: %w", s, err)
	}
	return SpanID(id), nil
}

// Short returns the first 8 characters of the ID that are not leading
// zeros padding a 64-bit ID, for narrow displays.
func (id TraceID) Short() string {
	s := string(id)
	if len(s) == 32 && strings.HasPrefix(s, "0000000000000000") {
		s = s[16:]
	}
	if len(s) > 8 {
		return s[:8]
	}
	return s
}

// IsNormalID tells whether s is an ID of n characters as telx keeps it
// already (lowercase hex, not all zeros), so that it needs no parsing.
func IsNormalID[S ~string | ~[]byte](s S, n int) bool {
	if len(s) != n {
		return false
	}
	var bad, nonzero byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		bad |= notLowerHex[c]
		nonzero |= c ^ '0'
	}
	return bad == 0 && nonzero != 0
}

// notLowerHex is 1 but for the digits and a to f.
var notLowerHex = func() (t [256]byte) {
	for c := range t {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			t[c] = 1
		}
	}
	return t
}()

func normaliseHex(s string, size int) (string, error) {
	s = strings.TrimSpace(s)
	if len(s) > 2 && (s[:2] == "0x" || s[:2] == "0X") {
		s = s[2:]
	}
	switch {
	case s == "":
		return "", fmt.Errorf("empty")
	}
	zero := true
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9', r >= 'a' && r <= 'f', r >= 'A' && r <= 'F':
			if r != '0' {
				zero = false
			}
		default:
			// runes, not bytes, are named and counted: an æ is one
			// character, and a byte that is not UTF-8 is shown as such
			bad := strconv.QuoteRune(r)
			if r == utf8.RuneError {
				bad = strconv.Quote(s[i : i+1])
			}
			return "", fmt.Errorf("%s (character %d) is not a hex digit", bad, utf8.RuneCountInString(s[:i])+1)
		}
	}
	if len(s) > size {
		return "", fmt.Errorf("%d characters, want at most %d hex digits", len(s), size)
	}
	if zero {
		return "", fmt.Errorf("all zeros")
	}
	return strings.Repeat("0", size-len(s)) + strings.ToLower(s), nil
}
