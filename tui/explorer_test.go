package tui_test

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/telx-cli/telx/internal/golden"
	"github.com/telx-cli/telx/internal/teasync"
	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/tui"
	"github.com/telx-cli/telx/tui/internal/tracetest"
	"github.com/telx-cli/telx/tui/logs"
	"github.com/telx-cli/telx/tui/metrics"
	"github.com/telx-cli/telx/tui/styles"
)

// probe runs the explorer and publishes its screen after every message,
// so that a test waits for what the screen says rather than for bytes of
// the terminal's diff.
type probe struct {
	m      tui.Model
	screen *atomic.Value
}

func (p probe) Init() tea.Cmd { return p.m.Init() }
func (p probe) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	next, cmd := p.m.Update(msg)
	p.m = next.(tui.Model)
	p.screen.Store(p.m.Render())
	return p, cmd
}
func (p probe) View() tea.View { return p.m.View() }

func waitScreen(t *testing.T, screen *atomic.Value, what string, ok func(string) bool) string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		s, _ := screen.Load().(string)
		if ok(s) {
			return s
		}
		if time.Now().After(deadline) {
			t.Fatalf("the screen never showed %s:\n%s", what, s)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// key is the press of a key (teasync.Key).
var key = teasync.Key

// The explorer's main flow with its Logs and Metrics panes, in a real
// program on the demo: the slowest failing trace opens, e moves to a
// failed payments span, the Logs pane shows its error line and the
// Metrics pane payments' RED view; in the Logs pane, the
// service's lines around the span, and Enter on a line of another trace
// opens that trace.
func TestLogsFlow(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {200, 50}} {
		t.Run(ansi.Strip(itoa(size[0])+"x"+itoa(size[1])), func(t *testing.T) {
			src := tracetest.Demo(t)
			tr := src.SlowestFailingTrace()
			st := styles.New(false)
			// e goes from the root to the failed spans in tree order: count
			// the presses to the first failed payments span
			presses, span := 0, (*sources.Span)(nil)
			for _, nd := range sources.BuildTree(tr).Nodes[1:] {
				if nd.Span.IsError() {
					presses++
					if nd.Span.Service == "payments" {
						span = nd.Span
						break
					}
				}
			}
			if span == nil {
				t.Fatal("no failed payments span in the slowest failing trace")
			}
			// where the line of another trace is among the service's lines
			// (a pane of its own, to count the keys)
			lp := logs.New(logs.Options{Source: src, Styles: st, Location: time.UTC})
			lp = drive(lp, tui.SpanSelectedMsg{Trace: tr, Span: span})
			lp = drive(lp, key("t"), key("t"))
			ups, other := 0, sources.TraceID("")
			for ; ups < 200; ups++ {
				if e := lp.Selected(); e != nil && e.TraceID != "" && e.TraceID != tr.ID {
					other = e.TraceID
					break
				}
				lp = drive(lp, key("k"))
			}
			if other == "" {
				t.Fatal("no line of another trace before the span among payments' lines")
			}

			o := tui.Options{Traces: src, Logs: src, Metrics: src, Sources: "demo", Trace: tr,
				Now: func() time.Time { return tracetest.Now }, Location: time.UTC, Styles: st, Limit: 30,
				Extra: []tui.Pane{
					logs.New(logs.Options{Source: src, Styles: st, Location: time.UTC}),
					metrics.New(metrics.Options{Source: src, Styles: st, Location: time.UTC}),
				}}
			screen := &atomic.Value{}
			tm := teatest.NewTestModel(t, probe{tui.New(o), screen}, teatest.WithInitialTermSize(size[0], size[1]))
			waitScreen(t, screen, "the trace", func(s string) bool { return strings.Contains(s, string(tr.ID)) })
			for i := 0; i < presses; i++ {
				tm.Send(key("e"))
			}
			s := waitScreen(t, screen, "the span's error line", func(s string) bool {
				return strings.Contains(s, "Logs · span payments "+span.Operation) && strings.Contains(s, "ERROR payments")
			})
			tracetest.CheckScreen(t, s, size[0], size[1])
			// the Metrics pane shows payments' rate, errors and latency
			waitScreen(t, screen, "payments' metrics", func(s string) bool {
				return strings.Contains(s, "Metrics · payments") && strings.Contains(s, "PAYMENTS")
			})
			tm.Send(key("tab")) // details
			tm.Send(key("tab")) // logs
			tm.Send(key("t"))
			tm.Send(key("t"))
			waitScreen(t, screen, "payments' lines", func(s string) bool {
				return strings.Contains(s, "payments around the span") && strings.Contains(s, " · t: service")
			})
			for i := 0; i < ups; i++ {
				tm.Send(key("k"))
			}
			waitScreen(t, screen, "the offer to open the other trace", func(s string) bool {
				return strings.Contains(s, "enter: open trace "+string(other)[:12])
			})
			tm.Send(key("enter"))
			waitScreen(t, screen, "the other trace", func(s string) bool {
				return strings.Contains(s, "▶ Waterfall") && strings.Contains(s, string(other)+" ") &&
					strings.Contains(s, " · t: service") && !strings.Contains(s, "loading")
			})
			tm.Send(key("q"))
			final := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(probe).m
			s = final.Render()
			tracetest.CheckScreen(t, s, size[0], size[1])
			golden.Check(t, s)
		})
	}
}

