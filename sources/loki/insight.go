package loki

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	json "github.com/goccy/go-json"

	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/sources/config"
	"github.com/telx-cli/telx/sources/internal/jsonread"
)

var (
	_ sources.LogVolumeSource  = (*Client)(nil)
	_ sources.LogPatternSource = (*Client)(nil)
)

// VolumeBuckets is about how many steps LogVolume and LogPatterns divide
// a window into when no step is given.
const VolumeBuckets = 100

// VolumeQuery is the metric query that counts the lines of the log query
// query per step, by level: Loki's detected_level (which Loki 3 derives
// at ingestion from a level label, structured metadata or the line), else
// a level label (of the stream, or extracted by a parser in query). Parse
// errors of query's parsers are dropped, not filtered, so that a line a
// parser cannot read is still counted.
func VolumeQuery(query string, step time.Duration) (string, error) {
	if _, _, ok := splitSelector(query); !ok {
		return "", fmt.Errorf("%w: the volume of %q: a log query starts with a stream selector {…}; a metric query has no lines to count", ErrBadQuery, query)
	}
	return fmt.Sprintf("sum by (detected_level, level) (count_over_time(%s | drop __error__, __error_details__ [%s]))",
		strings.TrimSpace(query), logqlDuration(step)), nil
}

// logqlDuration writes d as a LogQL range: 90s, 5m, 2h, 500ms.
func logqlDuration(d time.Duration) string {
	switch {
	case d <= 0:
		return "1s"
	case d%time.Hour == 0:
		return strconv.FormatInt(int64(d/time.Hour), 10) + "h"
	case d%time.Minute == 0:
		return strconv.FormatInt(int64(d/time.Minute), 10) + "m"
	case d%time.Second == 0:
		return strconv.FormatInt(int64(d/time.Second), 10) + "s"
	}
	return strconv.FormatInt(max(1, int64(d/time.Millisecond)), 10) + "ms"
}

// stepFor is step, or for 0 a nice step giving about VolumeBuckets
// steps over r, kept within the points a range query may evaluate.
func stepFor(r sources.TimeRange, step time.Duration) time.Duration {
	if step <= 0 {
		return sources.AutoStep(r, VolumeBuckets)
	}
	step, _ = sources.LimitStep(r, step)
	return step
}

// alignedRange is the range of a count_over_time query at step whose
// points cover r in whole steps aligned to multiples of step since the
// Unix epoch: the first point ends the step holding r.From, the last is
// the end of the step holding r.To. Aligned steps count the same lines
// at every refresh, and let Loki cache them.
func alignedRange(r sources.TimeRange, step time.Duration) sources.TimeRange {
	s := int64(step)
	from := r.From.UnixNano()
	from -= ((from % s) + s) % s
	to := r.To.UnixNano()
	if m := ((to % s) + s) % s; m != 0 {
		to += s - m
	}
	return sources.TimeRange{From: time.Unix(0, from+s), To: time.Unix(0, max(to, from+s))}
}

// LogVolume implements sources.LogVolumeSource with a metric query Loki
// computes (VolumeQuery): one series per level, in the label "level",
// normalised by NormalizeLevel; Loki's "unknown" (a line in which it found
// no level) and lines with no level at all make the series of level "".
// Series are ordered by level, the most severe first. A point at t counts
// the lines in (t-step, t]; steps are aligned to the epoch (alignedRange),
// so the first and last may reach past q.Range.
func (c *Client) LogVolume(ctx context.Context, q sources.LogQuery, step time.Duration) ([]sources.Series, error) {
	step = stepFor(q.Range, step)
	query, err := VolumeQuery(q.Query, step)
	if err != nil {
		return nil, c.wrap(err)
	}
	series, err := c.QueryMetrics(ctx, query, alignedRange(q.Range, step), step)
	if err != nil {
		return nil, err
	}
	return mergeLevels(series), nil
}

// mergeLevels sums the series of each normalised level.
func mergeLevels(series []sources.Series) []sources.Series {
	counts := sources.LevelCounts{}
	for _, s := range series {
		lv := NormalizeLevel(s.Labels["detected_level"])
		if lv == "" {
			lv = NormalizeLevel(s.Labels["level"])
		}
		for _, p := range s.Points {
			counts.Add(lv, p.Time, p.Value)
		}
	}
	return counts.Series()
}

