// Package traces is the TUI pane of trace search results: one row per
// trace, newest first, failed traces marked; Enter opens one. In live
// mode it searches again at the refresh interval and marks the traces
// that are new since the user last looked.
package traces

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/tui/live"
	"github.com/telx-cli/telx/tui/pane"
	"github.com/telx-cli/telx/tui/render"
	"github.com/telx-cli/telx/tui/styles"
)

// ResultMsg brings the traces found for a service, or the error, to the
// pane whose ID it carries, in answer to its search Seq.
type ResultMsg struct {
	ID      int
	Seq     int
	Service string
	Traces  []*sources.Trace
	Err     error
	// Refresh tells that it answers a live refresh (SearchMsg.Refresh).
	Refresh bool
}

// ServicesMsg brings the services to choose from.
type ServicesMsg struct {
	ID       int
	Services []string
	Err      error
}

// LoadOperationsMsg asks for a service's operations, for the search
// form's Operation field: the root model asks its trace source and
// answers with an OperationsMsg.
type LoadOperationsMsg struct {
	ID      int
	Service string
}

// OperationsMsg brings a service's operations, or the error (which the
// pane leaves to the status bar).
type OperationsMsg struct {
	ID         int
	Service    string
	Operations []string
	Err        error
}

// SearchMsg asks for a search of a service's traces: the root model
// runs it against its trace source and answers with a ResultMsg of the
// same Seq (the pane keeps only the answer to its last search).
type SearchMsg struct {
	ID  int
	Seq int
	Query
	// Edited tells that the search form asked for it: the user chose
	// these values.
	Edited bool
	// Refresh tells that live mode asks for it: the window ends now, the
	// answer keeps the selection and marks the traces new since.
	Refresh bool
	// Ctx, when set, is the search's context: pausing live mode cancels
	// a refresh through it.
	Ctx context.Context
}

// OpenMsg asks to open a trace.
type OpenMsg struct {
	ID    int
	Trace *sources.Trace
}

// KeyMap are the pane's keys.
type KeyMap struct {
	Up, Down, Top, Bottom, Open, NextService, PrevService, Reload, Edit key.Binding
	// Form are the keys of the search form Edit opens.
	Form FormKeyMap
	// Mark marks the selected trace for a comparison (mark.go).
	Mark key.Binding
}

// DefaultKeyMap returns the pane's default keys.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Up:          key.NewBinding(key.WithKeys("k", "up"), key.WithHelp("↑/k", "up")),
		Down:        key.NewBinding(key.WithKeys("j", "down"), key.WithHelp("↓/j", "down")),
		Top:         key.NewBinding(key.WithKeys("g", "home"), key.WithHelp("g", "newest")),
		Bottom:      key.NewBinding(key.WithKeys("G", "end"), key.WithHelp("G", "oldest")),
		Open:        key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open trace")),
		NextService: key.NewBinding(key.WithKeys("]"), key.WithHelp("]/[", "next/previous service")),
		PrevService: key.NewBinding(key.WithKeys("[")),
		Reload:      key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "search again")),
		Edit:        key.NewBinding(key.WithKeys("s", "/"), key.WithHelp("s or /", "edit the search")),
		Form:        DefaultFormKeyMap(),
		Mark:        key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "mark/unmark for compare (C in the waterfall)")),
	}
}

// FreshMark leads the row of a trace a live refresh brought, until the
// selection has been on it.
const FreshMark = "+"

type row struct {
	trace *sources.Trace
	render.TraceSummary
}

// Model is the traces pane.
type Model struct {
	KeyMap KeyMap

	id            int
	st, plain     *styles.Styles
	loc           *time.Location
	width, height int

	services []string
	query    Query
	// live numbers the searches (the answer awaited) and schedules the
	// live refreshes
	live live.Refresher
	// answered tells that a search has answered: live mode has a list
	// to refresh
	answered bool
	// fresh are the traces a refresh brought that the selection has not
	// been on since
	fresh map[sources.TraceID]bool
	form  form
	ops   opsCache
	// offsetBefore is the list's scroll when the form opened, which the
	// form's lines may move and its esc gives back
	offsetBefore int
	rows         []row
	sel          int
	offset       int
	loading      bool
	err          error
	// marked is the trace marked for a comparison (mark.go)
	marked sources.TraceID
}

