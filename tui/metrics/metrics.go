// Package metrics is the explorer's Metrics pane: the RED view (request
// rate, error ratio, p50/p95/p99 latency) of the selected span's service
// over a window around the trace, as `telx metrics --service` queries it
// (sources/correlate), with the trace's own time marked over the
// sparklines. It asks again when the service or the trace changes, and in
// live mode at the refresh interval (never faster than the queries' step)
// over a window that slides with now, keeping the trace's mark while it
// is in the window.
package metrics

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"sync"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"

	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/sources/correlate"
	"github.com/telx-cli/telx/tui"
	"github.com/telx-cli/telx/tui/live"
	"github.com/telx-cli/telx/tui/pane"
	"github.com/telx-cli/telx/tui/render"
	"github.com/telx-cli/telx/tui/styles"
)

// Options configure the pane.
type Options struct {
	Source   sources.MetricSource
	Styles   *styles.Styles
	Location *time.Location
	// Before and After widen the trace's window: the view runs from
	// Before ahead of the trace's start to After past its end (default
	// 30 and 5 minutes).
	Before, After time.Duration
	// RED are the queries (default: the spanmetrics preset).
	RED correlate.RED
	// Timeout bounds the queries (default 30 seconds).
	Timeout time.Duration
	// Now is the clock the live window ends at (default time.Now).
	Now func() time.Time
	// Ticker schedules the live refreshes (default live.Tick).
	Ticker live.Ticker
}

// ResultMsg brings the RED rows of a service to the pane whose ID it
// carries; Seq tells a stale answer from the awaited one.
type ResultMsg struct {
	ID, Seq int
	Rows    []render.MetricRow
	Step    time.Duration
	Err     error
	// Range is the window queried, Window the rates' window.
	Range  sources.TimeRange
	Window time.Duration
	// Exemplars are the latency histogram's (or the typed query's) in
	// Range, when the source keeps them; ExemplarErr says why not.
	Exemplars    []sources.Exemplar
	ExemplarErr  error
	ExemplarUnit render.Unit
}

// KeyMap are the pane's keys.
type KeyMap struct {
	Reload key.Binding
	// NextExemplar and PrevExemplar step through the exemplars marked on
	// the time axis; OpenExemplar opens the chosen one's trace.
	NextExemplar, PrevExemplar, OpenExemplar key.Binding
}

// DefaultKeyMap returns the pane's keys.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Reload:       key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "query again")),
		NextExemplar: key.NewBinding(key.WithKeys("x"), key.WithHelp("x/X", "next/previous exemplar")),
		PrevExemplar: key.NewBinding(key.WithKeys("X"), key.WithHelp("X", "previous exemplar")),
		OpenExemplar: key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open the exemplar's trace")),
	}
}

// Model is the Metrics pane.
type Model struct {
	KeyMap KeyMap

	o             Options
	id            int
	st            *styles.Styles
	width, height int
	spin          spinner.Model

	service string
	trace   *sources.Trace
	mark    sources.TimeRange // the trace's extent
	rng     sources.TimeRange // the view's window
	window  time.Duration     // rates over

	// custom is a typed PromQL query (:metrics) shown instead of the
	// service's RED rows, around customRange
	custom      string
	customRange sources.TimeRange

	// live keeps the query in flight (the answer awaited) and the live
	// refresh's ticks
	live  live.Refresher
	err   error
	rows  []render.MetricRow
	step  time.Duration
	asked time.Duration // the step asked for, from the width
	// cursor is the time cursor, marked on the time axis (tui.CursorMsg)
	cursor time.Time
	// ex are the exemplars marked and the chosen one
	ex exemplars
}

