package jaeger

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"net"
	"slices"
	"strings"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/encoding/gzip"
	grpcproto "google.golang.org/grpc/encoding/proto"
	"google.golang.org/grpc/mem"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protowire"

	"github.com/telx-cli/telx/internal/heapwarm"
	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/sources/config"
	"github.com/telx-cli/telx/sources/otlp"
)

// grpcV3API is Jaeger's gRPC api_v3 QueryService, which streams traces as
// OTLP protobuf (TracesData). jaeger-idl has its .proto but no Go stubs:
// the methods are called by name, the few request fields written and the
// answers read with protowire, traces straight into the model by
// otlp.ProtobufDecoder.
type grpcV3API struct {
	conn     *grpc.ClientConn
	maxBytes int64
	gzip     bool
}

const v3Service = "/jaeger.api_v3.QueryService/"

func (*grpcV3API) name() string { return "gRPC api_v3" }

// rawMessage is a message already in the wire format.
type rawMessage []byte

// rawCodec sends rawMessages and hands what it receives to recv, within
// the call it is given to: grpc-go frees the buffers when recv returns.
// Its name is the proto codec's, as the server expects.
type rawCodec struct {
	recv func(mem.BufferSlice) error
}

func (rawCodec) Name() string { return grpcproto.Name }

func (rawCodec) Marshal(v any) (mem.BufferSlice, error) {
	m, ok := v.(rawMessage)
	if !ok {
		return nil, fmt.Errorf("jaeger: cannot send a %T over api_v3", v)
	}
	return mem.BufferSlice{mem.SliceBuffer(m)}, nil
}

func (c rawCodec) Unmarshal(data mem.BufferSlice, _ any) error { return c.recv(data) }

// withBytes calls f with the bytes of data, valid during the call: copied
// into a pooled buffer when they are in more than one.
func withBytes(data mem.BufferSlice, f func([]byte) error) error {
	if len(data) == 1 {
		return f(data[0].ReadOnlyData())
	}
	buf := data.MaterializeToBuffer(mem.DefaultBufferPool())
	defer buf.Free()
	return f(buf.ReadOnlyData())
}

// callOptions are the options of one call whose answers go to recv.
func (a *grpcV3API) callOptions(recv func(mem.BufferSlice) error) []grpc.CallOption {
	opts := []grpc.CallOption{grpc.ForceCodecV2(rawCodec{recv: recv}), grpc.MaxCallRecvMsgSize(maxRecv(a.maxBytes))}
	if a.gzip {
		opts = append(opts, grpc.UseCompressor(gzip.Name))
	}
	return opts
}

func maxRecv(n int64) int {
	if n <= 0 || n > math.MaxInt32 {
		return math.MaxInt32
	}
	return int(n)
}

// v3Err maps a gRPC error of api_v3: Unimplemented means the server has
// no api_v3 (errNoAPI), a message over the receive size is the cap.
func (a *grpcV3API) v3Err(err error, what string) error {
	switch status.Code(err) {
	case codes.Unimplemented:
		return errNoAPI
	case codes.ResourceExhausted:
		if strings.Contains(status.Convert(err).Message(), "larger than max") {
			return fmt.Errorf("%s: %w", what, capError(a.maxBytes))
		}
	}
	return grpcErr(err, what)
}

// capError is the error of a gRPC answer over the trace cap n.
func capError(n int64) error {
	return &config.AnswerTooLargeError{What: "the gRPC answer", Kind: config.TraceAnswer, Limit: n}
}

