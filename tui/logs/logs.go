// Package logs is the explorer's Logs pane: the log lines of the open
// trace, of its selected span, or of the span's service around the span,
// following the selection. It queries as `telx logs --trace` does
// (sources/correlate), filters the loaded lines by level and by a regular
// expression, and draws only the rows in view with render.AppendLogEntry.
package logs

import (
	"context"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"

	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/sources/correlate"
	"github.com/telx-cli/telx/sources/logline"
	"github.com/telx-cli/telx/tui"
	"github.com/telx-cli/telx/tui/pane"
	"github.com/telx-cli/telx/tui/render"
	"github.com/telx-cli/telx/tui/styles"
)

// Scope is what the pane shows of the selection.
type Scope int

// The scopes, in the order the scope key cycles through them.
const (
	ScopeSpan    Scope = iota // the selected span's lines
	ScopeTrace                // the whole trace's lines
	ScopeService              // every line of the span's service around the span
)

func (s Scope) String() string {
	return [...]string{"span", "trace", "service"}[s]
}

// Level is the level filter.
type Level int

// The level filters, in the order the level key cycles through them.
const (
	LevelAll   Level = iota
	LevelWarn        // warn, error, fatal
	LevelError       // error, fatal
)

func (l Level) String() string { return [...]string{"all", "warn+", "error"}[l] }

// Options configure the pane.
type Options struct {
	Source   sources.LogSource
	Styles   *styles.Styles
	Location *time.Location
	// Margin widens the span's or trace's window on each side (default
	// 5 minutes, as telx logs --trace).
	Margin time.Duration
	// Limit is the most lines a query loads (default 5000).
	Limit int
	// ServiceLabel is the label naming a service (default service_name).
	ServiceLabel string
	// Templates are the trace queries (default correlate's: the
	// structured-metadata filter, then the line filter).
	Templates []correlate.Template
	// Timeout bounds a query (default 30 seconds).
	Timeout time.Duration
	// MaxLines is the most lines the pane keeps as live mode adds lines,
	// the oldest dropped past it (default DefaultMaxLines, never below
	// Limit).
	MaxLines int
	// MaxBackoff caps the wait before following again after the tail
	// failed (default DefaultMaxBackoff).
	MaxBackoff time.Duration
	// Live starts the pane in live mode, as a tui.LiveMsg would.
	Live bool
	// Now is the time live mode catches up to (default time.Now).
	Now func() time.Time
}

// ResultMsg brings the lines of a query to the pane whose ID it carries;
// Seq tells a stale answer (the selection moved on) from the awaited one.
type ResultMsg struct {
	ID, Seq int
	Entries []sources.LogEntry
	// Query is the query that answered (or failed); Tried are all those
	// asked, in order, when none found a line.
	Query string
	Tried []string
	Err   error
}

// KeyMap are the pane's keys.
type KeyMap struct {
	Up, Down, PageUp, PageDown, Top, Bottom key.Binding
	Open, Scope, Level, Wrap, Filter, Clear key.Binding
	// Raw shows the lines as stored, or parsed; Fields opens the
	// selected line's fields; LokiTime shows Loki's times, or the lines'.
	Raw, Fields, LokiTime key.Binding
	// Patterns groups the lines into patterns, where Exclude drops the
	// selected pattern's lines (enter keeps them); Volume shows or hides
	// the volume above the lines.
	Patterns, Exclude, Volume key.Binding
}

