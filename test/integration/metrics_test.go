package integration

import (
	"encoding/csv"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/telx-cli/telx/cmd"
	"github.com/telx-cli/telx/sources/demo"
	"github.com/telx-cli/telx/test/harness"
	"github.com/telx-cli/telx/tui/render"
)

// sampleAt returns the scenario's sample time ago before its end.
func sampleAt(sc *demo.Scenario, ago time.Duration) time.Time {
	m := sc.Metrics
	return m.From.Add(sc.Now.Add(-ago).Sub(m.From).Truncate(demo.MetricsStep))
}

// callsBy sums the scenario's calls counters at t by a label, for one service.
func callsBy(sc *demo.Scenario, t time.Time, service, label string) map[string]float64 {
	out := map[string]float64{}
	for _, s := range sc.Metrics.At(t) {
		if s.Name == demo.CallsMetric && s.Labels["service_name"] == service {
			out[s.Labels[label]] += s.Value
		}
	}
	return out
}

// telx metrics shows, per series, the last value the scenario wrote, and
// an increase computed from the scenario's counters.
func TestMetricsCommandShowsTheScenario(t *testing.T) {
	env := harness.Shared(t)
	sc := env.Scenario
	from, to := sampleAt(sc, 90*time.Minute), sampleAt(sc, 30*time.Minute)
	window := []string{"--from", from.Format(time.RFC3339), "--to", to.Format(time.RFC3339)}

	// the frontend's counters by span name: the LAST column is the scenario's value at the end
	code, out, errOut := telx(t, env, append([]string{"metrics", `sum by (span_name) (traces_span_metrics_calls_total{service_name="frontend"})`, "--width", "120"}, window...)...)
	if code != cmd.ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	want := callsBy(sc, to, demo.Frontend, "span_name")
	rows := 0
	for _, line := range strings.Split(out, "\n") {
		name, ok := strings.CutPrefix(line, "span_name=")
		if !ok {
			continue
		}
		rows++
		fields := strings.Fields(line)
		span := strings.TrimSpace(name[:strings.IndexAny(name, "▁▂▃▄▅▆▇█")])
		if w, ok := want[span]; !ok || fields[len(fields)-1] != render.FormatValue(w, render.UnitNone) {
			t.Errorf("row %q: want last %s (%v)", line, render.FormatValue(w, render.UnitNone), w)
		}
	}
	if rows != len(want) {
		t.Errorf("%d rows, want %d:\n%s", rows, len(want), out)
	}

	// an increase over 10 minutes, computed by Prometheus, equals the
	// difference of the scenario's counters (JSON, exact)
	at := sampleAt(sc, 35*time.Minute)
	code, out, errOut = telx(t, env, "metrics", "--instant", "--to", at.Format(time.RFC3339), "-o", "json",
		`sum by (status_code) (traces_span_metrics_calls_total{service_name="payments"} - traces_span_metrics_calls_total{service_name="payments"} offset 10m)`)
	if code != cmd.ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var got []struct {
		Labels map[string]string
		Points []struct {
			Time  time.Time
			Value float64
		}
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil || len(got) != 2 {
		t.Fatalf("%v: %s", err, out)
	}
	now, before := callsBy(sc, at, demo.Payments, "status_code"), callsBy(sc, at.Add(-10*time.Minute), demo.Payments, "status_code")
	total := 0.0
	for _, s := range got {
		st := s.Labels["status_code"]
		if w := now[st] - before[st]; s.Points[0].Value != w {
			t.Errorf("%s: %v, want %v", st, s.Points[0].Value, w)
		}
		total += s.Points[0].Value
	}
	if total < 1000 { // about 3 calls a second; before the incident errors may be 0
		t.Errorf("payments made %v calls in 10 minutes", total)
	}

	// CSV: one record per point of the range, at the scenario's resolution
	code, out, errOut = telx(t, env, append([]string{"metrics", `sum(traces_span_metrics_calls_total{service_name="redis"})`, "--step", "15s", "-o", "csv"}, window...)...)
	if code != cmd.ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if n := int(to.Sub(from)/demo.MetricsStep) + 1; len(recs) != n+1 || strings.Join(recs[0], ",") != "time,value" {
		t.Fatalf("csv: %d records (want %d), header %v", len(recs)-1, n, recs[0])
	}
	last := recs[len(recs)-1]
	if v, _ := strconv.ParseFloat(last[1], 64); v != callsBy(sc, to, demo.Redis, "service_name")[demo.Redis] {
		t.Errorf("last csv record %v, want %v", last, callsBy(sc, to, demo.Redis, "service_name")[demo.Redis])
	}
}

// The RED view of payments at the end of the incident: about 3 calls a
// second, about 31% failing, a median latency near the scenario's 945ms.
func TestMetricsServiceREDView(t *testing.T) {
	env := harness.Shared(t)
	// over 5 minutes: the scenario's counters move every 15s, too coarse
	// for the default 1m window to be steady
	code, out, errOut := telx(t, env, "metrics", "--service", demo.Payments, "--since", "10m", "--window", "5m", "--width", "100", "-o", "json")
	if code != cmd.ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var rows []struct {
		Name   string
		Query  string
		Points []struct{ Value any }
	}
	if err := json.Unmarshal([]byte(out), &rows); err != nil {
		t.Fatal(err)
	}
	last := map[string]float64{}
	for _, r := range rows {
		if len(r.Points) == 0 {
			t.Fatalf("%s: no points", r.Name)
		}
		v, ok := r.Points[len(r.Points)-1].Value.(float64)
		if !ok {
			t.Fatalf("%s: last value %v", r.Name, r.Points[len(r.Points)-1].Value)
		}
		last[r.Name] = v
		if !strings.Contains(r.Query, `service_name="payments"`) || !strings.Contains(r.Query, "[5m]") {
			t.Errorf("%s: query %s", r.Name, r.Query)
		}
	}
	// the scenario: 3 calls/s ±10% wave ±10% noise; errors 1% + 30% at full
	// intensity; median 45ms + 900ms, lognormal with sigma 0.5, so p95 and
	// p99 about 2.1s and 3s, which histogram_quantile interpolates within
	// the 2s-5s bucket (before the incident they are about 100ms and 180ms)
	checks := []struct {
		name   string
		lo, hi float64
	}{{"rate", 2.3, 3.7}, {"errors", 0.24, 0.38}, {"p50", 700, 1200}, {"p95", 1500, 5000}, {"p99", 2000, 5000}}
	for _, c := range checks {
		if v, ok := last[c.name]; !ok || v < c.lo || v > c.hi {
			t.Errorf("%s = %v, want between %v and %v", c.name, v, c.lo, c.hi)
		}
	}
	if last["p50"] >= last["p95"] || last["p95"] > last["p99"] {
		t.Errorf("quantiles out of order: %v", last)
	}

	// as text: the rows, their units
	code, out, _ = telx(t, env, "metrics", "--service", demo.Payments, "--since", "10m", "--width", "100")
	for _, want := range []string{"payments · rate, errors, latency", "rate ", "errors ", "p50 ", "p95 ", "p99 ", "/s", "%", "ms"} {
		if code != cmd.ExitOK || !strings.Contains(out, want) {
			t.Errorf("RED view lacks %q:\n%s", want, out)
		}
	}
}

func TestAlertsCommandShowsFiringAlert(t *testing.T) {
	env := harness.Shared(t)
	deadline := time.Now().Add(60 * time.Second)
	for {
		code, out, errOut := telx(t, env, "alerts")
		if code != cmd.ExitOK {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		for _, line := range strings.Split(out, "\n") {
			f := strings.Split(line, "\t")
			if len(f) == 6 && f[0] == "firing" && f[1] == "HighErrorRate" && strings.Contains(f[2], "service_name=payments") {
				if !strings.HasPrefix(f[5], "payments fails ") {
					t.Errorf("summary %q", f[5])
				}
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no firing HighErrorRate for payments after 60s:\n%s%s", out, errOut)
		}
		time.Sleep(time.Second)
	}
}

func TestMetricsBadQuery(t *testing.T) {
	env := harness.Shared(t)
	code, out, errOut := telx(t, env, "metrics", `sum(rate(traces_span_metrics_calls_total[5m])`)
	if code != cmd.ExitError || out != "" || !strings.Contains(errOut, "bad_data") || !strings.Contains(errOut, "unclosed left parenthesis") || !strings.Contains(errOut, env.PrometheusURL) {
		t.Errorf("exit %d, %q", code, errOut)
	}
	code, out, errOut = telx(t, env, "metrics", `traces_span_metrics_calls_total{service_name="nope"}`)
	if code != cmd.ExitOK || out != "" || !strings.Contains(errOut, "no series") {
		t.Errorf("empty: exit %d, %q, %q", code, out, errOut)
	}
}
