package analyze

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/telx-cli/telx/sources"
)

var t0 = time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)

// sp is a span of a test trace: times in milliseconds from t0.
type sp struct {
	id, parent string
	service    string
	op         string
	start, dur int
	err        string // a status message: the span failed
	attrs      sources.Attrs
	resource   sources.Attrs
}

func trace(n int, spans ...sp) *sources.Trace {
	t := &sources.Trace{ID: sources.TraceID(fmt.Sprintf("%032x", n))}
	for _, s := range spans {
		span := sources.Span{TraceID: t.ID, SpanID: sources.SpanID(s.id), ParentID: sources.SpanID(s.parent),
			Service: s.service, Operation: s.op, Start: t0.Add(time.Duration(s.start) * time.Millisecond),
			Duration: time.Duration(s.dur) * time.Millisecond, Attrs: s.attrs, Resource: s.resource}
		if s.err != "" {
			span.Status = sources.Status{Code: sources.StatusError, Message: s.err}
		}
		t.Spans = append(t.Spans, span)
	}
	return t
}

func attrs(kv ...any) sources.Attrs {
	var out sources.Attrs
	for i := 0; i+1 < len(kv); i += 2 {
		out = append(out, sources.Attr{Key: kv[i].(string), Value: kv[i+1]})
	}
	return out
}

// checkout is a frontend call to checkout, which asks payments, which
// asks the database; slow and failed says how this one went.
func checkout(n int, dbMs int, failed bool, region string) *sources.Trace {
	dbErr, payErr := "", ""
	if failed {
		dbErr, payErr = "statement timeout", "charge failed"
	}
	total := 20 + dbMs
	return trace(n,
		sp{id: "a", service: "frontend", op: "POST /checkout", dur: total, attrs: attrs("http.route", "/checkout", "request.id", fmt.Sprint("r", n))},
		sp{id: "b", parent: "a", service: "checkout", op: "PlaceOrder", start: 2, dur: total - 4, err: payErr},
		sp{id: "c", parent: "b", service: "payments", op: "Charge", start: 4, dur: total - 8, err: payErr,
			resource: attrs("cloud.region", region, "host.name", fmt.Sprint("pay-", n))},
		sp{id: "d", parent: "c", service: "postgres", op: "SELECT accounts", start: 6, dur: dbMs, err: dbErr},
		sp{id: "e", parent: "b", service: "inventory", op: "Reserve", start: 5, dur: 1},
	)
}

func sample() []*sources.Trace {
	var ts []*sources.Trace
	for i := range 20 {
		db := 10 + i       // 10ms to 29ms
		failed := i%5 == 0 // 4 failed: 0, 5, 10, 15
		region := "eu-west-1"
		if i >= 18 {
			db = 500 + 100*(i-18) // the two slowest
			region = "us-east-1"
		}
		ts = append(ts, checkout(i, db, failed, region))
	}
	return ts
}

func TestAnalyzeCounts(t *testing.T) {
	r := Analyze(sample(), Options{Service: "frontend"})
	if r.Traces != 20 || r.Spans != 100 || r.Failed != 4 || r.Slow != 2 {
		t.Fatalf("traces %d spans %d failed %d slow %d, want 20 100 4 2", r.Traces, r.Spans, r.Failed, r.Slow)
	}
	if r.SlowFrom != 520*time.Millisecond {
		t.Errorf("slow from %s, want 520ms", r.SlowFrom)
	}
	l := r.Latency
	if l.Source != FromSample || l.Count != 20 || l.ErrorRatio != 0.2 {
		t.Errorf("latency %+v", l)
	}
	// frontend's spans last 30ms to 49ms, then 520ms and 620ms
	if l.P50 != 39*time.Millisecond || l.P90 != 47*time.Millisecond || l.P99 != 620*time.Millisecond {
		t.Errorf("p50 %s p90 %s p99 %s, want 39ms 47ms 620ms", l.P50, l.P90, l.P99)
	}
	sum := 0.0
	for i, b := range l.Buckets {
		sum += b.Count
		if i > 0 && b.Upper <= l.Buckets[i-1].Upper {
			t.Errorf("bucket %d's upper bound %s is not above the previous one", i, b.Upper)
		}
	}
	if sum != 20 || l.Buckets[len(l.Buckets)-1].Upper < 620*time.Millisecond {
		t.Errorf("the histogram holds %v latencies up to %s: %+v", sum, l.Buckets[len(l.Buckets)-1].Upper, l.Buckets)
	}
}

