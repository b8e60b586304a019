package logpattern

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/sources/demo"
	"github.com/telx-cli/telx/sources/logline"
)

var t0 = time.Date(2026, 1, 15, 11, 0, 0, 0, time.UTC)

type line struct {
	level, msg string
}

type want struct {
	pattern, level string
	count          int64
}

func TestClustering(t *testing.T) {
	for _, tt := range []struct {
		name  string
		o     Options
		lines []line
		want  []want
		// unclustered lines
		dropped int
	}{
		{
			name: "one message, variables become <_>",
			lines: []line{
				{"info", "order 1234 placed for alice in 12ms"},
				{"info", "order 98 placed for bob in 3ms"},
				{"info", "order 7 placed for carol in 41ms"},
			},
			want: []want{{"order <_> placed for <_> in <_>", "info", 3}},
		},
		{
			name: "a different number of tokens is a different pattern",
			lines: []line{
				{"info", "cache miss key=a"},
				{"info", "cache miss key=b"},
				{"info", "cache miss key=c after 3 tries"},
			},
			want: []want{{"cache miss key=<_>", "info", 2}, {"cache miss key=c after 3 tries", "info", 1}},
		},
		{
			name: "key=value tokens of one key keep the key",
			lines: []line{
				{"info", "sent bytes=12 to=a:1 user=x"},
				{"info", "sent bytes=345 to=b:2 id=y"},
				{"info", "sent bytes=6 to=c:3 ok"},
			},
			want: []want{{"sent bytes=<_> to=<_> <_>", "info", 3}},
		},
		{
			name: "each level apart",
			lines: []line{
				{"error", "payment failed: card declined"},
				{"warn", "payment failed: card declined"},
				{"error", "payment failed: card expired"},
				{"", "payment failed: card expired"},
			},
			want: []want{
				{"payment failed: card <_>", "error", 2},
				{"payment failed: card declined", "warn", 1},
				{"payment failed: card expired", "", 1},
			},
		},
		{
			name: "too little in common",
			lines: []line{
				{"info", "GET /api alpha beta gamma delta"},
				{"info", "GET /api one two three four"},
				{"info", "GET /api one two three five"},
			},
			want: []want{{"GET /api one two three <_>", "info", 2}, {"GET /api alpha beta gamma delta", "info", 1}},
		},
		{
			name: "a stricter similarity keeps them apart",
			o:    Options{Similarity: 0.9},
			lines: []line{
				{"info", "GET /api one two three four"},
				{"info", "GET /api one two three five"},
			},
			want: []want{{"GET /api one two three five", "info", 1}, {"GET /api one two three four", "info", 1}},
		},
		{
			name: "a leading number takes the wildcard branch",
			lines: []line{
				{"info", "42 requests served"},
				{"info", "17 requests served"},
				{"info", "9000 requests served"},
			},
			want: []want{{"<_> requests served", "info", 3}},
		},
		{
			name: "past MaxChildren, first tokens share the wildcard branch",
			o:    Options{MaxChildren: 2},
			lines: []line{
				{"info", "alpha started ok"},
				{"info", "beta started ok"},
				{"info", "gamma started ok"},
				{"info", "delta started ok"},
			},
			want: []want{{"<_> started ok", "info", 2}, {"alpha started ok", "info", 1}, {"beta started ok", "info", 1}},
		},
		{
			name: "spaces are separators, runs of them too",
			lines: []line{
				{"", "  took\t3ms   total "},
				{"", "took 5ms total"},
			},
			want: []want{{"took <_> total", "", 2}},
		},
		{
			name:  "long messages end in <_>",
			o:     Options{MaxTokens: 4},
			lines: []line{{"info", "a b c d e f"}, {"info", "a b c x y z"}, {"info", "a b c"}},
			want:  []want{{"a b c <_>", "info", 2}, {"a b c", "info", 1}},
		},
		{
			name:  "empty messages are one pattern",
			lines: []line{{"", ""}, {"", "   "}},
			want:  []want{{"", "", 2}},
		},
		{
			name: "past MaxPatterns, new shapes are not kept",
			o:    Options{MaxPatterns: 2},
			lines: []line{
				{"info", "one thing"}, {"info", "two things here"}, {"info", "three things are here"},
				{"info", "one thang"},
			},
			want:    []want{{"one <_>", "info", 2}, {"two things here", "info", 1}},
			dropped: 1,
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			m := New(sources.TimeRange{From: t0, To: t0.Add(time.Hour)}, 0, tt.o)
			for i, l := range tt.lines {
				m.Add(t0.Add(time.Duration(i)*time.Second), l.level, l.msg)
			}
			res := m.Result()
			var got []want
			for _, p := range res.Patterns {
				got = append(got, want{p.Pattern, p.Level, p.Count})
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("patterns\n got %+v\nwant %+v", got, tt.want)
			}
			if res.Lines != len(tt.lines) || res.Unclustered != tt.dropped {
				t.Errorf("%d lines, %d unclustered; want %d, %d", res.Lines, res.Unclustered, len(tt.lines), tt.dropped)
			}
		})
	}
}

