package tui

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/telx-cli/telx/internal/golden"
	"github.com/telx-cli/telx/internal/teasync"
	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/tui/internal/tracetest"
	"github.com/telx-cli/telx/tui/styles"
)

// press is the press of a key (teasync.Key).
var press = teasync.Key

func demoOptions(t testing.TB) Options {
	src := tracetest.Demo(t)
	return Options{
		Traces: src, Logs: src, Metrics: src, Sources: "demo", Service: "payments",
		Now: func() time.Time { return tracetest.Now }, Location: time.UTC, Styles: styles.New(false), Limit: 30,
	}
}

// The main flow in a real program: the traces of payments come, Enter
// opens the newest, e moves to its first error span, the details show it.
func TestMainFlow(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {200, 50}} {
		t.Run(ansi.Strip(strings.Join([]string{itoa(size[0]), itoa(size[1])}, "x")), func(t *testing.T) {
			o := demoOptions(t)
			// the newest payments trace that failed, and its first error span
			found, err := o.Traces.FindTraces(context.Background(), sources.TraceQuery{Service: "payments", Limit: 30,
				Range: sources.Last(time.Hour, tracetest.Now)})
			if err != nil {
				t.Fatal(err)
			}
			pos := -1
			for i, tr := range found {
				if tr.ErrorCount() > 0 {
					pos = i
					break
				}
			}
			if pos < 0 {
				t.Fatal("no failed payments trace")
			}
			want := found[pos]
			// the first failed span after the root, where e goes from it
			var firstErr *sources.Span
			for _, nd := range sources.BuildTree(want).Nodes[1:] {
				if nd.Span.IsError() {
					firstErr = nd.Span
					break
				}
			}

			tm := teatest.NewTestModel(t, New(o), teatest.WithInitialTermSize(size[0], size[1]))
			teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte("DURATION")) },
				teatest.WithDuration(5*time.Second))
			for i := 0; i < pos; i++ {
				tm.Send(press("j"))
			}
			tm.Send(press("enter"))
			teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte(string(want.ID))) },
				teatest.WithDuration(5*time.Second))
			tm.Send(press("e"))
			tm.Send(press("tab")) // to the details, taller when stacked
			tm.Send(press("q"))
			final := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(Model)

			if tree := final.waterfall.Tree(); tree == nil || tree.Trace.ID != want.ID {
				t.Fatalf("opened %v, want %s", tree, want.ID)
			}
			if sel := final.details.Span(); sel == nil || sel.Span != firstErr {
				t.Fatalf("details show %v, want the first error span %s", sel, firstErr.SpanID)
			}
			screen := final.Render()
			tracetest.CheckScreen(t, screen, size[0], size[1])
			for _, s := range []string{"▶ Details", firstErr.Service + " " + firstErr.Operation, "✗ " + firstErr.Status.Message} {
				if !strings.Contains(screen, s) {
					t.Errorf("screen lacks %q", s)
				}
			}
			golden.Check(t, screen)
		})
	}
}

func itoa(n int) string {
	if n < 10 {
		return string(rune('0' + n))
	}
	return itoa(n/10) + string(rune('0'+n%10))
}

// update runs msg and every command it leads to, synchronously.
func update(m Model, msg tea.Msg) Model {
	return teasync.Run(m, teasync.Model[Model], msg)
}

func start(o Options, w, h int) Model {
	m := New(o)
	m = update(m, tea.WindowSizeMsg{Width: w, Height: h})
	if c := m.Init(); c != nil {
		m = update(m, c())
	}
	return m
}

