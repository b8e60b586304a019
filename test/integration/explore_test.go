package integration

import (
	"regexp"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/telx-cli/telx/internal/teasync"
	"github.com/telx-cli/telx/sources/jaeger"
	"github.com/telx-cli/telx/sources/loki"
	"github.com/telx-cli/telx/sources/prometheus"
	"github.com/telx-cli/telx/test/harness"
	"github.com/telx-cli/telx/tui"
	"github.com/telx-cli/telx/tui/logs"
	"github.com/telx-cli/telx/tui/metrics"
	"github.com/telx-cli/telx/tui/styles"
)

// run feeds msg to the explorer with every command it leads to,
// synchronously, as the program would.
func runExplorer(m tui.Model, msg tea.Msg) tui.Model {
	return teasync.Run(m, teasync.Model[tui.Model], msg)
}

// The explorer against the real Jaeger: telx trace <big trace> -i.
func TestExplorerOnJaeger(t *testing.T) {
	env := harness.Shared(t)
	client, err := jaeger.New(jaeger.Options{URL: env.JaegerURL})
	if err != nil {
		t.Fatal(err)
	}
	m := tui.New(tui.Options{Traces: client, TraceID: env.Scenario.BigTraceID, Sources: "jaeger " + env.JaegerURL,
		Styles: styles.New(false), Location: time.UTC, Lookback: 2 * time.Hour, Timeout: 20 * time.Second})
	m = runExplorer(m, tea.WindowSizeMsg{Width: 200, Height: 50})
	m = runExplorer(m, m.Init()())
	screen := m.Render()
	for _, want := range []string{
		string(env.Scenario.BigTraceID) + " frontend POST /api/orders/export",
		"1202 spans",
		"span 1/1202",
		"Traces · frontend",
		"frontend POST /api/checkout",
		"jaeger " + env.JaegerURL,
	} {
		if !strings.Contains(screen, want) {
			t.Errorf("screen lacks %q:\n%s", want, screen)
		}
	}
	if strings.Contains(screen, "loading") || strings.Contains(screen, "✗ trace") {
		t.Errorf("still loading or failed:\n%s", screen)
	}
	m = runExplorer(m, tea.KeyPressMsg{Code: 'e', Text: "e"})
	if s := m.Render(); !strings.Contains(s, "✗ canceling statement due to lock timeout") && !strings.Contains(s, "✗ batch incomplete") {
		t.Errorf("e did not reach a failed span:\n%s", s)
	}

	// the search form completes frontend's operations, asked of Jaeger
	m = runExplorer(m, tea.KeyPressMsg{Code: tea.KeyTab, Mod: tea.ModShift}) // the Traces pane
	for _, k := range []tea.KeyPressMsg{{Code: 's', Text: "s"}, {Code: tea.KeyTab}, {Code: 'u', Mod: tea.ModCtrl}} {
		m = runExplorer(m, k)
	}
	for _, r := range "POST /api/ch" {
		m = runExplorer(m, tea.KeyPressMsg{Code: r, Text: string(r)})
	}
	m = runExplorer(m, tea.KeyPressMsg{Code: tea.KeyTab})
	if s := m.Render(); !strings.Contains(s, "Operation [POST /api/checkout") || strings.Contains(s, "✗ operations") {
		t.Errorf("tab did not complete frontend's POST /api/checkout:\n%s", s)
	}
}

// The Logs pane against the real Loki: the opened trace's root span's
// lines, then the whole trace's; the Metrics pane against the real
// Prometheus: the root's service's RED view.
func TestExplorerPanesOnLokiAndPrometheus(t *testing.T) {
	env := harness.Shared(t)
	client, err := jaeger.New(jaeger.Options{URL: env.JaegerURL})
	if err != nil {
		t.Fatal(err)
	}
	lc, err := loki.New(loki.Options{URL: env.LokiURL})
	if err != nil {
		t.Fatal(err)
	}
	pc, err := prometheus.New(prometheus.Options{URL: env.PrometheusURL})
	if err != nil {
		t.Fatal(err)
	}
	st := styles.New(false)
	m := tui.New(tui.Options{Traces: client, Logs: lc, Metrics: pc, TraceID: env.Scenario.BigTraceID, Sources: "jaeger " + env.JaegerURL,
		Styles: st, Location: time.UTC, Lookback: 2 * time.Hour, Timeout: 20 * time.Second,
		Extra: []tui.Pane{
			logs.New(logs.Options{Source: lc, Styles: st, Location: time.UTC, Timeout: 20 * time.Second}),
			metrics.New(metrics.Options{Source: pc, Styles: st, Location: time.UTC, Timeout: 20 * time.Second}),
		}})
	m = runExplorer(m, tea.WindowSizeMsg{Width: 200, Height: 50})
	m = runExplorer(m, m.Init()())
	screen := m.Render()
	for _, want := range []string{
		"Logs · span frontend POST /api/orders/export",
		"frontend   POST /api/orders/export HTTP/1.1",
		"line 1/1 · t: span",
		"Metrics · frontend",
		"FRONTEND",
		"trace ",
	} {
		if !strings.Contains(screen, want) {
			t.Errorf("screen lacks %q:\n%s", want, screen)
		}
	}
	if !regexp.MustCompile(`\nrate +[▁▂▃▄▅▆▇█ ]*[▁▂▃▄▅▆▇█][▁▂▃▄▅▆▇█ ]* +[0-9.]+/s `).MatchString(strings.ReplaceAll(screen, "│", "\n")) {
		t.Errorf("no rate sparkline:\n%s", screen)
	}
	// the whole trace: checkout's start and end, payments' failures
	for _, k := range []string{"tab", "tab", "t"} {
		msg := tea.KeyPressMsg{Code: []rune(k)[0], Text: k}
		if k == "tab" {
			msg = tea.KeyPressMsg{Code: tea.KeyTab}
		}
		m = runExplorer(m, msg)
	}
	screen = m.Render()
	for _, want := range []string{
		"Logs · trace " + string(env.Scenario.BigTraceID)[:12],
		`INFO  checkout   export started caller=`,
		"ERROR payments   payment status unavailable",
		"ERROR checkout   batch incomplete caller=checkout/batch.go:",
	} {
		if !strings.Contains(screen, want) {
			t.Errorf("screen lacks %q:\n%s", want, screen)
		}
	}
	if strings.Contains(screen, "loading") || strings.Contains(screen, "✗ logs") {
		t.Errorf("still loading or failed:\n%s", screen)
	}
}
