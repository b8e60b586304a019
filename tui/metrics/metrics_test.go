package metrics

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/telx-cli/telx/internal/golden"
	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/tui"
	"github.com/telx-cli/telx/tui/internal/tracetest"
	"github.com/telx-cli/telx/tui/live"
	"github.com/telx-cli/telx/tui/styles"
)

// run feeds msg and the messages its commands lead to back to the pane,
// and returns those meant for the explorer.
func run(m Model, msg tea.Msg) (Model, []tea.Msg) {
	var out []tea.Msg
	queue := []tea.Msg{msg}
	for len(queue) > 0 {
		msg, queue = queue[0], queue[1:]
		switch msg := msg.(type) {
		case tea.BatchMsg:
			for _, c := range msg {
				if c != nil {
					queue = append(queue, c())
				}
			}
			continue
		case tui.StatusMsg, live.UpdatedMsg:
			out = append(out, msg)
			continue
		}
		p, cmd := m.Update(msg)
		m = p.(Model)
		if cmd != nil {
			queue = append(queue, cmd())
		}
	}
	return m, out
}

// counting counts the range queries.
type counting struct {
	sources.MetricSource
	n    *atomic.Int32
	fail error
}

func (c counting) QueryRange(ctx context.Context, q sources.MetricQuery) (*sources.MetricResult, error) {
	c.n.Add(1)
	if c.fail != nil {
		return nil, c.fail
	}
	return c.MetricSource.QueryRange(ctx, q)
}

func spanOf(tr *sources.Trace, service string) *sources.Span {
	for i := range tr.Spans {
		if tr.Spans[i].Service == service {
			return &tr.Spans[i]
		}
	}
	return nil
}

func TestMetricsGolden(t *testing.T) {
	src := tracetest.Demo(t)
	tr := src.SlowestFailingTrace()
	for _, size := range [][2]int{{80, 24}, {200, 50}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			n := &atomic.Int32{}
			m := New(Options{Source: counting{src, n, nil}, Styles: styles.New(false), Location: time.UTC})
			m = m.SetSize(size[0], size[1]).(Model)
			if !strings.Contains(m.View(), "No trace open") {
				t.Errorf("empty pane:\n%s", m.View())
			}
			m, out := run(m, tui.SpanSelectedMsg{Trace: tr, Span: spanOf(tr, "payments")})
			if n.Load() != 5 || len(out) != 2 || out[1].(tui.StatusMsg).Err != nil {
				t.Fatalf("%d queries, status %v", n.Load(), out)
			}
			var names []string
			for _, r := range m.Rows() {
				names = append(names, r.Name)
			}
			if strings.Join(names, " ") != "rate errors p50 p95 p99" {
				t.Errorf("rows %v", names)
			}
			// payments fails more at the end of the window than at its start
			errs := m.Rows()[1].Points
			if len(errs) < 10 || !(errs[len(errs)-1].Value > errs[0].Value) {
				t.Errorf("the error ratio does not climb: %v … %v", errs[0], errs[len(errs)-1])
			}
			v := m.View()
			if m.Title() != "Metrics · payments" || !strings.Contains(v, "PAYMENTS") || !strings.Contains(v, "▼") {
				t.Errorf("title %q, view:\n%s", m.Title(), v)
			}
			lines := strings.Split(v, "\n")
			if len(lines) != size[1] {
				t.Errorf("%d lines", len(lines))
			}
			for i, l := range lines {
				if w := ansi.StringWidth(l); w != size[0] {
					t.Errorf("line %d is %d wide", i, w)
				}
			}
			golden.Check(t, v)

			// another span of payments: no query; of checkout: the RED of checkout
			m, _ = run(m, tui.SpanSelectedMsg{Trace: tr, Span: &tr.Spans[len(tr.Spans)-1]})
			if sp := &tr.Spans[len(tr.Spans)-1]; sp.Service == "payments" && n.Load() != 5 {
				t.Errorf("a span of the same service queried again")
			}
			m, _ = run(m, tui.SpanSelectedMsg{Trace: tr, Span: spanOf(tr, "payments")})
			before := n.Load()
			m, _ = run(m, tui.SpanSelectedMsg{Trace: tr, Span: spanOf(tr, "payments")})
			if n.Load() != before {
				t.Error("the same service queried again")
			}
			m, _ = run(m, tui.SpanSelectedMsg{Trace: tr, Span: spanOf(tr, "checkout")})
			if n.Load() != before+5 || m.Service() != "checkout" || !strings.Contains(m.View(), "CHECKOUT") {
				t.Errorf("checkout: %d queries, service %q", n.Load()-before, m.Service())
			}
		})
	}
}

// The trace's mark sits over the sparkline's column of the trace's time.
func TestMarkerColumn(t *testing.T) {
	src := tracetest.Demo(t)
	tr := src.SlowestFailingTrace()
	m := New(Options{Source: src, Styles: styles.New(false), Location: time.UTC, Before: 30 * time.Minute, After: 30 * time.Minute})
	m = m.SetSize(120, 12).(Model)
	m, _ = run(m, tui.SpanSelectedMsg{Trace: tr, Span: spanOf(tr, "payments")})
	lines := strings.Split(m.View(), "\n")
	var mark, rate string
	for _, l := range lines {
		if strings.HasPrefix(l, "trace ") {
			mark = l
		}
		if strings.HasPrefix(l, "rate ") {
			rate = l
		}
	}
	// the window is centred on the trace: the mark in the sparkline's middle
	col := strings.Index(mark, "▼")
	first := strings.IndexAny(rate, "▁▂▃▄▅▆▇█")
	last := strings.LastIndexAny(rate, "▁▂▃▄▅▆▇█")
	if col < 0 || first < 0 {
		t.Fatalf("mark %q, rate %q", mark, rate)
	}
	// byte offsets: count cells
	c, f, l := ansi.StringWidth(mark[:col]), ansi.StringWidth(rate[:first]), ansi.StringWidth(rate[:last])
	if mid := (f + l) / 2; c < mid-1 || c > mid+1 {
		t.Errorf("the mark at column %d, the sparkline spans %d..%d", c, f, l)
	}
}

