package alerting

import (
	"context"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/telx-cli/telx/internal/teasync"
	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/sources/alertmanager"
	"github.com/telx-cli/telx/sources/demo"
	"github.com/telx-cli/telx/sources/prometheus"
	"github.com/telx-cli/telx/test/harness"
	"github.com/telx-cli/telx/tui"
	"github.com/telx-cli/telx/tui/alerts"
	"github.com/telx-cli/telx/tui/styles"
)

// explorer is the explorer on the harness's Prometheus and Alertmanager
// (traces from the demo: the alerts list does not need Jaeger).
func explorer(t *testing.T, amURL string) (tui.Model, *alertmanager.Client) {
	t.Helper()
	env := harness.Shared(t)
	am, err := alertmanager.New(alertmanager.Options{URL: amURL})
	if err != nil {
		t.Fatal(err)
	}
	prom, err := prometheus.New(prometheus.Options{URL: env.PrometheusURL})
	if err != nil {
		t.Fatal(err)
	}
	sc, err := demo.Load(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	o := tui.Options{Traces: demo.NewSource(sc), Metrics: prom, Rules: prom, AlertManager: am, Author: "telx-explorer-test",
		Sources: "harness", Styles: styles.New(false), Location: time.UTC, Timeout: 10 * time.Second}
	m := tui.New(o)
	m = run(m, teasyncSize(120, 40))
	m = run(m, m.Init()())
	return m, am
}

func teasyncSize(w, h int) any { return sizeMsg(w, h) }

func run(m tui.Model, msgs ...any) tui.Model {
	for _, msg := range msgs {
		m = teasync.Run(m, teasync.Model[tui.Model], msg)
	}
	return m
}

func keys(m tui.Model, ks ...string) tui.Model {
	for _, k := range ks {
		m = run(m, teasync.Key(k))
	}
	return m
}

func typeText(m tui.Model, s string) tui.Model {
	for _, r := range s {
		m = run(m, teasync.Key(string(r)))
	}
	return m
}

func screen(m tui.Model) string { return ansi.Strip(m.Render()) }

// chosen is the chosen alert's line in the list, and the next (its labels
// go there when they do not fit).
func chosen(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, "▶ ") && i+1 < len(lines) {
			return l + "\n" + lines[i+1]
		}
	}
	return ""
}

