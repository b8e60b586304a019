package jaeger

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	common "go.opentelemetry.io/proto/otlp/common/v1"
	resource "go.opentelemetry.io/proto/otlp/resource/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/mem"
	"google.golang.org/grpc/stats"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/sources/config"
	"github.com/telx-cli/telx/sources/demo"
	"github.com/telx-cli/telx/test/harness"
)

// richTraceID is the trace pushRichTrace sends: what the scenario's
// traces lack (links with attributes, values of every kind, event
// attributes, status messages, resource attributes of several types).
const richTraceID = sources.TraceID("7e1a000000000000000000000000beef")

var richOnce sync.Once

// pushRichTrace sends the rich trace to the shared Jaeger, once, three
// hours before the scenario's window so that its searches do not see it,
// and waits until Jaeger has it. Its spans are the frontend's, whose
// operations no test counts.
func pushRichTrace(t *testing.T, env *harness.Env) {
	t.Helper()
	var err error
	richOnce.Do(func() { err = doPushRichTrace(env) })
	if err != nil {
		t.Fatal(err)
	}
}

func doPushRichTrace(env *harness.Env) error {
	t0 := uint64(env.Scenario.Window.From.Add(-3 * time.Hour).UnixNano())
	str := func(s string) *common.AnyValue {
		return &common.AnyValue{Value: &common.AnyValue_StringValue{StringValue: s}}
	}
	kv := func(k string, v *common.AnyValue) *common.KeyValue { return &common.KeyValue{Key: k, Value: v} }
	id := func(s string) []byte {
		b := make([]byte, len(s)/2)
		for i := range b {
			b[i] = unhex(s[2*i])<<4 | unhex(s[2*i+1])
		}
		return b
	}
	tid := id(string(richTraceID))
	root := &tracepb.Span{TraceId: tid, SpanId: id("00000000000000a1"), Name: "rich-root", Kind: tracepb.Span_SPAN_KIND_SERVER,
		StartTimeUnixNano: t0, EndTimeUnixNano: t0 + 9_000_000,
		Attributes: []*common.KeyValue{kv("http.route", str("/rich")), kv("z.int", &common.AnyValue{Value: &common.AnyValue_IntValue{IntValue: -7}})},
		Status:     &tracepb.Status{Code: tracepb.Status_STATUS_CODE_OK}}
	child := &tracepb.Span{TraceId: tid, SpanId: id("00000000000000a2"), ParentSpanId: id("00000000000000a1"), Name: "rich-child",
		Kind: tracepb.Span_SPAN_KIND_CLIENT, StartTimeUnixNano: t0 + 1_000_123, EndTimeUnixNano: t0 + 4_000_999,
		Attributes: []*common.KeyValue{
			kv("a.bool", &common.AnyValue{Value: &common.AnyValue_BoolValue{BoolValue: true}}),
			kv("a.double", &common.AnyValue{Value: &common.AnyValue_DoubleValue{DoubleValue: 2.5}}),
			kv("a.list", &common.AnyValue{Value: &common.AnyValue_ArrayValue{ArrayValue: &common.ArrayValue{Values: []*common.AnyValue{str("x"), str("y")}}}}),
			kv("a.map", &common.AnyValue{Value: &common.AnyValue_KvlistValue{KvlistValue: &common.KeyValueList{Values: []*common.KeyValue{kv("k", str("v"))}}}}),
			kv("a.bytes", &common.AnyValue{Value: &common.AnyValue_BytesValue{BytesValue: []byte{0, 1, 0xfe}}}),
			kv("db.statement", str(strings.Repeat("SELECT 1; ", 20))),
		},
		Events: []*tracepb.Span_Event{
			{TimeUnixNano: t0 + 2_000_000, Name: "retry", Attributes: []*common.KeyValue{kv("attempt", &common.AnyValue{Value: &common.AnyValue_IntValue{IntValue: 2}}), kv("why", str("timeout"))}},
			{TimeUnixNano: t0 + 3_000_000, Name: "gave up"},
		},
		Links: []*tracepb.Span_Link{
			{TraceId: id("0000000000000000000000000000cafe"), SpanId: id("00000000000000c1"), Attributes: []*common.KeyValue{kv("link.kind", str("batch"))}},
			{TraceId: id("0000000000000000000000000000f00d"), SpanId: id("00000000000000c2"), Attributes: []*common.KeyValue{kv("opentracing.ref_type", str("child_of"))}},
		},
		Status: &tracepb.Status{Code: tracepb.Status_STATUS_CODE_ERROR, Message: "upstream said no"}}
	body, err := proto.Marshal(&tracepb.TracesData{ResourceSpans: []*tracepb.ResourceSpans{
		{Resource: &resource.Resource{Attributes: []*common.KeyValue{kv("service.name", str(demo.Frontend)), kv("host.name", str("rich-host")),
			kv("process.pid", &common.AnyValue{Value: &common.AnyValue_IntValue{IntValue: 4242}})}},
			ScopeSpans: []*tracepb.ScopeSpans{{Scope: &common.InstrumentationScope{Name: "rich"}, Spans: []*tracepb.Span{root}}}},
		{Resource: &resource.Resource{Attributes: []*common.KeyValue{kv("service.name", str(demo.Frontend))}},
			ScopeSpans: []*tracepb.ScopeSpans{{Spans: []*tracepb.Span{child}}}},
	}})
	if err != nil {
		return err
	}
	resp, err := http.Post(env.JaegerOTLP, "application/x-protobuf", bytes.NewReader(body))
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return errors.New("OTLP push: " + resp.Status)
	}
	c, err := New(Options{URL: env.JaegerURL, Protocol: ProtocolV3})
	if err != nil {
		return err
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		tr, err := c.Trace(context.Background(), richTraceID)
		if err == nil && len(tr.Spans) == 2 {
			return nil
		}
		if time.Now().After(deadline) {
			return errors.New("the rich trace did not reach Jaeger: " + errString(err))
		}
	}
}