// traces calls a method that streams TracesData and reads the stream into
// traces, the answer under the cap as a whole.
func (a *grpcV3API) traces(ctx context.Context, method string, req []byte, what string) ([]*sources.Trace, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var dec otlp.ProtobufDecoder
	defer dec.Reset()
	var total int64
	var readErr error
	// the wait for the first message readies the memory the answer will
	// fill (in a one-shot command's first call)
	stopWarming := heapwarm.Start(true)
	defer stopWarming()
	recv := func(data mem.BufferSlice) error {
		stopWarming()
		total += int64(data.Len())
		if a.maxBytes > 0 && total > a.maxBytes {
			readErr = capError(a.maxBytes)
		} else if err := withBytes(data, dec.Message); err != nil {
			readErr = fmt.Errorf("malformed api_v3 answer: %w", err)
		}
		return readErr
	}
	stream, err := a.conn.NewStream(ctx, &grpc.StreamDesc{ServerStreams: true}, v3Service+method, a.callOptions(recv)...)
	if err != nil {
		return nil, a.v3Err(err, what)
	}
	if err := stream.SendMsg(rawMessage(req)); err != nil && !errors.Is(err, io.EOF) {
		return nil, a.v3Err(err, what)
	}
	if err := stream.CloseSend(); err != nil {
		return nil, a.v3Err(err, what)
	}
	for {
		err := stream.RecvMsg(nil)
		if readErr != nil {
			return nil, fmt.Errorf("%s: %w", what, readErr)
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, a.v3Err(err, what)
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return dec.Traces(), nil
}

// unary calls a method with one answer, read by read.
func (a *grpcV3API) unary(ctx context.Context, method string, req []byte, what string, read func([]byte) error) error {
	var readErr error
	recv := func(data mem.BufferSlice) error {
		if readErr = withBytes(data, read); readErr != nil {
			readErr = fmt.Errorf("malformed api_v3 answer: %w", readErr)
		}
		return readErr
	}
	err := a.conn.Invoke(ctx, v3Service+method, rawMessage(req), nil, a.callOptions(recv)...)
	if readErr != nil {
		return fmt.Errorf("%s: %w", what, readErr)
	}
	if err != nil {
		return a.v3Err(err, what)
	}
	return nil
}

func (a *grpcV3API) trace(ctx context.Context, id sources.TraceID) (*sources.Trace, error) {
	what := "trace " + string(id)
	// GetTraceRequest{trace_id = 1}
	req := protowire.AppendTag(nil, 1, protowire.BytesType)
	req = protowire.AppendString(req, string(id))
	ts, err := a.traces(ctx, "GetTrace", req, what)
	if err != nil {
		return nil, err
	}
	for _, t := range ts {
		if t.ID == id {
			return t, nil
		}
	}
	return nil, fmt.Errorf("%s: %w", what, sources.ErrNotFound)
}

func (a *grpcV3API) find(ctx context.Context, q sources.TraceQuery) ([]*sources.Trace, error) {
	// FindTracesRequest{query = 1: TraceQueryParameters}
	var p []byte
	p = appendString(p, 1, q.Service)
	p = appendString(p, 2, q.Operation)
	for _, k := range slices.Sorted(maps.Keys(q.Tags)) {
		var e []byte
		e = appendString(e, 1, k)
		e = appendString(e, 2, q.Tags[k])
		p = protowire.AppendTag(p, 3, protowire.BytesType)
		p = protowire.AppendBytes(p, e)
	}
	p = appendTimestamp(p, 4, q.Range.From)
	p = appendTimestamp(p, 5, q.Range.To)
	p = appendDuration(p, 6, q.MinDuration)
	p = appendDuration(p, 7, q.MaxDuration)
	p = protowire.AppendTag(p, 8, protowire.VarintType)
	p = protowire.AppendVarint(p, uint64(limitOf(q)))
	req := protowire.AppendTag(nil, 1, protowire.BytesType)
	req = protowire.AppendBytes(req, p)
	ts, err := a.traces(ctx, "FindTraces", req, "search")
	if errors.Is(err, sources.ErrNotFound) {
		return nil, nil
	}
	return ts, err
}

func (a *grpcV3API) services(ctx context.Context) ([]string, error) {
	var out []string
	// GetServicesResponse{repeated string services = 1}
	err := a.unary(ctx, "GetServices", nil, "services", func(b []byte) error {
		return eachBytes(b, 1, func(v []byte) error {
			out = append(out, string(v))
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	return uniqueSorted(out), nil
}

func (a *grpcV3API) operations(ctx context.Context, service string) ([]string, error) {
	var out []string
	// GetOperationsResponse{repeated Operation operations = 1}, Operation{name = 1}
	err := a.unary(ctx, "GetOperations", appendString(nil, 1, service), "operations of "+service, func(b []byte) error {
		return eachBytes(b, 1, func(op []byte) error {
			return eachBytes(op, 1, func(name []byte) error {
				out = append(out, string(name))
				return nil
			})
		})
	})
	if err != nil {
		return nil, err
	}
	return uniqueSorted(out), nil
}

func appendString(b []byte, num protowire.Number, s string) []byte {
	if s == "" {
		return b
	}
	b = protowire.AppendTag(b, num, protowire.BytesType)
	return protowire.AppendString(b, s)
}

// appendTimestamp writes a google.protobuf.Timestamp, none for the zero
// time.
func appendTimestamp(b []byte, num protowire.Number, t time.Time) []byte {
	if t.IsZero() {
		return b
	}
	return appendSecondsNanos(b, num, t.Unix(), int64(t.Nanosecond()))
}

// appendDuration writes a google.protobuf.Duration, none for 0.
func appendDuration(b []byte, num protowire.Number, d time.Duration) []byte {
	if d == 0 {
		return b
	}
	return appendSecondsNanos(b, num, int64(d/time.Second), int64(d%time.Second))
}

func appendSecondsNanos(b []byte, num protowire.Number, sec, nanos int64) []byte {
	var m []byte
	if sec != 0 {
		m = protowire.AppendTag(m, 1, protowire.VarintType)
		m = protowire.AppendVarint(m, uint64(sec))
	}
	if nanos != 0 {
		m = protowire.AppendTag(m, 2, protowire.VarintType)
		m = protowire.AppendVarint(m, uint64(nanos))
	}
	b = protowire.AppendTag(b, num, protowire.BytesType)
	return protowire.AppendBytes(b, m)
}

// eachBytes calls f with every length-delimited field num of a message.
func eachBytes(b []byte, num protowire.Number, f func([]byte) error) error {
	for len(b) > 0 {
		n, typ, l := protowire.ConsumeTag(b)
		if l < 0 {
			return protowire.ParseError(l)
		}
		b = b[l:]
		l = protowire.ConsumeFieldValue(n, typ, b)
		if l < 0 {
			return protowire.ParseError(l)
		}
		if n == num && typ == protowire.BytesType {
			v, _ := protowire.ConsumeBytes(b)
			if err := f(v); err != nil {
				return err
			}
		}
		b = b[l:]
	}
	return nil
}

// useGzip tells whether to ask for gzipped answers by default: not on
// loopback, where compressing costs the server more time than the bytes
// saved take to cross.
func useGzip(host string) bool {
	h, _, err := net.SplitHostPort(host)
	if err != nil {
		h = host
	}
	if h == "localhost" || strings.HasSuffix(h, ".localhost") {
		return false
	}
	ip := net.ParseIP(strings.Trim(h, "[]"))
	return ip == nil || !ip.IsLoopback()
}
