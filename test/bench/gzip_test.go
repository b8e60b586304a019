package bench

import (
	"context"
	"flag"
	"io"
	"net"
	"testing"
	"time"

	"github.com/telx-cli/telx/sources/jaeger"
	"github.com/telx-cli/telx/test/harness"
)

var mbits = flag.Int("mbits", 100, "the bandwidth of BenchmarkGRPCGzipOnASlowLink's link, Mbit/s")

// BenchmarkGRPCGzipOnASlowLink fetches the big trace over gRPC api_v3
// with and without gzip through a loopback proxy that lets Jaeger's
// answers through at -mbits Mbit/s, as a network between telx and a
// remote Jaeger would: what gzip costs Jaeger against what it saves on
// the way (telx asks for gzip except on loopback).
//
//	go test -run '^$' -bench GzipOnASlowLink -count 5 ./test/bench -mbits 100
func BenchmarkGRPCGzipOnASlowLink(b *testing.B) {
	env := harness.Shared(b)
	addr := slowProxy(b, env.JaegerGRPC, *mbits*1_000_000/8)
	for _, compression := range []string{"none", "gzip"} {
		b.Run(compression, func(b *testing.B) {
			for b.Loop() {
				c, err := jaeger.New(jaeger.Options{URL: "grpc://" + addr, GRPCCompression: compression})
				if err != nil {
					b.Fatal(err)
				}
				if _, err := c.Trace(context.Background(), env.Scenario.BigTraceID); err != nil {
					b.Fatal(err)
				}
				c.Close()
			}
		})
	}
}

// slowProxy forwards connections to target, the answers at most
// bytesPerSec; it returns its address.
func slowProxy(b *testing.B, target string, bytesPerSec int) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { l.Close() })
	go func() {
		for {
			in, err := l.Accept()
			if err != nil {
				return
			}
			out, err := net.Dial("tcp", target)
			if err != nil {
				in.Close()
				continue
			}
			go func() { _, _ = io.Copy(out, in); out.Close() }()
			go func() { paced(in, out, bytesPerSec); in.Close() }()
		}
	}()
	return l.Addr().String()
}

// paced copies src to dst at most bytesPerSec.
func paced(dst io.Writer, src io.Reader, bytesPerSec int) {
	buf := make([]byte, 16<<10)
	start, sent := time.Now(), 0
	for {
		n, err := src.Read(buf)
		if n > 0 {
			sent += n
			if ahead := time.Duration(sent)*time.Second/time.Duration(bytesPerSec) - time.Since(start); ahead > 0 {
				time.Sleep(ahead)
			}
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}