// The samples count each pattern's lines per step over the window, the
// steps aligned to the epoch, with zeros where none fell.
func TestSamples(t *testing.T) {
	r := sources.TimeRange{From: t0.Add(30 * time.Second), To: t0.Add(10 * time.Minute)}
	m := New(r, time.Minute, Options{})
	at := []time.Duration{31 * time.Second, 59 * time.Second, 60 * time.Second, 5*time.Minute + 1, 10 * time.Minute, 11 * time.Minute}
	for _, d := range at {
		m.Add(t0.Add(d), "info", "tick")
	}
	res := m.Result()
	if res.Step != time.Minute || len(res.Patterns) != 1 {
		t.Fatalf("step %s, %d patterns", res.Step, len(res.Patterns))
	}
	p := res.Patterns[0]
	// steps 11:00 (two lines), 11:01, …, 11:10; the line at 11:11 is past the window's steps
	if len(p.Samples) != 11 || !p.Samples[0].Time.Equal(t0) || !p.Samples[10].Time.Equal(t0.Add(10*time.Minute)) {
		t.Fatalf("samples %v", p.Samples)
	}
	wantCounts := []float64{2, 1, 0, 0, 0, 1, 0, 0, 0, 0, 1}
	for i, s := range p.Samples {
		if s.Value != wantCounts[i] {
			t.Errorf("sample %d (%s) = %v, want %v", i, s.Time.Format("15:04"), s.Value, wantCounts[i])
		}
	}
	if p.Count != int64(len(at)) {
		t.Errorf("count %d, want every line added (%d)", p.Count, len(at))
	}

	// no step: about DefaultBuckets over the window; a step too fine for
	// the window is coarsened
	if s := New(sources.TimeRange{From: t0, To: t0.Add(time.Hour)}, 0, Options{}).Result().Step; s != time.Minute {
		t.Errorf("default step over an hour: %s, want 1m", s)
	}
	if s := New(sources.TimeRange{From: t0, To: t0.Add(24 * time.Hour)}, time.Second, Options{}).Result().Step; s != 2*time.Minute {
		t.Errorf("1s over a day: %s, want 2m", s)
	}
}

// Entries cluster on their line's message, at their level.
func TestCluster(t *testing.T) {
	entries := []sources.LogEntry{
		{Time: t0, Line: "connected to db-1", Level: "info"},
		{Time: t0.Add(time.Second), Line: "connected to db-2", Level: "info"},
		{Time: t0.Add(2 * time.Second), Line: "connected to db-3", Level: "error"},
	}
	res := Cluster(entries, sources.TimeRange{From: t0, To: t0.Add(time.Minute)}, 0, Options{})
	if len(res.Patterns) != 2 || res.Patterns[0].Pattern != "connected to <_>" || res.Patterns[0].Count != 2 ||
		res.Patterns[1].Level != "error" || res.Lines != 3 {
		t.Errorf("%+v", res)
	}
}

// Hostile input neither panics nor grows without bound.
func TestBadInput(t *testing.T) {
	m := New(sources.TimeRange{From: t0, To: t0.Add(time.Minute)}, 0, Options{})
	huge := strings.Repeat("word ", 200000) // 1 MB
	for _, s := range []string{huge, "\xff\xfe invalid", "\x1b[31m\x1b[0m", strings.Repeat("x", 1<<20), "\x00"} {
		m.Add(t0, "", s)
		m.Add(time.Time{}, "", s) // out of the window
	}
	res := m.Result()
	for _, p := range res.Patterns {
		if len(p.Pattern) > 1<<20+10 {
			t.Errorf("pattern of %d bytes", len(p.Pattern))
		}
		if p.Count != 2 {
			t.Errorf("%.40q: count %d, want 2", p.Pattern, p.Count)
		}
	}
	if len(res.Patterns) != 5 {
		t.Errorf("%d patterns, want 5", len(res.Patterns))
	}
	if got := res.Patterns[0]; len(strings.Fields(got.Pattern)) > 64 {
		t.Errorf("a long line keeps %d tokens", len(strings.Fields(got.Pattern)))
	}
}

