package demo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/telx-cli/telx/sources"
)

var (
	_ sources.LogVolumeSource  = (*Source)(nil)
	_ sources.LogPatternSource = (*Source)(nil)
)

// volumeBuckets is about how many steps LogVolume divides a window into
// when no step is given, as the Loki source does.
const volumeBuckets = 100

// LogVolume counts the scenario's lines matching q.Query (the subset
// QueryLogs answers) in q.Range per step, by level, as Loki's
// count_over_time does: a point at t counts the lines in (t-step, t], the
// steps aligned to the Unix epoch; steps without lines have no point.
// Series are ordered by level, the most severe first.
func (s *Source) LogVolume(ctx context.Context, q sources.LogQuery, step time.Duration) ([]sources.Series, error) {
	lq, err := parseLogQL(q.Query)
	if err != nil {
		return nil, fmt.Errorf("%w (%v)", errUnsupported("LogQL", q.Query, logQLSubset), err)
	}
	if step <= 0 {
		step = sources.AutoStep(q.Range, volumeBuckets)
	} else {
		step, _ = sources.LimitStep(q.Range, step)
	}
	counts := sources.LevelCounts{}
	for i := range s.sc.Logs {
		e := &s.sc.Logs[i]
		if !q.Range.From.IsZero() && !q.Range.Contains(e.Time) {
			continue
		}
		if !lq.match(e) {
			continue
		}
		counts.Add(e.Level, sources.StepEnd(e.Time, step), 1)
	}
	out := counts.Series()
	return out, ctx.Err()
}

// LogPatterns says the demo has no pattern ingester: telx then clusters
// the lines it loaded itself, as for a Loki without one.
func (s *Source) LogPatterns(context.Context, sources.LogQuery, time.Duration) ([]sources.LogPattern, error) {
	return nil, fmt.Errorf("the demo has no pattern ingester: %w", errors.ErrUnsupported)
}