func unhex(c byte) byte {
	if c >= 'a' {
		return c - 'a' + 10
	}
	return c - '0'
}

func errString(err error) string {
	if err == nil {
		return "no error, but not both spans"
	}
	return err.Error()
}

// The rich trace reads the same over gRPC api_v3 and HTTP /api/v3, in
// every part of the model, and over api_v2 as far as Jaeger's own model
// carries it.
func TestRichTraceOverGRPC(t *testing.T) {
	env := harness.Shared(t)
	pushRichTrace(t, env)
	ctx := context.Background()
	cs := clients(t, env)
	got := map[string]*sources.Trace{}
	for _, name := range []string{"v3", "grpc", "grpc-v2"} {
		tr, err := cs[name].Trace(ctx, richTraceID)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		got[name] = tr
	}
	if api := cs["grpc"].API(); api != "gRPC api_v3" {
		t.Errorf("grpc:// went over %s", api)
	}
	if !reflect.DeepEqual(got["v3"], got["grpc"]) {
		diffTraces(t, "v3", got["v3"], "grpc", got["grpc"])
	}
	child := got["grpc"].Span("00000000000000a2")
	if child == nil {
		t.Fatalf("no child span in %+v", got["grpc"])
	}
	// what was sent is what came back
	checks := []struct {
		what      string
		got, want any
	}{
		{"service", child.Service, demo.Frontend},
		{"parent", child.ParentID, sources.SpanID("00000000000000a1")},
		{"kind", child.Kind, sources.KindClient},
		{"status", child.Status, sources.Status{Code: sources.StatusError, Message: "upstream said no"}},
		{"start", child.Start.Equal(got["grpc"].Span("00000000000000a1").Start.Add(1000 * time.Microsecond)), true},
		{"duration", child.Duration, 3000 * time.Microsecond},
		{"bool", child.Attrs.GetString("a.bool"), "true"},
		{"double", child.Attrs.GetString("a.double"), "2.5"},
		{"bytes", child.Attrs.GetString("a.bytes"), "AAH+"},
		{"events", len(child.Events), 2},
		{"event", fmt.Sprint(eventsByName(child)["retry"].Time.Sub(child.Start)), "1ms"},
		{"event attributes", eventsByName(child)["retry"].Attrs, sources.Attrs{{Key: "attempt", Value: int64(2)}, {Key: "why", Value: "timeout"}}},
		{"event without attributes", eventsByName(child)["gave up"].Attrs, sources.Attrs(nil)},
		{"links", len(child.Links), 2},
		{"link", child.Links[0], sources.SpanRef{Type: sources.RefFollowsFrom, TraceID: "0000000000000000000000000000cafe", SpanID: "00000000000000c1",
			Attrs: sources.Attrs{{Key: "link.kind", Value: "batch"}}}},
		{"a reference's type", child.Links[1], sources.SpanRef{Type: sources.RefChildOf, TraceID: "0000000000000000000000000000f00d", SpanID: "00000000000000c2"}},
		{"resource", got["grpc"].Span("00000000000000a1").Resource.GetString("process.pid"), "4242"},
	}
	for _, c := range checks {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s: got %v, want %v", c.what, c.got, c.want)
		}
	}
	if v, _ := child.Attrs.Get("a.list"); !reflect.DeepEqual(v, []any{"x", "y"}) {
		t.Errorf("list attribute: %#v", v)
	}
	if v, _ := child.Attrs.Get("a.map"); !reflect.DeepEqual(v, map[string]any{"k": "v"}) {
		t.Errorf("map attribute: %#v", v)
	}

	// api_v2: Jaeger's model has no list, map or bytes values (Jaeger
	// writes them as JSON text or binary tags), and links become
	// references without attributes. The rest is the same.
	v2 := got["grpc-v2"]
	if len(v2.Spans) != len(got["grpc"].Spans) {
		t.Fatalf("api_v2: %d spans", len(v2.Spans))
	}
	for i := range v2.Spans {
		a, b := got["grpc"].Spans[i], v2.Spans[i]
		for _, k := range []string{"a.list", "a.map", "a.bytes"} {
			_, inV3 := a.Attrs.Get(k)
			if _, inV2 := b.Attrs.Get(k); inV3 != inV2 {
				t.Errorf("span %s: attribute %s in api_v3 %v, in api_v2 %v", b.SpanID, k, inV3, inV2)
			}
		}
		a.Attrs, b.Attrs = withoutKeys(a.Attrs, "a.list", "a.map", "a.bytes"), withoutKeys(b.Attrs, "a.list", "a.map", "a.bytes")
		for j := range a.Links {
			a.Links[j].Attrs = nil
		}
		if !reflect.DeepEqual(a, b) {
			t.Errorf("span %d:\napi_v3 %+v\napi_v2 %+v", i, a, b)
		}
	}
}

