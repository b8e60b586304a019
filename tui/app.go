// Package tui is telx's interactive explorer: a root model that lays out
// the panes (traces, waterfall, details, and extra panes such as logs and
// metrics), moves the focus, shows help and a status bar, and runs every
// backend call as a tea.Cmd whose answer carries the asking pane's ID.
package tui

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/sources/explain"
	"github.com/telx-cli/telx/tui/alerts"
	tuianalyze "github.com/telx-cli/telx/tui/analyze"
	comparepane "github.com/telx-cli/telx/tui/compare"
	"github.com/telx-cli/telx/tui/details"
	"github.com/telx-cli/telx/tui/live"
	"github.com/telx-cli/telx/tui/pane"
	"github.com/telx-cli/telx/tui/render"
	"github.com/telx-cli/telx/tui/styles"
	"github.com/telx-cli/telx/tui/traces"
	"github.com/telx-cli/telx/tui/waterfall"
)

// WideWidth is the width from which panes sit side by side; narrower
// terminals stack them.
const WideWidth = 160

// Pane is a pane beyond the built-in ones: the slot where the Logs and
// Metrics panes plug in. The root model gives it a box, the focus in
// turn, every message (SpanSelectedMsg among them), and shows its help.
type Pane interface {
	help.KeyMap
	Title() string
	Update(tea.Msg) (Pane, tea.Cmd)
	View() string
	SetSize(width, height int) Pane
}

// SpanSelectedMsg is sent to the extra panes when the selected span
// changes: what a logs or metrics pane correlates with.
type SpanSelectedMsg struct {
	Trace *sources.Trace
	Span  *sources.Span
	// Range is the trace's extent, a window to query around.
	Range sources.TimeRange
}

// StatusMsg lets a pane report on the status bar what it is loading
// (Loading true), that it finished, or an error.
type StatusMsg struct {
	Source  string
	Loading bool
	Err     error
}

// OpenTraceMsg asks the explorer to open a trace by ID in the waterfall
// (a Logs pane sends it for a line of another trace).
type OpenTraceMsg struct {
	TraceID sources.TraceID
}

// typer is a pane with a prompt that takes every key while it is open.
type typer interface{ Typing() bool }

// Options configure the explorer.
type Options struct {
	Traces  sources.TraceSource
	Logs    sources.LogSource    // for the Logs pane, when it comes
	Metrics sources.MetricSource // for the Metrics pane, when it comes
	// Sources names the backends for the status bar.
	Sources string
	// Service is the service whose traces are listed first (empty: the
	// first service the source knows).
	Service string
	// Trace, when set, is opened at start with the waterfall focused.
	Trace   *sources.Trace
	TraceID sources.TraceID
	// Lookback and Limit bound the trace searches.
	Lookback time.Duration
	Limit    int
	Timeout  time.Duration
	Styles   *styles.Styles
	Location *time.Location
	Now      func() time.Time
	// Extra panes, after the details.
	Extra []Pane
	// LogQuery and MetricQuery, when set, are shown at start in the Logs
	// and Metrics panes (as :logs and :metrics), the Logs pane focused,
	// else the Metrics pane (open.go).
	LogQuery, MetricQuery string
	// Live starts live mode at once; Refresh is its interval (default
	// live.DefaultInterval); Ticker schedules the refreshes of the
	// Traces pane and the alerts (default live.Tick).
	Live    bool
	Refresh time.Duration
	Ticker  live.Ticker
	// AlertManager, when set, is where the alerts list takes its alerts
	// (with Prometheus' pending ones) and creates and expires silences;
	// Rules are Prometheus' rules, for an alert's evidence.
	AlertManager sources.AlertManager
	Rules        sources.RuleSource
	// ServiceLabels name an alert's service (explain.DefaultServiceLabels);
	// Author signs the silences.
	ServiceLabels []string
	Author        string
}

// AlertsMsg brings the metric source's active alerts, and Alertmanager's
// when one is configured; Warning says which of the two failed while the
// other answered.
type AlertsMsg struct {
	Alerts  []sources.Alert
	Managed []sources.ManagedAlert
	Warning string
	Err     error
}

// KeyMap are the global keys.
type KeyMap struct {
	Quit, Focus, FocusBack, Help, Alerts, Command, Copy, Zoom, Live, Cursor key.Binding
	Analyze                                                                 key.Binding // analysis.go
}

