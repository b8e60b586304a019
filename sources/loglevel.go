package sources

import (
	"sort"
	"time"
)

// LevelRank orders normalised log levels (fatal, error, warn, info, debug,
// trace), the most severe first, and any other (the unknown, "") last.
func LevelRank(level string) int {
	switch level {
	case "fatal":
		return 0
	case "error":
		return 1
	case "warn":
		return 2
	case "info":
		return 3
	case "debug":
		return 4
	case "trace":
		return 5
	}
	return 6
}

// SortLogPatterns orders patterns largest first, ties by level (the most
// severe first) and then by pattern.
func SortLogPatterns(ps []LogPattern) {
	sort.SliceStable(ps, func(i, j int) bool {
		a, b := &ps[i], &ps[j]
		if a.Count != b.Count {
			return a.Count > b.Count
		}
		if ra, rb := LevelRank(a.Level), LevelRank(b.Level); ra != rb {
			return ra < rb
		}
		return a.Pattern < b.Pattern
	})
}

// LevelCounts counts log lines by level and by the end of the step they
// fall in (Unix nanoseconds), as a log volume does.
type LevelCounts map[string]map[int64]float64

// Add counts n lines of level in the step ending at end.
func (c LevelCounts) Add(level string, end time.Time, n float64) {
	m := c[level]
	if m == nil {
		m = map[int64]float64{}
		c[level] = m
	}
	m[end.UnixNano()] += n
}

// StepEnd is the end of the step (aligned to the Unix epoch) that t falls
// in, a step counting the lines of (end-step, end].
func StepEnd(t time.Time, step time.Duration) time.Time {
	ns, st := t.UnixNano(), int64(step)
	if m := ((ns % st) + st) % st; m != 0 {
		ns += st - m
	}
	return time.Unix(0, ns)
}

// Series are the counts as a log volume's series (LogVolumeSource): one a
// level, in the label "level", its points in time order, the most severe
// level first.
func (c LevelCounts) Series() []Series {
	out := make([]Series, 0, len(c))
	for lv, m := range c {
		s := Series{Labels: map[string]string{"level": lv}, Points: make([]Point, 0, len(m))}
		for t, v := range m {
			s.Points = append(s.Points, Point{Time: time.Unix(0, t), Value: v})
		}
		sort.Slice(s.Points, func(i, j int) bool { return s.Points[i].Time.Before(s.Points[j].Time) })
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return LevelRank(out[i].Labels["level"]) < LevelRank(out[j].Labels["level"]) })
	return out
}
