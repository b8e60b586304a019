package tui

import (
	"time"

	tea "charm.land/bubbletea/v2"
)

// moveCursor takes the cursor a pane moved: the waterfall marks the spans
// active then (the others get the message as every message).
func (m *Model) moveCursor(c CursorMsg) {
	m.cursor = c
	if c.From != m.waterfall.ID() {
		m.waterfall.SetCursor(c.Time)
	} else {
		m.waterfall.SetCursor(time.Time{}) // its own selection is the mark
	}
}

// The time cursor: the time the user is looking at, from the line or span
// selected last. The Logs pane moves it as its selection moves, the
// waterfall as the selected span changes (to the span's start); the other
// panes mark it: the Metrics pane on its time axis, the waterfall the spans
// active then, the Logs pane the line nearest it. The cursor key jumps the
// other panes to it.

// CursorMsg moves the time cursor to Time, from the pane whose ID is From.
type CursorMsg struct {
	Time time.Time
	From int
}

// CursorJumpMsg asks every pane but From to bring its selection to Time:
// the Logs pane to the line nearest it, the waterfall to the innermost span
// active then.
type CursorJumpMsg struct {
	Time time.Time
	From int
}

// jumpToCursor sends the other panes to the cursor's time (the cursor
// key); the waterfall's new selection shows in the Details pane, the Logs
// and Metrics panes keeping what they show.
func (m *Model) jumpToCursor() tea.Cmd {
	if m.cursor.Time.IsZero() {
		return nil
	}
	msg := CursorJumpMsg(m.cursor)
	if m.cursor.From != m.waterfall.ID() && m.waterfall.JumpTo(m.cursor.Time) {
		if nd := m.waterfall.Selected(); nd != m.selected {
			m.selected = nd
			m.details.SetSpan(m.waterfall.Tree(), nd)
		}
	}
	return m.toPanes(msg)
}