// DefaultKeyMap returns the global keys.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Quit:      key.NewBinding(key.WithKeys("q", "ctrl+c"), key.WithHelp("q", "quit")),
		Focus:     key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "next pane")),
		FocusBack: key.NewBinding(key.WithKeys("shift+tab"), key.WithHelp("shift+tab", "previous pane")),
		Help:      key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help")),
		Alerts:    key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "alerts")),
		Copy:      key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "copy the trace ID or log line (OSC 52)")),
		Command:   key.NewBinding(key.WithKeys(":"), key.WithHelp(":", "command (trace, logs, metrics, service, since, q)")),
		Zoom:      zoomBinding(),
		Live:      key.NewBinding(key.WithKeys("L"), key.WithHelp("L", "live mode on/paused")),
		Cursor:    key.NewBinding(key.WithKeys("@"), key.WithHelp("@", "panes to the cursor's time")),
		Analyze:   analyzeBinding(),
	}
}

// focus targets
const (
	focusTraces = iota
	focusWaterfall
	focusDetails
	focusExtra // and on: Extra[focus-focusExtra]
)

// Model is the explorer.
type Model struct {
	KeyMap KeyMap

	o             Options
	st            *styles.Styles
	width, height int
	focus         int
	zoomed        bool      // the focused pane fills the screen (layout.go)
	cursor        CursorMsg // the time cursor, last moved (cursor.go)
	showHelp      bool
	help          help.Model

	traces    traces.Model
	waterfall waterfall.Model
	details   details.Model
	extra     []Pane
	// compare is the comparison shown in the waterfall's place (comparison.go)
	compare comparepane.Model

	alerts     alerts.Model // the alerts list (a opens it)
	showAlerts bool
	// the analysis of the search (A): analysis.go
	analysis     tuianalyze.Model
	showAnalysis bool
	// servicesAfterTrace: opened by trace ID with no service asked for, the
	// services (and a search) wait for the trace, so that nothing competes
	// with the first frame and the list shows the trace's root service.
	servicesAfterTrace bool

	loading map[string]int
	errs    map[string]error
	// called holds the roles (traces, logs, metrics) whose backend has
	// answered or failed at least once
	called   map[string]bool
	selected *sources.Node
	initCmd  tea.Cmd

	// the ':' command line, its history, and what the last command said
	cmdline    textinput.Model
	commanding bool
	history    []string
	histAt     int
	notice     string
	noticeErr  bool

	// live mode: see livemode.go
	live liveState
}

// New returns the explorer.
func New(o Options) Model {
	if o.Styles == nil {
		o.Styles = styles.New(false)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Lookback <= 0 {
		o.Lookback = time.Hour
	}
	if o.Limit <= 0 {
		o.Limit = 50
	}
	if o.Timeout <= 0 {
		o.Timeout = 30 * time.Second
	}
	service := o.Service
	if service == "" && o.Trace != nil {
		if root := o.Trace.Root(); root != nil {
			service = root.Service
		}
	}
	m := Model{
		KeyMap:    DefaultKeyMap(),
		o:         o,
		st:        o.Styles,
		help:      help.New(),
		traces:    traces.New(o.Styles, o.Location, service),
		waterfall: waterfall.New(o.Styles, o.Location),
		compare:   comparepane.New(o.Styles),
		details:   details.New(o.Styles, o.Location),
		extra:     o.Extra,
		loading:   map[string]int{},
		errs:      map[string]error{},
		called:    map[string]bool{},
		cmdline:   newCommandLine(o.Styles.Color),
		live:      newLiveState(o),
		analysis:  newAnalysis(o),
		alerts: alerts.New(alerts.Options{Styles: o.Styles, Location: o.Location, Now: o.Now, AlertManager: o.AlertManager,
			Evidence:      explain.Sources{Metrics: o.Metrics, Rules: o.Rules, Logs: o.Logs, Traces: o.Traces},
			ServiceLabels: o.ServiceLabels, Author: o.Author, Timeout: o.Timeout}),
	}
	m.traces.SetTicker(o.Ticker)
	// the trace search's state is the Traces pane's, which its search
	// form and the : commands change
	m.traces.SetQuery(traces.Query{Service: service, Lookback: o.Lookback})
	if !o.Styles.Color {
		m.help.Styles = help.Styles{}
	}
	var cmds []tea.Cmd
	if o.Live {
		// before the first queries, which then ask over live windows
		cmds = append(cmds, m.SetLive(true))
	}
	if o.Styles.Color && o.Styles.Theme() == styles.ThemeAuto {
		// the palette follows the terminal's background (see BackgroundColorMsg)
		cmds = append(cmds, tea.RequestBackgroundColor)
	}
	if o.Trace != nil {
		m.waterfall.SetTrace(o.Trace)
		m.focus = focusWaterfall
		cmds = append(cmds, m.syncSelection()) // the extra panes' first queries
	}
	if service != "" {
		cmds = append(cmds, m.searchTraces(m.traces.StartSearch(m.traces.Query())))
	}
	if o.TraceID != "" && o.Trace == nil && service == "" {
		m.servicesAfterTrace = true
	} else {
		cmds = append(cmds, m.loadServices())
	}
	if o.Metrics != nil {
		cmds = append(cmds, m.loadAlerts(false))
	}
	if o.TraceID != "" && o.Trace == nil {
		m.focus = focusWaterfall
		m.waterfall.SetLoading("trace " + string(o.TraceID))
		cmds = append(cmds, m.loadTrace(o.TraceID))
	}
	cmds = append(cmds, m.openQueries()...)
	m.initCmd = tea.Batch(cmds...)
	return m
}

// Init starts the first backend calls.
func (m Model) Init() tea.Cmd { return m.initCmd }

// doneMsg is the end of a backend call: the status bar forgets it (or
// keeps its error) and the answer goes on to the panes.
type doneMsg struct {
	what   string
	err    error
	answer tea.Msg
}

// call runs a backend call as a command, listed on the status bar until
// its answer comes.
func (m *Model) call(what string, run func(context.Context) tea.Msg, errOf func(tea.Msg) error) tea.Cmd {
	return m.callIn(context.Background(), what, run, errOf)
}

// callIn is call under parent, which may cancel it (nil: none).
func (m *Model) callIn(parent context.Context, what string, run func(context.Context) tea.Msg, errOf func(tea.Msg) error) tea.Cmd {
	if parent == nil {
		parent = context.Background()
	}
	m.loading[what]++
	timeout := m.o.Timeout
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(parent, timeout)
		defer cancel()
		answer := run(ctx)
		return doneMsg{what, errOf(answer), answer}
	}
}

