package render

import (
	"testing"

	"github.com/charmbracelet/x/ansi"
)

func TestWidth(t *testing.T) {
	for _, s := range []string{
		"", "GET /api/orders", "12.5ms", "250µs", "│ ├─ payments", "注文", "👍🏽 ok",
		"\x1b[31mred\x1b[m", "tab\there", "ⓘ ⚠skew", "\u00e9t\u0301e",
	} {
		if got, want := Width(s), ansi.StringWidth(s); got != want {
			t.Errorf("Width(%q) = %d, want %d", s, got, want)
		}
	}
}
