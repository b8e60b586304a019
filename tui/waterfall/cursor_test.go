package waterfall

import (
	"strings"
	"testing"
	"time"

	"github.com/telx-cli/telx/sources"
)

// A cursor from another pane marks the spans active then (›) and says
// how many; JumpTo selects the innermost, unfolding what hides it.
func TestCursorMarksAndJumps(t *testing.T) {
	tr := bigTrace(t)
	m := newPane(t, tr, 160, 40, false)
	// a payments failure: its time is inside its batch, the export, the root
	var ps *sources.Span
	for i := range tr.Spans {
		if s := &tr.Spans[i]; s.Service == "payments" && s.IsError() {
			ps = s
			break
		}
	}
	at := ps.Start.Add(ps.Duration / 2)
	want := 0
	for i := range tr.Spans {
		if s := &tr.Spans[i]; !at.Before(s.Start) && !at.After(s.End()) {
			want++
		}
	}
	m.FoldAll()
	m.SetCursor(at)
	v := m.View()
	checkBox(t, v, 160, 40)
	if !strings.Contains(v, MarkActive+" "+at.In(time.UTC).Format("15:04:05.000")+" ") || !strings.Contains(v, " spans active") {
		t.Errorf("no cursor on the status line:\n%s", v)
	}
	marked := 0
	for _, row := range strings.Split(v, "\n") {
		if strings.HasPrefix(row, MarkActive) {
			marked++
		}
	}
	if marked == 0 || marked > want {
		t.Errorf("%d rows marked, %d spans active:\n%s", marked, want, v)
	}
	if !m.JumpTo(at) {
		t.Fatal("JumpTo found no span")
	}
	sel := m.Selected().Span
	if !at.After(sel.Start) || at.After(sel.End()) || sel.Service == "frontend" {
		t.Errorf("jumped to %s %s (%s +%s), the cursor at %s", sel.Service, sel.Operation, sel.Start, sel.Duration, at)
	}
	for _, nd := range m.tree.Nodes {
		if s := nd.Span; !at.Before(s.Start) && !at.After(s.End()) && nd.Depth > m.Selected().Depth {
			t.Errorf("a deeper span is active: %s %s", s.Service, s.Operation)
		}
	}
	if m.JumpTo(tr.TimeRange().To.Add(time.Hour)) {
		t.Error("jumped to a time outside the trace")
	}
	m.SetCursor(time.Time{})
	if v := m.View(); strings.Contains(v, "active") {
		t.Errorf("a cleared cursor still shows:\n%s", v)
	}
}
