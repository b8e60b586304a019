package demo

import (
	"context"
	"math"
	"regexp"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/common/model"

	"github.com/telx-cli/telx/sources"
)

// The queries the demo's metric source answers: the RED view's templates
// of `telx metrics --service S` with the spanmetrics preset.
const promQLSubset = `the RED queries of telx metrics --service (spanmetrics preset): ` +
	`sum(rate(calls{service_name="S",span_kind="SPAN_KIND_SERVER"}[W])), the error ratio, and ` +
	`histogram_quantile(Q, sum by (le) (rate(duration_bucket{service_name="S",span_kind="SPAN_KIND_SERVER"}[W])))`

const (
	selSvc = `\{service_name="((?:[^"\\]|\\.)*)",span_kind="SPAN_KIND_SERVER"`
	winRe  = `\[([0-9a-z]+)\]`
)

// redPatterns are the RED queries' patterns, compiled at the first query
// rather than at every start of telx.
var redPatterns = sync.OnceValue(func() (p struct{ rate, errors, latency *regexp.Regexp }) {
	p.rate = regexp.MustCompile(`^sum\(rate\(` + CallsMetric + selSvc + `\}` + winRe + `\)\)$`)
	p.errors = regexp.MustCompile(`^\(sum\(rate\(` + CallsMetric + selSvc + `,status_code="STATUS_CODE_ERROR"\}` + winRe +
		`\)\) or vector\(0\)\) / sum\(rate\(` + CallsMetric + selSvc + `\}` + winRe + `\)\)$`)
	p.latency = regexp.MustCompile(`^histogram_quantile\(([0-9.]+), sum by \(le\) \(rate\(` + DurationMetric + `_bucket` + selSvc + `\}` + winRe + `\)\)\)$`)
	return p
})

// redQuery is a parsed RED query.
type redQuery struct {
	kind     string // rate, errors or quantile
	service  string
	window   time.Duration
	quantile float64
}

func parsePromQL(q string) (*redQuery, bool) {
	unq := func(s string) (string, bool) {
		v, err := strconv.Unquote(`"` + s + `"`)
		return v, err == nil
	}
	win := func(s string) (time.Duration, bool) {
		d, err := model.ParseDuration(s)
		return time.Duration(d), err == nil && d > 0
	}
	var rq redQuery
	var ok1, ok2 bool
	re := redPatterns()
	switch {
	case re.rate.MatchString(q):
		m := re.rate.FindStringSubmatch(q)
		rq.kind = "rate"
		rq.service, ok1 = unq(m[1])
		rq.window, ok2 = win(m[2])
	case re.errors.MatchString(q):
		m := re.errors.FindStringSubmatch(q)
		if m[1] != m[3] || m[2] != m[4] {
			return nil, false
		}
		rq.kind = "errors"
		rq.service, ok1 = unq(m[1])
		rq.window, ok2 = win(m[2])
	case re.latency.MatchString(q):
		m := re.latency.FindStringSubmatch(q)
		v, err := strconv.ParseFloat(m[1], 64)
		if err != nil {
			return nil, false
		}
		rq.kind, rq.quantile = "quantile", v
		rq.service, ok1 = unq(m[2])
		rq.window, ok2 = win(m[3])
	default:
		return nil, false
	}
	return &rq, ok1 && ok2
}

// totals are a service's server spans' counters at one step, summed over
// its operations.
type totals struct {
	calls, errors float64
	buckets       []float64 // cumulative, one per DurationBuckets bound, then +Inf
}

func (m *Metrics) totals(service string, k int) totals {
	vals := m.values(k)
	t := totals{buckets: make([]float64, len(DurationBuckets)+1)}
	for i, o := range ops {
		if o.service != service {
			continue
		}
		for s := 0; s < 2; s++ {
			base := (i*2 + s) * perStatus
			t.calls += vals[base]
			if s == 1 {
				t.errors += vals[base]
			}
			for b := range t.buckets {
				t.buckets[b] += vals[base+1+b]
			}
		}
	}
	return t
}

