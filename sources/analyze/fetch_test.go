package analyze

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/sources/demo"
)

var demoNow = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)

func demoSource(t *testing.T) *demo.Source {
	t.Helper()
	return demo.NewSource(demo.Generate(1, demoNow, demo.Options{}))
}

// summaries serves a trace source's search as summaries (no spans), as a
// backend whose search lists traces does, and counts the whole traces
// loaded at once.
type summaries struct {
	sources.TraceSource
	inFlight, most atomic.Int32
	loaded         atomic.Int32
	fail           map[sources.TraceID]bool
	mu             sync.Mutex
}

func (s *summaries) SearchReturnsSummaries() bool { return true }

func (s *summaries) FindTraces(ctx context.Context, q sources.TraceQuery) ([]*sources.Trace, error) {
	ts, err := s.TraceSource.FindTraces(ctx, q)
	out := make([]*sources.Trace, len(ts))
	for i, t := range ts {
		out[i] = &sources.Trace{ID: t.ID, Spans: t.Spans[:1]} // the root only
	}
	return out, err
}

func (s *summaries) Trace(ctx context.Context, id sources.TraceID) (*sources.Trace, error) {
	n := s.inFlight.Add(1)
	defer s.inFlight.Add(-1)
	for {
		m := s.most.Load()
		if n <= m || s.most.CompareAndSwap(m, n) {
			break
		}
	}
	time.Sleep(2 * time.Millisecond) // so that the loads overlap
	s.loaded.Add(1)
	if s.fail[id] {
		return nil, fmt.Errorf("trace %s: %w", id, sources.ErrNotFound)
	}
	return s.TraceSource.Trace(ctx, id)
}

func TestFetchTheDemoIncident(t *testing.T) {
	src := demoSource(t)
	sc := src.Scenario()
	res, err := Fetch(context.Background(), src, sources.TraceQuery{Service: demo.Frontend, Operation: "POST /api/checkout", Range: sc.Window},
		FetchOptions{Sample: 60})
	if err != nil {
		t.Fatal(err)
	}
	if res.Traces != 60 || res.Sample != 60 || res.Timing.Fetched != 0 || res.Timing.Concurrency != DefaultConcurrency {
		t.Fatalf("%d traces analysed of %d asked for, %d fetched, %d at once", res.Traces, res.Sample, res.Timing.Fetched, res.Timing.Concurrency)
	}
	if len(res.ErrorOrigins) == 0 || res.ErrorOrigins[0].Service != demo.Postgres || res.ErrorOrigins[0].Message != "canceling statement due to lock timeout" {
		t.Errorf("errors start at %+v", res.ErrorOrigins)
	}
	if top := res.Operations[0]; top.Service != demo.Postgres || top.Operation != "SELECT accounts" {
		t.Errorf("the slow ones spend their time in %s %s", top.Service, top.Operation)
	}
	if res.Latency.Source != FromSample || !strings.Contains(res.Latency.Note, "no metric source") {
		t.Errorf("latency from %q, note %q", res.Latency.Source, res.Latency.Note)
	}
	if res.Timing.Backend <= 0 || res.Timing.Search <= 0 {
		t.Errorf("timing %+v", res.Timing)
	}
}

func TestFetchLoadsSummariesConcurrently(t *testing.T) {
	src := demoSource(t)
	q := sources.TraceQuery{Service: demo.Frontend, Range: src.Scenario().Window}
	whole, err := Fetch(context.Background(), src, q, FetchOptions{Sample: 40})
	if err != nil {
		t.Fatal(err)
	}
	for _, conc := range []int{1, 3} {
		t.Run(fmt.Sprint(conc, " at once"), func(t *testing.T) {
			s := &summaries{TraceSource: src}
			res, err := Fetch(context.Background(), s, q, FetchOptions{Sample: 40, Concurrency: conc})
			if err != nil {
				t.Fatal(err)
			}
			if res.Timing.Fetched != 40 || s.loaded.Load() != 40 || s.most.Load() > int32(conc) {
				t.Errorf("%d fetched, %d loaded, %d at once (at most %d)", res.Timing.Fetched, s.loaded.Load(), s.most.Load(), conc)
			}
			if conc > 1 && s.most.Load() < 2 {
				t.Errorf("never more than one load at once")
			}
			if res.Spans != whole.Spans || res.Failed != whole.Failed || len(res.ErrorOrigins) != len(whole.ErrorOrigins) {
				t.Errorf("the summaries' sample: %d spans %d failed, the whole traces' %d and %d", res.Spans, res.Failed, whole.Spans, whole.Failed)
			}
		})
	}
}