// DefaultKeyMap returns the pane's default keys.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Up:       key.NewBinding(key.WithKeys("k", "up"), key.WithHelp("↑/k", "up")),
		Down:     key.NewBinding(key.WithKeys("j", "down"), key.WithHelp("↓/j", "down")),
		PageUp:   key.NewBinding(key.WithKeys("pgup", "ctrl+u"), key.WithHelp("pgup", "page up")),
		PageDown: key.NewBinding(key.WithKeys("pgdown", "ctrl+d"), key.WithHelp("pgdn", "page down")),
		Top:      key.NewBinding(key.WithKeys("g", "home"), key.WithHelp("g", "first line")),
		Bottom:   key.NewBinding(key.WithKeys("G", "end"), key.WithHelp("G", "last line")),
		Open:     key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open the line's trace")),
		Scope:    key.NewBinding(key.WithKeys("t"), key.WithHelp("t", "span/trace/service")),
		Level:    key.NewBinding(key.WithKeys("l"), key.WithHelp("l", "level all/warn+/error")),
		Wrap:     key.NewBinding(key.WithKeys("w"), key.WithHelp("w", "wrap")),
		Filter:   key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "filter (regex)")),
		Clear:    key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "clear the filters")),
		Raw:      key.NewBinding(key.WithKeys("v"), key.WithHelp("v", "raw/parsed lines")),
		Fields:   key.NewBinding(key.WithKeys("f"), key.WithHelp("f", "the line's fields")),
		LokiTime: key.NewBinding(key.WithKeys("T"), key.WithHelp("T", "Loki's/the line's time")),
		Patterns: key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "patterns")),
		Exclude:  key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "in patterns: drop the pattern's lines")),
		Volume:   key.NewBinding(key.WithKeys("H"), key.WithHelp("H", "volume histogram")),
	}
}

// Model is the Logs pane.
type Model struct {
	KeyMap KeyMap

	o             Options
	id            int
	st, plain     *styles.Styles
	width, height int
	spin          spinner.Model

	trace *sources.Trace
	span  *sources.Span
	scope Scope

	// custom is a typed LogQL query (:logs) shown instead of the
	// selection's lines until the selection moves; over customRange
	custom      string
	customRange sources.TimeRange

	seq     int
	queries []correlate.SpanQuery // of the last load
	cancel  context.CancelFunc
	loading bool
	err     error
	query   string
	tried   []string // the queries asked when none found a line
	rng     sources.TimeRange

	entries []sources.LogEntry
	loaded  int   // how many the query's answer held
	shown   []int // indexes into entries that pass the filters
	sel     int   // index into shown
	offset  int   // index into shown of the first row in view

	level  Level
	wrap   bool
	typing bool
	input  string
	filter *regexp.Regexp
	ferr   error

	raw, lokiTime bool
	// the fields view of the selected line, when open
	fields             []fieldRow
	fieldSel, fieldOff int
	matches            []fieldMatch // field filters
	scratch            logline.Line

	// the volume above the lines (insight.go)
	showVolume bool
	volume     []sources.Series
	volStep    time.Duration
	volRange   sources.TimeRange // what the volume counts: the window when asked
	volLines   int               // the lines counted, when counted here
	volErr     error             // why the loaded lines are counted instead
	volLocal   bool
	volRows    []string
	// the patterns view
	patternsOpen, patRemote, patLoading bool
	patterns                            []sources.LogPattern
	patStep                             time.Duration
	patRange                            sources.TimeRange
	patNote                             string
	patErr                              error
	patSel, patOff                      int
	pmatches                            []patternMatch // pattern filters

	// cursor is the time cursor from another pane, its nearest line
	// marked (cursor.go)
	cursor time.Time

	live liveState // follow.go
}

// New returns an empty pane.
func New(o Options) Model {
	if o.Styles == nil {
		o.Styles = styles.New(false)
	}
	if o.Location == nil {
		o.Location = time.Local
	}
	if o.Margin <= 0 {
		o.Margin = 5 * time.Minute
	}
	if o.Limit <= 0 {
		o.Limit = 5000
	}
	if o.Templates == nil {
		o.Templates = correlate.DefaultTraceTemplates()
	}
	if o.Timeout <= 0 {
		o.Timeout = 30 * time.Second
	}
	if o.MaxLines <= 0 {
		o.MaxLines = DefaultMaxLines
	}
	o.MaxLines = max(o.MaxLines, o.Limit)
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = DefaultMaxBackoff
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return Model{
		KeyMap: DefaultKeyMap(), o: o, id: pane.NextID(), st: o.Styles, plain: styles.New(false),
		spin: spinner.New(spinner.WithSpinner(spinner.MiniDot)), showVolume: true,
		live: liveState{on: o.Live, newFrom: -1},
	}
}

// ID is the pane's ID: its results carry it.
func (m Model) ID() int { return m.id }

