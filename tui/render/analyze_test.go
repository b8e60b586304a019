package render

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/telx-cli/telx/internal/fuzzcheck"
	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/sources/analyze"
	"github.com/telx-cli/telx/sources/demo"
	"github.com/telx-cli/telx/tui/styles"
)

var analyzeNow = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)

// demoAnalysis is the analysis of the demo incident's checkouts, with
// the timings fixed.
func demoAnalysis(t testing.TB) *analyze.Result {
	t.Helper()
	src := demo.NewSource(demo.Generate(1, analyzeNow, demo.Options{}))
	res, err := analyze.Fetch(context.Background(), src, sources.TraceQuery{Service: demo.Frontend, Range: src.Scenario().Window}, analyze.FetchOptions{})
	if err != nil {
		t.Fatal(err)
	}
	res.Timing = analyze.Timing{Search: 120 * time.Millisecond, Fetch: 800 * time.Millisecond, Fetched: 200, Concurrency: 4,
		Backend: 920 * time.Millisecond, Analysis: 6 * time.Millisecond}
	return res
}

// spanMetricsAnalysis has what the demo's lacks: the latency from span
// metrics with an unbounded last bar, Jaeger's graph with a cycle, notes,
// and names that carry escapes.
func spanMetricsAnalysis(t testing.TB) *analyze.Result {
	res := demoAnalysis(t)
	sample := res.Latency
	res.SampleLatency = &sample
	res.Latency = analyze.Latency{Source: analyze.FromSpanMetrics, Of: "server spans of frontend", Count: 10412,
		P50: 14 * time.Millisecond, P90: 640 * time.Millisecond, P99: 1900 * time.Millisecond, ErrorRatio: 0.043,
		Buckets: []analyze.Bucket{{Upper: 10 * time.Millisecond, Count: 4100}, {Upper: 50 * time.Millisecond, Count: 4800},
			{Upper: 400 * time.Millisecond, Count: 300}, {Upper: 1000 * time.Millisecond, Count: 900}, {Upper: analyze.Infinite, Count: 312}}}
	res.Graph = analyze.Graph{Source: analyze.FromJaeger, Edges: []analyze.Edge{
		{Parent: "frontend", Child: "checkout", Calls: 4000}, {Parent: "a", Child: "b\x1b[31m", Calls: 2}, {Parent: "b\x1b[31m", Child: "a", Calls: 1}}}
	res.Notes = []string{"3 of the 200 traces found could not be loaded (jaeger at http://127.0.0.1:16686: trace 1: not found); the sample is the others"}
	res.ErrorOrigins = append(res.ErrorOrigins, analyze.ErrorOrigin{Service: "evil\x07", Operation: "op\ttab", Message: "line one\nline two \x1b]0;title\x07", Count: 1, Traces: 1})
	return res
}

func TestAnalysisGolden(t *testing.T) {
	for _, tt := range []struct {
		name string
		res  func(testing.TB) *analyze.Result
	}{{"demo", demoAnalysis}, {"spanmetrics", spanMetricsAnalysis}} {
		for _, width := range []int{80, 200} {
			for _, color := range []bool{false, true} {
				name := fmt.Sprintf("TestAnalysis_%s_%d", tt.name, width)
				if color {
					name += "_color"
				}
				t.Run(name, func(t *testing.T) {
					var b bytes.Buffer
					if err := Analysis(&b, tt.res(t), AnalyzeOptions{Width: width, Styles: styles.New(color), Location: time.UTC}); err != nil {
						t.Fatal(err)
					}
					fuzzcheck.Lines(t, b.String(), width, color)
					golden(t, name, b.String())
				})
			}
		}
	}
}

// The report names the demo incident's cause: the slowest checkouts wait
// in postgres' SELECT accounts, whose lock timeouts are where errors
// start.
func TestAnalysisOfTheDemoIncident(t *testing.T) {
	lines, rows := AnalysisLines(demoAnalysis(t), AnalyzeOptions{Width: 120, Location: time.UTC})
	text := strings.Join(lines, "\n")
	for _, want := range []string{SectionLatency, SectionTime, SectionFailed, SectionSlow, SectionErrors, SectionGraph} {
		if !strings.Contains(text, "\n"+want) {
			t.Errorf("no section %s", want)
		}
	}
	first := func(section string) string {
		for i, l := range lines {
			if strings.HasPrefix(l, section) {
				return lines[i+2] // under the table's header
			}
		}
		return ""
	}
	if l := first(SectionTime); !strings.HasPrefix(l, "postgres SELECT accounts") {
		t.Errorf("the time goes first to %q", l)
	}
	if l := first(SectionErrors); !strings.Contains(l, "postgres SELECT") || !strings.Contains(l, "canceling statement due to lock timeout") {
		t.Errorf("errors start first at %q", l)
	}
	// each table row points at its example
	res := demoAnalysis(t)
	want := len(res.ErrorOrigins) + min(len(res.Operations), analyzeTableRows) + min(len(res.FailedAttributes), analyzeTableRows) + min(len(res.SlowAttributes), analyzeTableRows)
	if len(rows) != want {
		t.Errorf("%d rows point at spans, want %d", len(rows), want)
	}
	for _, r := range rows {
		if r.Example.TraceID == "" || r.Example.SpanID == "" || r.Line <= 0 || r.Line >= len(lines) {
			t.Errorf("row %+v", r)
		}
	}
	for i, op := range res.Operations[:3] {
		r := rows[i]
		if r.Example != op.Example || !strings.HasPrefix(lines[r.Line], op.Service+" "+op.Operation) {
			t.Errorf("row %d: line %q, example %+v, want %s %s's", i, lines[r.Line], r.Example, op.Service, op.Operation)
		}
	}
}

func TestHistogramBars(t *testing.T) {
	for n, want := range map[float64]string{0: "", 0.01: "▏", 1: "█", 2.5: "██▌", 3.99: "███▉"} {
		if got := bar(n); got != want {
			t.Errorf("bar(%v) = %q, want %q", n, got, want)
		}
	}
}

// FuzzAnalysis draws the analysis of any few traces at any width.
func FuzzAnalysis(f *testing.F) {
	for _, b := range traceSeeds(f) {
		f.Add(uint16(80), false, b)
	}
	f.Add(uint16(3), true, []byte{})
	f.Fuzz(func(t *testing.T, w uint16, color bool, b []byte) {
		var ts []*sources.Trace
		for i, part := range bytes.SplitN(b, []byte{0xfe, 0xfe}, 5) {
			tr := fuzzcheck.TraceFrom(part)
			tr.ID = sources.TraceID(fmt.Sprintf("%032x", i+1))
			ts = append(ts, tr)
		}
		res := &analyze.Result{Report: analyze.Analyze(ts, analyze.Options{Service: "s"}), Service: "s\x1b[2J", Sample: 200}
		width := widthOf(w)
		lines, rows := AnalysisLines(res, AnalyzeOptions{Width: width, Styles: styles.New(color), Location: time.UTC})
		fuzzcheck.Lines(t, strings.Join(lines, "\n"), width, color)
		for _, r := range rows {
			if r.Line < 0 || r.Line >= len(lines) {
				t.Fatalf("row %+v of %d lines", r, len(lines))
			}
		}
	})
}
