package tui

import (
	"strconv"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/telx-cli/telx/tui/render"
)

// The zoom: a key (m, as tmux's prefix+z) makes the focused pane fill
// the screen above the status bar, and back. The zoom stays while the
// focus moves: Tab shows the next pane full screen. The other panes keep
// the sizes the normal layout gives them, so that nothing they hold
// (scroll, a query sized to their width) changes while they are hidden.

// SizeChangedMsg goes to the extra panes when their size may have
// changed (a new terminal size, the zoom in or out, the zoom moved to
// another pane): a pane whose query depends on its width (the Metrics
// pane's step) may ask again. SetSize has already given the new size.
type SizeChangedMsg struct{}

// resized tells the extra panes that their sizes changed.
func (m *Model) resized() tea.Cmd { return m.toPanes(SizeChangedMsg{}) }

// zoomMoved tells them when the focus moved while zoomed: the newly
// focused pane grew to the screen.
func (m *Model) zoomMoved() tea.Cmd {
	if !m.zoomed {
		return nil
	}
	return m.resized()
}

// zoomBinding is the zoom's key.
func zoomBinding() key.Binding {
	return key.NewBinding(key.WithKeys("m"), key.WithHelp("m", "zoom the pane (full screen) or back"))
}

// Zoomed tells whether the focused pane fills the screen.
func (m Model) Zoomed() bool { return m.zoomed }

// toggleZoom zooms the focused pane in or out.
func (m *Model) toggleZoom() tea.Cmd {
	m.zoomed = !m.zoomed
	m.sizePanes()
	return m.resized()
}

// layout is each pane's size (title included), in focus order: the
// normal layout's, the focused pane's the whole body when zoomed.
func (m Model) layout() []box {
	bs := m.boxes()
	if m.zoomed && m.focus < len(bs) {
		bs[m.focus] = box{m.width, max(0, m.height-2)}
	}
	return bs
}

// paneTitle and paneView are pane i's title and drawing.
func (m Model) paneTitle(i int) string {
	switch i {
	case focusTraces:
		return m.traces.Title()
	case focusWaterfall:
		return m.waterfallTitle()
	case focusDetails:
		return m.details.Title()
	}
	return m.extra[i-focusExtra].Title()
}

func (m Model) paneView(i int) string {
	switch i {
	case focusTraces:
		return m.traces.View()
	case focusWaterfall:
		return m.waterfallView()
	case focusDetails:
		return m.details.View()
	}
	return m.extra[i-focusExtra].View()
}

// zoomView draws the zoomed pane: its title bar, which says so, over
// its content.
func (m Model) zoomView() string {
	h := max(0, m.height-2)
	if h == 0 {
		return ""
	}
	head := m.zoomTitle(m.paneTitle(m.focus), m.width)
	if h == 1 {
		return head
	}
	return head + "\n" + m.paneView(m.focus)
}

// zoomTitle is the zoomed pane's title bar: its title, and on the right
// that it is zoomed, which of the panes it is, and the key back.
func (m Model) zoomTitle(title string, width int) string {
	tag := "[zoom " + strconv.Itoa(m.focus+1) + "/" + strconv.Itoa(m.panes()) + " · " + m.KeyMap.Zoom.Help().Key + ": all panes]"
	if w := render.Width(tag); width < w+16 {
		tag = "[zoom]"
	}
	left := render.Fit("▶ "+title+" ", max(0, width-render.Width(tag)-1))
	if !m.st.Color {
		// no reverse video: a rule leads the eye to the tag
		if t := strings.TrimRight(left, " "); render.Width(left)-render.Width(t) >= 2 {
			left = t + " " + strings.Repeat("─", render.Width(left)-render.Width(t)-1)
		}
	}
	return m.st.Focus().Apply(render.Fit(left+" "+tag, width))
}

// zoomPaneAt is the pane under row y when zoomed: the zoomed one, above
// the status bar.
func (m Model) zoomPaneAt(y int) int {
	if y >= 0 && y < m.height-2 {
		return m.focus
	}
	return -1
}

// zoomKeys are the global keys, the zoom's help saying what it does now.
func (m Model) zoomKeys() KeyMap {
	km := m.KeyMap
	if m.zoomed {
		km.Zoom.SetHelp(km.Zoom.Help().Key, "all panes")
	} else {
		km.Zoom.SetHelp(km.Zoom.Help().Key, "zoom")
	}
	return km
}
