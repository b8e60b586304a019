// Package waterfall is the TUI pane of one trace: render.WaterfallRows made
// interactive, with a selection, folds, the critical path and search. It
// draws only the rows in view, so a key costs the same on any trace.
package waterfall

import (
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/tui/pane"
	"github.com/telx-cli/telx/tui/render"
	"github.com/telx-cli/telx/tui/styles"
)

// TraceMsg brings a trace, or the error of loading it, to the pane whose
// ID it carries.
type TraceMsg struct {
	ID    int
	Trace *sources.Trace
	Err   error
}

// KeyMap are the pane's keys.
type KeyMap struct {
	Up, Down, PageUp, PageDown, Top, Bottom key.Binding
	Toggle, FoldAll, UnfoldAll, Critical    key.Binding
	Search, Next, Prev, NextError, PrevErr  key.Binding
	Zoom, ZoomOut                           key.Binding
	// Flame switches to the flame graph and back (flame.go); Compare asks
	// for the comparison with the marked trace (CompareMsg).
	Flame, Compare key.Binding
}

// DefaultKeyMap returns the pane's default keys.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Up:        key.NewBinding(key.WithKeys("k", "up"), key.WithHelp("↑/k", "up")),
		Down:      key.NewBinding(key.WithKeys("j", "down"), key.WithHelp("↓/j", "down")),
		PageUp:    key.NewBinding(key.WithKeys("pgup", "ctrl+u"), key.WithHelp("pgup", "page up")),
		PageDown:  key.NewBinding(key.WithKeys("pgdown", "ctrl+d"), key.WithHelp("pgdn", "page down")),
		Top:       key.NewBinding(key.WithKeys("g", "home"), key.WithHelp("g", "first span")),
		Bottom:    key.NewBinding(key.WithKeys("G", "end"), key.WithHelp("G", "last span")),
		Toggle:    key.NewBinding(key.WithKeys("enter", "space"), key.WithHelp("enter/space", "fold/unfold")),
		FoldAll:   key.NewBinding(key.WithKeys("-"), key.WithHelp("-", "fold all")),
		UnfoldAll: key.NewBinding(key.WithKeys("+", "="), key.WithHelp("+", "unfold all")),
		Critical:  key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "critical path only")),
		Search:    key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "search")),
		Next:      key.NewBinding(key.WithKeys("n"), key.WithHelp("n/N", "next/previous match")),
		Prev:      key.NewBinding(key.WithKeys("N")),
		NextError: key.NewBinding(key.WithKeys("e"), key.WithHelp("e/E", "next/previous error")),
		PrevErr:   key.NewBinding(key.WithKeys("E")),
		Zoom:      key.NewBinding(key.WithKeys("z"), key.WithHelp("z", "zoom into the span's time")),
		ZoomOut:   key.NewBinding(key.WithKeys("Z", "backspace"), key.WithHelp("Z", "zoom out")),
		Flame:     key.NewBinding(key.WithKeys("f"), key.WithHelp("f", "flame graph/waterfall")),
		Compare:   key.NewBinding(key.WithKeys("C"), key.WithHelp("C", "compare with the marked trace (x in Traces)")),
	}
}

// Model is the waterfall pane.
type Model struct {
	KeyMap KeyMap

	id            int
	st            *styles.Styles
	plain         *styles.Styles
	loc           *time.Location
	width, height int

	tree     *sources.Tree
	rows     *render.WaterfallRows
	critical bool
	sel      int
	offset   int
	err      error
	loading  string

	// search
	typing  bool
	input   string
	query   string
	matches []bool // per node index
	nmatch  int

	// zooms are the time windows zoomed into, the last shown
	zooms []sources.TimeRange

	// cursor is the time cursor's time, from another pane (cursor.go)
	cursor time.Time

	// cached per trace and width
	title, ruler string

	// flame is the flame graph shown instead of the rows (flame.go)
	flame flameState
}

// New returns an empty pane drawing with st, times in loc.
func New(st *styles.Styles, loc *time.Location) Model {
	if st == nil {
		st = styles.New(false)
	}
	return Model{KeyMap: DefaultKeyMap(), id: pane.NextID(), st: st, plain: styles.New(false), loc: loc}
}

