package loki

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/test/harness"
)

func TestMain(m *testing.M) {
	os.Exit(harness.Main(m, harness.Options{Seed: 2, Backends: []string{harness.Loki}}))
}

func client(t *testing.T, url string, pageSize int) *Client {
	t.Helper()
	c, err := New(Options{URL: url, PageSize: pageSize})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func collect(t *testing.T, c *Client, q sources.LogQuery) []sources.LogEntry {
	t.Helper()
	var out []sources.LogEntry
	if err := c.QueryLogs(context.Background(), q, func(e sources.LogEntry) error {
		out = append(out, e)
		return nil
	}); err != nil {
		t.Fatalf("QueryLogs(%s): %v", q.Query, err)
	}
	return out
}

func key(e sources.LogEntry) string {
	return fmt.Sprintf("%d %s %s", e.Time.UnixNano(), e.Labels["service_name"], e.Line)
}

// Every line of the scenario comes back through pages far smaller than
// the result, once each, in order, with the IDs from structured metadata
// kept apart from the stream labels.
func TestQueryPagesThroughTheScenario(t *testing.T) {
	env := harness.Shared(t)
	sc := env.Scenario
	want := map[string]sources.LogEntry{}
	for _, e := range sc.Logs {
		want[key(e)] = e
	}
	r := sc.Window.Widen(time.Minute)
	for _, dir := range []sources.Direction{sources.Backward, sources.Forward} {
		got := collect(t, client(t, env.LokiURL, 97), sources.LogQuery{Query: `{namespace="shop"}`, Range: r, Direction: dir})
		if len(got) != len(sc.Logs) {
			t.Errorf("direction %v: %d lines, want %d", dir, len(got), len(sc.Logs))
		}
		seen := map[string]bool{}
		for i, e := range got {
			k := key(e)
			if seen[k] {
				t.Errorf("direction %v: line repeated: %s", dir, k)
			}
			seen[k] = true
			w, ok := want[k]
			if !ok {
				t.Errorf("direction %v: a line the scenario did not push: %s", dir, k)
				continue
			}
			if e.TraceID != w.TraceID || e.SpanID != w.SpanID {
				t.Errorf("%s: trace %q span %q, want %q %q", k, e.TraceID, e.SpanID, w.TraceID, w.SpanID)
			}
			if _, in := e.Labels["trace_id"]; in {
				t.Errorf("%s: trace_id among the stream labels %v", k, e.Labels)
			}
			if w.TraceID != "" && e.Metadata["trace_id"] != string(w.TraceID) {
				t.Errorf("%s: metadata %v lacks the trace ID", k, e.Metadata)
			}
			if strings.Contains(w.Line, "level") && e.Level != w.Level {
				t.Errorf("%s: level %q, want %q", k, e.Level, w.Level)
			}
			if i > 0 {
				prev := got[i-1].Time
				if (dir == sources.Backward && e.Time.After(prev)) || (dir == sources.Forward && e.Time.Before(prev)) {
					t.Fatalf("direction %v: out of order at %d: %s after %s", dir, i, e.Time, prev)
				}
			}
		}
	}

	// lines only: metadata merged into the labels, every line once still
	got := collect(t, client(t, env.LokiURL, 97), sources.LogQuery{Query: `{namespace="shop"}`, Range: r, LinesOnly: true})
	seen := map[string]int{}
	for _, e := range got {
		seen[key(e)]++
	}
	if len(got) != len(sc.Logs) || len(seen) != len(sc.Logs) {
		t.Errorf("lines only: %d lines, %d distinct, want %d", len(got), len(seen), len(sc.Logs))
	}

	// a limit is honoured across pages
	got = collect(t, client(t, env.LokiURL, 50), sources.LogQuery{Query: `{namespace="shop"}`, Range: r, Limit: 120})
	if len(got) != 120 {
		t.Errorf("limit 120: %d lines", len(got))
	}
	newest := append([]sources.LogEntry(nil), sc.Logs...)
	sort.SliceStable(newest, func(i, j int) bool { return newest[i].Time.After(newest[j].Time) })
	if !got[0].Time.Equal(newest[0].Time) || !got[119].Time.Equal(newest[119].Time) {
		t.Errorf("limit 120 does not give the newest lines: %s..%s, want %s..%s", got[0].Time, got[119].Time, newest[0].Time, newest[119].Time)
	}
}

// equalTimestamps pushes lines of which many share one timestamp, in two
// streams, with a few before and after, and returns them.
func equalTimestamps(t *testing.T, env *harness.Env, job string, at time.Time, shared int) []sources.LogEntry {
	t.Helper()
	var logs []sources.LogEntry
	add := func(ts time.Time, stream, line string) {
		logs = append(logs, sources.LogEntry{Time: ts, Line: line,
			Labels: map[string]string{"job": job, "stream": stream, "service_name": job}})
	}
	for i := 0; i < 5; i++ {
		add(at.Add(-time.Duration(5-i)*time.Millisecond), "a", fmt.Sprintf("before %d", i))
	}
	for i := 0; i < shared; i++ {
		add(at, []string{"a", "b"}[i%2], fmt.Sprintf("same time %d", i))
	}
	for i := 0; i < 5; i++ {
		add(at.Add(time.Duration(i+1)*time.Millisecond), "b", fmt.Sprintf("after %d", i))
	}
	if err := env.PushLogs(context.Background(), logs); err != nil {
		t.Fatal(err)
	}
	return logs
}

func checkOnce(t *testing.T, what string, got, want []sources.LogEntry) {
	t.Helper()
	count := map[string]int{}
	for _, e := range got {
		count[e.Labels["stream"]+" "+e.Line]++
	}
	for _, e := range want {
		k := e.Labels["stream"] + " " + e.Line
		if count[k] != 1 {
			t.Errorf("%s: %q came %d times", what, k, count[k])
		}
	}
	if len(got) != len(want) {
		t.Errorf("%s: %d lines, want %d", what, len(got), len(want))
	}
}

// A page boundary in the middle of lines sharing a timestamp loses and
// repeats none of them, in both directions, whether the group is smaller
// or larger than a page.
func TestPagingAtEqualTimestamps(t *testing.T) {
	env := harness.Shared(t)
	at := time.Now().Add(-2 * time.Minute).Truncate(time.Millisecond)
	small := equalTimestamps(t, env, "equal-small", at, 9)
	large := equalTimestamps(t, env, "equal-large", at, 40)
	r := sources.TimeRange{From: at.Add(-time.Minute), To: at.Add(time.Minute)}
	for _, dir := range []sources.Direction{sources.Backward, sources.Forward} {
		for _, size := range []int{4, 7, 13} {
			for _, linesOnly := range []bool{false, true} {
				what := fmt.Sprintf("9 equal, direction %v, pages of %d, lines only %v", dir, size, linesOnly)
				checkOnce(t, what, collect(t, client(t, env.LokiURL, size), sources.LogQuery{Query: `{job="equal-small"}`, Range: r, Direction: dir, LinesOnly: linesOnly}), small)
				what = fmt.Sprintf("40 equal, direction %v, pages of %d, lines only %v", dir, size, linesOnly)
				checkOnce(t, what, collect(t, client(t, env.LokiURL, size), sources.LogQuery{Query: `{job="equal-large"} |= "e"`, Range: r, Direction: dir, LinesOnly: linesOnly}), large)
			}
		}
	}
	// a limit inside the group stops there, with distinct lines
	got := collect(t, client(t, env.LokiURL, 6), sources.LogQuery{Query: `{job="equal-large"}`, Range: r, Limit: 30})
	distinct := map[string]bool{}
	for _, e := range got {
		distinct[e.Labels["stream"]+e.Line] = true
	}
	if len(got) != 30 || len(distinct) != 30 {
		t.Errorf("limit 30: %d lines, %d distinct", len(got), len(distinct))
	}
}

func TestLabelsValuesAndSeries(t *testing.T) {
	env := harness.Shared(t)
	c := client(t, env.LokiURL, 0)
	ctx := context.Background()
	r := env.Scenario.Window.Widen(time.Minute)
	names, err := c.Labels(ctx, r)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"env", "namespace", "service_name"} {
		if !contains(names, want) {
			t.Errorf("labels %v lack %s", names, want)
		}
	}
	if contains(names, "trace_id") {
		t.Errorf("structured metadata among the labels: %v", names)
	}
	values, err := c.LabelValues(ctx, "service_name", r)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"checkout", "frontend", "inventory", "payments", "postgres"} {
		if !contains(values, want) {
			t.Errorf("service_name values %v lack %s", values, want)
		}
	}
	series, err := c.Series(ctx, []string{`{service_name="payments"}`}, r)
	if err != nil {
		t.Fatal(err)
	}
	if len(series) != 1 || series[0]["namespace"] != "shop" {
		t.Errorf("series: %v", series)
	}
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// A metric query gives series; asked as lines, it is refused clearly.
func TestMetricQueryAndErrors(t *testing.T) {
	env := harness.Shared(t)
	c := client(t, env.LokiURL, 0)
	ctx := context.Background()
	r := env.Scenario.Window
	series, err := c.QueryMetrics(ctx, `sum by (service_name) (count_over_time({namespace="shop"}[10m]))`, r, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	total := map[string]bool{}
	for _, s := range series {
		total[s.Labels["service_name"]] = len(s.Points) > 0
	}
	if !total["payments"] || !total["frontend"] {
		t.Errorf("series %v", series)
	}

	err = c.QueryLogs(ctx, sources.LogQuery{Query: `{namespace="shop"`, Range: r}, func(sources.LogEntry) error { return nil })
	var be *sources.BackendError
	if !errors.Is(err, ErrBadQuery) || !errors.As(err, &be) || !strings.Contains(err.Error(), "parse error") {
		t.Errorf("a syntax error: %v", err)
	}
	bad := client(t, "http://127.0.0.1:1", 0)
	err = bad.QueryLogs(ctx, sources.LogQuery{Query: `{a="b"}`, Range: r}, func(sources.LogEntry) error { return nil })
	if !errors.As(err, &be) || !strings.Contains(err.Error(), "127.0.0.1:1") || !strings.Contains(be.Hint, "LOKI_ADDR") {
		t.Errorf("an unreachable Loki: %v", err)
	}
}

// proxy forwards TCP connections to a backend until cut.
type proxy struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	conns  []net.Conn
	down   bool
}

