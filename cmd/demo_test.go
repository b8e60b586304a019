package cmd

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"

	"github.com/telx-cli/telx/internal/teasync"
	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/sources/demo"
	"github.com/telx-cli/telx/tui"
	"github.com/telx-cli/telx/tui/render"
)

// noBackends points every backend at a closed port: a command that
// touched the network would fail.
var noBackends = map[string]string{
	"TELX_JAEGER_URL":     "http://127.0.0.1:1",
	"TELX_PROMETHEUS_URL": "http://127.0.0.1:1",
	"TELX_LOKI_URL":       "http://127.0.0.1:1",
}

func demoRun(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	return runIn(t, 120, colorprofile.NoTTY, "", noBackends, append(args, "--demo")...)
}

func TestDemoOneShot(t *testing.T) {
	sc, err := demo.Load(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	src := demo.NewSource(sc)

	code, out, errOut := demoRun(t, "trace", string(sc.BigTraceID), "--depth", "2")
	if code != ExitOK || !strings.Contains(out, "Trace "+string(sc.BigTraceID)) || !strings.Contains(out, "1202 spans") {
		t.Fatalf("trace: exit %d %s\n%s", code, errOut, out)
	}

	slow := src.SlowestFailingTrace()
	code, out, errOut = demoRun(t, "trace", "--depth", "1")
	if code != ExitOK || !strings.Contains(out, "Trace "+string(slow.ID)) {
		t.Fatalf("trace without an ID: exit %d %s\n%s", code, errOut, out)
	}

	code, out, errOut = demoRun(t, "traces", "--service", "payments", "--limit", "7", "-o", "json")
	var rows []render.TraceSummary
	if code != ExitOK || json.Unmarshal([]byte(out), &rows) != nil || len(rows) != 7 {
		t.Fatalf("traces: exit %d %s\n%s", code, errOut, out)
	}
	for i := 1; i < len(rows); i++ {
		if rows[i].Start.After(rows[i-1].Start) {
			t.Errorf("row %d is newer than row %d", i, i-1)
		}
	}

	code, out, _ = demoRun(t, "services")
	if code != ExitOK || !strings.Contains(out, "payments\npostgres\n") {
		t.Errorf("services: exit %d\n%s", code, out)
	}
	code, out, _ = demoRun(t, "operations", "payments")
	if code != ExitOK || out != "Charge\nGetPaymentStatus\n" {
		t.Errorf("operations: exit %d\n%s", code, out)
	}

	code, out, errOut = demoRun(t, "metrics", "--service", "payments", "--since", "30m")
	if code != ExitOK || !strings.Contains(out, "p95") || !strings.Contains(out, "errors") {
		t.Errorf("metrics --service: exit %d %s\n%s", code, errOut, out)
	}
	code, _, errOut = demoRun(t, "metrics", "up")
	if code == ExitOK || !strings.Contains(errOut, "not supported") {
		t.Errorf("metrics up: exit %d %s", code, errOut)
	}
	code, _, errOut = demoRun(t, "trace", "00000000000000000000000000000001")
	if code != ExitNotFound {
		t.Errorf("unknown trace: exit %d %s", code, errOut)
	}
}

func TestExplorerNeedsATerminal(t *testing.T) {
	for _, args := range [][]string{{"demo"}, {"explore", "--demo"}, {"trace", "-i", "--demo"}} {
		code, _, errOut := runIn(t, 80, colorprofile.NoTTY, "", noBackends, args...)
		if code != ExitUsage || !strings.Contains(errOut, "needs a terminal") {
			t.Errorf("%v: exit %d, %q", args, code, errOut)
		}
	}
	code, _, errOut := runIn(t, 80, colorprofile.NoTTY, "", noBackends, "trace", "-i", "--file", "x.json")
	if code != ExitUsage || !strings.Contains(errOut, "-i does not read --file") {
		t.Errorf("trace -i --file: exit %d, %q", code, errOut)
	}
}

// The explorer gets the demo's slowest failing trace, or the trace asked for.
func TestExploreOptions(t *testing.T) {
	var buf strings.Builder
	io := TestIO(&buf, &buf)
	g := &GlobalOptions{now: time.Now, Timeout: time.Second, Demo: true}
	var got tui.Model
	opts := &ExploreOptions{IO: io, Global: g, Demo: true, Lookback: time.Hour, Limit: 10,
		Source: func() (sources.TraceSource, error) { return g.demoSource() },
		Run:    func(m tea.Model) error { got = m.(tui.Model); return nil }}
	if err := exploreRun(context.Background(), opts); err != nil {
		t.Fatal(err)
	}
	src, _ := g.demoSource()
	screen := got.Render()
	if screen != "" {
		t.Errorf("rendered before a size: %q", screen)
	}
	next, _ := got.Update(tea.WindowSizeMsg{Width: 200, Height: 50})
	screen = next.(tui.Model).Render()
	if !strings.Contains(screen, string(src.SlowestFailingTrace().ID)) || !strings.Contains(screen, "demo (embedded incident)") {
		t.Errorf("the demo does not open on the slowest failing trace:\n%s", screen)
	}
	// the Logs and Metrics panes answer from the demo for the root span
	m := next.(tui.Model)
	m = teasync.Run(m, teasync.Model[tui.Model], m.Init()())
	screen = m.Render()
	for _, want := range []string{"Logs · span frontend POST /api/orders/export", "frontend   POST /api/orders/export HTTP/1.1",
		"Metrics · frontend", "FRONTEND"} {
		if !strings.Contains(screen, want) {
			t.Errorf("screen lacks %q:\n%s", want, screen)
		}
	}
	if strings.Contains(screen, "loading") {
		t.Errorf("still loading:\n%s", screen)
	}
}

func TestDemoLogs(t *testing.T) {
	sc, err := demo.Load(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	slow := demo.NewSource(sc).SlowestFailingTrace()
	want := 0
	for _, e := range sc.Logs {
		if e.TraceID == slow.ID {
			want++
		}
	}
	code, out, errOut := demoRun(t, "logs", "--trace", string(slow.ID), "-o", "jsonl")
	if code != ExitOK {
		t.Fatalf("logs --trace: exit %d %s", code, errOut)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if want == 0 || len(lines) != want {
		t.Fatalf("logs --trace: %d lines, want the trace's %d:\n%s", len(lines), want, out)
	}
	for _, l := range lines {
		if !strings.Contains(l, string(slow.ID)) {
			t.Errorf("a line of another trace: %s", l)
		}
	}

	code, out, errOut = demoRun(t, "labels", "service_name")
	if code != ExitOK || !strings.Contains(out, "payments\n") {
		t.Errorf("labels service_name: exit %d %s\n%s", code, errOut, out)
	}
	for _, args := range [][]string{
		{"logs", `{service_name="payments"}`, "--follow"},
		{"logs", `sum(rate({service_name="payments"}[1m]))`},
	} {
		code, _, errOut = demoRun(t, args...)
		if code != ExitUsage || !strings.Contains(errOut, "live Loki") {
			t.Errorf("%v: exit %d %s", args, code, errOut)
		}
	}
}