// ID is the pane's ID: messages for it carry it.
func (m Model) ID() int { return m.id }

// Title names the pane.
func (m Model) Title() string {
	if m.flame.on {
		return "Flame graph"
	}
	return "Waterfall"
}

// SetSize sets the pane's size.
func (m *Model) SetSize(width, height int) {
	resized := width != m.width
	m.width, m.height = width, height
	if m.rows != nil && resized {
		m.rows.SetWidth(m.rowWidth())
		m.cache()
	}
	if m.flame.on {
		m.drawFlame()
	}
	m.scroll()
}

func (m *Model) rowWidth() int { return max(1, m.width-1) }

// SetLoading says what is being loaded (the empty string: nothing).
func (m *Model) SetLoading(what string) { m.loading = what }

// SetTrace shows a trace, its root selected, nothing folded.
func (m *Model) SetTrace(t *sources.Trace) {
	m.tree = sources.BuildTree(t)
	m.err, m.loading = nil, ""
	m.sel, m.offset, m.critical = 0, 0, false
	m.query, m.matches, m.nmatch, m.typing = "", nil, 0, false
	m.zooms = nil
	m.prepare()
	m.drawFlame()
}

// Restyle redraws what the pane keeps drawn, after its styles changed
// (styles.Styles.Adapt).
func (m *Model) Restyle() {
	if m.rows != nil {
		m.rows.Restyle()
		m.cache()
	}
}

// SetError shows an error in place of the trace.
func (m *Model) SetError(err error) { m.err, m.loading = err, "" }

// Tree returns the trace shown, or nil.
func (m Model) Tree() *sources.Tree { return m.tree }

func (m *Model) prepare() {
	m.rows = render.NewWaterfallRows(m.tree, render.WaterfallOptions{Width: m.rowWidth(), Styles: m.st, CriticalOnly: m.critical})
	m.cache()
}

func (m *Model) cache() {
	m.title = render.WaterfallTitle(m.tree, m.st)
	if z := m.Zoom(); z.To.After(z.From) {
		m.rows.SetWindow(z)
		from, to := z.From.Sub(m.tree.Range.From), z.To.Sub(m.tree.Range.From)
		m.ruler = render.WaterfallRulerWindow(m.tree, z, m.rowWidth(), m.st)
		// the zoom goes in the blank left of the ruler's labels
		zoom := "zoom " + strconv.Itoa(len(m.zooms)) + ": +" + render.Duration(from) + " → +" + render.Duration(to) + " (Z out)"
		labels, rest, _ := strings.Cut(m.ruler, "\n")
		blank := len(labels) - len(strings.TrimLeft(labels, " "))
		if n := ansi.StringWidth(zoom); n+1 <= blank-1 {
			labels = m.st.Match().Apply(zoom) + labels[n:]
		} else {
			m.title += " · " + m.st.Match().Apply(zoom)
		}
		m.ruler = labels + "\n" + rest
		return
	}
	m.rows.SetWindow(sources.TimeRange{})
	m.ruler = render.WaterfallRuler(m.tree, m.rowWidth(), m.st)
}

// Zoom returns the time window zoomed into (zero: none).
func (m Model) Zoom() sources.TimeRange {
	if len(m.zooms) == 0 {
		return sources.TimeRange{}
	}
	return m.zooms[len(m.zooms)-1]
}

// ZoomIn re-scales the time axis to the selected span's time; a span of
// no duration, or the window already shown, does not zoom.
func (m *Model) ZoomIn() bool {
	nd := m.Selected()
	if nd == nil || nd.Span.Duration <= 0 {
		return false
	}
	r := sources.TimeRange{From: nd.Span.Start, To: nd.Span.End()}
	cur := m.Zoom()
	if !cur.To.After(cur.From) {
		cur = m.tree.Range
	}
	if r == cur {
		return false
	}
	m.zooms = append(m.zooms, r)
	m.cache()
	return true
}

