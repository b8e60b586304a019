package jaeger

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"

	"github.com/jaegertracing/jaeger-idl/model/v1"
	"github.com/jaegertracing/jaeger-idl/proto-gen/api_v2"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/encoding"
	"google.golang.org/grpc/encoding/gzip"
	grpcproto "google.golang.org/grpc/encoding/proto"
	"google.golang.org/grpc/mem"
	"google.golang.org/grpc/status"

	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/sources/config"
)

// grpcAPI is the gRPC api_v2 QueryService: Jaeger's own model, in chunks
// of spans.
type grpcAPI struct {
	client   api_v2.QueryServiceClient
	maxBytes int64
	gzip     bool
}

// newGRPC returns the api_v3 and api_v2 clients of one connection to u.
func newGRPC(u *url.URL, opts Options) (*grpcV3API, *grpcAPI, error) {
	dial := []grpc.DialOption{grpc.WithDefaultCallOptions(grpc.ForceCodecV2(gogoCodec{}))}
	if u.Scheme != "grpcs" {
		dial = append(dial, grpc.WithTransportCredentials(insecure.NewCredentials()))
	}
	conn, err := grpc.NewClient(u.Host, append(dial, opts.DialOptions...)...)
	if err != nil {
		return nil, nil, err
	}
	maxBytes := opts.Limits.Cap(config.TraceAnswer)
	gz := useGzip(u.Host)
	switch opts.GRPCCompression {
	case "gzip":
		gz = true
	case "none":
		gz = false
	}
	return &grpcV3API{conn: conn, maxBytes: maxBytes, gzip: gz},
		&grpcAPI{client: api_v2.NewQueryServiceClient(conn), maxBytes: maxBytes, gzip: gz}, nil
}

func (*grpcAPI) name() string { return "gRPC api_v2" }

// callOptions count what a call receives into *total, over the cap
// setting *over, and ask for gzip when the client does.
func (a *grpcAPI) callOptions(total *int64, over *bool) []grpc.CallOption {
	opts := []grpc.CallOption{grpc.MaxCallRecvMsgSize(maxRecv(a.maxBytes)), grpc.ForceCodecV2(countingCodec{total: total, over: over, max: a.maxBytes})}
	if a.gzip {
		opts = append(opts, grpc.UseCompressor(gzip.Name))
	}
	return opts
}

// countingCodec is gogoCodec that counts the bytes received.
type countingCodec struct {
	gogoCodec
	total *int64
	over  *bool
	max   int64
}

func (c countingCodec) Unmarshal(data mem.BufferSlice, v any) error {
	*c.total += int64(data.Len())
	if c.max > 0 && *c.total > c.max {
		*c.over = true
		return capError(c.max)
	}
	return c.gogoCodec.Unmarshal(data, v)
}

// gogoCodec marshals jaeger-idl's messages, which are gogo-protobuf
// types that grpc-go's default codec cannot handle, with their own
// methods, and everything else with the default codec. It is set on the
// client's connection only.
type gogoCodec struct{}

type gogoMessage interface {
	Marshal() ([]byte, error)
	Unmarshal([]byte) error
}

func (gogoCodec) Name() string { return grpcproto.Name }

func (gogoCodec) Marshal(v any) (mem.BufferSlice, error) {
	if m, ok := v.(gogoMessage); ok {
		b, err := m.Marshal()
		return mem.BufferSlice{mem.SliceBuffer(b)}, err
	}
	return encoding.GetCodecV2(grpcproto.Name).Marshal(v)
}

func (gogoCodec) Unmarshal(data mem.BufferSlice, v any) error {
	if m, ok := v.(gogoMessage); ok {
		return m.Unmarshal(data.Materialize())
	}
	return encoding.GetCodecV2(grpcproto.Name).Unmarshal(data, v)
}

// grpcErr maps gRPC status codes to telx's errors. The server's message
// is sanitised: it reaches the terminal.
func grpcErr(err error, what string) error {
	switch status.Code(err) {
	case codes.NotFound:
		return fmt.Errorf("%s: %w", what, sources.ErrNotFound)
	case codes.Unauthenticated, codes.PermissionDenied:
		return fmt.Errorf("%s: %s: %w", what, sources.Sanitize(status.Convert(err).Message()), sources.ErrAuth)
	}
	return sources.SanitizeError(err)
}

// v2Err maps a gRPC error of api_v2: a message over the receive size, or
// an answer over the cap, is the cap.
func (a *grpcAPI) v2Err(err error, over bool, what string) error {
	if over || status.Code(err) == codes.ResourceExhausted && strings.Contains(status.Convert(err).Message(), "larger than max") {
		return fmt.Errorf("%s: %w", what, capError(a.maxBytes))
	}
	return grpcErr(err, what)
}

type chunkStream interface {
	Recv() (*api_v2.SpansResponseChunk, error)
}