// eventsByName: Jaeger gives a span's events in no promised order (the
// memory store answers them last first).
func eventsByName(s *sources.Span) map[string]sources.Event {
	out := map[string]sources.Event{}
	for _, e := range s.Events {
		out[e.Name] = e
	}
	return out
}

func withoutKeys(as sources.Attrs, keys ...string) sources.Attrs {
	var out sources.Attrs
	for _, a := range as {
		drop := false
		for _, k := range keys {
			drop = drop || a.Key == k
		}
		if !drop {
			out = append(out, a)
		}
	}
	return out
}

// v3Refuser is a gRPC server that forwards api_v2 to the real Jaeger and
// answers api_v3 Unimplemented, as a Jaeger without api_v3 does (grpc-go's
// answer to a service it does not have). It returns its address.
func v3Refuser(t *testing.T, jaeger string) (addr string, v3Calls *int) {
	t.Helper()
	conn, err := grpc.NewClient(jaeger, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	var mu sync.Mutex
	calls := new(int)
	srv := grpc.NewServer(grpc.ForceServerCodecV2(frameCodec{}), grpc.UnknownServiceHandler(func(_ any, in grpc.ServerStream) error {
		method, _ := grpc.MethodFromServerStream(in)
		if strings.HasPrefix(method, "/jaeger.api_v3.") {
			mu.Lock()
			*calls++
			mu.Unlock()
			return status.Errorf(codes.Unimplemented, "unknown service jaeger.api_v3.QueryService")
		}
		out, err := conn.NewStream(in.Context(), &grpc.StreamDesc{ServerStreams: true, ClientStreams: true}, method, grpc.ForceCodecV2(frameCodec{}))
		if err != nil {
			return err
		}
		var req []byte
		if err := in.RecvMsg(&req); err != nil {
			return err
		}
		if err := out.SendMsg(&req); err != nil {
			return err
		}
		if err := out.CloseSend(); err != nil {
			return err
		}
		for {
			var m []byte
			if err := out.RecvMsg(&m); errors.Is(err, io.EOF) {
				return nil
			} else if err != nil {
				return err
			}
			if err := in.SendMsg(&m); err != nil {
				return err
			}
		}
	}))
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(srv.Stop)
	return l.Addr().String(), calls
}

// frameCodec passes messages through as bytes.
type frameCodec struct{}

func (frameCodec) Name() string { return "proto" }
func (frameCodec) Marshal(v any) (mem.BufferSlice, error) {
	return mem.BufferSlice{mem.SliceBuffer(*v.(*[]byte))}, nil
}
func (frameCodec) Unmarshal(data mem.BufferSlice, v any) error {
	*v.(*[]byte) = data.Materialize()
	return nil
}

// A server without api_v3 is read over api_v2, from the first call on,
// with the same traces.
func TestGRPCFallsBackToV2(t *testing.T) {
	env := harness.Shared(t)
	ctx := context.Background()
	addr, v3Calls := v3Refuser(t, env.JaegerGRPC)
	want, err := clients(t, env)["grpc"].Trace(ctx, env.Scenario.BigTraceID)
	if err != nil {
		t.Fatal(err)
	}
	c, err := New(Options{URL: "grpc://" + addr})
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.Trace(ctx, env.Scenario.BigTraceID)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		diffTraces(t, "api_v2 through the fallback", got, "api_v3", want)
	}
	if api := c.API(); api != "gRPC api_v2" {
		t.Errorf("API() = %s after the fallback", api)
	}
	if svcs, err := c.Services(ctx); err != nil || len(svcs) != len(demo.Services) {
		t.Errorf("services after the fallback: %v, %v", svcs, err)
	}
	if *v3Calls != 1 {
		t.Errorf("api_v3 was asked %d times, want once", *v3Calls)
	}
	// a message past the cap over api_v2 (chunks of 10 spans), and a whole
	// answer past it
	for _, max := range []int64{100, 64 << 10} {
		c, _ := New(Options{URL: "grpc://" + addr, Limits: config.Limits{TraceAnswer: config.ByteSize(max)}})
		_, err := c.Trace(ctx, env.Scenario.BigTraceID)
		checkCapError(t, err, "grpc://"+addr, "gRPC api_v2", max)
	}
}

