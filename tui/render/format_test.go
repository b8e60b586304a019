package render

import (
	"math/rand/v2"
	"testing"
	"time"

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

// Durations are written in integers as the float of them is: rounded
// alike, ties too, at every unit and precision.
func TestSig3OfAsFloat(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 5))
	for _, unit := range []time.Duration{time.Microsecond, time.Millisecond, time.Second} {
		var ds []time.Duration
		for _, edge := range []time.Duration{1, 10, 100, 1000} {
			for k := time.Duration(-2); k <= 2; k++ {
				ds = append(ds, edge*unit+k)
			}
		}
		for range 20000 {
			ds = append(ds, unit+time.Duration(r.Int64N(int64(999*unit))))
			// ties: the last kept digit's half, at each precision
			ds = append(ds, time.Duration(r.Int64N(99900)+100)*unit/100+unit/200,
				time.Duration(r.Int64N(9000)+1000)*unit/10+unit/20, time.Duration(r.Int64N(900)+100)*unit+unit/2)
		}
		for _, d := range ds {
			if d < unit || d >= 1000*unit {
				continue
			}
			got := string(appendSig3Of(nil, d, unit))
			want := string(appendSig3(nil, float64(d)/float64(unit)))
			if got != want {
				t.Fatalf("%d in %v: %q, want %q", int64(d), unit, got, want)
			}
		}
	}
}
