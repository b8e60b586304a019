package logs

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/telx-cli/telx/internal/teasync"
	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/tui"
	"github.com/telx-cli/telx/tui/internal/tracetest"
)

// The trace's lines, the selected span's marked •.
func TestTraceScopeMarksTheSpansLines(t *testing.T) {
	tr, span := bigTrace(t)
	m := newPane(t, tracetest.Demo(t), 200, 40, false)
	m, _ = selectSpan(m, tr, span)
	m, _ = keys(m, "t", "G") // the trace's lines, the selection off the span's line
	v := m.View()
	checkBox(t, v, 200, 40)
	marked := 0
	for _, row := range strings.Split(v, "\n") {
		if strings.HasPrefix(row, "•") {
			marked++
			if !strings.Contains(row, "span_id="+string(span.SpanID)) {
				t.Errorf("a marked line of another span: %q", row)
			}
		}
	}
	if marked != 1 || !strings.Contains(v, "• the span's") {
		t.Errorf("%d lines marked:\n%s", marked, v)
	}
}

// v shows the lines as stored, T Loki's times, f the selected line's
// fields, from which enter keeps the lines with that value.
func TestRawFieldsAndTimeKeys(t *testing.T) {
	tr, span := bigTrace(t)
	m := newPane(t, tracetest.Demo(t), 200, 40, false)
	m, _ = selectSpan(m, tr, span)
	m, _ = keys(m, "t")
	parsed := m.View()
	if !strings.Contains(parsed, "ERROR payments   payment status unavailable: database lock timeout operation=GetPaymentStatus") {
		t.Fatalf("parsed:\n%s", parsed)
	}
	m, _ = keys(m, "v")
	raw := m.View()
	if !strings.Contains(raw, `ERROR payments   {"time":"`) || !strings.Contains(raw, " · raw") {
		t.Errorf("raw:\n%s", raw)
	}
	m, _ = keys(m, "v", "T")
	if v := m.View(); !strings.Contains(v, "Loki's time") {
		t.Errorf("T:\n%s", v)
	}
	m, _ = keys(m, "T")

	// the fields of the first payments error line
	for m.Selected() != nil && m.Selected().Labels["service_name"] != "payments" {
		m, _ = keys(m, "j")
	}
	sel := m.Selected()
	m, _ = keys(m, "f")
	v := m.View()
	checkBox(t, v, 200, 40)
	for _, want := range []string{"message payment status unavailable: database lock timeout", "format json", "Fields", "operation GetPaymentStatus",
		"Labels", "service_name payments", "Structured metadata", "fields of line"} {
		if !strings.Contains(squash(v), want) {
			t.Errorf("fields view lacks %q:\n%s", want, v)
		}
	}
	// down to the operation field, enter: only GetPaymentStatus' lines
	for i := 0; i < 20 && m.fields[m.fieldSel].key != "operation"; i++ {
		m, _ = keys(m, "j")
	}
	m, _ = keys(m, "enter")
	if m.FieldsOpen() {
		t.Fatal("enter left the fields view open")
	}
	lines := m.Lines()
	if len(lines) == 0 || len(lines) >= len(m.entries) {
		t.Fatalf("%d of %d lines kept by operation=GetPaymentStatus", len(lines), len(m.entries))
	}
	for _, e := range lines {
		if !strings.Contains(e.Line, `"operation":"GetPaymentStatus"`) {
			t.Errorf("kept %q", e.Line)
		}
	}
	if v := m.View(); !strings.Contains(v, "operation=GetPaymentStatus") || !strings.Contains(v, "line 1/") {
		t.Errorf("status:\n%s", v)
	}
	m, _ = keys(m, "esc")
	if len(m.Lines()) != len(m.entries) || sel == nil {
		t.Errorf("esc kept %d of %d", len(m.Lines()), len(m.entries))
	}
}