// ClickLine selects the row drawn at line of the pane (0: its first
// line), if a row is drawn there; it tells whether one was.
func (m *Model) ClickLine(line int) bool {
	if m.rows == nil || m.flame.on {
		return false
	}
	if !m.compact() {
		line -= 3 // the title and the ruler
	}
	if line < 0 || line >= m.rowsHeight() || m.offset+line >= m.rows.Len() {
		return false
	}
	m.sel = m.offset + line
	m.scroll()
	return true
}

// ZoomOut goes back to the window before the last zoom.
func (m *Model) ZoomOut() bool {
	if len(m.zooms) == 0 {
		return false
	}
	m.zooms = m.zooms[:len(m.zooms)-1]
	m.cache()
	return true
}

// Selected returns the selected span's node, or nil.
func (m Model) Selected() *sources.Node {
	if m.rows == nil || m.rows.Len() == 0 {
		return nil
	}
	return m.rows.Node(m.sel)
}

// Typing tells whether the search prompt takes the keys.
func (m Model) Typing() bool { return m.typing }

// compact: too low for the title and the ruler, the pane shows rows and
// its status line only.
func (m Model) compact() bool { return m.height < 8 }

// rowsHeight is how many span rows fit: the title, the ruler's two lines
// and the status line take four (one when compact).
func (m Model) rowsHeight() int {
	if m.compact() {
		return max(1, m.height-1)
	}
	return max(1, m.height-4)
}

func (m *Model) scroll() {
	if m.rows == nil {
		return
	}
	m.sel = pane.Clamp(m.sel, m.rows.Len())
	m.offset = pane.Scroll(m.sel, m.offset, m.rowsHeight(), m.rows.Len())
}

// MoveDown moves the selection n rows down (up when n < 0).
func (m *Model) MoveDown(n int) {
	if m.rows != nil {
		m.sel += n
		m.scroll()
	}
}

// GotoTop selects the first row; GotoBottom the last.
func (m *Model) GotoTop()    { m.MoveDown(-m.sel) }
func (m *Model) GotoBottom() { m.MoveDown(1 << 30) }

// ToggleFold folds or unfolds the selected span.
func (m *Model) ToggleFold() {
	if m.rows != nil && m.rows.Len() > 0 {
		m.rows.Toggle(m.sel)
		m.scroll()
	}
}

// FoldAll folds every span with children; the selection moves to the
// shown ancestor of the span it was on.
func (m *Model) FoldAll() { m.keepSelection(func() { m.rows.FoldAll() }) }

// UnfoldAll opens every span.
func (m *Model) UnfoldAll() { m.keepSelection(func() { m.rows.UnfoldAll() }) }

// ToggleCritical shows only the critical path, or everything again.
func (m *Model) ToggleCritical() {
	m.keepSelection(func() {
		m.critical = !m.critical
		m.prepare()
	})
}

// keepSelection runs change and selects again the span that was selected,
// or its nearest shown ancestor.
func (m *Model) keepSelection(change func()) {
	if m.rows == nil {
		return
	}
	nd := m.Selected()
	change()
	for ; nd != nil; nd = nd.Parent {
		if r := m.rows.RowOf(nd.Index); r >= 0 {
			m.sel = r
			break
		}
	}
	if nd == nil {
		m.sel = 0
	}
	m.scroll()
}

// Search marks the spans whose service, operation, status message,
// attributes or events (names, keys or values) contain q, ignoring case, and selects the first match from
// the selection on.
func (m *Model) Search(q string) {
	m.query = q
	m.matches, m.nmatch = nil, 0
	if m.tree == nil || q == "" {
		return
	}
	lq := strings.ToLower(q)
	m.matches = make([]bool, len(m.tree.Nodes))
	for i, nd := range m.tree.Nodes {
		if spanMatches(nd.Span, lq) {
			m.matches[i] = true
			m.nmatch++
		}
	}
	if sel := m.Selected(); sel != nil && !m.matches[sel.Index] {
		m.Next(1)
	}
}

