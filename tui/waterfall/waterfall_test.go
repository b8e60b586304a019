package waterfall

import (
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/telx-cli/telx/internal/golden"
	"github.com/telx-cli/telx/internal/teasync"
	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/tui/internal/tracetest"
	"github.com/telx-cli/telx/tui/styles"
)

// press turns "j", "enter", "shift+tab"... into key presses.
// press is the press of a key (teasync.Key).
var press = teasync.Key

func send(m Model, keys ...string) Model {
	for _, k := range keys {
		m, _ = m.Update(press(k))
	}
	return m
}

func bigTrace(t testing.TB) *sources.Trace {
	src := tracetest.Demo(t)
	tr, err := src.Trace(t.Context(), src.Scenario().BigTraceID)
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

func newPane(t testing.TB, tr *sources.Trace, w, h int, color bool) Model {
	m := New(styles.New(color), time.UTC)
	m.SetSize(w, h)
	m.SetTrace(tr)
	return m
}

func checkBox(t *testing.T, view string, w, h int) {
	t.Helper()
	lines := strings.Split(view, "\n")
	if len(lines) != h {
		t.Errorf("%d lines, want %d", len(lines), h)
	}
	for i, l := range lines {
		if got := ansi.StringWidth(l); got != w {
			t.Errorf("line %d is %d cells wide, want %d: %q", i, got, w, l)
		}
	}
}

func TestWaterfallGolden(t *testing.T) {
	tr := bigTrace(t)
	for _, size := range [][2]int{{80, 24}, {200, 50}} {
		for _, tc := range []struct {
			name string
			keys []string
		}{
			{"open", nil},
			{"moved", []string{"j", "j", "pgdown", "k"}},
			{"next-error", []string{"e"}},
			{"folded", []string{"j", "j", "enter", "-"}},
			{"critical", []string{"c", "G"}},
			{"search", []string{"/", "S", "E", "L", "E", "C", "T", " ", "o", "enter", "n"}},
			{"typing", []string{"/", "r", "e", "d"}},
		} {
			t.Run(fmt.Sprintf("%s-%dx%d", tc.name, size[0], size[1]), func(t *testing.T) {
				m := send(newPane(t, tr, size[0], size[1], false), tc.keys...)
				v := m.View()
				checkBox(t, v, size[0], size[1])
				golden.Check(t, v)
			})
		}
	}
	t.Run("search-color-80x24", func(t *testing.T) {
		m := send(newPane(t, tr, 80, 24, true), "/", "r", "e", "d", "i", "s", "enter")
		v := m.View()
		if !strings.Contains(v, styles.New(true).Match().On+"redis") {
			t.Error("matched service names are not highlighted")
		}
		checkBox(t, v, 80, 24)
		golden.Check(t, v)
	})
	t.Run("color-80x24", func(t *testing.T) {
		m := send(newPane(t, tr, 80, 24, true), "e")
		v := m.View()
		if !strings.Contains(v, "\x1b[7m") {
			t.Error("the selected row is not in reverse video")
		}
		checkBox(t, v, 80, 24)
		golden.Check(t, v)
	})
}

func TestWaterfallKeys(t *testing.T) {
	tr := bigTrace(t)
	m := newPane(t, tr, 120, 30, false)
	n := len(tr.Spans)

	m = send(m, "G")
	if sel := m.Selected(); sel.Index != n-1 {
		t.Errorf("G selected node %d, want %d", sel.Index, n-1)
	}
	m = send(m, "g", "pgdown")
	if got := m.Selected().Index; got != m.rowsHeight() {
		t.Errorf("pgdown selected node %d, want %d", got, m.rowsHeight())
	}

	// e walks the failed spans in tree order
	m = send(m, "g")
	var failed []int
	for _, nd := range m.Tree().Nodes {
		if nd.Span.IsError() {
			failed = append(failed, nd.Index)
		}
	}
	for i := 0; i < 3; i++ {
		m = send(m, "e")
		if got := m.Selected().Index; got != failed[i] {
			t.Fatalf("e #%d selected node %d, want %d", i+1, got, failed[i])
		}
	}
	m = send(m, "E")
	if got := m.Selected().Index; got != failed[1] {
		t.Errorf("E selected node %d, want %d", got, failed[1])
	}

	// fold the selected span's parent; e then reveals the next error
	m = send(m, "g", "j", "j", "space")
	batch := m.Selected()
	if !m.rows.Folded(batch.Index) || m.rows.Len() != n-(batch.Size-1) {
		t.Fatalf("space did not fold %s (%d rows)", batch.Span.Operation, m.rows.Len())
	}
	m = send(m, "-")
	if m.rows.Len() != 2 {
		t.Errorf("fold all left %d rows", m.rows.Len())
	}
	m = send(m, "e")
	if !m.Selected().Span.IsError() {
		t.Error("e under folds did not reach an error")
	}
	m = send(m, "+")
	if m.rows.Len() != n || !m.Selected().Span.IsError() {
		t.Errorf("unfold all: %d rows, selection lost", m.rows.Len())
	}

	// search: every match is a span naming the text
	m = send(m, "g", "/", "l", "o", "c", "k", "enter")
	if m.nmatch == 0 {
		t.Fatal("no span matches lock")
	}
	seen := map[int]bool{}
	for i := 0; i < 5; i++ {
		nd := m.Selected()
		if !spanMatches(nd.Span, "lock") {
			t.Errorf("selected %s %s does not match", nd.Span.Service, nd.Span.Operation)
		}
		seen[nd.Index] = true
		m = send(m, "n")
	}
	if len(seen) < 2 {
		t.Error("n does not move between matches")
	}
	// esc leaves the prompt without searching
	m = send(m, "/", "x", "esc")
	if m.Typing() || m.query != "lock" {
		t.Errorf("esc: typing %v, query %q", m.Typing(), m.query)
	}

	// critical path only: every row is critical, the selection stays on
	// the nearest critical ancestor
	m = send(m, "c")
	for i := 0; i < m.rows.Len(); i++ {
		if !m.rows.Node(i).Critical {
			t.Fatalf("row %d is not critical", i)
		}
	}
	if !m.Selected().Critical {
		t.Error("selection off the critical path")
	}
}

func TestWaterfallError(t *testing.T) {
	m := New(styles.New(false), time.UTC)
	m.SetSize(80, 10)
	m, _ = m.Update(TraceMsg{ID: m.ID() + 1000, Err: fmt.Errorf("not mine")})
	if strings.Contains(m.View(), "not mine") {
		t.Error("the pane took another pane's message")
	}
	m, _ = m.Update(TraceMsg{ID: m.ID(), Err: fmt.Errorf("jaeger at http://x: trace 1: not found\nhint: check the ID\x1b[2J")})
	v := m.View()
	if !strings.Contains(v, "not found") || strings.Contains(v, "\x1b[2J") {
		t.Errorf("error view:\n%q", v)
	}
	checkBox(t, v, 80, 10)
}

// BenchmarkKeyView is one key press (j or k, alternately, in the middle
// of the trace) and the View that follows.
func BenchmarkKeyView(b *testing.B) {
	for _, n := range []int{1000, 100000} {
		b.Run(fmt.Sprintf("spans=%d", n), func(b *testing.B) {
			for _, color := range []bool{false, true} {
				b.Run(fmt.Sprintf("color=%v", color), func(b *testing.B) {
					m := newPane(b, tracetest.Synthetic(n), 200, 50, color)
					m.MoveDown(n / 2)
					keys := []tea.KeyPressMsg{press("j"), press("k")}
					b.ResetTimer()
					for i := 0; i < b.N; i++ {
						m, _ = m.Update(keys[i%2])
						_ = m.View()
					}
				})
			}
		})
	}
}

// BenchmarkFold is folding and unfolding a span near the top of the trace.
func BenchmarkFold(b *testing.B) {
	for _, n := range []int{1000, 100000} {
		b.Run(fmt.Sprintf("spans=%d", n), func(b *testing.B) {
			m := newPane(b, tracetest.Synthetic(n), 200, 50, false)
			m.MoveDown(1)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				m, _ = m.Update(press("enter"))
				_ = m.View()
			}
		})
	}
}