// Title names the pane and what it shows.
func (m Model) Title() string {
	if m.custom != "" {
		return "Logs · " + sources.Sanitize(m.custom)
	}
	if m.span == nil {
		return "Logs"
	}
	switch m.scope {
	case ScopeTrace:
		return "Logs · trace " + short(m.trace.ID)
	case ScopeService:
		return "Logs · " + sources.Sanitize(m.span.Service) + " around the span"
	}
	return "Logs · span " + sources.Sanitize(m.span.Service+" "+m.span.Operation)
}

func short(id sources.TraceID) string {
	s := string(id)
	if len(s) > 12 {
		return s[:12] + "…"
	}
	return s
}

// SetSize sets the pane's size.
func (m Model) SetSize(width, height int) tui.Pane {
	if width != m.width {
		m.width = width
		m.renderVolume()
	}
	m.height = height
	m.scroll()
	return m
}

// Typing tells whether the filter prompt takes the keys.
func (m Model) Typing() bool { return m.typing }

// Scope returns what the pane shows of the selection.
func (m Model) Scope() Scope { return m.scope }

// Loading tells whether a query is under way.
func (m Model) Loading() bool { return m.loading }

// Err returns the last query's error.
func (m Model) Err() error { return m.err }

// Lines returns the entries that pass the filters, in time order.
func (m Model) Lines() []*sources.LogEntry {
	out := make([]*sources.LogEntry, len(m.shown))
	for i, k := range m.shown {
		out[i] = &m.entries[k]
	}
	return out
}

// Selected returns the selected entry, or nil.
func (m Model) Selected() *sources.LogEntry {
	if m.sel < 0 || m.sel >= len(m.shown) {
		return nil
	}
	return &m.entries[m.shown[m.sel]]
}

// SetEntries shows entries (in time order) as a query's answer would.
func (m *Model) SetEntries(entries []sources.LogEntry) {
	m.entries, m.loaded, m.err, m.loading = entries, len(entries), nil, false
	m.sel, m.offset = 0, 0
	m.refilter()
	if m.span != nil && m.scope == ScopeService && m.custom == "" {
		// start at the span among its service's lines
		m.sel = sort.Search(len(m.shown), func(i int) bool { return !m.entries[m.shown[i]].Time.Before(m.span.Start) })
	}
	m.scroll()
}

// Select shows the lines of span (of trace tr) in the current scope,
// loading them unless the scope shows them already; the query in flight
// is cancelled.
func (m *Model) Select(tr *sources.Trace, span *sources.Span) tea.Cmd {
	same := m.trace == tr && m.span == span
	sameTrace := m.trace == tr && m.trace != nil
	m.trace, m.span = tr, span
	if !same && m.custom != "" {
		m.custom = "" // the selection moved: follow it again
		return m.load()
	}
	if same || (m.scope == ScopeTrace && sameTrace && m.err == nil) {
		return nil
	}
	return m.load()
}

// SetQuery shows the lines of a LogQL query over r (widened by the
// margin) until the selection moves; an empty query follows the
// selection again.
func (m *Model) SetQuery(query string, r sources.TimeRange) tea.Cmd {
	m.custom, m.customRange = query, r
	return m.load()
}

// Query returns the typed query shown, if any.
func (m Model) Query() string { return m.custom }

// SetScope changes the scope and loads its lines.
func (m *Model) SetScope(s Scope) tea.Cmd {
	m.scope, m.custom = s, ""
	return m.load()
}