// New returns a pane that will list the traces of service.
func New(st *styles.Styles, loc *time.Location, service string) Model {
	if st == nil {
		st = styles.New(false)
	}
	id := pane.NextID()
	return Model{KeyMap: DefaultKeyMap(), id: id, st: st, plain: styles.New(false), loc: loc, live: live.New(id, nil),
		query: Query{Service: service, Lookback: DefaultLookback}, form: newForm(st.Color), ops: newOpsCache(),
		fresh: map[sources.TraceID]bool{}}
}

// SetTicker sets what schedules the live refreshes (default live.Tick);
// before live mode starts.
func (m *Model) SetTicker(t live.Ticker) { m.live = live.New(m.id, t) }

// SetLive starts (on, at interval) or pauses the live refresh. Starting
// searches again at once when a search has answered (catching up);
// pausing cancels a refresh in flight.
func (m *Model) SetLive(on bool, interval time.Duration) tea.Cmd {
	cmd := m.live.Set(on, interval)
	if on && m.answered && !m.live.InFlight() {
		cmd = tea.Batch(cmd, m.refresh())
	}
	return cmd
}

// Live is the pane's live state.
func (m Model) Live() live.Refresher { return m.live }

// Fresh tells whether a live refresh brought the trace since the
// selection was last on it.
func (m Model) Fresh(id sources.TraceID) bool { return m.fresh[id] }

