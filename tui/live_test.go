package tui

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/telx-cli/telx/internal/teasync"
	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/tui/internal/tracetest"
	"github.com/telx-cli/telx/tui/live"
	"github.com/telx-cli/telx/tui/traces"
)

// liveClock is a settable clock, safe to read from commands.
type liveClock struct{ ns atomic.Int64 }

func newLiveClock(t time.Time) *liveClock {
	c := &liveClock{}
	c.set(t)
	return c
}

func (c *liveClock) set(t time.Time)          { c.ns.Store(t.UnixNano()) }
func (c *liveClock) add(d time.Duration)      { c.ns.Add(int64(d)) }
func (c *liveClock) now() time.Time           { return time.Unix(0, c.ns.Load()).UTC() }
func (c *liveClock) fmt(layout string) string { return c.now().Format(layout) }

// tickRecorder records the ticks scheduled instead of waiting for them;
// the tests send them.
type tickRecorder struct {
	mu  sync.Mutex
	got []live.TickMsg
	ds  []time.Duration
}

func (r *tickRecorder) ticker(d time.Duration, msg live.TickMsg) tea.Cmd {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got = append(r.got, msg)
	r.ds = append(r.ds, d)
	return nil
}

// last is the last tick scheduled for pane id.
func (r *tickRecorder) last(t testing.TB, id int) live.TickMsg {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	for i := len(r.got) - 1; i >= 0; i-- {
		if r.got[i].ID == id {
			return r.got[i]
		}
	}
	t.Fatalf("no tick scheduled for pane %d: %v", id, r.got)
	return live.TickMsg{}
}

// livePane is an extra pane that records what live mode tells it.
type livePane struct {
	fakePane
	lives []LiveMsg
}

func (p *livePane) Update(msg tea.Msg) (Pane, tea.Cmd) {
	if l, ok := msg.(LiveMsg); ok {
		p.lives = append(p.lives, l)
	}
	return p, nil
}

func (p *livePane) SetSize(w, h int) Pane { p.w, p.h = w, h; return p }

// liveOptions are the demo's, at a clock 30 minutes before the end of
// the incident, ticks recorded.
func liveOptions(t *testing.T) (Options, *liveClock, *tickRecorder) {
	o := demoOptions(t)
	c := newLiveClock(tracetest.Now.Add(-30 * time.Minute))
	o.Now = c.now
	rec := &tickRecorder{}
	o.Ticker = rec.ticker
	return o, c, rec
}

// L turns live mode on: every pane is told, the Traces pane and the
// alerts schedule their ticks, the status bar says it; L again pauses.
func TestLiveToggle(t *testing.T) {
	o, c, rec := liveOptions(t)
	lp := &livePane{}
	o.Extra = []Pane{lp}
	m := start(o, 200, 50)
	if bar := ansi.Strip(m.statusBar()); strings.Contains(bar, "live") || strings.Contains(bar, "paused") {
		t.Errorf("live mode before L: %q", bar)
	}
	m = update(m, press("L"))
	if on, iv := m.Live(); !on || iv != live.DefaultInterval {
		t.Fatalf("after L: on %v every %v", on, iv)
	}
	if len(lp.lives) != 1 || lp.lives[0] != (LiveMsg{On: true, Interval: live.DefaultInterval}) {
		t.Errorf("the extra pane was told %v", lp.lives)
	}
	if !m.traces.Live().On() {
		t.Error("the Traces pane is not live")
	}
	rec.last(t, m.traces.ID())
	rec.last(t, m.live.alerts.ID())
	// the catch-up refresh brought the traces and the alerts again
	want := "live 15s · updated " + c.fmt("15:04:05") + " · demo"
	if bar := ansi.Strip(m.statusBar()); !strings.HasPrefix(bar, want) {
		t.Errorf("the status bar %q, want it to start with %q", bar, want)
	}

	m = update(m, press("L"))
	if on, _ := m.Live(); on || m.traces.Live().On() {
		t.Fatal("L did not pause")
	}
	if len(lp.lives) != 2 || lp.lives[1].On {
		t.Errorf("the extra pane was told %v", lp.lives)
	}
	if bar := ansi.Strip(m.statusBar()); !strings.HasPrefix(bar, "paused · demo") {
		t.Errorf("paused: %q", bar)
	}
	// ticks from before the pause do nothing
	before := m.traces.Selected()
	m = update(m, rec.last(t, m.traces.ID()))
	m = update(m, rec.last(t, m.live.alerts.ID()))
	if m.traces.Selected() != before || len(m.loading) != 0 {
		t.Errorf("a tick of before the pause searched: loading %v", m.loading)
	}
	if help := ansi.Strip(m.fullHelp()); !strings.Contains(help, "live mode on/paused") {
		t.Errorf("the help lacks the live key:\n%s", help)
	}
	// L is text in a prompt (the Traces pane is focused)
	m = update(m, press("s"))
	m = update(m, press("L"))
	if on, _ := m.Live(); on {
		t.Error("L typed into the search form turned live mode on")
	}
}

