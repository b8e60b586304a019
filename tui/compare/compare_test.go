package compare

import (
	"errors"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/telx-cli/telx/sources"
)

func trace(id string, dur time.Duration) *sources.Trace {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	tr := &sources.Trace{ID: sources.TraceID(strings.Repeat(id, 32))}
	tr.Spans = []sources.Span{{TraceID: tr.ID, SpanID: "00000000000000a1", Service: "fe", Operation: "/d", Start: t0, Duration: dur}}
	for i := range 30 {
		tr.Spans = append(tr.Spans, sources.Span{TraceID: tr.ID, SpanID: sources.SpanID("00000000000001" + string(rune('a'+i/10)) + string(rune('0'+i%10))),
			ParentID: "00000000000000a1", Service: "db", Operation: "q", Start: t0.Add(time.Duration(i) * time.Millisecond), Duration: dur / 100})
	}
	return &sources.Trace{ID: tr.ID, Spans: tr.Spans}
}

func press(s string) tea.KeyPressMsg {
	if s == "esc" {
		return tea.KeyPressMsg{Code: tea.KeyEscape}
	}
	r := []rune(s)[0]
	return tea.KeyPressMsg{Code: r, Text: s}
}

func TestModel(t *testing.T) {
	m := New(nil)
	m.SetSize(80, 10)
	a, b := trace("a", 100*time.Millisecond), trace("b", 150*time.Millisecond)
	if err := m.Show(b); !errors.Is(err, ErrNoMark) {
		t.Errorf("no mark: %v", err)
	}
	m.Mark(a)
	if err := m.Show(a); !errors.Is(err, ErrSameMark) {
		t.Errorf("the marked trace itself: %v", err)
	}
	if err := m.Show(b); err != nil || !m.Shown(b) || m.Shown(a) {
		t.Fatalf("shown: %v", err)
	}
	v := m.View()
	if lines := strings.Split(v, "\n"); len(lines) != 10 {
		t.Errorf("%d lines, want 10", len(lines))
	}
	if !strings.Contains(v, "A "+string(a.ID)) || !strings.Contains(ansi.Strip(v), "line 1/") {
		t.Errorf("view:\n%s", v)
	}
	// scrolled to the bottom and no further
	for range 100 {
		m, _ = m.Update(press("j"))
	}
	last := m.offset
	if last != len(m.lines)-m.rowsHeight() || !strings.Contains(m.View(), "✗ error") {
		t.Errorf("at the bottom: offset %d of %d lines:\n%s", last, len(m.lines), m.View())
	}
	m, _ = m.Update(press("g"))
	if m.offset != 0 {
		t.Errorf("g: offset %d", m.offset)
	}
	m, _ = m.Update(press("esc"))
	if m.Shown(b) {
		t.Error("esc did not close")
	}
	if err := m.Show(b); err != nil {
		t.Fatal(err)
	}
	m, _ = m.Update(press("C"))
	if m.Shown(b) {
		t.Error("C did not close")
	}
	m.Show(b)
	m.Mark(nil)
	if m.Shown(b) || m.Status() != "" {
		t.Error("taking the mark off did not close")
	}
}