// load starts the query of the current scope, cancelling the one in
// flight: its answer, when it comes, is stale.
func (m *Model) load() tea.Cmd {
	if m.cancel != nil {
		m.cancel()
		m.cancel = nil
	}
	m.resetLive()
	m.seq++
	m.entries, m.shown, m.sel, m.offset, m.err, m.query, m.tried = nil, nil, 0, 0, nil, "", nil
	m.volume, m.volErr, m.volRows, m.patternsOpen, m.patterns, m.fields = nil, nil, nil, false, nil, nil
	if (m.span == nil && m.custom == "") || m.o.Source == nil {
		m.loading = false
		return nil
	}
	var queries []correlate.SpanQuery
	var err error
	all := func(qs []string) []correlate.SpanQuery {
		out := make([]correlate.SpanQuery, len(qs))
		for i, q := range qs {
			out[i] = correlate.SpanQuery{Query: q, BySpan: true}
		}
		return out
	}
	span, label := m.span, m.o.ServiceLabel
	switch {
	case m.custom != "":
		m.rng = m.customRange.Widen(m.o.Margin)
		queries = all([]string{m.custom})
	case m.scope == ScopeTrace:
		m.rng = m.trace.TimeRange().Widen(m.o.Margin)
		var qs []string
		qs, err = correlate.TraceQueries(label, m.trace.Services(), m.trace.ID, m.o.Templates)
		queries = all(qs)
	case m.scope == ScopeService:
		m.rng = sources.TimeRange{From: span.Start, To: span.End()}.Widen(m.o.Margin)
		queries = all([]string{correlate.Selector(label, []string{span.Service})})
	default:
		// the lines with the span's ID, from any service; else the trace's
		// lines in the span's service but those of its other spans
		m.rng = sources.TimeRange{From: span.Start, To: span.End()}.Widen(m.o.Margin)
		queries, err = correlate.SpanQueries(label, span.Service, m.trace.ID, span.SpanID, m.o.Templates)
	}
	if err != nil {
		m.err, m.loading = err, false
		return nil
	}
	m.query, m.queries = queries[0].Query, queries
	ctx, cancel := context.WithTimeout(context.Background(), m.o.Timeout)
	m.cancel, m.loading = cancel, true
	id, seq, src, r, limit := m.id, m.seq, m.o.Source, m.rng, m.o.Limit
	var spanID sources.SpanID // none for a typed query
	if span != nil {
		spanID = span.SpanID
	}
	run := func() tea.Msg {
		defer cancel()
		var out []sources.LogEntry
		for _, q := range queries {
			qr := r
			if q.DuringSpan {
				qr = correlate.SpanWindow(span)
			}
			err := src.QueryLogs(ctx, sources.LogQuery{Query: q.Query, Range: qr, Limit: limit, Direction: sources.Forward},
				func(e sources.LogEntry) error {
					if q.Keep(&e, spanID) {
						out = append(out, e)
					}
					return nil
				})
			if err != nil || len(out) > 0 {
				return ResultMsg{ID: id, Seq: seq, Entries: out, Query: q.Query, Err: err}
			}
		}
		tried := make([]string, len(queries))
		for i, q := range queries {
			tried[i] = q.Query
		}
		return ResultMsg{ID: id, Seq: seq, Query: queries[0].Query, Tried: tried}
	}
	status := func() tea.Msg { return tui.StatusMsg{Source: "logs", Loading: true} }
	return tea.Batch(status, run, m.spin.Tick)
}

// Cancel stops the query in flight and the tail, if any (the explorer
// calls it when it quits).
func (m Model) Cancel() {
	if m.cancel != nil {
		m.cancel()
	}
	if m.live.cancel != nil {
		m.live.cancel()
	}
}

func rank(level string) Level {
	switch level {
	case "error", "fatal", "critical":
		return LevelError
	case "warn", "warning":
		return LevelWarn
	}
	return LevelAll
}

// refilter lists the entries that pass the level and regex filters,
// keeping the selected entry selected when it still shows.
func (m *Model) refilter() {
	was := -1
	if m.sel >= 0 && m.sel < len(m.shown) {
		was = m.shown[m.sel]
	}
	m.shown = m.shown[:0]
	for i := range m.entries {
		if m.passes(&m.entries[i]) {
			m.shown = append(m.shown, i)
		}
	}
	m.sel = 0
	if was >= 0 {
		m.sel = sort.SearchInts(m.shown, was)
	}
	m.scroll()
}

// passes tells whether e passes the level, regex, field and pattern
// filters.
func (m *Model) passes(e *sources.LogEntry) bool {
	return rank(e.Level) >= m.level && (m.filter == nil || m.filter.MatchString(e.Line)) &&
		m.matchesFields(e) && m.matchesPatterns(e)
}

// SetLevel filters the lines by level.
func (m *Model) SetLevel(l Level) { m.level = l; m.refilter() }

