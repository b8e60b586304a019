// Package analyze is the explorer's analysis of the Traces pane's search:
// the report of telx analyze (render.AnalysisLines) over the screen, its
// rows that point at a span selectable, enter opening the row's example
// trace at that span in the waterfall.
package analyze

import (
	"context"
	"strconv"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/sources/analyze"
	"github.com/telx-cli/telx/tui/pane"
	"github.com/telx-cli/telx/tui/render"
	"github.com/telx-cli/telx/tui/styles"
)

// Options configure the analysis.
type Options struct {
	Styles   *styles.Styles
	Location *time.Location
	Now      func() time.Time
	// Traces are searched; Metrics, when set, asked for span metrics.
	Traces  sources.TraceSource
	Metrics sources.MetricSource
	// Sample is how many traces to analyse (analyze.DefaultSample when 0).
	Sample int
	// Timeout bounds the whole analysis.
	Timeout time.Duration
}

// Query is the search analysed: the Traces pane's.
type Query struct {
	Service, Operation       string
	Lookback                 time.Duration
	MinDuration, MaxDuration time.Duration
	Tags                     map[string]string
}

// Messages.
type (
	// ResultMsg brings the analysis, or its error, to the model of its ID,
	// in answer to its Seq.
	ResultMsg struct {
		ID, Seq int
		Result  *analyze.Result
		Err     error
	}
	// OpenSpanMsg asks the explorer to open a trace of the sample at a span.
	OpenSpanMsg struct {
		Trace  *sources.Trace
		SpanID sources.SpanID
	}
	// CloseMsg asks the explorer to close the analysis.
	CloseMsg struct{}
)

// KeyMap are the analysis' keys.
type KeyMap struct {
	Up, Down, PageUp, PageDown, Top, Bottom, NextSection, PrevSection, Open, Reload, Close key.Binding
}

// DefaultKeyMap returns the analysis' keys.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Up:          key.NewBinding(key.WithKeys("k", "up"), key.WithHelp("↑/k", "previous row")),
		Down:        key.NewBinding(key.WithKeys("j", "down"), key.WithHelp("↓/j", "next row")),
		PageUp:      key.NewBinding(key.WithKeys("pgup", "ctrl+u"), key.WithHelp("pgup", "page up")),
		PageDown:    key.NewBinding(key.WithKeys("pgdown", "ctrl+d", "space"), key.WithHelp("pgdn", "page down")),
		Top:         key.NewBinding(key.WithKeys("g", "home"), key.WithHelp("g", "top")),
		Bottom:      key.NewBinding(key.WithKeys("G", "end"), key.WithHelp("G", "bottom")),
		NextSection: key.NewBinding(key.WithKeys("n", "tab"), key.WithHelp("n/N", "next/previous table")),
		PrevSection: key.NewBinding(key.WithKeys("N", "shift+tab")),
		Open:        key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open the example trace at its span")),
		Reload:      key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "analyse again")),
		Close:       key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")),
	}
}

// Model is the analysis overlay.
type Model struct {
	KeyMap KeyMap

	o             Options
	st, plain     *styles.Styles
	id, seq       int
	width, height int

	query   Query
	loading bool
	res     *analyze.Result
	err     error
	cancel  context.CancelFunc

	// drawn at the width: coloured and plain, and the rows that point at
	// spans (render.AnalyzeRow), of which sel is selected
	lines, plainLines []string
	rows              []render.AnalyzeRow
	sel, offset       int
}

