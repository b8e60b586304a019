package integration

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/sources/demo"
	"github.com/telx-cli/telx/test/harness"
)

func get(t *testing.T, url string, v any) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := harness.GetJSON(ctx, url, v); err != nil {
		t.Fatal(err)
	}
}

func micros(t time.Time) string { return strconv.FormatInt(t.UnixMicro(), 10) }

func TestJaegerHoldsTheScenario(t *testing.T) {
	env := harness.Shared(t)
	sc := env.Scenario

	var services struct{ Data []string }
	get(t, env.JaegerURL+"/api/services", &services)
	sort.Strings(services.Data)
	want := append([]string(nil), demo.Services...)
	sort.Strings(want)
	if strings.Join(services.Data, ",") != strings.Join(want, ",") {
		t.Errorf("services = %v, want %v", services.Data, want)
	}

	// every trace, by ID, with its span and error counts
	type jaegerTrace struct {
		TraceID string `json:"traceID"`
		Spans   []struct {
			SpanID string `json:"spanID"`
			Tags   []struct {
				Key   string `json:"key"`
				Value any    `json:"value"`
			} `json:"tags"`
		} `json:"spans"`
	}
	for _, tr := range []*sources.Trace{traceByID(sc, sc.BigTraceID), traceByID(sc, sc.SkewedTraceID), sc.Traces[0]} {
		var got struct{ Data []jaegerTrace }
		get(t, env.JaegerURL+"/api/traces/"+string(tr.ID), &got)
		if len(got.Data) != 1 {
			t.Fatalf("trace %s: %d traces in the answer", tr.ID, len(got.Data))
		}
		if got.Data[0].TraceID != string(tr.ID) {
			t.Errorf("trace ID %s, want %s", got.Data[0].TraceID, tr.ID)
		}
		if n := len(got.Data[0].Spans); n != len(tr.Spans) {
			t.Errorf("trace %s has %d spans in Jaeger, want %d", tr.ID, n, len(tr.Spans))
		}
		errs := 0
		for _, s := range got.Data[0].Spans {
			for _, tag := range s.Tags {
				if tag.Key == "error" && tag.Value == true {
					errs++
				}
			}
		}
		if errs != tr.ErrorCount() {
			t.Errorf("trace %s has %d error spans in Jaeger, want %d", tr.ID, errs, tr.ErrorCount())
		}
	}

	// a search over the hour finds every trace (all start at the frontend)
	var found struct{ Data []jaegerTrace }
	get(t, harness.Query(env.JaegerURL, "/api/traces",
		"service", demo.Frontend, "limit", "1000",
		"start", micros(sc.Window.From.Add(-time.Minute)), "end", micros(sc.Now.Add(time.Minute))), &found)
	if len(found.Data) != len(sc.Traces) {
		t.Errorf("search found %d traces, want %d", len(found.Data), len(sc.Traces))
	}

	// the OTLP API (v3) serves the same trace
	var v3 struct {
		Result struct {
			ResourceSpans []struct {
				ScopeSpans []struct {
					Spans []struct {
						TraceID string `json:"traceId"`
					} `json:"spans"`
				} `json:"scopeSpans"`
			} `json:"resourceSpans"`
		} `json:"result"`
	}
	get(t, env.JaegerURL+"/api/v3/traces/"+string(sc.BigTraceID), &v3)
	n := 0
	for _, rs := range v3.Result.ResourceSpans {
		for _, ss := range rs.ScopeSpans {
			n += len(ss.Spans)
		}
	}
	if want := len(traceByID(sc, sc.BigTraceID).Spans); n != want {
		t.Errorf("/api/v3 gave %d spans of the big trace, want %d", n, want)
	}
}

func traceByID(sc *demo.Scenario, id sources.TraceID) *sources.Trace {
	for _, t := range sc.Traces {
		if t.ID == id {
			return t
		}
	}
	panic("no trace " + id)
}

