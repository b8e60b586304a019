package loki

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/sources/correlate"
	"github.com/telx-cli/telx/sources/logline"
	"github.com/telx-cli/telx/test/harness"
)

// statesLevel tells whether a seeded line writes its level itself in a
// level field (logfmt or JSON), which Loki then takes as the line's
// detected_level.
func statesLevel(line string) bool {
	l := logline.Parse(line)
	return (l.Format == logline.Logfmt || l.Format == logline.JSON) && l.Level != ""
}

func volumeTotals(t *testing.T, series []sources.Series, step time.Duration) map[string]int {
	t.Helper()
	got := map[string]int{}
	for _, s := range series {
		lv, ok := s.Labels["level"]
		if !ok || len(s.Labels) != 1 {
			t.Errorf("series labels %v, want the level alone", s.Labels)
		}
		if _, dup := got[lv]; dup {
			t.Errorf("two series of level %q", lv)
		}
		got[lv] += 0
		for i, p := range s.Points {
			if p.Time.UnixNano()%int64(step) != 0 {
				t.Errorf("level %q: point at %s is not at a multiple of the step %s", lv, p.Time, step)
			}
			if i > 0 && !p.Time.After(s.Points[i-1].Time) {
				t.Errorf("level %q: points out of order at %d", lv, i)
			}
			got[lv] += int(p.Value)
		}
	}
	return got
}

// The volume Loki counts by level equals the lines it holds per level:
// every seeded line counted once, a line that states its level under that
// level, the lines in which Loki finds no level ("unknown") under "".
func TestLogVolumeCountsTheSeededLines(t *testing.T) {
	env := harness.Shared(t)
	sc := env.Scenario
	c := client(t, env.LokiURL, 0)
	r := sc.Window.Widen(time.Minute)
	q := sources.LogQuery{Query: `{namespace="shop"}`, Range: r}
	series, err := c.LogVolume(context.Background(), q, 0)
	if err != nil {
		t.Fatal(err)
	}
	step := sources.AutoStep(r, VolumeBuckets)
	got := volumeTotals(t, series, step)
	for i := 1; i < len(series); i++ {
		if sources.LevelRank(series[i-1].Labels["level"]) > sources.LevelRank(series[i].Labels["level"]) {
			t.Errorf("series not ordered by level: %q before %q", series[i-1].Labels["level"], series[i].Labels["level"])
		}
	}

	// the lines themselves, with the level Loki detected at ingestion
	seeded := map[string]sources.LogEntry{}
	for _, e := range sc.Logs {
		seeded[key(e)] = e
	}
	lines := collect(t, c, q)
	if len(lines) != len(sc.Logs) {
		t.Fatalf("%d lines, want the %d seeded", len(lines), len(sc.Logs))
	}
	want := map[string]int{}
	total := 0
	for _, e := range lines {
		lv := NormalizeLevel(e.Metadata["detected_level"])
		want[lv]++
		if s, ok := seeded[key(e)]; ok && statesLevel(s.Line) && lv != s.Level {
			t.Errorf("%s: Loki detected %q, the line says %q", s.Line, lv, s.Level)
		}
	}
	for lv, n := range got {
		total += n
		if want[lv] != n {
			t.Errorf("level %q: volume %d, want %d lines", lv, n, want[lv])
		}
	}
	for lv, n := range want {
		if _, ok := got[lv]; !ok {
			t.Errorf("level %q: no series, want %d lines", lv, n)
		}
	}
	if total != len(sc.Logs) {
		t.Errorf("volume totals %d lines, want %d", total, len(sc.Logs))
	}
	if want[""] == 0 || want["error"] == 0 || want["info"] == 0 {
		t.Errorf("the scenario should hold lines of no level, errors and infos: %v", want)
	}

	// filters and a parser are part of what is counted; the parser's
	// failures on lines of other formats do not fail the query
	var wantOrder = map[string]int{}
	for _, e := range sc.Logs {
		if e.Labels["service_name"] == "checkout" && strings.Contains(e.Line, "order") {
			if !statesLevel(e.Line) {
				t.Fatalf("a checkout line without its level: %s", e.Line)
			}
			wantOrder[e.Level]++
		}
	}
	for _, query := range []string{
		`{service_name="checkout"} |= "order" | logfmt`,
		`{service_name="checkout"} |= "order" | json`, // logfmt lines: JSONParserErr on each
	} {
		series, err = c.LogVolume(context.Background(), sources.LogQuery{Query: query, Range: r}, 5*time.Minute)
		if err != nil {
			t.Fatalf("%s: %v", query, err)
		}
		got = volumeTotals(t, series, 5*time.Minute)
		if len(got) != len(wantOrder) {
			t.Errorf("%s: levels %v, want %v", query, got, wantOrder)
		}
		for lv, n := range wantOrder {
			if got[lv] != n {
				t.Errorf("%s: level %q: volume %d, want %d", query, lv, got[lv], n)
			}
		}
	}

	// a metric query has no lines to count
	_, err = c.LogVolume(context.Background(), sources.LogQuery{Query: `sum(rate({namespace="shop"}[5m]))`, Range: r}, 0)
	if !errors.Is(err, ErrBadQuery) {
		t.Errorf("metric query: %v, want ErrBadQuery", err)
	}
}

