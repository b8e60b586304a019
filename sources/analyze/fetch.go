package analyze

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/telx-cli/telx/sources"
)

// Defaults of FetchOptions.
const (
	DefaultSample      = 200
	DefaultConcurrency = 4
)

// SummarySearcher is a trace source whose search returns summaries (a
// trace's ID and some or none of its spans) rather than whole traces.
// Fetch loads the whole trace of each summary by its ID; it does so too
// for any search result without spans.
type SummarySearcher interface {
	SearchReturnsSummaries() bool
}

// FetchOptions say how to gather a sample.
type FetchOptions struct {
	// Sample is how many traces the search asks for (DefaultSample when 0).
	Sample int
	// Concurrency bounds the whole traces fetched at once
	// (DefaultConcurrency when 0).
	Concurrency int
	// Metrics, when set, is asked for the latency distribution over span
	// metrics (the OpenTelemetry span-metrics connector's names); the
	// sample's is the fallback.
	Metrics sources.MetricSource
	// SystemGraph asks the trace source for the whole system's dependency
	// graph over the window (a sources.DependencySource) instead of the
	// sample's calls.
	SystemGraph bool
	// Analysis shapes the analysis; its Service and Operation default to
	// the query's.
	Analysis Options
}

// Timing says where the time of a report went.
type Timing struct {
	// Search is the trace search; Fetch the whole traces loaded after it
	// (Fetched of them, Concurrency at a time); Metrics the span-metrics
	// queries; Dependencies the backend's graph. Backend is the wall time
	// of all the backend calls, some of which overlap.
	Search       time.Duration `json:"searchNanos"`
	Fetch        time.Duration `json:"fetchNanos"`
	Fetched      int           `json:"fetched"`
	Concurrency  int           `json:"concurrency"`
	Metrics      time.Duration `json:"metricsNanos,omitempty"`
	Dependencies time.Duration `json:"dependenciesNanos,omitempty"`
	Backend      time.Duration `json:"backendNanos"`
	// Analysis is the analysis itself.
	Analysis time.Duration `json:"analysisNanos"`
}

// Result is a report with how it was made.
type Result struct {
	*Report
	Service   string            `json:"service"`
	Operation string            `json:"operation,omitempty"`
	Range     sources.TimeRange `json:"range"`
	// Sample is the number of traces asked for.
	Sample int `json:"sample"`
	// SampleLatency is the sample's latency when Latency is the span
	// metrics'.
	SampleLatency *Latency `json:"sampleLatency,omitempty"`
	Timing        Timing   `json:"timing"`
	// Notes say what the reader should know: a fallback, traces that
	// could not be loaded.
	Notes []string `json:"notes,omitempty"`
	// Sample are the traces analysed, for the examples to open.
	SampleTraces []*sources.Trace `json:"-"`
}

// Trace returns the sample's trace of that ID, or nil.
func (r *Result) Trace(id sources.TraceID) *sources.Trace {
	for _, t := range r.SampleTraces {
		if t.ID == id {
			return t
		}
	}
	return nil
}