// New returns a closed analysis.
func New(o Options) Model {
	if o.Styles == nil {
		o.Styles = styles.New(false)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Timeout <= 0 {
		o.Timeout = 30 * time.Second
	}
	return Model{KeyMap: DefaultKeyMap(), o: o, st: o.Styles, plain: styles.New(false), id: pane.NextID()}
}

// ID is the model's ID: its ResultMsg carries it.
func (m Model) ID() int { return m.id }

// Analyse starts the analysis of q; an analysis still running is
// cancelled, and its answer dropped.
func (m *Model) Analyse(q Query) tea.Cmd {
	if m.cancel != nil {
		m.cancel()
	}
	m.query, m.loading, m.err, m.res = q, true, nil, nil
	m.lines, m.plainLines, m.rows, m.sel, m.offset = nil, nil, nil, -1, 0
	m.seq++
	id, seq, o := m.id, m.seq, m.o
	ctx, cancel := context.WithTimeout(context.Background(), o.Timeout)
	m.cancel = cancel
	tq := sources.TraceQuery{Service: q.Service, Operation: q.Operation, Tags: q.Tags, MinDuration: q.MinDuration,
		MaxDuration: q.MaxDuration, Range: sources.Last(q.Lookback, o.Now())}
	return func() tea.Msg {
		defer cancel()
		res, err := analyze.Fetch(ctx, o.Traces, tq, analyze.FetchOptions{Sample: o.Sample, Metrics: o.Metrics})
		return ResultMsg{ID: id, Seq: seq, Result: res, Err: err}
	}
}

// Cancel stops an analysis in flight.
func (m *Model) Cancel() {
	if m.cancel != nil {
		m.cancel()
	}
}

// Loading tells whether an analysis is running.
func (m Model) Loading() bool { return m.loading }

// Result is the analysis shown, or nil.
func (m Model) Result() *analyze.Result { return m.res }

// SetSize sets the room of the overlay.
func (m *Model) SetSize(width, height int) {
	if width != m.width {
		m.width = width
		m.draw()
	}
	m.height = height
	m.scroll()
}

func (m *Model) draw() {
	if m.res == nil || m.width <= 1 {
		m.lines, m.plainLines, m.rows = nil, nil, nil
		return
	}
	o := render.AnalyzeOptions{Width: m.width - 1, Styles: m.st, Location: m.o.Location}
	m.lines, m.rows = render.AnalysisLines(m.res, o)
	o.Styles = m.plain
	m.plainLines, _ = render.AnalysisLines(m.res, o)
	if m.sel >= len(m.rows) {
		m.sel = len(m.rows) - 1
	}
}

// Selected returns the selected row, if any: none is until a key moves
// to one, so that the report opens at its top.
func (m Model) Selected() (render.AnalyzeRow, bool) {
	if m.sel < 0 || m.sel >= len(m.rows) {
		return render.AnalyzeRow{}, false
	}
	return m.rows[m.sel], true
}

// MoveDown selects the row n rows down (up when n < 0); with none
// selected, down selects the first.
func (m *Model) MoveDown(n int) {
	if m.sel < 0 && n > 0 {
		n--
	}
	m.sel = pane.Clamp(max(m.sel, 0)+n, len(m.rows))
	m.scroll()
}

// NextSection selects the first row of the next table (dir 1) or of
// the previous one (-1), wrapping around. A table's rows are on
// consecutive lines.
func (m *Model) NextSection(dir int) {
	if len(m.rows) == 0 {
		return
	}
	starts := []int{0}
	for i := 1; i < len(m.rows); i++ {
		if m.rows[i].Line != m.rows[i-1].Line+1 {
			starts = append(starts, i)
		}
	}
	cur := -1 // none selected: n goes to the first table
	if m.sel < 0 && dir < 0 {
		cur = 0
	}
	for i, s := range starts {
		if m.sel >= 0 && s <= m.sel {
			cur = i
		}
	}
	m.sel = starts[((cur+dir)%len(starts)+len(starts))%len(starts)]
	m.scroll()
}

// Page scrolls by n pages and selects the first row in view.
func (m *Model) Page(n int) {
	h := m.bodyHeight()
	m.offset = max(0, min(m.offset+n*h, len(m.lines)-h))
	for i, r := range m.rows {
		if r.Line >= m.offset {
			m.sel = i
			break
		}
	}
	m.scroll()
}

func (m Model) bodyHeight() int { return max(1, m.height-1) }

// scroll keeps the selected row in view, and the section title above it
// when there is room.
func (m *Model) scroll() {
	if r, ok := m.Selected(); ok {
		m.offset = pane.Scroll(r.Line, m.offset, m.bodyHeight(), len(m.lines))
		if r.Line-m.offset < 3 && m.offset > 0 {
			m.offset = max(0, r.Line-3)
		}
	}
	m.offset = max(0, min(m.offset, len(m.lines)-m.bodyHeight()))
}

// Update handles the overlay's keys and its ResultMsg.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	switch msg := msg.(type) {
	case ResultMsg:
		if msg.ID != m.id || msg.Seq != m.seq {
			return m, nil
		}
		m.loading, m.cancel = false, nil
		m.res, m.err = msg.Result, msg.Err
		m.draw()
	case tea.KeyPressMsg:
		km := m.KeyMap
		switch {
		case key.Matches(msg, km.Close):
			m.Cancel()
			return m, func() tea.Msg { return CloseMsg{} }
		case key.Matches(msg, km.Up):
			m.MoveDown(-1)
		case key.Matches(msg, km.Down):
			m.MoveDown(1)
		case key.Matches(msg, km.NextSection):
			m.NextSection(1)
		case key.Matches(msg, km.PrevSection):
			m.NextSection(-1)
		case key.Matches(msg, km.PageUp):
			m.Page(-1)
		case key.Matches(msg, km.PageDown):
			m.Page(1)
		case key.Matches(msg, km.Top):
			m.MoveDown(-len(m.rows))
			m.offset = 0
		case key.Matches(msg, km.Bottom):
			m.MoveDown(len(m.rows))
			m.offset = max(0, len(m.lines)-m.bodyHeight())
		case key.Matches(msg, km.Reload):
			if !m.loading && m.query.Service != "" {
				return m, m.Analyse(m.query)
			}
		case key.Matches(msg, km.Open):
			r, ok := m.Selected()
			if !ok || m.res == nil {
				return m, nil
			}
			t := m.res.Trace(r.Example.TraceID)
			if t == nil {
				return m, nil
			}
			return m, func() tea.Msg { return OpenSpanMsg{Trace: t, SpanID: r.Example.SpanID} }
		}
	}
	return m, nil
}

