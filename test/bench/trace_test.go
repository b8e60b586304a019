// Package bench measures telx against the real backends inside one
// process, side by side with a raw fetch of the same data, so that the
// figures leave out what a process start costs (test/bench-trace.sh and
// test/bench-explore.sh time the built binary).
//
//	go test -run '^$' -bench . ./test/bench
//
// The backends start only when benchmarks are asked for: `go test ./...`
// runs nothing here.
package bench

import (
	"context"
	"flag"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/telx-cli/telx/cmd"
	"github.com/telx-cli/telx/test/harness"
)

// spans is the size of the trace the benchmarks fetch.
var spans = flag.Int("spans", 10_000, "about how many spans the big trace has")

func TestMain(m *testing.M) {
	flag.Parse()
	if f := flag.Lookup("test.bench"); f == nil || f.Value.String() == "" {
		os.Exit(m.Run())
	}
	opts := harness.Options{Seed: 1, Backends: []string{"jaeger"}}
	opts.Scenario.BigTraceBatches = *spans / 10
	os.Exit(harness.Main(m, opts))
}

// BenchmarkTraceVsFetch times `telx trace <id> -o text` in process (fetch
// from /api/v3, decode, analyse, render at 200 columns) against reading the
// same /api/v3 answer to nowhere. The ratio of the two is telx's overhead
// over the raw fetch, without the start of a process.
func BenchmarkTraceVsFetch(b *testing.B) {
	env := harness.Shared(b)
	id := string(env.Scenario.BigTraceID)
	b.Run("raw-fetch", func(b *testing.B) {
		u := env.JaegerURL + "/api/v3/traces/" + id
		// a new connection each time, as each telx command opens one
		client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
		for b.Loop() {
			resp, err := client.Get(u)
			if err != nil {
				b.Fatal(err)
			}
			n, err := io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if err != nil || resp.StatusCode != http.StatusOK {
				b.Fatalf("%s: %d bytes, %v", resp.Status, n, err)
			}
			b.SetBytes(n)
		}
	})
	for _, format := range []string{"text", "json"} {
		b.Run("telx-trace-"+format, func(b *testing.B) {
			getenv := func(k string) string {
				if k == "TELX_JAEGER_URL" {
					return env.JaegerURL
				}
				return ""
			}
			for b.Loop() {
				var errOut strings.Builder
				s := cmd.TestIO(io.Discard, &errOut)
				root := cmd.NewRootCmd(s, getenv)
				if code := cmd.Run(context.Background(), root, s, []string{"trace", id, "-o", format, "--width", "200"}); code != cmd.ExitOK {
					b.Fatalf("exit %d: %s", code, errOut.String())
				}
			}
		})
	}
}