func checkCapError(t *testing.T, err error, url, api string, max int64) {
	t.Helper()
	var be *sources.BackendError
	var tl *config.AnswerTooLargeError
	if !errors.As(err, &be) || !errors.As(err, &tl) {
		t.Fatalf("cap %d: error %v (%T), want a BackendError of an AnswerTooLargeError", max, err, err)
	}
	if tl.Limit != max || tl.Kind != config.TraceAnswer {
		t.Errorf("cap %d: the error names the cap %d of %s", max, tl.Limit, tl.Kind)
	}
	msg := err.Error()
	for _, want := range []string{"jaeger at " + url, api, "is larger than " + config.ByteSize(max).String(), "hint: read larger answers with --max-answer"} {
		if !strings.Contains(msg, want) {
			t.Errorf("cap %d: %q does not say %q", max, msg, want)
		}
	}
}

// An answer over the trace cap is refused, whether one message (over the
// receive size) or the whole stream is too big.
func TestGRPCAnswerCap(t *testing.T) {
	env := harness.Shared(t)
	ctx := context.Background()
	u := "grpc://" + env.JaegerGRPC
	for _, max := range []int64{100, 64 << 10} {
		c, _ := New(Options{URL: u, Limits: config.Limits{TraceAnswer: config.ByteSize(max)}})
		_, err := c.Trace(ctx, env.Scenario.BigTraceID)
		checkCapError(t, err, u, "gRPC api_v3", max)
		if c.API() != "gRPC api_v3" {
			t.Errorf("the cap made the client fall back to %s", c.API())
		}
	}
	// the same cap is enough for a small trace
	c, _ := New(Options{URL: u, Limits: config.Limits{TraceAnswer: 64 << 10}})
	if _, err := c.Trace(ctx, env.Scenario.Traces[5].ID); err != nil {
		t.Errorf("small trace under a 64 KB cap: %v", err)
	}
}

