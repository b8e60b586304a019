package tui

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/telx-cli/telx/sources"
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
const commands = "trace <id>, logs [LogQL], metrics [PromQL], service <name>, since <duration>, operation [name], min-duration [duration], tag [key=value], q"

// searchFilter narrows the trace search beyond its service and window.
type searchFilter struct {
	operation   string
	minDuration time.Duration
	tags        []string // key=value, in the order given
}

func (f searchFilter) tagMap() map[string]string {
	if len(f.tags) == 0 {
		return nil
	}
	m := make(map[string]string, len(f.tags))
	for _, t := range f.tags {
		k, v, _ := strings.Cut(t, "=")
		m[k] = v
	}
	return m
}

// String says the filter for the status bar.
func (f searchFilter) String() string {
	var parts []string
	if f.operation != "" {
		parts = append(parts, "operation "+f.operation)
	}
	if f.minDuration > 0 {
		parts = append(parts, "at least "+f.minDuration.String())
	}
	parts = append(parts, f.tags...)
	if len(parts) == 0 {
		return "no filter"
	}
	return strings.Join(parts, ", ")
}

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
	case "since":
		d, err := parseLookback(arg)
		if err != nil {
			return nil, err
		}
		m.o.Lookback = d
		m.notice = "searching the last " + arg
		if s := m.traces.Service(); s != "" {
			return m.traces.Search(s), nil
		}
		return nil, nil
	case "operation", "min-duration", "tag":
		switch name {
		case "operation":
			m.filter.operation = arg
		case "min-duration":
			d := time.Duration(0)
			if arg != "" {
				var err error
				if d, err = time.ParseDuration(arg); err != nil || d < 0 {
					return nil, fmt.Errorf(":min-duration needs a duration such as 500ms, got %q", arg)
				}
			}
			m.filter.minDuration = d
		case "tag":
			if arg == "" {
				m.filter.tags = nil
				break
			}
			if k, _, ok := strings.Cut(arg, "="); !ok || k == "" || strings.ContainsAny(arg, " \t") {
				return nil, fmt.Errorf(":tag needs key=value, got %q", arg)
			}
			m.filter.tags = append(m.filter.tags, arg)
		}
		m.notice = "searching with " + sources.Sanitize(m.filter.String())
		if s := m.traces.Service(); s != "" {
			m.setFocus(focusTraces)
			return m.traces.Search(s), nil
		}
		return nil, nil
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

// parseLookback reads a search window: a Go duration, or whole days
// ("2d").
func parseLookback(s string) (time.Duration, error) {
	if s == "" {
		return 0, errors.New(":since needs a duration, such as 30m, 2h or 1d")
	}
	d, err := time.ParseDuration(s)
	if n, ok := strings.CutSuffix(s, "d"); ok && err != nil {
		days, derr := strconv.Atoi(n)
		d, err = time.Duration(days)*24*time.Hour, derr
	}
	if err != nil || d <= 0 {
		return 0, fmt.Errorf(":since needs a positive duration, such as 30m, 2h or 1d, got %q", s)
	}
	return d, nil
}

// queryRange is the window of a typed query: the open trace's, else the
// search window.
func (m Model) queryRange() sources.TimeRange {
	if tr := m.waterfall.Tree(); tr != nil {
		return tr.Range
	}
	return sources.Last(m.o.Lookback, m.o.Now())
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
