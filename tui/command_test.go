package tui_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/sources/demo"
	"github.com/telx-cli/telx/tui"
	"github.com/telx-cli/telx/tui/internal/tracetest"
	"github.com/telx-cli/telx/tui/logs"
	"github.com/telx-cli/telx/tui/metrics"
	"github.com/telx-cli/telx/tui/styles"
)

// recordingTraces notes the trace searches asked of it.
type recordingTraces struct {
	sources.TraceSource
	mu   sync.Mutex
	asks []sources.TraceQuery
	// found is the last search's answer
	found []*sources.Trace
	// opsAsked are the services whose operations were asked for; opsErr,
	// if set, is the answer
	opsAsked []string
	opsErr   error
}

func (r *recordingTraces) Operations(ctx context.Context, service string) ([]string, error) {
	r.mu.Lock()
	r.opsAsked = append(r.opsAsked, service)
	err := r.opsErr
	r.mu.Unlock()
	if err != nil {
		return nil, err
	}
	return r.TraceSource.Operations(ctx, service)
}

// operationsAsked are the services whose operations were asked for.
func (r *recordingTraces) operationsAsked() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.opsAsked...)
}

func (r *recordingTraces) FindTraces(ctx context.Context, q sources.TraceQuery) ([]*sources.Trace, error) {
	found, err := r.TraceSource.FindTraces(ctx, q)
	r.mu.Lock()
	r.asks = append(r.asks, q)
	r.found = found
	r.mu.Unlock()
	return found, err
}

func (r *recordingTraces) last() sources.TraceQuery {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.asks[len(r.asks)-1]
}

// cmdExplorer is the demo's explorer with its Logs and Metrics panes,
// the slowest failing trace open, at 200x50.
func cmdExplorer(t *testing.T) (tui.Model, *recordingTraces, *sources.Trace) {
	t.Helper()
	src := tracetest.Demo(t)
	tr := src.SlowestFailingTrace()
	rec := &recordingTraces{TraceSource: src}
	st := styles.New(false)
	o := tui.Options{Traces: rec, Logs: src, Metrics: src, Sources: "demo", Service: "payments", Trace: tr,
		Now: func() time.Time { return tracetest.Now }, Location: time.UTC, Styles: st, Limit: 30,
		Extra: []tui.Pane{
			logs.New(logs.Options{Source: src, Styles: st, Location: time.UTC}),
			metrics.New(metrics.Options{Source: src, Styles: st, Location: time.UTC}),
		}}
	m := tui.New(o)
	m = syncUpdate(m, tea.WindowSizeMsg{Width: 200, Height: 50})
	m = syncUpdate(m, m.Init()())
	return m, rec, tr
}

// typeLine types ':' and line, and enter unless esc is given.
func typeLine(m tui.Model, line string, end string) tui.Model {
	m = syncUpdate(m, key(":"))
	for _, r := range line {
		s := string(r)
		if r == ' ' {
			m = syncUpdate(m, tea.KeyPressMsg{Code: tea.KeySpace, Text: " "})
			continue
		}
		m = syncUpdate(m, key(s))
	}
	if end == "esc" {
		return syncUpdate(m, tea.KeyPressMsg{Code: tea.KeyEscape})
	}
	return syncUpdate(m, key("enter"))
}

// statusLine is the screen's status bar (the line above the help).
func statusLine(m tui.Model) string {
	lines := strings.Split(m.Render(), "\n")
	return lines[len(lines)-2]
}

// titles are the title bars' text of the screen.
func screenHas(t *testing.T, m tui.Model, want ...string) {
	t.Helper()
	s := m.Render()
	for _, w := range want {
		if !strings.Contains(s, w) {
			t.Errorf("no %q on the screen:\n%s", w, s)
		}
	}
}