// SetFilter keeps the lines that the regular expression matches, ignoring
// case (the empty string: every line).
func (m *Model) SetFilter(expr string) error {
	m.ferr = nil
	if expr == "" {
		m.filter = nil
		m.refilter()
		return nil
	}
	re, err := regexp.Compile("(?i)" + expr)
	if err != nil {
		m.ferr = err
		return err
	}
	m.filter = re
	m.refilter()
	return nil
}

// ToggleWrap wraps long lines under themselves, or cuts them.
func (m *Model) ToggleWrap() { m.wrap = !m.wrap; m.scroll() }

// rowsHeight is how many rows fit above the status line.
func (m Model) rowsHeight() int { return max(1, m.height-1-m.volumeRows()) }

func (m *Model) logOptions(st *styles.Styles, width int) *render.LogsOptions {
	o := &render.LogsOptions{Styles: st, Location: m.o.Location, TimeFormat: render.LogTimeFormatShort, Match: m.filter,
		Raw: m.raw, LokiTime: m.lokiTime}
	if m.o.ServiceLabel != "" {
		o.ServiceLabels = append([]string{m.o.ServiceLabel}, render.DefaultServiceLabels...)
	}
	if m.wrap {
		o.Width = width
	}
	return o
}

// rows renders shown entry i as its rows (several when wrapped).
func (m *Model) rows(i int, st *styles.Styles) []string {
	buf := render.AppendLogEntry(nil, &m.entries[m.shown[i]], m.logOptions(st, m.width-1))
	return strings.Split(strings.TrimSuffix(string(buf), "\n"), "\n")
}

// scroll keeps the selection within the lines and in view.
func (m *Model) scroll() {
	n := len(m.shown)
	m.sel = pane.Clamp(m.sel, n)
	h := m.rowsHeight()
	if n == 0 {
		m.offset = 0
		return
	}
	if !m.wrap || m.width <= 0 {
		m.offset = pane.Scroll(m.sel, m.offset, h, n)
		return
	}
	if m.sel < m.offset {
		m.offset = m.sel
	}
	if m.sel-m.offset < h {
		used := 0
		for i := m.offset; i <= m.sel; i++ {
			used += len(m.rows(i, m.plain))
		}
		if used <= h {
			return
		}
	}
	// the selection at the bottom: as many entries above it as fit
	used, off := 0, m.sel
	for ; off >= 0; off-- {
		used += len(m.rows(off, m.plain))
		if used > h {
			break
		}
	}
	m.offset = min(m.sel, off+1)
}

// MoveDown moves the selection n lines down (up when n < 0). On the last
// line, the selection follows the lines live mode adds.
func (m *Model) MoveDown(n int) {
	m.sel += n
	m.scroll()
	if m.atBottom() {
		m.live.newFrom = -1
	}
}

// Update handles the pane's keys, the selection and its query's answer.
func (m Model) Update(msg tea.Msg) (tui.Pane, tea.Cmd) {
	switch msg := msg.(type) {
	case tui.SpanSelectedMsg:
		return m, m.Select(msg.Trace, msg.Span)
	case tui.LogQueryMsg:
		return m, m.SetQuery(msg.Query, msg.Range)
	case tui.LiveMsg, TailMsg, tailRetryMsg:
		return m, m.liveUpdate(msg)
	case ResultMsg:
		if msg.ID != m.id {
			return m, nil
		}
		done := tui.StatusMsg{Source: "logs"}
		if msg.Seq != m.seq {
			return m, func() tea.Msg { return done } // stale: the selection moved on
		}
		m.cancel = nil
		if msg.Err != nil {
			m.err, m.loading, m.query = msg.Err, false, msg.Query
			done.Err = msg.Err
		} else {
			m.query, m.tried = msg.Query, msg.Tried
			m.SetEntries(msg.Entries)
			if len(m.queries) > 0 {
				m.live.q = followQuery(m.queries, msg.Query)
			}
			m.live.span = ""
			if m.span != nil {
				m.live.span = m.span.SpanID
			}
			cmds := []tea.Cmd{func() tea.Msg { return done }, m.startTail()}
			if len(m.entries) > 0 && m.showVolume {
				cmds = append(cmds, m.loadVolume(msg.Query))
			}
			return m, tea.Batch(cmds...)
		}
		return m, func() tea.Msg { return done }
	case VolumeMsg:
		if msg.ID != m.id || msg.Seq != m.seq {
			return m, nil
		}
		if msg.Err != nil {
			m.countVolume(msg.Err)
		} else {
			m.volume, m.volStep = msg.Series, msg.Step
			m.renderVolume()
		}
		m.scroll()
		return m, nil
	case PatternsMsg:
		if msg.ID != m.id || msg.Seq != m.seq || !m.patternsOpen {
			return m, nil
		}
		m.patternsResult(msg)
		return m, nil
	case spinner.TickMsg:
		if !m.loading || msg.ID != m.spin.ID() {
			return m, nil
		}
		var cmd tea.Cmd
		m.spin, cmd = m.spin.Update(msg)
		return m, cmd
	case tui.CursorMsg, tui.CursorJumpMsg:
		m.cursorMsg(msg)
		return m, nil
	case tea.KeyPressMsg:
		if m.typing {
			m.typeKey(msg)
			return m, nil
		}
		var was *time.Time
		if e := m.Selected(); e != nil {
			t := e.Time
			was = &t
		}
		cmd := m.key(msg)
		return m, tea.Batch(cmd, m.moved(was))
	}
	return m, nil
}

