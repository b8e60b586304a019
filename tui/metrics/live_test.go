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

// ticks records the ticks the pane schedules; the tests send them.
type ticks struct{ got []scheduled }

type scheduled struct {
	d   time.Duration
	msg live.TickMsg
}

func (t *ticks) ticker(d time.Duration, msg live.TickMsg) tea.Cmd {
	t.got = append(t.got, scheduled{d, msg})
	return nil
}

func (t *ticks) last(tb testing.TB) scheduled {
	tb.Helper()
	if len(t.got) == 0 {
		tb.Fatal("no tick scheduled")
	}
	return t.got[len(t.got)-1]
}

// clock is a settable time.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

// lastPoint is the time of the last point of the pane's first row.
func lastPoint(tb testing.TB, m Model) time.Time {
	tb.Helper()
	rows := m.Rows()
	if len(rows) == 0 || len(rows[0].Points) == 0 {
		tb.Fatalf("no points:\n%s", m.View())
	}
	return rows[0].Points[len(rows[0].Points)-1].Time
}

// livePane is the Metrics pane on the demo at a clock 40 minutes before
// the incident's end, showing payments around the slowest failing trace.
func livePane(t *testing.T, src sources.MetricSource, w, h int) (Model, *clock, *ticks, *sources.Trace) {
	t.Helper()
	demo := tracetest.Demo(t)
	tr := demo.SlowestFailingTrace()
	c := &clock{t: tr.TimeRange().To.Add(time.Minute)}
	tk := &ticks{}
	if src == nil {
		src = demo
	}
	m := New(Options{Source: src, Styles: styles.New(false), Location: time.UTC, Now: c.now, Ticker: tk.ticker})
	m = m.SetSize(w, h).(Model)
	m, _ = run(m, tui.SpanSelectedMsg{Trace: tr, Span: spanOf(tr, "payments")})
	return m, c, tk, tr
}

// In live mode the window ends now and slides with it: each tick queries
// again and the rows gain the points since; the trace's mark stays while
// the trace is in the window. The interval is never under the step.
func TestLiveSlidesTheWindow(t *testing.T) {
	n := &atomic.Int32{}
	demo := tracetest.Demo(t)
	m, c, tk, tr := livePane(t, counting{demo, n, nil}, 120, 16)
	before := m.Range()
	if n.Load() != 5 {
		t.Fatalf("%d queries at the selection", n.Load())
	}

	m, out := run(m, tui.LiveMsg{On: true, Interval: 15 * time.Second})
	if n.Load() != 10 {
		t.Fatalf("turning live on queried %d times, want 5 (catching up)", n.Load()-5)
	}
	if r := m.Range(); !r.To.Equal(c.t) || r.Duration() != before.Duration() {
		t.Fatalf("live window %v, want %v long ending at %v", r, before.Duration(), c.t)
	}
	if !hasUpdated(out, m.ID()) {
		t.Errorf("no UpdatedMsg after the refresh: %v", out)
	}
	s := tk.last(t)
	if s.msg.ID != m.ID() || s.d < 15*time.Second || s.d < m.step {
		t.Errorf("tick %+v: want pane %d's, in max(15s, step %v)", s, m.ID(), m.step)
	}
	v := m.View()
	for _, want := range []string{"live every " + live.Format(s.d), "▼ the trace " + tr.TimeRange().From.UTC().Format("15:04:05")} {
		if !strings.Contains(v, want) {
			t.Errorf("the view lacks %q:\n%s", want, v)
		}
	}
	first := lastPoint(t, m)

	// five minutes later, the tick: new points
	c.t = c.t.Add(5 * time.Minute)
	m, _ = run(m, s.msg)
	if n.Load() != 15 {
		t.Fatalf("the tick queried %d times, want 5", n.Load()-10)
	}
	if got := lastPoint(t, m); !got.After(first) || got.After(c.t) {
		t.Errorf("after the tick the last point is at %v, was %v (now %v)", got, first, c.t)
	}
	if !m.Range().To.Equal(c.t) {
		t.Errorf("the window ends at %v, want %v", m.Range().To, c.t)
	}
	if !strings.Contains(m.View(), "▼ the trace") {
		t.Errorf("the trace, still in the window, lost its mark:\n%s", m.View())
	}

	// an hour later the trace is out of the window: no mark
	c.t = c.t.Add(time.Hour)
	m, _ = run(m, tk.last(t).msg)
	v = m.View()
	if strings.Contains(v, "▼") || !strings.Contains(v, "the trace ("+tr.TimeRange().From.UTC().Format("15:04:05")+") is out of the window") {
		t.Errorf("the trace out of the window:\n%s", v)
	}
}

