package traces

import (
	tea "charm.land/bubbletea/v2"

	"github.com/telx-cli/telx/sources"
)

// MarkedMark leads the row of the trace marked for a comparison: it is
// the comparison's A.
const MarkedMark = "A"

// MarkMsg tells that the pane's marked trace changed: Trace is the trace
// marked, nil when the mark was taken off.
type MarkMsg struct {
	ID    int
	Trace *sources.Trace
}

// Marked is the ID of the trace marked for a comparison ("" for none).
func (m Model) Marked() sources.TraceID { return m.marked }

// toggleMark marks the selected trace, or takes the mark off when it is
// the marked one, and says so with a MarkMsg.
func (m *Model) toggleMark() tea.Cmd {
	t := m.Selected()
	if t == nil {
		return nil
	}
	msg := MarkMsg{ID: m.id, Trace: t}
	if m.marked == t.ID {
		m.marked, msg.Trace = "", nil
	} else {
		m.marked = t.ID
	}
	return func() tea.Msg { return msg }
}
