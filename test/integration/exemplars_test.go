package integration

import (
	"context"
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/telx-cli/telx/cmd"
	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/test/harness"
)

// dispatchBuckets are HotROD's /dispatch latency histogram, from its
// Jaeger's span-metrics connector.
const dispatchBuckets = harness.JaegerDurationBuckets + `{service_name="frontend",span_name="/dispatch"}`

// waitExemplarsOf waits (30s at most) until Prometheus holds exemplars
// of query over the last hour: the connectors flush every 10s, Prometheus
// scrapes every second.
func waitExemplarsOf(t *testing.T, env *harness.Env, query string) int {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		var body struct {
			Data []struct {
				Exemplars []json.RawMessage `json:"exemplars"`
			} `json:"data"`
		}
		now := time.Now()
		err := harness.GetJSON(context.Background(), harness.Query(env.PrometheusURL, "/api/v1/query_exemplars", "query", query,
			"start", now.Add(-time.Hour).Format(time.RFC3339), "end", now.Format(time.RFC3339)), &body)
		n := 0
		for _, d := range body.Data {
			n += len(d.Exemplars)
		}
		if err == nil && n > 0 {
			return n
		}
		if time.Now().After(deadline) {
			t.Fatalf("no exemplars of %s in Prometheus (%v)", query, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// telx metrics --exemplars on HotROD's /dispatch latency: each exemplar is
// the root span of one of the harness's /dispatch requests, whose trace
// telx trace opens from HotROD's Jaeger.
func TestMetricsExemplarsOnHotROD(t *testing.T) {
	env, h := hotrod(t)
	n := waitExemplarsOf(t, env, dispatchBuckets)
	q := `histogram_quantile(0.9, sum by (le) (rate(` + dispatchBuckets + `[15s])))`
	code, out, errOut := telx(t, env, "metrics", q, "--exemplars", "-o", "json", "--since", "1h")
	if code != cmd.ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var got struct {
		Exemplars []struct {
			Time    time.Time       `json:"time"`
			Value   float64         `json:"value"`
			TraceID sources.TraceID `json:"traceID"`
			SpanID  sources.SpanID  `json:"spanID"`
		} `json:"exemplars"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("%v:\n%s", err, out)
	}
	if len(got.Exemplars) < n {
		t.Fatalf("%d exemplars, Prometheus holds %d", len(got.Exemplars), n)
	}
	roots := map[sources.TraceID]sources.SpanID{}
	for _, d := range h.Dispatches {
		roots[d.TraceID] = d.SpanID
	}
	for i, e := range got.Exemplars {
		if root, ok := roots[e.TraceID]; !ok || root != e.SpanID {
			t.Errorf("exemplar %d: trace %s span %s is not the root of a /dispatch request", i, e.TraceID, e.SpanID)
		}
		if e.Value <= 0 || e.Time.IsZero() {
			t.Errorf("exemplar %d: %+v", i, e)
		}
	}
	// its trace opens, from HotROD's Jaeger
	id := got.Exemplars[len(got.Exemplars)-1].TraceID
	code, out, errOut = telx(t, env, "trace", string(id), "--jaeger", h.JaegerURL, "-o", "json")
	if code != cmd.ExitOK || !strings.Contains(out, string(id)) || !strings.Contains(out, "/dispatch") {
		t.Errorf("telx trace %s: exit %d: %s\n%.500s", id, code, errOut, out)
	}
	// in text: marked under the sparklines (of the buckets themselves: the
	// rate of the harness's one burst of requests may have no point) and
	// listed
	code, out, errOut = telx(t, env, "metrics", "sum by (le) ("+dispatchBuckets+")", "--exemplars", "--since", "10m", "--width", "120")
	if code != cmd.ExitOK || !regexp.MustCompile(`(?m)^exemplar +.*◆`).MatchString(out) || !strings.Contains(out, string(id)) {
		t.Errorf("exit %d: %s\n%s", code, errOut, out)
	}
}

// The Metrics pane in a real terminal: the exemplars of the harness's
// Jaeger span metrics (the scenario's traces) marked; x chooses one, enter
// opens its trace in the waterfall.
func TestExemplarOpensTraceInTmux(t *testing.T) {
	env := harness.Shared(t)
	needTmux(t)
	waitExemplarsOf(t, env, harness.JaegerDurationBuckets+`{service_name="payments"}`)
	bin := buildTelx(t)
	for _, size := range [][2]int{{200, 50}, {80, 24}} {
		s := startTmux(t, "telx-exemplars", size[0], size[1],
			[]string{"TELX_JAEGER_URL=" + env.JaegerURL, "TELX_PROMETHEUS_URL=" + env.PrometheusURL, "TELX_LOKI_URL=" + env.LokiURL},
			bin, "explore", "--service", "payments", "--since", "30m", "--utc")
		s.wait("payments' traces", func(scr string) bool { return strings.Contains(scr, "Traces · payments (") })
		s.keys(":")
		s.tmux("send-keys", "-t", "telx", "-l", `metrics sum(`+harness.JaegerDurationBuckets+`{service_name="payments"})`)
		s.keys("Enter")
		s.wait("the query's rows", func(scr string) bool {
			return regexp.MustCompile(`query +[▁▂▃▄▅▆▇█ ]*[▁▂▃▄▅▆▇█]`).MatchString(scr)
		})
		// focus the Metrics pane; at 80x24, zoomed (m), for room under its rows
		for i := 0; !strings.Contains(s.screen(), "▶ Metrics"); i++ {
			if i == 6 {
				t.Fatalf("tab never focused the Metrics pane:\n%s", s.screen())
			}
			before := s.screen()
			s.keys("Tab")
			s.wait("the focus to move", func(scr string) bool { return scr != before })
		}
		if size[1] < 30 {
			s.keys("m")
		}
		s.wait("the exemplars", func(scr string) bool {
			return strings.Contains(scr, "exemplars · x/X") && regexp.MustCompile(`exemplar +[◆ ]*◆`).MatchString(scr)
		})
		chosen := regexp.MustCompile(`▲ \d\d:\d\d:\d\d\.\d{3} · [^·]+ · trace ([0-9a-f]{32})`)
		s.keys("x")
		scr := s.wait("the chosen exemplar", func(scr string) bool { return chosen.MatchString(scr) })
		id := chosen.FindStringSubmatch(scr)[1]
		found := false
		for _, tr := range env.Scenario.Traces {
			found = found || string(tr.ID) == id
		}
		if !found {
			t.Errorf("the exemplar's trace %s is not one of the scenario's", id)
		}
		s.keys("Enter")
		s.wait("the exemplar's trace in the waterfall", func(scr string) bool {
			return strings.Contains(scr, "▶ Waterfall") && strings.Contains(scr, id) && strings.Contains(scr, "span 1/")
		})
		s.quit()
	}
}
