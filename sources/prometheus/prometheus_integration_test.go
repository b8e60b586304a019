package prometheus

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/sources/demo"
	"github.com/telx-cli/telx/test/harness"
)

func TestMain(m *testing.M) {
	// Jaeger too: its span-metrics connector makes the exemplars
	os.Exit(harness.Main(m, harness.Options{Seed: 1, Backends: []string{harness.Prometheus, harness.Jaeger}}))
}

func client(t *testing.T, env *harness.Env) *Client {
	t.Helper()
	c, err := New(Options{URL: env.PrometheusURL})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// pastStep returns the time of the scenario's sample ago before its end.
func pastStep(sc *demo.Scenario, ago time.Duration) time.Time {
	m := sc.Metrics
	return m.From.Add(sc.Now.Add(-ago).Sub(m.From).Truncate(demo.MetricsStep))
}

// scenarioCalls returns the scenario's calls counters of one operation at
// t, by status code.
func scenarioCalls(sc *demo.Scenario, t time.Time, service, span string) map[string]float64 {
	out := map[string]float64{}
	for _, s := range sc.Metrics.At(t) {
		if s.Name == demo.CallsMetric && s.Labels["service_name"] == service && s.Labels["span_name"] == span {
			out[s.Labels["status_code"]] = s.Value
		}
	}
	return out
}

// A range query over the backfilled history gives, point for point, the
// counters the scenario wrote.
func TestQueryRangeHoldsTheScenario(t *testing.T) {
	env := harness.Shared(t)
	sc := env.Scenario
	from, to := pastStep(sc, 60*time.Minute), pastStep(sc, 30*time.Minute)
	res, err := client(t, env).QueryRange(context.Background(), sources.MetricQuery{
		Query: `traces_span_metrics_calls_total{service_name="payments",span_name="Charge"}`,
		Range: sources.TimeRange{From: from, To: to}, Step: demo.MetricsStep,
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Type != "matrix" || len(res.Series) != 2 || res.Step != demo.MetricsStep || len(res.Warnings) != 0 {
		t.Fatalf("result %s, %d series, step %s, warnings %v", res.Type, len(res.Series), res.Step, res.Warnings)
	}
	wantPoints := int(to.Sub(from)/demo.MetricsStep) + 1
	for _, s := range res.Series {
		status := s.Labels["status_code"]
		if s.Name() != demo.CallsMetric || s.Labels["job"] != demo.Job || s.Labels["span_kind"] != "SPAN_KIND_SERVER" {
			t.Errorf("labels %v", s.Labels)
		}
		if len(s.Points) != wantPoints {
			t.Fatalf("%s: %d points, want %d", status, len(s.Points), wantPoints)
		}
		for _, p := range s.Points {
			if want := scenarioCalls(sc, p.Time, demo.Payments, "Charge")[status]; p.Value != want {
				t.Fatalf("%s at %s = %v, want %v", status, p.Time, p.Value, want)
			}
		}
	}
}

// An instant query computes over the scenario's data: the calls of the
// last 10 minutes are the difference of the scenario's counters.
func TestQueryComputesFromTheScenario(t *testing.T) {
	env := harness.Shared(t)
	sc := env.Scenario
	at := pastStep(sc, 5*time.Minute)
	res, err := client(t, env).Query(context.Background(),
		`sum by (status_code) (traces_span_metrics_calls_total{service_name="payments",span_name="Charge"} - traces_span_metrics_calls_total{service_name="payments",span_name="Charge"} offset 10m)`, at)
	if err != nil {
		t.Fatal(err)
	}
	now, before := scenarioCalls(sc, at, demo.Payments, "Charge"), scenarioCalls(sc, at.Add(-10*time.Minute), demo.Payments, "Charge")
	if res.Type != "vector" || len(res.Series) != 2 {
		t.Fatalf("%s with %d series", res.Type, len(res.Series))
	}
	for _, s := range res.Series {
		st := s.Labels["status_code"]
		if want := now[st] - before[st]; s.Points[0].Value != want || !s.Points[0].Time.Equal(at) {
			t.Errorf("%s: %v at %s, want %v at %s", st, s.Points[0].Value, s.Points[0].Time, want, at)
		}
	}
	// the incident is ramping up over these 10 minutes: from 1% before
	// it, the failures climb towards 31%
	errs := now[statusError] - before[statusError]
	if ratio := errs / (now[statusError] + now[statusOK] - before[statusError] - before[statusOK]); ratio < 0.1 {
		t.Errorf("error ratio %v; the scenario's incident should show", ratio)
	}

	// a scalar
	res, err = client(t, env).Query(context.Background(), `scalar(count(count by (service_name) (traces_span_metrics_calls_total)))`, at)
	if err != nil || res.Type != "scalar" || res.Series[0].Points[0].Value != 7 {
		t.Errorf("scalar: %v %+v", err, res)
	}
}

const (
	statusOK    = "STATUS_CODE_UNSET"
	statusError = "STATUS_CODE_ERROR"
)

func TestLabelValuesAndSeries(t *testing.T) {
	env := harness.Shared(t)
	sc := env.Scenario
	r := sources.Last(time.Hour, sc.Now)
	c := client(t, env)
	vals, warns, err := c.LabelValues(context.Background(), "service_name", nil, r)
	if err != nil || len(warns) != 0 {
		t.Fatal(err, warns)
	}
	want := []string{demo.Checkout, demo.Frontend, demo.Inventory, demo.Payments, demo.Postgres, demo.Redis, demo.Shipping}
	sort.Strings(want)
	if !reflect.DeepEqual(vals, want) {
		t.Errorf("service_name values %v, want %v", vals, want)
	}
	vals, _, err = c.LabelValues(context.Background(), "span_name", []string{`traces_span_metrics_calls_total{service_name="postgres"}`}, r)
	if err != nil || strings.Join(vals, ",") != "SELECT accounts,SELECT products,UPDATE stock" {
		t.Errorf("postgres span names %v, %v", vals, err)
	}
	series, _, err := c.Series(context.Background(), []string{`traces_span_metrics_calls_total{service_name="frontend"}`}, r)
	if err != nil || len(series) != 3*2 {
		t.Fatalf("frontend series: %d, %v", len(series), err)
	}
	for _, s := range series {
		if s["__name__"] != demo.CallsMetric || s["service_name"] != demo.Frontend {
			t.Errorf("series %v", s)
		}
	}
}

// The real server refuses more than 11,000 points per series; QueryRange
// coarsens the step instead, and says which it used.
func TestPointLimit(t *testing.T) {
	env := harness.Shared(t)
	sc := env.Scenario
	r := sources.TimeRange{From: sc.Metrics.From, To: sc.Now.Add(time.Hour)} // 4h: 14,401 points at 1s
	// the limit is real
	u := harness.Query(env.PrometheusURL, "/api/v1/query_range", "query", "up", "start", strconv.FormatInt(r.From.Unix(), 10),
		"end", strconv.FormatInt(r.To.Unix(), 10), "step", "1")
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("Prometheus answered %s to 14,401 points; the limit test means nothing", resp.Status)
	}
	res, err := client(t, env).QueryRange(context.Background(), sources.MetricQuery{
		Query: `sum(traces_span_metrics_calls_total{service_name="redis"})`, Range: r, Step: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if res.Step != 2*time.Second || len(res.Series) != 1 {
		t.Fatalf("step %s, %d series", res.Step, len(res.Series))
	}
	if n := len(res.Series[0].Points); n > sources.MaxPoints || n < 5000 {
		t.Errorf("%d points", n)
	}
}

func TestAlertsFire(t *testing.T) {
	env := harness.Shared(t)
	c := client(t, env)
	deadline := time.Now().Add(60 * time.Second)
	for {
		alerts, err := c.Alerts(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		var seen []string
		for i, a := range alerts {
			if i > 0 && a.ActiveAt.After(alerts[i-1].ActiveAt) {
				t.Errorf("alert %d is more recent than the one before", i)
			}
			seen = append(seen, fmt.Sprintf("%s/%s/%s", a.Name, a.Labels["service_name"], a.State))
			if a.Name == "HighErrorRate" && a.Labels["service_name"] == demo.Payments && a.State == "firing" {
				v, err := strconv.ParseFloat(a.Value, 64)
				if err != nil || v < 0.2 || v > 0.45 || !strings.HasPrefix(a.Annotations["summary"], "payments fails ") || a.ActiveAt.IsZero() {
					t.Errorf("alert %+v", a)
				}
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("HighErrorRate for payments is not firing after 60s; alerts: %v", seen)
		}
		time.Sleep(time.Second)
	}
}

func TestErrors(t *testing.T) {
	env := harness.Shared(t)
	_, err := client(t, env).Query(context.Background(), `sum(rate(traces_span_metrics_calls_total[5m])`, time.Time{})
	var be *sources.BackendError
	if !errors.As(err, &be) || be.Backend != "prometheus" || be.URL != env.PrometheusURL ||
		!strings.Contains(err.Error(), "bad_data") || !strings.Contains(err.Error(), "parse error") || be.Hint == "" {
		t.Errorf("bad PromQL: %v", err)
	}
	_, err = client(t, env).QueryRange(context.Background(), sources.MetricQuery{Query: `rate(traces_span_metrics_calls_total)`,
		Range: sources.Last(time.Hour, time.Now()), Step: time.Minute})
	if err == nil || !strings.Contains(err.Error(), "bad_data") {
		t.Errorf("a range vector missing: %v", err)
	}
}
