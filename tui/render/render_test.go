package render

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/tui/styles"
)

func TestDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0:                            "0ns",
		850 * time.Nanosecond:        "850ns",
		959 * time.Microsecond:       "959µs",
		1050 * time.Microsecond:      "1.05ms",
		12340 * time.Microsecond:     "12.3ms",
		250 * time.Millisecond:       "250ms",
		1240 * time.Millisecond:      "1.24s",
		59999 * time.Millisecond:     "60.0s",
		125 * time.Second:            "2m05s",
		119600 * time.Millisecond:    "2m00s",
		-3 * time.Millisecond:        "-3.00ms",
		time.Duration(math.MinInt64): "--9223372036854775808ns",
		time.Duration(math.MaxInt64): "153722867m17s",
	} {
		if got := Duration(d); got != want {
			t.Errorf("Duration(%v) = %q, want %q", d, got, want)
		}
	}
}

// guidesWidth is the width of what guides writes, a row's cells being
// counted without writing its guides first.
func TestGuidesWidth(t *testing.T) {
	for maxLevels := 0; maxLevels <= 6; maxLevels++ {
		for depth := 0; depth <= 9; depth++ {
			cont := make([]bool, depth+1)
			for i := range cont {
				cont[i] = i%2 == 0
			}
			var b strings.Builder
			guides(&b, depth, cont, maxLevels)
			if got, want := guidesWidth(depth, maxLevels), Width(b.String()); got != want {
				t.Errorf("guidesWidth(%d, %d) = %d, want %d (%q)", depth, maxLevels, got, want, b.String())
			}
		}
	}
}

func TestOffset(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0:                        "+0ns",
		87900 * time.Microsecond: "+87.9ms",
		-time.Microsecond:        "-1.00µs",
	} {
		if got := Offset(d); got != want {
			t.Errorf("Offset(%v) = %q, want %q", d, got, want)
		}
	}
}

func TestNiceStep(t *testing.T) {
	for _, tt := range []struct {
		total time.Duration
		n     int
		want  time.Duration
	}{
		{time.Second, 4, 500 * time.Millisecond},
		{92 * time.Millisecond, 3, 50 * time.Millisecond},
		{1360 * time.Millisecond, 12, 200 * time.Millisecond},
		{0, 3, 0},
	} {
		if got := niceStep(tt.total, tt.n); got != tt.want {
			t.Errorf("niceStep(%v, %d) = %v, want %v", tt.total, tt.n, got, tt.want)
		}
	}
}

func TestBar(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	r := sources.TimeRange{From: t0, To: t0.Add(100 * time.Millisecond)}
	at := func(ms float64) time.Time { return t0.Add(time.Duration(ms * float64(time.Millisecond))) }
	tests := []struct {
		name       string
		start, end float64 // ms, over 10 cells of 10ms
		want       string
	}{
		{"whole range", 0, 100, "██████████"},
		{"first half", 0, 50, "█████     "},
		{"ends mid-cell", 0, 45, "████▌     "},
		{"eighth precision", 0, 11.25, "█▏        "},
		{"starts late in a cell", 17.5, 40, " ▐██      "},
		{"too short to see", 50, 50.01, "     ▏    "},
		{"at the very end", 100, 100, "         ▕"},
	}
	for _, tt := range tests {
		var b strings.Builder
		writeBar(&b, r, at(tt.start), at(tt.end), 10, styles.Paint{})
		if got := b.String(); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
		if w := ansi.StringWidth(b.String()); w != 10 {
			t.Errorf("%s: %d cells, want 10", tt.name, w)
		}
	}
}