// refresh searches again in live mode (over the window ending now).
func (m *Model) refresh() tea.Cmd {
	if m.query.Service == "" {
		return nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	msg := SearchMsg{ID: m.id, Seq: m.live.Refresh(cancel), Query: m.query, Refresh: true, Ctx: ctx}
	msg.Tags = append([]string(nil), m.query.Tags...)
	return func() tea.Msg { return msg }
}

// opsCache keeps the operations of the last few services, and which
// services' operations are being asked for.
type opsCache struct {
	of      map[string][]string
	order   []string // oldest first
	pending map[string]bool
}

// opsCached is how many services' operations the pane keeps.
const opsCached = 8

func newOpsCache() opsCache {
	return opsCache{of: map[string][]string{}, pending: map[string]bool{}}
}

func (c *opsCache) put(service string, ops []string) {
	if _, ok := c.of[service]; !ok {
		c.order = append(c.order, service)
		if len(c.order) > opsCached {
			delete(c.of, c.order[0])
			c.order = c.order[1:]
		}
	}
	c.of[service] = ops
}

// ID is the pane's ID.
func (m Model) ID() int { return m.id }

// Title names the pane and says the search: the service, the number of
// traces found, the window and the filters.
func (m Model) Title() string {
	if m.query.Service == "" {
		return "Traces"
	}
	count := fmt.Sprint(len(m.rows))
	if n := len(m.fresh); n > 0 {
		count += fmt.Sprintf(", %d new", n)
	}
	t := fmt.Sprintf("Traces · %s (%s) · last %s", sources.Sanitize(m.query.Service), count, FormatDuration(m.query.Lookback))
	if m.query.filtered() {
		t += ", " + sources.Sanitize(m.query.Filters())
	}
	return t
}

// Service is the service whose traces are listed.
func (m Model) Service() string { return m.query.Service }

// Query is the search whose traces are listed (or are being searched).
func (m Model) Query() Query { return m.query }

// SetQuery sets the search without running it.
func (m *Model) SetQuery(q Query) { m.query = q }

// SetSize sets the pane's size.
func (m *Model) SetSize(width, height int) {
	m.width, m.height = width, height
	m.form.setWidth(width)
	m.scroll()
}

// Typing tells whether the search form is open: it takes every key.
func (m Model) Typing() bool { return m.form.open }

// EditSearch opens the search form on the current search. The command
// asks for the service's operations, which the Operation field completes.
func (m *Model) EditSearch() tea.Cmd {
	m.offsetBefore = m.offset
	m.form.setWidth(m.width)
	m.form.fill(m.query)
	m.scroll()
	return m.syncOperations(true)
}

// syncOperations makes the Operation field complete the operations of the
// service in the Service field: those kept, if any, and it asks for them
// when that service is known and they are not kept, or always when the
// form opens (fresh). A partial name asks for nothing.
func (m *Model) syncOperations(fresh bool) tea.Cmd {
	service := strings.TrimSpace(m.form.value(FieldService))
	if service != m.form.opsOf {
		m.form.setOperations(service, m.ops.of[service])
	}
	_, kept := m.ops.of[service]
	switch {
	case service == "", m.ops.pending[service]:
		return nil
	case !fresh && (kept || !m.form.knows(service)):
		return nil
	}
	m.ops.pending[service] = true
	msg := LoadOperationsMsg{ID: m.id, Service: service}
	return func() tea.Msg { return msg }
}

// SetLoading marks a search as running.
func (m *Model) SetLoading(on bool) { m.loading = on }

// SetTraces shows the traces found, newest first.
func (m *Model) SetTraces(service string, traces []*sources.Trace) {
	m.query.Service, m.err, m.loading = service, nil, false
	m.rows = m.rows[:0]
	for _, t := range traces {
		m.rows = append(m.rows, row{trace: t, TraceSummary: render.Summarise(t)})
	}
	sort.SliceStable(m.rows, func(i, j int) bool { return m.rows[i].Start.After(m.rows[j].Start) })
	m.sel, m.offset = 0, 0
	clear(m.fresh)
}

// refreshTraces shows a refresh's traces: those not listed before are
// marked fresh, the selection stays on its trace (or its place, when the
// trace left the window), and so does the view unless it was at the top,
// where the new traces come.
func (m *Model) refreshTraces(traces []*sources.Trace) {
	listed := make(map[sources.TraceID]bool, len(m.rows))
	for _, r := range m.rows {
		listed[r.trace.ID] = true
	}
	var selID sources.TraceID
	if t := m.Selected(); t != nil {
		selID = t.ID
	}
	oldSel := m.sel
	m.err = nil
	m.rows = m.rows[:0]
	now := make(map[sources.TraceID]bool, len(traces))
	for _, t := range traces {
		m.rows = append(m.rows, row{trace: t, TraceSummary: render.Summarise(t)})
		now[t.ID] = true
		if !listed[t.ID] {
			m.fresh[t.ID] = true
		}
	}
	for id := range m.fresh {
		if !now[id] {
			delete(m.fresh, id)
		}
	}
	sort.SliceStable(m.rows, func(i, j int) bool { return m.rows[i].Start.After(m.rows[j].Start) })
	for i, r := range m.rows {
		if r.trace.ID == selID {
			m.sel = i
		}
	}
	if m.offset > 0 {
		m.offset += m.sel - oldSel
	}
	m.scroll()
	if t := m.Selected(); t != nil && t.ID != selID {
		// its trace left the window: the selection is on another now
		delete(m.fresh, t.ID)
	}
}

// SetError shows a failed search.
func (m *Model) SetError(err error) { m.err, m.loading = err, false }

// Search lists a service's traces with the current window and filters:
// it marks the search as running and returns the command asking for it.
func (m *Model) Search(service string) tea.Cmd {
	q := m.query
	q.Service = service
	return m.SearchQuery(q)
}

// SearchQuery runs a search, as Search does.
func (m *Model) SearchQuery(q Query) tea.Cmd {
	m.query = q
	return m.search(false)
}

// Select selects the row of a trace, if listed.
func (m *Model) Select(id sources.TraceID) {
	for i, r := range m.rows {
		if r.trace.ID == id {
			m.sel = i
			m.scroll()
			delete(m.fresh, id)
		}
	}
}

// Selected returns the selected trace, or nil.
func (m Model) Selected() *sources.Trace {
	if len(m.rows) == 0 {
		return nil
	}
	return m.rows[m.sel].trace
}

func (m *Model) scroll() {
	m.sel = pane.Clamp(m.sel, len(m.rows))
	m.offset = pane.Scroll(m.sel, m.offset, m.listHeight()-1, len(m.rows))
}

// formHeight is the lines the search form takes (none when closed).
func (m Model) formHeight() int {
	if !m.form.open {
		return 0
	}
	return formHeight(m.width, m.height)
}

// listHeight is the lines left under the form for the header and rows.
func (m Model) listHeight() int { return m.height - m.formHeight() }

// MoveDown moves the selection n rows down (up when n < 0).
func (m *Model) MoveDown(n int) {
	m.sel += n
	m.scroll()
	if t := m.Selected(); t != nil {
		delete(m.fresh, t.ID)
	}
}

// StartSearch marks q as searched and returns the search, for the
// caller to run itself (Search returns it as a command).
func (m *Model) StartSearch(q Query) SearchMsg {
	m.query = q
	return m.start(false)
}

func (m *Model) start(edited bool) SearchMsg {
	m.loading = true
	msg := SearchMsg{ID: m.id, Seq: m.live.Load(nil), Query: m.query, Edited: edited}
	msg.Tags = append([]string(nil), m.query.Tags...)
	return msg
}

// search marks the pane's query as searched and returns the command
// asking for it.
func (m *Model) search(edited bool) tea.Cmd {
	msg := m.start(edited)
	return func() tea.Msg { return msg }
}

// Update handles the pane's keys and its messages.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	switch msg := msg.(type) {
	case ResultMsg:
		// a late answer to a search made since is dropped, and a
		// cancelled refresh's
		if msg.ID != m.id || !m.live.Done(msg.Seq) {
			return m, nil
		}
		m.answered = true
		switch {
		case msg.Err != nil && msg.Refresh && len(m.rows) > 0:
			// the list stays; the status bar says why
		case msg.Err != nil:
			m.SetError(msg.Err)
		case msg.Refresh:
			m.refreshTraces(msg.Traces)
		default:
			m.SetTraces(msg.Service, msg.Traces)
		}
		if msg.Err == nil && m.live.On() {
			id := m.id
			return m, func() tea.Msg { return live.UpdatedMsg{ID: id} }
		}
	case live.TickMsg:
		due, next := m.live.Tick(msg)
		if due {
			return m, tea.Batch(next, m.refresh())
		}
		return m, next
	case ServicesMsg:
		if msg.ID == m.id {
			if msg.Err != nil {
				m.SetError(msg.Err)
				return m, nil
			}
			m.services = msg.Services
			m.form.setServices(msg.Services)
			var cmd tea.Cmd
			if m.form.open {
				// the service in the field may be known now
				cmd = m.syncOperations(false)
			}
			if m.query.Service == "" && len(m.services) > 0 {
				m.query.Service = m.services[0]
				return m, tea.Batch(cmd, m.search(false))
			}
			return m, cmd
		}
	case OperationsMsg:
		if msg.ID == m.id {
			delete(m.ops.pending, msg.Service)
			if msg.Err != nil {
				return m, nil // on the status bar
			}
			m.ops.put(msg.Service, msg.Operations)
			// an answer for a service no longer in the field is kept, not shown
			if msg.Service == m.form.opsOf {
				m.form.setOperations(msg.Service, msg.Operations)
			}
		}
	case tea.PasteMsg:
		if m.form.open {
			cmd := m.form.paste(msg)
			return m, tea.Batch(cmd, m.syncOperations(false))
		}
	case tea.KeyPressMsg:
		km := m.KeyMap
		if m.form.open {
			q, cmd := m.form.key(km.Form, msg)
			if !m.form.open && q == nil {
				m.offset = m.offsetBefore // esc
			}
			m.scroll()
			if q != nil {
				m.query = *q
				return m, m.search(true)
			}
			if m.form.open {
				cmd = tea.Batch(cmd, m.syncOperations(false))
			}
			return m, cmd
		}
		switch {
		case key.Matches(msg, km.Up):
			m.MoveDown(-1)
		case key.Matches(msg, km.Down):
			m.MoveDown(1)
		case key.Matches(msg, km.Top):
			m.MoveDown(-len(m.rows))
		case key.Matches(msg, km.Bottom):
			m.MoveDown(len(m.rows))
		case key.Matches(msg, km.Open):
			if t := m.Selected(); t != nil {
				id := m.id
				return m, func() tea.Msg { return OpenMsg{ID: id, Trace: t} }
			}
		case key.Matches(msg, km.NextService), key.Matches(msg, km.PrevService):
			if len(m.services) == 0 {
				return m, nil
			}
			i := 0
			for j, s := range m.services {
				if s == m.query.Service {
					i = j
				}
			}
			if key.Matches(msg, km.NextService) {
				i = (i + 1) % len(m.services)
			} else {
				i = (i + len(m.services) - 1) % len(m.services)
			}
			m.query.Service = m.services[i]
			return m, m.search(false)
		case key.Matches(msg, km.Reload):
			if m.query.Service != "" {
				return m, m.search(false)
			}
		case key.Matches(msg, km.Edit):
			return m, m.EditSearch()
		case key.Matches(msg, km.Mark):
			return m, m.toggleMark()
		}
	}
	return m, nil
}