// Fetch searches src with q for a sample of traces (q.Limit is set to the
// sample's size), loads the whole traces the search gave summaries of,
// asks the backends what they compute themselves, and analyses the
// sample. It fails only when the search fails or no trace could be
// loaded; what else fails is said in the notes.
func Fetch(ctx context.Context, src sources.TraceSource, q sources.TraceQuery, o FetchOptions) (*Result, error) {
	if o.Sample <= 0 {
		o.Sample = DefaultSample
	}
	if o.Concurrency <= 0 {
		o.Concurrency = DefaultConcurrency
	}
	if o.Analysis.Service == "" {
		o.Analysis.Service, o.Analysis.Operation = q.Service, q.Operation
	}
	q.Limit = o.Sample
	res := &Result{Service: q.Service, Operation: q.Operation, Range: q.Range, Sample: o.Sample}
	res.Timing.Concurrency = o.Concurrency
	start := time.Now()

	// the backend's own aggregates run while the sample is gathered
	var wg sync.WaitGroup
	var lat *Latency
	var latNote string
	if o.Metrics != nil {
		wg.Add(1)
		go func() {
			defer wg.Done()
			t0 := time.Now()
			lat, latNote = spanMetricsLatency(ctx, o.Metrics, q)
			res.Timing.Metrics = time.Since(t0)
		}()
	} else {
		latNote = "no metric source to ask for span metrics: the latency is the sample's"
	}
	var deps []sources.Dependency
	var depErr error
	if o.SystemGraph {
		ds, ok := src.(sources.DependencySource)
		if !ok {
			depErr = fmt.Errorf("the trace source computes no dependency graph: %w", errors.ErrUnsupported)
		} else {
			wg.Add(1)
			go func() {
				defer wg.Done()
				t0 := time.Now()
				deps, depErr = ds.Dependencies(ctx, q.Range)
				res.Timing.Dependencies = time.Since(t0)
			}()
		}
	}

	t0 := time.Now()
	traces, err := src.FindTraces(ctx, q)
	res.Timing.Search = time.Since(t0)
	if err != nil {
		wg.Wait()
		return nil, err
	}
	t0 = time.Now()
	traces, failures := loadWhole(ctx, src, traces, o.Concurrency, &res.Timing.Fetched)
	res.Timing.Fetch = time.Since(t0)
	wg.Wait()
	res.Timing.Backend = time.Since(start)
	if len(failures) > 0 {
		if len(traces) == 0 {
			return nil, failures[0]
		}
		res.Notes = append(res.Notes, fmt.Sprintf("%d of the %d traces found could not be loaded (%s); the sample is the others",
			len(failures), len(failures)+len(traces), firstLine(failures[0])))
	}

	t0 = time.Now()
	res.Report = Analyze(traces, o.Analysis)
	res.SampleTraces = traces
	res.Timing.Analysis = time.Since(t0)

	if lat != nil {
		sample := res.Latency
		res.SampleLatency = &sample
		res.Latency = *lat
	} else if latNote != "" {
		res.Latency.Note = latNote
	}
	if o.SystemGraph {
		if depErr != nil {
			res.Notes = append(res.Notes, "the whole system's graph is not available ("+firstLine(depErr)+"): the graph is the sample's")
		} else {
			res.Graph = Graph{Source: FromJaeger, Edges: dependencyEdges(deps)}
		}
	}
	return res, nil
}

// loadWhole returns the traces with each summary replaced by its whole
// trace, loaded concurrency at a time, in the search's order; those that
// failed to load are left out and their errors returned.
func loadWhole(ctx context.Context, src sources.TraceSource, found []*sources.Trace, concurrency int, fetched *int) ([]*sources.Trace, []error) {
	summaries := false
	if s, ok := src.(SummarySearcher); ok {
		summaries = s.SearchReturnsSummaries()
	}
	out := slices.Clone(found)
	errs := make([]error, len(found))
	sem := make(chan struct{}, concurrency)
	var wg sync.WaitGroup
	for i, t := range found {
		if t == nil || (!summaries && len(t.Spans) > 0) {
			continue
		}
		*fetched++
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			whole, err := src.Trace(ctx, t.ID)
			if err == nil && whole == nil {
				err = fmt.Errorf("trace %s: %w", t.ID, sources.ErrNotFound)
			}
			out[i], errs[i] = whole, err
		}()
	}
	wg.Wait()
	var failures []error
	kept := out[:0]
	for i, t := range out {
		switch {
		case errs[i] != nil:
			failures = append(failures, errs[i])
		case t != nil:
			kept = append(kept, t)
		}
	}
	return kept, failures
}

func dependencyEdges(ds []sources.Dependency) []Edge {
	out := make([]Edge, 0, len(ds))
	for _, d := range ds {
		out = append(out, Edge{Parent: d.Parent, Child: d.Child, Calls: int(min(d.Calls, math.MaxInt32))})
	}
	SortEdges(out)
	return out
}

// Span metrics, as the OpenTelemetry Collector's span-metrics connector
// (which Jaeger v2 contains) names them in Prometheus.
const (
	SpanMetricsDuration = "traces_span_metrics_duration_milliseconds"
	SpanMetricsCalls    = "traces_span_metrics_calls_total"
)

// SpanMetricsQueries are the PromQL queries of the latency distribution
// of q's service (its server spans, or the operation's spans) over q's
// window, evaluated at its end: the histogram's buckets, the three
// quantiles and the error ratio.
func SpanMetricsQueries(q sources.TraceQuery) (buckets string, quantiles [3]string, errRatio string) {
	sel := "service_name=" + strconv.Quote(q.Service)
	if q.Operation != "" {
		sel += ",span_name=" + strconv.Quote(q.Operation)
	} else {
		sel += `,span_kind="SPAN_KIND_SERVER"`
	}
	w := promDuration(q.Range.Duration())
	inc := fmt.Sprintf("sum by (le) (increase(%s_bucket{%s}[%s]))", SpanMetricsDuration, sel, w)
	buckets = inc
	for i, p := range []string{"0.5", "0.9", "0.99"} {
		quantiles[i] = fmt.Sprintf("histogram_quantile(%s, %s)", p, inc)
	}
	errRatio = fmt.Sprintf(`(sum(increase(%s{%s,status_code="STATUS_CODE_ERROR"}[%s])) or vector(0)) / sum(increase(%s{%s}[%s]))`,
		SpanMetricsCalls, sel, w, SpanMetricsCalls, sel, w)
	return buckets, quantiles, errRatio
}