// The volume above the lines is the source's (the demo counts it as Loki
// does); a source that cannot count shows the loaded lines', saying so.
func TestVolumeAboveTheLines(t *testing.T) {
	tr, span := bigTrace(t)
	m := newPane(t, tracetest.Demo(t), 120, 30, false)
	m, _ = selectSpan(m, tr, span)
	m, _ = keys(m, "t")
	v := m.View()
	checkBox(t, v, 120, 30)
	rows := strings.Split(v, "\n")
	if !strings.Contains(v, "█ error") || !strings.Contains(rows[0], "▼") || m.volLocal {
		t.Errorf("no volume (local %v):\n%s", m.volLocal, v)
	}
	n := len(m.entries)
	if !strings.Contains(v, itoa(n)+" lines") {
		t.Errorf("the volume does not count the %d lines:\n%s", n, v)
	}
	m, _ = keys(m, "H")
	if v := m.View(); strings.Contains(v, "█ error") {
		t.Errorf("H left the volume:\n%s", v)
	}

	// no volume from the source: counted over the loaded lines
	m = newPane(t, linesOnly{tracetest.Demo(t)}, 120, 30, false)
	m, _ = selectSpan(m, tr, span)
	m, _ = keys(m, "t")
	v = m.View()
	checkBox(t, v, 120, 30)
	if !m.volLocal || !strings.Contains(v, "volume of the "+itoa(n)+" loaded lines: the log source does not count volume") || !strings.Contains(v, itoa(n)+" lines") {
		t.Errorf("local volume:\n%s", v)
	}
	// too short a pane: no volume
	m = newPane(t, tracetest.Demo(t), 120, 12, false)
	m, _ = selectSpan(m, tr, span)
	if v := m.View(); strings.Contains(v, "█ error") {
		t.Errorf("a volume in 12 rows:\n%s", v)
	}
}

// linesOnly is a log source that only gives lines: no volume, no patterns.
type linesOnly struct{ src sources.LogSource }

func (l linesOnly) QueryLogs(ctx context.Context, q sources.LogQuery, fn func(sources.LogEntry) error) error {
	return l.src.QueryLogs(ctx, q, fn)
}
func (l linesOnly) Labels(ctx context.Context, r sources.TimeRange) ([]string, error) {
	return l.src.Labels(ctx, r)
}
func (l linesOnly) LabelValues(ctx context.Context, n string, r sources.TimeRange) ([]string, error) {
	return l.src.LabelValues(ctx, n, r)
}

func itoa(n int) string { return strconv.Itoa(n) }

// squash is s with each run of spaces one space.
func squash(s string) string {
	for strings.Contains(s, "  ") {
		s = strings.ReplaceAll(s, "  ", " ")
	}
	return s
}

// p: the patterns of the service's lines, clustered locally since the
// demo has no pattern ingester; enter keeps a pattern's lines, x drops
// them.
func TestPatternsView(t *testing.T) {
	tr, span := bigTrace(t)
	m := newPane(t, tracetest.Demo(t), 160, 30, false)
	m, _ = selectSpan(m, tr, span)
	m, _ = keys(m, "t", "t") // the service's lines around the span
	all := len(m.entries)
	m, _ = keys(m, "p")
	v := m.View()
	checkBox(t, v, 160, 30)
	for _, want := range []string{"the demo has no pattern ingester", "clustered the " + itoa(all) + " loaded lines", "COUNT LEVEL", "charge accepted", "pattern 1/"} {
		if !strings.Contains(v, want) {
			t.Errorf("patterns view lacks %q:\n%s", want, v)
		}
	}
	top := m.patterns[0]
	m, _ = keys(m, "enter")
	kept := m.Lines()
	if int64(len(kept)) != top.Count {
		t.Errorf("enter on %q kept %d lines, it counts %d", top.Pattern, len(kept), top.Count)
	}
	m, _ = keys(m, "esc", "p", "x")
	if got := len(m.Lines()); int64(got) != int64(all)-top.Count {
		t.Errorf("x on %q kept %d lines of %d, want %d", top.Pattern, got, all, int64(all)-top.Count)
	}
	if v := m.View(); !strings.Contains(v, "!> "+top.Pattern) {
		t.Errorf("status lacks the exclusion:\n%s", v)
	}
}

// The backend's patterns when it has them for a stream selector; its
// failure is said, and the loaded lines clustered.
func TestPatternsFromTheSource(t *testing.T) {
	tr, span := bigTrace(t)
	demo := tracetest.Demo(t)
	m := newPane(t, withPatterns{demo, []sources.LogPattern{{Pattern: `<_> LOG: duration: <_>`, Level: "warn", Count: 3}}, nil}, 160, 30, false)
	m, _ = selectSpan(m, tr, span)
	m, _ = keys(m, "t", "t", "p")
	if v := m.View(); !strings.Contains(v, "Loki's pattern ingester") || !strings.Contains(v, "<_> LOG: duration: <_>") {
		t.Errorf("the source's patterns:\n%s", v)
	}
	m = newPane(t, withPatterns{demo, nil, errors.New("loki at http://loki:3100: 503 Service Unavailable")}, 160, 30, false)
	m, _ = selectSpan(m, tr, span)
	m, _ = keys(m, "t", "t", "p")
	if v := m.View(); !strings.Contains(v, "503 Service Unavailable; Loki's patterns failed: clustered the") {
		t.Errorf("a failure:\n%s", v)
	}
}