// z zooms the time axis into the selected span: its bar fills the axis,
// the ruler's ticks start past 0, spans wholly outside have no bar; Z and
// backspace zoom back out, one level each.
func TestWaterfallZoom(t *testing.T) {
	tr := tracetest.Demo(t).SlowestFailingTrace()
	m := newPane(t, tr, 160, 40, false)
	// a short span early on with a row after it that starts past its end
	pick, outside := -1, -1
	for i := 1; i < min(m.rows.Len(), m.rowsHeight()) && pick < 0; i++ {
		s := m.rows.Node(i).Span
		if s.Duration <= 0 || s.Duration*10 > m.tree.Range.Duration() || s.Start.Equal(m.tree.Range.From) {
			continue
		}
		for j := i + 1; j < min(m.rows.Len(), m.rowsHeight()); j++ {
			if m.rows.Node(j).Span.Start.After(s.End()) {
				pick, outside = i, j
				break
			}
		}
	}
	if pick < 0 {
		t.Fatal("no short span with a later one in view")
	}
	for i := 0; i < pick; i++ {
		m = send(m, "j")
	}
	row := func(m Model, i int) string { return strings.Split(m.View(), "\n")[3+i] }
	blocks := func(s string) int { return strings.Count(s, "█") }
	before := m.View()
	if blocks(row(m, outside)) == 0 && !strings.ContainsAny(row(m, outside), "▏▎▍▌▋▊▉▐▕") {
		t.Fatalf("the later span has no bar before the zoom: %q", row(m, outside))
	}
	narrow := blocks(row(m, pick))
	selected := m.Selected()
	m = send(m, "z")
	v := m.View()
	if head := strings.Join(strings.Split(v, "\n")[:2], "\n"); !strings.Contains(head, "zoom 1: +") {
		t.Errorf("the header does not say the zoom: %q", head)
	}
	if wide := blocks(row(m, pick)); wide < 60 || wide <= narrow {
		t.Errorf("the zoomed span's bar has %d blocks (%d before)", wide, narrow)
	}
	if r := row(m, outside); strings.ContainsAny(r, "█▏▎▍▌▋▊▉▐▕") {
		t.Errorf("a span outside the window has a bar: %q", r)
	}
	ruler := strings.Fields(strings.SplitN(strings.Split(v, "\n")[1], "(Z out)", 2)[1])
	if len(ruler) == 0 || ruler[0] == "0" {
		t.Errorf("the zoomed ruler starts at %v", ruler)
	}
	if m.Selected() != selected {
		t.Error("the zoom moved the selection")
	}
	// a second zoom on a child, then out twice
	m = send(m, "j", "z")
	levels := strings.Contains(strings.Split(m.View(), "\n")[1], "zoom 2: +")
	m = send(m, "k")
	if levels {
		m = send(m, "Z")
	}
	if !strings.Contains(strings.Split(m.View(), "\n")[1], "zoom 1: +") {
		t.Errorf("Z did not go back to the first zoom: %q", strings.Split(m.View(), "\n")[1])
	}
	m, _ = m.Update(tea.KeyPressMsg{Code: tea.KeyBackspace})
	if m.View() != before {
		t.Errorf("zooming out does not give back the view:\n%s\nwant\n%s", m.View(), before)
	}
	m = send(m, "Z") // nothing left to zoom out of
	if m.View() != before {
		t.Error("Z at no zoom changed the view")
	}
	checkBox(t, m.View(), 160, 40)
}
