package fuzz

import (
	"bytes"
	"context"
	"net"
	"testing"
	"time"

	"github.com/jaegertracing/jaeger-idl/model/v1"
	"github.com/jaegertracing/jaeger-idl/proto-gen/api_v2"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	grpcproto "google.golang.org/grpc/encoding/proto"
	"google.golang.org/grpc/mem"
	"google.golang.org/grpc/status"
	"google.golang.org/grpc/test/bufconn"

	"github.com/telx-cli/telx/internal/fuzzcheck"
	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/sources/jaeger"
)

const traceID = sources.TraceID("4bf92f3577b34da6a3ce929d0e0e4736")

// FuzzDecodeUIJSON reads any bytes as Jaeger UI JSON: no panic, and what
// it reads is in the model's normal form.
func FuzzDecodeUIJSON(f *testing.F) {
	for _, b := range fuzzcheck.Recorded(f, "jaeger-api-trace.json") {
		f.Add(b)
	}
	for _, s := range []string{
		`{"data":[{"traceID":"a3ce929d0e0e4736","spans":[{"traceID":"a3ce929d0e0e4736","spanID":"01","operationName":"op","startTime":1,"duration":8000000000000000,"processID":"p1","references":[{"refType":"FOLLOWS_FROM","traceID":"a3ce929d0e0e4736","spanID":"02"}],"tags":[{"key":"error","type":"bool","value":true},{"key":"n","value":"7","type":"int64"}],"logs":[{"timestamp":2,"fields":[{"key":"event","type":"string","value":"x"}]}]}],"processes":{"p1":{"serviceName":"svc","tags":[{"key":"f","type":"float64","value":1.5}]}},"warnings":["w"]}]}`,
		`{"data":[{"spans":[{"traceID":"1","spanID":"2","parentSpanID":"3","process":{"serviceName":"embedded"},"startTime":-1,"duration":-5}]}]}`,
		`{"data":[]}`, `{"data":null}`, `[]`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		ts, err := jaeger.DecodeUIJSON(bytes.NewReader(doc))
		fuzzcheck.Error(t, err)
		if err == nil {
			fuzzcheck.Traces(t, ts)
		}
	})
}

// FuzzHTTPAnswer answers every call of an HTTP client (/api/v3, then
// /api) with any status and body: no panic, every result in normal form,
// every error naming no control character of the answer.
func FuzzHTTPAnswer(f *testing.F) {
	for _, b := range fuzzcheck.Recorded(f, "jaeger-api*.json") {
		if len(b) < 64<<10 {
			f.Add(byte(0), b)
		}
	}
	f.Add(byte(10), []byte(`{"error":{"httpCode":404,"message":"trace not found"}}`))
	f.Add(byte(10), []byte("404 page not found\n\x1b[2J"))
	f.Add(byte(14), []byte("<html>\x1b]0;pwned\x07</html>"))
	f.Add(byte(0), []byte(`{"services":["a","b","a"],"data":["x"],"operations":[{"name":"GET /"}]}`))
	f.Fuzz(func(t *testing.T, code byte, body []byte) {
		ans := &fuzzcheck.Answer{Status: fuzzcheck.StatusOf(code), Body: body}
		ctx := context.Background()
		for _, proto := range []string{jaeger.ProtocolHTTP, jaeger.ProtocolV1} {
			c, err := jaeger.New(jaeger.Options{URL: "http://jaeger.test:16686", Protocol: proto, HTTPClient: ans.Client()})
			if err != nil {
				t.Fatal(err)
			}
			tr, err := c.Trace(ctx, traceID)
			fuzzcheck.Error(t, err)
			if err == nil {
				fuzzcheck.Traces(t, []*sources.Trace{tr})
			}
			ts, err := c.FindTraces(ctx, sources.TraceQuery{Service: "frontend", Limit: 3})
			fuzzcheck.Error(t, err)
			if err == nil {
				fuzzcheck.Traces(t, ts)
				if len(ts) > 3 {
					t.Errorf("%d traces for a limit of 3", len(ts))
				}
			}
			_, err = c.Services(ctx)
			fuzzcheck.Error(t, err)
			_, err = c.Operations(ctx, "frontend")
			fuzzcheck.Error(t, err)
		}
	})
}

// rawCodec is the fuzzed server's codec: a frame is sent as its bytes.
type rawCodec struct{}

type frame struct{ b []byte }

func (rawCodec) Name() string { return grpcproto.Name }
func (rawCodec) Marshal(v any) (mem.BufferSlice, error) {
	return mem.BufferSlice{mem.SliceBuffer(v.(*frame).b)}, nil
}
func (rawCodec) Unmarshal(data mem.BufferSlice, v any) error {
	v.(*frame).b = data.Materialize()
	return nil
}

// answer is what the fuzzed gRPC server sends next: frames, then a
// status. A fuzz worker runs one input at a time.
var answer struct {
	frames [][]byte
	code   codes.Code
	msg    string
}

var grpcClient *jaeger.Client