// eval returns the query's value at t, and false when there is no sample
// (before the metrics' history, or no service).
func (m *Metrics) eval(q *redQuery, t time.Time) (float64, bool) {
	k1, k0 := m.step(t), m.step(t.Add(-q.window))
	if k0 < 0 || k1 < 0 {
		return 0, false
	}
	a, b := m.totals(q.service, k0), m.totals(q.service, k1)
	secs := q.window.Seconds()
	switch q.kind {
	case "rate":
		return (b.calls - a.calls) / secs, true
	case "errors":
		calls := b.calls - a.calls
		if calls == 0 {
			return math.NaN(), true
		}
		return (b.errors - a.errors) / calls, true
	}
	inc := make([]float64, len(b.buckets))
	for i := range inc {
		inc[i] = b.buckets[i] - a.buckets[i]
	}
	return quantile(q.quantile, inc), true
}

// quantile estimates the q-quantile from cumulative bucket counts as
// Prometheus' histogram_quantile does: linear within the bucket, the
// highest finite bound for the +Inf bucket, NaN without observations.
func quantile(q float64, cum []float64) float64 {
	total := cum[len(cum)-1]
	switch {
	case q < 0:
		return math.Inf(-1)
	case q > 1:
		return math.Inf(1)
	case total == 0 || math.IsNaN(q):
		return math.NaN()
	}
	rank := q * total
	b := 0
	for b < len(cum)-1 && cum[b] < rank {
		b++
	}
	if b == len(cum)-1 {
		return DurationBuckets[len(DurationBuckets)-1]
	}
	lower, prev := 0.0, 0.0
	if b > 0 {
		lower, prev = DurationBuckets[b-1], cum[b-1]
	}
	upper := DurationBuckets[b]
	if cum[b] == prev {
		return upper
	}
	return lower + (upper-lower)*(rank-prev)/(cum[b]-prev)
}

// QueryRange answers the RED queries of `telx metrics --service S`
// (spanmetrics preset) from the scenario's span metrics, evaluated from
// the generated counters: rate is the increase over the window divided by
// its length (no extrapolation at the edges). Any other PromQL is refused.
func (s *Source) QueryRange(ctx context.Context, q sources.MetricQuery) (*sources.MetricResult, error) {
	rq, ok := parsePromQL(q.Query)
	if !ok {
		return nil, errUnsupported("PromQL", q.Query, promQLSubset)
	}
	step := q.Step
	if step <= 0 {
		step = sources.AutoStep(q.Range, 200)
	}
	step, _ = sources.LimitStep(q.Range, step)
	res := &sources.MetricResult{Type: "matrix", Step: step}
	var pts []sources.Point
	for t := q.Range.From; !t.After(q.Range.To); t = t.Add(step) {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if v, ok := s.sc.Metrics.eval(rq, t); ok {
			pts = append(pts, sources.Point{Time: t, Value: v})
		}
	}
	if len(pts) > 0 && s.known(rq.service) {
		res.Series = []sources.Series{{Labels: map[string]string{}, Points: pts}}
	}
	return res, nil
}

// Query evaluates one of the RED queries at one time.
func (s *Source) Query(ctx context.Context, query string, at time.Time) (*sources.MetricResult, error) {
	rq, ok := parsePromQL(query)
	if !ok {
		return nil, errUnsupported("PromQL", query, promQLSubset)
	}
	res := &sources.MetricResult{Type: "vector"}
	if v, ok := s.sc.Metrics.eval(rq, at); ok && s.known(rq.service) {
		res.Series = []sources.Series{{Labels: map[string]string{}, Points: []sources.Point{{Time: at, Value: v}}}}
	}
	return res, ctx.Err()
}

// known tells whether the span metrics cover a service.
func (s *Source) known(service string) bool {
	for _, o := range ops {
		if o.service == service {
			return true
		}
	}
	return false
}
