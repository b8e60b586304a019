package integration

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/telx-cli/telx/sources/jaeger"
	"github.com/telx-cli/telx/test/harness"
	"github.com/telx-cli/telx/tui"
	"github.com/telx-cli/telx/tui/styles"
)

// run feeds msg to the explorer with every command it leads to,
// synchronously, as the program would.
func runExplorer(m tui.Model, msg tea.Msg) tui.Model {
	queue := []tea.Msg{msg}
	for len(queue) > 0 {
		msg, queue = queue[0], queue[1:]
		if b, ok := msg.(tea.BatchMsg); ok {
			for _, c := range b {
				if c != nil {
					queue = append(queue, c())
				}
			}
			continue
		}
		next, cmd := m.Update(msg)
		m = next.(tui.Model)
		if cmd != nil {
			queue = append(queue, cmd())
		}
	}
	return m
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
}
