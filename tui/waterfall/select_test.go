package waterfall

import "testing"

// SelectSpan selects a span folded away, or hidden by the critical-path
// filter, and shows it; an unknown ID changes nothing.
func TestSelectSpan(t *testing.T) {
	tr := bigTrace(t)
	m := newPane(t, tr, 160, 40, false)
	var target *int
	for i := range tr.Spans {
		if s := &tr.Spans[i]; s.Service == "payments" && s.IsError() {
			target = &i
			break
		}
	}
	if target == nil {
		t.Fatal("no failed payments span")
	}
	want := tr.Spans[*target].SpanID
	for _, critical := range []bool{false, true} {
		m.FoldAll()
		if critical != m.critical {
			m.ToggleCritical()
		}
		if !m.SelectSpan(want) {
			t.Fatalf("critical %v: SelectSpan(%s) = false", critical, want)
		}
		if nd := m.Selected(); nd == nil || nd.Span.SpanID != want {
			t.Errorf("critical %v: selected %v, want %s", critical, nd, want)
		}
		if r := m.sel; r < m.offset || r >= m.offset+m.rowsHeight() {
			t.Errorf("critical %v: row %d is out of view (from %d, %d rows)", critical, r, m.offset, m.rowsHeight())
		}
	}
	before := m.Selected()
	if m.SelectSpan("ffffffffffffffff") || m.Selected() != before {
		t.Error("an unknown span changed the selection")
	}
	var empty Model
	if empty.SelectSpan(want) {
		t.Error("an empty pane selected a span")
	}
}
