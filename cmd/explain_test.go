package cmd

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"

	"github.com/telx-cli/telx/sources/config"
	"github.com/telx-cli/telx/sources/demo"
	"github.com/telx-cli/telx/sources/explain"
)

// telx alerts --explain on the demo: the rule's series with the
// threshold and the crossing, the service's error and warning lines, its
// failing and slowest traces; at 80 and 200 columns, with and without
// colour, and piped.
func TestExplainDemoGolden(t *testing.T) {
	now := demo.DatasetNow
	for _, tt := range []struct {
		name    string
		alert   string
		width   int
		profile colorprofile.Profile
	}{
		{"explain/payments-80", "PaymentsHighErrorRate", 80, colorprofile.Ascii},
		{"explain/payments-80-color", "PaymentsHighErrorRate", 80, colorprofile.TrueColor},
		{"explain/payments-200", "PaymentsHighErrorRate", 200, colorprofile.Ascii},
		{"explain/payments-200-color", "PaymentsHighErrorRate", 200, colorprofile.TrueColor},
		{"explain/checkout-80", "CheckoutHighLatency", 80, colorprofile.Ascii},
		{"explain/checkout-piped", "CheckoutHighLatency", 80, colorprofile.NoTTY},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := demoRunAt(t, now, tt.width, tt.profile, "alerts", "--utc", "--explain", tt.alert)
			if code != ExitOK {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			for _, want := range []string{tt.alert, "threshold > ", "^ crossed", "crossed ", "Failing traces", "Slowest traces"} {
				if !strings.Contains(out, want) {
					t.Errorf("no %q in\n%s", want, out)
				}
			}
			if tt.profile == colorprofile.Ascii || tt.profile == colorprofile.NoTTY {
				if strings.Contains(out, "\x1b[") {
					t.Errorf("escape sequences without colour:\n%q", out)
				}
			} else if !strings.Contains(out, "\x1b[") {
				t.Error("no colour")
			}
			for _, l := range strings.Split(out, "\n") {
				if w := ansi.StringWidth(l); tt.profile != colorprofile.NoTTY && w > tt.width {
					t.Errorf("line of %d columns over %d: %q", w, tt.width, l)
				}
			}
			golden(t, tt.name, out)
		})
	}
}

// The evidence as JSON: the rule, the threshold, the alert's series and
// its crossing, after the alert went pending (its pending time less the
// lead) and before now.
func TestExplainDemoJSON(t *testing.T) {
	now := demo.DatasetNow
	code, out, errOut := demoRunAt(t, now, 80, colorprofile.NoTTY, "alerts", "--explain", "PaymentsHighErrorRate", "-o", "json")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var ev explain.Evidence
	if err := json.Unmarshal([]byte(out), &ev); err != nil {
		t.Fatal(err)
	}
	if ev.Rule == nil || ev.Threshold == nil || ev.Threshold.Value != 0.05 || ev.Threshold.Op != ">" {
		t.Fatalf("rule %+v threshold %+v", ev.Rule, ev.Threshold)
	}
	if len(ev.Series) != 1 || !ev.Series[0].Alert || ev.Series[0].Crossed.IsZero() {
		t.Fatalf("series %+v", ev.Series)
	}
	c := ev.Series[0].Crossed
	if c.Before(ev.Window.From) || c.After(now) || ev.Window.From.After(ev.Pending) {
		t.Errorf("crossed %v, window %v, pending %v", c, ev.Window, ev.Pending)
	}
	if d := c.Sub(ev.Pending); d < -explain.Step(ev.Window) || d > explain.Step(ev.Window) {
		t.Errorf("crossed at %v, a step or more from when it went pending (%v)", c, ev.Pending)
	}
	if ev.Service != "payments" || len(ev.Logs) == 0 || len(ev.Failing) == 0 || len(ev.Slowest) == 0 {
		t.Errorf("service %q, %d logs, %d failing, %d slowest", ev.Service, len(ev.Logs), len(ev.Failing), len(ev.Slowest))
	}
	for _, tr := range ev.Failing {
		if tr.ErrorCount() == 0 {
			t.Errorf("failing trace %s has no error", tr.ID)
		}
	}
	for _, e := range ev.Logs {
		if e.Level != "error" && e.Level != "warn" {
			t.Errorf("a %q line among the evidence", e.Level)
		}
	}
}

func TestExplainBadInput(t *testing.T) {
	now := demo.DatasetNow
	for _, tt := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"alerts", "--explain", "NoSuchAlert"}, ExitNotFound, "active: "},
		{[]string{"alerts", "--explain", "PaymentsHighErrorRate", "--group-by", "severity"}, ExitUsage, "--explain shows one alert"},
		{[]string{"alerts", "--explain", "PaymentsHighErrorRate", "severity=warning"}, ExitNotFound, "no active alert"},
		{[]string{"alerts", "--explain", "\x1b[31mX"}, ExitNotFound, `\x1b`},
	} {
		code, _, errOut := demoRunAt(t, now, 80, colorprofile.NoTTY, tt.args...)
		if code != tt.code || !strings.Contains(errOut, tt.want) {
			t.Errorf("%v: exit %d, %q; want %d and %q", tt.args, code, errOut, tt.code, tt.want)
		}
		if strings.Contains(errOut, "\x1b[") {
			t.Errorf("%v: an escape reached stderr: %q", tt.args, errOut)
		}
	}
}

func TestServiceLabelsFlag(t *testing.T) {
	g := &GlobalOptions{}
	if got := g.serviceLabels(""); strings.Join(got, ",") != "service_name,service,job" {
		t.Errorf("default %v", got)
	}
	if got := g.serviceLabels("app, job"); strings.Join(got, ",") != "app,job" {
		t.Errorf("flag %v", got)
	}
	g.Context = &config.Context{AlertServiceLabels: []string{"team", " app"}}
	if got := g.serviceLabels(""); strings.Join(got, ",") != "team,app" {
		t.Errorf("context %v", got)
	}
	if got := g.serviceLabels("job"); strings.Join(got, ",") != "job" {
		t.Errorf("the flag over the context: %v", got)
	}
}