func TestCommandTrace(t *testing.T) {
	m, _, tr := cmdExplorer(t)
	recent, err := tracetest.Demo(t).FindTraces(context.Background(), sources.TraceQuery{Service: "inventory", Limit: 5,
		Range: sources.Last(time.Hour, tracetest.Now)})
	if err != nil || len(recent) == 0 || recent[0].ID == tr.ID {
		t.Fatalf("no other trace: %v", err)
	}
	other := recent[0].ID
	// esc gives up: nothing opens
	m = typeLine(m, "trace "+string(other), "esc")
	screenHas(t, m, string(tr.ID))
	if strings.Contains(m.Render(), string(other)) {
		t.Error("esc opened the trace")
	}
	m = syncUpdate(m, key("tab")) // away from the waterfall
	m = typeLine(m, "trace "+string(other), "enter")
	screenHas(t, m, "▶ Waterfall", string(other))
	// a short ID is padded as the backends' are
	m = typeLine(m, "trace "+strings.TrimLeft(string(tr.ID), "0"), "enter")
	screenHas(t, m, string(tr.ID))
}

func TestCommandLogs(t *testing.T) {
	m, _, tr := cmdExplorer(t)
	q := `{service_name="payments"} | level="error"`
	m = typeLine(m, "logs "+q, "enter")
	screenHas(t, m, "Logs · "+q)
	s := m.Render()
	// the query's lines: payments' errors, of other traces too
	if n := strings.Count(s, "ERROR payments"); n < 5 || strings.Contains(s, "INFO ") {
		t.Errorf("%d error lines of payments on the screen, want the query's:\n%s", n, s)
	}
	// :logs with nothing follows the selection again
	m = typeLine(m, "logs", "enter")
	screenHas(t, m, "Logs · span "+tr.Root().Service)
	// and so does moving the selection
	m = typeLine(m, "logs "+q, "enter")
	screenHas(t, m, "Logs · "+q)
	m = syncUpdate(m, key("j"))
	if strings.Contains(m.Render(), "Logs · "+q) {
		t.Errorf("the query stayed after the selection moved:\n%s", m.Render())
	}
	screenHas(t, m, "Logs · span ")
}

func TestCommandMetrics(t *testing.T) {
	m, _, _ := cmdExplorer(t)
	q := `sum(rate(` + demo.CallsMetric + `{service_name="checkout",span_kind="SPAN_KIND_SERVER"}[5m]))`
	m = typeLine(m, "metrics "+q, "enter")
	screenHas(t, m, "Metrics · sum(rate("+demo.CallsMetric, "QUERY", "▼ the window")
	if strings.Contains(m.Render(), "rate over") {
		t.Error("the RED view's header with a typed query")
	}
	m = typeLine(m, "metrics", "enter")
	screenHas(t, m, "Metrics · frontend", "FRONTEND", "rate over")
	// a query the backend refuses shows its error in the pane
	m = typeLine(m, "metrics up", "enter")
	screenHas(t, m, "Metrics · up", "not supported")
}

func TestCommandServiceSince(t *testing.T) {
	m, rec, _ := cmdExplorer(t)
	m = typeLine(m, "service frontend", "enter")
	if q := rec.last(); q.Service != "frontend" || q.Range.Duration() != time.Hour {
		t.Errorf("searched %q over %v, want frontend over the default hour", q.Service, q.Range.Duration())
	}
	screenHas(t, m, "▶ Traces")
	m = typeLine(m, "since 2h", "enter")
	if q := rec.last(); q.Service != "frontend" || q.Range.Duration() != 2*time.Hour || !q.Range.To.Equal(tracetest.Now) {
		t.Errorf("searched %q over %v to %v, want frontend over 2h to now", q.Service, q.Range.Duration(), q.Range.To)
	}
	if s := statusLine(m); !strings.Contains(s, "searching the last 2h") {
		t.Errorf("status bar %q", s)
	}
	m = typeLine(m, "since 1d", "enter")
	if q := rec.last(); q.Range.Duration() != 24*time.Hour {
		t.Errorf("1d is %v", q.Range.Duration())
	}
	// the next key forgets the notice
	m = syncUpdate(m, key("j"))
	if s := statusLine(m); strings.Contains(s, "searching") {
		t.Errorf("status bar %q after a key", s)
	}
}

