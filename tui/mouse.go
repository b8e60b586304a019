package tui

import tea "charm.land/bubbletea/v2"

// point is a pane's top left cell on the screen.
type point struct{ x, y int }

// origins returns where each pane's box starts (its title line), in
// focus order, as Render lays them out.
func (m Model) origins() []point {
	bs := m.boxes()
	out := make([]point, len(bs))
	if m.zoomed {
		return out // the zoomed pane's at the top left
	}
	if !m.wide() {
		y := 0
		for i, b := range bs {
			out[i] = point{0, y}
			y += b.h
		}
		return out
	}
	left := bs[focusTraces].w
	out[focusTraces] = point{0, 0}
	out[focusWaterfall] = point{0, bs[focusTraces].h}
	out[focusDetails] = point{left + 1, 0}
	if len(m.extra) > 0 {
		top, x := bs[focusTraces].h+bs[focusWaterfall].h, 0
		for i := range m.extra {
			out[focusExtra+i] = point{x, top}
			x += bs[focusExtra+i].w + 1
		}
		return out
	}
	y := bs[focusDetails].h
	for i := range m.extra {
		out[focusExtra+i] = point{left + 1, y}
		y += bs[focusExtra+i].h
	}
	return out
}

// paneAt returns the pane whose box holds cell (x, y), or -1.
func (m Model) paneAt(x, y int) int {
	if m.showHelp || m.showAlerts || m.commanding {
		return -1
	}
	if m.zoomed {
		return m.zoomPaneAt(y)
	}
	bs := m.boxes()
	for i, o := range m.origins() {
		if x >= o.x && x < o.x+bs[i].w && y >= o.y && y < o.y+bs[i].h {
			return i
		}
	}
	return -1
}

// wheel scrolls the focused pane: a wheel notch is an up or down key.
func (m *Model) wheel(ms tea.Mouse) tea.Cmd {
	if m.commanding || m.showHelp || m.showAlerts {
		return nil
	}
	if t, ok := m.focusedTyper(); ok && t {
		return nil
	}
	switch ms.Button {
	case tea.MouseWheelUp:
		return m.updateFocused(tea.KeyPressMsg{Code: tea.KeyUp})
	case tea.MouseWheelDown:
		return m.updateFocused(tea.KeyPressMsg{Code: tea.KeyDown})
	}
	return nil
}

// click focuses the pane clicked; in the waterfall it selects the row.
func (m *Model) click(ms tea.Mouse) tea.Cmd {
	if ms.Button != tea.MouseLeft {
		return nil
	}
	i := m.paneAt(ms.X, ms.Y)
	if i < 0 {
		return nil
	}
	if t, ok := m.focusedTyper(); ok && t {
		return nil
	}
	// the row clicked is the one drawn before the focus resizes the panes
	var cmd tea.Cmd
	if i == focusWaterfall && !m.comparing() && m.waterfall.ClickLine(ms.Y-m.origins()[i].y-1) { // under the title bar
		cmd = m.syncSelection()
	}
	if i != m.focus {
		m.setFocus(i)
	}
	return cmd
}

// focusedTyper tells whether the focused pane has a prompt open.
func (m Model) focusedTyper() (typing, ok bool) {
	if m.focus == focusWaterfall {
		return m.waterfall.Typing(), true
	}
	if m.focus >= focusExtra {
		if t, ok := m.extra[m.focus-focusExtra].(typer); ok {
			return t.Typing(), true
		}
	}
	return false, false
}