func TestLatencyOfTheOperation(t *testing.T) {
	tests := []struct {
		name    string
		o       Options
		wantP50 time.Duration
	}{
		{"root when no service", Options{}, 39 * time.Millisecond},
		{"the service's first span", Options{Service: "postgres"}, 19 * time.Millisecond},
		{"the operation's", Options{Service: "checkout", Operation: "PlaceOrder"}, 35 * time.Millisecond},
		{"root when the service has no span", Options{Service: "nowhere"}, 39 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Analyze(sample(), tt.o).Latency.P50; got != tt.wantP50 {
				t.Errorf("p50 %s, want %s", got, tt.wantP50)
			}
		})
	}
}

func TestWhereTheTimeGoes(t *testing.T) {
	r := Analyze(sample(), Options{Service: "frontend"})
	top := r.Operations[0]
	if top.Service != "postgres" || top.Operation != "SELECT accounts" {
		t.Fatalf("first row %s %s, want postgres SELECT accounts: %+v", top.Service, top.Operation, r.Operations)
	}
	// the slow two: 500ms and 600ms; the rest 10ms to 27ms
	if top.SlowSelf != 550*time.Millisecond || top.RestSelf != 18500*time.Microsecond {
		t.Errorf("postgres self %s in the slow, %s in the rest", top.SlowSelf, top.RestSelf)
	}
	if top.Spans != 20 || top.SlowCritical != 1 || top.RestCritical != 1 {
		t.Errorf("postgres: %d spans, critical %v/%v", top.Spans, top.SlowCritical, top.RestCritical)
	}
	if top.Example.TraceID != sample()[19].ID || top.Example.SpanID != "d" {
		t.Errorf("example %+v, want the slowest trace's postgres span", top.Example)
	}
	var inv OperationTime
	for _, o := range r.Operations {
		if o.Service == "inventory" {
			inv = o
		}
	}
	// inventory's 1ms runs beside the payments call: never on the path
	if inv.Spans != 20 || inv.SlowCritical != 0 || inv.RestCritical != 0 || inv.Self != 20*time.Millisecond {
		t.Errorf("inventory %+v", inv)
	}
	var total time.Duration
	for _, o := range r.Operations {
		total += o.Self
	}
	var want time.Duration
	for _, tr := range sample() {
		want += tr.Spans[0].Duration
	}
	// inventory's 1ms each runs beside payments, the only time counted twice
	if want += 20 * time.Millisecond; total != want {
		t.Errorf("self times sum to %s, the traces last %s", total, want)
	}
}

func TestWhereErrorsStart(t *testing.T) {
	ts := sample()
	// one more failure: inventory alone, with its message in an event
	extra := checkout(99, 12, false, "eu-west-1")
	extra.Spans[4].Status.Code = sources.StatusError
	extra.Spans[4].Events = []sources.Event{{Name: "exception", Attrs: attrs("exception.message", "out of stock")}}
	// and one whose error is Jaeger's error tag, no status
	tagged := checkout(98, 12, false, "eu-west-1")
	tagged.Spans[1].Attrs = attrs("error", true)
	ts = append(ts, extra, tagged)
	r := Analyze(ts, Options{})
	want := []ErrorOrigin{
		{Service: "postgres", Operation: "SELECT accounts", Message: "statement timeout", Count: 4, Traces: 4,
			Example: Example{TraceID: ts[0].ID, SpanID: "d"}},
		{Service: "checkout", Operation: "PlaceOrder", Message: "", Count: 1, Traces: 1, Example: Example{TraceID: tagged.ID, SpanID: "b"}},
		{Service: "inventory", Operation: "Reserve", Message: "out of stock", Count: 1, Traces: 1, Example: Example{TraceID: extra.ID, SpanID: "e"}},
	}
	if !slices.Equal(r.ErrorOrigins, want) {
		t.Errorf("origins\n got %+v\nwant %+v", r.ErrorOrigins, want)
	}
}