// searchTraces runs the Traces pane's search s.
func (m *Model) searchTraces(s traces.SearchMsg) tea.Cmd {
	id, seq, src := s.ID, s.Seq, m.o.Traces
	q := sources.TraceQuery{Service: s.Service, Limit: m.o.Limit, Range: sources.Last(s.Lookback, m.o.Now()),
		Operation: s.Operation, MinDuration: s.MinDuration, MaxDuration: s.MaxDuration, Tags: s.TagMap()}
	refresh := s.Refresh
	return m.callIn(s.Ctx, "traces of "+s.Service, func(ctx context.Context) tea.Msg {
		ts, err := src.FindTraces(ctx, q)
		return traces.ResultMsg{ID: id, Seq: seq, Service: q.Service, Traces: ts, Err: err, Refresh: refresh}
	}, func(msg tea.Msg) error { return msg.(traces.ResultMsg).Err })
}

func (m *Model) loadServices() tea.Cmd {
	id, src := m.traces.ID(), m.o.Traces
	return m.call("services", func(ctx context.Context) tea.Msg {
		s, err := src.Services(ctx)
		return traces.ServicesMsg{ID: id, Services: s, Err: err}
	}, func(msg tea.Msg) error { return msg.(traces.ServicesMsg).Err })
}

// loadOperations asks for a service's operations, for the Traces pane's
// search form.
func (m *Model) loadOperations(service string) tea.Cmd {
	id, src := m.traces.ID(), m.o.Traces
	return m.call("operations of "+service, func(ctx context.Context) tea.Msg {
		ops, err := src.Operations(ctx, service)
		return traces.OperationsMsg{ID: id, Service: service, Operations: ops, Err: err}
	}, func(msg tea.Msg) error { return msg.(traces.OperationsMsg).Err })
}

func (m *Model) loadTrace(tid sources.TraceID) tea.Cmd {
	id, src := m.waterfall.ID(), m.o.Traces
	return m.call("trace "+string(tid), func(ctx context.Context) tea.Msg {
		t, err := src.Trace(ctx, tid)
		return waterfall.TraceMsg{ID: id, Trace: t, Err: err}
	}, func(msg tea.Msg) error { return msg.(waterfall.TraceMsg).Err })
}

// panes counts the focusable panes.
func (m Model) panes() int { return focusExtra + len(m.extra) }