func (m *Model) key(k tea.KeyPressMsg) tea.Cmd {
	km := m.KeyMap
	if m.patternsOpen {
		switch {
		case key.Matches(k, km.Up):
			m.movePattern(-1)
		case key.Matches(k, km.Down):
			m.movePattern(1)
		case key.Matches(k, km.PageUp):
			m.movePattern(-m.rowsHeight())
		case key.Matches(k, km.PageDown):
			m.movePattern(m.rowsHeight())
		case key.Matches(k, km.Top):
			m.movePattern(-len(m.patterns))
		case key.Matches(k, km.Bottom):
			m.movePattern(len(m.patterns))
		case key.Matches(k, km.Open):
			m.AddPatternMatch(false)
		case key.Matches(k, km.Exclude):
			m.AddPatternMatch(true)
		case key.Matches(k, km.Patterns), key.Matches(k, km.Clear):
			return m.TogglePatterns()
		}
		return nil
	}
	if m.fields != nil {
		switch {
		case key.Matches(k, km.Up):
			m.moveField(-1)
		case key.Matches(k, km.Down):
			m.moveField(1)
		case key.Matches(k, km.PageUp):
			m.moveField(-m.rowsHeight())
		case key.Matches(k, km.PageDown):
			m.moveField(m.rowsHeight())
		case key.Matches(k, km.Open):
			m.FilterBySelectedField()
		case key.Matches(k, km.Fields), key.Matches(k, km.Clear):
			m.CloseFields()
		}
		return nil
	}
	switch {
	case key.Matches(k, km.Up):
		m.MoveDown(-1)
	case key.Matches(k, km.Down):
		m.MoveDown(1)
	case key.Matches(k, km.PageUp):
		m.MoveDown(-m.rowsHeight())
	case key.Matches(k, km.PageDown):
		m.MoveDown(m.rowsHeight())
	case key.Matches(k, km.Top):
		m.MoveDown(-m.sel)
	case key.Matches(k, km.Bottom):
		m.MoveDown(len(m.shown))
	case key.Matches(k, km.Scope):
		return m.SetScope((m.scope + 1) % 3)
	case key.Matches(k, km.Level):
		m.SetLevel((m.level + 1) % 3)
	case key.Matches(k, km.Wrap):
		m.ToggleWrap()
	case key.Matches(k, km.Filter):
		m.typing, m.input = true, ""
		if m.filter != nil {
			m.input = strings.TrimPrefix(m.filter.String(), "(?i)")
		}
	case key.Matches(k, km.Clear):
		m.matches, m.pmatches = nil, nil
		_ = m.SetFilter("")
	case key.Matches(k, km.Open):
		return m.OpenSelected()
	case key.Matches(k, km.Raw):
		m.raw = !m.raw
		m.scroll()
	case key.Matches(k, km.LokiTime):
		m.lokiTime = !m.lokiTime
	case key.Matches(k, km.Fields):
		m.OpenFields()
	case key.Matches(k, km.Patterns):
		return m.TogglePatterns()
	case key.Matches(k, km.Volume):
		m.showVolume = !m.showVolume
		if m.showVolume && len(m.entries) > 0 && (m.volume == nil && m.volErr == nil || !m.window().To.Equal(m.volRange.To)) {
			// not counted yet, or live mode brought lines since
			return m.loadVolume(m.query)
		}
		m.scroll()
	}
	return nil
}

