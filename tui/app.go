// Package tui is telx's interactive explorer: a root model that lays out
// the panes (traces, waterfall, details, and extra panes such as logs and
// metrics), moves the focus, shows help and a status bar, and runs every
// backend call as a tea.Cmd whose answer carries the asking pane's ID.
package tui

import (
	"context"
	"strings"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/tui/details"
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
}

// KeyMap are the global keys.
type KeyMap struct {
	Quit, Focus, FocusBack, Help key.Binding
}

// DefaultKeyMap returns the global keys.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Quit:      key.NewBinding(key.WithKeys("q", "ctrl+c"), key.WithHelp("q", "quit")),
		Focus:     key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "next pane")),
		FocusBack: key.NewBinding(key.WithKeys("shift+tab"), key.WithHelp("shift+tab", "previous pane")),
		Help:      key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help")),
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
	showHelp      bool
	help          help.Model

	traces    traces.Model
	waterfall waterfall.Model
	details   details.Model
	extra     []Pane

	loading  map[string]int
	errs     map[string]error
	selected *sources.Node
	initCmd  tea.Cmd
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
		details:   details.New(o.Styles, o.Location),
		extra:     o.Extra,
		loading:   map[string]int{},
		errs:      map[string]error{},
	}
	if !o.Styles.Color {
		m.help.Styles = help.Styles{}
	}
	if o.Trace != nil {
		m.waterfall.SetTrace(o.Trace)
		m.focus = focusWaterfall
		m.syncSelection()
	}
	var cmds []tea.Cmd
	if service != "" {
		m.traces.SetLoading(true)
		cmds = append(cmds, m.searchTraces(service))
	}
	cmds = append(cmds, m.loadServices())
	if o.TraceID != "" && o.Trace == nil {
		m.focus = focusWaterfall
		m.waterfall.SetLoading("trace " + string(o.TraceID))
		cmds = append(cmds, m.loadTrace(o.TraceID))
	}
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
	m.loading[what]++
	timeout := m.o.Timeout
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		answer := run(ctx)
		return doneMsg{what, errOf(answer), answer}
	}
}

func (m *Model) searchTraces(service string) tea.Cmd {
	id, src, q := m.traces.ID(), m.o.Traces, sources.TraceQuery{Service: service, Limit: m.o.Limit, Range: sources.Last(m.o.Lookback, m.o.Now())}
	return m.call("traces of "+service, func(ctx context.Context) tea.Msg {
		ts, err := src.FindTraces(ctx, q)
		return traces.ResultMsg{ID: id, Service: service, Traces: ts, Err: err}
	}, func(msg tea.Msg) error { return msg.(traces.ResultMsg).Err })
}

func (m *Model) loadServices() tea.Cmd {
	id, src := m.traces.ID(), m.o.Traces
	return m.call("services", func(ctx context.Context) tea.Msg {
		s, err := src.Services(ctx)
		return traces.ServicesMsg{ID: id, Services: s, Err: err}
	}, func(msg tea.Msg) error { return msg.(traces.ServicesMsg).Err })
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
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.sizePanes()
		return m, nil
	case doneMsg:
		if m.loading[msg.what]--; m.loading[msg.what] <= 0 {
			delete(m.loading, msg.what)
		}
		if msg.err != nil {
			m.errs[msg.what] = msg.err
		} else {
			delete(m.errs, msg.what)
		}
		return m.Update(msg.answer)
	case StatusMsg:
		if msg.Loading {
			m.loading[msg.Source]++
		} else if m.loading[msg.Source] > 0 {
			if m.loading[msg.Source]--; m.loading[msg.Source] == 0 {
				delete(m.loading, msg.Source)
			}
		}
		if msg.Err != nil {
			m.errs[msg.Source] = msg.Err
		}
		return m, nil
	case traces.SearchMsg:
		if msg.ID == m.traces.ID() {
			return m, m.searchTraces(msg.Service)
		}
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
		return m, tea.Batch(cmd, m.syncSelection())
	case tea.KeyPressMsg:
		typing := m.focus == focusWaterfall && m.waterfall.Typing()
		switch {
		case msg.String() == "ctrl+c":
			return m, tea.Quit
		case typing:
		case key.Matches(msg, m.KeyMap.Quit):
			return m, tea.Quit
		case key.Matches(msg, m.KeyMap.Help):
			m.showHelp = !m.showHelp
			return m, nil
		case m.showHelp && msg.String() == "esc":
			m.showHelp = false
			return m, nil
		case key.Matches(msg, m.KeyMap.Focus):
			m.setFocus((m.focus + 1) % m.panes())
			return m, nil
		case key.Matches(msg, m.KeyMap.FocusBack):
			m.setFocus((m.focus + m.panes() - 1) % m.panes())
			return m, nil
		}
		return m, m.updateFocused(msg)
	}
	// results and other messages: to every pane
	var cmd tea.Cmd
	m.traces, cmd = m.traces.Update(msg)
	cmds = append(cmds, cmd)
	m.waterfall, cmd = m.waterfall.Update(msg)
	cmds = append(cmds, cmd)
	for i, p := range m.extra {
		m.extra[i], cmd = p.Update(msg)
		cmds = append(cmds, cmd)
	}
	if r, ok := msg.(traces.ResultMsg); ok && r.ID == m.traces.ID() && r.Err == nil && m.waterfall.Tree() != nil {
		m.traces.Select(m.waterfall.Tree().Trace.ID)
	}
	return m, tea.Batch(cmds...)
}

