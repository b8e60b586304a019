package sources

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestSanitize(t *testing.T) {
	tests := []struct{ in, want string }{
		{"GET /api/products", "GET /api/products"},
		{"héllo wörld ✓ 日本", "héllo wörld ✓ 日本"},
		{"curl/8.5.0 \x1b[31mred\x1b[0m", `curl/8.5.0 \x1b[31mred\x1b[0m`},
		{"title \x1b]0;pwned\x07", `title \x1b]0;pwned\x07`},
		{"two\nlines\r\tand tab", `two\nlines\r\tand tab`},
		{"nul\x00 del\x7f", `nul\x00 del\x7f`},
		{"c1 csi \u009b31m", `c1 csi \u009b31m`},
		{"bidi \u202egnp.exe", `bidi \u202egnp.exe`},
		{"bad utf8 \xff\xfe end", `bad utf8 \xff\xfe end`},
		{"", ""},
	}
	for _, tt := range tests {
		got := Sanitize(tt.in)
		if got != tt.want {
			t.Errorf("Sanitize(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if strings.ContainsAny(got, "\x1b\x07\x00\n\r\x7f\u009b\u202e") {
			t.Errorf("Sanitize(%q) = %q still holds a control character", tt.in, got)
		}
	}
}

func TestSanitizeKeepTabs(t *testing.T) {
	tests := []struct{ in, want string }{
		{"2026-12-01T06:15:25.318Z\tERROR\tdriver/redis.go:70\tredis timeout", "2026-12-01T06:15:25.318Z\tERROR\tdriver/redis.go:70\tredis timeout"},
		{"tab\tthen \x1b[31mred\x1b[0m\n", "tab\tthen \\x1b[31mred\\x1b[0m\\n"},
		{"\t\t", "\t\t"},
		{"bidi\t\u202e", "bidi\t\\u202e"},
	}
	for _, tt := range tests {
		if got := SanitizeKeepTabs(tt.in); got != tt.want {
			t.Errorf("SanitizeKeepTabs(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func FuzzSanitize(f *testing.F) {
	for _, s := range []string{"plain", "\x1b[2J", "a\u202eb", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := Sanitize(s)
		if i := firstUnsafe(got, false); i >= 0 {
			t.Fatalf("Sanitize(%q) = %q: unsafe byte at %d", s, got, i)
		}
		if firstUnsafe(s, false) < 0 && got != s {
			t.Fatalf("Sanitize changed safe text %q to %q", s, got)
		}
		kept := SanitizeKeepTabs(s)
		if i := firstUnsafe(kept, true); i >= 0 {
			t.Fatalf("SanitizeKeepTabs(%q) = %q: unsafe byte at %d", s, kept, i)
		}
		if strings.ReplaceAll(kept, "\t", `\t`) != got {
			t.Fatalf("SanitizeKeepTabs(%q) = %q differs from Sanitize's %q other than in TABs", s, kept, got)
		}
	})
}

func BenchmarkSanitizeClean(b *testing.B) {
	s := `level=info msg="order placed" trace_id=4bf92f3577b34da6a3ce929d0e0e4736 span_id=00f067aa0ba902b7`
	b.ReportAllocs()
	for b.Loop() {
		_ = Sanitize(s)
	}
}

func TestSanitizeError(t *testing.T) {
	base := fmt.Errorf("answer %q: %w", "\x1b[2J", ErrAuth)
	err := SanitizeError(base)
	if got, want := err.Error(), `answer "\x1b[2J": `+ErrAuth.Error(); got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if !errors.Is(err, ErrAuth) || !errors.Is(err, base) {
		t.Error("the sanitised error does not wrap the original")
	}
	raw := errors.New("a \x1b[31m red")
	if got := SanitizeError(raw).Error(); got != `a \x1b[31m red` {
		t.Errorf("got %q", got)
	}
	if SanitizeError(nil) != nil {
		t.Error("nil is not nil")
	}
}