func TestDemoOpening(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {200, 50}} {
		t.Run(itoa(size[0])+"x"+itoa(size[1]), func(t *testing.T) {
			o := demoOptions(t)
			o.Service = ""
			o.Trace = tracetest.Demo(t).SlowestFailingTrace()
			m := start(o, size[0], size[1])
			if m.focus != focusWaterfall || m.details.Span() == nil {
				t.Fatalf("focus %d, details %v", m.focus, m.details.Span())
			}
			screen := m.Render()
			tracetest.CheckScreen(t, screen, size[0], size[1])
			golden.Check(t, screen)

			// tab walks the panes and comes back; ? shows the help
			for _, want := range []int{focusDetails, focusTraces, focusWaterfall} {
				m = update(m, press("tab"))
				if m.focus != want {
					t.Errorf("tab: focus %d, want %d", m.focus, want)
				}
			}
			m = update(m, press("shift+tab"))
			if m.focus != focusTraces {
				t.Errorf("shift+tab: focus %d", m.focus)
			}
			// q types into the search prompt; ctrl+c quits from it too
			m = update(m, press("tab"))
			m = update(m, press("/"))
			if _, cmd := m.Update(press("q")); cmd != nil {
				t.Error("q quit from the search prompt")
			}
			if _, cmd := m.Update(tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl}); cmd == nil || cmd() != tea.Quit() {
				t.Error("ctrl+c does not quit from the search prompt")
			}
			m = update(m, press("esc"))
			m = update(m, press("?"))
			if s := m.Render(); !strings.Contains(s, "fold all") || !strings.Contains(s, "next pane") {
				t.Errorf("help:\n%s", s)
			}
			tracetest.CheckScreen(t, m.Render(), size[0], size[1])
		})
	}
}

type failingSource struct{ sources.TraceSource }

func (failingSource) FindTraces(context.Context, sources.TraceQuery) ([]*sources.Trace, error) {
	return nil, errors.New("jaeger at http://jaeger:16686: connection refused")
}

// A failed search shows its error in the traces pane and the status bar;
// the waterfall keeps working.
func TestFailedCallShowsInItsPane(t *testing.T) {
	o := demoOptions(t)
	o.Trace = tracetest.Demo(t).SlowestFailingTrace()
	o.Traces = failingSource{o.Traces}
	m := start(o, 200, 50)
	screen := m.Render()
	if n := strings.Count(screen, "connection refused"); n != 2 {
		t.Errorf("the error shows %d times, want in the pane and on the status bar:\n%s", n, screen)
	}
	m = update(m, press("e"))
	if !m.waterfall.Selected().Span.IsError() {
		t.Error("the waterfall stopped working")
	}
	golden.Check(t, m.Render())
}

// Extra panes get the selected span and a place in the layout.
type fakePane struct {
	got  []SpanSelectedMsg
	w, h int
}

func (p *fakePane) Title() string { return "Logs" }
func (p *fakePane) Update(msg tea.Msg) (Pane, tea.Cmd) {
	if s, ok := msg.(SpanSelectedMsg); ok {
		p.got = append(p.got, s)
	}
	return p, nil
}
func (p *fakePane) View() string              { return strings.TrimSuffix(strings.Repeat("log line\n", p.h), "\n") }
func (p *fakePane) SetSize(w, h int) Pane     { p.w, p.h = w, h; return p }
func (p *fakePane) ShortHelp() []key.Binding  { return nil }
func (p *fakePane) FullHelp() [][]key.Binding { return nil }

func TestExtraPane(t *testing.T) {
	o := demoOptions(t)
	o.Trace = tracetest.Demo(t).SlowestFailingTrace()
	fp := &fakePane{}
	o.Extra = []Pane{fp}
	m := start(o, 200, 50)
	m = update(m, press("j"))
	if len(fp.got) == 0 || fp.got[len(fp.got)-1].Span != m.waterfall.Selected().Span {
		t.Fatalf("the extra pane got %d selections", len(fp.got))
	}
	if fp.w == 0 || fp.h == 0 || !strings.Contains(m.Render(), "Logs") {
		t.Errorf("extra pane size %dx%d", fp.w, fp.h)
	}
	tracetest.CheckScreen(t, m.Render(), 200, 50)
}

