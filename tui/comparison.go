package tui

import (
	tea "charm.land/bubbletea/v2"

	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/tui/traces"
	"github.com/telx-cli/telx/tui/waterfall"
)

// The comparison of two traces in the waterfall's place: x in the Traces
// pane marks a trace (traces.MarkMsg), C in the waterfall compares it with
// the open one (waterfall.CompareMsg); the comparison takes the
// waterfall's keys until C or esc (tui/compare).

// openTrace is the trace open in the waterfall, or nil.
func (m Model) openTrace() *sources.Trace {
	if tr := m.waterfall.Tree(); tr != nil {
		return tr.Trace
	}
	return nil
}

// comparing tells whether the comparison is in the waterfall's place.
func (m Model) comparing() bool { return m.compare.Shown(m.openTrace()) }

// routeCompare handles the mark and the request to compare.
func (m *Model) routeCompare(msg tea.Msg) (tea.Cmd, bool) {
	switch msg := msg.(type) {
	case traces.MarkMsg:
		if msg.ID != m.traces.ID() {
			return nil, false
		}
		// the status bar says what is marked (compareStatus)
		m.compare.Mark(msg.Trace)
		if msg.Trace == nil {
			m.notice = "mark taken off"
		}
		return nil, true
	case waterfall.CompareMsg:
		if msg.ID != m.waterfall.ID() {
			return nil, false
		}
		if err := m.compare.Show(m.openTrace()); err != nil {
			m.notice, m.noticeErr = err.Error(), true
		}
		return nil, true
	}
	return nil, false
}

func (m Model) waterfallTitle() string {
	if m.comparing() {
		return m.compare.Title()
	}
	return m.waterfall.Title()
}

func (m Model) waterfallView() string {
	if m.comparing() {
		return m.compare.View()
	}
	return m.waterfall.View()
}

// compareStatus is the status bar's word on the marked trace.
func (m Model) compareStatus() string {
	if s := m.compare.Status(); s != "" {
		return " · " + m.st.Highlight.Apply(s)
	}
	return ""
}
