package tui_test

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/telx-cli/telx/tui"
	"github.com/telx-cli/telx/tui/internal/tracetest"
	"github.com/telx-cli/telx/tui/styles"
)

// A on the Traces pane analyses its search over the screen; n goes to the
// next table (the first, from none), enter on the first row of where errors start opens its
// example trace at the failing postgres span, in the waterfall; A again
// and esc goes back to the panes as they were.
func TestAnalysisFromTheTracesPane(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {200, 50}} {
		src := tracetest.Demo(t)
		m := tui.New(tui.Options{Traces: src, Sources: "demo", Service: "frontend", Now: func() time.Time { return tracetest.Now },
			Location: time.UTC, Styles: styles.New(false), Limit: 30})
		m = syncUpdate(m, tea.WindowSizeMsg{Width: size[0], Height: size[1]})
		m = syncUpdate(m, m.Init()())
		before := m.Render()
		m = syncUpdate(m, key("A"))
		screen := m.Render()
		if !strings.Contains(screen, "Analysis · frontend · last 1h") || !strings.Contains(screen, "LATENCY") {
			t.Fatalf("%v: A shows no analysis:\n%s", size, screen)
		}
		if !strings.Contains(screen, "enter open the example trace at its span") && size[0] >= 200 {
			t.Errorf("%v: the help line has not the analysis' keys:\n%s", size, screen)
		}
		m = syncUpdate(m, key("esc"))
		if m.Render() != before {
			t.Errorf("%v: esc does not give the panes back:\n%s", size, m.Render())
		}
		m = syncUpdate(m, key("A"))
		for range 4 {
			m = syncUpdate(m, key("n"))
		}
		screen = m.Render()
		sel := ""
		for _, l := range strings.Split(screen, "\n") {
			if strings.HasPrefix(l, "▶") && !strings.HasPrefix(l, "▶ Analysis") {
				sel = l
			}
		}
		if !strings.Contains(sel, "postgres SELECT accounts") || !strings.Contains(sel, "lock timeo") {
			t.Fatalf("%v: n n n n selects %q:\n%s", size, sel, screen)
		}
		m = syncUpdate(m, key("enter"))
		screen = m.Render()
		if strings.Contains(screen, "LATENCY") || !strings.Contains(screen, "▶ Waterfall") {
			t.Fatalf("%v: enter does not open the waterfall:\n%s", size, screen)
		}
		// the waterfall's selection, which the details pane shows
		selected := false
		for _, l := range strings.Split(screen, "\n") {
			selected = selected || strings.HasPrefix(l, "▶◆") && strings.Contains(l, "postgres SELECT accounts") && strings.Contains(l, "✗")
		}
		if !selected || !strings.Contains(screen, "an example of the analysis: span ") ||
			size[1] >= 50 && !strings.Contains(screen, "canceling statement due to lock timeout") {
			t.Errorf("%v: the failing postgres span is not selected:\n%s", size, screen)
		}
		// A acts on the Traces pane only: on the waterfall it does nothing
		m = syncUpdate(m, key("A"))
		if strings.Contains(m.Render(), "LATENCY") {
			t.Errorf("%v: A opened the analysis from the waterfall", size)
		}
	}
}