func spanMatches(s *sources.Span, lq string) bool {
	has := func(v string) bool { return strings.Contains(strings.ToLower(v), lq) }
	if has(s.Service) || has(s.Operation) {
		return true
	}
	if has(s.Status.Message) {
		return true
	}
	for _, a := range s.Attrs {
		if has(a.Key) || has(a.String()) {
			return true
		}
	}
	for _, e := range s.Events {
		if has(e.Name) {
			return true
		}
		for _, a := range e.Attrs {
			if has(a.Key) || has(a.String()) {
				return true
			}
		}
	}
	return false
}

// Next selects the next search match (dir 1) or the previous (-1).
func (m *Model) Next(dir int) {
	if m.nmatch > 0 {
		m.seek(dir, func(nd *sources.Node) bool { return m.matches[nd.Index] })
	}
}

// NextError selects the next failed span (dir 1) or the previous (-1).
func (m *Model) NextError(dir int) {
	m.seek(dir, func(nd *sources.Node) bool { return nd.Span.IsError() })
}

// seek selects the next span in tree order, after the selection and
// wrapping around, that is wanted and that the critical-path filter
// shows, unfolding its ancestors.
func (m *Model) seek(dir int, want func(*sources.Node) bool) {
	sel := m.Selected()
	if sel == nil {
		return
	}
	nodes := m.tree.Nodes
	n := len(nodes)
	for k := 1; k <= n; k++ {
		nd := nodes[((sel.Index+dir*k)%n+n)%n]
		if !want(nd) || (m.critical && !nd.Critical) {
			continue
		}
		m.reveal(nd)
		if r := m.rows.RowOf(nd.Index); r >= 0 {
			m.sel = r
			m.scroll()
			return
		}
	}
}

// reveal unfolds the folded ancestors of nd, outermost first.
func (m *Model) reveal(nd *sources.Node) {
	var chain []*sources.Node
	for a := nd.Parent; a != nil; a = a.Parent {
		chain = append(chain, a)
	}
	for i := len(chain) - 1; i >= 0; i-- {
		if m.rows.Folded(chain[i].Index) {
			if r := m.rows.RowOf(chain[i].Index); r >= 0 {
				m.rows.Unfold(r)
			}
		}
	}
}

// Update handles the pane's keys and its TraceMsg.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	switch msg := msg.(type) {
	case TraceMsg:
		if msg.ID != m.id {
			return m, nil
		}
		if msg.Err != nil {
			m.SetError(msg.Err)
		} else {
			m.SetTrace(msg.Trace)
		}
	case tea.KeyPressMsg:
		if m.typing {
			m.typeKey(msg)
			return m, nil
		}
		if m.rows == nil {
			return m, nil
		}
		if m.flame.on {
			return m, m.flameKey(msg)
		}
		km := m.KeyMap
		switch {
		case key.Matches(msg, km.Up):
			m.MoveDown(-1)
		case key.Matches(msg, km.Down):
			m.MoveDown(1)
		case key.Matches(msg, km.PageUp):
			m.MoveDown(-m.rowsHeight())
		case key.Matches(msg, km.PageDown):
			m.MoveDown(m.rowsHeight())
		case key.Matches(msg, km.Top):
			m.GotoTop()
		case key.Matches(msg, km.Bottom):
			m.GotoBottom()
		case key.Matches(msg, km.Toggle):
			m.ToggleFold()
		case key.Matches(msg, km.FoldAll):
			m.FoldAll()
		case key.Matches(msg, km.UnfoldAll):
			m.UnfoldAll()
		case key.Matches(msg, km.Critical):
			m.ToggleCritical()
		case key.Matches(msg, km.Search):
			m.typing, m.input = true, ""
		case key.Matches(msg, km.Next):
			m.Next(1)
		case key.Matches(msg, km.Prev):
			m.Next(-1)
		case key.Matches(msg, km.NextError):
			m.NextError(1)
		case key.Matches(msg, km.PrevErr):
			m.NextError(-1)
		case key.Matches(msg, km.Zoom):
			m.ZoomIn()
		case key.Matches(msg, km.ZoomOut):
			m.ZoomOut()
		case key.Matches(msg, km.Flame):
			m.ToggleFlame()
		case key.Matches(msg, km.Compare):
			return m, m.compare()
		}
	}
	return m, nil
}

