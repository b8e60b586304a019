package bench

import (
	"context"
	"io"
	"strings"
	"testing"

	"github.com/telx-cli/telx/cmd"
	"github.com/telx-cli/telx/sources/jaeger"
	"github.com/telx-cli/telx/test/harness"
)

// BenchmarkTraceGRPCvsHTTP times the same big trace over Jaeger's HTTP
// /api/v3 and its gRPC api_v3 (with and without gzip) and api_v2, side by
// side against the same Jaeger: "fetch" is the source's Trace call alone (a
// new client, so a new connection, each time, as each telx command makes
// one), "telx-trace" the whole `telx trace <id> -o text --width 200` in
// process. Pick the trace's size with -spans:
//
//	go test -run '^$' -bench GRPCvsHTTP -benchmem -count 5 ./test/bench -spans 100000
func BenchmarkTraceGRPCvsHTTP(b *testing.B) {
	env := harness.Shared(b)
	id := env.Scenario.BigTraceID
	grpcURL := "grpc://" + env.JaegerGRPC
	transports := []struct {
		name string
		opts jaeger.Options
		v2   bool
	}{
		{"http-v3", jaeger.Options{URL: env.JaegerURL, Protocol: jaeger.ProtocolV3}, false},
		{"grpc-v3", jaeger.Options{URL: grpcURL}, false},
		{"grpc-v3-gzip", jaeger.Options{URL: grpcURL, GRPCCompression: "gzip"}, false},
		{"grpc-v2", jaeger.Options{URL: grpcURL, Protocol: jaeger.ProtocolGRPCV2}, true},
	}
	for _, tr := range transports {
		b.Run("fetch/"+tr.name, func(b *testing.B) {
			spans := 0
			for b.Loop() {
				c, err := jaeger.New(tr.opts)
				if err != nil {
					b.Fatal(err)
				}
				t, err := c.Trace(context.Background(), id)
				if err != nil {
					b.Fatal(err)
				}
				spans = len(t.Spans)
				want := "gRPC api_v3"
				switch {
				case tr.v2:
					want = "gRPC api_v2"
				case tr.opts.Protocol == jaeger.ProtocolV3:
					want = "HTTP /api/v3"
				}
				if c.API() != want {
					b.Fatalf("went over %s, want %s", c.API(), want)
				}
				c.Close()
			}
			b.ReportMetric(float64(spans), "spans")
		})
	}
	for _, tr := range transports {
		b.Run("telx-trace/"+tr.name, func(b *testing.B) {
			u := tr.opts.URL
			getenv := func(k string) string {
				switch k {
				case "TELX_JAEGER_URL":
					return u
				case "TELX_JAEGER_PROTOCOL":
					return tr.opts.Protocol
				case "TELX_JAEGER_COMPRESSION":
					return tr.opts.GRPCCompression
				}
				return ""
			}
			for b.Loop() {
				var errOut strings.Builder
				s := cmd.TestIO(io.Discard, &errOut)
				root := cmd.NewRootCmd(s, getenv)
				if code := cmd.Run(context.Background(), root, s, []string{"trace", string(id), "-o", "text", "--width", "200"}); code != cmd.ExitOK {
					b.Fatalf("exit %d: %s", code, errOut.String())
				}
			}
		})
	}
}
