package sources

import (
	"strings"
	"testing"
)

// hexValue is s as a hex number's digits without leading zeros (and
// without a 0x prefix and spaces around), lowercased.
func hexValue(s string) string {
	s = strings.TrimSpace(s)
	if len(s) > 2 && (s[:2] == "0x" || s[:2] == "0X") {
		s = s[2:]
	}
	return strings.TrimLeft(strings.ToLower(s), "0")
}

// FuzzParseID parses any text as a trace and a span ID: an ID accepted is
// in normal form, the same number as the text, parses to itself again, and
// its Short form is a part of it; an ID refused gives an error quoting it.
func FuzzParseID(f *testing.F) {
	for _, s := range []string{"4bf92f3577b34da6a3ce929d0e0e4736", "4BF92F3577B34DA6A3CE929D0E0E4736", "a3ce929d0e0e4736", "0xa3ce929d0e0e4736",
		" 1f ", "", "00000000000000000000000000000000", "4bf92f3577b34da6a3ce929d0e0e47361", "trace-1", "æ", "0x", "0X0", "\x1b[31m"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tid, err := ParseTraceID(s)
		if err == nil {
			if !IsNormalID(tid, 32) {
				t.Errorf("ParseTraceID(%q) = %q, not in normal form", s, tid)
			}
			if hexValue(string(tid)) != hexValue(s) {
				t.Errorf("ParseTraceID(%q) = %q, another number", s, tid)
			}
			if again, err := ParseTraceID(string(tid)); err != nil || again != tid {
				t.Errorf("ParseTraceID(%q) = %q, %v: not itself", tid, again, err)
			}
			if short := tid.Short(); len(short) == 0 || len(short) > 8 || !strings.Contains(string(tid), short) {
				t.Errorf("%q.Short() = %q", tid, short)
			}
		} else if tid != "" {
			t.Errorf("ParseTraceID(%q) = %q with an error", s, tid)
		}
		sid, err := ParseSpanID(s)
		if err == nil {
			if !IsNormalID(sid, 16) {
				t.Errorf("ParseSpanID(%q) = %q, not in normal form", s, sid)
			}
			if hexValue(string(sid)) != hexValue(s) {
				t.Errorf("ParseSpanID(%q) = %q, another number", s, sid)
			}
			if again, err := ParseSpanID(string(sid)); err != nil || again != sid {
				t.Errorf("ParseSpanID(%q) = %q, %v: not itself", sid, again, err)
			}
			if _, err := ParseTraceID(s); err != nil {
				t.Errorf("%q is a span ID but not a trace ID: %v", s, err)
			}
		}
		if IsNormalID(s, 32) {
			if tid, err := ParseTraceID(s); err != nil || string(tid) != s {
				t.Errorf("%q is normal, but ParseTraceID gives %q, %v", s, tid, err)
			}
		}
	})
}