// Title names the overlay and its search.
func (m Model) Title() string {
	t := "Analysis · " + sources.Sanitize(m.query.Service)
	if m.query.Operation != "" {
		t += " " + sources.Sanitize(m.query.Operation)
	}
	return t + " · last " + lookback(m.query.Lookback)
}

// lookback writes a window as the search form does: 1h, 90m, 2d.
func lookback(d time.Duration) string {
	switch {
	case d > 0 && d%(24*time.Hour) == 0:
		return strconv.Itoa(int(d/(24*time.Hour))) + "d"
	case d > 0 && d%time.Hour == 0:
		return strconv.Itoa(int(d/time.Hour)) + "h"
	case d > 0 && d%time.Minute == 0:
		return strconv.Itoa(int(d/time.Minute)) + "m"
	}
	return d.String()
}

// Lines draws the overlay in height lines: its title, then the report
// (or what it waits for, or its error) from the scroll offset, the
// selected row marked.
func (m Model) Lines(height int) []string {
	if height <= 0 {
		return nil
	}
	lines := []string{m.st.Focus().Apply(render.Fit("▶ "+m.Title()+" ", m.width))}
	switch {
	case m.err != nil:
		lines = append(lines, pane.ErrorLines(m.st, m.err, m.width)...)
	case m.loading:
		lines = append(lines, m.st.Dim.Apply("Analysing a sample of the traces of "+sources.Sanitize(m.query.Service)+"…"))
	case m.res == nil:
		lines = append(lines, m.st.Dim.Apply("No analysis."))
	case m.res.Traces == 0:
		lines = append(lines, m.st.Dim.Apply("No traces of "+sources.Sanitize(m.query.Service)+" in the window."))
	default:
		sel := -1
		if r, ok := m.Selected(); ok {
			sel = r.Line
		}
		end := min(len(m.lines), m.offset+height-1)
		for i := m.offset; i < end; i++ {
			if i == sel {
				lines = append(lines, m.st.Selected().Apply("▶"+render.Fit(m.plainLines[i], m.width-1)))
				continue
			}
			lines = append(lines, " "+m.lines[i])
		}
	}
	if len(lines) > height {
		lines = lines[:height]
	}
	return lines
}

// View draws the overlay in its room.
func (m Model) View() string { return pane.Box(m.Lines(m.height), m.width, m.height) }

// ShortHelp returns the main keys.
func (m Model) ShortHelp() []key.Binding {
	return []key.Binding{m.KeyMap.Open, m.KeyMap.Down, m.KeyMap.NextSection, m.KeyMap.Reload, m.KeyMap.Close}
}

// FullHelp returns all the keys.
func (m Model) FullHelp() [][]key.Binding {
	k := m.KeyMap
	return [][]key.Binding{{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom}, {k.NextSection, k.Open, k.Reload, k.Close}}
}