// payloads records the sizes of the messages a client receives.
type payloads struct {
	mu         sync.Mutex
	raw, wire  int
	compressed bool
}

func (*payloads) TagRPC(ctx context.Context, _ *stats.RPCTagInfo) context.Context { return ctx }
func (p *payloads) HandleRPC(_ context.Context, s stats.RPCStats) {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch s := s.(type) {
	case *stats.InPayload:
		p.raw += s.Length
		p.wire += s.CompressedLength
	case *stats.InHeader:
		p.compressed = p.compressed || s.Compression == "gzip"
	}
}
func (*payloads) TagConn(ctx context.Context, _ *stats.ConnTagInfo) context.Context { return ctx }
func (*payloads) HandleConn(context.Context, stats.ConnStats)                       {}

// Jaeger gzips its answers when asked to, over api_v3 and api_v2, and the
// traces are the same; on loopback telx does not ask by default.
func TestGRPCGzip(t *testing.T) {
	env := harness.Shared(t)
	ctx := context.Background()
	u := "grpc://" + env.JaegerGRPC
	want, err := clients(t, env)["v3"].Trace(ctx, env.Scenario.BigTraceID)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		compression string
		v2          bool
		gzipped     bool
	}{{"gzip", false, true}, {"gzip", true, true}, {"", false, false}, {"none", true, false}} {
		p := &payloads{}
		proto := ProtocolGRPC
		if tt.v2 {
			proto = ProtocolGRPCV2
		}
		c, err := New(Options{URL: u, Protocol: proto, GRPCCompression: tt.compression, DialOptions: []grpc.DialOption{grpc.WithStatsHandler(p)}})
		if err != nil {
			t.Fatal(err)
		}
		got, err := c.Trace(ctx, env.Scenario.BigTraceID)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			diffTraces(t, "HTTP", want, c.API()+" "+tt.compression, got)
		}
		p.mu.Lock()
		if p.compressed != tt.gzipped || tt.gzipped && p.wire*2 > p.raw || !tt.gzipped && p.wire != p.raw {
			t.Errorf("%s, compression %q: answers gzipped %v, %d bytes on the wire for %d", c.API(), tt.compression, p.compressed, p.wire, p.raw)
		}
		p.mu.Unlock()
	}
	if _, err := New(Options{URL: u, GRPCCompression: "zstd"}); err == nil || !strings.Contains(err.Error(), `"zstd"`) {
		t.Errorf("an unknown compression: %v", err)
	}
}

