package tui

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/tui/internal/tracetest"
)

// Zoomed, the focused pane gets the whole body; the mouse finds its rows
// where the zoomed screen draws them, and a click anywhere on it keeps
// the zoom on it.
func TestZoomLayoutAndMouse(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {200, 50}} {
		t.Run(itoa(size[0])+"x"+itoa(size[1]), func(t *testing.T) {
			o := demoOptions(t)
			o.Trace = tracetest.Demo(t).SlowestFailingTrace()
			m := start(o, size[0], size[1])
			normal := m.boxes()
			m = update(m, press("m"))
			bs := m.layout()
			if bs[focusWaterfall] != (box{size[0], size[1] - 2}) {
				t.Errorf("the zoomed waterfall's box %v, want the screen above the status bar", bs[focusWaterfall])
			}
			// the hidden panes keep their sizes
			for i := range bs {
				if i != focusWaterfall && bs[i] != normal[i] {
					t.Errorf("pane %d: %v zoomed, %v not", i, bs[i], normal[i])
				}
			}
			ruler, x := findRuler(t, m)
			if m.paneAt(x, ruler+3) != focusWaterfall || m.paneAt(0, size[1]-1) != -1 {
				t.Error("paneAt does not find the zoomed pane")
			}
			m = update(m, tea.MouseClickMsg{X: max(2, x), Y: ruler + 3, Button: tea.MouseLeft})
			nd := m.waterfall.Selected()
			if nd == nil || nd == m.waterfall.Tree().Nodes[0] {
				t.Fatal("the click selected nothing")
			}
			line := ansi.Strip(strings.Split(m.Render(), "\n")[ruler+3])
			if !strings.Contains(line, "▶") || !strings.Contains(line, sources.Sanitize(nd.Span.Operation)) {
				t.Errorf("selected %s, the clicked line is %q", nd.Span.Operation, line)
			}
			if !m.zoomed || m.focus != focusWaterfall {
				t.Errorf("after the click: zoomed %v, focus %d", m.zoomed, m.focus)
			}
			// the details follow the selection while hidden
			if m.details.Span() == nil || m.details.Span().Span != nd.Span {
				t.Error("the details do not show the clicked span")
			}
		})
	}
}