func TestCommandQuit(t *testing.T) {
	for _, line := range []string{"q", "quit"} {
		m, _, _ := cmdExplorer(t)
		m = syncUpdate(m, key(":"))
		for _, r := range line {
			m = syncUpdate(m, key(string(r)))
		}
		_, cmd := m.Update(key("enter"))
		if cmd == nil {
			t.Fatalf(":%s: no command", line)
		}
		if _, ok := cmd().(tea.QuitMsg); !ok {
			t.Errorf(":%s does not quit", line)
		}
	}
	// q typed on the command line is text, not the quit key
	m, _, _ := cmdExplorer(t)
	m = syncUpdate(m, key(":"))
	if _, cmd := m.Update(key("q")); cmd != nil {
		if _, ok := cmd().(tea.QuitMsg); ok {
			t.Error("q on the command line quit")
		}
	}
}

func TestCommandErrors(t *testing.T) {
	for _, c := range []struct{ line, want string }{
		{"nope", `unknown command "nope"`},
		{"trace", ":trace needs a trace ID"},
		{"trace xyz", `invalid trace ID "xyz"`},
		{"since", ":since needs a duration"},
		{"since -1h", `positive duration, such as 30m, 2h or 1d, got "-1h"`},
		{"since soon", `got "soon"`},
		{"service", ":service needs one service name"},
		{"logs error", `stream selector ({…}), got "error"`},
	} {
		m, rec, _ := cmdExplorer(t)
		before := len(rec.asks)
		m = typeLine(m, c.line, "enter")
		if s := statusLine(m); !strings.Contains(s, "✗") || !strings.Contains(s, c.want) {
			t.Errorf(":%s: status bar %q, want %q", c.line, s, c.want)
		}
		if len(rec.asks) != before {
			t.Errorf(":%s searched traces", c.line)
		}
	}
	// without the panes
	src := tracetest.Demo(t)
	m := tui.New(tui.Options{Traces: src, Sources: "demo", Now: func() time.Time { return tracetest.Now }, Styles: styles.New(false)})
	m = syncUpdate(m, tea.WindowSizeMsg{Width: 120, Height: 30})
	m = typeLine(m, "logs {a=\"b\"}", "enter")
	if s := statusLine(m); !strings.Contains(s, "no Logs pane") {
		t.Errorf("status bar %q", s)
	}
}

func TestCommandHistory(t *testing.T) {
	m, _, _ := cmdExplorer(t)
	m = typeLine(m, "since 2h", "enter")
	m = typeLine(m, "service frontend", "enter")
	m = syncUpdate(m, key(":"))
	up := tea.KeyPressMsg{Code: tea.KeyUp}
	down := tea.KeyPressMsg{Code: tea.KeyDown}
	m = syncUpdate(m, up)
	if s := statusLine(m); !strings.HasPrefix(s, ":service frontend") {
		t.Errorf("up: %q", s)
	}
	m = syncUpdate(m, up)
	m = syncUpdate(m, up) // no further back
	if s := statusLine(m); !strings.HasPrefix(s, ":since 2h") {
		t.Errorf("up up up: %q", s)
	}
	m = syncUpdate(m, down)
	if s := ansi.Strip(statusLine(m)); !strings.HasPrefix(s, ":service frontend") {
		t.Errorf("up up up down: %q", s)
	}
	m = syncUpdate(m, down)
	if s := ansi.Strip(statusLine(m)); strings.Contains(s, "since 2h") || strings.Contains(s, "service frontend") {
		t.Errorf("down past the history: %q", s)
	}
}

// alertsOf is a metric source with active alerts.
type alertsOf struct {
	sources.MetricSource
	alerts []sources.Alert
}

