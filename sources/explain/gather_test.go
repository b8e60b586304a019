package explain_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/sources/demo"
	"github.com/telx-cli/telx/sources/explain"
)

// Gather on the demo: the rule, the threshold, the alert's series and its
// crossing when the alert went pending, the service's error and warning
// lines, its failing traces; a missing part says why in Problems.
func TestGatherDemo(t *testing.T) {
	sc, err := demo.Load(demo.DatasetNow)
	if err != nil {
		t.Fatal(err)
	}
	src := demo.NewSource(sc)
	var alert explain.Alert
	for _, a := range sc.Alerts() {
		if a.Name == "PaymentsHighErrorRate" {
			alert = explain.FromPrometheus(a)
		}
	}
	all := explain.Sources{Metrics: src, Rules: src, Logs: src, Traces: src}
	ev := explain.Gather(context.Background(), all, alert, explain.Options{Now: demo.DatasetNow})
	if len(ev.Problems) > 0 || ev.Rule == nil || ev.Threshold == nil || ev.Threshold.String() != "> 0.05" {
		t.Fatalf("problems %v, rule %v, threshold %v", ev.Problems, ev.Rule, ev.Threshold)
	}
	if !ev.Window.From.Equal(alert.ActiveAt.Add(-explain.DefaultLead)) || !ev.Window.To.Equal(demo.DatasetNow) {
		t.Errorf("window %v for an alert pending since %v", ev.Window, alert.ActiveAt)
	}
	if len(ev.Series) != 1 || !ev.Series[0].Alert || ev.Series[0].Held {
		t.Fatalf("series %+v", ev.Series)
	}
	if d := ev.Series[0].Crossed.Sub(alert.ActiveAt); d < -ev.Step || d > ev.Step {
		t.Errorf("crossed at %v, pending at %v", ev.Series[0].Crossed, alert.ActiveAt)
	}
	if len(ev.Logs) != explain.DefaultMaxLogs || !ev.LogsMore || len(ev.Failing) == 0 || len(ev.Slowest) == 0 {
		t.Errorf("%d logs (more %v), %d failing, %d slowest", len(ev.Logs), ev.LogsMore, len(ev.Failing), len(ev.Slowest))
	}
	for i := 1; i < len(ev.Logs); i++ {
		if ev.Logs[i].Time.Before(ev.Logs[i-1].Time) {
			t.Error("the logs are not oldest first")
		}
	}
	for i := 1; i < len(ev.Failing); i++ {
		if ev.Failing[i].TimeRange().Duration() > ev.Failing[i-1].TimeRange().Duration() {
			t.Error("the failing traces are not slowest first")
		}
	}
	// the traces to open: the failing, then the slowest not among them
	seen := map[sources.TraceID]bool{}
	for _, tr := range ev.Traces() {
		if seen[tr.ID] {
			t.Errorf("trace %s twice", tr.ID)
		}
		seen[tr.ID] = true
	}

	for _, tt := range []struct {
		name string
		src  explain.Sources
		o    explain.Options
		want string
	}{
		{"no rule source", explain.Sources{Metrics: src, Logs: src, Traces: src}, explain.Options{}, "rules: no rule source"},
		{"no service label", all, explain.Options{ServiceLabels: []string{"team"}}, "service: the alert has none of the labels team"},
	} {
		tt.o.Now = demo.DatasetNow
		ev := explain.Gather(context.Background(), tt.src, alert, tt.o)
		if !strings.Contains(strings.Join(ev.Problems, "\n"), tt.want) {
			t.Errorf("%s: problems %v", tt.name, ev.Problems)
		}
	}
	// a rule of another name: none found, said so
	other := alert
	other.Name = "NoSuchRule"
	if ev := explain.Gather(context.Background(), all, other, explain.Options{Now: demo.DatasetNow}); ev.Rule != nil ||
		!strings.Contains(strings.Join(ev.Problems, "\n"), "no alerting rule NoSuchRule") {
		t.Errorf("rule %v, problems %v", ev.Rule, ev.Problems)
	}
	// a cancelled context: problems, no panic
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if ev := explain.Gather(ctx, all, alert, explain.Options{Now: demo.DatasetNow}); len(ev.Problems) == 0 {
		t.Error("a cancelled gathering reports no problem")
	}
}

func TestMerge(t *testing.T) {
	labels := map[string]string{"alertname": "A", "service_name": "x"}
	at := time.Unix(1000, 0)
	prom := []sources.Alert{
		{Name: "A", State: "firing", Labels: labels, ActiveAt: at, Value: "3"},
		{Name: "B", State: "pending", Labels: map[string]string{"alertname": "B"}, ActiveAt: at},
	}
	am := []sources.ManagedAlert{{Name: "A", Labels: labels, State: "suppressed", SilencedBy: []string{"s1"}, StartsAt: at.Add(time.Minute)}}
	got := explain.Merge(prom, am)
	if len(got) != 2 || got[0].Status != sources.AlertSilenced || !got[0].ActiveAt.Equal(at) || got[0].Value != "3" ||
		got[1].Name != "B" || got[1].State != "pending" || got[1].Status != "" {
		t.Errorf("%+v", got)
	}
	if got := explain.Merge(prom, nil); len(got) != 2 || got[0].Fingerprint != explain.Fingerprint(labels) {
		t.Errorf("%+v", got)
	}
}
