package waterfall

import (
	"strconv"
	"time"

	"github.com/telx-cli/telx/sources"
)

// The time cursor in the waterfall: the spans active at the time the user
// looks at elsewhere (a log line) are marked ›; a jump selects the
// innermost of them.

// MarkActive marks the rows of the spans active at the cursor's time.
const MarkActive = "›"

// SetCursor marks the spans active at t (zero: none).
func (m *Model) SetCursor(t time.Time) { m.cursor = t }

// Cursor returns the time the spans are marked at (zero: none).
func (m Model) Cursor() time.Time { return m.cursor }

func active(s *sources.Span, t time.Time) bool {
	return !t.Before(s.Start) && !t.After(s.End())
}

// activeAt tells whether row i's span is active at the cursor's time.
func (m Model) activeAt(i int) bool {
	return !m.cursor.IsZero() && active(m.rows.Node(i).Span, m.cursor)
}

// JumpTo selects the innermost span active at t (the deepest, the latest
// to start among equals), unfolding what hides it; false when none is
// (t outside the trace, or no trace).
func (m *Model) JumpTo(t time.Time) bool {
	if m.tree == nil || m.rows == nil {
		return false
	}
	var best *sources.Node
	for _, nd := range m.tree.Nodes {
		if !active(nd.Span, t) || (m.critical && !nd.Critical) {
			continue
		}
		if best == nil || nd.Depth > best.Depth || (nd.Depth == best.Depth && nd.Span.Start.After(best.Span.Start)) {
			best = nd
		}
	}
	if best == nil {
		return false
	}
	m.reveal(best)
	if r := m.rows.RowOf(best.Index); r >= 0 {
		m.sel = r
		m.scroll()
		return true
	}
	return false
}

// cursorStatus is the status line's note of the cursor: its time and how
// many spans are active then.
func (m Model) cursorStatus() string {
	if m.cursor.IsZero() || m.tree == nil {
		return ""
	}
	n := 0
	for _, nd := range m.tree.Nodes {
		if active(nd.Span, m.cursor) {
			n++
		}
	}
	loc := m.loc
	if loc == nil {
		loc = time.Local
	}
	return MarkActive + " " + m.cursor.In(loc).Format("15:04:05.000") + " " + strconv.Itoa(n) + " " + plural(n, "span", "spans") + " active"
}