func (a alertsOf) Alerts(context.Context) ([]sources.Alert, error) { return a.alerts, nil }

// Choosing an alert searches its service's traces back to a little before
// it became active.
func TestAlertChoosesServiceAndWindow(t *testing.T) {
	src := tracetest.Demo(t)
	rec := &recordingTraces{TraceSource: src}
	st := styles.New(false)
	alerts := []sources.Alert{
		{Name: "CheckoutSlow", State: "pending", Labels: map[string]string{"alertname": "CheckoutSlow", "service_name": "checkout"}, ActiveAt: tracetest.Now.Add(-10 * time.Minute)},
		{Name: "PaymentsErrors", State: "firing", Labels: map[string]string{"alertname": "PaymentsErrors", "service": "payments"}, ActiveAt: tracetest.Now.Add(-3 * time.Hour)},
		{Name: "Watchdog", State: "firing", Labels: map[string]string{"alertname": "Watchdog"}},
	}
	o := tui.Options{Traces: rec, Metrics: alertsOf{src, alerts}, Sources: "demo", Service: "frontend",
		Now: func() time.Time { return tracetest.Now }, Location: time.UTC, Styles: st, Limit: 30}
	m := tui.New(o)
	m = syncUpdate(m, tea.WindowSizeMsg{Width: 200, Height: 50})
	m = syncUpdate(m, m.Init()())
	m = syncUpdate(m, tui.AlertsMsg{Alerts: alerts})

	// firing first: PaymentsErrors is chosen at the start
	m = syncUpdate(m, key("a"))
	screenHas(t, m, "▶ ✗ firing  PaymentsErrors")
	m = syncUpdate(m, key("t"))
	if q := rec.last(); q.Service != "payments" || q.Range.Duration() != 3*time.Hour+15*time.Minute || !q.Range.To.Equal(tracetest.Now) {
		t.Errorf("searched %q over %v, want payments over 3h15m to now", q.Service, q.Range.Duration())
	}
	if strings.Contains(m.Render(), "PaymentsErrors") {
		t.Error("the list stays open after t")
	}

	// the third is pending CheckoutSlow; the window never shrinks
	m = syncUpdate(m, key("a"))
	m = syncUpdate(m, key("j"))
	m = syncUpdate(m, key("j"))
	screenHas(t, m, "▶ ◌ pending CheckoutSlow")
	m = syncUpdate(m, key("t"))
	if q := rec.last(); q.Service != "checkout" || q.Range.Duration() != 3*time.Hour+15*time.Minute {
		t.Errorf("searched %q over %v, want checkout over the same 3h15m", q.Service, q.Range.Duration())
	}

	// an alert naming no service says so and searches nothing
	n := len(rec.asks)
	m = syncUpdate(m, key("a"))
	m = syncUpdate(m, key("k"))
	m = syncUpdate(m, key("k"))
	m = syncUpdate(m, key("j"))
	m = syncUpdate(m, key("t"))
	if len(rec.asks) != n {
		t.Errorf("searched %+v for an alert without a service", rec.last())
	}
	if s := statusLine(m); !strings.Contains(s, "Watchdog names no service") {
		t.Errorf("status bar %q", s)
	}
}