func promDuration(d time.Duration) string {
	return strconv.FormatInt(max(1, int64(d.Round(time.Second)/time.Second)), 10) + "s"
}

// spanMetricsLatency asks Prometheus for the distribution; nil and why
// not when it has no span metrics for the service.
func spanMetricsLatency(ctx context.Context, m sources.MetricSource, q sources.TraceQuery) (*Latency, string) {
	bq, qq, eq := SpanMetricsQueries(q)
	at := q.Range.To
	if at.IsZero() {
		at = time.Now()
	}
	queries := append([]string{bq}, qq[:]...)
	queries = append(queries, eq)
	results := make([]*sources.MetricResult, len(queries))
	errs := make([]error, len(queries))
	var wg sync.WaitGroup
	for i, query := range queries {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i], errs[i] = m.Query(ctx, query, at)
		}()
	}
	wg.Wait()
	if errs[0] != nil {
		return nil, "span metrics could not be read (" + firstLine(errs[0]) + "): the latency is the sample's"
	}
	l, ok := latencyFromBuckets(results[0])
	if !ok {
		return nil, "Prometheus has no span metrics (" + SpanMetricsDuration + ") for " + q.Service + " over the window: the latency is the sample's"
	}
	l.Of = "server spans of " + q.Service
	if q.Operation != "" {
		l.Of = "spans of " + q.Service + " " + q.Operation
	}
	for i, d := range []*time.Duration{&l.P50, &l.P90, &l.P99} {
		if v, ok := scalarOf(results[1+i], errs[1+i]); ok {
			*d = millis(v)
		}
	}
	if v, ok := scalarOf(results[4], errs[4]); ok {
		l.ErrorRatio = v
	}
	return &l, ""
}

// latencyFromBuckets turns the cumulative counts per le into bars.
func latencyFromBuckets(r *sources.MetricResult) (Latency, bool) {
	type le struct {
		upper float64
		count float64
	}
	var les []le
	for _, s := range r.Series {
		if len(s.Points) == 0 {
			continue
		}
		u, err := strconv.ParseFloat(s.Labels["le"], 64)
		v := s.Points[len(s.Points)-1].Value
		if err != nil || math.IsNaN(v) {
			continue
		}
		les = append(les, le{u, v})
	}
	slices.SortFunc(les, func(a, b le) int {
		switch {
		case a.upper < b.upper:
			return -1
		case a.upper > b.upper:
			return 1
		}
		return 0
	})
	if len(les) == 0 || les[len(les)-1].count <= 0 {
		return Latency{}, false
	}
	l := Latency{Source: FromSpanMetrics, Count: les[len(les)-1].count}
	prev := 0.0
	for _, b := range les {
		c := max(0, b.count-prev)
		prev = max(prev, b.count)
		upper := time.Duration(math.MaxInt64)
		if !math.IsInf(b.upper, 1) {
			upper = millis(b.upper)
		}
		l.Buckets = append(l.Buckets, Bucket{Upper: upper, Count: c})
	}
	// leading and trailing empty bars say nothing
	for len(l.Buckets) > 1 && l.Buckets[len(l.Buckets)-1].Count == 0 {
		l.Buckets = l.Buckets[:len(l.Buckets)-1]
	}
	for len(l.Buckets) > 1 && l.Buckets[0].Count == 0 && l.Buckets[1].Count == 0 {
		l.Buckets = l.Buckets[1:]
	}
	return l, true
}

// Infinite is the Upper of a histogram's last bar when it has no bound.
const Infinite = time.Duration(math.MaxInt64)

func scalarOf(r *sources.MetricResult, err error) (float64, bool) {
	if err != nil || r == nil || len(r.Series) == 0 || len(r.Series[0].Points) == 0 {
		return 0, false
	}
	v := r.Series[0].Points[0].Value
	return v, !math.IsNaN(v) && !math.IsInf(v, 0)
}

func millis(v float64) time.Duration {
	if v <= 0 || math.IsNaN(v) {
		return 0
	}
	if v >= float64(math.MaxInt64)/1e6 {
		return Infinite
	}
	return time.Duration(v * 1e6)
}

// firstLine is an error's first line for a note, cut to a few words.
func firstLine(err error) string {
	msg, _, _ := strings.Cut(err.Error(), "\n")
	if r := []rune(msg); len(r) > maxNote {
		msg = string(r[:maxNote-1]) + "…"
	}
	return sources.Sanitize(msg)
}

// maxNote is the most characters of an error a note repeats.
const maxNote = 100