// telx trace <id> -i: the trace comes through a command to the waterfall,
// focused; an unknown ID shows its error there.
func TestOpenByID(t *testing.T) {
	o := demoOptions(t)
	big := tracetest.Demo(t).Scenario().BigTraceID
	o.TraceID = big
	m := start(o, 120, 40)
	if tree := m.waterfall.Tree(); m.focus != focusWaterfall || tree == nil || tree.Trace.ID != big {
		t.Fatalf("focus %d, tree %v", m.focus, tree)
	}
	if m.details.Span() == nil || m.details.Span().Span != m.waterfall.Selected().Span {
		t.Error("the details do not follow the selection")
	}
	if m.traces.Service() != "payments" || m.traces.Selected() == nil {
		t.Errorf("traces of %q listed, want payments (asked for)", m.traces.Service())
	}
	o.Service = ""
	recent, err := o.Traces.FindTraces(context.Background(), sources.TraceQuery{Service: "frontend", Limit: 5,
		Range: sources.Last(time.Hour, tracetest.Now)})
	if err != nil || len(recent) < 5 {
		t.Fatal(err)
	}
	o.TraceID = recent[3].ID
	m = start(o, 120, 40)
	if m.traces.Service() != "frontend" || m.traces.Selected() == nil || m.traces.Selected().ID != recent[3].ID {
		t.Errorf("traces of %q listed, want the root's (frontend) with the trace selected", m.traces.Service())
	}
	// a resize keeps the selection
	m = update(m, press("j"))
	sel := m.waterfall.Selected()
	m = update(m, tea.WindowSizeMsg{Width: 200, Height: 50})
	if m.waterfall.Selected() != sel {
		t.Error("resizing lost the selection")
	}
	tracetest.CheckScreen(t, m.Render(), 200, 50)

	o.TraceID = "0000000000000000000000000000beef"
	m = start(o, 120, 40)
	if s := m.Render(); !strings.Contains(s, "0000000000000000000000000000beef: not found") {
		t.Errorf("unknown trace:\n%s", s)
	}
}

// BenchmarkAppKeyView is a key in the waterfall and the whole screen's
// render, at 200x50, on traces of 1k and 100k spans.
func BenchmarkAppKeyView(b *testing.B) {
	for _, n := range []int{1000, 100000} {
		b.Run("spans="+itoa(n), func(b *testing.B) {
			o := demoOptions(b)
			o.Trace = tracetest.Synthetic(n)
			m := New(o)
			next, _ := m.Update(tea.WindowSizeMsg{Width: 200, Height: 50})
			m = next.(Model)
			m.waterfall.MoveDown(n / 2)
			keys := []tea.KeyPressMsg{press("j"), press("k")}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				next, _ = m.Update(keys[i%2])
				m = next.(Model)
				_ = m.View()
			}
		})
	}
}

// Tiny terminals: nothing panics, nothing is wider than the screen.
func TestTinyTerminals(t *testing.T) {
	o := demoOptions(t)
	o.Trace = tracetest.Demo(t).SlowestFailingTrace()
	for _, size := range [][2]int{{1, 1}, {10, 3}, {40, 10}, {79, 23}, {159, 40}} {
		m := start(o, size[0], size[1])
		for _, k := range []string{"j", "e", "tab", "j", "tab", "j", "?"} {
			m = update(m, press(k))
			screen := m.Render()
			if n := strings.Count(screen, "\n") + 1; size[1] >= 10 && n != size[1] {
				t.Errorf("%dx%d after %s: %d lines", size[0], size[1], k, n)
			}
			for i, l := range strings.Split(screen, "\n") {
				if w := ansi.StringWidth(l); w > size[0] {
					t.Fatalf("%dx%d after %s: line %d is %d wide", size[0], size[1], k, i, w)
				}
			}
		}
	}
}

type alertingSource struct {
	sources.MetricSource
	alerts []sources.Alert
}

func (a alertingSource) Alerts(context.Context) ([]sources.Alert, error) { return a.alerts, nil }

