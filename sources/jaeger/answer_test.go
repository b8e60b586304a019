package jaeger

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/sources/config"
	"github.com/telx-cli/telx/test/harness"
)

// Jaeger's HTTP APIs read every answer under its cap and within the
// timeout, decoding included, and say which happened: a timeout is not
// a malformed answer, nor a Jaeger that is not running.
func TestHTTPAnswersUnderCapAndTimeout(t *testing.T) {
	const timeout = 400 * time.Millisecond
	for _, tc := range []struct {
		fault harness.Fault
		want  []string
	}{
		{harness.FaultOverCap, []string{"the answer to /api", "is larger than 1 MiB, telx's cap on a trace answer", "hint: read larger answers with --max-answer 2MiB, or set limits.trace_answer"}},
		{harness.FaultStall, []string{"timed out after 400ms reading the answer", "hint: wait longer with --timeout 1s, or set timeout under jaeger in the context"}},
		{harness.FaultNeverEnds, []string{"timed out after 400ms reading the answer", "--timeout 1s"}},
		{harness.FaultWrongShape, []string{"want an"}},
	} {
		srv := harness.StartFaultServer(t, tc.fault)
		srv.OverCap = 4 << 20
		for _, proto := range []string{ProtocolV3, ProtocolV1} {
			t.Run(string(tc.fault)+"/"+proto, func(t *testing.T) {
				c, err := New(Options{URL: srv.URL, Protocol: proto, HTTPClient: &http.Client{Timeout: timeout},
					Limits: config.Limits{TraceAnswer: 1 << 20}})
				if err != nil {
					t.Fatal(err)
				}
				start := time.Now()
				_, err = c.Trace(context.Background(), "0af7651916cd43dd8448eb211c80319c")
				if took := time.Since(start); took > 10*timeout {
					t.Errorf("took %s with a timeout of %s", took, timeout)
				}
				var be *sources.BackendError
				if !errors.As(err, &be) || be.Backend != "jaeger" || !strings.HasPrefix(be.URL, srv.URL) {
					t.Fatalf("not a Jaeger error naming its URL: %v", err)
				}
				for _, w := range tc.want {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("the error does not say %q:\n%v", w, err)
					}
				}
				for _, not := range []string{"malformed", "is Jaeger running there", "context deadline exceeded"} {
					if tc.fault != harness.FaultWrongShape && strings.Contains(err.Error(), not) {
						t.Errorf("the error says %q:\n%v", not, err)
					}
				}
			})
		}
	}
}

// The cap of a list (services) is the small one.
func TestServicesUnderTheSmallCap(t *testing.T) {
	srv := harness.StartFaultServer(t, harness.FaultOverCap)
	srv.OverCap = 2 << 20
	c, err := New(Options{URL: srv.URL, Protocol: ProtocolV3, Limits: config.Limits{SmallAnswer: 1 << 20}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Services(context.Background())
	if err == nil || !strings.Contains(err.Error(), "the answer to /api/v3/services is larger than 1 MiB, telx's cap on a list") {
		t.Errorf("%v", err)
	}
	// within the cap
	c, _ = New(Options{URL: srv.URL, Protocol: ProtocolV3, Limits: config.Limits{SmallAnswer: 4 << 20}})
	if ss, err := c.Services(context.Background()); err != nil || len(ss) < 2 {
		t.Errorf("%d services, %v", len(ss), err)
	}
}

// gRPC: a server that never answers is a timeout too, not a Jaeger that
// may not be running.
func TestGRPCTimeout(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close() // and say nothing
		}
	}()
	const timeout = 400 * time.Millisecond
	c, err := New(Options{URL: "grpc://" + ln.Addr().String(), HTTPClient: &http.Client{Timeout: timeout}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	_, err = c.Trace(ctx, "0af7651916cd43dd8448eb211c80319c")
	if err == nil || !strings.Contains(err.Error(), "timed out after 400ms") || !strings.Contains(err.Error(), "--timeout 1s") ||
		strings.Contains(err.Error(), "running there") || strings.Contains(err.Error(), "DeadlineExceeded") {
		t.Errorf("%v", err)
	}
}

// Over gRPC, each message is read under the trace cap, and one over it
// says so as an answer over the cap does over HTTP.
func TestGRPCMessageUnderTheTraceCap(t *testing.T) {
	env := harness.Shared(t)
	c, err := New(Options{URL: "grpc://" + env.JaegerGRPC, Limits: config.Limits{TraceAnswer: 1 << 10}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Trace(context.Background(), env.Scenario.BigTraceID)
	if err == nil || !strings.Contains(err.Error(), "the gRPC answer is larger than 1 KiB, telx's cap on a trace answer") ||
		!strings.Contains(err.Error(), "--max-answer 2KiB") {
		t.Errorf("%v", err)
	}
	c, _ = New(Options{URL: "grpc://" + env.JaegerGRPC, Limits: config.Limits{TraceAnswer: 1 << 20}})
	if tr, err := c.Trace(context.Background(), env.Scenario.BigTraceID); err != nil || len(tr.Spans) == 0 {
		t.Errorf("within the cap: %v", err)
	}
}