func TestFetchFailures(t *testing.T) {
	src := demoSource(t)
	q := sources.TraceQuery{Service: demo.Frontend, Range: src.Scenario().Window}
	found, _ := src.FindTraces(context.Background(), sources.TraceQuery{Service: demo.Frontend, Range: src.Scenario().Window, Limit: 10})

	t.Run("some traces fail", func(t *testing.T) {
		s := &summaries{TraceSource: src, fail: map[sources.TraceID]bool{found[0].ID: true, found[3].ID: true}}
		res, err := Fetch(context.Background(), s, q, FetchOptions{Sample: 10})
		if err != nil {
			t.Fatal(err)
		}
		if res.Traces != 8 || len(res.Notes) != 1 || !strings.Contains(res.Notes[0], "2 of the 10 traces found could not be loaded") {
			t.Errorf("%d traces, notes %q", res.Traces, res.Notes)
		}
	})
	t.Run("all fail", func(t *testing.T) {
		fail := map[sources.TraceID]bool{}
		for _, tr := range found[:2] {
			fail[tr.ID] = true
		}
		s := &summaries{TraceSource: src, fail: fail}
		if _, err := Fetch(context.Background(), s, q, FetchOptions{Sample: 2}); !errors.Is(err, sources.ErrNotFound) {
			t.Errorf("err %v", err)
		}
	})
	t.Run("no dependency graph", func(t *testing.T) {
		res, err := Fetch(context.Background(), src, q, FetchOptions{Sample: 10, SystemGraph: true})
		if err != nil {
			t.Fatal(err)
		}
		if res.Graph.Source != FromSample || len(res.Notes) != 1 || !strings.Contains(res.Notes[0], "the whole system's graph is not available") {
			t.Errorf("graph from %s, notes %q", res.Graph.Source, res.Notes)
		}
	})
	t.Run("no span metrics", func(t *testing.T) {
		// the demo's metrics answer the RED queries only
		res, err := Fetch(context.Background(), src, q, FetchOptions{Sample: 10, Metrics: src})
		if err != nil {
			t.Fatal(err)
		}
		if res.Latency.Source != FromSample || !strings.Contains(res.Latency.Note, "span metrics could not be read") || res.SampleLatency != nil {
			t.Errorf("latency %+v", res.Latency)
		}
	})
}

func TestSpanMetricsQueries(t *testing.T) {
	q := sources.TraceQuery{Service: `pay"ments`, Range: sources.TimeRange{From: demoNow.Add(-time.Hour), To: demoNow}}
	b, qs, e := SpanMetricsQueries(q)
	want := `sum by (le) (increase(traces_span_metrics_duration_milliseconds_bucket{service_name="pay\"ments",span_kind="SPAN_KIND_SERVER"}[3600s]))`
	if b != want || qs[2] != "histogram_quantile(0.99, "+want+")" {
		t.Errorf("buckets %s\nquantile %s", b, qs[2])
	}
	if !strings.Contains(e, `status_code="STATUS_CODE_ERROR"`) || !strings.HasSuffix(e, `[3600s]))`) {
		t.Errorf("errors %s", e)
	}
	q.Operation = "Charge"
	if b, _, _ := SpanMetricsQueries(q); !strings.Contains(b, `span_name="Charge"}`) || strings.Contains(b, "span_kind") {
		t.Errorf("buckets of an operation %s", b)
	}
}

func TestLatencyFromBuckets(t *testing.T) {
	series := func(kv ...any) *sources.MetricResult {
		r := &sources.MetricResult{}
		for i := 0; i < len(kv); i += 2 {
			r.Series = append(r.Series, sources.Series{Labels: map[string]string{"le": kv[i].(string)}, Points: []sources.Point{{Value: kv[i+1].(float64)}}})
		}
		return r
	}
	l, ok := latencyFromBuckets(series("+Inf", 10.0, "100", 9.0, "10", 4.0, "2", 0.0, "1", 0.0, "1000", 9.0))
	if !ok || l.Count != 10 || l.Source != FromSpanMetrics {
		t.Fatalf("%v %+v", ok, l)
	}
	want := []Bucket{{2 * time.Millisecond, 0}, {10 * time.Millisecond, 4}, {100 * time.Millisecond, 5}, {1000 * time.Millisecond, 0}, {Infinite, 1}}
	if fmt.Sprint(l.Buckets) != fmt.Sprint(want) {
		t.Errorf("buckets %v, want %v", l.Buckets, want)
	}
	if _, ok := latencyFromBuckets(series("+Inf", 0.0, "10", 0.0)); ok {
		t.Error("no calls make a distribution")
	}
	if _, ok := latencyFromBuckets(&sources.MetricResult{}); ok {
		t.Error("no series make a distribution")
	}
}
