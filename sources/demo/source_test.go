package demo

import (
	"context"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/telx-cli/telx/sources"
)

// The embedded file holds exactly what the generator makes from the
// dataset's seed and time: regenerate it with go generate when this fails.
func TestEmbeddedDatasetIsTheGeneratedScenario(t *testing.T) {
	want := Generate(DatasetSeed, DatasetNow, Options{})
	got, err := Load(time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if !got.Now.Equal(want.Now) || !got.IncidentStart.Equal(want.IncidentStart) ||
		got.BigTraceID != want.BigTraceID || got.SkewedTraceID != want.SkewedTraceID {
		t.Fatalf("header differs: got %v %v %s %s", got.Now, got.IncidentStart, got.BigTraceID, got.SkewedTraceID)
	}
	if !reflect.DeepEqual(got.Traces, want.Traces) {
		t.Error("the embedded traces differ from the generated ones (run go generate ./sources/demo)")
	}
	if !reflect.DeepEqual(got.Logs, want.Logs) {
		t.Error("the embedded logs differ from the generated ones (run go generate ./sources/demo)")
	}
	if len(embedded) > 4<<20 {
		t.Errorf("embedded dataset is %d bytes, want a few MB at most", len(embedded))
	}
}

func TestLoadShiftsTheIncidentToNow(t *testing.T) {
	now := time.Date(2027, 3, 1, 8, 30, 0, 0, time.UTC)
	sc, err := Load(now)
	if err != nil {
		t.Fatal(err)
	}
	orig := Generate(DatasetSeed, DatasetNow, Options{})
	shift := now.Sub(DatasetNow)
	if !sc.Now.Equal(now) || !sc.IncidentStart.Equal(orig.IncidentStart.Add(shift)) {
		t.Fatalf("now %v incident %v", sc.Now, sc.IncidentStart)
	}
	for i, tr := range sc.Traces {
		for j := range tr.Spans {
			if got, want := tr.Spans[j].Start, orig.Traces[i].Spans[j].Start.Add(shift); !got.Equal(want) {
				t.Fatalf("trace %d span %d starts %v, want %v", i, j, got, want)
			}
		}
	}
	last := sc.Logs[len(sc.Logs)-1].Time
	if last.After(now) || now.Sub(last) > 5*time.Minute {
		t.Errorf("the last log is at %v, want shortly before %v", last, now)
	}
}

func testSource(t *testing.T) *Source {
	t.Helper()
	sc, err := Load(time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	return NewSource(sc)
}

func TestFindTraces(t *testing.T) {
	src := testSource(t)
	ctx := context.Background()
	sc := src.Scenario()

	// every trace with a payments span, newest first
	got, err := src.FindTraces(ctx, sources.TraceQuery{Service: Payments})
	if err != nil {
		t.Fatal(err)
	}
	var want []sources.TraceID
	for i := len(sc.Traces) - 1; i >= 0; i-- {
		for _, s := range sc.Traces[i].Spans {
			if s.Service == Payments {
				want = append(want, sc.Traces[i].ID)
				break
			}
		}
	}
	if len(got) != len(want) || len(want) < 50 {
		t.Fatalf("%d traces of payments, want %d", len(got), len(want))
	}
	for i := range got {
		if got[i].ID != want[i] {
			t.Fatalf("trace %d is %s, want %s", i, got[i].ID, want[i])
		}
	}

	// conditions apply to one span together
	got, err = src.FindTraces(ctx, sources.TraceQuery{Service: Payments, Operation: "Charge", MinDuration: 300 * time.Millisecond,
		Tags: map[string]string{"payment.provider": "acme-bank"}, Limit: 5})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 5 {
		t.Fatalf("%d slow charges, want 5", len(got))
	}
	for _, tr := range got {
		found := false
		for _, s := range tr.Spans {
			found = found || (s.Operation == "Charge" && s.Duration >= 300*time.Millisecond)
		}
		if !found {
			t.Errorf("trace %s has no slow Charge", tr.ID)
		}
	}
	if got, _ := src.FindTraces(ctx, sources.TraceQuery{Service: Payments, Tags: map[string]string{"payment.provider": "nobody"}}); len(got) != 0 {
		t.Errorf("%d traces for an unknown tag value", len(got))
	}
	if got, _ := src.FindTraces(ctx, sources.TraceQuery{Service: Payments, Range: sources.TimeRange{From: sc.Now.Add(-5 * time.Minute), To: sc.Now}}); len(got) == 0 || len(got) >= len(want) {
		t.Errorf("%d payments traces in the last 5 minutes", len(got))
	}

	tr, err := src.Trace(ctx, sc.BigTraceID)
	if err != nil || len(tr.Spans) != 1202 {
		t.Fatalf("big trace: %v", err)
	}
	if _, err := src.Trace(ctx, "00000000000000000000000000000001"); err == nil || !strings.Contains(err.Error(), "not found") {
		t.Errorf("unknown trace: %v", err)
	}
	svcs, _ := src.Services(ctx)
	if !reflect.DeepEqual(svcs, []string{Checkout, Frontend, Inventory, Payments, Postgres, Redis, Shipping}) {
		t.Errorf("services %v", svcs)
	}
	opsOf, _ := src.Operations(ctx, Payments)
	if !reflect.DeepEqual(opsOf, []string{"Charge", "GetPaymentStatus"}) {
		t.Errorf("payments operations %v", opsOf)
	}
	slow := src.SlowestFailingTrace()
	for _, tr := range sc.Traces {
		if tr.ErrorCount() > 0 && tr.TimeRange().Duration() > slow.TimeRange().Duration() {
			t.Errorf("trace %s fails and is slower than %s", tr.ID, slow.ID)
		}
	}
	if slow.ErrorCount() == 0 {
		t.Error("the slowest failing trace has no error")
	}
}

func collect(t *testing.T, src *Source, q sources.LogQuery) []sources.LogEntry {
	t.Helper()
	var out []sources.LogEntry
	if err := src.QueryLogs(context.Background(), q, func(e sources.LogEntry) error {
		out = append(out, e)
		return nil
	}); err != nil {
		t.Fatalf("%s: %v", q.Query, err)
	}
	return out
}

func TestQueryLogs(t *testing.T) {
	src := testSource(t)
	sc := src.Scenario()
	slow := src.SlowestFailingTrace()

	got := collect(t, src, sources.LogQuery{Query: `{service_name="payments"} | trace_id="` + string(slow.ID) + `"`, Direction: sources.Forward})
	var want []sources.LogEntry
	for _, e := range sc.Logs {
		if e.Labels["service_name"] == Payments && e.TraceID == slow.ID {
			want = append(want, e)
		}
	}
	if len(want) == 0 || !reflect.DeepEqual(got, want) {
		t.Fatalf("got %d entries, want %d", len(got), len(want))
	}

	got = collect(t, src, sources.LogQuery{Query: "{service_name=\"payments\", env=\"demo\"} |= `lock timeout` != \"status\"", Limit: 3})
	if len(got) != 3 {
		t.Fatalf("%d entries, want 3", len(got))
	}
	for i, e := range got {
		if !strings.Contains(e.Line, "lock timeout") || strings.Contains(e.Line, "status") {
			t.Errorf("entry %q does not match the filters", e.Line)
		}
		if i > 0 && e.Time.After(got[i-1].Time) {
			t.Error("backward query not newest first")
		}
	}
	if got := collect(t, src, sources.LogQuery{Query: `{service_name="payments"} | level="error"`}); len(got) == 0 {
		t.Error("no payments errors")
	} else {
		for _, e := range got {
			if e.Level != "error" {
				t.Errorf("level %q", e.Level)
			}
		}
	}

	// =~ is anchored, as in LogQL: "pay" alone matches no service
	got = collect(t, src, sources.LogQuery{Query: `{service_name=~"pay.*|checkout"} | trace_id="` + string(slow.ID) + `"`, Direction: sources.Forward})
	want = want[:0]
	for _, e := range sc.Logs {
		if svc := e.Labels["service_name"]; (svc == Payments || svc == Checkout) && e.TraceID == slow.ID {
			want = append(want, e)
		}
	}
	if len(want) == 0 || !reflect.DeepEqual(got, want) {
		t.Errorf("=~ matcher: got %d entries, want %d", len(got), len(want))
	}
	if got := collect(t, src, sources.LogQuery{Query: `{service_name=~"pay"}`}); len(got) != 0 {
		t.Errorf("=~ \"pay\" matched %d entries; LogQL anchors regex matchers", len(got))
	}

	for _, q := range []string{
		`{service_name!~"pay.*"}`,
		`{service_name=~"("}`,
		`{service_name="payments"} | json`,
		`rate({service_name="payments"}[1m])`,
		`{service_name="payments"} |~ "x"`,
		`{}`,
	} {
		err := src.QueryLogs(context.Background(), sources.LogQuery{Query: q}, func(sources.LogEntry) error { return nil })
		if err == nil || !strings.Contains(err.Error(), "not supported") {
			t.Errorf("%s: error %v, want not supported", q, err)
		}
	}
	vals, _ := src.LabelValues(context.Background(), "service_name", sources.TimeRange{})
	logging := map[string]bool{}
	for _, e := range sc.Logs {
		logging[e.Labels["service_name"]] = true
	}
	if len(vals) != len(logging) || !logging[vals[0]] || !logging[vals[len(vals)-1]] {
		t.Errorf("service_name values %v", vals)
	}
}

// the RED queries as cmd/metrics.go's spanmetrics templates fill them
func redQueries(service, window string) (rate, errs, p95 string) {
	sel := `{service_name="` + service + `",span_kind="SPAN_KIND_SERVER"`
	rate = `sum(rate(traces_span_metrics_calls_total` + sel + `}[` + window + `]))`
	errs = `(sum(rate(traces_span_metrics_calls_total` + sel + `,status_code="STATUS_CODE_ERROR"}[` + window + `])) or vector(0)) / sum(rate(traces_span_metrics_calls_total` + sel + `}[` + window + `]))`
	p95 = `histogram_quantile(0.95, sum by (le) (rate(traces_span_metrics_duration_milliseconds_bucket` + sel + `}[` + window + `])))`
	return
}

func TestQueryRangeRED(t *testing.T) {
	src := testSource(t)
	sc := src.Scenario()
	ctx := context.Background()
	rate, errs, p95 := redQueries(Payments, "5m")
	r := sources.TimeRange{From: sc.Now.Add(-time.Hour), To: sc.Now}

	// the rate from the exposed samples: the increase of the calls
	// counters of payments over 5 minutes
	callsAt := func(at time.Time) float64 {
		sum := 0.0
		for _, s := range sc.Metrics.At(at) {
			if s.Name == CallsMetric && s.Labels["service_name"] == Payments {
				sum += s.Value
			}
		}
		return sum
	}
	res, err := src.QueryRange(ctx, sources.MetricQuery{Query: rate, Range: r, Step: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Series) != 1 || len(res.Series[0].Points) != 61 {
		t.Fatalf("rate: %+v", res)
	}
	for _, p := range res.Series[0].Points {
		want := (callsAt(p.Time) - callsAt(p.Time.Add(-5*time.Minute))) / 300
		if math.Abs(p.Value-want) > 1e-9 {
			t.Fatalf("rate at %v = %g, want %g", p.Time, p.Value, want)
		}
	}

	// the incident: errors and latency rise
	at := func(q string, when time.Time) float64 {
		res, err := src.Query(ctx, q, when)
		if err != nil || len(res.Series) != 1 {
			t.Fatalf("%s: %v %+v", q, err, res)
		}
		return res.Series[0].Points[0].Value
	}
	before, after := sc.IncidentStart.Add(-10*time.Minute), sc.Now
	if e0, e1 := at(errs, before), at(errs, after); !(e0 < 0.05 && e1 > 0.2) {
		t.Errorf("error ratio %g before, %g after the incident", e0, e1)
	}
	if l0, l1 := at(p95, before), at(p95, after); !(l0 < 200 && l1 > 800) {
		t.Errorf("p95 %gms before, %gms after the incident", l0, l1)
	}

	for _, q := range []string{`up`, `sum(rate(traces_span_metrics_calls_total[5m]))`, rate + " * 2"} {
		if _, err := src.QueryRange(ctx, sources.MetricQuery{Query: q, Range: r}); err == nil || !strings.Contains(err.Error(), "not supported") {
			t.Errorf("%s: error %v, want not supported", q, err)
		}
	}
	res, err = src.QueryRange(ctx, sources.MetricQuery{Query: strings.ReplaceAll(rate, Payments, "nobody"), Range: r})
	if err != nil || len(res.Series) != 0 {
		t.Errorf("unknown service: %v, %d series", err, len(res.Series))
	}
}

func TestQuantile(t *testing.T) {
	// 100 observations: 50 under 2ms, 40 in (2,4], 10 in (4,6]
	cum := make([]float64, len(DurationBuckets)+1)
	for i := range cum {
		switch {
		case i == 0:
			cum[i] = 50
		case i == 1:
			cum[i] = 90
		default:
			cum[i] = 100
		}
	}
	for _, c := range []struct{ q, want float64 }{{0.5, 2}, {0.25, 1}, {0.7, 3}, {0.95, 5}} {
		if got := quantile(c.q, cum); math.Abs(got-c.want) > 1e-9 {
			t.Errorf("q%g = %g, want %g", c.q, got, c.want)
		}
	}
	if got := quantile(0.5, make([]float64, len(cum))); !math.IsNaN(got) {
		t.Errorf("no observations: %g", got)
	}
}

// The demo's rules are its alerting rules, each with its active alerts;
// the compared side of each expression is a query the demo answers.
func TestDemoRules(t *testing.T) {
	s := testSource(t)
	groups, err := s.Rules(context.Background())
	if err != nil || len(groups) != 1 || len(groups[0].Rules) != len(AlertRules) {
		t.Fatalf("%v %v", groups, err)
	}
	firing := 0
	for _, r := range groups[0].Rules {
		for _, a := range r.Alerts {
			if a.Name != r.Name {
				t.Errorf("rule %s holds alert %s", r.Name, a.Name)
			}
		}
		if r.State == "firing" {
			firing++
		}
	}
	if firing == 0 {
		t.Error("no demo rule is firing")
	}
}

func TestDemoLogLevelRegexFilter(t *testing.T) {
	s := testSource(t)
	n := 0
	err := s.QueryLogs(context.Background(), sources.LogQuery{Query: `{service_name="payments"} | detected_level=~"error|warn"`}, func(e sources.LogEntry) error {
		if e.Level != "error" && e.Level != "warn" {
			t.Errorf("level %q", e.Level)
		}
		n++
		return nil
	})
	if err != nil || n == 0 {
		t.Fatalf("%d lines, %v", n, err)
	}
}
