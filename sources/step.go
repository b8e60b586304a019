package sources

import (
	"math"
	"time"
)

// MaxPoints is how many points per series Prometheus (and Thanos, Mimir,
// Cortex) evaluate in one range query; a query over more is refused.
const MaxPoints = 11000

// niceSteps are the steps telx picks from: round numbers a person reads
// at a glance, and that align with common scrape intervals.
var niceSteps = []time.Duration{
	time.Second, 2 * time.Second, 5 * time.Second, 10 * time.Second, 15 * time.Second, 30 * time.Second,
	time.Minute, 2 * time.Minute, 5 * time.Minute, 10 * time.Minute, 15 * time.Minute, 30 * time.Minute,
	time.Hour, 2 * time.Hour, 3 * time.Hour, 6 * time.Hour, 12 * time.Hour, 24 * time.Hour,
}

// niceStepAtLeast returns the smallest nice step no shorter than d; past a
// day, whole days.
func niceStepAtLeast(d time.Duration) time.Duration {
	for _, s := range niceSteps {
		if s >= d {
			return s
		}
	}
	day := 24 * time.Hour
	return (d + day - 1) / day * day
}

// pointsAt is how many points a range query over r at step evaluates.
func pointsAt(r TimeRange, step time.Duration) int64 {
	if d := r.Duration(); d != math.MaxInt64 {
		return int64(d/step) + 1
	}
	return int64(seconds(r)/step.Seconds()) + 1
}

// seconds is r's length in seconds, also past the 292 years a Duration
// holds (r.Duration saturates): --from 0 --to 253402300799 is a window of
// 8,000 years.
func seconds(r TimeRange) float64 {
	return float64(r.To.Unix()-r.From.Unix()) + float64(r.To.Nanosecond()-r.From.Nanosecond())/1e9
}

// AutoStep chooses the step of a range query over r that will be drawn
// in cells columns: a nice step giving at most about one point per
// column, and never more than MaxPoints points.
func AutoStep(r TimeRange, cells int) time.Duration {
	if cells < 1 {
		cells = 1
	}
	step := niceStepAtLeast(r.Duration() / time.Duration(cells))
	step, _ = LimitStep(r, step)
	return step
}

// LimitStep returns step, or when a range query over r at step would
// exceed MaxPoints, the smallest nice step that does not, and true.
func LimitStep(r TimeRange, step time.Duration) (time.Duration, bool) {
	if step <= 0 {
		step = time.Second
	}
	if pointsAt(r, step) <= MaxPoints {
		return step, false
	}
	min := r.Duration()/(MaxPoints-1) + 1
	if r.Duration() == math.MaxInt64 {
		min = time.Duration(seconds(r)/(MaxPoints-1)*1e9) + 1
	}
	s := niceStepAtLeast(min)
	for pointsAt(r, s) > MaxPoints { // a day multiple rounding down; cannot loop long
		s += time.Second
	}
	return s, true
}