// Update routes messages: global keys here, other keys to the focused
// pane, results to every pane (each keeps those with its ID).
func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	var cmds []tea.Cmd
	if cmd, ok := m.updateLive(msg); ok {
		return m, cmd
	}
	if cmd, ok := m.updateAnalysis(msg); ok {
		return m, cmd
	}
	if cmd, ok := m.routeCompare(msg); ok {
		return m, cmd
	}
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.sizePanes()
		return m, m.resized()
	case tea.BackgroundColorMsg:
		// the panes share m.st: a light terminal gets the light palette
		// from the next frame
		if m.st.Adapt(msg.IsDark()) {
			m.waterfall.Restyle()
			m.details.Restyle()
		}
		return m, nil
	case doneMsg:
		if m.loading[msg.what]--; m.loading[msg.what] <= 0 {
			delete(m.loading, msg.what)
		}
		if errors.Is(msg.err, context.Canceled) {
			// given up on purpose (live mode paused): no failure
		} else if msg.err != nil {
			m.errs[msg.what] = msg.err
		} else {
			delete(m.errs, msg.what)
		}
		m.called[roleOf(msg.what)] = true
		return m.Update(msg.answer)
	case StatusMsg:
		// a sum, not a count: the end of a call may come before its start
		// (commands run concurrently)
		if msg.Loading {
			m.loading[msg.Source]++
		} else {
			m.loading[msg.Source]--
		}
		if m.loading[msg.Source] == 0 {
			delete(m.loading, msg.Source)
		}
		switch {
		case errors.Is(msg.Err, context.Canceled):
			// given up on purpose (the selection moved on): no failure
		case msg.Err != nil:
			m.errs[msg.Source] = msg.Err
			m.called[roleOf(msg.Source)] = true
		case !msg.Loading:
			delete(m.errs, msg.Source)
			m.called[roleOf(msg.Source)] = true
		}
		return m, nil
	case traces.SearchMsg:
		if msg.ID == m.traces.ID() {
			if msg.Edited {
				// chosen in the search form: as :service, the list stays on
				// it when a trace of another service opens
				m.o.Service = msg.Service
				m.notice = "searching " + sources.Sanitize(msg.Service) + " over the last " + traces.FormatDuration(msg.Lookback) +
					" with " + sources.Sanitize(msg.Filters())
			}
			return m, m.searchTraces(msg)
		}
	case traces.LoadOperationsMsg:
		if msg.ID == m.traces.ID() {
			return m, m.loadOperations(msg.Service)
		}
	case AlertsMsg:
		if msg.Err == nil {
			m.setAlerts(msg)
		}
		return m, nil
	case alerts.ServiceMsg:
		return m, m.alertService(msg)
	case alerts.OpenTraceMsg:
		m.showAlerts = false
		return m.Update(OpenTraceMsg{TraceID: msg.TraceID})
	case alerts.ReloadMsg:
		return m, m.loadAlerts(false)
	case alerts.NoticeMsg:
		m.notice, m.noticeErr = msg.Text, msg.Err
		return m, nil
	case OpenTraceMsg:
		m.waterfall.SetLoading("trace " + string(msg.TraceID))
		m.setFocus(focusWaterfall)
		return m, m.loadTrace(msg.TraceID)
	case traces.OpenMsg:
		if msg.ID == m.traces.ID() {
			m.waterfall.SetTrace(msg.Trace)
			m.setFocus(focusWaterfall)
			return m, m.syncSelection()
		}
	case waterfall.TraceMsg:
		var cmd tea.Cmd
		m.waterfall, cmd = m.waterfall.Update(msg)
		if msg.ID == m.waterfall.ID() && msg.Err == nil {
			m.traces.Select(msg.Trace.ID)
			// opened by ID with no service asked for: list the root's
			if root := msg.Trace.Root(); m.o.Service == "" && root != nil && root.Service != m.traces.Service() {
				cmd = tea.Batch(cmd, m.traces.Search(root.Service))
			}
		}
		if msg.ID == m.waterfall.ID() && m.servicesAfterTrace {
			m.servicesAfterTrace = false
			cmd = tea.Batch(cmd, m.loadServices())
		}
		return m, tea.Batch(cmd, m.syncSelection())
	case tea.MouseWheelMsg:
		return m, m.wheel(msg.Mouse())
	case tea.MouseClickMsg:
		return m, m.click(msg.Mouse())
	case tea.PasteMsg:
		// pasted text goes where keys go
		if m.commanding {
			var cmd tea.Cmd
			m.cmdline, cmd = m.cmdline.Update(msg)
			return m, cmd
		}
		if m.showAlerts {
			return m, m.updateAlerts(msg)
		}
		return m, m.updateFocused(msg)
	case tea.KeyPressMsg:
		typing := m.typing()
		if !m.commanding {
			m.notice, m.noticeErr = "", false // a key clears the last command's word
		}
		switch {
		case msg.String() == "ctrl+c":
			m.cancelPanes()
			return m, tea.Quit
		case m.commanding:
			return m, m.commandKey(msg)
		case m.showAlerts && m.alerts.Capturing():
			// the evidence, the silence form or a confirmation: esc goes back
			return m, m.updateAlerts(msg)
		case typing:
		case m.focus == focusTraces && !m.showAlerts && key.Matches(msg, m.KeyMap.Analyze):
			return m, m.openAnalysis()
		case key.Matches(msg, m.KeyMap.Command):
			m.openCommandLine()
			return m, nil
		case key.Matches(msg, m.KeyMap.Copy):
			return m, m.copySelected()
		case key.Matches(msg, m.KeyMap.Live):
			return m, m.toggleLive()
		case key.Matches(msg, m.KeyMap.Quit):
			m.cancelPanes()
			return m, tea.Quit
		case key.Matches(msg, m.KeyMap.Help):
			m.showHelp = !m.showHelp
			return m, nil
		case m.showHelp && msg.String() == "esc":
			m.showHelp = false
			return m, nil
		case key.Matches(msg, m.KeyMap.Alerts):
			m.showAlerts = !m.showAlerts
			return m, nil
		case m.showAlerts && msg.String() == "esc":
			m.showAlerts = false
			return m, nil
		case m.showAlerts:
			return m, m.updateAlerts(msg)
		case key.Matches(msg, m.KeyMap.Zoom):
			return m, m.toggleZoom()
		case key.Matches(msg, m.KeyMap.Cursor):
			return m, m.jumpToCursor()
		case key.Matches(msg, m.KeyMap.Focus):
			m.setFocus((m.focus + 1) % m.panes())
			return m, m.zoomMoved()
		case key.Matches(msg, m.KeyMap.FocusBack):
			m.setFocus((m.focus + m.panes() - 1) % m.panes())
			return m, m.zoomMoved()
		}
		return m, m.updateFocused(msg)
	}
	// results and other messages: to every pane
	if c, ok := msg.(CursorMsg); ok {
		m.moveCursor(c)
	}
	var cmd tea.Cmd
	m.alerts, cmd = m.alerts.Update(msg)
	cmds = append(cmds, cmd)
	m.traces, cmd = m.traces.Update(msg)
	cmds = append(cmds, cmd)
	m.waterfall, cmd = m.waterfall.Update(msg)
	cmds = append(cmds, cmd)
	for i, p := range m.extra {
		m.extra[i], cmd = p.Update(msg)
		cmds = append(cmds, cmd)
	}
	if r, ok := msg.(traces.ResultMsg); ok && r.ID == m.traces.ID() && r.Err == nil && !r.Refresh && m.waterfall.Tree() != nil {
		m.traces.Select(m.waterfall.Tree().Trace.ID)
	}
	return m, tea.Batch(cmds...)
}

