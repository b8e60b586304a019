package waterfall

import (
	"strconv"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/telx-cli/telx/tui/pane"
	"github.com/telx-cli/telx/tui/render"
)

// CompareMsg asks the root model to show, in the pane's place, the
// comparison of the marked trace with the one open here (the C key).
type CompareMsg struct{ ID int }

// flameState is the flame graph the pane shows instead of the waterfall
// (the f key): render.FlameLines of the trace, scrolled.
type flameState struct {
	on     bool
	lines  []string
	offset int
}

// Flame tells whether the pane shows the flame graph.
func (m Model) Flame() bool { return m.flame.on }

// ToggleFlame switches between the waterfall and the flame graph.
func (m *Model) ToggleFlame() {
	m.flame.on = !m.flame.on
	m.flame.offset = 0
	m.drawFlame()
}

// drawFlame draws the flame graph of the trace at the pane's width.
func (m *Model) drawFlame() {
	m.flame.lines = nil
	if m.flame.on && m.tree != nil {
		m.flame.lines = render.FlameLines(m.tree, render.FlameOptions{Width: m.rowWidth(), Styles: m.st})
	}
	m.flame.offset = pane.Clamp(m.flame.offset, m.flameMaxOffset()+1)
}

func (m Model) flameHeight() int { return max(1, m.height-1) }

func (m Model) flameMaxOffset() int { return max(0, len(m.flame.lines)-m.flameHeight()) }

// flameKey scrolls the flame graph; f goes back to the waterfall.
func (m *Model) flameKey(msg tea.KeyPressMsg) tea.Cmd {
	km := m.KeyMap
	move := func(n int) { m.flame.offset = max(0, min(m.flameMaxOffset(), m.flame.offset+n)) }
	switch {
	case key.Matches(msg, km.Flame), msg.String() == "esc":
		m.ToggleFlame()
	case key.Matches(msg, km.Up):
		move(-1)
	case key.Matches(msg, km.Down):
		move(1)
	case key.Matches(msg, km.PageUp):
		move(-m.flameHeight())
	case key.Matches(msg, km.PageDown):
		move(m.flameHeight())
	case key.Matches(msg, km.Top):
		move(-len(m.flame.lines))
	case key.Matches(msg, km.Bottom):
		move(len(m.flame.lines))
	case key.Matches(msg, km.Compare):
		return m.compare()
	}
	return nil
}

// compare asks for the comparison of the marked trace with this one.
func (m Model) compare() tea.Cmd {
	if m.tree == nil {
		return nil
	}
	id := m.id
	return func() tea.Msg { return CompareMsg{ID: id} }
}

// flameView draws the flame graph's lines in view and a status line.
func (m Model) flameView() string {
	lines := make([]string, 0, m.height)
	end := min(len(m.flame.lines), m.flame.offset+m.flameHeight())
	for _, l := range m.flame.lines[m.flame.offset:end] {
		lines = append(lines, " "+l)
	}
	for len(lines) < m.height-1 {
		lines = append(lines, "")
	}
	status := "flame graph · line " + strconv.Itoa(m.flame.offset+1) + "/" + strconv.Itoa(len(m.flame.lines)) + " · f: the waterfall"
	lines = append(lines, m.st.Dim.Apply(status))
	return pane.Box(lines, m.width, m.height)
}
