package integration

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/telx-cli/telx/internal/teasync"
	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/sources/prometheus"
	"github.com/telx-cli/telx/test/harness"
	"github.com/telx-cli/telx/tui"
	"github.com/telx-cli/telx/tui/live"
	"github.com/telx-cli/telx/tui/metrics"
	"github.com/telx-cli/telx/tui/styles"
)

// livePaneStep gives the pane msg, runs what it leads to (the query, and
// the next tick, which waits for the interval) and gives it the answer;
// it returns the pane and the next tick.
func livePaneStep(t *testing.T, m metrics.Model, msg tea.Msg) (metrics.Model, live.TickMsg) {
	t.Helper()
	p, cmd := m.Update(msg)
	m = p.(metrics.Model)
	var tick live.TickMsg
	answered := false
	for _, out := range teasync.Msgs(cmd) {
		switch out := out.(type) {
		case live.TickMsg:
			tick = out
		case metrics.ResultMsg:
			if out.Err != nil {
				t.Fatalf("the refresh failed: %v", out.Err)
			}
			p, _ = m.Update(out)
			m = p.(metrics.Model)
			answered = true
		}
	}
	if !answered || tick.ID != m.ID() {
		t.Fatalf("no refresh, or no next tick (%+v):\n%s", tick, m.View())
	}
	return m, tick
}

// lastSample is the last value of the pane's one row: the time of the
// newest sample Prometheus holds.
func lastSample(t *testing.T, m metrics.Model) time.Time {
	t.Helper()
	rows := m.Rows()
	if len(rows) != 1 || len(rows[0].Points) == 0 {
		t.Fatalf("want one row with points:\n%s", m.View())
	}
	v := rows[0].Points[len(rows[0].Points)-1].Value
	return time.Unix(0, int64(v*1e9))
}

// The Metrics pane in live mode against the real Prometheus, which
// scrapes the harness every second: refreshing every 2 seconds over a
// short window ending now, each refresh (a real tea.Tick) brings a newer
// sample. The query is the samples' own timestamps, so that a point Prometheus
// carries forward from an old sample does not count as new.
func TestLiveMetricsPaneGainsPoints(t *testing.T) {
	env := harness.Shared(t)
	pc, err := prometheus.New(prometheus.Options{URL: env.PrometheusURL})
	if err != nil {
		t.Fatal(err)
	}
	m := metrics.New(metrics.Options{Source: pc, Styles: styles.New(false), Location: time.UTC, Timeout: 10 * time.Second,
		Before: time.Second, After: time.Second})
	m = m.SetSize(120, 10).(metrics.Model)
	const query = `timestamp(up{job="spanmetrics"})`
	// Prometheus, just started, may not have scraped yet: a bounded wait
	var p tui.Pane
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(500 * time.Millisecond) {
		var cmd tea.Cmd
		p, cmd = m.Update(tui.MetricQueryMsg{Query: query, Range: sources.Last(time.Minute, time.Now())})
		m = p.(metrics.Model)
		for _, out := range teasync.Msgs(cmd) {
			if r, ok := out.(metrics.ResultMsg); ok {
				p, _ = m.Update(r)
				m = p.(metrics.Model)
			}
		}
		if len(m.Rows()) > 0 || time.Now().After(deadline) {
			break
		}
	}
	first := lastSample(t, m)

	// live mode: the window slides to now at once, the first tick in 2s
	m, tick := livePaneStep(t, m, tui.LiveMsg{On: true, Interval: 2 * time.Second})
	if iv := m.Live().Interval(); iv != 2*time.Second {
		t.Fatalf("the interval is %v, want 2s (the step is under it)", iv)
	}
	if d := time.Since(m.Range().To); d < 0 || d > 10*time.Second {
		t.Errorf("the live window ends %v ago", d)
	}
	// each refresh a few seconds apart holds a newer sample
	prev := lastSample(t, m)
	for i := 0; i < 2; i++ {
		m, tick = livePaneStep(t, m, tick)
		got := lastSample(t, m)
		if !got.After(prev) {
			t.Errorf("refresh %d: the newest sample is at %v, was %v", i+1, got, prev)
		}
		prev = got
	}
	if !prev.After(first.Add(3 * time.Second)) {
		t.Errorf("after two refreshes the newest sample is at %v, the first was at %v", prev, first)
	}
	if v := m.View(); !strings.Contains(v, "live every 2s") {
		t.Errorf("the pane does not say it is live:\n%s", v)
	}
	// paused, the pending tick does nothing
	p, _ = m.Update(tui.LiveMsg{On: false})
	m = p.(metrics.Model)
	if _, cmd := m.Update(tick); cmd != nil {
		t.Error("a tick of before the pause refreshed")
	}
}
