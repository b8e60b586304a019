package tui

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/tui/internal/tracetest"
)

// A click on a waterfall row selects it (the details follow), a click
// on another pane focuses it, the wheel scrolls the focused pane; found
// on the rendered screen, side by side and stacked.
func TestMouse(t *testing.T) {
	for _, size := range [][2]int{{200, 50}, {80, 24}} {
		t.Run(itoa(size[0])+"x"+itoa(size[1]), func(t *testing.T) {
			o := demoOptions(t)
			o.Trace = tracetest.Demo(t).SlowestFailingTrace()
			m := start(o, size[0], size[1])
			ruler, x := findRuler(t, m)
			m = update(m, tea.MouseClickMsg{X: max(2, x), Y: ruler + 4, Button: tea.MouseLeft})
			nd := m.waterfall.Selected()
			if nd == nil || nd == m.waterfall.Tree().Nodes[0] {
				t.Fatal("the click selected nothing")
			}
			line := ansi.Strip(strings.Split(m.Render(), "\n")[ruler+4])
			if !strings.Contains(line, "▶") || !strings.Contains(line, sources.Sanitize(nd.Span.Operation)) {
				t.Errorf("selected %s, the clicked line is %q", nd.Span.Operation, line)
			}
			if m.details.Span() == nil || m.details.Span().Span != nd.Span {
				t.Error("the details do not show the clicked span")
			}
			// the wheel moves the selection in the focused waterfall
			m = update(m, tea.MouseWheelMsg{X: 1, Y: 1, Button: tea.MouseWheelDown})
			next := m.waterfall.Selected()
			m = update(m, tea.MouseWheelMsg{X: 1, Y: 1, Button: tea.MouseWheelDown})
			m = update(m, tea.MouseWheelMsg{X: 1, Y: 1, Button: tea.MouseWheelUp})
			if got := m.waterfall.Selected(); next == nd || got != next {
				t.Error("the wheel did not move the selection one row down in all")
			}
			// a click on the traces pane's title focuses it
			m = update(m, tea.MouseClickMsg{X: 3, Y: 0, Button: tea.MouseLeft})
			if m.focus != focusTraces {
				t.Errorf("focus %d after a click on the traces pane", m.focus)
			}
			// a click on the waterfall's title focuses it, the selection stays
			sel, title := m.waterfall.Selected(), -1
			for i, l := range strings.Split(ansi.Strip(m.Render()), "\n") {
				if strings.HasPrefix(l, "  Waterfall ─") {
					title = i
				}
			}
			m = update(m, tea.MouseClickMsg{X: 3, Y: title, Button: tea.MouseLeft})
			if m.waterfall.Selected() != sel || m.focus != focusWaterfall {
				t.Errorf("a click on the waterfall's title (line %d): focus %d, selection moved %v", title, m.focus, m.waterfall.Selected() != sel)
			}
		})
	}
}

// findRuler returns the screen line of the waterfall's ruler (the rows
// start below it) and a column left of its start.
func findRuler(t *testing.T, m Model) (int, int) {
	t.Helper()
	lines := strings.Split(ansi.Strip(m.Render()), "\n")
	for i, l := range lines {
		if j := strings.Index(l, "├─"); j >= 0 && strings.Contains(l, "┤") {
			return i, ansi.StringWidth(l[:j]) - 10
		}
	}
	t.Fatalf("no ruler on the screen:\n%s", strings.Join(lines, "\n"))
	return 0, 0
}