// Loki's pattern ingester groups a seeded stream's lines: the pattern of
// one message counts every seeded line of it, over the stream selector
// alone (the line filter after it is not Loki's to apply).
func TestLogPatternsOfASeededStream(t *testing.T) {
	env := harness.Shared(t)
	sc := env.Scenario
	c := client(t, env.LokiURL, 0)
	r := sc.Window.Widen(time.Minute)
	want := 0
	for _, e := range sc.Logs {
		if e.Labels["service_name"] == "checkout" && strings.Contains(e.Line, `msg="order placed"`) {
			want++
		}
	}
	q := sources.LogQuery{Query: `{service_name="checkout"} |= "order"`, Range: r}
	var pats []sources.LogPattern
	deadline := time.Now().Add(60 * time.Second) // the ingester receives lines in batches, every second
	for {
		var err error
		pats, err = c.LogPatterns(context.Background(), q, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(pats) > 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(500 * time.Millisecond)
	}
	if len(pats) == 0 {
		t.Fatal("no patterns within 60s")
	}
	step := sources.AutoStep(r, VolumeBuckets)
	var order, cart *sources.LogPattern
	for i := range pats {
		p := &pats[i]
		if i > 0 && pats[i-1].Count < p.Count {
			t.Errorf("not largest first: %d before %d", pats[i-1].Count, p.Count)
		}
		var sum int64
		for _, s := range p.Samples {
			sum += int64(s.Value)
			if s.Time.Before(r.From.Add(-step)) || s.Time.After(r.To) || s.Time.UnixNano()%int64(step) != 0 {
				t.Errorf("%s: sample at %s, not a step (%s) of %s", p.Pattern, s.Time, step, r)
			}
		}
		if sum != p.Count {
			t.Errorf("%s: count %d, samples sum to %d", p.Pattern, p.Count, sum)
		}
		switch {
		case strings.Contains(p.Pattern, `msg="order placed"`):
			if order != nil {
				t.Errorf("two patterns of one message: %q, %q", order.Pattern, p.Pattern)
			}
			order = p
		case strings.Contains(p.Pattern, `msg="cart loaded"`):
			cart = p
		}
	}
	if order == nil {
		t.Fatalf("no pattern of the %d \"order placed\" lines in %v", want, pats)
	}
	if order.Count != int64(want) || order.Level != "info" || !strings.Contains(order.Pattern, "trace_id=<_>") {
		t.Errorf("pattern %q of level %q counts %d, want %d lines of level info with trace_id=<_>", order.Pattern, order.Level, order.Count, want)
	}
	if cart == nil {
		t.Error("the stream's other lines have no pattern: the line filter was applied?")
	}

	// a pattern filters the stream to its lines, or out of it
	for _, exclude := range []bool{false, true} {
		q := sources.LogQuery{Query: `{service_name="checkout"} ` + correlate.PatternFilter(order.Pattern, exclude), Range: r}
		got := collect(t, c, q)
		n := 0
		for _, e := range got {
			if strings.Contains(e.Line, `msg="order placed"`) {
				n++
			}
		}
		if exclude && (n != 0 || len(got) == 0) || !exclude && (n != want || len(got) != want) {
			t.Errorf("%s: %d lines, %d of them order placed; want %d", q.Query, len(got), n, want)
		}
	}
}

// A Loki without its pattern ingester (Loki's default) answers the
// patterns endpoint 404: an error wrapping errors.ErrUnsupported, that
// says so.
func TestLogPatternsWithoutThePatternIngester(t *testing.T) {
	t.Parallel()
	env := harness.StartT(t, harness.Options{Backends: []string{harness.Loki}, Seed: 3, LokiPatternsOff: true})
	c := client(t, env.LokiURL, 0)
	r := env.Scenario.Window.Widen(time.Minute)
	_, err := c.LogPatterns(context.Background(), sources.LogQuery{Query: `{service_name="checkout"}`, Range: r}, 0)
	if !errors.Is(err, errors.ErrUnsupported) {
		t.Fatalf("err = %v, want ErrUnsupported", err)
	}
	var be *sources.BackendError
	if !errors.As(err, &be) || !strings.Contains(err.Error(), "pattern ingester is off") || !strings.Contains(err.Error(), "404") {
		t.Errorf("err = %v, want a Loki error naming the pattern ingester and the 404", err)
	}
	// the volume is a plain metric query: it works all the same
	series, err := c.LogVolume(context.Background(), sources.LogQuery{Query: `{service_name="checkout"}`, Range: r}, 0)
	if err != nil || len(series) == 0 {
		t.Errorf("volume without the pattern ingester: %v, %d series", err, len(series))
	}
}
