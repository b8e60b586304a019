package compare

import (
	"math"
	"testing"
	"time"
)

// Differences of durations near the ends of their range stay within
// ±math.MaxInt64, where their absolute values are the largest, not below
// zero: found by FuzzCompare (testdata/fuzz/FuzzCompare/4bde2f9fcd11e490).
func TestSubHoldsAtTheEnds(t *testing.T) {
	const top, bottom = time.Duration(math.MaxInt64), time.Duration(math.MinInt64)
	tests := []struct {
		b, a, want time.Duration
	}{
		{5 * time.Millisecond, 2 * time.Millisecond, 3 * time.Millisecond},
		{2, 5, -3},
		{top, -1, top},
		{bottom + 959, 959, -top},
		{bottom, 1, -top},
		{bottom, 0, -top},
		{-1, top, -top},
		{top, bottom, top},
		{bottom, top, -top},
		{top, top, 0},
		{bottom, bottom, 0},
	}
	for _, tt := range tests {
		got := sub(tt.b, tt.a)
		if got != tt.want {
			t.Errorf("sub(%d, %d) = %d, want %d", tt.b, tt.a, got, tt.want)
		}
		if abs(got) < 0 {
			t.Errorf("abs(sub(%d, %d)) = %d, below zero", tt.b, tt.a, abs(got))
		}
	}
}
