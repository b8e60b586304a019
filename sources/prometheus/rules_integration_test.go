package prometheus

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/test/harness"
)

// The harness's rules (harness.AlertRules) come back by group, in order,
// with their evaluation.
func TestRules(t *testing.T) {
	env := harness.Shared(t)
	c := client(t, env)
	var groups []sources.RuleGroup
	// a group is evaluated every interval; wait for the first evaluations
	deadline := time.Now().Add(30 * time.Second)
	for {
		var err error
		if groups, err = c.Rules(context.Background()); err != nil {
			t.Fatal(err)
		}
		evaluated := len(groups) == 2
		for _, g := range groups {
			evaluated = evaluated && !g.LastEvaluation.IsZero()
		}
		if evaluated || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if len(groups) != 2 || groups[0].Name != "telx-demo" || groups[1].Name != "telx-demo-recording" {
		t.Fatalf("groups %+v", groups)
	}
	g := groups[0]
	if g.Interval != time.Second || !strings.HasSuffix(g.File, "rules.yml") || len(g.Rules) != 2 || g.LastEvaluation.IsZero() {
		t.Errorf("group %s: interval %s, file %s, %d rules, last evaluation %v", g.Name, g.Interval, g.File, len(g.Rules), g.LastEvaluation)
	}
	for _, r := range g.Rules {
		if r.Kind != sources.RuleAlerting || r.Health != "ok" || r.LastError != "" || r.State != "firing" || len(r.Alerts) == 0 ||
			r.LastEvaluation.IsZero() || r.EvaluationTime <= 0 || r.Labels["severity"] == "" || r.Annotations["summary"] == "" ||
			!strings.Contains(r.Query, "traces_span_metrics") {
			t.Errorf("alerting rule %+v", r)
		}
		for _, a := range r.Alerts {
			if a.Name != r.Name || a.State != "firing" || a.Labels["service_name"] == "" {
				t.Errorf("alert of %s: %+v", r.Name, a)
			}
		}
	}
	if g.Rules[0].Name != "HighErrorRate" || g.Rules[1].Name != "HighLatency" {
		t.Errorf("rules in the order of the file: %s, %s", g.Rules[0].Name, g.Rules[1].Name)
	}
	rec := groups[1]
	if rec.Interval != 5*time.Second || len(rec.Rules) != 1 {
		t.Fatalf("recording group %+v", rec)
	}
	r := rec.Rules[0]
	if r.Kind != sources.RuleRecording || r.Name != "service_name:traces_span_metrics_calls:rate5m" || r.Health != "ok" || r.State != "" || r.For != 0 ||
		!strings.HasPrefix(r.Query, "sum by (service_name)") {
		t.Errorf("recording rule %+v", r)
	}
}
