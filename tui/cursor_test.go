package tui_test

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/telx-cli/telx/internal/teasync"
	"github.com/telx-cli/telx/tui"
	"github.com/telx-cli/telx/tui/internal/tracetest"
	"github.com/telx-cli/telx/tui/logs"
	"github.com/telx-cli/telx/tui/metrics"
	"github.com/telx-cli/telx/tui/styles"
)

// The time cursor: moving through the trace's lines in the Logs pane
// marks the spans active then in the waterfall and the time on the
// Metrics pane; @ selects the innermost of those spans.
func TestTimeCursor(t *testing.T) {
	src := tracetest.Demo(t)
	tr := src.SlowestFailingTrace()
	st := styles.New(false)
	o := tui.Options{Traces: src, Logs: src, Metrics: src, Sources: "demo", Trace: tr, Service: "payments",
		Now: func() time.Time { return tracetest.Now }, Location: time.UTC, Styles: st, Limit: 30,
		Extra: []tui.Pane{
			logs.New(logs.Options{Source: src, Styles: st, Location: time.UTC}),
			metrics.New(metrics.Options{Source: src, Styles: st, Location: time.UTC}),
		}}
	run := func(m tui.Model, msgs ...tea.Msg) tui.Model {
		return teasync.Run(m, teasync.Model[tui.Model], msgs...)
	}
	m := run(tui.New(o), tea.WindowSizeMsg{Width: 200, Height: 60})
	m = run(m, m.Init()())
	// the Logs pane: the trace's lines, down to a payments failure
	m = run(m, teasync.Key("tab"), teasync.Key("tab"), teasync.Key("t"))
	var line string
	for i := 0; i < 10; i++ {
		m = run(m, teasync.Key("j"))
		if s := m.Render(); strings.Contains(s, "▶") && strings.Contains(selectedRow(s), "payment status unavailable") {
			line = selectedRow(s)
			break
		}
	}
	if line == "" {
		t.Fatalf("no payments failure in the trace's lines:\n%s", m.Render())
	}
	at := strings.Fields(line)[0]
	at = strings.TrimPrefix(at, "▶")
	s := m.Render()
	if !strings.Contains(s, "› "+at) || !strings.Contains(s, " spans active") {
		t.Errorf("the waterfall does not mark the spans active at %s:\n%s", at, s)
	}
	// within the trace, the cursor is on the trace's own ▼: the Metrics
	// pane's header names it when it is off the trace, as for the first of
	// the service's lines around the span
	if strings.Contains(s, "┃") {
		t.Errorf("the cursor within the trace is drawn off its ▼:\n%s", s)
	}
	before := tr.TimeRange().From.Add(-20 * time.Minute).Truncate(time.Second)
	m = run(m, tui.CursorMsg{Time: before, From: -1})
	s = m.Render()
	if !strings.Contains(s, "· ┃ "+before.Format("15:04:05")) || !strings.Contains(s, "› "+before.Format("15:04:05.000")+" 0 spans active") {
		t.Errorf("a cursor off the trace at %s:\n%s", before.Format("15:04:05"), s)
	}
	m = run(m, tui.CursorMsg{Time: tr.TimeRange().From.Add(154 * time.Millisecond), From: -1})
	// @: the waterfall selects the innermost span active then, the Details
	// pane shows it
	m = run(m, teasync.Key("@"))
	s = m.Render()
	if !strings.Contains(s, "Details") || !strings.Contains(s, "postgres SELECT payments") && !strings.Contains(s, "payments GetPaymentStatus") {
		t.Errorf("@ did not bring the waterfall to the failure's span:\n%s", s)
	}
}

// selectedRow is the screen's row of the Logs pane's selection: the
// lowest line marked ▶ that starts with a time (the Traces pane's
// selection is above it).
func selectedRow(screen string) string {
	found := ""
	for _, row := range strings.Split(screen, "\n") {
		if strings.HasPrefix(row, "▶") && len(row) > 14 && row[len("▶")+2] == ':' {
			found = row
		}
	}
	return found
}
