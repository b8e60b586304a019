package fuzz

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/telx-cli/telx/internal/fuzzcheck"
	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/sources/loki"
)

var (
	now    = time.Date(2026, 12, 1, 6, 0, 0, 0, time.UTC)
	window = sources.TimeRange{From: now.Add(-time.Hour), To: now}
	levels = map[string]bool{"": true, "trace": true, "debug": true, "info": true, "warn": true, "error": true, "fatal": true}
)

// checkEntry checks an entry as the client hands it on.
func checkEntry(t *testing.T, e *sources.LogEntry) {
	t.Helper()
	if e.TraceID != "" && !sources.IsNormalID(e.TraceID, 32) {
		t.Errorf("trace ID %q not in normal form", e.TraceID)
	}
	if e.SpanID != "" && !sources.IsNormalID(e.SpanID, 16) {
		t.Errorf("span ID %q not in normal form", e.SpanID)
	}
	if !levels[e.Level] {
		t.Errorf("level %q is not a normalised one", e.Level)
	}
}

// FuzzAnswer answers every call of the client with any status and body,
// seeded from Loki's recorded answers: no panic, no endless asking, at
// most the lines the limit allows, each in the query's time order within
// a page, trace IDs, span IDs and levels normalised, errors without
// control characters of the answer.
func FuzzAnswer(f *testing.F) {
	for _, b := range fuzzcheck.Recorded(f, "loki-*.json") {
		f.Add(byte(0), uint8(0), b)
	}
	f.Add(byte(7), uint8(0), []byte("parse error at line 1, col 4: syntax error: unexpected \x1b[31m"))
	f.Add(byte(14), uint8(1), []byte("pattern ingester is disabled\n"))
	f.Add(byte(0), uint8(2), []byte(`{"status":"success","data":{"resultType":"streams","result":[{"stream":{"a":"b"},"values":[["1","x",{"structuredMetadata":{"trace_id":"0af7651916cd43dd8448eb211c80319c"},"parsed":{"level":"WARN"}}],["1","x"],["2","y"]]}]}}`))
	patterns := []*regexp.Regexp{regexp.MustCompile(`traceID=(\w+)`)}
	f.Fuzz(func(t *testing.T, code byte, page uint8, body []byte) {
		ans := &fuzzcheck.Answer{Status: fuzzcheck.StatusOf(code), Body: body}
		c, err := loki.New(loki.Options{URL: "http://loki.test:3100", HTTPClient: ans.Client(), PageSize: 1 + int(page%4), TraceIDPatterns: patterns})
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		for _, dir := range []sources.Direction{sources.Backward, sources.Forward} {
			ans.Calls = 0
			const limit = 40
			n := 0
			err := c.QueryLogs(ctx, sources.LogQuery{Query: `{service_name="api"} |= "x"`, Range: window, Limit: limit, Direction: dir, LinesOnly: page&4 != 0},
				func(e sources.LogEntry) error {
					n++
					checkEntry(t, &e)
					return nil
				})
			if ans.Calls > fuzzcheck.MaxCalls {
				t.Fatalf("QueryLogs asked %d times for one answer", ans.Calls)
			}
			fuzzcheck.Error(t, err)
			if n > limit {
				t.Errorf("%d lines for a limit of %d", n, limit)
			}
		}
		ans.Calls = 0
		series, err := c.QueryMetrics(ctx, `sum(rate({a="b"}[1m]))`, window, time.Minute)
		fuzzcheck.Error(t, err)
		for _, s := range series {
			if s.Labels == nil {
				t.Error("a series with nil labels")
			}
		}
		vol, err := c.LogVolume(ctx, sources.LogQuery{Query: `{a="b"}`, Range: window}, 0)
		fuzzcheck.Error(t, err)
		for _, s := range vol {
			if !levels[s.Labels["level"]] {
				t.Errorf("volume of level %q", s.Labels["level"])
			}
		}
		pats, err := c.LogPatterns(ctx, sources.LogQuery{Query: `{a="b"} |= "x"`, Range: window}, 0)
		fuzzcheck.Error(t, err)
		for _, p := range pats {
			if !levels[p.Level] {
				t.Errorf("pattern of level %q", p.Level)
			}
			for i := 1; i < len(p.Samples); i++ {
				if !p.Samples[i-1].Time.Before(p.Samples[i].Time) {
					t.Errorf("pattern samples out of order or repeated: %v then %v", p.Samples[i-1].Time, p.Samples[i].Time)
				}
			}
		}
		_, err = c.Labels(ctx, window)
		fuzzcheck.Error(t, err)
		_, err = c.LabelValues(ctx, "service_name", window)
		fuzzcheck.Error(t, err)
		_, err = c.Series(ctx, []string{`{a="b"}`}, window)
		fuzzcheck.Error(t, err)
	})
}

// FuzzQueryHelpers runs the LogQL helpers on any query: SplitSelector
// cuts a query into parts that make it up again, and VolumeQuery builds
// a count_over_time of exactly the queries with a selector.
func FuzzQueryHelpers(f *testing.F) {
	for _, q := range []string{
		`{service_name="api"}`, `{a="b", c=~"d.*"} |= "x" | json | level="error"`, `{a="}"} != "{"`,
		`sum(rate({a="b"}[1m]))`, `{a="b\"}"}|~"(?i)err"`, ` {a="b"}  `, `{`, `{}`, `{a="b"`, "{a=`}`}|=`x`",
	} {
		f.Add(q, int64(time.Minute))
	}
	f.Fuzz(func(t *testing.T, q string, step int64) {
		sel, rest, ok := loki.SplitSelector(q)
		if ok {
			if !strings.HasPrefix(sel, "{") || !strings.HasSuffix(sel, "}") {
				t.Errorf("SplitSelector(%q): selector %q is not {…}", q, sel)
			}
			if !strings.Contains(q, sel) || !strings.Contains(q, strings.TrimSpace(rest)) || len(sel)+len(rest) > len(q) {
				t.Errorf("SplitSelector(%q) = %q, %q: not parts of it", q, sel, rest)
			}
		}
		vq, err := loki.VolumeQuery(q, time.Duration(step))
		if ok != (err == nil) {
			t.Errorf("VolumeQuery(%q): %v, but SplitSelector says %v", q, err, ok)
		}
		if err == nil && !strings.Contains(vq, strings.TrimSpace(q)) {
			t.Errorf("VolumeQuery(%q) = %q leaves the query out", q, vq)
		}
		loki.IsMetricQuery(q)
		loki.NormalizeLevel(q)
		if lv := loki.NormalizeLevel(q); !levels[lv] && lv != "unknown" {
			t.Errorf("NormalizeLevel(%q) = %q", q, lv)
		}
	})
}
