package tui

import (
	"errors"
	"fmt"
	"strings"

	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/tui/traces"
)

// LogQueryMsg asks the Logs pane to show a LogQL query's lines instead
// of the selection's, over Range (widened by the pane's margin); an
// empty Query goes back to following the selection. The pane follows
// the selection again when it moves.
type LogQueryMsg struct {
	Query string
	Range sources.TimeRange
}

// MetricQueryMsg asks the Metrics pane to show a PromQL query's series
// over Range (widened as the pane widens a trace's); an empty Query goes
// back to the selected span's service.
type MetricQueryMsg struct {
	Query string
	Range sources.TimeRange
}

// commands lists the command line's commands, for the errors and help.
const commands = "trace <id>, logs [LogQL], metrics [PromQL], service <name>, since <duration>, operation [name], min-duration [duration], max-duration [duration], tag [key=value …], q"

// newCommandLine returns the ':' prompt.
func newCommandLine(color bool) textinput.Model {
	ti := textinput.New()
	ti.Prompt = ":"
	s := textinput.DefaultStyles(true)
	if !color {
		s.Focused.Prompt, s.Focused.Text, s.Focused.Placeholder = lipgloss.NewStyle(), lipgloss.NewStyle(), lipgloss.NewStyle()
	}
	s.Cursor.Blink = false // a static cursor: no ticks while typing
	ti.SetStyles(s)
	ti.Placeholder = commands
	return ti
}

// openCommandLine shows the ':' prompt in place of the status bar.
func (m *Model) openCommandLine() {
	m.commanding = true
	m.histAt = len(m.history)
	m.cmdline.Reset()
	m.cmdline.SetWidth(max(1, m.width-2))
	_ = m.cmdline.Focus() // the cursor does not blink: no command to run
	m.notice, m.noticeErr = "", false
}

// commandKey edits the command line: enter runs it, esc cancels, up and
// down walk the history.
func (m *Model) commandKey(k tea.KeyPressMsg) tea.Cmd {
	switch k.String() {
	case "esc":
		m.commanding = false
		m.cmdline.Blur()
		return nil
	case "enter":
		line := strings.TrimSpace(m.cmdline.Value())
		m.commanding = false
		m.cmdline.Blur()
		if line == "" {
			return nil
		}
		if n := len(m.history); n == 0 || m.history[n-1] != line {
			m.history = append(m.history, line)
		}
		cmd, err := m.Run(line)
		if err != nil {
			m.notice, m.noticeErr = err.Error(), true
		}
		return cmd
	case "up":
		if m.histAt > 0 {
			m.histAt--
			m.cmdline.SetValue(m.history[m.histAt])
			m.cmdline.CursorEnd()
		}
		return nil
	case "down":
		if m.histAt < len(m.history) {
			m.histAt++
			v := ""
			if m.histAt < len(m.history) {
				v = m.history[m.histAt]
			}
			m.cmdline.SetValue(v)
			m.cmdline.CursorEnd()
		}
		return nil
	}
	var cmd tea.Cmd
	m.cmdline, cmd = m.cmdline.Update(k)
	return cmd
}

// Run runs a command line (without its ':'): what the Enter of the
// prompt does. A bad command or argument is an error for the status bar.
func (m *Model) Run(line string) (tea.Cmd, error) {
	name, arg, _ := strings.Cut(strings.TrimSpace(line), " ")
	arg = strings.TrimSpace(arg)
	switch name {
	case "q", "quit":
		m.cancelPanes()
		return tea.Quit, nil
	case "trace":
		if arg == "" {
			return nil, errors.New(":trace needs a trace ID")
		}
		id, err := sources.ParseTraceID(arg)
		if err != nil {
			return nil, err
		}
		m.waterfall.SetLoading("trace " + string(id))
		m.setFocus(focusWaterfall)
		return m.loadTrace(id), nil
	case "service":
		if arg == "" || strings.ContainsAny(arg, " \t") {
			return nil, errors.New(":service needs one service name")
		}
		m.o.Service = arg
		m.setFocus(focusTraces)
		return m.traces.Search(arg), nil
	case "since", "operation", "min-duration", "max-duration", "tag":
		// the Traces pane's search, which its form edits too
		q := m.traces.Query()
		var err error
		switch name {
		case "since":
			q.Lookback, err = traces.ParseLookback(arg)
		case "operation":
			q.Operation = arg
		case "min-duration":
			q.MinDuration, err = traces.ParseBound(arg)
		case "max-duration":
			q.MaxDuration, err = traces.ParseBound(arg)
		case "tag":
			var tags []string
			if tags, err = traces.ParseTags(arg); arg == "" {
				q.Tags = nil
			} else {
				q.Tags = append(q.Tags[:len(q.Tags):len(q.Tags)], tags...)
			}
		}
		if err == nil {
			err = q.Check()
		}
		if err != nil {
			return nil, fmt.Errorf(":%s %w", name, err)
		}
		m.notice = "searching with " + sources.Sanitize(q.Filters())
		if name == "since" {
			m.notice = "searching the last " + sources.Sanitize(arg)
		}
		if q.Service == "" {
			m.traces.SetQuery(q)
			return nil, nil
		}
		m.setFocus(focusTraces)
		return m.traces.SearchQuery(q), nil
	case "logs":
		if arg != "" && !strings.HasPrefix(arg, "{") {
			return nil, fmt.Errorf(":logs needs a LogQL query starting with a stream selector ({…}), got %q", arg)
		}
		if !m.hasPane("Logs") {
			return nil, errors.New("no Logs pane (no log source configured)")
		}
		return m.toPanes(LogQueryMsg{Query: arg, Range: m.queryRange()}), nil
	case "metrics":
		if !m.hasPane("Metrics") {
			return nil, errors.New("no Metrics pane (no metric source configured)")
		}
		return m.toPanes(MetricQueryMsg{Query: arg, Range: m.queryRange()}), nil
	case "":
		return nil, nil
	}
	return nil, fmt.Errorf("unknown command %q (commands: %s)", name, commands)
}

// queryRange is the window of a typed query: the open trace's, else the
// search window.
func (m Model) queryRange() sources.TimeRange {
	if tr := m.waterfall.Tree(); tr != nil {
		return tr.Range
	}
	return sources.Last(m.traces.Query().Lookback, m.o.Now())
}

// hasPane tells whether an extra pane's title starts with name.
func (m Model) hasPane(name string) bool {
	for _, p := range m.extra {
		if strings.HasPrefix(p.Title(), name) {
			return true
		}
	}
	return false
}

// toPanes gives msg to the extra panes at once (as the selection is).
func (m *Model) toPanes(msg tea.Msg) tea.Cmd {
	cmds := make([]tea.Cmd, len(m.extra))
	for i, p := range m.extra {
		m.extra[i], cmds[i] = p.Update(msg)
	}
	return tea.Batch(cmds...)
}