// New returns an empty pane.
func New(o Options) Model {
	if o.Styles == nil {
		o.Styles = styles.New(false)
	}
	if o.Location == nil {
		o.Location = time.Local
	}
	if o.Before <= 0 {
		o.Before = 30 * time.Minute
	}
	if o.After <= 0 {
		o.After = 5 * time.Minute
	}
	if o.Timeout <= 0 {
		o.Timeout = 30 * time.Second
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	id := pane.NextID()
	return Model{KeyMap: DefaultKeyMap(), o: o, id: id, st: o.Styles, live: live.New(id, o.Ticker),
		spin: spinner.New(spinner.WithSpinner(spinner.MiniDot))}
}

// ID is the pane's ID.
func (m Model) ID() int { return m.id }

// Title names the pane and the service.
func (m Model) Title() string {
	if m.custom != "" {
		return "Metrics · " + sources.Sanitize(m.custom)
	}
	if m.service == "" {
		return "Metrics"
	}
	return "Metrics · " + sources.Sanitize(m.service)
}

// Service returns the service shown.
func (m Model) Service() string { return m.service }

// Rows returns the RED rows shown.
func (m Model) Rows() []render.MetricRow { return m.rows }

// Loading tells whether the queries the pane shows the loading of are
// under way (a live refresh keeps the rows shown instead).
func (m Model) Loading() bool { return m.live.InFlight() && !m.live.Refreshing() }

// Live is the pane's live state: on or paused, its interval, the query
// in flight.
func (m Model) Live() live.Refresher { return m.live }

// Range is the window of the rows shown.
func (m Model) Range() sources.TimeRange { return m.rng }

// SetSize sets the pane's size.
func (m Model) SetSize(width, height int) tui.Pane {
	m.width, m.height = width, height
	return m
}

// Select shows the RED view of span's service around trace tr, querying
// only when the service or the trace changed.
func (m *Model) Select(tr *sources.Trace, span *sources.Span) tea.Cmd {
	if span == nil || tr == nil || (span.Service == m.service && tr == m.trace) {
		return nil
	}
	m.service, m.trace, m.custom = span.Service, tr, ""
	return m.load()
}

// SetQuery shows a PromQL query's series around r (widened as a trace's
// window) until the selected service changes; an empty query shows the
// service's RED rows again.
func (m *Model) SetQuery(query string, r sources.TimeRange) tea.Cmd {
	m.custom, m.customRange = query, r
	return m.load()
}

// Query returns the typed query shown, if any.
func (m Model) Query() string { return m.custom }

// cells is how many columns the sparklines get at the pane's width (80
// columns' worth before the pane has a size: a trace opened at start is
// asked for before the terminal's size comes).
func (m Model) cells() int {
	if m.width <= 0 {
		return render.SparkCells(80)
	}
	return render.SparkCells(max(m.width, 40))
}

// hasQuery tells whether the pane has something to query: a trace or a
// typed query.
func (m Model) hasQuery() bool { return m.trace != nil || m.custom != "" }

// span is the range to query around mark: Before ahead of it and After
// past it; in live mode, the same length ending now.
func (m Model) span(mark sources.TimeRange) sources.TimeRange {
	r := sources.TimeRange{From: mark.From.Add(-m.o.Before), To: mark.To.Add(m.o.After)}
	if m.live.On() {
		r = sources.Last(r.Duration(), m.o.Now())
	}
	return r
}

// load queries what the selection or the user asked for, the rows shown
// until then giving way to the loading line.
func (m *Model) load() tea.Cmd {
	m.live.Cancel()
	m.rows, m.err = nil, nil
	if m.o.Source == nil || !m.hasQuery() {
		return nil
	}
	return m.query(false)
}

// refresh queries again in live mode, the rows staying shown until the
// answer.
func (m *Model) refresh() tea.Cmd {
	if m.o.Source == nil || !m.hasQuery() {
		return nil
	}
	return m.query(true)
}

func (m *Model) query(refresh bool) tea.Cmd {
	if m.custom != "" {
		m.mark = m.customRange
	} else {
		m.mark = m.trace.TimeRange()
	}
	rng := m.span(m.mark)
	step := sources.AutoStep(rng, m.cells())
	m.asked = step
	used, _ := sources.LimitStep(rng, step)
	// redrawing more often than the step brings no new point
	m.live.SetFloor(used)
	window := max(used, time.Minute)
	var queries []correlate.REDQuery
	var err error
	if m.custom != "" {
		queries = []correlate.REDQuery{{Name: "query", Query: m.custom}}
	} else if queries, err = m.o.RED.Queries(m.service, window); err != nil {
		m.err = err
		return nil
	}
	units := make([]render.Unit, len(queries))
	for i, q := range queries {
		if m.custom != "" {
			units[i] = render.GuessUnit(q.Query)
		} else if units[i], err = render.ParseUnit(q.Unit); err != nil {
			m.err = err
			return nil
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), m.o.Timeout)
	var seq int
	if refresh {
		seq = m.live.Refresh(cancel)
	} else {
		seq = m.live.Load(cancel)
	}
	id, src := m.id, m.o.Source
	exQuery, exUnit := exemplarQuery(queries, units, m.custom != "")
	run := func() tea.Msg {
		defer cancel()
		results := make([]*sources.MetricResult, len(queries))
		errs := make([]error, len(queries))
		var wg sync.WaitGroup
		for i, q := range queries {
			wg.Add(1)
			go func() {
				defer wg.Done()
				results[i], errs[i] = src.QueryRange(ctx, sources.MetricQuery{Query: q.Query, Range: rng, Step: step})
			}()
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			return ResultMsg{ID: id, Seq: seq, Err: err}
		}
		// the exemplars once the rows came: one answer read at a time
		var ex []sources.Exemplar
		var exErr error
		if es, ok := src.(sources.ExemplarSource); ok && exQuery != "" {
			ex, exErr = es.Exemplars(ctx, exQuery, rng)
		}
		var rows []render.MetricRow
		for i, q := range queries {
			_, rs := render.MetricRows(results[i].Series, units[i])
			render.SortRows(rs, render.SortName)
			for j := range rs {
				if len(rs) > 1 {
					rs[j].Name = q.Name + " " + rs[j].Name
				} else {
					rs[j].Name = q.Name
				}
				rs[j].Key = q.Name
			}
			rows = append(rows, rs...)
		}
		return ResultMsg{ID: id, Seq: seq, Rows: rows, Step: results[0].Step, Range: rng, Window: window,
			Exemplars: render.InRange(ex, rng), ExemplarErr: exErr, ExemplarUnit: exUnit}
	}
	status := func() tea.Msg { return tui.StatusMsg{Source: "metrics", Loading: true} }
	if refresh {
		return tea.Batch(status, run)
	}
	return tea.Batch(status, run, m.spin.Tick)
}

// Cancel stops the queries in flight, if any (the explorer calls it
// when it quits).
func (m Model) Cancel() { m.live.Cancel() }

// Update handles the selection, the queries' answer and the keys.
func (m Model) Update(msg tea.Msg) (tui.Pane, tea.Cmd) {
	switch msg := msg.(type) {
	case tui.SpanSelectedMsg:
		return m, m.Select(msg.Trace, msg.Span)
	case tui.MetricQueryMsg:
		return m, m.SetQuery(msg.Query, msg.Range)
	case tui.CursorMsg:
		m.cursor = msg.Time
		return m, nil
	case tui.SizeChangedMsg:
		// zoomed, or the terminal resized: ask again when the width
		// calls for another step (more points for more columns)
		// (a query under way, or none answered yet, is asked at its width)
		if (m.trace != nil || m.custom != "") && !m.live.InFlight() && !m.rng.From.IsZero() &&
			sources.AutoStep(m.rng, m.cells()) != m.asked {
			return m, m.load()
		}
	case ResultMsg:
		if msg.ID != m.id {
			return m, nil
		}
		done := tui.StatusMsg{Source: "metrics"}
		refreshed := m.live.Refreshing()
		if !m.live.Done(msg.Seq) {
			return m, func() tea.Msg { return done }
		}
		done.Err = msg.Err
		status := func() tea.Msg { return done }
		if msg.Err != nil && refreshed && len(m.rows) > 0 {
			// a failed refresh keeps the rows; the status bar says why
			return m, status
		}
		m.err, m.rows, m.step = msg.Err, msg.Rows, msg.Step
		if msg.Err == nil {
			m.rng, m.window = msg.Range, msg.Window
			m.ex = m.ex.update(msg.Exemplars, msg.ExemplarErr, msg.ExemplarUnit)
		}
		if msg.Err == nil && m.live.On() {
			id := m.id
			return m, tea.Batch(status, func() tea.Msg { return live.UpdatedMsg{ID: id} })
		}
		return m, status
	case tui.LiveMsg:
		cmd := m.live.Set(msg.On, msg.Interval)
		switch {
		case !msg.On || !m.hasQuery():
		case m.live.InFlight():
			// a query over the window around the trace: asked again over
			// the live one
			cmd = tea.Batch(cmd, m.query(false))
		default:
			// catching up: the window slides to now at once
			cmd = tea.Batch(cmd, m.refresh())
		}
		return m, cmd
	case live.TickMsg:
		due, next := m.live.Tick(msg)
		if due {
			return m, tea.Batch(next, m.refresh())
		}
		return m, next
	case spinner.TickMsg:
		if !m.Loading() || msg.ID != m.spin.ID() {
			return m, nil
		}
		var cmd tea.Cmd
		m.spin, cmd = m.spin.Update(msg)
		return m, cmd
	case tea.KeyPressMsg:
		if key.Matches(msg, m.KeyMap.Reload) && (m.trace != nil || m.custom != "") {
			return m, m.load()
		}
		if len(m.rows) > 0 && m.err == nil {
			return m.exemplarKey(msg)
		}
	}
	return m, nil
}

// View draws the window, the trace's mark and the RED rows.
func (m Model) View() string {
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	var lines []string
	switch {
	case m.trace == nil && m.custom == "":
		lines = []string{m.st.Dim.Apply("No trace open: the metrics of the selected span's service show here.")}
	case m.o.Source == nil:
		lines = []string{m.st.Dim.Apply("No metric source (Prometheus) configured.")}
	case m.err != nil:
		lines = append(lines, pane.ErrorLines(m.st, m.err, m.width)...)
	case m.Loading() && m.custom != "":
		lines = []string{m.spin.View() + " " + m.st.Dim.Apply("loading "+sources.Sanitize(m.custom)+"…")}
	case m.Loading():
		lines = []string{m.spin.View() + " " + m.st.Dim.Apply("loading "+sources.Sanitize(m.service)+"'s rate, errors and latency…")}
	case len(m.rows) == 0 && m.custom != "":
		lines = []string{m.st.Dim.Apply("No series for " + sources.Sanitize(m.custom) + " in this window.")}
	case len(m.rows) == 0:
		lines = []string{m.st.Dim.Apply("No span metrics for " + sources.Sanitize(m.service) + " in this window.")}
	default:
		lines = m.table()
	}
	return pane.Box(lines, m.width, m.height)
}

func (m Model) table() []string {
	loc := m.o.Location
	head := m.rng.From.In(loc).Format("15:04") + " → " + m.rng.To.In(loc).Format("15:04")
	if m.live.On() {
		// the window slides: its end is the last refresh's
		head = "live every " + live.Format(m.live.Interval()) + " · " +
			m.rng.From.In(loc).Format("15:04") + " → " + m.rng.To.In(loc).Format("15:04:05")
	}
	title, mark, what := strings.ToUpper(sources.Sanitize(m.service)), "trace", "the trace"
	if m.custom != "" {
		title, mark, what = "QUERY", "window", "the window"
	} else {
		head += " · rate over " + correlate.PromDuration(m.window)
	}
	// the mark shows while the trace is in the window (a live window may
	// have slid past it)
	in := m.mark.From.Before(m.rng.To) && m.mark.To.After(m.rng.From)
	if in {
		head += " · ▼ " + what + " " + m.mark.From.In(loc).Format("15:04:05")
	} else {
		head += " · " + what + " (" + m.mark.From.In(loc).Format("15:04:05") + ") is out of the window"
	}
	o := render.MetricTableOptions{Width: m.width, Styles: m.st, Range: m.rng, Step: m.step, Title: title, Cursor: m.cursor}
	// the cursor's time, unless the trace's mark holds it
	if !m.cursor.IsZero() && !m.cursor.Before(m.rng.From) && !m.cursor.After(m.rng.To) &&
		(!in || m.cursor.Before(m.mark.From) || m.cursor.After(m.mark.To)) {
		head += " · " + render.MarkCursor + " " + m.cursor.In(loc).Format("15:04:05")
	}
	var b bytes.Buffer
	_ = render.MetricTable(&b, m.rows, o)
	table := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	// the window, the column header, the trace's mark, the rows; a pane too
	// low for them all drops the window's line, then the mark, then the
	// column header, so that a stacked pane of a few lines shows rows
	head = m.st.Dim.Apply(head)
	shown := m.mark
	if !in {
		shown = sources.TimeRange{}
	}
	marker := render.MetricMarker(m.rows, o, shown, mark)
	var lines []string
	switch rows := len(table) - 1; {
	case m.height >= rows+3:
		lines = []string{head, table[0], marker}
	case m.height >= rows+2:
		lines = []string{table[0], marker}
	case m.height >= 2:
		lines = []string{table[0]}
	}
	lines = append(lines, table[1:]...)
	// the exemplars' marks under the rows, and the chosen one, while the
	// pane has room for them after everything else
	ex := m.exemplarLines(o)
	if len(lines)+len(ex) <= m.height {
		lines = append(lines, ex...)
	} else if len(ex) > 0 && len(lines) < m.height {
		lines = append(lines, ex[0])
	}
	return lines
}

// ShortHelp returns the pane's main keys.
func (m Model) ShortHelp() []key.Binding {
	if len(m.ex.list) > 0 {
		return []key.Binding{m.KeyMap.Reload, m.KeyMap.NextExemplar, m.KeyMap.OpenExemplar}
	}
	return []key.Binding{m.KeyMap.Reload}
}

// FullHelp returns all the pane's keys.
func (m Model) FullHelp() [][]key.Binding {
	return [][]key.Binding{{m.KeyMap.Reload}, {m.KeyMap.NextExemplar, m.KeyMap.PrevExemplar, m.KeyMap.OpenExemplar}}
}