// The demo's lines: every line in one pattern, the access log's one per
// route and status class.
func TestDemoLines(t *testing.T) {
	sc, err := demo.Load(demo.DatasetNow)
	if err != nil {
		t.Fatal(err)
	}
	res := Cluster(sc.Logs, sc.Window, 0, Options{})
	var n int64
	for _, p := range res.Patterns {
		n += p.Count
	}
	if n != int64(len(sc.Logs)) || res.Lines != len(sc.Logs) {
		t.Errorf("patterns count %d lines of %d", n, len(sc.Logs))
	}
	if len(res.Patterns) == 0 || len(res.Patterns) > len(sc.Logs)/5 {
		t.Errorf("%d patterns of %d lines", len(res.Patterns), len(sc.Logs))
	}
	for _, p := range res.Patterns {
		t.Logf("%5d %-5s %s", p.Count, p.Level, p.Pattern)
	}
	// the demo's messages are constant but for postgres' own lines (the
	// rest goes in fields): its times and durations vary
	variable := 0
	for _, p := range res.Patterns {
		if strings.Contains(p.Pattern, Variable) {
			variable++
			if !strings.Contains(p.Pattern, "UTC <_>") {
				t.Errorf("a variable part in %q", p.Pattern)
			}
		}
	}
	if variable == 0 {
		t.Error("no pattern with a variable part")
	}
}

func BenchmarkCluster100k(b *testing.B) {
	sc, err := demo.Load(demo.DatasetNow)
	if err != nil {
		b.Fatal(err)
	}
	entries := make([]sources.LogEntry, 100000)
	for i := range entries {
		e := sc.Logs[i%len(sc.Logs)]
		e.Time = sc.Window.From.Add(time.Duration(i) * sc.Window.Duration() / time.Duration(len(entries)))
		entries[i] = e
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		res := Cluster(entries, sc.Window, 0, Options{})
		if res.Lines != len(entries) {
			b.Fatal(res.Lines)
		}
	}
	b.ReportMetric(float64(len(entries))*float64(b.N)/b.Elapsed().Seconds(), "lines/s")
}

func FuzzMiner(f *testing.F) {
	f.Add("order 1 placed", "order 2 placed", "k=v x")
	f.Add("", " ", "\x00\xff")
	f.Fuzz(func(t *testing.T, a, b, c string) {
		m := New(sources.TimeRange{From: t0, To: t0.Add(time.Minute)}, 0, Options{MaxTokens: 8, MaxPatterns: 2})
		for i, s := range []string{a, b, c, a} {
			m.Add(t0.Add(time.Duration(i)*time.Second), "", s)
		}
		res := m.Result()
		var n int64
		for _, p := range res.Patterns {
			n += p.Count
		}
		if n+int64(res.Unclustered) != 4 {
			t.Errorf("%d lines in patterns, %d unclustered, want 4 in all", n, res.Unclustered)
		}
	})
}

func TestMatches(t *testing.T) {
	for _, tt := range []struct {
		pattern, message string
		want             bool
	}{
		{"order <_> placed for <_>", "order 12 placed for  alice", true},
		{"order <_> placed for <_>", "order 12 placed for alice now", false},
		{"order <_> placed for <_>", "order 12 shipped for alice", false},
		{"sent bytes=<_> to=<_>", "sent bytes=12 to=a:1", true},
		{"sent bytes=<_> to=<_>", "sent bytes=12 from=a:1", false},
		{"<_> requests served", "42 requests served", true},
		{"", "", true},
		{"", "  ", true},
		{"", "x", false},
		{"x", "", false},
		{"a b c <_>", "a b c " + strings.Repeat("d ", 100), false},
	} {
		if got := Matches(tt.pattern, tt.message); got != tt.want {
			t.Errorf("Matches(%q, %q) = %v, want %v", tt.pattern, tt.message, got, tt.want)
		}
	}
}

// Every pattern found matches at least the lines it counts.
func TestPatternsMatchTheirLines(t *testing.T) {
	sc, err := demo.Load(demo.DatasetNow)
	if err != nil {
		t.Fatal(err)
	}
	res := Cluster(sc.Logs, sc.Window, 0, Options{})
	for _, p := range res.Patterns {
		n := int64(0)
		for _, e := range sc.Logs {
			if e.Level == p.Level && Matches(p.Pattern, logline.Parse(e.Line).Message) {
				n++
			}
		}
		if n < p.Count {
			t.Errorf("%q matches %d lines, counts %d", p.Pattern, n, p.Count)
		}
	}
}