// The wire format of /loki/api/v1/patterns (Loki 3.x):
//
//	{"status":"success","data":[{"pattern":"<_> level=info msg=<_>","level":"info","samples":[[1764570000,12],…]}]}
//
// with the samples' times in Unix seconds and their counts integers.
type wirePatterns struct {
	Status string `json:"status"`
	Data   []struct {
		Pattern string       `json:"pattern"`
		Level   string       `json:"level"`
		Samples [][2]float64 `json:"samples"`
	} `json:"data"`
}

// LogPatterns implements sources.LogPatternSource with Loki's pattern
// ingester (GET /loki/api/v1/patterns), over the stream selector of
// q.Query alone: Loki's patterns know no line filter. A Loki without the
// endpoint (before 3.0) or with the pattern ingester off answers 404: an
// error wrapping errors.ErrUnsupported. Patterns that Loki sends per level
// keep their level (normalised); the same pattern and level sent twice
// (by two ingesters) are summed.
func (c *Client) LogPatterns(ctx context.Context, q sources.LogQuery, step time.Duration) ([]sources.LogPattern, error) {
	sel, _, ok := splitSelector(q.Query)
	if !ok {
		return nil, c.wrap(fmt.Errorf("%w: the patterns of %q: a log query starts with a stream selector {…}", ErrBadQuery, q.Query))
	}
	step = stepFor(q.Range, step)
	params := url.Values{
		"query": {sel},
		"start": {nanos(q.Range.From)},
		"end":   {nanos(q.Range.To)},
		"step":  {strconv.FormatFloat(step.Seconds(), 'f', -1, 64)},
	}
	var res wirePatterns
	err := c.get(ctx, "/loki/api/v1/patterns", params, false, config.PageAnswer, func(r io.Reader) error {
		r, err := jsonread.ObjectStart(r)
		if err != nil {
			return malformed("patterns answer", err)
		}
		data, err := config.ReadAnswer(r, -1) // under the page cap
		if err != nil {
			return err
		}
		if err := json.Unmarshal(data, &res); err != nil {
			return malformed("patterns answer", err)
		}
		return nil
	})
	if err != nil {
		var he *httpError
		if errors.As(err, &he) && (he.code == http.StatusNotFound || patternsOff(he.msg)) {
			return nil, c.wrap(fmt.Errorf("Loki's pattern ingester is off (/loki/api/v1/patterns answered %s: %s): %w", he.status, he.msg, errors.ErrUnsupported))
		}
		return nil, err
	}
	type key struct{ pattern, level string }
	merged := map[key]*sources.LogPattern{}
	var out []*sources.LogPattern
	for _, d := range res.Data {
		k := key{d.Pattern, NormalizeLevel(d.Level)}
		p := merged[k]
		if p == nil {
			p = &sources.LogPattern{Pattern: d.Pattern, Level: k.level}
			merged[k] = p
			out = append(out, p)
		}
		for _, s := range d.Samples {
			p.Samples = append(p.Samples, sources.Point{Time: time.Unix(int64(s[0]), 0), Value: s[1]})
			p.Count += int64(s[1])
		}
	}
	patterns := make([]sources.LogPattern, len(out))
	for i, p := range out {
		if len(p.Samples) > 1 {
			sort.SliceStable(p.Samples, func(a, b int) bool { return p.Samples[a].Time.Before(p.Samples[b].Time) })
			p.Samples = sumSameTime(p.Samples)
		}
		patterns[i] = *p
	}
	sources.SortLogPatterns(patterns)
	return patterns, nil
}

// patternsOff tells whether an error body says the pattern ingester is
// not running.
func patternsOff(msg string) bool {
	m := strings.ToLower(msg)
	return strings.Contains(m, "pattern") && (strings.Contains(m, "disabled") || strings.Contains(m, "not enabled"))
}

// sumSameTime merges samples of one time (sorted by time).
func sumSameTime(pts []sources.Point) []sources.Point {
	out := pts[:1]
	for _, p := range pts[1:] {
		if last := &out[len(out)-1]; last.Time.Equal(p.Time) {
			last.Value += p.Value
			continue
		}
		out = append(out, p)
	}
	return out
}
