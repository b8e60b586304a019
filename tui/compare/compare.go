// Package compare is the explorer's comparison of two traces, shown in
// the waterfall's place: the trace marked in the Traces pane (A) against
// the one open in the waterfall (B), drawn by render.CompareLines and
// scrolled. It holds only view state.
package compare

import (
	"errors"
	"strconv"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/telx-cli/telx/sources"
	scompare "github.com/telx-cli/telx/sources/compare"
	"github.com/telx-cli/telx/tui/pane"
	"github.com/telx-cli/telx/tui/render"
	"github.com/telx-cli/telx/tui/styles"
)

// KeyMap are the comparison's keys.
type KeyMap struct {
	Up, Down, PageUp, PageDown, Top, Bottom, Back key.Binding
}

// DefaultKeyMap returns the comparison's default keys.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Up:       key.NewBinding(key.WithKeys("k", "up"), key.WithHelp("↑/k", "up")),
		Down:     key.NewBinding(key.WithKeys("j", "down"), key.WithHelp("↓/j", "down")),
		PageUp:   key.NewBinding(key.WithKeys("pgup", "ctrl+u"), key.WithHelp("pgup", "page up")),
		PageDown: key.NewBinding(key.WithKeys("pgdown", "ctrl+d"), key.WithHelp("pgdn", "page down")),
		Top:      key.NewBinding(key.WithKeys("g", "home"), key.WithHelp("g", "top")),
		Bottom:   key.NewBinding(key.WithKeys("G", "end"), key.WithHelp("G", "bottom")),
		Back:     key.NewBinding(key.WithKeys("C", "esc"), key.WithHelp("C/esc", "back to the waterfall")),
	}
}

// Errors of Show.
var (
	ErrNoMark   = errors.New("no trace marked: x on a trace in the Traces pane marks it")
	ErrSameMark = errors.New("the open trace is the marked one: open another to compare them")
)

// Model is the comparison view.
type Model struct {
	KeyMap KeyMap

	st            *styles.Styles
	width, height int

	marked *sources.Trace
	// shown: the comparison is on screen, of marked (A) against b
	shown  bool
	b      *sources.Trace
	cmp    *scompare.Comparison
	lines  []string
	offset int
}

// New returns a comparison view drawing with st, nothing marked.
func New(st *styles.Styles) Model {
	if st == nil {
		st = styles.New(false)
	}
	return Model{KeyMap: DefaultKeyMap(), st: st}
}

// Mark sets the trace compared against (A); nil takes the mark off and
// closes the comparison.
func (m *Model) Mark(t *sources.Trace) {
	m.marked = t
	if t == nil {
		m.Close()
	}
}

// Marked is the trace marked (A), or nil.
func (m Model) Marked() *sources.Trace { return m.marked }

// Show compares the marked trace with b and shows the comparison.
func (m *Model) Show(b *sources.Trace) error {
	switch {
	case m.marked == nil:
		return ErrNoMark
	case b == nil:
		return errors.New("no trace open in the waterfall")
	case b.ID == m.marked.ID:
		return ErrSameMark
	}
	m.b = b
	m.cmp = scompare.Compare(sources.BuildTree(m.marked), sources.BuildTree(b), scompare.Options{})
	m.shown, m.offset = true, 0
	m.draw()
	return nil
}

// Close goes back to the waterfall.
func (m *Model) Close() { m.shown, m.cmp, m.b, m.lines = false, nil, nil, nil }

// Shown tells whether the comparison of the marked trace with open (the
// waterfall's trace) is on screen: it stops being when another trace
// opens.
func (m Model) Shown(open *sources.Trace) bool {
	return m.shown && open != nil && m.b != nil && open.ID == m.b.ID
}

// SetSize sets the view's size.
func (m *Model) SetSize(width, height int) {
	resized := width != m.width
	m.width, m.height = width, height
	if resized {
		m.draw()
	}
	m.clamp()
}

func (m *Model) draw() {
	if m.cmp == nil {
		return
	}
	m.lines = render.CompareLines(m.cmp, render.CompareOptions{Width: max(1, m.width-1), Styles: m.st})
	m.clamp()
}

func (m Model) rowsHeight() int { return max(1, m.height-1) }

func (m *Model) clamp() {
	m.offset = max(0, min(m.offset, len(m.lines)-m.rowsHeight()))
}

// ScrollDown scrolls n lines down (up when n < 0).
func (m *Model) ScrollDown(n int) {
	m.offset += n
	m.clamp()
}

// Update handles the keys while the comparison is shown.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok || !m.shown {
		return m, nil
	}
	km := m.KeyMap
	switch {
	case key.Matches(k, km.Back):
		m.Close()
	case key.Matches(k, km.Up):
		m.ScrollDown(-1)
	case key.Matches(k, km.Down):
		m.ScrollDown(1)
	case key.Matches(k, km.PageUp):
		m.ScrollDown(-m.rowsHeight())
	case key.Matches(k, km.PageDown):
		m.ScrollDown(m.rowsHeight())
	case key.Matches(k, km.Top):
		m.ScrollDown(-len(m.lines))
	case key.Matches(k, km.Bottom):
		m.ScrollDown(len(m.lines))
	}
	return m, nil
}

// Title names the view.
func (m Model) Title() string { return "Compare" }

// View draws the lines in view and a status line.
func (m Model) View() string {
	lines := make([]string, 0, m.height)
	end := min(len(m.lines), m.offset+m.rowsHeight())
	for _, l := range m.lines[min(m.offset, end):end] {
		lines = append(lines, " "+l)
	}
	for len(lines) < m.height-1 {
		lines = append(lines, "")
	}
	status := "A " + short(m.marked) + " → B " + short(m.b) + " · line " + strconv.Itoa(m.offset+1) + "/" + strconv.Itoa(len(m.lines)) + " · C/esc: the waterfall"
	lines = append(lines, m.st.Dim.Apply(status))
	return pane.Box(lines, m.width, m.height)
}

// Status is what the status bar says of the mark ("" when none).
func (m Model) Status() string {
	if m.marked == nil {
		return ""
	}
	return "A: " + short(m.marked) + " marked (C in the waterfall compares)"
}

func short(t *sources.Trace) string {
	if t == nil {
		return "–"
	}
	id := string(t.ID)
	if len(id) > 8 {
		id = id[:8]
	}
	return sources.Sanitize(id)
}

// ShortHelp returns the main keys.
func (m Model) ShortHelp() []key.Binding {
	k := m.KeyMap
	return []key.Binding{k.Down, k.PageDown, k.Back}
}

// FullHelp returns all the keys.
func (m Model) FullHelp() [][]key.Binding {
	k := m.KeyMap
	return [][]key.Binding{{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom}, {k.Back}}
}
