// Package hotrodlogs times the built `telx logs` against Loki's own logcli
// on a real application's lines: HotROD's zap console lines, shipped to
// the real Loki by the harness and repeated (each copy shifted in time)
// to -lines lines, so that telx's parsing of each line is part of what is
// timed. Each run is a process of each program, side by side in one run;
// TELX_OLD=path adds an older telx binary to compare with.
//
//	go test -run '^$' -bench . -benchtime 5x ./test/bench/hotrodlogs
//
// The backends start only when benchmarks are asked for.
package hotrodlogs

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/test/harness"
)

var lines = flag.Int("lines", 17_000, "how many HotROD lines to query")

func TestMain(m *testing.M) {
	flag.Parse()
	if f := flag.Lookup("test.bench"); f == nil || f.Value.String() == "" {
		os.Exit(m.Run())
	}
	os.Exit(harness.Main(m, harness.Options{Seed: 1, Backends: []string{harness.Jaeger, harness.Loki}, HotROD: true}))
}

// seed pushes copies of HotROD's lines under job="hotrod-bench" until there
// are n, and returns their window.
func seed(b *testing.B, env *harness.Env, n int) sources.TimeRange {
	h := env.HotROD
	w := h.Window()
	span := w.Duration() + time.Second
	var all []sources.LogEntry
	for k := 0; len(all) < n; k++ {
		shift := -time.Duration(k+1) * span
		for _, e := range h.Entries {
			if len(all) == n {
				break
			}
			c := e
			c.Time = e.Time.Add(shift)
			c.Labels = map[string]string{"job": "hotrod-bench", "service_name": e.Labels["service_name"]}
			all = append(all, c)
		}
	}
	if err := env.PushLogs(context.Background(), all); err != nil {
		b.Fatal(err)
	}
	r := sources.TimeRange{From: all[0].Time, To: all[0].Time}
	for _, e := range all {
		if e.Time.Before(r.From) {
			r.From = e.Time
		}
		if e.Time.After(r.To) {
			r.To = e.Time
		}
	}
	return r.Widen(time.Second)
}

func build(b *testing.B) string {
	out := filepath.Join(b.TempDir(), "telx")
	c := exec.Command("go", "build", "-o", out, "./cmd/telx")
	c.Dir = "../../.."
	if msg, err := c.CombinedOutput(); err != nil {
		b.Fatalf("go build: %v: %s", err, msg)
	}
	return out
}

// run runs a command to its end, its output counted and dropped, and
// returns its peak RSS in MB.
func run(b *testing.B, name string, args ...string) (lines int, rssMB float64) {
	c := exec.Command(name, args...)
	out, err := c.Output()
	if err != nil {
		b.Fatalf("%s %v: %v", name, args, err)
	}
	ru := c.ProcessState.SysUsage().(*syscall.Rusage)
	return strings.Count(string(out), "\n"), float64(ru.Maxrss) / 1024
}

func BenchmarkLogsHotROD(b *testing.B) {
	env := harness.Shared(b)
	r := seed(b, env, *lines)
	bins, err := harness.FindBinaries(harness.Loki)
	if err != nil {
		b.Fatal(err)
	}
	from, to := r.From.UTC().Format(time.RFC3339Nano), r.To.UTC().Format(time.RFC3339Nano)
	query := `{job="hotrod-bench"}`
	limit := fmt.Sprint(*lines)
	window := []string{"--from", from, "--to", to, "--limit", limit}
	cmds := []struct {
		name string
		bin  string
		args []string
	}{
		{"logcli", bins.LogCLI, append([]string{"query", query, "--addr", env.LokiURL, "--batch", "5000", "--quiet"}, window...)},
		{"logcli-raw", bins.LogCLI, append([]string{"query", query, "--addr", env.LokiURL, "--batch", "5000", "--quiet", "-o", "raw"}, window...)},
	}
	telx := build(b)
	for _, bin := range []struct{ name, path string }{{"telx", telx}, {"telx-old", os.Getenv("TELX_OLD")}} {
		if bin.path == "" {
			continue
		}
		base := append([]string{"logs", query, "--loki", env.LokiURL, "--width", "200"}, window...)
		cmds = append(cmds,
			struct {
				name string
				bin  string
				args []string
			}{bin.name, bin.path, base},
			struct {
				name string
				bin  string
				args []string
			}{bin.name + "-raw", bin.path, append(base, "-o", "raw")})
	}
	for _, c := range cmds {
		b.Run(c.name, func(b *testing.B) {
			var rss float64
			for b.Loop() {
				n, mb := run(b, c.bin, c.args...)
				if n < *lines {
					b.Fatalf("%d lines, want %d at least", n, *lines)
				}
				rss = max(rss, mb)
			}
			b.ReportMetric(rss, "peak-RSS-MB")
		})
	}
}
