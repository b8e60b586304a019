package tui_test

import (
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/telx-cli/telx/internal/golden"
	"github.com/telx-cli/telx/tui"
	"github.com/telx-cli/telx/tui/internal/tracetest"
	"github.com/telx-cli/telx/tui/live"
	"github.com/telx-cli/telx/tui/logs"
	"github.com/telx-cli/telx/tui/metrics"
	"github.com/telx-cli/telx/tui/styles"
)

// pendingTicks keeps the last tick each pane scheduled, for the test to
// send when it wants time to have passed.
type pendingTicks struct {
	mu   sync.Mutex
	last map[int]live.TickMsg
}

func (p *pendingTicks) ticker(_ time.Duration, msg live.TickMsg) tea.Cmd {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.last[msg.ID] = msg
	return nil
}

// fire sends every pane's pending tick.
func (p *pendingTicks) fire(tm *teatest.TestModel) {
	p.mu.Lock()
	var due []live.TickMsg
	for id, msg := range p.last {
		due = append(due, msg)
		delete(p.last, id)
	}
	p.mu.Unlock()
	// not under the lock: the ticks these lead to are scheduled meanwhile
	for _, msg := range due {
		tm.Send(msg)
	}
}

func (p *pendingTicks) count() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.last)
}

// Live mode in a real program on the demo at a clock that moves: L turns
// it on, the ticks come, the Traces pane marks the traces that started
// since and the Metrics pane's window ends at the new now; L pauses.
func TestLiveFlow(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {200, 50}} {
		t.Run(ansi.Strip(itoa(size[0])+"x"+itoa(size[1])), func(t *testing.T) {
			src := tracetest.Demo(t)
			tr := src.SlowestFailingTrace()
			st := styles.New(false)
			var ns atomic.Int64
			ns.Store(tr.TimeRange().To.Add(time.Minute).Truncate(time.Second).UnixNano())
			now := func() time.Time { return time.Unix(0, ns.Load()).UTC() }
			// the demo's follow by the test's clock, never reaching a line
			src.SetClock(stillClock(now))
			ticks := &pendingTicks{last: map[int]live.TickMsg{}}
			o := tui.Options{Traces: src, Logs: src, Metrics: src, Sources: "demo (embedded incident)", Trace: tr, Service: "payments",
				Now: now, Location: time.UTC, Styles: st, Limit: 30, Ticker: ticks.ticker,
				Extra: []tui.Pane{
					logs.New(logs.Options{Source: src, Styles: st, Location: time.UTC}),
					metrics.New(metrics.Options{Source: src, Styles: st, Location: time.UTC, Now: now, Ticker: ticks.ticker}),
				}}
			screen := &atomic.Value{}
			tm := teatest.NewTestModel(t, probe{tui.New(o), screen}, teatest.WithInitialTermSize(size[0], size[1]))
			waitScreen(t, screen, "the trace and payments' traces", func(s string) bool {
				return strings.Contains(s, string(tr.ID)) && strings.Contains(s, "Traces · payments (")
			})
			tm.Send(key("L"))
			at := now().Format("15:04:05")
			waitScreen(t, screen, "live mode, caught up", func(s string) bool {
				// (a low Metrics pane drops its window's line: the status
				// bar's time then)
				window := size[1] < 50 || strings.Contains(s, "→ "+at)
				return strings.Contains(s, "live 15s") && strings.Contains(s, at) && window && ticks.count() >= 3 && !strings.Contains(s, "loading")
			})

			// three minutes later, the ticks
			ns.Add(int64(3 * time.Minute))
			at = now().Format("15:04:05")
			ticks.fire(tm)
			s := waitScreen(t, screen, "the traces new since and the metrics up to now", func(s string) bool {
				// the rows marked new show above the open trace's where there is room
				marked := size[1] < 50 || strings.Contains(s, "\n"+"+")
				window := size[1] < 50 || strings.Contains(s, "→ "+at)
				return strings.Contains(s, " new) · last 1h") && marked && window &&
					strings.Contains(s, at) && !strings.Contains(s, "loading")
			})
			tracetest.CheckScreen(t, s, size[0], size[1])
			golden.Check(t, s)

			tm.Send(key("L"))
			waitScreen(t, screen, "paused", func(s string) bool { return strings.Contains(s, "paused · demo") })
			tm.Send(key("q"))
			tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
		})
	}
}

// stillClock is a demo follow's clock that tells now and never lets a
// wait end: the follow brings no line of its own in these tests.
type stillClock func() time.Time

func (c stillClock) Now() time.Time                     { return c() }
func (stillClock) After(time.Duration) <-chan time.Time { return nil }