// View draws the search form when open, then a header and the rows in
// view, as render.TraceRow draws telx traces' rows.
func (m Model) View() string {
	var lines []string
	if m.form.open {
		lines = m.form.lines(m.st, m.width, m.height)
	}
	switch {
	case m.err != nil:
		lines = append(lines, pane.ErrorLines(m.st, m.err, m.width)...)
	case len(m.rows) == 0:
		msg := "No traces."
		switch {
		case m.loading:
			msg = "Searching the traces of " + sources.Sanitize(m.query.Service) + "…"
		case m.query.Service == "":
			msg = "Loading the services…"
		}
		lines = append(lines, m.st.Dim.Apply(msg))
	default:
		lines = append(lines, m.rowLines(m.listHeight())...)
	}
	return pane.Box(lines, m.width, m.height)
}

// rowLines are the header and the rows in view, height lines at most.
func (m Model) rowLines(height int) []string {
	if height <= 0 {
		return nil
	}
	cols := render.NewTraceColumns(m.width - 1)
	lines := []string{" " + render.TraceHeader(cols, m.st)}
	if m.loading {
		lines[0] = m.st.Dim.Apply(" Searching the traces of " + sources.Sanitize(m.query.Service) + "…")
	}
	end := min(len(m.rows), m.offset+height-1)
	for i := m.offset; i < end; i++ {
		if i == m.sel {
			row := render.TraceRow(m.rows[i].TraceSummary, cols, m.plain, m.location())
			lines = append(lines, m.st.Selected().Apply("▶"+row))
			continue
		}
		lead := " "
		if m.fresh[m.rows[i].trace.ID] {
			lead = m.st.Info.Apply(FreshMark)
		}
		if m.marked != "" && m.rows[i].trace.ID == m.marked {
			lead = m.st.Highlight.Apply(MarkedMark)
		}
		lines = append(lines, lead+render.TraceRow(m.rows[i].TraceSummary, cols, m.st, m.location()))
	}
	return lines
}

func (m Model) location() *time.Location {
	if m.loc == nil {
		return time.Local
	}
	return m.loc
}

// ShortHelp returns the pane's main keys, the form's while it is open.
func (m Model) ShortHelp() []key.Binding {
	if f := m.KeyMap.Form; m.form.open {
		if spec := fieldSpecs[m.form.focus]; len(m.form.comp[m.form.focus].names) > 0 {
			cycle := f.NextMatch
			cycle.SetHelp(cycle.Help().Key, "cycle "+spec.names)
			return []key.Binding{f.Submit, f.Cancel, f.Next, cycle}
		}
		return []key.Binding{f.Submit, f.Cancel, f.Next}
	}
	return []key.Binding{m.KeyMap.Open, m.KeyMap.Edit}
}

// FullHelp returns all the pane's keys.
func (m Model) FullHelp() [][]key.Binding {
	k, f := m.KeyMap, m.KeyMap.Form
	return [][]key.Binding{{k.Up, k.Down, k.Top, k.Bottom}, {k.Open, k.NextService, k.Reload, k.Mark}, {k.Edit, f.Next, f.Submit, f.Cancel, f.NextMatch}}
}
