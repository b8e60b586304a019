// Package follow measures the Logs pane's live mode against the real
// Loki: how long a pushed line takes to reach the pane's screen (beside
// how long Loki's own tail takes to deliver it), and the pane's memory
// under a steady 200 lines a second.
//
//	go test ./test/bench/follow -run '^$' -bench PushToScreen -benchtime 20x
//	go test ./test/bench/follow -run '^$' -bench Soak -benchtime 1x -args -soak 10m
//
// The backends start only when benchmarks are asked for.
package follow

import (
	"context"
	"flag"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/telx-cli/telx/internal/paneprog"
	"github.com/telx-cli/telx/internal/teasync"
	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/sources/loki"
	"github.com/telx-cli/telx/test/harness"
	"github.com/telx-cli/telx/tui"
	"github.com/telx-cli/telx/tui/logs"
	"github.com/telx-cli/telx/tui/styles"
)

var soak = flag.Duration("soak", 30*time.Second, "how long BenchmarkSoak pushes 200 lines a second")

func TestMain(m *testing.M) {
	flag.Parse()
	if f := flag.Lookup("test.bench"); f == nil || f.Value.String() == "" {
		os.Exit(m.Run())
	}
	os.Exit(harness.Main(m, harness.Options{Seed: 1, Backends: []string{harness.Loki}}))
}

func entry(job, text string, at time.Time) sources.LogEntry {
	return sources.LogEntry{Time: at, Labels: map[string]string{"job": job, "service_name": "bench"},
		Line: fmt.Sprintf(`ts=%s level=info msg=%q`, at.UTC().Format(time.RFC3339Nano), text)}
}

