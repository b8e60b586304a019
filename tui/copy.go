package tui

import (
	"unicode/utf8"

	tea "charm.land/bubbletea/v2"

	"github.com/telx-cli/telx/sources"
)

// Copier is a pane with something to copy: the Logs pane's selected
// line. What names it for the status bar; ok is false when there is
// nothing to copy.
type Copier interface {
	CopyText() (what, text string, ok bool)
}

// copySelected copies the focused pane's thing to the clipboard through
// OSC 52 (which works over SSH in the terminals that allow it): the
// selected trace's ID in the traces, waterfall and details panes, what
// an extra pane offers in it. The status bar says what was copied.
func (m *Model) copySelected() tea.Cmd {
	var what, text string
	switch m.focus {
	case focusTraces:
		if t := m.traces.Selected(); t != nil {
			what, text = "trace ID", string(t.ID)
		}
	case focusWaterfall, focusDetails:
		if tr := m.waterfall.Tree(); tr != nil {
			what, text = "trace ID", string(tr.Trace.ID)
		}
	default:
		if c, ok := m.extra[m.focus-focusExtra].(Copier); ok {
			if w, t, ok := c.CopyText(); ok {
				what, text = w, t
			}
		}
	}
	if text == "" {
		m.notice, m.noticeErr = "nothing to copy here", true
		return nil
	}
	m.notice = "copied the " + what + " " + clip(sources.Sanitize(text), 40) + " to the clipboard"
	return tea.SetClipboard(text)
}

// clip shortens s to n characters with an ellipsis.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}