// client starts, once per process, a gRPC server on an in-memory listener
// that answers every method with the frames of answer, and a client of it.
func client(t testing.TB) *jaeger.Client {
	if grpcClient != nil {
		return grpcClient
	}
	lis := bufconn.Listen(1 << 20)
	srv := grpc.NewServer(grpc.ForceServerCodecV2(rawCodec{}), grpc.UnknownServiceHandler(func(_ any, stream grpc.ServerStream) error {
		var in frame
		if err := stream.RecvMsg(&in); err != nil {
			return err
		}
		for _, b := range answer.frames {
			if err := stream.SendMsg(&frame{b}); err != nil {
				return err
			}
		}
		if answer.code != codes.OK {
			return status.Error(answer.code, answer.msg)
		}
		return nil
	}))
	go srv.Serve(lis)
	c, err := jaeger.New(jaeger.Options{URL: "grpc://127.0.0.1:16685", DialOptions: []grpc.DialOption{
		grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return lis.DialContext(ctx) }),
	}})
	if err != nil {
		t.Fatal(err)
	}
	grpcClient = c
	return c
}

// chunk is a recorded trace as a gRPC api_v2 SpansResponseChunk.
func chunk(f *testing.F, doc []byte) []byte {
	ts, err := jaeger.DecodeUIJSON(bytes.NewReader(doc))
	if err != nil || len(ts) == 0 {
		f.Fatalf("the recorded trace: %v", err)
	}
	kvs := func(as sources.Attrs) []model.KeyValue {
		var out []model.KeyValue
		for _, a := range as {
			switch v := a.Value.(type) {
			case int64:
				out = append(out, model.Int64(a.Key, v))
			case float64:
				out = append(out, model.Float64(a.Key, v))
			case bool:
				out = append(out, model.Bool(a.Key, v))
			default:
				out = append(out, model.String(a.Key, a.String()))
			}
		}
		return out
	}
	var c api_v2.SpansResponseChunk
	for _, s := range ts[0].Spans {
		tid, err := model.TraceIDFromString(string(s.TraceID))
		if err != nil {
			f.Fatal(err)
		}
		sid, err := model.SpanIDFromString(string(s.SpanID))
		if err != nil {
			f.Fatal(err)
		}
		ms := model.Span{TraceID: tid, SpanID: sid, OperationName: s.Operation, StartTime: s.Start, Duration: s.Duration,
			Tags: kvs(s.Attrs), Process: &model.Process{ServiceName: s.Service, Tags: kvs(s.Resource)}, Warnings: s.Warnings}
		if s.ParentID != "" {
			pid, _ := model.SpanIDFromString(string(s.ParentID))
			ms.References = []model.SpanRef{{TraceID: tid, SpanID: pid, RefType: model.SpanRefType_CHILD_OF}}
		}
		for _, e := range s.Events {
			ms.Logs = append(ms.Logs, model.Log{Timestamp: e.Time, Fields: append(kvs(e.Attrs), model.String("event", e.Name))})
		}
		c.Spans = append(c.Spans, ms)
	}
	b, err := c.Marshal()
	if err != nil {
		f.Fatal(err)
	}
	return b
}

// FuzzGRPCAnswer answers every gRPC call of the client with any two
// frames (read as the method's answer: a SpansResponseChunk for traces)
// and a status: no panic, results in normal form, errors without control
// characters from the server's message.
func FuzzGRPCAnswer(f *testing.F) {
	rec := chunk(f, fuzzcheck.Recorded(f, "jaeger-api-trace.json")[0])
	services, _ := (&api_v2.GetServicesResponse{Services: []string{"frontend", "\x1b[31mred"}}).Marshal()
	ops, _ := (&api_v2.GetOperationsResponse{OperationNames: []string{"GET /"}, Operations: []*api_v2.Operation{{Name: "POST /", SpanKind: "server"}}}).Marshal()
	f.Add(rec, []byte(nil), byte(0), "")
	f.Add(rec[:len(rec)/2], rec[len(rec)/2:], byte(0), "")
	f.Add(rec, rec, byte(codes.Internal), "boom\x1b[2J")
	f.Add(services, ops, byte(0), "")
	f.Add([]byte(nil), []byte(nil), byte(codes.NotFound), "trace not found")
	f.Add([]byte(nil), []byte(nil), byte(codes.Unauthenticated), "no token\n\x07")
	f.Fuzz(func(t *testing.T, a, b []byte, code byte, msg string) {
		answer.frames = [][]byte{a}
		if len(b) > 0 {
			answer.frames = append(answer.frames, b)
		}
		answer.code, answer.msg = codes.Code(code%17), msg
		c := client(t)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		tr, err := c.Trace(ctx, traceID)
		fuzzcheck.Error(t, err)
		if ctx.Err() != nil { // a server's DeadlineExceeded status is an answer
			t.Fatalf("no answer in 10s: %v", err)
		}
		if err == nil {
			fuzzcheck.Traces(t, []*sources.Trace{tr})
		}
		ts, err := c.FindTraces(ctx, sources.TraceQuery{Service: "frontend"})
		fuzzcheck.Error(t, err)
		if err == nil {
			fuzzcheck.Traces(t, ts)
		}
		_, err = c.Services(ctx)
		fuzzcheck.Error(t, err)
		_, err = c.Operations(ctx, "frontend")
		fuzzcheck.Error(t, err)
	})
}