// typing tells whether the focused pane has a prompt or form open, which
// takes every key.
func (m Model) typing() bool {
	switch {
	case m.focus == focusTraces:
		return m.traces.Typing()
	case m.focus == focusWaterfall:
		return m.waterfall.Typing()
	case m.focus >= focusExtra:
		t, ok := m.extra[m.focus-focusExtra].(typer)
		return ok && t.Typing()
	}
	return false
}

// cancelPanes stops the extra panes' queries in flight (those that say
// how, with Cancel).
func (m *Model) cancelPanes() {
	m.analysis.Cancel()
	for _, p := range m.extra {
		if c, ok := p.(interface{ Cancel() }); ok {
			c.Cancel()
		}
	}
}

// updateFocused gives a key (or pasted text) to the focused pane.
func (m *Model) updateFocused(k tea.Msg) tea.Cmd {
	var cmd tea.Cmd
	switch m.focus {
	case focusTraces:
		m.traces, cmd = m.traces.Update(k)
	case focusWaterfall:
		if m.comparing() {
			m.compare, cmd = m.compare.Update(k)
			return cmd
		}
		m.waterfall, cmd = m.waterfall.Update(k)
		return tea.Batch(cmd, m.syncSelection())
	case focusDetails:
		m.details, cmd = m.details.Update(k)
	default:
		i := m.focus - focusExtra
		m.extra[i], cmd = m.extra[i].Update(k)
	}
	return cmd
}

// syncSelection shows the selected span in the details pane and tells
// the extra panes when it changed.
func (m *Model) syncSelection() tea.Cmd {
	nd := m.waterfall.Selected()
	if nd == m.selected {
		return nil
	}
	m.selected = nd
	tr := m.waterfall.Tree()
	m.details.SetSpan(tr, nd)
	if nd == nil || len(m.extra) == 0 {
		return nil
	}
	// given at once, not through a command: commands run concurrently,
	// and a pane must not see the selections out of order
	msg := SpanSelectedMsg{Trace: tr.Trace, Span: nd.Span, Range: tr.Range}
	m.moveCursor(CursorMsg{Time: nd.Span.Start, From: m.waterfall.ID()})
	cmds := make([]tea.Cmd, 0, 2*len(m.extra))
	for i, p := range m.extra {
		var cmd tea.Cmd
		m.extra[i], cmd = p.Update(msg)
		cmds = append(cmds, cmd)
		m.extra[i], cmd = m.extra[i].Update(m.cursor)
		cmds = append(cmds, cmd)
	}
	return tea.Batch(cmds...)
}

// box is a pane's place on the screen.
type box struct{ w, h int }

