package sources

import (
	"testing"
	"time"
)

func TestAutoStep(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		since time.Duration
		cells int
		want  time.Duration
	}{
		{time.Hour, 60, time.Minute},
		{time.Hour, 61, time.Minute},       // 59s rounds up to a minute
		{time.Hour, 200, 30 * time.Second}, // 18s -> 30s
		{time.Hour, 100000, time.Second},   // never below a second
		{3 * time.Hour, 40, 5 * time.Minute},
		{30 * 24 * time.Hour, 100, 12 * time.Hour},
		{400 * 24 * time.Hour, 100, 4 * 24 * time.Hour},
		{time.Hour, 0, time.Hour},
	}
	for _, tt := range tests {
		r := Last(tt.since, now)
		got := AutoStep(r, tt.cells)
		if got != tt.want {
			t.Errorf("AutoStep(%s, %d) = %s, want %s", tt.since, tt.cells, got, tt.want)
		}
		if n := pointsAt(r, got); n > MaxPoints {
			t.Errorf("AutoStep(%s, %d) = %s gives %d points", tt.since, tt.cells, got, n)
		}
	}
}

func TestLimitStep(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		since, step, want time.Duration
		changed           bool
	}{
		{time.Hour, time.Second, time.Second, false},                      // 3,601 points
		{3 * time.Hour, time.Second, time.Second, false},                  // 10,801 points fit
		{4 * time.Hour, time.Second, 2 * time.Second, true},               // 14,401 points -> 2s gives 7,201
		{7 * 24 * time.Hour, 15 * time.Second, time.Minute, true},         // 40,321 -> 1m gives 10,081
		{24 * time.Hour, 0, 10 * time.Second, true},                       // no step: the finest that fits
		{110000 * time.Second, 10 * time.Second, 15 * time.Second, true},  // 11,001 points is one too many
		{109990 * time.Second, 10 * time.Second, 10 * time.Second, false}, // 11,000 exactly fits
	}
	for _, tt := range tests {
		r := Last(tt.since, now)
		got, changed := LimitStep(r, tt.step)
		if got != tt.want || changed != tt.changed {
			t.Errorf("LimitStep(%s, %s) = %s, %v; want %s, %v", tt.since, tt.step, got, changed, tt.want, tt.changed)
		}
		if n := pointsAt(r, got); n > MaxPoints {
			t.Errorf("LimitStep(%s, %s) = %s gives %d points", tt.since, tt.step, got, n)
		}
	}
}

// A window longer than a Duration holds (1970 to the end of 9999, as
// --from 0 --to 253402300799 asks) gets a step within MaxPoints: its
// length once saturated at 292 years, and the step asked Prometheus for
// some 100,000 points.
func TestLimitStepPastWhatADurationHolds(t *testing.T) {
	r := TimeRange{From: time.Unix(0, 0), To: time.Unix(253402300799, 0)}
	for _, step := range []time.Duration{time.Second, time.Minute, 24 * time.Hour} {
		got, changed := LimitStep(r, step)
		points := (r.To.Unix()-r.From.Unix())/int64(got/time.Second) + 1
		if !changed || points > MaxPoints || points < MaxPoints/2 {
			t.Errorf("LimitStep(%v) = %v, %v: %d points", step, got, changed, points)
		}
	}
	if got := AutoStep(r, 100); (r.To.Unix()-r.From.Unix())/int64(got/time.Second)+1 > MaxPoints {
		t.Errorf("AutoStep = %v: more than %d points", got, MaxPoints)
	}
}
