// Command telx-backends starts the test harness's real Jaeger, Prometheus
// and Loki, seeded with the demo scenario, prints their addresses as shell
// exports, and keeps them running until interrupted. It is for trying telx
// by hand and recording fixtures:
//
//	go run ./test/cmd/telx-backends > /tmp/backends.env &
//	. /tmp/backends.env && telx trace "$TELX_DEMO_BIG_TRACE"
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/telx-cli/telx/test/harness"
)

func main() {
	seed := flag.Int64("seed", 1, "scenario seed")
	backends := flag.String("backends", "", "comma-separated subset of jaeger,prometheus,loki")
	bigSpans := flag.Int("big-trace-spans", 0, "grow the big trace to about this many spans (default 1,202)")
	flag.Parse()

	opts := harness.Options{Seed: *seed}
	opts.Scenario.BigTraceBatches = *bigSpans / 10
	if *backends != "" {
		opts.Backends = strings.Split(*backends, ",")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	env, err := harness.Start(ctx, opts)
	cancel()
	if err != nil {
		fmt.Fprintln(os.Stderr, "telx-backends:", err)
		os.Exit(1)
	}
	defer env.Stop()
	sc := env.Scenario
	fmt.Printf("export TELX_JAEGER_URL=%s\n", env.JaegerURL)
	fmt.Printf("export TELX_JAEGER_GRPC=%s\n", env.JaegerGRPC)
	fmt.Printf("export TELX_PROMETHEUS_URL=%s\n", env.PrometheusURL)
	fmt.Printf("export TELX_LOKI_URL=%s\n", env.LokiURL)
	fmt.Printf("export TELX_DEMO_BIG_TRACE=%s\n", sc.BigTraceID)
	fmt.Printf("export TELX_DEMO_SKEWED_TRACE=%s\n", sc.SkewedTraceID)
	fmt.Printf("export TELX_DEMO_FIRST_TRACE=%s\n", sc.Traces[0].ID)
	fmt.Printf("# started and seeded in %v; data in %s; Ctrl-C stops\n", env.Timings, env.Dir)

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	<-sig
}
