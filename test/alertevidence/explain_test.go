// Package alertevidence checks telx alerts --explain against the
// harness's real Prometheus, Alertmanager, Loki and Jaeger: the firing
// alert's rule, its series with the threshold and the crossing, its
// service's error and warning lines and its failing traces.
package alertevidence

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/telx-cli/telx/cmd"
	"github.com/telx-cli/telx/sources/explain"
	"github.com/telx-cli/telx/test/harness"
)

func TestMain(m *testing.M) {
	os.Exit(harness.Main(m, harness.Options{Seed: 1, Alertmanager: true}))
}

func telx(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	env := harness.Shared(t)
	var out, errOut bytes.Buffer
	io := cmd.TestIO(&out, &errOut)
	io.Width = 100
	vars := map[string]string{
		"TELX_PROMETHEUS_URL":   env.PrometheusURL,
		"TELX_ALERTMANAGER_URL": env.AlertmanagerURL,
		"TELX_JAEGER_URL":       env.JaegerURL,
		"TELX_LOKI_URL":         env.LokiURL,
	}
	root := cmd.NewRootCmd(io, func(k string) string { return vars[k] })
	code := cmd.Run(context.Background(), root, io, args)
	return code, out.String(), errOut.String()
}

// --explain on the harness's firing payments error alert: its rule
// (matched among the HighErrorRate rules by name and labels), the
// threshold of its expression, the alert's own series among the
// services', beyond the threshold at the end, with its crossing in the
// window (or the whole window beyond it); payments' error and warning
// lines from Loki, its failing traces from Jaeger; and the fingerprint is
// Alertmanager's, as amtool reports it.
func TestExplainFiringAlert(t *testing.T) {
	env := harness.Shared(t)
	code, out, errOut := telx(t, "alerts", "--explain", "HighErrorRate", "service_name=payments", "-o", "json")
	if code != cmd.ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var ev explain.Evidence
	if err := json.Unmarshal([]byte(out), &ev); err != nil {
		t.Fatal(err)
	}
	if ev.Rule == nil || ev.Rule.Name != "HighErrorRate" || ev.Threshold == nil || ev.Threshold.Op != ">" || ev.Threshold.Value != 0.05 {
		t.Fatalf("rule %+v, threshold %+v; problems %v", ev.Rule, ev.Threshold, ev.Problems)
	}
	if ev.Alert.Status != "active" || ev.Alert.ActiveAt.IsZero() {
		t.Errorf("alert %+v: want Alertmanager's state and Prometheus' pending time", ev.Alert)
	}
	if len(ev.Series) < 2 || !ev.Series[0].Alert || ev.Series[0].Labels["service_name"] != "payments" {
		t.Fatalf("series %+v", ev.Series)
	}
	own := ev.Series[0]
	if n := len(own.Points); n < 2 || !ev.Threshold.Holds(own.Points[n-1].Value) {
		t.Fatalf("the alert's series does not end beyond the threshold: %+v", own.Points)
	}
	// the window reaches back to the crossing (the harness's Prometheus
	// started after the series crossed: the alert went pending later)
	if own.Held || own.Crossed.IsZero() || own.Crossed.Before(ev.Window.From) || own.Crossed.After(ev.Window.To) {
		t.Errorf("crossed at %v (held %v), not inside the window %v", own.Crossed, own.Held, ev.Window)
	}
	if prev := own.Crossed.Add(-ev.Step); !ev.Window.Contains(prev) {
		t.Errorf("no point before the crossing at %v in the window %v", own.Crossed, ev.Window)
	} else {
		for _, p := range own.Points {
			if p.Time.Before(own.Crossed) && !p.Time.Before(prev) && ev.Threshold.Holds(p.Value) {
				t.Errorf("the point before the crossing, %v at %v, is beyond the threshold", p.Value, p.Time)
			}
		}
	}
	for _, s := range ev.Series[1:] {
		if s.Alert {
			t.Errorf("series %v counted as the alert's", s.Labels)
		}
	}
	if !ev.Window.From.Before(ev.Alert.ActiveAt) {
		t.Errorf("the window %v does not start before the alert went pending (%v)", ev.Window, ev.Alert.ActiveAt)
	}
	if ev.Service != "payments" || len(ev.Logs) == 0 {
		t.Errorf("service %q, %d log lines; problems %v", ev.Service, len(ev.Logs), ev.Problems)
	}
	for _, e := range ev.Logs {
		if e.Labels["service_name"] != "payments" {
			t.Errorf("a line of %v", e.Labels)
		}
	}
	if len(ev.Failing) == 0 || len(ev.Slowest) == 0 {
		t.Errorf("%d failing, %d slowest traces; problems %v", len(ev.Failing), len(ev.Slowest), ev.Problems)
	}
	for _, tr := range ev.Failing {
		if tr.ErrorCount() == 0 {
			t.Errorf("trace %s has no failed span", tr.ID)
		}
	}
	if len(ev.Problems) > 0 {
		t.Errorf("problems: %v", ev.Problems)
	}
	// the fingerprint amtool gives the alert
	c := exec.Command(env.Amtool, "--alertmanager.url="+env.AlertmanagerURL, "alert", "query", "-o", "json", "HighErrorRate", "service_name=payments")
	js, err := c.Output()
	if err != nil {
		t.Fatal(err)
	}
	var am []struct {
		Fingerprint string `json:"fingerprint"`
	}
	if err := json.Unmarshal(js, &am); err != nil || len(am) != 1 || am[0].Fingerprint != ev.Alert.Fingerprint {
		t.Errorf("amtool: %s (%v), telx: %s", js, err, ev.Alert.Fingerprint)
	}

	// by that fingerprint, as text: the threshold drawn and the crossing
	code, out, errOut = telx(t, "alerts", "--explain", ev.Alert.Fingerprint)
	if code != cmd.ExitOK {
		t.Fatalf("by fingerprint: exit %d: %s", code, errOut)
	}
	for _, want := range []string{"HighErrorRate ✗ firing", "service_name=payments severity=page", "threshold > 0.05", "┄ > 0.05",
		"▶ {service_name=\"payments\"}", "^ crossed", "Failing traces of payments", "open one with: telx trace <trace-id>"} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in\n%s", want, out)
		}
	}
}