type promResult struct {
	Status string
	Data   struct {
		ResultType string
		Result     []struct {
			Metric map[string]string
			Value  []any
			Values [][]any
		}
	}
}

func promValue(t *testing.T, v []any) float64 {
	t.Helper()
	f, err := strconv.ParseFloat(v[1].(string), 64)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestPrometheusHoldsTheScenario(t *testing.T) {
	env := harness.Shared(t)
	m := env.Scenario.Metrics

	// the backfilled history: values at past steps are exactly the model's
	for _, ago := range []time.Duration{150 * time.Minute, 30 * time.Minute, 5 * time.Minute} {
		at := m.From.Add(env.Scenario.Now.Add(-ago).Sub(m.From).Truncate(demo.MetricsStep))
		want := map[string]float64{}
		for _, s := range m.At(at) {
			if s.Name == demo.CallsMetric && s.Labels["service_name"] == demo.Payments {
				want[s.Labels["status_code"]] = s.Value
			}
		}
		var r promResult
		get(t, harness.Query(env.PrometheusURL, "/api/v1/query",
			"query", `traces_span_metrics_calls_total{service_name="payments",span_name="Charge"}`,
			"time", strconv.FormatInt(at.Unix(), 10)), &r)
		if len(r.Data.Result) != 2 {
			t.Fatalf("%s ago: %d series, want 2: %+v", ago, len(r.Data.Result), r)
		}
		for _, s := range r.Data.Result {
			if got := promValue(t, s.Value); got != want[s.Metric["status_code"]] {
				t.Errorf("%s ago: %s = %v, want %v", ago, s.Metric["status_code"], got, want[s.Metric["status_code"]])
			}
		}
	}

	// every series is there, with a job and instance, now (scraped)
	var r promResult
	get(t, harness.Query(env.PrometheusURL, "/api/v1/query",
		"query", `count({__name__=~"traces_span_metrics_.+",job="otel-collector",instance="spanmetrics:8889"})`), &r)
	if len(r.Data.Result) != 1 || promValue(t, r.Data.Result[0].Value) != float64(demo.SeriesCount()) {
		t.Errorf("series now: %+v, want %d", r.Data.Result, demo.SeriesCount())
	}

	// three hours of history at the scenario's resolution
	get(t, harness.Query(env.PrometheusURL, "/api/v1/query_range",
		"query", `sum(traces_span_metrics_calls_total{service_name="frontend"})`,
		"start", strconv.FormatInt(m.From.Unix(), 10), "end", strconv.FormatInt(env.Scenario.Now.Unix(), 10), "step", "60"), &r)
	if len(r.Data.Result) != 1 {
		t.Fatalf("range query: %+v", r)
	}
	if n, want := len(r.Data.Result[0].Values), int(demo.MetricsHistory/time.Minute)-1; n < want {
		t.Errorf("range query has %d points over the history, want at least %d", n, want)
	}

	// the incident shows: payments' error ratio over the last 5 minutes
	get(t, harness.Query(env.PrometheusURL, "/api/v1/query", "query",
		`sum(rate(traces_span_metrics_calls_total{service_name="payments",status_code="STATUS_CODE_ERROR"}[5m])) / sum(rate(traces_span_metrics_calls_total{service_name="payments"}[5m]))`), &r)
	if len(r.Data.Result) != 1 || math.Abs(promValue(t, r.Data.Result[0].Value)-0.31) > 0.05 {
		t.Errorf("payments error ratio: %+v, want about 0.31", r.Data.Result)
	}
}

func TestAlertIsFiring(t *testing.T) {
	env := harness.Shared(t)
	deadline := time.Now().Add(60 * time.Second)
	for {
		var r struct {
			Data struct {
				Alerts []struct {
					Labels map[string]string
					State  string
				}
			}
		}
		get(t, env.PrometheusURL+"/api/v1/alerts", &r)
		var seen []string
		for _, a := range r.Data.Alerts {
			seen = append(seen, fmt.Sprintf("%s/%s/%s", a.Labels["alertname"], a.Labels["service_name"], a.State))
			if a.Labels["alertname"] == "HighErrorRate" && a.Labels["service_name"] == demo.Payments && a.State == "firing" {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("HighErrorRate for payments is not firing after 60s; alerts: %v", seen)
		}
		time.Sleep(time.Second)
	}
}

type lokiResult struct {
	Data struct {
		ResultType string
		Result     []struct {
			Stream map[string]string
			Metric map[string]string
			Value  []any
			Values [][]any
		}
	}
}

func TestLokiHoldsTheScenario(t *testing.T) {
	env := harness.Shared(t)
	sc := env.Scenario
	end := strconv.FormatInt(sc.Now.Add(time.Second).UnixNano(), 10)

	want := map[string]int{}
	for _, l := range sc.Logs {
		want[l.Labels["service_name"]]++
	}
	var r lokiResult
	get(t, harness.Query(env.LokiURL, "/loki/api/v1/query",
		"query", `sum by (service_name) (count_over_time({namespace="shop"}[2h]))`, "time", end), &r)
	got := map[string]int{}
	for _, s := range r.Data.Result {
		n, _ := strconv.Atoi(s.Value[1].(string))
		got[s.Metric["service_name"]] = n
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("lines per service = %v, want %v", got, want)
	}

	// the lines of one trace, found by structured metadata
	id := sc.BigTraceID
	wantLines := map[string]bool{}
	for _, l := range sc.Logs {
		if l.TraceID == id {
			wantLines[l.Line] = true
		}
	}
	get(t, harness.Query(env.LokiURL, "/loki/api/v1/query_range",
		"query", fmt.Sprintf(`{namespace="shop"} | trace_id=%q`, id),
		"start", strconv.FormatInt(sc.Window.From.UnixNano(), 10), "end", end, "limit", "5000"), &r)
	gotLines := 0
	for _, s := range r.Data.Result {
		if s.Stream["trace_id"] != string(id) {
			t.Errorf("stream %v: trace_id not merged into the labels", s.Stream)
		}
		for _, v := range s.Values {
			gotLines++
			if !wantLines[v[1].(string)] {
				t.Errorf("unexpected line %q", v[1])
			}
		}
	}
	if gotLines != len(wantLines) {
		t.Errorf("%d lines for trace %s, want %d", gotLines, id, len(wantLines))
	}
}

// A backend that does not become ready in time fails the harness with its
// name, address and the tail of its log, and is stopped.
func TestHarnessReportsABackendThatIsNotReady(t *testing.T) {
	harness.Shared(t) // the binaries are installed
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	t.Setenv("TELX_HARNESS_KEEP", "1")
	env, err := harness.Start(ctx, harness.Options{Backends: []string{harness.Loki}, ReadyTimeout: 200 * time.Millisecond, Dir: dir})
	if err == nil {
		env.Stop()
		t.Fatal("Start succeeded with a 200ms ready timeout")
	}
	t.Logf("the harness said:\n%v", err)
	for _, want := range []string{"loki on 127.0.0.1:", "did not become ready within 200ms", "--- last lines of "} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
	if pids := processesUnder(t, dir); len(pids) > 0 {
		t.Errorf("processes still running from %s: %v", dir, pids)
	}
}

// processesUnder lists the processes whose command line mentions dir.
func processesUnder(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir("/proc")
	if err != nil {
		t.Fatal(err)
	}
	var pids []string
	for _, e := range entries {
		if _, err := strconv.Atoi(e.Name()); err != nil {
			continue
		}
		cmdline, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err == nil && strings.Contains(string(cmdline), dir) {
			pids = append(pids, e.Name()+": "+strings.ReplaceAll(string(cmdline), "\x00", " "))
		}
	}
	return pids
}