func newProxy(t *testing.T, target string) *proxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{ln: ln, target: target}
	t.Cleanup(func() { ln.Close(); p.cut(false) })
	go func() {
		for {
			in, err := ln.Accept()
			if err != nil {
				return
			}
			p.mu.Lock()
			down := p.down
			p.mu.Unlock()
			if down {
				in.Close()
				continue
			}
			out, err := net.Dial("tcp", target)
			if err != nil {
				in.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, in, out)
			p.mu.Unlock()
			go func() { io.Copy(out, in); out.Close() }()
			go func() { io.Copy(in, out); in.Close() }()
		}
	}()
	return p
}

// cut closes every open connection; with down, new ones are refused
// until the next cut(false).
func (p *proxy) cut(down bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
	p.down = down
}

// Following goes on across connections the network cuts: lines pushed
// before, during and after an outage each arrive once.
func TestFollowAcrossReconnects(t *testing.T) {
	env := harness.Shared(t)
	px := newProxy(t, strings.TrimPrefix(env.LokiURL, "http://"))
	c := client(t, "http://"+px.ln.Addr().String(), 0)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	job := fmt.Sprintf("follow-%d", time.Now().UnixNano())
	var mu sync.Mutex
	got := map[string]int{}
	var notes []string
	var events []sources.FollowEvent
	done := make(chan error, 1)
	go func() {
		done <- c.Follow(ctx, sources.LogQuery{Query: `{job="` + job + `"}`, Range: sources.TimeRange{From: time.Now().Add(-time.Second)}},
			FollowOptions{MaxBackoff: 300 * time.Millisecond, Notify: func(s string) { mu.Lock(); notes = append(notes, s); mu.Unlock() },
				Event: func(e sources.FollowEvent) { mu.Lock(); events = append(events, e); mu.Unlock() }},
			func(e sources.LogEntry) error {
				mu.Lock()
				got[e.Line]++
				mu.Unlock()
				return nil
			})
	}()
	var want []string
	push := func(batch string, n int) {
		var logs []sources.LogEntry
		now := time.Now()
		for i := 0; i < n; i++ {
			line := fmt.Sprintf("%s line %d", batch, i)
			want = append(want, line)
			// several lines share each timestamp
			logs = append(logs, sources.LogEntry{Time: now.Add(time.Duration(i/3) * time.Microsecond), Line: line,
				Labels: map[string]string{"job": job, "service_name": job}})
		}
		if err := env.PushLogs(context.Background(), logs); err != nil {
			t.Fatal(err)
		}
	}
	waitFor := func(n int) {
		t.Helper()
		deadline := time.Now().Add(30 * time.Second)
		for {
			mu.Lock()
			have := len(got)
			mu.Unlock()
			if have >= n {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("after 30s, %d of %d lines arrived", have, n)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}

	time.Sleep(time.Second) // let the tail connect
	push("first", 20)
	waitFor(20)
	px.cut(true) // the network drops, and stays down
	push("during", 30)
	time.Sleep(time.Second)
	px.cut(false) // back
	waitFor(50)
	px.cut(false) // a connection closed once more, while up
	time.Sleep(500 * time.Millisecond)
	push("after", 20)
	waitFor(70)
	time.Sleep(2 * time.Second) // any repeat would arrive by now

	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("Follow ended with %v, want context.Canceled", err)
	}
	mu.Lock()
	defer mu.Unlock()
	for _, line := range want {
		if got[line] != 1 {
			t.Errorf("%q arrived %d times", line, got[line])
		}
	}
	if len(got) != len(want) {
		t.Errorf("%d distinct lines, want %d", len(got), len(want))
	}
	reconnections := 0
	for _, n := range notes {
		if strings.Contains(n, "reconnecting") {
			reconnections++
		}
	}
	if reconnections < 2 {
		t.Errorf("reconnections reported: %q, want at least 2", notes)
	}
	// the same news as data: connected, lost (with the wait), connected
	// again, and lines a catch-up fetched that the tail missed
	connected, lost := 0, 0
	for _, e := range events {
		switch {
		case e.Connected:
			connected++
		case e.Err != nil && e.Retry > 0 && e.Retry <= 300*time.Millisecond:
			lost++
		case e.Recovered > 0:
		default:
			t.Errorf("event %+v", e)
		}
	}
	var news []sources.FollowEvent // but for the lines fetched again, which may come at any time
	for _, e := range events {
		if e.Recovered == 0 {
			news = append(news, e)
		}
	}
	if lost != reconnections || connected < 3 || news[0] != (sources.FollowEvent{Connected: true}) || !news[len(news)-1].Connected {
		t.Errorf("events %v: want connected first and last, one loss per reconnection (%d)", events, reconnections)
	}
}

// A tail Loki refuses, or cannot be reached for, is an error at once.
func TestFollowErrors(t *testing.T) {
	env := harness.Shared(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	nothing := func(sources.LogEntry) error { return nil }
	err := client(t, env.LokiURL, 0).Follow(ctx, sources.LogQuery{Query: `{job="x"`}, FollowOptions{}, nothing)
	if !errors.Is(err, ErrBadQuery) || !strings.Contains(err.Error(), "parse error") {
		t.Errorf("a bad query: %v", err)
	}
	err = client(t, "http://127.0.0.1:1", 0).Follow(ctx, sources.LogQuery{Query: `{job="x"}`}, FollowOptions{}, nothing)
	var be *sources.BackendError
	if !errors.As(err, &be) || !strings.Contains(be.Hint, "is Loki running there?") {
		t.Errorf("an unreachable Loki: %v", err)
	}
	if ctx.Err() != nil {
		t.Error("Follow waited instead of failing")
	}
}

// Lines pushed as a tail connects are not lost: Loki's tail takes its
// history up to the moment the request comes and listens for new lines
// only after, so that lines pushed in between, and timed after that
// moment, reach neither. Each round pushes lines the moment the tail
// connects, from a writer whose clock runs a little ahead (without the
// catch-up, every round loses most of them), and again later.
func TestFollowLosesNothingAtConnect(t *testing.T) {
	env := harness.Shared(t)
	c := client(t, env.LokiURL, 0)
	for round := 0; round < 5; round++ {
		job := fmt.Sprintf("connect-%d-%d", round, time.Now().UnixNano())
		var mu sync.Mutex
		var want []string
		push := func(batch string, ahead time.Duration) {
			var es []sources.LogEntry
			now := time.Now()
			for i := 0; i < 5; i++ {
				line := fmt.Sprintf("%s %d", batch, i)
				es = append(es, sources.LogEntry{Time: now.Add(time.Duration(i) * ahead), Line: line, Labels: map[string]string{"job": job}})
			}
			if err := env.PushLogs(context.Background(), es); err != nil {
				t.Error(err)
			}
			mu.Lock()
			for _, e := range es {
				want = append(want, e.Line)
			}
			mu.Unlock()
		}
		push("before", time.Microsecond)
		ctx, cancel := context.WithCancel(context.Background())
		got := map[string]int{}
		done := make(chan error, 1)
		pushed := make(chan struct{})
		go func() {
			done <- c.Follow(ctx, sources.LogQuery{Query: `{job="` + job + `"}`, Range: sources.TimeRange{From: time.Now().Add(-time.Minute)}},
				FollowOptions{Event: func(e sources.FollowEvent) {
					if e.Connected {
						go func() { push("at connect", 10*time.Millisecond); close(pushed) }()
					}
				}},
				func(e sources.LogEntry) error { mu.Lock(); got[e.Line]++; mu.Unlock(); return nil })
		}()
		<-pushed
		time.Sleep(500 * time.Millisecond)
		push("later", time.Microsecond)
		time.Sleep(2500 * time.Millisecond) // past the first catch-up
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Errorf("round %d: Follow ended with %v", round, err)
		}
		mu.Lock()
		for _, line := range want {
			if got[line] != 1 {
				t.Errorf("round %d: %q arrived %d times", round, line, got[line])
			}
		}
		mu.Unlock()
	}
}
