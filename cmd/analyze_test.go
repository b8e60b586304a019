package cmd

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"

	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/sources/analyze"
	"github.com/telx-cli/telx/sources/demo"
)

// leafErrors counts, per service and operation, the failing spans of the
// traces that have no failing span under them, from the traces
// themselves.
func leafErrors(ts []*sources.Trace) map[string]int {
	out := map[string]int{}
	for _, t := range ts {
		failingChild := map[sources.SpanID]bool{}
		for i := range t.Spans {
			if s := &t.Spans[i]; s.IsError() && s.ParentID != "" {
				failingChild[s.ParentID] = true
			}
		}
		for i := range t.Spans {
			if s := &t.Spans[i]; s.IsError() && !failingChild[s.SpanID] {
				out[s.Service+" "+s.Operation]++
			}
		}
	}
	return out
}

// telx analyze on the demo's data names where its errors start, counted
// as the traces' own spans count them, and where the slow ones spend
// their time; piped, it writes no escape sequence.
func TestAnalyzeDemo(t *testing.T) {
	code, out, errOut := demoRun(t, "analyze", "--service", "frontend", "--operation", "POST /api/checkout")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"LATENCY", "WHERE THE TIME GOES", "WHERE ERRORS START", "SERVICE GRAPH",
		"postgres SELECT accounts", "canceling statement due to lock timeout"} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in:\n%s", want, out)
		}
	}
	if strings.Contains(out, "\x1b") {
		t.Error("escape sequences in piped output")
	}
	for i, l := range strings.Split(out, "\n") {
		if w := ansi.StringWidth(l); w > 120 {
			t.Errorf("line %d is %d cells wide: %q", i, w, l)
		}
	}
}

func TestAnalyzeDemoJSON(t *testing.T) {
	code, out, errOut := demoRun(t, "analyze", "--service", "frontend", "--sample", "80", "-o", "json")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var res analyze.Result
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err)
	}
	// the same search, and the spans' own count
	sc, err := demo.Load(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	ts, err := demo.NewSource(sc).FindTraces(context.Background(), sources.TraceQuery{Service: "frontend", Range: res.Range, Limit: 80})
	if err != nil {
		t.Fatal(err)
	}
	want := leafErrors(ts)
	if res.Traces != len(ts) || res.Sample != 80 || len(res.ErrorOrigins) == 0 {
		t.Fatalf("%d traces of %d asked for, origins %+v", res.Traces, res.Sample, res.ErrorOrigins)
	}
	got := map[string]int{}
	for _, o := range res.ErrorOrigins {
		got[o.Service+" "+o.Operation] += o.Count
	}
	if len(got) != len(want) {
		t.Errorf("origins %v, the traces' own %v", got, want)
	}
	for k, n := range want {
		if got[k] != n {
			t.Errorf("%s: %d where errors start, the traces have %d", k, got[k], n)
		}
	}
	if res.Latency.Source != analyze.FromSample || res.Graph.Source != analyze.FromSample || res.Timing.Backend <= 0 {
		t.Errorf("latency from %s, graph from %s, timing %+v", res.Latency.Source, res.Graph.Source, res.Timing)
	}
}

func TestAnalyzeColourOnATerminal(t *testing.T) {
	code, out, errOut := runIn(t, 80, colorprofile.ANSI256, "", noBackends, "analyze", "--demo", "--service", "frontend")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.Contains(out, "\x1b[") {
		t.Error("no colour on a terminal")
	}
	code, out, _ = runIn(t, 80, colorprofile.ANSI256, "", map[string]string{"NO_COLOR": "1"}, "analyze", "--demo", "--service", "frontend")
	if code != ExitOK || strings.Contains(out, "\x1b") {
		t.Errorf("exit %d, escapes with NO_COLOR: %v", code, strings.Contains(out, "\x1b"))
	}
	for i, l := range strings.Split(out, "\n") {
		if w := ansi.StringWidth(l); w > 80 {
			t.Errorf("line %d is %d cells wide: %q", i, w, l)
		}
	}
}

func TestAnalyzeUsage(t *testing.T) {
	for _, args := range [][]string{
		{"analyze"},
		{"analyze", "--service", "frontend", "--sample", "0"},
		{"analyze", "--service", "frontend", "--concurrency", "-1"},
		{"analyze", "--service", "frontend", "--tag", "novalue"},
		{"analyze", "--service", "frontend", "-o", "yaml"},
		{"analyze", "--service", "frontend", "extra"},
	} {
		if code, _, errOut := demoRun(t, args...); code != ExitUsage {
			t.Errorf("%v: exit %d (%s), want %d", args, code, errOut, ExitUsage)
		}
	}
}

// A closed Jaeger port fails the command with Jaeger's hint.
func TestAnalyzeBackendDown(t *testing.T) {
	code, _, errOut := runTelx(t, noBackends, "analyze", "--service", "frontend")
	if code != ExitError || !strings.Contains(errOut, "jaeger") {
		t.Errorf("exit %d: %s", code, errOut)
	}
}