func TestUseGzip(t *testing.T) {
	for host, want := range map[string]bool{
		"127.0.0.1:16685": false, "127.9.0.1:16685": false, "[::1]:16685": false, "localhost:16685": false,
		"jaeger.localhost:1": false, "localhost": false,
		"jaeger-query.example.com:443": true, "10.0.0.7:16685": true, "[2001:db8::1]:16685": true, "jaeger": true,
	} {
		if got := useGzip(host); got != want {
			t.Errorf("useGzip(%q) = %v, want %v", host, got, want)
		}
	}
}

// A gRPC server that is not Jaeger's query service (its OTLP port, say)
// answers Unimplemented to api_v3 and api_v2: the error says so.
func TestGRPCNotAQueryService(t *testing.T) {
	srv := grpc.NewServer() // serves nothing: every method is Unimplemented
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(l) }()
	defer srv.Stop()
	u := "grpc://" + l.Addr().String()
	c, err := New(Options{URL: u})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Trace(context.Background(), "0000000000000000000000000000abcd")
	var be *sources.BackendError
	if !errors.As(err, &be) {
		t.Fatalf("error %v is not a BackendError", err)
	}
	for _, want := range []string{"jaeger at " + u + " (gRPC api_v2)", "Unimplemented", "hint: the server there has no Jaeger query API over gRPC", "16685"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%q does not say %q", err, want)
		}
	}
}

// A search that finds nothing is no traces and no error, over both gRPC
// APIs (Jaeger's HTTP /api/v3 answers it 404).
func TestGRPCEmptySearch(t *testing.T) {
	env := harness.Shared(t)
	cs := clients(t, env)
	far := sources.TimeRange{From: env.Scenario.Window.From.Add(-48 * time.Hour), To: env.Scenario.Window.From.Add(-47 * time.Hour)}
	for _, name := range []string{"grpc", "grpc-v2", "v3"} {
		for _, q := range []sources.TraceQuery{
			{Service: demo.Payments, Range: far},
			{Service: demo.Payments, Range: env.Scenario.Window, Tags: map[string]string{"no.such": "tag"}},
			{Service: "no-such-service", Range: env.Scenario.Window},
		} {
			if name == "v3" && len(q.Tags) > 0 {
				continue
			}
			ts, err := cs[name].FindTraces(context.Background(), q)
			if err != nil || len(ts) != 0 {
				t.Errorf("%s: search %+v: %d traces, %v", name, q, len(ts), err)
			}
		}
	}
}

// LogCalls writes a line per call, the fallback's refused call too.
func TestGRPCLogCalls(t *testing.T) {
	env := harness.Shared(t)
	addr, _ := v3Refuser(t, env.JaegerGRPC)
	for _, tt := range []struct {
		addr string
		want []string
	}{
		{env.JaegerGRPC, []string{"jaeger: gRPC jaeger.api_v3.QueryService/GetTrace grpc://" + env.JaegerGRPC + " -> OK ("}},
		{addr, []string{
			"jaeger: gRPC jaeger.api_v3.QueryService/GetTrace grpc://" + addr + " -> Unimplemented: unknown service jaeger.api_v3.QueryService (",
			"jaeger: gRPC jaeger.api_v2.QueryService/GetTrace grpc://" + addr + " -> OK (",
		}},
	} {
		var buf bytes.Buffer
		u := "grpc://" + tt.addr
		c, err := New(Options{URL: u, DialOptions: LogCalls(&buf, u)})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Trace(context.Background(), env.Scenario.Traces[5].ID); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Services(context.Background()); err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
		if len(lines) != len(tt.want)+1 {
			t.Fatalf("%d lines:\n%s", len(lines), buf.String())
		}
		for i, want := range tt.want {
			if !strings.HasPrefix(lines[i], want) || !strings.HasSuffix(lines[i], "s)") {
				t.Errorf("line %d: %q, want %q… (time)", i, lines[i], want)
			}
		}
		if last := lines[len(lines)-1]; !strings.Contains(last, "QueryService/GetServices "+u+" -> OK (") {
			t.Errorf("last line: %q", last)
		}
	}
}
