package logs

import (
	"sort"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/telx-cli/telx/tui"
)

// The time cursor in the Logs pane: moving through the lines moves it to
// the selected line's time (tui.CursorMsg); a cursor from another pane
// (the waterfall's selected span) marks the line nearest it ›, and a jump
// (tui.CursorJumpMsg) selects that line.

// MarkCursor marks the line nearest the time cursor.
const MarkCursor = "›"

// nearest is the index into shown of the line nearest t, or -1.
func (m *Model) nearest(t time.Time) int {
	n := len(m.shown)
	if n == 0 || t.IsZero() {
		return -1
	}
	i := sort.Search(n, func(i int) bool { return !m.entries[m.shown[i]].Time.Before(t) })
	switch {
	case i == n:
		return n - 1
	case i > 0 && t.Sub(m.entries[m.shown[i-1]].Time) < m.entries[m.shown[i]].Time.Sub(t):
		return i - 1
	}
	return i
}

// cursorMsg handles the cursor messages of the other panes.
func (m *Model) cursorMsg(msg tea.Msg) {
	switch msg := msg.(type) {
	case tui.CursorMsg:
		if msg.From != m.id {
			m.cursor = msg.Time
		}
	case tui.CursorJumpMsg:
		if msg.From == m.id || m.fields != nil || m.patternsOpen {
			return
		}
		if i := m.nearest(msg.Time); i >= 0 {
			m.MoveDown(i - m.sel)
		}
	}
}

// moved tells the other panes the cursor moved when the selected line
// changed from was (its time) since.
func (m *Model) moved(was *time.Time) tea.Cmd {
	e := m.Selected()
	if e == nil || (was != nil && e.Time.Equal(*was)) || m.fields != nil || m.patternsOpen {
		return nil
	}
	msg := tui.CursorMsg{Time: e.Time, From: m.id}
	m.cursor = time.Time{} // the pane's own selection is the mark
	return func() tea.Msg { return msg }
}