// typeKey edits the search prompt: enter searches, esc gives up.
func (m *Model) typeKey(k tea.KeyPressMsg) {
	switch k.String() {
	case "enter":
		m.typing = false
		m.Search(m.input)
	case "esc":
		m.typing = false
	default:
		m.input, _ = pane.EditPrompt(m.input, k)
	}
}

// View draws the title, the ruler, the rows in view and a status line.
func (m Model) View() string {
	switch {
	case m.err != nil:
		return pane.Box(pane.ErrorLines(m.st, m.err, m.width), m.width, m.height)
	case m.tree == nil && m.loading != "":
		return pane.Box([]string{m.st.Dim.Apply("loading " + m.loading + "…")}, m.width, m.height)
	case m.tree == nil:
		return pane.Box([]string{m.st.Dim.Apply("No trace open: Enter on a trace in the Traces pane opens it.")}, m.width, m.height)
	case m.flame.on:
		return m.flameView()
	}
	lines := make([]string, 0, m.height)
	if !m.compact() {
		lines = append(lines, m.title)
		for _, l := range strings.Split(m.ruler, "\n") {
			lines = append(lines, " "+l)
		}
	}
	var b strings.Builder
	end := min(m.offset+m.rowsHeight(), m.rows.Len())
	for i := m.offset; i < end; i++ {
		b.Reset()
		nd := m.rows.Node(i)
		match := m.matches != nil && m.matches[nd.Index]
		switch {
		case i == m.sel:
			b.WriteString(m.st.Selected().Apply("▶"))
			if m.st.Color {
				var row strings.Builder
				m.rows.AppendRow(&row, i, m.plain)
				b.WriteString(m.st.Selected().Apply(row.String()))
				lines = append(lines, b.String())
				continue
			}
		case match:
			b.WriteString(m.st.Match().Apply("•"))
			if m.st.Color {
				m.rows.AppendRowMarked(&b, i, m.st.Match())
				lines = append(lines, b.String())
				continue
			}
		case m.activeAt(i):
			b.WriteString(m.st.Highlight.Apply(MarkActive))
		default:
			b.WriteByte(' ')
		}
		m.rows.AppendRow(&b, i, nil)
		lines = append(lines, b.String())
	}
	for len(lines) < m.height-1 {
		lines = append(lines, "")
	}
	lines = append(lines, m.status())
	return pane.Box(lines, m.width, m.height)
}

func (m Model) status() string {
	if m.typing {
		return "/" + sources.Sanitize(m.input) + "█"
	}
	parts := []string{"span " + strconv.Itoa(m.sel+1) + "/" + strconv.Itoa(m.rows.Len())}
	if m.critical {
		parts = append(parts, m.st.Critical.Apply(render.MarkCritical+" critical path only"))
	}
	if m.query != "" {
		parts = append(parts, m.st.Match().Apply("/"+sources.Sanitize(m.query))+" "+strconv.Itoa(m.nmatch)+" "+plural(m.nmatch, "match", "matches"))
	}
	if c := m.cursorStatus(); c != "" {
		parts = append(parts, c)
	}
	if m.loading != "" {
		parts = append(parts, "loading "+m.loading+"…")
	}
	return m.st.Dim.Apply(strings.Join(parts, " · "))
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// ShortHelp returns the pane's main keys.
func (m Model) ShortHelp() []key.Binding {
	k := m.KeyMap
	if m.flame.on {
		back := k.Flame
		back.SetHelp("f/esc", "back to the waterfall")
		return []key.Binding{k.Down, k.PageDown, back, k.Compare}
	}
	return []key.Binding{k.Toggle, k.Critical, k.Search, k.NextError}
}

// FullHelp returns all the pane's keys.
func (m Model) FullHelp() [][]key.Binding {
	k := m.KeyMap
	return [][]key.Binding{
		{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom},
		{k.Toggle, k.FoldAll, k.UnfoldAll, k.Critical},
		{k.Search, k.Next, k.NextError},
		{k.Zoom, k.ZoomOut, k.Flame, k.Compare},
	}
}