func TestTwoOriginsInOneTraceAndRepeats(t *testing.T) {
	tr := trace(1,
		sp{id: "a", service: "api", op: "GET", dur: 100, err: "failed"},
		sp{id: "b", parent: "a", service: "redis", op: "GetDriver", start: 1, dur: 10, err: "redis timeout"},
		sp{id: "c", parent: "a", service: "redis", op: "GetDriver", start: 20, dur: 10, err: "redis timeout"},
		sp{id: "d", parent: "a", service: "redis", op: "GetDriver", start: 40, dur: 10},
	)
	r := Analyze([]*sources.Trace{tr}, Options{})
	if len(r.ErrorOrigins) != 1 {
		t.Fatalf("origins %+v", r.ErrorOrigins)
	}
	if o := r.ErrorOrigins[0]; o.Service != "redis" || o.Message != "redis timeout" || o.Count != 2 || o.Traces != 1 || o.Example.SpanID != "b" {
		t.Errorf("origin %+v", o)
	}
}

func TestAttributesOfTheBadOnes(t *testing.T) {
	r := Analyze(sample(), Options{Service: "frontend"})
	// the slow two are all of us-east-1
	if len(r.SlowAttributes) == 0 {
		t.Fatal("no slow attribute")
	}
	a := r.SlowAttributes[0]
	if a.Scope != ScopeResource || a.Key != "cloud.region" || a.Value != "us-east-1" || a.Count != 2 || a.Share != 1 || a.RestShare != 0 || a.Diff != 1 {
		t.Errorf("first slow attribute %+v", a)
	}
	if a.Example.TraceID != sample()[18].ID || a.Example.SpanID != "c" {
		t.Errorf("example %+v", a.Example)
	}
	for _, list := range [][]AttributeDiff{r.SlowAttributes, r.FailedAttributes} {
		for _, d := range list {
			if d.Key == "request.id" || d.Key == "host.name" || d.Key == "error" {
				t.Errorf("%s kept: %+v", d.Key, d)
			}
			if d.Diff <= 0 || d.Share-d.RestShare != d.Diff {
				t.Errorf("not over-represented: %+v", d)
			}
		}
	}
	if !slices.Equal(r.SkippedKeys, []string{"host.name", "request.id"}) {
		t.Errorf("skipped %v", r.SkippedKeys)
	}
	// the failed ones (0, 5, 10, 15) are all of eu-west-1, as 14 of the other 16
	found := false
	for _, d := range r.FailedAttributes {
		if d.Key == "cloud.region" && d.Value == "eu-west-1" {
			found = true
			if d.Count != 4 || d.Share != 1 || d.RestShare != 14.0/16 {
				t.Errorf("failed eu-west-1 %+v", d)
			}
		}
	}
	if !found {
		t.Errorf("eu-west-1 not over-represented among the failed: %+v", r.FailedAttributes)
	}
}

func TestTopAttributesCut(t *testing.T) {
	var ts []*sources.Trace
	for i := range 40 {
		var as sources.Attrs
		if i >= 36 {
			for k := range 30 {
				as = append(as, sources.Attr{Key: fmt.Sprint("k", k), Value: "bad"})
			}
		}
		ts = append(ts, trace(i, sp{id: "a", service: "s", op: "o", dur: 10 + i, attrs: as}))
	}
	r := Analyze(ts, Options{TopAttributes: 5})
	if len(r.SlowAttributes) != 5 || r.SlowAttributes[0].Key != "k0" || r.SlowAttributes[4].Key != "k12" {
		t.Errorf("top 5: %+v", r.SlowAttributes)
	}
}

func TestServiceGraph(t *testing.T) {
	r := Analyze(sample(), Options{})
	want := []Edge{
		{Parent: "checkout", Child: "inventory", Calls: 20},
		{Parent: "checkout", Child: "payments", Calls: 20, Errors: 4},
		{Parent: "frontend", Child: "checkout", Calls: 20, Errors: 4},
		{Parent: "payments", Child: "postgres", Calls: 20, Errors: 4},
	}
	if r.Graph.Source != FromSample || !slices.Equal(r.Graph.Edges, want) {
		t.Errorf("graph %+v", r.Graph)
	}
}

