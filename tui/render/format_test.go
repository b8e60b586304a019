package render

import (
	"testing"

	"github.com/charmbracelet/x/ansi"
)

func TestWidth(t *testing.T) {
	for _, s := range []string{
		"", "GET /api/orders", "12.5ms", "250µs", "│ ├─ payments", "注文", "👍🏽 ok",
		"\x1b[31mred\x1b[m", "tab\there", "ⓘ ⚠skew", "\u00e9t\u0301e",
		"3.20µs · 10 spans…", "├╴█▋▏", "µ\u0301", "│\u200d│", "─\ufe0f", "\u25a0", "\u00b6", "\u2027",
		"µ", "\xc2", "\xe2\x94", "a\xe2\x96\xa0",
	} {
		if got, want := Width(s), ansi.StringWidth(s); got != want {
			t.Errorf("Width(%q) = %d, want %d", s, got, want)
		}
	}
	// every character Width counts itself is one cell to ansi too
	for _, r := range append([]rune{'µ', '·', '…'}, runeRange(0x2500, 0x259f)...) {
		if got, want := Width(string(r)), ansi.StringWidth(string(r)); got != want || got != 1 {
			t.Errorf("Width(%q) = %d, ansi %d, want both 1", r, got, want)
		}
	}
}

func runeRange(from, to rune) []rune {
	var rs []rune
	for r := from; r <= to; r++ {
		rs = append(rs, r)
	}
	return rs
}