// silencesWithComment are the silences (of every state) that comment made.
func silencesWithComment(t *testing.T, am *alertmanager.Client, comment string) []sources.Silence {
	t.Helper()
	all, err := am.Silences(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	var out []sources.Silence
	for _, s := range all {
		if s.Comment == comment {
			out = append(out, s)
		}
	}
	return out
}

// In the explorer, s opens a silence form filled with the alert's labels
// that counts what it would silence; the silence is created only once
// confirmed (the real Alertmanager and amtool then list it), and x
// expires it, once confirmed too.
func TestExplorerSilenceFormAndExpire(t *testing.T) {
	env := harness.Shared(t)
	m, am := explorer(t, env.AlertmanagerURL)
	m = keys(m, "a")
	want := "▶ ✗ firing  HighErrorRate service_name=payments severity=page"
	for i := 0; i < 10 && !strings.Contains(screen(m), want); i++ {
		m = keys(m, "j")
	}
	if s := screen(m); !strings.Contains(s, want) || !strings.Contains(s, " · active") {
		t.Fatalf("the payments alert is not listed as active:\n%s", s)
	}
	m = keys(m, "s")
	s := screen(m)
	if !strings.Contains(s, `alertname="HighErrorRate", service_name="payments", severity="page"`) ||
		!strings.Contains(s, "it would silence 1 alert of the") || !strings.Contains(s, "author    telx-explorer-test") {
		t.Fatalf("form:\n%s", s)
	}
	// no comment: refused in the form, nothing created
	m = keys(m, "enter")
	if s := screen(m); !strings.Contains(s, "a silence needs a comment") {
		t.Fatalf("no comment accepted:\n%s", s)
	}
	comment := "from the explorer " + time.Now().Format(time.RFC3339Nano)
	m = keys(m, "tab", "ctrl+u")
	m = typeText(m, "30m")
	m = keys(m, "tab")
	m = typeText(m, comment)
	m = keys(m, "enter")
	s = screen(m)
	if !strings.Contains(s, "Create this silence?") || !strings.Contains(s, "it silences 1 alert of the") || !strings.Contains(s, "(30m)") {
		t.Fatalf("confirmation:\n%s", s)
	}
	if got := silencesWithComment(t, am, comment); len(got) != 0 {
		t.Fatalf("created before the confirmation: %+v", got)
	}
	// n: back to the form, still nothing
	m = keys(m, "n")
	if s := screen(m); !strings.Contains(s, "Silence HighErrorRate") {
		t.Fatalf("n did not go back to the form:\n%s", s)
	}
	if got := silencesWithComment(t, am, comment); len(got) != 0 {
		t.Fatalf("created on n: %+v", got)
	}
	m = keys(m, "enter", "y")
	got := silencesWithComment(t, am, comment)
	if len(got) != 1 || got[0].State != sources.SilenceActive || got[0].CreatedBy != "telx-explorer-test" ||
		sources.FormatMatchers(got[0].Matchers, " ") != `alertname="HighErrorRate" service_name="payments" severity="page"` {
		t.Fatalf("after y: %+v", got)
	}
	id := got[0].ID
	t.Cleanup(func() { _ = am.ExpireSilence(context.Background(), id) })
	if !strings.Contains(amtool(t, "silence", "query", "-q"), id) {
		t.Errorf("amtool does not list %s", id)
	}
	if s := screen(m); !strings.Contains(s, "created silence "+id) {
		t.Errorf("the list does not say the silence was created:\n%s", s)
	}

	// the list shows the alert silenced by it (Alertmanager applies it at
	// its next evaluation)
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(screen(m), "silenced by "+id) {
		if time.Now().After(deadline) {
			t.Fatalf("the alert is not shown silenced by %s:\n%s", id, screen(m))
		}
		time.Sleep(300 * time.Millisecond)
		m = run(m, alerts.ReloadMsg{})
	}
	if c := chosen(screen(m)); !strings.Contains(c, "HighErrorRate") || !strings.Contains(c, "service_name=payments severity=page") {
		t.Fatalf("the choice left the payments alert: %q", c)
	}
	m = keys(m, "x")
	if s := screen(m); !strings.Contains(s, "Expire the silences of HighErrorRate?") || !strings.Contains(s, id) {
		t.Fatalf("expire confirmation:\n%s", s)
	}
	m = keys(m, "esc")
	if sl, err := am.Silence(context.Background(), id); err != nil || sl.State != sources.SilenceActive {
		t.Fatalf("esc expired it: %+v %v", sl, err)
	}
	m = keys(m, "x", "y")
	if sl, err := am.Silence(context.Background(), id); err != nil || sl.State != sources.SilenceExpired {
		t.Fatalf("after x y: %+v %v", sl, err)
	}
	if s := screen(m); !strings.Contains(s, "expired silence "+id) {
		t.Errorf("the list does not say it expired:\n%s", s)
	}
}

// An unreachable Alertmanager while Prometheus answers: the list shows
// Prometheus' alerts with a warning.
func TestExplorerAlertmanagerUnreachable(t *testing.T) {
	m, _ := explorer(t, "http://127.0.0.1:1")
	if bar := screen(m); !strings.Contains(bar, "! the alerts are Prometheus': Alertmanager failed: ") {
		t.Errorf("no warning on the status bar:\n%s", bar)
	}
	m = keys(m, "a")
	s := screen(m)
	if !strings.Contains(s, "! the alerts are Prometheus': Alertmanager failed: alertmanager at http://127.0.0.1:1") || !strings.Contains(s, "HighErrorRate") || strings.Contains(s, " · active") {
		t.Errorf("list:\n%s", s)
	}
}

func sizeMsg(w, h int) any { return tea.WindowSizeMsg{Width: w, Height: h} }
