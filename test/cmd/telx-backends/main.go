// Command telx-backends starts the test harness's real Jaeger, Prometheus,
// Loki and Alertmanager, seeded with the demo scenario, prints their addresses as shell
// exports, and keeps them running until interrupted. It is for trying telx
// by hand and recording fixtures:
//
//	go run ./test/cmd/telx-backends > /tmp/backends.env &
//	. /tmp/backends.env && telx trace "$TELX_DEMO_BIG_TRACE"
//
// With Loki it also runs Jaeger's HotROD demo application (-hotrod), whose
// traces are in a Jaeger of their own and whose lines are in Loki under
// {job="hotrod"}, and ships the backends' own logs to Loki
// ({job="backends"}):
//
//	TELX_JAEGER_URL=$TELX_HOTROD_JAEGER_URL telx explore
//	telx logs '{job="hotrod"} | span_id="'$TELX_HOTROD_REDIS_TIMEOUT_SPAN'"'
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/telx-cli/telx/test/harness"
)

func main() {
	seed := flag.Int64("seed", 1, "scenario seed")
	backends := flag.String("backends", "", "comma-separated subset of jaeger,prometheus,loki")
	bigSpans := flag.Int("big-trace-spans", 0, "grow the big trace to about this many spans (default 1,202)")
	hotrod := flag.Bool("hotrod", true, "run Jaeger's HotROD demo and ship its lines to Loki (needs loki)")
	hotrodRequests := flag.Int("hotrod-requests", 0, "HotROD /dispatch requests to send (default 12)")
	backendLogs := flag.Bool("backend-logs", true, "ship the backends' own logs to Loki once they are up (needs loki)")
	alertmanager := flag.Bool("alertmanager", true, "run an Alertmanager that Prometheus sends its alerts to (needs prometheus)")
	flag.Parse()

	opts := harness.Options{Seed: *seed, HotROD: *hotrod, HotRODRequests: *hotrodRequests, BackendLogs: *backendLogs, Alertmanager: *alertmanager}
	opts.Scenario.BigTraceBatches = *bigSpans / 10
	if *backends != "" {
		opts.Backends = strings.Split(*backends, ",")
		if !slices.Contains(opts.Backends, harness.Loki) {
			opts.HotROD, opts.BackendLogs = false, false
		}
		if !slices.Contains(opts.Backends, harness.Prometheus) {
			opts.Alertmanager = false
		}
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
	if env.AlertmanagerURL != "" {
		fmt.Printf("export TELX_ALERTMANAGER_URL=%s\n", env.AlertmanagerURL)
	}
	fmt.Printf("export TELX_DEMO_BIG_TRACE=%s\n", sc.BigTraceID)
	fmt.Printf("export TELX_DEMO_SKEWED_TRACE=%s\n", sc.SkewedTraceID)
	fmt.Printf("export TELX_DEMO_FIRST_TRACE=%s\n", sc.Traces[0].ID)
	if h := env.HotROD; h != nil {
		fmt.Printf("export TELX_HOTROD_URL=%s\n", h.URL)
		fmt.Printf("export TELX_HOTROD_JAEGER_URL=%s\n", h.JaegerURL)
		fmt.Printf("export TELX_HOTROD_JAEGER_GRPC=%s\n", h.JaegerGRPC)
		fmt.Printf("export TELX_HOTROD_FIRST_TRACE=%s\n", h.Dispatches[0].TraceID)
		fmt.Printf("export TELX_HOTROD_REDIS_TIMEOUT_TRACE=%s\n", h.RedisTimeout.TraceID)
		fmt.Printf("export TELX_HOTROD_REDIS_TIMEOUT_SPAN=%s\n", h.RedisTimeout.SpanID)
		fmt.Printf("# HotROD: %d requests, %d lines in Loki under %s; its traces: TELX_JAEGER_URL=$TELX_HOTROD_JAEGER_URL\n", len(h.Dispatches), len(h.Entries), harness.HotRODSelector)
	}
	if n := len(env.BackendLogs); n > 0 {
		fmt.Printf("# the backends' logs: %d lines in Loki under {job=\"backends\"}\n", n)
	}
	fmt.Printf("# started and seeded in %v; data in %s; Ctrl-C stops\n", env.Timings, env.Dir)

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	<-sig
}
