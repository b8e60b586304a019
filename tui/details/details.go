// Package details is the TUI pane describing the selected span: service,
// operation, timing, self time, status, attributes, events and links, as
// render.SpanDetails writes them, scrollable.
package details

import (
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/tui/pane"
	"github.com/telx-cli/telx/tui/render"
	"github.com/telx-cli/telx/tui/styles"
)

// KeyMap are the pane's keys.
type KeyMap struct {
	Up, Down, PageUp, PageDown, Top, Bottom key.Binding
}

// DefaultKeyMap returns the pane's default keys.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Up:       key.NewBinding(key.WithKeys("k", "up"), key.WithHelp("↑/k", "scroll up")),
		Down:     key.NewBinding(key.WithKeys("j", "down"), key.WithHelp("↓/j", "scroll down")),
		PageUp:   key.NewBinding(key.WithKeys("pgup", "ctrl+u"), key.WithHelp("pgup", "page up")),
		PageDown: key.NewBinding(key.WithKeys("pgdown", "ctrl+d"), key.WithHelp("pgdn", "page down")),
		Top:      key.NewBinding(key.WithKeys("g", "home"), key.WithHelp("g", "top")),
		Bottom:   key.NewBinding(key.WithKeys("G", "end"), key.WithHelp("G", "bottom")),
	}
}

// Model is the details pane.
type Model struct {
	KeyMap KeyMap

	id            int
	st            *styles.Styles
	loc           *time.Location
	width, height int

	tree   *sources.Tree
	node   *sources.Node
	lines  []string
	offset int
}

// New returns an empty details pane.
func New(st *styles.Styles, loc *time.Location) Model {
	if st == nil {
		st = styles.New(false)
	}
	return Model{KeyMap: DefaultKeyMap(), id: pane.NextID(), st: st, loc: loc}
}

// ID is the pane's ID.
func (m Model) ID() int { return m.id }

// Title names the pane.
func (m Model) Title() string { return "Details" }

// SetSize sets the pane's size.
func (m *Model) SetSize(width, height int) {
	m.width, m.height = width, height
	m.render()
}

// SetSpan shows a span of a tree (nil: none).
func (m *Model) SetSpan(tr *sources.Tree, nd *sources.Node) {
	if nd == m.node && tr == m.tree {
		return
	}
	m.tree, m.node, m.offset = tr, nd, 0
	m.render()
}

// Span returns the span shown, or nil.
func (m Model) Span() *sources.Node { return m.node }

// Restyle redraws the details after the styles changed
// (styles.Styles.Adapt).
func (m *Model) Restyle() { m.render() }

func (m *Model) render() {
	m.lines = nil
	if m.node != nil {
		m.lines = render.SpanDetails(m.tree, m.node, m.width, m.st, m.loc)
	}
	m.ScrollDown(0)
}

// ScrollDown scrolls n lines down (up when n < 0).
func (m *Model) ScrollDown(n int) {
	m.offset = max(0, min(m.offset+n, len(m.lines)-m.height))
}

// Update handles the pane's keys.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	if k, ok := msg.(tea.KeyPressMsg); ok {
		km := m.KeyMap
		switch {
		case key.Matches(k, km.Up):
			m.ScrollDown(-1)
		case key.Matches(k, km.Down):
			m.ScrollDown(1)
		case key.Matches(k, km.PageUp):
			m.ScrollDown(-m.height)
		case key.Matches(k, km.PageDown):
			m.ScrollDown(m.height)
		case key.Matches(k, km.Top):
			m.offset = 0
		case key.Matches(k, km.Bottom):
			m.ScrollDown(len(m.lines))
		}
	}
	return m, nil
}

// View draws the lines in view.
func (m Model) View() string {
	if m.node == nil {
		return pane.Box([]string{m.st.Dim.Apply("No span selected.")}, m.width, m.height)
	}
	return pane.Box(m.lines[min(m.offset, len(m.lines)):], m.width, m.height)
}

// ShortHelp returns the pane's main keys.
func (m Model) ShortHelp() []key.Binding { return []key.Binding{m.KeyMap.Up, m.KeyMap.Down} }

// FullHelp returns all the pane's keys.
func (m Model) FullHelp() [][]key.Binding {
	k := m.KeyMap
	return [][]key.Binding{{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom}}
}