func (m *Model) updateFocused(k tea.KeyPressMsg) tea.Cmd {
	var cmd tea.Cmd
	switch m.focus {
	case focusTraces:
		m.traces, cmd = m.traces.Update(k)
	case focusWaterfall:
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
	msg := SpanSelectedMsg{Trace: tr.Trace, Span: nd.Span, Range: tr.Range}
	return func() tea.Msg { return msg }
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
	if m.width >= WideWidth {
		right := max(48, m.width/3)
		left := m.width - right - 1
		th := max(3, h/3)
		out[focusTraces] = box{left, th}
		out[focusWaterfall] = box{left, h - th}
		rh := split(h, 1+len(m.extra), 0, -1)
		for i := focusDetails; i < n; i++ {
			out[i] = box{right, rh[i-focusDetails]}
		}
		return out
	}
	hs := split(h, n, 3, m.focus)
	for i := range out {
		out[i] = box{m.width, hs[i]}
	}
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
	bs := m.boxes()
	m.traces.SetSize(bs[focusTraces].w, bs[focusTraces].h-1)
	m.waterfall.SetSize(bs[focusWaterfall].w, bs[focusWaterfall].h-1)
	m.details.SetSize(bs[focusDetails].w, bs[focusDetails].h-1)
	for i, p := range m.extra {
		b := bs[focusExtra+i]
		m.extra[i] = p.SetSize(b.w, b.h-1)
	}
}

// View draws the panes, the status bar and the help line.
func (m Model) View() tea.View {
	v := tea.NewView(m.Render())
	v.AltScreen = true
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
	} else {
		titled := func(i int, title, content string) string {
			return m.titleBar(title, i == m.focus, bs[i].w) + "\n" + content
		}
		views := []string{
			titled(focusTraces, m.traces.Title(), m.traces.View()),
			titled(focusWaterfall, m.waterfall.Title(), m.waterfall.View()),
			titled(focusDetails, m.details.Title(), m.details.View()),
		}
		for i, p := range m.extra {
			views = append(views, titled(focusExtra+i, p.Title(), p.View()))
		}
		if m.width >= WideWidth {
			left := lipgloss.JoinVertical(lipgloss.Left, views[0], views[1])
			right := lipgloss.JoinVertical(lipgloss.Left, views[2:]...)
			sep := strings.TrimSuffix(strings.Repeat("│\n", max(1, m.height-2)), "\n")
			body = lipgloss.JoinHorizontal(lipgloss.Top, left, m.st.Dim.Apply(sep), right)
		} else {
			body = strings.Join(views, "\n")
		}
	}
	return body + "\n" + m.statusBar() + "\n" + m.shortHelp()
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
	parts := []string{m.st.Bold.Apply(sources.Sanitize(m.o.Sources))}
	for what := range m.loading {
		parts = append(parts, "loading "+sources.Sanitize(what)+"…")
	}
	for what, err := range m.errs {
		msg := strings.SplitN(sources.Sanitize(err.Error()), "\n", 2)[0]
		parts = append(parts, m.st.Error.Apply(render.MarkError+" "+sources.Sanitize(what)+": "+msg))
	}
	sortStrings(parts[1:])
	return render.Fit(strings.Join(parts, " · "), m.width)
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
	return append(h.pane.ShortHelp(), h.global.Focus, h.global.Help, h.global.Quit)
}

func (h helpKeys) FullHelp() [][]key.Binding {
	return append(h.pane.FullHelp(), []key.Binding{h.global.Focus, h.global.FocusBack, h.global.Help, h.global.Quit})
}

func (m Model) focusedKeys() help.KeyMap {
	switch m.focus {
	case focusTraces:
		return m.traces
	case focusWaterfall:
		return m.waterfall
	case focusDetails:
		return m.details
	}
	return m.extra[m.focus-focusExtra]
}

func (m Model) shortHelp() string {
	h := m.help
	h.SetWidth(m.width)
	return render.Fit(h.ShortHelpView(helpKeys{m.KeyMap, m.focusedKeys()}.ShortHelp()), m.width)
}

func (m Model) fullHelp() string {
	h := m.help
	h.SetWidth(m.width)
	var b strings.Builder
	b.WriteString(m.st.Bold.Apply("Keys") + " " + m.st.Dim.Apply("(? or esc closes)") + "\n\n")
	for _, p := range []struct {
		title string
		keys  help.KeyMap
	}{{"Global", helpKeys{m.KeyMap, emptyKeys{}}}, {"Traces", m.traces}, {"Waterfall", m.waterfall}, {"Details", m.details}} {
		b.WriteString(m.st.Header.Apply(p.title) + "\n")
		b.WriteString(h.FullHelpView(p.keys.FullHelp()) + "\n\n")
	}
	return b.String()
}

type emptyKeys struct{}

func (emptyKeys) ShortHelp() []key.Binding  { return nil }
func (emptyKeys) FullHelp() [][]key.Binding { return nil }