// --live starts live mode at once: the first queries ask over live
// windows, the status bar says live with the interval asked for.
func TestLiveAtStart(t *testing.T) {
	o, _, rec := liveOptions(t)
	o.Live, o.Refresh = true, 5*time.Second
	lp := &livePane{}
	o.Extra = []Pane{lp}
	m := start(o, 200, 50)
	if on, iv := m.Live(); !on || iv != 5*time.Second {
		t.Fatalf("on %v every %v", on, iv)
	}
	if len(lp.lives) != 1 || lp.lives[0] != (LiveMsg{On: true, Interval: 5 * time.Second}) {
		t.Errorf("the extra pane was told %v", lp.lives)
	}
	if !strings.HasPrefix(ansi.Strip(m.statusBar()), "live 5s") {
		t.Errorf("status bar %q", ansi.Strip(m.statusBar()))
	}
	// one search at start, not two (live mode's catch-up has nothing to catch up)
	if m.traces.Live().Seq() != 1 {
		t.Errorf("%d searches at start, want 1", m.traces.Live().Seq())
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	for i, msg := range rec.got {
		if rec.ds[i] != 5*time.Second {
			t.Errorf("tick %v in %v, want 5s", msg, rec.ds[i])
		}
	}
}

// In live mode the Traces pane searches again at each tick over the
// window ending now: the traces that came since are marked, the
// selection stays on its trace, the status bar tells the update's time.
func TestLiveTracesRefresh(t *testing.T) {
	o, c, rec := liveOptions(t)
	m := start(o, 200, 50)
	m = update(m, press("j"))
	m = update(m, press("j"))
	chosen := m.traces.Selected()
	if chosen == nil {
		t.Fatal("no traces")
	}
	m = update(m, press("L"))
	if m.traces.Selected() != chosen || strings.Contains(m.traces.Title(), "new") {
		t.Fatalf("catching up with nothing new changed the list: %q", m.traces.Title())
	}

	c.add(5 * time.Minute)
	m = update(m, rec.last(t, m.traces.ID()))
	if got := m.traces.Selected(); got == nil || got.ID != chosen.ID {
		t.Fatalf("the selection moved to %v, want %s", got, chosen.ID)
	}
	// the traces of payments that started in those 5 minutes
	since, err := o.Traces.FindTraces(context.Background(), sources.TraceQuery{Service: "payments", Limit: 30,
		Range: sources.TimeRange{From: c.now().Add(-5 * time.Minute), To: c.now()}})
	if err != nil || len(since) == 0 {
		t.Fatalf("the demo has no payments traces in the 5 minutes: %v", err)
	}
	for _, tr := range since {
		if !m.traces.Fresh(tr.ID) {
			t.Errorf("trace %s, new, is not marked", tr.ID)
		}
	}
	if m.traces.Fresh(chosen.ID) {
		t.Error("the selected trace is marked new")
	}
	title := m.traces.Title()
	if !strings.Contains(title, ", "+itoa(len(since))+" new)") {
		t.Errorf("title %q, want %d new", title, len(since))
	}
	screen := m.Render()
	if strings.Count(screen, "\n"+traces.FreshMark) == 0 {
		t.Errorf("no row marked %q:\n%s", traces.FreshMark, screen)
	}
	if bar := ansi.Strip(m.statusBar()); !strings.Contains(bar, "updated "+c.fmt("15:04:05")) {
		t.Errorf("status bar %q", bar)
	}
	// the selection passing over a new trace clears its mark
	m = update(m, press("g"))
	if top := m.traces.Selected(); m.traces.Fresh(top.ID) {
		t.Error("the selected new trace is still marked")
	}
	// a search of the user's own starts afresh
	m = update(m, press("r"))
	if strings.Contains(m.traces.Title(), "new") {
		t.Errorf("after r: %q", m.traces.Title())
	}
}

// blockingTraces answers searches from the demo until block is set, then
// waits for the search's context to end.
type blockingTraces struct {
	sources.TraceSource
	block *atomic.Bool
}

func (b blockingTraces) FindTraces(ctx context.Context, q sources.TraceQuery) ([]*sources.Trace, error) {
	if !b.block.Load() {
		return b.TraceSource.FindTraces(ctx, q)
	}
	select {
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-time.After(5 * time.Second):
		return nil, errors.New("the search was not cancelled")
	}
}

// A refresh still loading at the next tick is not started twice; pausing
// cancels it (no error shown, the list stays); resuming refreshes at once.
func TestLiveTracesPauseCancels(t *testing.T) {
	o, c, rec := liveOptions(t)
	block := &atomic.Bool{}
	o.Traces = blockingTraces{o.Traces, block}
	o.Metrics = nil
	m := start(o, 200, 50)
	rows := m.traces.Title()
	m = update(m, press("L"))

	block.Store(true)
	c.add(5 * time.Minute)
	next, search := m.Update(rec.last(t, m.traces.ID()))
	m = next.(Model)
	// the search is asked of the explorer, which runs it
	var run tea.Cmd
	for _, msg := range teasync.Msgs(search) {
		if s, ok := msg.(traces.SearchMsg); ok && s.Refresh {
			next, run = m.Update(s)
			m = next.(Model)
		}
	}
	if run == nil || !m.traces.Live().Refreshing() {
		t.Fatal("the tick started no refresh")
	}
	// the next tick while it runs: nothing
	next, again := m.Update(rec.last(t, m.traces.ID()))
	m = next.(Model)
	for _, msg := range teasync.Msgs(again) {
		if _, ok := msg.(traces.SearchMsg); ok {
			t.Fatal("a second refresh started while the first runs")
		}
	}

	m = update(m, press("L"))
	done := run() // the search, cancelled: it returns at once
	m = update(m, done)
	if s := m.Render(); strings.Contains(s, "not cancelled") || strings.Contains(s, "context canceled") || len(m.errs) > 0 {
		t.Errorf("the cancelled refresh shows:\n%s", s)
	}
	if m.traces.Title() != rows {
		t.Errorf("the list changed: %q, was %q", m.traces.Title(), rows)
	}
	if len(m.loading) != 0 {
		t.Errorf("still loading %v", m.loading)
	}

	// resuming catches up at once
	block.Store(false)
	m = update(m, press("L"))
	if !strings.Contains(m.traces.Title(), "new)") {
		t.Errorf("resuming did not search again: %q", m.traces.Title())
	}
}

// growingAlerts answers one more alert at each call.
type growingAlerts struct {
	sources.MetricSource
	calls *atomic.Int32
}

func (g growingAlerts) Alerts(ctx context.Context) ([]sources.Alert, error) {
	n := int(g.calls.Add(1))
	var out []sources.Alert
	for i := n - 1; i >= 0; i-- { // the newest first
		name := "Alert" + itoa(i)
		out = append(out, sources.Alert{Name: name, State: "firing", Labels: map[string]string{"alertname": name, "service_name": "payments"},
			ActiveAt: tracetest.Now.Add(-time.Duration(i) * time.Minute)})
	}
	return out, nil
}

// In live mode the alerts refresh: the count on the status bar, and the
// list when open, whose choice stays on its alert.
func TestLiveAlertsRefresh(t *testing.T) {
	o, _, rec := liveOptions(t)
	calls := &atomic.Int32{}
	o.Metrics = growingAlerts{o.Metrics, calls}
	m := start(o, 200, 50)
	if bar := ansi.Strip(m.statusBar()); !strings.Contains(bar, "1 firing alert (a)") {
		t.Fatalf("status bar %q", bar)
	}
	m = update(m, press("L")) // catching up: 2
	if bar := ansi.Strip(m.statusBar()); !strings.Contains(bar, "2 firing alerts") {
		t.Errorf("after L: %q", bar)
	}
	m = update(m, press("a"))
	m = update(m, press("j"))
	if m.chosenAlert() != "Alert0" {
		t.Fatalf("chose %q", m.chosenAlert())
	}
	m = update(m, rec.last(t, m.live.alerts.ID()))
	if calls.Load() != 3 {
		t.Fatalf("%d calls after the tick, want 3", calls.Load())
	}
	screen := m.Render()
	if !strings.Contains(screen, "Alert2") || !strings.Contains(ansi.Strip(m.statusBar()), "3 firing alerts") {
		t.Errorf("the list or the count did not refresh:\n%s", screen)
	}
	if m.chosenAlert() != "Alert0" {
		t.Errorf("the choice moved to %q", m.chosenAlert())
	}
	// paused, no call
	m = update(m, press("L"))
	m = update(m, rec.last(t, m.live.alerts.ID()))
	if calls.Load() != 3 {
		t.Errorf("a tick while paused called the source: %d calls", calls.Load())
	}
}

// The status bar fits 80 columns with live mode on: the short form, the
// sources by their first word; 200 columns take the long form.
func TestLiveStatusBarFits(t *testing.T) {
	for _, tt := range []struct {
		width int
		want  []string
	}{
		{80, []string{"live 15s 08:30:00 · demo · traces ✓ metrics ✓ · 3 firing alerts (a)"}},
		{200, []string{"live 15s · updated 08:30:00 · demo (embedded incident) · traces ✓ metrics ✓ · 3 firing alerts (a)"}},
	} {
		t.Run(itoa(tt.width), func(t *testing.T) {
			o, _, _ := liveOptions(t)
			o.Sources = "demo (embedded incident)"
			o.Extra = []Pane{&livePane{}}
			o.Metrics = fixedAlerts{o.Metrics, 3}
			m := start(o, tt.width, 24)
			m = update(m, press("L"))
			bar := m.statusBar()
			if w := ansi.StringWidth(bar); w > tt.width {
				t.Errorf("the status bar is %d wide", w)
			}
			for _, w := range tt.want {
				if !strings.HasPrefix(ansi.Strip(bar), w) {
					t.Errorf("status bar %q, want %q", ansi.Strip(bar), w)
				}
			}
			m = update(m, press("L"))
			if bar := ansi.Strip(m.statusBar()); !strings.HasPrefix(bar, "paused · demo") || ansi.StringWidth(bar) > tt.width {
				t.Errorf("paused: %q", bar)
			}
		})
	}
}

type fixedAlerts struct {
	sources.MetricSource
	n int
}

func (f fixedAlerts) Alerts(context.Context) ([]sources.Alert, error) {
	var out []sources.Alert
	for i := 0; i < f.n; i++ {
		out = append(out, sources.Alert{Name: "A" + itoa(i), State: "firing"})
	}
	return out, nil
}