// drive runs msgs through a pane and every command they lead to.
func drive(p logs.Model, msgs ...tea.Msg) logs.Model {
	return teasync.Run(p, func(p logs.Model, msg tea.Msg) (logs.Model, tea.Cmd) {
		next, cmd := p.Update(msg)
		return next.(logs.Model), cmd
	}, msgs...)
}

func itoa(n int) string {
	if n < 10 {
		return string(rune('0' + n))
	}
	return itoa(n/10) + string(rune('0'+n%10))
}

// syncUpdate runs msg through the explorer with every command it leads
// to, synchronously.
func syncUpdate(m tui.Model, msg tea.Msg) tui.Model {
	return teasync.Run(m, teasync.Model[tui.Model], msg)
}

// With the Logs and Metrics panes, in colour or not, at any size:
// nothing panics, the screen has its height and no line is wider.
func TestPanesAtAnySize(t *testing.T) {
	src := tracetest.Demo(t)
	for _, color := range []bool{false, true} {
		for _, size := range [][2]int{{1, 1}, {10, 3}, {40, 10}, {80, 24}, {120, 12}, {160, 20}, {200, 50}, {240, 60}} {
			st := styles.New(color)
			o := tui.Options{Traces: src, Logs: src, Metrics: src, Sources: "demo", Trace: src.SlowestFailingTrace(),
				Now: func() time.Time { return tracetest.Now }, Location: time.UTC, Styles: st, Limit: 30,
				Extra: []tui.Pane{
					logs.New(logs.Options{Source: src, Styles: st, Location: time.UTC}),
					metrics.New(metrics.Options{Source: src, Styles: st, Location: time.UTC}),
				}}
			m := tui.New(o)
			m = syncUpdate(m, tea.WindowSizeMsg{Width: size[0], Height: size[1]})
			m = syncUpdate(m, m.Init()())
			for _, k := range []string{"e", "e", "tab", "tab", "w", "t", "j", "tab", "r", "tab", "a", "a", "?"} {
				m = syncUpdate(m, key(k))
				screen := m.Render()
				if n := strings.Count(screen, "\n") + 1; size[1] >= 10 && n != size[1] {
					t.Errorf("%dx%d after %s: %d lines", size[0], size[1], k, n)
				}
				for i, l := range strings.Split(screen, "\n") {
					if w := ansi.StringWidth(l); w > size[0] {
						t.Fatalf("%dx%d after %s: line %d is %d wide: %q", size[0], size[1], k, i, w, l)
					}
				}
			}
			// the help names the panes, not what they show
			if s := m.Render(); size == [2]int{240, 60} && !color && (!strings.Contains(s, "\nLogs ") || strings.Contains(s, "\nLogs ·") || strings.Contains(s, "\nMetrics ·")) {
				t.Errorf("help:\n%s", s)
			}
		}
	}
}

// blockingLogs answers nothing until its query is cancelled.
type blockingLogs struct {
	sources.LogSource
	started chan struct{}
	ended   chan error
}

func (b blockingLogs) QueryLogs(ctx context.Context, _ sources.LogQuery, _ func(sources.LogEntry) error) error {
	b.started <- struct{}{}
	<-ctx.Done()
	b.ended <- ctx.Err()
	return ctx.Err()
}

// Quitting cancels the Logs pane's query in flight.
func TestQuitCancelsQueries(t *testing.T) {
	src := tracetest.Demo(t)
	bl := blockingLogs{started: make(chan struct{}, 1), ended: make(chan error, 1)}
	st := styles.New(false)
	o := tui.Options{Traces: src, Sources: "demo", Trace: src.SlowestFailingTrace(),
		Now: func() time.Time { return tracetest.Now }, Location: time.UTC, Styles: st,
		Extra: []tui.Pane{logs.New(logs.Options{Source: bl, Styles: st, Location: time.UTC, Timeout: time.Minute})}}
	tm := teatest.NewTestModel(t, tui.New(o), teatest.WithInitialTermSize(120, 40))
	select {
	case <-bl.started:
	case <-time.After(10 * time.Second):
		t.Fatal("the query never started")
	}
	tm.Send(key("q"))
	tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
	select {
	case err := <-bl.ended:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("the query ended with %v, want cancelled", err)
		}
	case <-time.After(5 * time.Second):
		t.Error("quitting left the query running")
	}
}
