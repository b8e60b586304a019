// Package tracetest builds traces for the TUI's tests and benchmarks: the
// demo incident at a fixed time, and synthetic traces of any size.
package tracetest

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/sources/demo"
)

// Now is the fixed end of the demo incident in tests.
var Now = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// Demo returns the demo source ending at Now.
func Demo(tb testing.TB) *demo.Source {
	tb.Helper()
	sc, err := demo.Load(Now)
	if err != nil {
		tb.Fatal(err)
	}
	return demo.NewSource(sc)
}

// Synthetic returns a trace of n spans: a root, then batches of five
// levels (batch, query, call, cache, leaf), every 7th batch failed.
func Synthetic(n int) *sources.Trace {
	t := &sources.Trace{ID: "00000000000000000000000000abcdef"}
	start := Now.Add(-time.Minute)
	id := 0
	add := func(parent sources.SpanID, svc, op string, at time.Time, d time.Duration, failed bool) sources.SpanID {
		id++
		s := sources.Span{TraceID: t.ID, SpanID: sources.SpanID(fmt.Sprintf("%016x", id)), ParentID: parent,
			Service: svc, Operation: op, Start: at, Duration: d, Kind: sources.KindServer,
			Attrs: sources.Attrs{{Key: "n", Value: int64(id)}}}
		if failed {
			s.Status = sources.Status{Code: sources.StatusError, Message: "failed"}
		}
		t.Spans = append(t.Spans, s)
		return s.SpanID
	}
	root := add("", "frontend", "GET /export", start, time.Duration(n)*time.Millisecond, false)
	for b := 0; len(t.Spans) < n; b++ {
		at := start.Add(time.Duration(b) * 5 * time.Millisecond)
		failed := b%7 == 3
		p := add(root, "checkout", "Batch", at, 5*time.Millisecond, failed)
		for k := 0; k < 4 && len(t.Spans) < n; k++ {
			p = add(p, []string{"postgres", "inventory", "redis", "payments"}[k], fmt.Sprintf("op%d", k), at.Add(time.Duration(k+1)*time.Millisecond), time.Millisecond, failed && k == 3)
		}
	}
	return t
}

// CheckScreen fails t when a rendered screen is not h lines of at most w
// cells.
func CheckScreen(t testing.TB, screen string, w, h int) {
	t.Helper()
	lines := strings.Split(screen, "\n")
	if len(lines) != h {
		t.Errorf("%d lines, want %d", len(lines), h)
	}
	for i, l := range lines {
		if got := ansi.StringWidth(l); got > w {
			t.Errorf("line %d is %d cells wide, more than %d: %q", i, got, w, l)
		}
	}
}