// CopyText offers the selected line to copy (y).
func (m Model) CopyText() (what, text string, ok bool) {
	if m.fields != nil && m.fields[m.fieldSel].key != "" {
		return "field " + m.fields[m.fieldSel].key, m.fields[m.fieldSel].value, true
	}
	if e := m.Selected(); e != nil {
		return "log line", e.Line, true
	}
	return "", "", false
}

// OpenSelected asks the explorer to open the trace of the selected line,
// when it carries one other than the open trace.
func (m *Model) OpenSelected() tea.Cmd {
	e := m.Selected()
	if e == nil || e.TraceID == "" || (m.trace != nil && e.TraceID == m.trace.ID) {
		return nil
	}
	msg := tui.OpenTraceMsg{TraceID: e.TraceID}
	return func() tea.Msg { return msg }
}

// typeKey edits the filter prompt: enter filters, esc gives up.
func (m *Model) typeKey(k tea.KeyPressMsg) {
	switch k.String() {
	case "enter":
		if m.SetFilter(m.input) == nil {
			m.typing = false
		}
	case "esc":
		m.typing, m.ferr = false, nil
	default:
		m.input, _ = pane.EditPrompt(m.input, k)
	}
}

// View draws the rows in view and a status line.
func (m Model) View() string {
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	var lines []string
	switch {
	case m.span == nil && m.custom == "":
		lines = []string{m.st.Dim.Apply("No trace open: the logs of the selected span show here.")}
	case m.o.Source == nil:
		lines = []string{m.st.Dim.Apply("No log source (Loki) configured.")}
	case m.err != nil:
		lines = append(lines, pane.ErrorLines(m.st, m.err, m.width)...)
		if m.query != "" {
			lines = append(lines, m.st.Dim.Apply("query: "+sources.Sanitize(m.query)))
		}
	case m.loading:
		what := "the " + m.scope.String() + "'s logs"
		if m.custom != "" {
			what = "the query's lines"
		}
		lines = []string{m.spin.View() + " " + m.st.Dim.Apply("loading "+what+"…")}
	case len(m.entries) == 0:
		between := "between " + m.rng.From.In(m.o.Location).Format(render.LogTimeFormat) + " and " + m.rng.To.In(m.o.Location).Format(render.LogTimeFormat) + "."
		if len(m.tried) > 1 {
			lines = []string{m.st.Dim.Apply("No log lines " + between + " Asked:")}
			for _, q := range m.tried {
				lines = append(lines, m.st.Dim.Apply("  "+sources.Sanitize(q)))
			}
		} else {
			lines = []string{m.st.Dim.Apply("No log lines for " + sources.Sanitize(m.query)), m.st.Dim.Apply(between)}
		}
		if m.scope == ScopeSpan {
			lines = append(lines, m.st.Dim.Apply("t shows the whole trace's lines."))
		}
	case len(m.shown) == 0:
		lines = []string{m.st.Dim.Apply("No line passes the filters.")}
	case m.patternsOpen:
		lines = m.patternsView()
	case m.fields != nil:
		lines = m.fieldsView()
	default:
		lines = m.visibleRows()
	}
	if m.volumeShown() {
		lines = append(append([]string(nil), m.volRows...), lines...)
	}
	if h := m.height - 1; len(lines) > h {
		lines = lines[:h]
	}
	for len(lines) < m.height-1 {
		lines = append(lines, "")
	}
	if m.height > 1 {
		lines = append(lines, m.status())
	}
	return pane.Box(lines, m.width, m.height)
}

