package prometheus

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/test/harness"
)

// waitExemplars asks for query's exemplars over the last hour until some
// come: the harness's Jaeger flushes its span metrics every 10s and
// Prometheus scrapes them every second.
func waitExemplars(t *testing.T, c *Client, query string) []sources.Exemplar {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		ex, err := c.Exemplars(context.Background(), query, sources.Last(time.Hour, time.Now()))
		if err != nil {
			t.Fatal(err)
		}
		if len(ex) > 0 {
			return ex
		}
		if time.Now().After(deadline) {
			t.Fatalf("no exemplars of %s 30s after the harness started", query)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// Prometheus keeps the exemplars of the real Jaeger's span metrics: each
// names a trace of the scenario, which Jaeger holds, and a span of it.
func TestExemplarsNameJaegerTraces(t *testing.T) {
	env := harness.Shared(t)
	c := client(t, env)
	ex := waitExemplars(t, c, harness.JaegerDurationBuckets)
	spans := map[sources.SpanID]*sources.Span{}
	traces := map[sources.TraceID]bool{}
	for _, tr := range env.Scenario.Traces {
		traces[tr.ID] = true
		for i := range tr.Spans {
			spans[tr.Spans[i].SpanID] = &tr.Spans[i]
		}
	}
	services := map[string]bool{}
	asked := map[sources.TraceID]bool{}
	for i, e := range ex {
		if i > 0 && e.Time.Before(ex[i-1].Time) {
			t.Errorf("exemplar %d is older than the one before", i)
		}
		if !traces[e.TraceID] {
			t.Errorf("exemplar %d names trace %q, not one of the scenario's", i, e.TraceID)
			continue
		}
		s := spans[e.SpanID]
		if s == nil || s.TraceID != e.TraceID {
			t.Errorf("exemplar %d names span %q, not one of trace %s", i, e.SpanID, e.TraceID)
			continue
		}
		// the value is the span's duration in ms, in the bucket's bound
		if ms := float64(s.Duration) / float64(time.Millisecond); e.Value < ms-0.01 || e.Value > ms+0.01 {
			t.Errorf("exemplar %d: value %g, span %s lasted %gms", i, e.Value, s.SpanID, ms)
		}
		if e.Series["service_name"] != s.Service || e.Series["span_name"] != s.Operation || e.Series["le"] == "" {
			t.Errorf("exemplar %d of series %v, its span is %s %s", i, e.Series, s.Service, s.Operation)
		}
		services[s.Service] = true
		if !asked[e.TraceID] && len(asked) < 5 {
			asked[e.TraceID] = true
			resp, err := http.Get(env.JaegerURL + "/api/traces/" + string(e.TraceID))
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Errorf("Jaeger answers %s for the trace of exemplar %d", resp.Status, i)
			}
		}
	}
	if len(services) < 3 {
		t.Errorf("exemplars of %d services (%v), want the scenario's many", len(services), services)
	}
	// the query's own selectors choose the series: a quantile over them
	// asks for the same exemplars, a service's only its own
	q := `histogram_quantile(0.9, sum by (le) (rate(` + harness.JaegerDurationBuckets + `{service_name="payments"}[1m])))`
	pay := waitExemplars(t, c, q)
	for _, e := range pay {
		if e.Series["service_name"] != "payments" {
			t.Errorf("exemplar of %v for %s", e.Series, q)
		}
	}
	// none of the scenario's simulated span metrics, which have none
	none, err := c.Exemplars(context.Background(), "traces_span_metrics_duration_milliseconds_bucket", sources.Last(time.Hour, time.Now()))
	if err != nil || len(none) != 0 {
		t.Errorf("simulated span metrics: %d exemplars, %v", len(none), err)
	}
}

func TestExemplarsErrors(t *testing.T) {
	env := harness.Shared(t)
	_, err := client(t, env).Exemplars(context.Background(), `sum(rate(x_bucket[5m])`, sources.Last(time.Hour, time.Now()))
	var be *sources.BackendError
	if !errors.As(err, &be) || be.Backend != "prometheus" || be.URL != env.PrometheusURL ||
		!strings.Contains(err.Error(), "exemplars: bad_data") || !strings.Contains(be.Hint, "PromQL") {
		t.Errorf("bad PromQL: %v", err)
	}
}