type withPatterns struct {
	sources.LogSource
	pats []sources.LogPattern
	err  error
}

func (w withPatterns) LogPatterns(context.Context, sources.LogQuery, time.Duration) ([]sources.LogPattern, error) {
	return w.pats, w.err
}

func TestLokiPatternMatches(t *testing.T) {
	for _, tt := range []struct {
		pattern, line string
		want          bool
	}{
		{"<_> driver's ID\t{<_>}", "2026-12-01T06:58:15.5Z\tINFO\tdriver/server.go:88\tGot driver's ID\t{\"a\": 1}", true},
		{"level=info msg=<_>", "level=info msg=x", true},
		{"level=info msg=<_>", "ts=1 level=info msg=x", false},
		{"a <_> c", "a b c d", false},
		{"a <_> c <_>", "a b c d", true},
		{"exact", "exact", true},
		{"exact", "exactly", false},
	} {
		if got := lokiPatternMatches(tt.pattern, tt.line); got != tt.want {
			t.Errorf("lokiPatternMatches(%q, %q) = %v, want %v", tt.pattern, tt.line, got, tt.want)
		}
	}
}

// A failed postgres span: postgres' own log knows no trace, so its lines
// are those of postgres while the span ran, that carry no IDs.
func TestSpanLinesWithoutIDs(t *testing.T) {
	tr, _ := bigTrace(t)
	var db *sources.Span
	for i := range tr.Spans {
		if s := &tr.Spans[i]; s.Service == "postgres" && s.IsError() {
			db = s
			break
		}
	}
	m := newPane(t, tracetest.Demo(t), 160, 12, false)
	m, _ = selectSpan(m, tr, db)
	lines := m.Lines()
	if len(lines) == 0 {
		t.Fatalf("no lines for the failed %s %s:\n%s", db.Service, db.Operation, m.View())
	}
	for _, e := range lines {
		if e.TraceID != "" || e.Labels["service_name"] != "postgres" || e.Time.Before(db.Start.Add(-time.Second)) || e.Time.After(db.End().Add(time.Second)) {
			t.Errorf("a line not postgres' own during the span: %+v", e)
		}
	}
	if v := m.View(); !strings.Contains(v, "canceling statement due to lock timeout") {
		t.Errorf("the span's lines:\n%s", v)
	}
}

// The time cursor: a move of the selection tells the other panes the
// line's time; a cursor from another pane marks the nearest line ›, and
// a jump selects it.
func TestLogsCursor(t *testing.T) {
	tr, span := bigTrace(t)
	m := newPane(t, tracetest.Demo(t), 160, 30, false)
	m, _ = selectSpan(m, tr, span)
	m, _ = keys(m, "t")
	p, cmd := m.Update(press("j"))
	m = p.(Model)
	var got *tui.CursorMsg
	if cmd != nil {
		for _, msg := range teasync.Msgs(cmd) {
			if c, ok := msg.(tui.CursorMsg); ok {
				got = &c
			}
		}
	}
	if got == nil || !got.Time.Equal(m.Selected().Time) || got.From != m.ID() {
		t.Fatalf("j sent %+v, want the selected line's time %s", got, m.Selected().Time)
	}
	last := m.Lines()[len(m.Lines())-1]
	p, _ = m.Update(tui.CursorMsg{Time: last.Time.Add(time.Millisecond), From: -1})
	m = p.(Model)
	rows := strings.Split(m.View(), "\n")
	marked := 0
	for _, r := range rows {
		if strings.HasPrefix(r, MarkCursor) {
			marked++
		}
	}
	if marked != 1 {
		t.Errorf("%d lines marked near the cursor:\n%s", marked, m.View())
	}
	p, _ = m.Update(tui.CursorJumpMsg{Time: last.Time, From: -1})
	m = p.(Model)
	if m.Selected() == nil || !m.Selected().Time.Equal(last.Time) {
		t.Errorf("the jump selected %+v, want the line at %s", m.Selected(), last.Time)
	}
}
