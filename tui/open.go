package tui

import (
	tea "charm.land/bubbletea/v2"

	"github.com/telx-cli/telx/tui/pane"
)

// The other ways in: the explorer opened on a LogQL query (telx explore
// --logs), the Logs pane focused, or on a PromQL query (--metrics), the
// Metrics pane focused, as :logs and :metrics show them.

// paneIndex is the focus index of the extra pane called name ("Logs"),
// or -1.
func (m Model) paneIndex(name string) int {
	for i, p := range m.extra {
		if pane.Name(p.Title()) == name {
			return focusExtra + i
		}
	}
	return -1
}

// openQueries shows Options.LogQuery and Options.MetricQuery in their
// panes and focuses the Logs pane, else the Metrics pane. A query the
// command line would refuse is said on the status bar.
func (m *Model) openQueries() (cmds []tea.Cmd) {
	for _, q := range []struct{ pane, command, query string }{
		{"Metrics", "metrics", m.o.MetricQuery},
		{"Logs", "logs", m.o.LogQuery},
	} {
		if q.query == "" {
			continue
		}
		cmd, err := m.Run(q.command + " " + q.query)
		if err != nil {
			m.notice, m.noticeErr = err.Error(), true
			continue
		}
		cmds = append(cmds, cmd)
		if i := m.paneIndex(q.pane); i >= 0 {
			m.focus = i // the Logs pane's, when both are given
		}
	}
	return cmds
}