// The demo raises its incident's alerts: the status bar counts the firing
// ones, and choosing payments' error alert searches payments' traces over
// a window holding the whole alert, its slow and failing traces among them.
func TestDemoAlertSearchesItsService(t *testing.T) {
	src := tracetest.Demo(t)
	sc := src.Scenario()
	alerts, err := src.Alerts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var alert sources.Alert
	firing := 0
	for _, a := range alerts {
		if a.State == "firing" {
			firing++
		}
		if a.Name == "PaymentsHighErrorRate" {
			alert = a
		}
	}
	if firing != 2 || alert.State != "firing" {
		t.Fatalf("%d firing alerts, PaymentsHighErrorRate %q: %+v", firing, alert.State, alerts)
	}
	rec := &recordingTraces{TraceSource: src}
	st := styles.New(false)
	// as telx demo starts: on the slowest failing trace, an hour's search of 50
	o := tui.Options{Traces: rec, Logs: src, Metrics: src, Sources: "demo (embedded incident)", Trace: src.SlowestFailingTrace(),
		Now: func() time.Time { return tracetest.Now }, Location: time.UTC, Styles: st, Limit: 50,
		Extra: []tui.Pane{
			logs.New(logs.Options{Source: src, Styles: st, Location: time.UTC}),
			metrics.New(metrics.Options{Source: src, Styles: st, Location: time.UTC}),
		}}
	m := tui.New(o)
	for _, size := range [][2]int{{80, 24}, {200, 50}} {
		m = syncUpdate(m, tea.WindowSizeMsg{Width: size[0], Height: size[1]})
		m = syncUpdate(m, m.Init()())
		if s := statusLine(m); !strings.HasPrefix(s, "demo (embedded incident) · traces ✓ logs ✓ metrics ✓ · 2 firing alerts (a)") || strings.Contains(s, "canceled") {
			t.Errorf("%dx%d: status bar %q", size[0], size[1], s)
		}
	}

	m = syncUpdate(m, key("a"))
	// the critical alert comes first, chosen as the list opens
	if !strings.Contains(m.Render(), "▶ ✗ firing  PaymentsHighErrorRate") {
		t.Errorf("the critical payments alert is not first:\n%s", m.Render())
	}
	for i := 0; i < len(alerts) && !strings.Contains(m.Render(), "▶ ✗ firing  PaymentsHighErrorRate"); i++ {
		m = syncUpdate(m, key("j"))
	}
	screenHas(t, m, "▶ ✗ firing  PaymentsHighErrorRate service_name=payments severity=critical since "+alert.ActiveAt.Format("15:04:05"),
		alert.Annotations["summary"])
	n := len(rec.asks)
	m = syncUpdate(m, key("t"))
	if len(rec.asks) != n+1 {
		t.Fatalf("t made %d searches", len(rec.asks)-n)
	}
	q := rec.last()
	if q.Service != demo.Payments || !q.Range.To.Equal(tracetest.Now) || q.Range.From.After(alert.ActiveAt.Add(-15*time.Minute)) ||
		q.Range.From.After(sc.IncidentStart) {
		t.Errorf("searched %q from %v to %v, want payments from before %v and the incident's start %v", q.Service, q.Range.From, q.Range.To,
			alert.ActiveAt.Add(-15*time.Minute), sc.IncidentStart)
	}
	screenHas(t, m, "Traces · payments ("+itoa(len(rec.found))+")")

	// every trace whose payments span failed since the alert became
	// active, and the slowest charge, are in the answer
	found := map[sources.TraceID]bool{}
	for _, tr := range rec.found {
		found[tr.ID] = true
	}
	failed := 0
	var slowest *sources.Trace
	var slowestCharge time.Duration
	for _, tr := range sc.Traces {
		for _, sp := range tr.Spans {
			if sp.Service != demo.Payments || sp.Start.Before(alert.ActiveAt) {
				continue
			}
			if sp.Status.Code == sources.StatusError {
				failed++
				if !found[tr.ID] {
					t.Errorf("failed trace %s (%s at %v) is not in the search", tr.ID, sp.Operation, sp.Start)
				}
			}
			if sp.Operation == "Charge" && sp.Duration > slowestCharge {
				slowest, slowestCharge = tr, sp.Duration
			}
		}
	}
	if failed < 5 || slowest == nil || slowestCharge < time.Second {
		t.Fatalf("%d failed payments spans and a slowest charge of %v since %v: no incident", failed, slowestCharge, alert.ActiveAt)
	}
	if !found[slowest.ID] {
		t.Errorf("the slowest charge's trace %s (%v) is not in the search", slowest.ID, slowestCharge)
	}
}