// visibleRows renders the entries in view, and no other.
func (m Model) visibleRows() []string {
	h := m.rowsHeight()
	out := make([]string, 0, h)
	// in the trace's lines, the selected span's are marked
	var markSpan sources.SpanID
	if m.scope == ScopeTrace && m.custom == "" && m.span != nil {
		markSpan = m.span.SpanID
	}
	near := m.nearest(m.cursor)
	for i := m.offset; i < len(m.shown) && len(out) < h; i++ {
		mark := " "
		st := m.st
		if markSpan != "" && m.entries[m.shown[i]].SpanID == markSpan {
			mark = m.st.Highlight.Apply("•")
		}
		if i == near {
			mark = m.st.Highlight.Apply(MarkCursor)
		}
		if i == m.sel {
			mark, st = m.st.Selected().Apply("▶"), m.plain
		}
		for j, r := range m.rows(i, st) {
			if i == m.sel && m.st.Color {
				r = m.st.Selected().Apply(render.Fit(r, m.width-1))
			}
			if j > 0 {
				mark = " "
			}
			out = append(out, mark+r)
			if len(out) == h {
				break
			}
		}
	}
	return out
}

func (m Model) status() string {
	if m.patternsOpen {
		return m.st.Dim.Apply("pattern " + strconv.Itoa(min(m.patSel+1, len(m.patterns))) + "/" + strconv.Itoa(len(m.patterns)) +
			" · enter: only its lines · x: without them · esc/p: back")
	}
	if m.fields != nil {
		return m.st.Dim.Apply("fields of line " + strconv.Itoa(m.sel+1) + " · enter: only lines with this value · esc/f: back")
	}
	if m.typing {
		s := "/" + sources.Sanitize(m.input) + "█"
		if m.ferr != nil {
			s += " " + m.st.Error.Apply(sources.Sanitize(m.ferr.Error()))
		}
		return s
	}
	var parts []string
	if len(m.entries) > 0 {
		parts = append(parts, "line "+strconv.Itoa(min(m.sel+1, len(m.shown)))+"/"+strconv.Itoa(len(m.shown)))
		if len(m.shown) != len(m.entries) {
			parts[0] += " of " + strconv.Itoa(len(m.entries))
		}
		if m.loaded >= m.o.Limit {
			parts = append(parts, m.st.Warn.Apply("limit "+strconv.Itoa(m.o.Limit)+" reached"))
		}
	}
	parts = append(parts, m.liveStatus()...)
	parts = append(parts, "t: "+m.scope.String())
	if m.level != LevelAll {
		parts = append(parts, "level "+m.level.String())
	}
	if m.filter != nil {
		parts = append(parts, m.st.Match().Apply("/"+sources.Sanitize(strings.TrimPrefix(m.filter.String(), "(?i)"))))
	}
	for _, f := range m.matches {
		parts = append(parts, m.st.Match().Apply(sources.Sanitize(f.String())))
	}
	for _, f := range m.pmatches {
		parts = append(parts, m.st.Match().Apply(cut(sources.Sanitize(f.String()), 40)))
	}
	if m.wrap {
		parts = append(parts, "wrap")
	}
	if m.raw {
		parts = append(parts, "raw")
	}
	if m.lokiTime {
		parts = append(parts, "Loki's time")
	}
	if markSpan := m.span; markSpan != nil && m.scope == ScopeTrace && m.custom == "" {
		parts = append(parts, m.st.Highlight.Apply("•")+" the span's")
	}
	if e := m.Selected(); e != nil && e.TraceID != "" && (m.trace == nil || e.TraceID != m.trace.ID) {
		parts = append(parts, "enter: open trace "+short(e.TraceID))
	}
	return m.st.Dim.Apply(strings.Join(parts, " · "))
}

// ShortHelp returns the pane's main keys.
func (m Model) ShortHelp() []key.Binding {
	k := m.KeyMap
	return []key.Binding{k.Scope, k.Filter, k.Level, k.Fields, k.Raw}
}

// FullHelp returns all the pane's keys.
func (m Model) FullHelp() [][]key.Binding {
	k := m.KeyMap
	return [][]key.Binding{
		{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom},
		{k.Scope, k.Level, k.Wrap, k.Filter, k.Clear, k.Open},
		{k.Raw, k.Fields, k.LokiTime, k.Patterns, k.Exclude, k.Volume},
	}
}