// The status bar counts the firing alerts; a lists them, firing first.
func TestAlerts(t *testing.T) {
	o := demoOptions(t)
	o.Trace = tracetest.Demo(t).SlowestFailingTrace()
	at := tracetest.Now.Add(-10 * time.Minute)
	o.Metrics = alertingSource{o.Metrics, []sources.Alert{
		{Name: "PaymentsLatencyHigh", State: "pending", Labels: map[string]string{"alertname": "PaymentsLatencyHigh", "service": "payments"}, ActiveAt: at},
		{Name: "PaymentsErrorsHigh", State: "firing", Labels: map[string]string{"alertname": "PaymentsErrorsHigh", "service": "payments", "severity": "page"},
			Annotations: map[string]string{"summary": "payments fails 31% of charges"}, ActiveAt: at},
	}}
	m := start(o, 120, 30)
	if s := m.Render(); !strings.Contains(s, "demo · traces ✓ metrics ✓ · 1 firing alert (a)") {
		t.Errorf("status bar:\n%s", s)
	}
	m = update(m, press("a"))
	s := m.Render()
	tracetest.CheckScreen(t, s, 120, 30)
	firing := strings.Index(s, "✗ firing  PaymentsErrorsHigh service=payments severity=page since 08:50:00")
	pending := strings.Index(s, "◌ pending PaymentsLatencyHigh service=payments since 08:50:00")
	if firing < 0 || pending < firing || !strings.Contains(s, "payments fails 31% of charges") {
		t.Errorf("alerts:\n%s", s)
	}
	m = update(m, press("esc"))
	if strings.Contains(m.Render(), "PaymentsErrorsHigh") {
		t.Error("esc did not close the list")
	}
	// none: nothing on the status bar, an empty list
	o = demoOptions(t)
	o.Metrics = alertingSource{o.Metrics, nil}
	m = start(o, 120, 30)
	if strings.Contains(m.Render(), "firing") {
		t.Error("the status bar counts firing alerts of none")
	}
	if s := update(m, press("a")).Render(); !strings.Contains(s, "No active alerts.") {
		t.Errorf("empty list:\n%s", s)
	}
}

// On a narrow terminal an alert's labels go under its name rather than
// push its time off the screen, and the list scrolls to the chosen alert.
func TestAlertsNarrow(t *testing.T) {
	o := demoOptions(t)
	var alerts []sources.Alert
	for i := 0; i < 8; i++ {
		name := "PaymentsErrorsHigh" + itoa(i)
		alerts = append(alerts, sources.Alert{Name: name, State: "firing", ActiveAt: tracetest.Now.Add(-time.Duration(i) * time.Minute),
			Labels:      map[string]string{"alertname": name, "service_name": "payments", "severity": "critical"},
			Annotations: map[string]string{"summary": "alert " + itoa(i)}})
	}
	o.Metrics = alertingSource{o.Metrics, alerts}
	// the screen's lines without the spaces that pad them
	trimmed := func(s string) string {
		lines := strings.Split(s, "\n")
		for i, l := range lines {
			lines[i] = strings.TrimRight(l, " ")
		}
		return strings.Join(lines, "\n")
	}
	m := update(start(o, 80, 24), press("a"))
	s := m.Render()
	tracetest.CheckScreen(t, s, 80, 24)
	s = trimmed(s)
	if !strings.Contains(s, "▶ ✗ firing  PaymentsErrorsHigh0 since 09:00:00\n    service_name=payments severity=critical\n    alert 0\n") {
		t.Errorf("labels under the name:\n%s", s)
	}
	// three lines an alert: the eighth is below the screen until chosen
	if strings.Contains(s, "alert 7") {
		t.Errorf("all eight alerts on 24 lines:\n%s", s)
	}
	for i := 0; i < 7; i++ {
		m = update(m, press("j"))
	}
	s = m.Render()
	tracetest.CheckScreen(t, s, 80, 24)
	s = trimmed(s)
	if !strings.Contains(s, "▶ ✗ firing  PaymentsErrorsHigh7 since 08:53:00") || !strings.Contains(s, "    alert 7\n") ||
		!strings.HasPrefix(s, "Alerts ") {
		t.Errorf("the chosen alert is not shown:\n%s", s)
	}
	if !strings.Contains(s, "j/k choose • enter evidence • t its service's traces • s silence …") {
		t.Errorf("the help line is not the list's:\n%s", s)
	}
	// wide enough, one line
	m = update(start(o, 120, 30), press("a"))
	if s := trimmed(m.Render()); !strings.Contains(s, "▶ ✗ firing  PaymentsErrorsHigh0 service_name=payments severity=critical since 09:00:00\n") {
		t.Errorf("at 120 columns:\n%s", s)
	}
}