func TestCommandSearchFilters(t *testing.T) {
	m, rec, _ := cmdExplorer(t)
	m = typeLine(m, "operation Charge", "enter")
	if q := rec.last(); q.Service != "payments" || q.Operation != "Charge" {
		t.Errorf("searched %+v, want payments' Charge", q)
	}
	m = typeLine(m, "min-duration 500ms", "enter")
	m = typeLine(m, "tag http.route=/api/checkout", "enter")
	q := rec.last()
	if q.Operation != "Charge" || q.MinDuration != 500*time.Millisecond || q.Tags["http.route"] != "/api/checkout" || len(q.Tags) != 1 {
		t.Errorf("searched %+v, want Charge, at least 500ms, http.route=/api/checkout", q)
	}
	if s := statusLine(m); !strings.Contains(s, "operation Charge, at least 500ms, http.route=/api/checkout") {
		t.Errorf("status bar %q", s)
	}
	// empty arguments clear each filter
	m = typeLine(m, "operation", "enter")
	m = typeLine(m, "min-duration", "enter")
	m = typeLine(m, "tag", "enter")
	if q := rec.last(); q.Operation != "" || q.MinDuration != 0 || q.Tags != nil || q.Service != "payments" {
		t.Errorf("after clearing, searched %+v", q)
	}
	// several tags at once, a quoted value with spaces; a max duration
	m = typeLine(m, `tag http.route=/api/checkout db.statement="SELECT 1"`, "enter")
	m = typeLine(m, "max-duration 2s", "enter")
	q = rec.last()
	if q.Tags["http.route"] != "/api/checkout" || q.Tags["db.statement"] != "SELECT 1" || len(q.Tags) != 2 || q.MaxDuration != 2*time.Second {
		t.Errorf("searched %+v, want two tags and at most 2s", q)
	}
	if s := statusLine(m); !strings.Contains(s, `at most 2s, http.route=/api/checkout, db.statement="SELECT 1"`) {
		t.Errorf("status bar %q", s)
	}
	m = typeLine(m, "tag", "enter")
	m = typeLine(m, "max-duration", "enter")
	// bad arguments search nothing
	n := len(rec.asks)
	m = typeLine(m, "min-duration 1s", "enter")
	n++
	for _, bad := range []string{"min-duration soon", "min-duration -1s", "tag nokey", "tag =v", "max-duration soon", "max-duration 100ms", `tag k="open`} {
		m = typeLine(m, bad, "enter")
		if s := statusLine(m); !strings.Contains(s, "✗") {
			t.Errorf(":%s: status bar %q", bad, s)
		}
	}
	if len(rec.asks) != n {
		t.Errorf("bad arguments searched %+v", rec.last())
	}
}

// Opened by trace ID with no service asked for, the explorer asks for the
// trace alone first (nothing competes with the first frame), then lists
// the trace's root service: one search, not one of the first service too.
func TestOpenByIDSearchesTheRootOnly(t *testing.T) {
	src := tracetest.Demo(t)
	tr := src.SlowestFailingTrace()
	rec := &recordingTraces{TraceSource: src}
	o := tui.Options{Traces: rec, TraceID: tr.ID, Sources: "demo",
		Now: func() time.Time { return tracetest.Now }, Location: time.UTC, Styles: styles.New(false), Limit: 30}
	m := tui.New(o)
	m = syncUpdate(m, tea.WindowSizeMsg{Width: 200, Height: 50})
	m = syncUpdate(m, m.Init()())
	root := tr.Root().Service
	if len(rec.asks) != 1 || rec.asks[0].Service != root {
		var got []string
		for _, q := range rec.asks {
			got = append(got, q.Service)
		}
		t.Errorf("searched %v, want only the root service %s", got, root)
	}
	screenHas(t, m, "Traces · "+root, string(tr.ID))
}