func hasUpdated(out []tea.Msg, id int) bool {
	for _, msg := range out {
		if u, ok := msg.(live.UpdatedMsg); ok && u.ID == id {
			return true
		}
	}
	return false
}

// blocking answers a range query only when its context ends (with the
// context's error), or after a while with errNotCancelled.
type blocking struct {
	sources.MetricSource
	started *atomic.Int32
}

var errNotCancelled = errors.New("the query was not cancelled")

func (b blocking) QueryRange(ctx context.Context, q sources.MetricQuery) (*sources.MetricResult, error) {
	b.started.Add(1)
	select {
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-time.After(5 * time.Second):
		return nil, errNotCancelled
	}
}

// switchable answers from the demo until block is set, then blocks.
type switchable struct {
	sources.MetricSource
	block   *atomic.Bool
	started *atomic.Int32
}

func (s switchable) QueryRange(ctx context.Context, q sources.MetricQuery) (*sources.MetricResult, error) {
	if s.block.Load() {
		return blocking{s.MetricSource, s.started}.QueryRange(ctx, q)
	}
	return s.MetricSource.QueryRange(ctx, q)
}

// results runs a command's messages (batches unpacked) and returns those
// that are the pane's ResultMsgs.
func results(cmd tea.Cmd) []ResultMsg {
	var out []ResultMsg
	if cmd == nil {
		return nil
	}
	queue := []tea.Msg{cmd()}
	for len(queue) > 0 {
		msg := queue[0]
		queue = queue[1:]
		switch msg := msg.(type) {
		case tea.BatchMsg:
			for _, c := range msg {
				if c != nil {
					queue = append(queue, c())
				}
			}
		case ResultMsg:
			out = append(out, msg)
		}
	}
	return out
}

// A refresh still loading when the next tick comes is not started twice;
// pausing cancels it, and the rows shown stay; resuming refreshes at once.
func TestLiveRefreshInFlight(t *testing.T) {
	block, started := &atomic.Bool{}, &atomic.Int32{}
	demo := tracetest.Demo(t)
	m, c, tk, _ := livePane(t, switchable{demo, block, started}, 120, 16)
	rows := len(m.Rows())
	m, _ = run(m, tui.LiveMsg{On: true, Interval: 15 * time.Second})
	tick := tk.last(t).msg

	block.Store(true)
	c.t = c.t.Add(time.Minute)
	p, inFlight := m.Update(tick)
	m = p.(Model)
	if !m.Live().Refreshing() || m.Loading() {
		t.Fatalf("after the tick: refreshing %v, loading %v", m.Live().Refreshing(), m.Loading())
	}
	// the next tick while that refresh is under way: no second refresh
	p, again := m.Update(tk.last(t).msg)
	m = p.(Model)
	if rs := results(again); len(rs) != 0 || started.Load() != 0 {
		t.Fatalf("a second refresh started: %d answers, %d queries", len(rs), started.Load())
	}
	if len(tk.got) < 3 {
		t.Fatalf("the ticks stopped: %+v", tk.got)
	}
	// the rows stay while it loads
	if len(m.Rows()) != rows || !strings.Contains(m.View(), "RATE") && !strings.Contains(m.View(), "rate") {
		t.Fatalf("the rows went while refreshing:\n%s", m.View())
	}

	// pausing cancels it: its query ends with the context's error, and
	// its answer is dropped
	m, _ = run(m, tui.LiveMsg{On: false})
	rs := results(inFlight)
	if len(rs) != 1 || !errors.Is(rs[0].Err, context.Canceled) {
		t.Fatalf("the refresh in flight was not cancelled: %+v", rs)
	}
	m, out := run(m, rs[0])
	if len(m.Rows()) != rows || m.err != nil {
		t.Errorf("the cancelled answer was taken: %d rows, err %v", len(m.Rows()), m.err)
	}
	for _, msg := range out {
		if st, ok := msg.(tui.StatusMsg); ok && st.Err != nil {
			t.Errorf("the cancelled refresh reported %v", st.Err)
		}
	}
	if m.Live().On() || m.Live().InFlight() {
		t.Errorf("paused: on %v, in flight %v", m.Live().On(), m.Live().InFlight())
	}
	// ticks of before the pause do nothing
	p, cmd := m.Update(tk.last(t).msg)
	if m = p.(Model); cmd != nil {
		t.Errorf("a tick while paused did something")
	}

	// resuming catches up at once, without waiting for a tick
	block.Store(false)
	c.t = c.t.Add(10 * time.Minute)
	m, _ = run(m, tui.LiveMsg{On: true, Interval: 15 * time.Second})
	if !m.Range().To.Equal(c.t) {
		t.Errorf("resuming: the window ends at %v, want now %v", m.Range().To, c.t)
	}
}