// collect reads a stream of span chunks into traces, in the order trace
// IDs first appear.
func (a *grpcAPI) collect(stream chunkStream, over *bool, what string) ([]*sources.Trace, error) {
	byID := map[sources.TraceID][]jspan{}
	var order []sources.TraceID
	for {
		chunk, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, a.v2Err(err, *over, what)
		}
		for i := range chunk.Spans {
			s := &chunk.Spans[i]
			j := fromModel(s)
			tid, err := sources.ParseTraceID(j.traceID)
			if err != nil {
				return nil, fmt.Errorf("span %s: %w", j.spanID, err)
			}
			if _, ok := byID[tid]; !ok {
				order = append(order, tid)
			}
			byID[tid] = append(byID[tid], j)
		}
	}
	out := make([]*sources.Trace, 0, len(order))
	for _, id := range order {
		out = append(out, toTrace(id, byID[id], nil))
	}
	return out, nil
}

func fromModel(s *model.Span) jspan {
	j := jspan{
		traceID:   fmt.Sprintf("%016x%016x", s.TraceID.High, s.TraceID.Low),
		spanID:    fmt.Sprintf("%016x", uint64(s.SpanID)),
		operation: s.OperationName,
		start:     s.StartTime,
		duration:  s.Duration,
		tags:      modelKVs(s.Tags),
		warnings:  s.Warnings,
	}
	if s.Process != nil {
		j.service = s.Process.ServiceName
		j.process = modelKVs(s.Process.Tags)
	}
	for _, r := range s.References {
		typ := "CHILD_OF"
		if r.RefType == model.SpanRefType_FOLLOWS_FROM {
			typ = "FOLLOWS_FROM"
		}
		j.refs = append(j.refs, jref{typ: typ, traceID: fmt.Sprintf("%016x%016x", r.TraceID.High, r.TraceID.Low), spanID: fmt.Sprintf("%016x", uint64(r.SpanID))})
	}
	for _, l := range s.Logs {
		j.logs = append(j.logs, jlog{time: l.Timestamp, fields: modelKVs(l.Fields)})
	}
	return j
}

func modelKVs(kvs []model.KeyValue) []sources.Attr {
	if len(kvs) == 0 {
		return nil
	}
	out := make([]sources.Attr, 0, len(kvs))
	for i := range kvs {
		kv := &kvs[i]
		var v any
		switch kv.VType {
		case model.ValueType_BOOL:
			v = kv.VBool
		case model.ValueType_INT64:
			v = kv.VInt64
		case model.ValueType_FLOAT64:
			v = kv.VFloat64
		case model.ValueType_BINARY:
			v = kv.AsString()
		default:
			v = kv.VStr
		}
		out = append(out, sources.Attr{Key: kv.Key, Value: v})
	}
	return out
}

func (a *grpcAPI) trace(ctx context.Context, id sources.TraceID) (*sources.Trace, error) {
	mid, err := model.TraceIDFromString(string(id))
	if err != nil {
		return nil, err
	}
	var total int64
	var over bool
	stream, err := a.client.GetTrace(ctx, &api_v2.GetTraceRequest{TraceID: mid}, a.callOptions(&total, &over)...)
	if err != nil {
		return nil, a.v2Err(err, over, "trace "+string(id))
	}
	ts, err := a.collect(stream, &over, "trace "+string(id))
	if err != nil {
		return nil, err
	}
	if len(ts) == 0 {
		return nil, fmt.Errorf("trace %s: %w", id, sources.ErrNotFound)
	}
	return ts[0], nil
}

func (a *grpcAPI) find(ctx context.Context, q sources.TraceQuery) ([]*sources.Trace, error) {
	var total int64
	var over bool
	stream, err := a.client.FindTraces(ctx, &api_v2.FindTracesRequest{Query: &api_v2.TraceQueryParameters{
		ServiceName:   q.Service,
		OperationName: q.Operation,
		Tags:          q.Tags,
		StartTimeMin:  q.Range.From,
		StartTimeMax:  q.Range.To,
		DurationMin:   q.MinDuration,
		DurationMax:   q.MaxDuration,
		SearchDepth:   int32(limitOf(q)),
	}}, a.callOptions(&total, &over)...)
	if err != nil {
		return nil, a.v2Err(err, over, "search")
	}
	ts, err := a.collect(stream, &over, "search")
	if errors.Is(err, sources.ErrNotFound) {
		return nil, nil
	}
	return ts, err
}

func (a *grpcAPI) services(ctx context.Context) ([]string, error) {
	var total int64
	var over bool
	res, err := a.client.GetServices(ctx, &api_v2.GetServicesRequest{}, a.callOptions(&total, &over)...)
	if err != nil {
		return nil, a.v2Err(err, over, "services")
	}
	return uniqueSorted(res.Services), nil
}

func (a *grpcAPI) operations(ctx context.Context, service string) ([]string, error) {
	var total int64
	var over bool
	res, err := a.client.GetOperations(ctx, &api_v2.GetOperationsRequest{Service: service}, a.callOptions(&total, &over)...)
	if err != nil {
		return nil, a.v2Err(err, over, "operations of "+service)
	}
	ops := append([]string(nil), res.OperationNames...)
	for _, o := range res.Operations {
		ops = append(ops, o.Name)
	}
	return uniqueSorted(ops), nil
}