// setFocus focuses pane i; stacked panes are sized by the focus.
func (m *Model) setFocus(i int) {
	m.focus = i
	m.sizePanes()
}

// boxes returns each pane's size (title included), in focus order: side
// by side from WideWidth columns (traces over the waterfall on the left,
// details and extra panes on the right), stacked below it with the
// focused pane taller. Each pane has a title line.
func (m Model) boxes() []box {
	h := max(0, m.height-2) // the status bar and the help line
	n := m.panes()
	out := make([]box, n)
	if m.wide() {
		right := max(48, m.width/3)
		left := m.width - right - 1
		if len(m.extra) > 0 {
			// the trace on top (traces and waterfall left, details right),
			// the extra panes below side by side, the first wider
			top := h * 11 / 20
			th := max(3, top/3)
			out[focusTraces] = box{left, th}
			out[focusWaterfall] = box{left, top - th}
			out[focusDetails] = box{right, top}
			ws := extraWidths(m.width, len(m.extra))
			for i := range m.extra {
				out[focusExtra+i] = box{ws[i], h - top}
			}
			return out
		}
		th := max(3, h/3)
		out[focusTraces] = box{left, th}
		out[focusWaterfall] = box{left, h - th}
		rh := split(h, 1+len(m.extra), 0, -1)
		for i := focusDetails; i < n; i++ {
			out[i] = box{right, rh[i-focusDetails]}
		}
		return out
	}
	var hs []int
	switch {
	case h >= 3*(n-1)+4:
		hs = split(h, n, 3, m.focus)
	case h >= n+1:
		// too low for every pane: the others show their titles only
		hs = make([]int, n)
		for i := range hs {
			hs[i] = 1
		}
		hs[m.focus] = h - (n - 1)
	default:
		// lower still: the focused pane alone (Tab shows the next)
		hs = make([]int, n)
		hs[m.focus] = h
	}
	for i := range out {
		out[i] = box{m.width, hs[i]}
	}
	return out
}

// wide tells whether the panes sit side by side.
func (m Model) wide() bool { return m.width >= WideWidth && m.height >= 14 }

// extraWidths divides width among n side-by-side panes with a column
// between each two, the first taking three shares to the others' two.
func extraWidths(width, n int) []int {
	out := make([]int, n)
	avail := width - (n - 1)
	shares := 3 + 2*(n-1)
	used := 0
	for i := range out {
		s := 2
		if i == 0 {
			s = 3
		}
		out[i] = avail * s / shares
		used += out[i]
	}
	out[0] += avail - used
	return out
}

// split divides h lines among n panes, the focused one (if any) weighing
// three times the others, none under min lines.
func split(h, n, min, focused int) []int {
	weights, total := make([]int, n), 0
	for i := range weights {
		weights[i] = 1
		if i == focused {
			weights[i] = 3
		}
		total += weights[i]
	}
	out, used := make([]int, n), 0
	for i := range out {
		out[i] = max(min, h*weights[i]/total)
		used += out[i]
	}
	// give the rounding's remainder (or take the excess) at the focused pane, else the last
	at := n - 1
	if focused >= 0 && focused < n {
		at = focused
	}
	out[at] = max(1, out[at]+h-used)
	return out
}

func (m *Model) sizePanes() {
	if m.width == 0 || m.height == 0 {
		return
	}
	m.alerts.SetSize(m.width, max(0, m.height-2))
	m.analysis.SetSize(m.width, max(0, m.height-2))
	bs := m.layout()
	// each pane has a title line
	m.traces.SetSize(bs[focusTraces].w, max(0, bs[focusTraces].h-1))
	m.waterfall.SetSize(bs[focusWaterfall].w, max(0, bs[focusWaterfall].h-1))
	m.compare.SetSize(bs[focusWaterfall].w, max(0, bs[focusWaterfall].h-1))
	m.details.SetSize(bs[focusDetails].w, max(0, bs[focusDetails].h-1))
	for i, p := range m.extra {
		b := bs[focusExtra+i]
		m.extra[i] = p.SetSize(b.w, max(0, b.h-1))
	}
}

// View draws the panes, the status bar and the help line.
func (m Model) View() tea.View {
	v := tea.NewView(m.Render())
	v.AltScreen = true
	v.MouseMode = tea.MouseModeCellMotion
	v.WindowTitle = "telx"
	return v
}

