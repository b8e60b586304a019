package integration

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/telx-cli/telx/cmd"
	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/sources/analyze"
	"github.com/telx-cli/telx/sources/jaeger"
	"github.com/telx-cli/telx/test/harness"
)

// telx analyze against the real Jaeger: HotROD's traces, and the demo
// scenario's with the span metrics of the real Prometheus.

// originsOf counts, per service, operation and message, the failing spans
// that have no failing span under them, from the traces themselves (the
// message as analyze.ErrorMessage reads it), and in how many traces.
func originsOf(ts []*sources.Trace) (spans, traces map[string]int) {
	spans, traces = map[string]int{}, map[string]int{}
	for _, t := range ts {
		failingChild := map[sources.SpanID]bool{}
		for i := range t.Spans {
			if s := &t.Spans[i]; s.IsError() && s.ParentID != "" {
				failingChild[s.ParentID] = true
			}
		}
		in := map[string]bool{}
		for i := range t.Spans {
			if s := &t.Spans[i]; s.IsError() && !failingChild[s.SpanID] {
				k := s.Service + " " + s.Operation + ": " + analyze.ErrorMessage(s)
				spans[k]++
				if !in[k] {
					in[k] = true
					traces[k]++
				}
			}
		}
	}
	return spans, traces
}

func analyzeJSON(t *testing.T, env *harness.Env, args ...string) *analyze.Result {
	t.Helper()
	code, out, errOut := telx(t, env, append([]string{"analyze", "-o", "json"}, args...)...)
	if code != cmd.ExitOK {
		t.Fatalf("telx analyze %v: exit %d: %s", args, code, errOut)
	}
	var res analyze.Result
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	return &res
}

// HotROD's errors start at redis-manual's GetDriver "redis timeout", as
// many as the traces' own failing spans without a failing child.
func TestAnalyzeHotROD(t *testing.T) {
	env, h := hotrod(t)
	jc, err := jaeger.New(jaeger.Options{URL: h.JaegerURL})
	if err != nil {
		t.Fatal(err)
	}
	var ts []*sources.Trace
	for _, d := range h.Dispatches {
		tr, err := jc.Trace(context.Background(), d.TraceID)
		if err != nil {
			t.Fatal(err)
		}
		ts = append(ts, tr)
	}
	wantSpans, wantTraces := originsOf(ts)
	const key = "redis-manual GetDriver: redis timeout"
	if wantSpans[key] == 0 {
		t.Fatalf("HotROD's traces have no %q error span without a failing child: %v", key, wantSpans)
	}
	for _, api := range [][]string{{"--jaeger", h.JaegerURL}, {"--jaeger", "grpc://" + h.JaegerGRPC}} {
		res := analyzeJSON(t, env, append(api, "--service", "frontend", "--since", "2h", "--span-metrics=false")...)
		if res.Traces != len(h.Dispatches) {
			t.Errorf("%v: %d traces analysed, HotROD made %d", api, res.Traces, len(h.Dispatches))
		}
		if len(res.ErrorOrigins) == 0 {
			t.Fatalf("%v: no error origin", api)
		}
		top := res.ErrorOrigins[0]
		if got := top.Service + " " + top.Operation + ": " + top.Message; got != key {
			t.Errorf("%v: errors start first at %q, want %q", api, got, key)
		}
		if top.Count != wantSpans[key] || top.Traces != wantTraces[key] {
			t.Errorf("%v: %d spans in %d traces, the traces have %d in %d", api, top.Count, top.Traces, wantSpans[key], wantTraces[key])
		}
		got := map[string]int{}
		for _, o := range res.ErrorOrigins {
			got[o.Service+" "+o.Operation+": "+o.Message] = o.Count
		}
		for k, n := range wantSpans {
			if got[k] != n {
				t.Errorf("%v: %s: %d, the traces have %d", api, k, got[k], n)
			}
		}
		if len(got) != len(wantSpans) {
			t.Errorf("%v: origins %v, the traces' %v", api, got, wantSpans)
		}
		t.Logf("%v: %d traces, errors start at %s %d times in %d traces; backend %s, analysis %s", api, res.Traces, key, top.Count, top.Traces,
			res.Timing.Backend, res.Timing.Analysis)
		if ex := top.Example; ex.TraceID == "" || ex.SpanID == "" {
			t.Errorf("%v: no example of the origin", api)
		}
	}
	// the whole system's graph, Jaeger's
	res := analyzeJSON(t, env, "--jaeger", h.JaegerURL, "--service", "frontend", "--since", "2h", "--span-metrics=false", "--system-graph")
	if res.Graph.Source != analyze.FromJaeger || len(res.Notes) != 0 {
		t.Fatalf("graph from %s, notes %q", res.Graph.Source, res.Notes)
	}
	calls := map[string]int{}
	for _, e := range res.Graph.Edges {
		calls[e.Parent+" > "+e.Child] = e.Calls
	}
	for _, e := range []string{"frontend > driver", "driver > redis-manual", "frontend > customer"} {
		if calls[e] == 0 {
			t.Errorf("no %s in Jaeger's graph: %v", e, calls)
		}
	}
}