func TestFailedQueryShowsItsError(t *testing.T) {
	src := tracetest.Demo(t)
	tr := src.SlowestFailingTrace()
	fail := errors.New("prometheus at http://prom:9090: connection refused")
	m := New(Options{Source: counting{src, &atomic.Int32{}, fail}, Styles: styles.New(false)})
	m = m.SetSize(80, 8).(Model)
	m, out := run(m, tui.SpanSelectedMsg{Trace: tr, Span: spanOf(tr, "payments")})
	if !strings.Contains(m.View(), "connection refused") {
		t.Errorf("the pane:\n%s", m.View())
	}
	if st := out[len(out)-1].(tui.StatusMsg); st.Source != "metrics" || st.Err == nil {
		t.Errorf("status %v", out)
	}
}

// An answer for a service the selection has left is dropped.
func TestStaleResult(t *testing.T) {
	src := tracetest.Demo(t)
	tr := src.SlowestFailingTrace()
	m := New(Options{Source: src, Styles: styles.New(false)})
	m = m.SetSize(80, 10).(Model)
	p, first := m.Update(tui.SpanSelectedMsg{Trace: tr, Span: spanOf(tr, "payments")})
	m = p.(Model)
	p, _ = m.Update(tui.SpanSelectedMsg{Trace: tr, Span: spanOf(tr, "checkout")})
	m = p.(Model)
	for _, c := range first().(tea.BatchMsg) {
		if r, ok := c().(ResultMsg); ok {
			p, _ = m.Update(r)
			m = p.(Model)
		}
	}
	if !m.Loading() || len(m.Rows()) != 0 || m.Service() != "checkout" {
		t.Errorf("the stale answer was taken: loading %v, %d rows", m.Loading(), len(m.Rows()))
	}
}

// A pane too low for its header lines gives them up, the window's line
// first, then the trace's mark, then the column header, so that the
// rows show: at 80x24 the stacked explorer leaves the pane 3 lines.
func TestLowPaneShowsRows(t *testing.T) {
	src := tracetest.Demo(t)
	tr := src.SlowestFailingTrace()
	m := New(Options{Source: src, Styles: styles.New(false), Location: time.UTC})
	m = m.SetSize(80, 8).(Model)
	m, _ = run(m, tui.SpanSelectedMsg{Trace: tr, Span: spanOf(tr, "payments")})
	if len(m.Rows()) != 5 {
		t.Fatalf("%d rows", len(m.Rows()))
	}
	for _, tt := range []struct {
		height int
		want   []string // the start of each line
	}{
		{8, []string{"", "PAYMENTS", "trace", "rate", "errors", "p50", "p95", "p99"}},
		{7, []string{"PAYMENTS", "trace", "rate", "errors", "p50", "p95", "p99"}},
		{6, []string{"PAYMENTS", "rate", "errors", "p50", "p95", "p99"}},
		{3, []string{"PAYMENTS", "rate", "errors"}},
		{2, []string{"PAYMENTS", "rate"}},
		{1, []string{"rate"}},
	} {
		v := m.SetSize(80, tt.height).(Model).View()
		lines := strings.Split(v, "\n")
		if len(lines) != tt.height {
			t.Errorf("height %d: %d lines:\n%s", tt.height, len(lines), v)
			continue
		}
		for i, w := range tt.want {
			if w == "" {
				// the window's line: a time range
				if !strings.Contains(lines[i], " → ") {
					t.Errorf("height %d: line %d is %q, want the window", tt.height, i, lines[i])
				}
			} else if !strings.HasPrefix(lines[i], w) {
				t.Errorf("height %d: line %d is %q, want %q…", tt.height, i, lines[i], w)
			}
		}
		if tt.height >= 3 && !strings.ContainsAny(v, "▁▂▃▄▅▆▇█") {
			t.Errorf("height %d: no sparkline:\n%s", tt.height, v)
		}
	}
}

// Given more columns (zoomed, or a wider terminal), the pane asks again
// at a finer step; a size that keeps the step asks nothing.
func TestSizeChangedAsksAgain(t *testing.T) {
	src := tracetest.Demo(t)
	tr := src.SlowestFailingTrace()
	n := &atomic.Int32{}
	m := New(Options{Source: counting{src, n, nil}, Styles: styles.New(false), Location: time.UTC})
	m = m.SetSize(80, 10).(Model)
	m, _ = run(m, tui.SizeChangedMsg{})
	if n.Load() != 0 {
		t.Fatalf("%d queries with nothing to show", n.Load())
	}
	m, _ = run(m, tui.SpanSelectedMsg{Trace: tr, Span: spanOf(tr, "payments")})
	narrow := len(m.Rows()[0].Points)
	for _, tt := range []struct {
		width   int
		queries int32
	}{{79, 5}, {200, 10}, {200, 10}, {80, 15}} {
		m = m.SetSize(tt.width, 10).(Model)
		m, _ = run(m, tui.SizeChangedMsg{})
		if n.Load() != tt.queries {
			t.Errorf("width %d: %d queries in all, want %d", tt.width, n.Load(), tt.queries)
		}
		if tt.width == 200 && len(m.Rows()[0].Points) <= narrow {
			t.Errorf("200 columns: %d points, %d at 80", len(m.Rows()[0].Points), narrow)
		}
	}
}
