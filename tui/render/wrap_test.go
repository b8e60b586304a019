package render

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
)

// A word exactly as wide as the limit, then a breakpoint: ansi.Wrap keeps
// the breakpoint on the row, one cell too wide; wrap cuts it to the next.
func TestWrapKeepsTheLimit(t *testing.T) {
	for _, tt := range []struct {
		s     string
		limit int
		want  string
	}{
		{"abcdefghij, x", 10, "abcdefghij\n,\nx"},
		{"0000000000,00", 10, "0000000000\n,00"},
		{"short, words, here", 10, "short,\nwords,\nhere"},
		{"a long line of words", 8, "a long\nline of\nwords"},
		{strings.Repeat("0", 113) + ", 0", 113, strings.Repeat("0", 113) + "\n,\n0"},
	} {
		got := wrap(tt.s, tt.limit, ",")
		for _, row := range strings.Split(got, "\n") {
			if ansi.StringWidth(row) > tt.limit {
				t.Errorf("wrap(%q, %d): row %q wider than the limit", tt.s, tt.limit, row)
			}
		}
		if got != tt.want {
			t.Errorf("wrap(%q, %d) = %q, want %q", tt.s, tt.limit, got, tt.want)
		}
	}
}