// report gives the mean, the median and the slowest of the times.
func report(b *testing.B, took []time.Duration) {
	if len(took) == 0 {
		return
	}
	slices.Sort(took)
	var sum time.Duration
	for _, d := range took {
		sum += d
	}
	b.ReportMetric(float64(sum.Milliseconds())/float64(len(took)), "ms/line")
	b.ReportMetric(float64(took[len(took)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(took[len(took)-1].Microseconds())/1000, "max-ms")
	b.ReportMetric(0, "ns/op")
}

// BenchmarkPushToScreen times a line from its push to Loki until it is
// on the screen of a Logs pane in live mode (a real program), and, beside
// it, until Loki's tail delivers it to a bare Follow: the tail's own
// delay (Loki's tailer looks for new lines every half second).
func BenchmarkPushToScreen(b *testing.B) {
	env := harness.Shared(b)
	lc, err := loki.New(loki.Options{URL: env.LokiURL})
	if err != nil {
		b.Fatal(err)
	}
	b.Run("loki-tail", func(b *testing.B) {
		job := fmt.Sprintf("bench-tail-%d", time.Now().UnixNano())
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		arrived := make(chan string, 16)
		go lc.Follow(ctx, sources.LogQuery{Query: `{job="` + job + `"}`, Range: sources.TimeRange{From: time.Now()}}, loki.FollowOptions{},
			func(e sources.LogEntry) error { arrived <- e.Line; return nil })
		time.Sleep(2 * time.Second) // connected, past its catch-ups
		var took []time.Duration
		for i := 0; b.Loop(); i++ {
			text := fmt.Sprintf("push %d done", i)
			start := time.Now()
			if err := env.PushLogs(context.Background(), []sources.LogEntry{entry(job, text, start)}); err != nil {
				b.Fatal(err)
			}
			for line := range arrived {
				if strings.Contains(line, `"`+text+`"`) {
					break
				}
			}
			took = append(took, time.Since(start))
		}
		report(b, took)
	})
	b.Run("pane", func(b *testing.B) {
		job := fmt.Sprintf("bench-pane-%d", time.Now().UnixNano())
		if err := env.PushLogs(context.Background(), []sources.LogEntry{entry(job, "first", time.Now().Add(-time.Second))}); err != nil {
			b.Fatal(err)
		}
		p := paneprog.Start(b, logs.New(logs.Options{Source: lc, Styles: styles.New(true), Location: time.UTC, Live: true}), 200, 50)
		p.Send(tui.LogQueryMsg{Query: `{job="` + job + `"}`, Range: sources.Last(time.Minute, time.Now())})
		p.Wait(b, "the tail", 20*time.Second, func(s paneprog.State) bool { return strings.Contains(s.View, "● following") })
		p.Send(keyG)
		time.Sleep(2 * time.Second) // past its catch-ups
		var took []time.Duration
		for i := 0; b.Loop(); i++ {
			text := fmt.Sprintf("push %d done", i)
			start := time.Now()
			if err := env.PushLogs(context.Background(), []sources.LogEntry{entry(job, text, start)}); err != nil {
				b.Fatal(err)
			}
			s := p.Wait(b, text, 20*time.Second, func(s paneprog.State) bool { return strings.Contains(s.View, text) })
			took = append(took, s.At.Sub(start))
		}
		report(b, took)
	})
}

// BenchmarkSoak pushes 200 lines a second to Loki for -soak while a Logs
// pane follows them with a cap of 5,000 lines, and reports the lines that
// arrived, the most the pane held, and the heap (after a collection) at
// the cap and at the end.
func BenchmarkSoak(b *testing.B) {
	env := harness.Shared(b)
	lc, err := loki.New(loki.Options{URL: env.LokiURL})
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		job := fmt.Sprintf("bench-soak-%d", time.Now().UnixNano())
		if err := env.PushLogs(context.Background(), []sources.LogEntry{entry(job, "first", time.Now().Add(-time.Second))}); err != nil {
			b.Fatal(err)
		}
		const cap = 5000
		p := paneprog.Start(b, logs.New(logs.Options{Source: lc, Styles: styles.New(true), Location: time.UTC, Live: true, MaxLines: cap}), 200, 50)
		p.Send(tui.LogQueryMsg{Query: `{job="` + job + `"}`, Range: sources.Last(time.Minute, time.Now())})
		p.Wait(b, "the tail", 20*time.Second, func(s paneprog.State) bool { return strings.Contains(s.View, "● following") })
		p.Send(keyG)
		heap := func() float64 {
			runtime.GC()
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			return float64(ms.HeapAlloc) / 1e6
		}
		var atCap, peak float64
		most, pushed := 0, 0
		tick := time.NewTicker(100 * time.Millisecond)
		end := time.Now().Add(*soak)
		for time.Now().Before(end) {
			<-tick.C
			var batch []sources.LogEntry
			now := time.Now()
			for i := 0; i < 20; i++ {
				batch = append(batch, entry(job, fmt.Sprintf("request %d handled", pushed), now.Add(time.Duration(i)*time.Microsecond)))
				pushed++
			}
			if err := env.PushLogs(context.Background(), batch); err != nil {
				b.Fatal(err)
			}
			if pushed%1000 == 0 {
				n := len(p.State().Lines)
				most = max(most, n)
				if h := heap(); n >= cap*99/100 && atCap == 0 {
					atCap = h
				} else {
					peak = max(peak, h)
				}
			}
		}
		tick.Stop()
		time.Sleep(2 * time.Second)
		s := p.State()
		most = max(most, len(s.Lines))
		if most > cap {
			b.Errorf("the pane held %d lines, over its cap of %d", most, cap)
		}
		b.ReportMetric(float64(pushed), "pushed")
		b.ReportMetric(float64(most), "most-held")
		b.ReportMetric(atCap, "heap-at-cap-MB")
		b.ReportMetric(peak, "heap-peak-MB")
		b.ReportMetric(0, "ns/op")
		b.Logf("after %s: %d pushed; the pane says: %s", *soak, pushed, lastRow(s.View))
	}
}

func lastRow(view string) string {
	rows := strings.Split(view, "\n")
	return strings.TrimSpace(ansi.Strip(rows[len(rows)-1]))
}

// keyG is G: the pane follows the bottom.
var keyG = teasync.Key("G")
