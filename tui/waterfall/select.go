package waterfall

import "github.com/telx-cli/telx/sources"

// SelectSpan selects the span of that ID, unfolding its ancestors and
// leaving the critical-path filter when it hides the span; false when the
// trace has no such span.
func (m *Model) SelectSpan(id sources.SpanID) bool {
	if m.tree == nil || m.rows == nil {
		return false
	}
	for _, nd := range m.tree.Nodes {
		if nd.Span.SpanID != id {
			continue
		}
		if m.critical && !nd.Critical {
			m.ToggleCritical()
		}
		m.reveal(nd)
		if r := m.rows.RowOf(nd.Index); r >= 0 {
			m.sel = r
			m.scroll()
			return true
		}
	}
	return false
}