// Render returns the screen as text.
func (m Model) Render() string {
	if m.width == 0 || m.height == 0 {
		return ""
	}
	bs := m.boxes()
	var body string
	if m.showHelp {
		body = pane.Box(strings.Split(m.fullHelp(), "\n"), m.width, max(0, m.height-2))
	} else if m.showAlerts {
		body = pane.Box(m.alerts.Lines(max(0, m.height-2)), m.width, max(0, m.height-2))
	} else if m.showAnalysis {
		body = m.analysis.View()
	} else if m.zoomed {
		body = m.zoomView()
	} else {
		titled := func(i int, title, content string) string {
			switch {
			case bs[i].h <= 0:
				return ""
			case bs[i].h == 1:
				return m.titleBar(title, i == m.focus, bs[i].w)
			}
			return m.titleBar(title, i == m.focus, bs[i].w) + "\n" + content
		}
		views := []string{
			titled(focusTraces, m.traces.Title(), m.traces.View()),
			titled(focusWaterfall, m.waterfallTitle(), m.waterfallView()),
			titled(focusDetails, m.details.Title(), m.details.View()),
		}
		for i, p := range m.extra {
			views = append(views, titled(focusExtra+i, p.Title(), p.View()))
		}
		if m.wide() && len(m.extra) > 0 {
			left := lipgloss.JoinVertical(lipgloss.Left, views[0], views[1])
			top := lipgloss.JoinHorizontal(lipgloss.Top, left, m.sep(bs[focusDetails].h), views[2])
			row := []string{views[3]}
			for i := 4; i < len(views); i++ {
				row = append(row, m.sep(bs[i].h), views[i])
			}
			body = lipgloss.JoinVertical(lipgloss.Left, top, lipgloss.JoinHorizontal(lipgloss.Top, row...))
		} else if m.wide() {
			left := lipgloss.JoinVertical(lipgloss.Left, views[0], views[1])
			right := lipgloss.JoinVertical(lipgloss.Left, views[2:]...)
			sep := strings.TrimSuffix(strings.Repeat("│\n", max(1, m.height-2)), "\n")
			body = lipgloss.JoinHorizontal(lipgloss.Top, left, m.st.Dim.Apply(sep), right)
		} else {
			var shown []string
			for _, v := range views {
				if v != "" {
					shown = append(shown, v)
				}
			}
			body = strings.Join(shown, "\n")
		}
	}
	return body + "\n" + m.statusBar() + "\n" + m.shortHelp()
}

// sep is a vertical separator h lines high.
func (m Model) sep(h int) string {
	return strings.TrimSuffix(strings.Repeat(m.st.Dim.Apply("│")+"\n", max(1, h)), "\n")
}

func (m Model) titleBar(title string, focused bool, width int) string {
	if focused {
		return m.st.Focus().Apply(render.Fit("▶ "+title+" ", width))
	}
	head := render.Fit("  "+title+" ", width)
	if w := ansi.StringWidth(head); strings.HasSuffix(head, " ") {
		head = strings.TrimRight(head, " ")
		head += " " + strings.Repeat("─", max(0, w-ansi.StringWidth(head)-1))
	}
	return m.st.Dim.Apply(head)
}

func (m Model) statusBar() string {
	if m.commanding {
		return render.Fit(m.cmdline.View(), m.width)
	}
	parts := []string{m.st.Bold.Apply(sources.Sanitize(m.o.Sources))}
	if h := m.healthMarks(); h != "" {
		parts[0] += " · " + h
	}
	if n := m.alerts.Firing(); n > 0 {
		parts[0] += " · " + m.st.Error.Apply(strconv.Itoa(n)+" firing "+pluralS(n, "alert")) + m.st.Dim.Apply(" (a)")
	}
	if w := m.alerts.Warning(); w != "" {
		parts[0] += " · " + m.st.Warn.Apply("! "+pane.OneLine(w))
	}
	parts[0] += m.compareStatus()
	parts[0] = m.withLive(parts[0])
	for what, n := range m.loading {
		if n <= 0 {
			continue
		}
		parts = append(parts, "loading "+sources.Sanitize(what)+"…")
	}
	for what, err := range m.errs {
		// the first line: hints follow on the next ones
		msg := pane.OneLine(strings.SplitN(err.Error(), "\n", 2)[0])
		parts = append(parts, m.st.Error.Apply(render.MarkError+" "+sources.Sanitize(what)+": "+msg))
	}
	sortStrings(parts[1:])
	if m.noticeErr {
		parts = append([]string{m.st.Error.Apply(render.MarkError + " " + pane.OneLine(m.notice))}, parts...)
	} else if m.notice != "" {
		parts = append([]string{pane.OneLine(m.notice)}, parts...)
	}
	return render.Fit(strings.Join(parts, " · "), m.width)
}

// roles are the kinds of backend call, in the order the status bar shows
// their health.
var roles = []string{"traces", "logs", "metrics"}

// roleOf tells which role a call (a status bar entry) plays.
func roleOf(what string) string {
	switch what {
	case "logs":
		return "logs"
	case "metrics", "alerts":
		return "metrics"
	}
	return "traces"
}