// A refresh that fails keeps the rows shown; the status bar says why.
func TestLiveRefreshFailure(t *testing.T) {
	fail := errors.New("prometheus at http://prom:9090: connection refused")
	demo := tracetest.Demo(t)
	m, _, _, _ := livePane(t, nil, 120, 16)
	m.o.Source = counting{demo, &atomic.Int32{}, fail}
	m, out := run(m, tui.LiveMsg{On: true, Interval: 15 * time.Second})
	if len(m.Rows()) == 0 || strings.Contains(m.View(), "connection refused") {
		t.Errorf("the failed refresh replaced the rows:\n%s", m.View())
	}
	if st, ok := out[len(out)-1].(tui.StatusMsg); !ok || st.Err == nil {
		t.Errorf("the failure is not on the status bar: %v", out)
	}
}

// The live pane at 80x24 and 200x50.
func TestLiveGolden(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {200, 50}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			m, c, _, _ := livePane(t, nil, size[0], size[1])
			c.t = c.t.Add(3 * time.Minute)
			m, _ = run(m, tui.LiveMsg{On: true, Interval: 15 * time.Second})
			v := m.View()
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
		})
	}
}

// A query of the selection still under way when live mode starts is
// asked again over the live window; the first answer is dropped.
func TestLiveRestartsAQueryInFlight(t *testing.T) {
	demo := tracetest.Demo(t)
	tr := demo.SlowestFailingTrace()
	c := &clock{t: tr.TimeRange().To.Add(10 * time.Minute)}
	tk := &ticks{}
	m := New(Options{Source: demo, Styles: styles.New(false), Location: time.UTC, Now: c.now, Ticker: tk.ticker})
	m = m.SetSize(120, 16).(Model)
	p, first := m.Update(tui.SpanSelectedMsg{Trace: tr, Span: spanOf(tr, "payments")})
	m = p.(Model)
	m, _ = run(m, tui.LiveMsg{On: true, Interval: 15 * time.Second})
	if !m.Range().To.Equal(c.t) || len(m.Rows()) == 0 {
		t.Fatalf("live window %v, want one ending at %v", m.Range(), c.t)
	}
	live := m.Range()
	rs := results(first)
	if len(rs) != 1 {
		t.Fatalf("the first query gave %d answers", len(rs))
	}
	m, _ = run(m, rs[0])
	if m.Range() != live {
		t.Errorf("the first answer (window %v) replaced the live one %v", m.Range(), live)
	}
}
