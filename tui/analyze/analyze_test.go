package analyze_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/telx-cli/telx/internal/fuzzcheck"
	"github.com/telx-cli/telx/internal/golden"
	"github.com/telx-cli/telx/internal/teasync"
	"github.com/telx-cli/telx/sources"
	sa "github.com/telx-cli/telx/sources/analyze"
	"github.com/telx-cli/telx/tui/analyze"
	"github.com/telx-cli/telx/tui/internal/tracetest"
	"github.com/telx-cli/telx/tui/styles"
)

func update(m analyze.Model, msgs ...tea.Msg) analyze.Model {
	return teasync.Run(m, func(m analyze.Model, msg tea.Msg) (analyze.Model, tea.Cmd) { return m.Update(msg) }, msgs...)
}

// opened is the analysis of the demo's frontend, run synchronously, at a
// size; its timings fixed for the goldens.
func opened(t *testing.T, color bool, w, h int) analyze.Model {
	t.Helper()
	src := tracetest.Demo(t)
	m := analyze.New(analyze.Options{Styles: styles.New(color), Location: time.UTC, Now: func() time.Time { return tracetest.Now }, Traces: src})
	m.SetSize(w, h)
	msg := m.Analyse(analyze.Query{Service: "frontend", Lookback: time.Hour})().(analyze.ResultMsg)
	if msg.Err != nil {
		t.Fatal(msg.Err)
	}
	msg.Result.Timing = sa.Timing{Search: 80 * time.Millisecond, Backend: 80 * time.Millisecond, Concurrency: 4, Analysis: 5 * time.Millisecond}
	return update(m, msg)
}

func TestAnalysisScreens(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {200, 50}} {
		for _, color := range []bool{false, true} {
			name := fmt.Sprintf("TestAnalysisScreens_%dx%d", size[0], size[1])
			if color {
				name += "_color"
			}
			t.Run(name, func(t *testing.T) {
				m := opened(t, color, size[0], size[1])
				// the second table's second row
				m = update(m, teasync.Key("n"), teasync.Key("n"), teasync.Key("j"))
				screen := m.View()
				if n := strings.Count(screen, "\n") + 1; n != size[1] {
					t.Errorf("%d lines", n)
				}
				fuzzcheck.Lines(t, screen, size[0], color)
				if !color && !strings.Contains(screen, "▶") {
					t.Error("no row selected")
				}
				golden.CheckFile(t, name, screen)
			})
		}
	}
}

// enter opens the selected row's example: the sample's trace, at its
// span; each table's first row is n away from the last.
func TestEnterOpensTheExample(t *testing.T) {
	m := opened(t, false, 120, 40)
	res := m.Result()
	want := []sources.SpanID{res.Operations[0].Example.SpanID, res.FailedAttributes[0].Example.SpanID,
		res.SlowAttributes[0].Example.SpanID, res.ErrorOrigins[0].Example.SpanID, res.Operations[0].Example.SpanID}
	if _, ok := m.Selected(); ok {
		t.Fatal("a row is selected before any key")
	}
	for _, msg := range teasync.Msgs(func() tea.Cmd { _, cmd := m.Update(teasync.Key("enter")); return cmd }()) {
		t.Fatalf("enter with no row selected sends %T", msg)
	}
	for i, w := range want {
		m = update(m, teasync.Key("n"))
		var open analyze.OpenSpanMsg
		for _, msg := range teasync.Msgs(func() tea.Cmd { _, cmd := m.Update(teasync.Key("enter")); return cmd }()) {
			open, _ = msg.(analyze.OpenSpanMsg)
		}
		if open.SpanID != w || open.Trace == nil || open.Trace.Span(w) == nil {
			t.Fatalf("table %d: enter opens span %s of %v, want %s", i, open.SpanID, open.Trace != nil, w)
		}
	}
	// where errors start: a failing postgres span
	// back from the first table to the last, where errors start: a
	// failing postgres span
	m = update(m, teasync.Key("N"))
	r, _ := m.Selected()
	if r.Example != res.ErrorOrigins[0].Example {
		t.Fatalf("N selects %+v", r)
	}
	tr := res.Trace(r.Example.TraceID)
	if s := tr.Span(r.Example.SpanID); s.Service != "postgres" || !s.IsError() {
		t.Errorf("the first origin's example is %s %s (error %v)", s.Service, s.Operation, s.IsError())
	}
}

func TestKeysAndMessages(t *testing.T) {
	m := opened(t, false, 80, 24)
	var closed bool
	for _, msg := range teasync.Msgs(func() tea.Cmd { _, cmd := m.Update(teasync.Key("esc")); return cmd }()) {
		_, closed = msg.(analyze.CloseMsg)
	}
	if !closed {
		t.Error("esc does not close")
	}
	if v := m.View(); !strings.Contains(v, "Analysis of frontend") || !strings.Contains(v, "backend 80.0ms") {
		t.Errorf("the report does not open at its top:\n%s", v)
	}
	// G goes to the last row, g back to the first
	m = update(m, teasync.Key("G"))
	last, _ := m.Selected()
	m = update(m, teasync.Key("g"))
	first, _ := m.Selected()
	if last.Line <= first.Line || !strings.Contains(m.View(), "LATENCY") {
		t.Errorf("G to line %d, g to %d", last.Line, first.Line)
	}
	// an answer to an older analysis is dropped; an error is shown
	old := m.Analyse(analyze.Query{Service: "frontend", Lookback: time.Hour})().(analyze.ResultMsg)
	m.Analyse(analyze.Query{Service: "checkout", Lookback: time.Hour})
	m = update(m, old)
	if !m.Loading() || !strings.Contains(m.View(), "Analysing a sample of the traces of checkout") {
		t.Errorf("a stale answer was taken:\n%s", m.View())
	}
	m = update(m, analyze.ResultMsg{ID: m.ID(), Seq: 3, Err: errors.New("jaeger at http://x: boom\nhint: is Jaeger running?")})
	if v := m.View(); !strings.Contains(v, "boom") || !strings.Contains(v, "hint: is Jaeger running?") {
		t.Errorf("the error is not shown:\n%s", v)
	}
}

func TestAnyWidth(t *testing.T) {
	for _, w := range []int{1, 2, 10, 33, 79} {
		m := opened(t, true, w, 12)
		m = update(m, teasync.Key("n"), teasync.Key("pgdown"), teasync.Key("j"))
		for i, l := range strings.Split(m.View(), "\n") {
			if ansi.StringWidth(l) > w {
				t.Errorf("width %d: line %d is %d wide", w, i, ansi.StringWidth(l))
			}
		}
	}
}