// The demo scenario's incident in the real Jaeger, its latency from the
// real Prometheus' span metrics: postgres' SELECT accounts holds the slow
// checkouts' time and its lock timeouts are where errors start.
func TestAnalyzeDemoIncident(t *testing.T) {
	env := harness.Shared(t)
	w := env.Scenario.Window
	window := []string{"--from", w.From.UTC().Format(time.RFC3339Nano), "--to", w.To.UTC().Format(time.RFC3339Nano)}
	q := sources.TraceQuery{Service: "frontend", Operation: "POST /api/checkout", Range: w, Limit: 500}
	jc, err := jaeger.New(jaeger.Options{URL: env.JaegerURL})
	if err != nil {
		t.Fatal(err)
	}
	ts, err := jc.FindTraces(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	wantSpans, _ := originsOf(ts)
	const key = "postgres SELECT accounts: canceling statement due to lock timeout"
	for _, api := range [][]string{{}, {"--jaeger", "grpc://" + env.JaegerGRPC}} {
		res := analyzeJSON(t, env, append(append(api, "--service", "frontend", "--operation", "POST /api/checkout", "--sample", "500", "--system-graph"), window...)...)
		if res.Traces != len(ts) {
			t.Errorf("%v: %d traces, the search finds %d", api, res.Traces, len(ts))
		}
		if len(res.ErrorOrigins) == 0 || res.ErrorOrigins[0].Service+" "+res.ErrorOrigins[0].Operation+": "+res.ErrorOrigins[0].Message != key {
			t.Fatalf("%v: errors start at %+v", api, res.ErrorOrigins)
		}
		if n := res.ErrorOrigins[0].Count; n != wantSpans[key] {
			t.Errorf("%v: %d lock timeouts, the traces have %d", api, n, wantSpans[key])
		}
		if op := res.Operations[0]; op.Service != "postgres" || op.Operation != "SELECT accounts" || op.SlowSelf <= 5*op.RestSelf {
			t.Errorf("%v: the slow ones' time goes to %+v", api, op)
		}
		l := res.Latency
		if l.Source != analyze.FromSpanMetrics || l.Count <= 0 || l.P50 <= 0 || l.P99 < l.P50 || res.SampleLatency == nil || len(l.Buckets) == 0 {
			t.Errorf("%v: latency %+v", api, l)
		}
		if l.ErrorRatio <= 0 || l.ErrorRatio >= 1 {
			t.Errorf("%v: error ratio %v from span metrics", api, l.ErrorRatio)
		}
		if res.Graph.Source != analyze.FromJaeger || len(res.Graph.Edges) == 0 {
			t.Errorf("%v: graph %+v, notes %q", api, res.Graph, res.Notes)
		}
		if res.Timing.Metrics <= 0 || res.Timing.Dependencies <= 0 || res.Timing.Search <= 0 {
			t.Errorf("%v: timing %+v", api, res.Timing)
		}
	}
	// the text, at 80 columns
	code, out, errOut := telx(t, env, append([]string{"analyze", "--service", "frontend", "--width", "80"}, window...)...)
	if code != cmd.ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"span metrics in Prometheus", "postgres SELECT accounts", "canceling statement due to lock timeout", "backend "} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in:\n%s", want, out)
		}
	}
	for i, l := range strings.Split(out, "\n") {
		if ansi.StringWidth(l) > 80 {
			t.Errorf("line %d wider than 80: %q", i, l)
		}
	}
}