func TestEdgeCases(t *testing.T) {
	tests := []struct {
		name   string
		traces []*sources.Trace
		traced int
	}{
		{"none", nil, 0},
		{"nil and empty", []*sources.Trace{nil, {ID: "1"}}, 0},
		{"one", []*sources.Trace{checkout(1, 10, true, "x")}, 1},
		{"same latency", []*sources.Trace{checkout(1, 10, false, "x"), checkout(2, 10, false, "x")}, 2},
		{"orphans and a cycle", []*sources.Trace{trace(1,
			sp{id: "a", parent: "b", service: "s", op: "o", dur: 5, err: "x"},
			sp{id: "b", parent: "a", service: "t", op: "o", dur: 5, err: "y"},
			sp{id: "c", parent: "zz", service: "t", op: "o", dur: -5, err: "z"})}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Analyze(tt.traces, Options{Service: "s"})
			if r.Traces != tt.traced {
				t.Errorf("%d traces analysed, want %d", r.Traces, tt.traced)
			}
			if r.Traces < 2 && (r.Slow != 0 || r.SlowAttributes != nil) {
				t.Errorf("a slowest decile of %d traces: %d", r.Traces, r.Slow)
			}
			sum := 0.0
			for _, b := range r.Latency.Buckets {
				sum += b.Count
			}
			if int(sum) != r.Traces {
				t.Errorf("the histogram counts %v of %d", sum, r.Traces)
			}
		})
	}
}

func TestPercentile(t *testing.T) {
	ds := []time.Duration{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	tests := []struct {
		q    float64
		want time.Duration
	}{{0, 1}, {0.5, 5}, {0.9, 9}, {0.99, 10}, {1, 10}}
	for _, tt := range tests {
		if got := Percentile(ds, tt.q); got != tt.want {
			t.Errorf("Percentile(%v) = %d, want %d", tt.q, got, tt.want)
		}
	}
	if Percentile(nil, 0.5) != 0 {
		t.Error("the percentile of nothing")
	}
}

func TestHistogramBounds(t *testing.T) {
	tests := []struct {
		name string
		in   []time.Duration
		bars int
	}{
		{"spread from 0", []time.Duration{0, time.Millisecond, 95 * time.Millisecond}, 10},
		{"narrow far from 0", []time.Duration{1000 * time.Millisecond, 1010 * time.Millisecond, 1100 * time.Millisecond}, 10},
		{"one value", []time.Duration{5, 5, 5}, 1},
		{"nanoseconds", []time.Duration{0, 1, 2, 3}, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bs := histogram(tt.in, 10)
			if len(bs) != tt.bars {
				t.Errorf("%d bars, want %d: %+v", len(bs), tt.bars, bs)
			}
			sum := 0.0
			for _, b := range bs {
				sum += b.Count
			}
			if int(sum) != len(tt.in) || bs[len(bs)-1].Upper < tt.in[len(tt.in)-1] {
				t.Errorf("bars %+v", bs)
			}
		})
	}
}

func TestErrorMessage(t *testing.T) {
	ev := func(name string, kv ...any) []sources.Event {
		return []sources.Event{{Name: name, Attrs: attrs(kv...)}}
	}
	tests := []struct {
		name string
		span sources.Span
		want string
	}{
		{"the exception over a generic status", sources.Span{Status: sources.Status{Code: sources.StatusError, Message: "An error occurred"},
			Events: ev("exception", "exception.type", "*errors.errorString", "exception.message", "redis timeout")}, "redis timeout"},
		{"the status", sources.Span{Status: sources.Status{Code: sources.StatusError, Message: "charge failed"}}, "charge failed"},
		{"an attribute", sources.Span{Attrs: attrs("error", true, "error.message", "boom")}, "boom"},
		{"a Jaeger error log", sources.Span{Attrs: attrs("error", true), Events: ev("", "event", "error", "message", "connection reset")}, "connection reset"},
		{"an error log's name", sources.Span{Attrs: attrs("error", true), Events: ev("retry failed", "level", "error")}, "retry failed"},
		{"nothing", sources.Span{Attrs: attrs("error", "true")}, ""},
	}
	for _, tt := range tests {
		if got := ErrorMessage(&tt.span); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
}