// healthMarks says how each role's backend is doing: ✗ while one of its
// calls has failed (its error is on the status bar too), else ✓; a role
// not called yet is left out.
func (m Model) healthMarks() string {
	failed := map[string]bool{}
	for what := range m.errs {
		failed[roleOf(what)] = true
	}
	var b strings.Builder
	for _, r := range roles {
		if !m.called[r] && !failed[r] {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(r + " ")
		if !failed[r] {
			b.WriteString(m.st.Info.Apply("✓"))
		} else {
			b.WriteString(m.st.Error.Apply(render.MarkError))
		}
	}
	return b.String()
}

func pluralS(n int, s string) string {
	if n == 1 {
		return s
	}
	return s + "s"
}

// alertService searches the traces of an alert's service over a window
// that reaches back to when it became active (the alerts list's t).
func (m *Model) alertService(msg alerts.ServiceMsg) tea.Cmd {
	if !msg.Since.IsZero() {
		// from a little before it fired, to now
		// (whole minutes, for the search form and the title)
		q := m.traces.Query()
		q.Lookback = max(q.Lookback, (m.o.Now().Sub(msg.Since) + 16*time.Minute - 1).Truncate(time.Minute))
		m.traces.SetQuery(q)
	}
	m.showAlerts = false
	cmd, err := m.Run("service " + msg.Service)
	if err != nil {
		m.notice, m.noticeErr = err.Error(), true
	}
	return cmd
}

// updateAlerts gives a key (or pasted text) to the alerts list.
func (m *Model) updateAlerts(msg tea.Msg) tea.Cmd {
	var cmd tea.Cmd
	m.alerts, cmd = m.alerts.Update(msg)
	return cmd
}

func (m Model) location() *time.Location {
	if m.o.Location != nil {
		return m.o.Location
	}
	return time.Local
}

func sortStrings(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

// helpKeys is the global keys with the focused pane's.
type helpKeys struct {
	global KeyMap
	pane   help.KeyMap
}

func (h helpKeys) ShortHelp() []key.Binding {
	return append(h.pane.ShortHelp(), h.global.Focus, h.global.Zoom, h.global.Help, h.global.Quit)
}

func (h helpKeys) FullHelp() [][]key.Binding {
	return append(h.pane.FullHelp(),
		[]key.Binding{h.global.Focus, h.global.FocusBack, h.global.Zoom, h.global.Command, h.global.Copy},
		[]key.Binding{h.global.Alerts, h.global.Analyze, h.global.Live, h.global.Cursor, h.global.Help, h.global.Quit})
}

func (m Model) focusedKeys() help.KeyMap {
	switch m.focus {
	case focusTraces:
		return m.traces
	case focusWaterfall:
		if m.comparing() {
			return m.compare
		}
		return m.waterfall
	case focusDetails:
		return m.details
	}
	return m.extra[m.focus-focusExtra]
}

func (m Model) shortHelp() string {
	h := m.help
	h.SetWidth(m.width)
	if m.showAlerts {
		return render.Fit(h.ShortHelpView(m.alerts.ShortHelp()), m.width)
	}
	if m.showAnalysis {
		return render.Fit(h.ShortHelpView(m.analysis.ShortHelp()), m.width)
	}
	keys := helpKeys{m.zoomKeys(), m.focusedKeys()}.ShortHelp()
	if m.typing() {
		// the global keys are text while a prompt is open
		keys = m.focusedKeys().ShortHelp()
	}
	return render.Fit(h.ShortHelpView(keys), m.width)
}

func (m Model) fullHelp() string {
	h := m.help
	h.SetWidth(m.width)
	var b strings.Builder
	b.WriteString(m.st.Bold.Apply("Keys") + " " + m.st.Dim.Apply("(? or esc closes)") + "\n\n")
	panes := []struct {
		title string
		keys  help.KeyMap
	}{{"Global", helpKeys{m.KeyMap, emptyKeys{}}}, {"Traces", m.traces}, {"Waterfall", m.waterfall}, {"Details", m.details}}
	for _, p := range m.extra {
		panes = append(panes, struct {
			title string
			keys  help.KeyMap
		}{pane.Name(p.Title()), p})
	}
	panes = append(panes, struct {
		title string
		keys  help.KeyMap
	}{"Alerts list (a)", m.alerts}, struct {
		title string
		keys  help.KeyMap
	}{"Analysis (A on the Traces pane)", m.analysis})
	for _, p := range panes {
		b.WriteString(m.st.Header.Apply(p.title) + "\n")
		b.WriteString(h.FullHelpView(p.keys.FullHelp()) + "\n\n")
	}
	return b.String()
}

type emptyKeys struct{}

func (emptyKeys) ShortHelp() []key.Binding  { return nil }
func (emptyKeys) FullHelp() [][]key.Binding { return nil }
