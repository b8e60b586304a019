package bench

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/mem"
	"google.golang.org/protobuf/encoding/protowire"

	"github.com/telx-cli/telx/cmd"
	"github.com/telx-cli/telx/sources/jaeger"
	"github.com/telx-cli/telx/test/harness"
)

// BenchmarkTraceGRPCvsHTTP times the same big trace over Jaeger's HTTP
// /api/v3 and its gRPC api_v3 (with and without gzip) and api_v2, side by
// side against the same Jaeger: "raw" reads the answer's bytes to nowhere
// (the floor), "fetch" is the source's Trace call alone (a new client, so a
// new connection, each time, as each telx command makes one), "telx-trace"
// the whole `telx trace <id> -o text --width 200` in process. Pick the
// trace's size with -spans:
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
	b.Run("raw/grpc-v3", func(b *testing.B) {
		for b.Loop() {
			b.SetBytes(rawGRPCFetch(b, env.JaegerGRPC, string(id)))
		}
	})
	b.Run("raw/http-v3", func(b *testing.B) {
		u := env.JaegerURL + "/api/v3/traces/" + string(id)
		for b.Loop() {
			client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
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

// rawGRPCFetch calls api_v3 GetTrace on a new connection and reads the
// answer's messages to nowhere; it returns their size.
func rawGRPCFetch(b *testing.B, addr, id string) int64 {
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close()
	var n int64
	codec := countCodec{n: &n}
	stream, err := conn.NewStream(context.Background(), &grpc.StreamDesc{ServerStreams: true}, "/jaeger.api_v3.QueryService/GetTrace",
		grpc.ForceCodecV2(codec), grpc.MaxCallRecvMsgSize(1<<30))
	if err != nil {
		b.Fatal(err)
	}
	req := protowire.AppendString(protowire.AppendTag(nil, 1, protowire.BytesType), id)
	if err := stream.SendMsg(req); err != nil {
		b.Fatal(err)
	}
	if err := stream.CloseSend(); err != nil {
		b.Fatal(err)
	}
	for {
		if err := stream.RecvMsg(nil); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			b.Fatal(err)
		}
	}
	if n == 0 {
		b.Fatal("an empty answer")
	}
	return n
}

// countCodec sends []byte and counts what it receives.
type countCodec struct{ n *int64 }

func (countCodec) Name() string { return "proto" }
func (countCodec) Marshal(v any) (mem.BufferSlice, error) {
	return mem.BufferSlice{mem.SliceBuffer(v.([]byte))}, nil
}
func (c countCodec) Unmarshal(data mem.BufferSlice, _ any) error {
	*c.n += int64(data.Len())
	return nil
}
