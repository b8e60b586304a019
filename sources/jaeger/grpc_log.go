package jaeger

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/status"
)

// LogCalls returns dial options that write one line per gRPC call to out,
// as config.LogTransport does for HTTP (--verbose): the method, the
// server, the outcome and the time from the call to its last message.
func LogCalls(out io.Writer, server string) []grpc.DialOption {
	l := &callLog{out: out, server: server}
	return []grpc.DialOption{grpc.WithChainUnaryInterceptor(l.unary), grpc.WithChainStreamInterceptor(l.stream)}
}

type callLog struct {
	out    io.Writer
	server string
	mu     sync.Mutex
}

func (l *callLog) write(method string, start time.Time, err error) {
	outcome := "OK"
	if err != nil {
		s := status.Convert(err)
		outcome = s.Code().String() + ": " + s.Message()
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	fmt.Fprintf(l.out, "jaeger: gRPC %s %s -> %s (%s)\n", strings.TrimPrefix(method, "/"), l.server, outcome, time.Since(start).Round(time.Millisecond))
}

func (l *callLog) unary(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
	start := time.Now()
	err := invoker(ctx, method, req, reply, cc, opts...)
	l.write(method, start, err)
	return err
}

func (l *callLog) stream(ctx context.Context, desc *grpc.StreamDesc, cc *grpc.ClientConn, method string, streamer grpc.Streamer, opts ...grpc.CallOption) (grpc.ClientStream, error) {
	start := time.Now()
	s, err := streamer(ctx, desc, cc, method, opts...)
	if err != nil {
		l.write(method, start, err)
		return nil, err
	}
	return &loggedStream{ClientStream: s, done: func(err error) { l.write(method, start, err) }}, nil
}

// loggedStream reports the end of a stream once: its last message, or
// its error.
type loggedStream struct {
	grpc.ClientStream
	once sync.Once
	done func(error)
}

func (s *loggedStream) RecvMsg(m any) error {
	err := s.ClientStream.RecvMsg(m)
	if err != nil {
		if errors.Is(err, io.EOF) {
			s.once.Do(func() { s.done(nil) })
		} else {
			s.once.Do(func() { s.done(err) })
		}
	}
	return err
}
