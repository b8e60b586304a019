package demo

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/telx-cli/telx/sources"
)

var testNow = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

func TestGenerateIsDeterministic(t *testing.T) {
	a := Generate(42, testNow, Options{})
	b := Generate(42, testNow, Options{})
	if !reflect.DeepEqual(a.Traces, b.Traces) || !reflect.DeepEqual(a.Logs, b.Logs) {
		t.Fatal("same seed and time gave different scenarios")
	}
	c := Generate(43, testNow, Options{})
	if a.Traces[0].ID == c.Traces[0].ID {
		t.Fatal("another seed gave the same trace IDs")
	}
}

func TestScenarioShape(t *testing.T) {
	sc := Generate(1, testNow, Options{})
	if n := len(sc.Traces); n < 200 {
		t.Errorf("%d traces, want at least 200", n)
	}
	services := map[string]bool{}
	ids := map[sources.TraceID]bool{}
	var big *sources.Trace
	for _, tr := range sc.Traces {
		if ids[tr.ID] {
			t.Errorf("duplicate trace ID %s", tr.ID)
		}
		ids[tr.ID] = true
		for _, s := range tr.Spans {
			services[s.Service] = true
			if !sc.Window.Contains(s.Start) {
				t.Errorf("span %s starts at %s, outside the window %v", s.SpanID, s.Start, sc.Window)
			}
			if s.Duration <= 0 {
				t.Errorf("span %s %s has duration %s", s.Service, s.Operation, s.Duration)
			}
		}
		if tr.ID == sc.BigTraceID {
			big = tr
		}
	}
	if len(services) < 6 {
		t.Errorf("%d services, want at least 6", len(services))
	}
	if big == nil {
		t.Fatal("no big trace")
	}
	if len(big.Spans) <= 1000 {
		t.Errorf("big trace has %d spans, want over 1000", len(big.Spans))
	}
	if big.ErrorCount() == 0 {
		t.Error("big trace has no errors")
	}
	if depth := maxDepth(big); depth < 5 {
		t.Errorf("big trace is %d levels deep, want at least 5", depth)
	}
	if sc.SkewedTraceID == "" {
		t.Error("no trace with clock skew")
	}
}

func maxDepth(tr *sources.Trace) int {
	parent := map[sources.SpanID]sources.SpanID{}
	for _, s := range tr.Spans {
		parent[s.SpanID] = s.ParentID
	}
	max := 0
	for _, s := range tr.Spans {
		d, id := 1, s.ParentID
		for id != "" {
			d++
			id = parent[id]
		}
		if d > max {
			max = d
		}
	}
	return max
}

// The incident: payments' error rate and latency climb in the traces.
func TestIncidentInTraces(t *testing.T) {
	sc := Generate(7, testNow, Options{})
	type agg struct {
		n, errs int
		total   time.Duration
	}
	var before, during agg
	for _, tr := range sc.Traces {
		for _, s := range tr.Spans {
			if s.Service != Payments || s.Operation != "Charge" {
				continue
			}
			a := &before
			if s.Start.After(sc.Now.Add(-10 * time.Minute)) {
				a = &during
			} else if s.Start.After(sc.IncidentStart) {
				continue
			}
			a.n++
			a.total += s.Duration
			if s.IsError() {
				a.errs++
			}
		}
	}
	if before.n == 0 || during.n == 0 {
		t.Fatalf("charges before %d, during %d", before.n, during.n)
	}
	meanBefore, meanDuring := before.total/time.Duration(before.n), during.total/time.Duration(during.n)
	if meanDuring < 5*meanBefore {
		t.Errorf("mean Charge latency %s before, %s during: want a clear climb", meanBefore, meanDuring)
	}
	rateBefore, rateDuring := float64(before.errs)/float64(before.n), float64(during.errs)/float64(during.n)
	if rateDuring < 0.1 || rateDuring < 3*rateBefore {
		t.Errorf("Charge error rate %.2f before, %.2f during: want a clear climb", rateBefore, rateDuring)
	}
}

func TestLogsCarryTraceContext(t *testing.T) {
	sc := Generate(1, testNow, Options{})
	spans := map[sources.SpanID]sources.TraceID{}
	for _, tr := range sc.Traces {
		for _, s := range tr.Spans {
			spans[s.SpanID] = s.TraceID
		}
	}
	formats := map[string]int{}
	for _, l := range sc.Logs {
		if l.TraceID == "" {
			continue
		}
		if spans[l.SpanID] != l.TraceID {
			t.Fatalf("log %q points at span %s, not in trace %s", l.Line, l.SpanID, l.TraceID)
		}
		if l.Metadata["trace_id"] != string(l.TraceID) {
			t.Fatalf("log %q: metadata trace_id %q", l.Line, l.Metadata["trace_id"])
		}
		switch {
		case strings.HasPrefix(l.Line, "{") && strings.Contains(l.Line, `"trace_id":"`+string(l.TraceID)):
			formats["json"]++
		case strings.Contains(l.Line, "trace_id="+string(l.TraceID)):
			formats["logfmt"]++
		default:
			formats["metadata only"]++
		}
	}
	for _, f := range []string{"json", "logfmt", "metadata only"} {
		if formats[f] == 0 {
			t.Errorf("no %s log lines (%v)", f, formats)
		}
	}
}

func TestMetrics(t *testing.T) {
	sc := Generate(1, testNow, Options{})
	m := sc.Metrics
	if got := len(m.At(testNow)); got != SeriesCount() {
		t.Fatalf("At gave %d series, SeriesCount says %d", got, SeriesCount())
	}
	// counters never decrease, and go on past the scenario's end
	prev := m.At(m.From)
	for at := m.From.Add(MetricsStep); at.Before(testNow.Add(time.Hour)); at = at.Add(7 * time.Minute) {
		cur := m.At(at)
		for i := range cur {
			if cur[i].Value < prev[i].Value {
				t.Fatalf("%s %v went down at %s", cur[i].Name, cur[i].Labels, at)
			}
		}
		prev = cur
	}
	// payments' errors per minute climb with the incident
	errs := func(at time.Time) float64 {
		a, b := m.At(at.Add(-5*time.Minute)), m.At(at)
		for i, s := range b {
			if s.Name == CallsMetric && s.Labels["service_name"] == Payments && s.Labels["status_code"] == statusError {
				return s.Value - a[i].Value
			}
		}
		t.Fatal("no payments error series")
		return 0
	}
	if before, after := errs(sc.IncidentStart), errs(testNow); after < 10*before+20 {
		t.Errorf("payments errors in 5m: %v before the incident, %v at its end", before, after)
	}
}

func TestWriteOpenMetrics(t *testing.T) {
	sc := Generate(1, testNow, Options{})
	var b bytes.Buffer
	if err := sc.Metrics.WriteOpenMetrics(&b, testNow.Add(-time.Minute), testNow); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if !strings.HasSuffix(out, "# EOF\n") {
		t.Error("no # EOF at the end")
	}
	// 4 steps (-60s, -45s, -30s, -15s, 0s: the first is excluded only if
	// not on a step) per series
	lines := strings.Count(out, "\n") - 1 - 2 - 2
	if lines%SeriesCount() != 0 {
		t.Errorf("%d sample lines is not a multiple of %d series", lines, SeriesCount())
	}
	if !strings.Contains(out, "# TYPE traces_span_metrics_calls counter\n") {
		t.Error("no counter family header")
	}
}
