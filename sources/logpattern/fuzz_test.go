package logpattern

import (
	"testing"
	"time"

	"github.com/telx-cli/telx/internal/fuzzcheck"
	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/sources/logline"
)

// FuzzCluster clusters any log entries: every line is counted once, in a
// pattern or as unclustered; a pattern's samples count no more lines than
// it holds; and each line clustered matches a pattern found (Matches, as
// the explorer filters loaded lines with them).
func FuzzCluster(f *testing.F) {
	at := time.Date(2026, 12, 1, 6, 0, 0, 0, time.UTC)
	var es []sources.LogEntry
	for i, l := range []string{
		`level=info msg="order placed" order=1 trace_id=4bf92f3577b34da6a3ce929d0e0e4736`,
		`level=info msg="order placed" order=2 trace_id=5bf92f3577b34da6a3ce929d0e0e4736`,
		`{"level":"error","msg":"payment failed: card declined","amount":12.5}`,
		"2026-12-01T06:15:25.318Z\tERROR\tdriver/redis.go:70\tredis timeout after 250ms",
		"GET /api/products 200 12ms", "GET /api/cart 500 3ms", "", "   ",
	} {
		es = append(es, sources.LogEntry{Time: at.Add(time.Duration(i) * time.Second), Line: l})
	}
	f.Add(fuzzcheck.LogsBytes(es), uint8(10))
	f.Fuzz(func(t *testing.T, b []byte, steps uint8) {
		entries := fuzzcheck.LogsFrom(b)
		if len(entries) == 0 {
			return
		}
		r := sources.TimeRange{From: entries[0].Time, To: entries[0].Time}
		for _, e := range entries {
			if e.Time.Before(r.From) {
				r.From = e.Time
			}
			if e.Time.After(r.To) {
				r.To = e.Time
			}
		}
		r.To = r.To.Add(time.Second)
		step := r.Duration() / time.Duration(1+steps%50)
		res := Cluster(entries, r, step, Options{})
		if res.Lines != len(entries) {
			t.Errorf("%d lines clustered of %d", res.Lines, len(entries))
		}
		n := int64(res.Unclustered)
		for _, p := range res.Patterns {
			n += p.Count
			var sampled float64
			for _, s := range p.Samples {
				sampled += s.Value
			}
			if sampled > float64(p.Count) {
				t.Errorf("pattern %q: samples count %v lines of %d", p.Pattern, sampled, p.Count)
			}
		}
		if n != int64(len(entries)) {
			t.Errorf("the patterns and the unclustered count %d lines of %d", n, len(entries))
		}
		if res.Unclustered > 0 {
			return
		}
		var l logline.Line
		for _, e := range entries {
			logline.ParseInto(e.Line, &l)
			found := false
			for _, p := range res.Patterns {
				if Matches(p.Pattern, l.Message) {
					found = true
					break
				}
			}
			if !found {
				t.Errorf("the message %q matches none of the patterns found", l.Message)
			}
		}
	})
}
