package otlp

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	common "go.opentelemetry.io/proto/otlp/common/v1"
	resource "go.opentelemetry.io/proto/otlp/resource/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"

	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/sources/demo"
)

// toProto writes traces as OTLP protobuf, one resource per service and
// trace, as FromTraces does for JSON.
func toProto(traces []*sources.Trace) *tracepb.TracesData {
	td := &tracepb.TracesData{}
	for _, t := range traces {
		idx := map[string]*tracepb.ResourceSpans{}
		for i := range t.Spans {
			s := &t.Spans[i]
			key := s.Service + "\x00" + fmt.Sprintf("%#v", s.Resource)
			rs, ok := idx[key]
			if !ok {
				attrs := append(sources.Attrs{{Key: "service.name", Value: s.Service}}, s.Resource...)
				rs = &tracepb.ResourceSpans{
					Resource:   &resource.Resource{Attributes: protoAttrs(attrs)},
					ScopeSpans: []*tracepb.ScopeSpans{{Scope: &common.InstrumentationScope{Name: "test"}}},
				}
				idx[key] = rs
				td.ResourceSpans = append(td.ResourceSpans, rs)
			}
			sp := &tracepb.Span{
				TraceId:           unhex(string(s.TraceID)),
				SpanId:            unhex(string(s.SpanID)),
				ParentSpanId:      unhex(string(s.ParentID)),
				Name:              s.Operation,
				Kind:              tracepb.Span_SpanKind(s.Kind),
				StartTimeUnixNano: uint64(s.Start.UnixNano()),
				EndTimeUnixNano:   uint64(s.End().UnixNano()),
				Attributes:        protoAttrs(s.Attrs),
			}
			if len(s.Warnings) > 0 {
				ws := make([]any, len(s.Warnings))
				for i, w := range s.Warnings {
					ws[i] = w
				}
				sp.Attributes = append(sp.Attributes, protoAttrs(sources.Attrs{{Key: jaegerWarnings, Value: ws}})...)
			}
			if s.Status != (sources.Status{}) {
				sp.Status = &tracepb.Status{Code: tracepb.Status_StatusCode(s.Status.Code), Message: s.Status.Message}
			}
			for _, e := range s.Events {
				sp.Events = append(sp.Events, &tracepb.Span_Event{TimeUnixNano: uint64(e.Time.UnixNano()), Name: e.Name, Attributes: protoAttrs(e.Attrs)})
			}
			for _, l := range s.Links {
				attrs := l.Attrs
				if l.Type != "" && l.Type != sources.RefFollowsFrom {
					attrs = append(slices.Clip(attrs), sources.Attr{Key: refType, Value: string(l.Type)})
				}
				sp.Links = append(sp.Links, &tracepb.Span_Link{TraceId: unhex(string(l.TraceID)), SpanId: unhex(string(l.SpanID)), Attributes: protoAttrs(attrs)})
			}
			rs.ScopeSpans[0].Spans = append(rs.ScopeSpans[0].Spans, sp)
		}
	}
	return td
}

func unhex(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}

func protoAttrs(as sources.Attrs) []*common.KeyValue {
	var out []*common.KeyValue
	for _, a := range as {
		out = append(out, &common.KeyValue{Key: a.Key, Value: protoValue(a.Value)})
	}
	return out
}

func protoValue(v any) *common.AnyValue {
	switch x := v.(type) {
	case nil:
		return nil
	case string:
		return &common.AnyValue{Value: &common.AnyValue_StringValue{StringValue: x}}
	case bool:
		return &common.AnyValue{Value: &common.AnyValue_BoolValue{BoolValue: x}}
	case int64:
		return &common.AnyValue{Value: &common.AnyValue_IntValue{IntValue: x}}
	case float64:
		return &common.AnyValue{Value: &common.AnyValue_DoubleValue{DoubleValue: x}}
	case []byte:
		return &common.AnyValue{Value: &common.AnyValue_BytesValue{BytesValue: x}}
	case []any:
		arr := &common.ArrayValue{}
		for _, e := range x {
			arr.Values = append(arr.Values, protoValue(e))
		}
		return &common.AnyValue{Value: &common.AnyValue_ArrayValue{ArrayValue: arr}}
	case map[string]any:
		kv := &common.KeyValueList{}
		for k, e := range x {
			kv.Values = append(kv.Values, &common.KeyValue{Key: k, Value: protoValue(e)})
		}
		return &common.AnyValue{Value: &common.AnyValue_KvlistValue{KvlistValue: kv}}
	}
	panic("unexpected value")
}

// richTrace has what the demo's traces lack: links with attributes,
// values of every kind, Jaeger's warnings, several events, a 64-bit
// trace ID, a span whose resource has no other attribute.
func richTrace() *sources.Trace {
	const tid = "00000000000000000e0e4736a3ce929d"
	t0 := time.Date(2026, 11, 30, 10, 0, 0, 123456789, time.UTC)
	return &sources.Trace{ID: tid, Spans: []sources.Span{
		{TraceID: tid, SpanID: "00000000000000a2", ParentID: "00000000000000a1", Service: "api", Operation: "GET /x", Kind: sources.KindClient,
			Start: t0.Add(time.Millisecond), Duration: 1500 * time.Microsecond,
			Status: sources.Status{Code: sources.StatusError, Message: "boom"},
			Attrs: sources.Attrs{{Key: "z.bool", Value: true}, {Key: "a.int", Value: int64(-42)}, {Key: "f", Value: 3.25},
				{Key: "bytes", Value: []byte{0, 1, 2, 250}}, {Key: "list", Value: []any{"x", int64(2), []any{false}}},
				{Key: "map", Value: map[string]any{"k": "v", "n": 1.5}}, {Key: "nan", Value: math.NaN()}, {Key: "empty.list", Value: []any{}},
				{Key: "long", Value: strings.Repeat("é", 100)}, {Key: "dup", Value: "2"}, {Key: "dup", Value: "1"},
				{Key: "@jaeger@warnings", Value: []any{"clock skew adjustment disabled; not applying calculated delta", "invalid parent span IDs=00000000000000a1"}}},
			Resource: sources.Attrs{{Key: "host.name", Value: "h1"}, {Key: "a", Value: int64(1)}},
			Events: []sources.Event{{Time: t0.Add(1100 * time.Microsecond), Name: "retry", Attrs: sources.Attrs{{Key: "n", Value: int64(2)}, {Key: "b", Value: "x"}}},
				{Time: t0.Add(1200 * time.Microsecond), Name: "done"}},
			Links: []sources.SpanRef{{Type: sources.RefFollowsFrom, TraceID: "a3ce929d0e0e4736a3ce929d0e0e4736", SpanID: "0000000000000001", Attrs: sources.Attrs{{Key: "why", Value: "batch"}}},
				{Type: sources.RefChildOf, TraceID: tid, SpanID: "00000000000000b1"},
				{Type: sources.RefFollowsFrom, Attrs: sources.Attrs{{Key: "no", Value: "ids"}}}},
			Warnings: []string{"a warning of telx's"}},
		{TraceID: tid, SpanID: "00000000000000a1", Service: "web", Operation: "root", Kind: sources.KindServer, Start: t0, Duration: 5 * time.Millisecond},
		{TraceID: tid, SpanID: "00000000000000a0", ParentID: "00000000000000a1", Service: "web", Operation: "same start", Start: t0,
			Resource: sources.Attrs{{Key: "host.name", Value: "web-2"}}},
	}}
}

func decodeJSONOf(t testing.TB, traces []*sources.Trace) []*sources.Trace {
	t.Helper()
	var buf bytes.Buffer
	if err := Encode(&buf, traces); err != nil {
		t.Fatal(err)
	}
	// NaN has no JSON encoding that Encode and Decode share with protobuf
	// apart from the string "NaN", which both read as a float
	got, err := Decode(&buf)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func marshal(t testing.TB, td *tracepb.TracesData) []byte {
	t.Helper()
	b, err := marshalProto(td)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func marshalProto(td *tracepb.TracesData) ([]byte, error) { return proto.Marshal(td) }

// The same traces read from OTLP protobuf and from OTLP JSON give the same
// domain traces, by the direct decoder and by the generated types.
func TestProtobufSameAsJSON(t *testing.T) {
	sc := demo.Generate(7, time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC), demo.Options{Traces: 20})
	for name, traces := range map[string][]*sources.Trace{
		"rich":       {richTrace()},
		"big":        {sc.Traces[0]},
		"many":       sc.Traces,
		"rich+demo2": {sc.Traces[3], richTrace(), sc.Traces[4]},
	} {
		t.Run(name, func(t *testing.T) {
			want := decodeJSONOf(t, traces)
			msg := marshal(t, toProto(traces))
			got, err := DecodeProtobuf(msg)
			if err != nil {
				t.Fatal(err)
			}
			equalTraces(t, "protowire", got, "JSON", want)
			var td tracepb.TracesData
			if err := proto.Unmarshal(msg, &td); err != nil {
				t.Fatal(err)
			}
			equalTraces(t, "generated", fromGenerated(&td), "JSON", want)
		})
	}
}

func equalTraces(t *testing.T, an string, a []*sources.Trace, bn string, b []*sources.Trace) {
	t.Helper()
	if len(a) != len(b) {
		t.Fatalf("%s: %d traces, %s: %d", an, len(a), bn, len(b))
	}
	for i := range a {
		if a[i].ID != b[i].ID || len(a[i].Spans) != len(b[i].Spans) {
			t.Fatalf("trace %d: %s %s (%d spans), %s %s (%d spans)", i, an, a[i].ID, len(a[i].Spans), bn, b[i].ID, len(b[i].Spans))
		}
		for j := range a[i].Spans {
			if !equalSpan(&a[i].Spans[j], &b[i].Spans[j]) {
				t.Fatalf("trace %d span %d:\n%s: %#v\n%s: %#v", i, j, an, a[i].Spans[j], bn, b[i].Spans[j])
			}
		}
		if !reflect.DeepEqual(a[i].Warnings, b[i].Warnings) {
			t.Fatalf("trace %d warnings: %s %q, %s %q", i, an, a[i].Warnings, bn, b[i].Warnings)
		}
	}
}

// equalSpan is reflect.DeepEqual with NaN equal to NaN.
func equalSpan(a, b *sources.Span) bool {
	return reflect.DeepEqual(nanToString(*a), nanToString(*b))
}

func nanToString(s sources.Span) sources.Span {
	fix := func(as sources.Attrs) sources.Attrs {
		out := make(sources.Attrs, len(as))
		for i, a := range as {
			if f, ok := a.Value.(float64); ok && math.IsNaN(f) {
				a.Value = "NaN!"
			}
			out[i] = a
		}
		if as == nil {
			return nil
		}
		return out
	}
	s.Attrs = fix(s.Attrs)
	return s
}

// fromGenerated converts generated OTLP types to the domain model, as
// DecodeProtobuf does: the straightforward path, kept to check the direct
// decoder against and to measure it by.
func fromGenerated(td *tracepb.TracesData) []*sources.Trace {
	byID := map[sources.TraceID]*sources.Trace{}
	var out []*sources.Trace
	for _, rs := range td.ResourceSpans {
		service := ""
		var res sources.Attrs
		for _, a := range genAttrs(rs.GetResource().GetAttributes()) {
			if s, ok := a.Value.(string); ok && a.Key == "service.name" {
				service = s
				continue
			}
			res = append(res, a)
		}
		for _, ss := range rs.ScopeSpans {
			for _, sp := range ss.Spans {
				tid, _ := sources.ParseTraceID(hex.EncodeToString(sp.TraceId))
				s := sources.Span{TraceID: tid, Service: service, Resource: res, Operation: sp.Name,
					Kind: sources.SpanKind(sp.Kind), Start: nanosTime(int64(sp.StartTimeUnixNano))}
				s.SpanID, _ = sources.ParseSpanID(hex.EncodeToString(sp.SpanId))
				if len(sp.ParentSpanId) > 0 {
					s.ParentID, _ = sources.ParseSpanID(hex.EncodeToString(sp.ParentSpanId))
				}
				if end, start := int64(sp.EndTimeUnixNano), int64(sp.StartTimeUnixNano); end > start {
					s.Duration = time.Duration(end - start)
					if s.Duration < 0 {
						s.Duration = math.MaxInt64
					}
					s.Duration = s.Duration.Truncate(Precision)
				}
				if sp.Status != nil {
					s.Status = sources.Status{Code: sources.StatusCode(sp.Status.Code), Message: sp.Status.Message}
				}
				for _, a := range genAttrs(sp.Attributes) {
					if a.Key == jaegerWarnings {
						for _, w := range a.Value.([]any) {
							s.Warnings = append(s.Warnings, sources.FormatValue(w))
						}
						continue
					}
					s.Attrs = append(s.Attrs, a)
				}
				s.Warnings = KeepWarnings(s.Warnings)
				for _, e := range sp.Events {
					s.Events = append(s.Events, sources.Event{Time: nanosTime(int64(e.TimeUnixNano)), Name: e.Name, Attrs: genAttrs(e.Attributes)})
				}
				for _, l := range sp.Links {
					r := sources.SpanRef{Type: sources.RefFollowsFrom}
					for _, a := range genAttrs(l.Attributes) {
						if t, ok := a.Value.(string); ok && a.Key == refType && t != "" && r.Type == sources.RefFollowsFrom {
							r.Type = sources.RefType(t)
							continue
						}
						r.Attrs = append(r.Attrs, a)
					}
					r.TraceID, _ = sources.ParseTraceID(hex.EncodeToString(l.TraceId))
					r.SpanID, _ = sources.ParseSpanID(hex.EncodeToString(l.SpanId))
					s.Links = append(s.Links, r)
				}
				t := byID[tid]
				if t == nil {
					t = &sources.Trace{ID: tid}
					byID[tid] = t
					out = append(out, t)
				}
				t.Spans = append(t.Spans, s)
			}
		}
	}
	for _, t := range out {
		SortSpans(t.Spans)
	}
	return out
}

func genAttrs(kvs []*common.KeyValue) sources.Attrs {
	var out sources.Attrs
	for _, kv := range kvs {
		out = append(out, sources.Attr{Key: kv.Key, Value: genValue(kv.Value)})
	}
	SortAttrs(out)
	return out
}

func genValue(v *common.AnyValue) any {
	switch x := v.GetValue().(type) {
	case *common.AnyValue_StringValue:
		return x.StringValue
	case *common.AnyValue_BoolValue:
		return x.BoolValue
	case *common.AnyValue_IntValue:
		return x.IntValue
	case *common.AnyValue_DoubleValue:
		return x.DoubleValue
	case *common.AnyValue_BytesValue:
		return base64.StdEncoding.EncodeToString(x.BytesValue)
	case *common.AnyValue_ArrayValue:
		list := []any{}
		for _, e := range x.ArrayValue.Values {
			list = append(list, genValue(e))
		}
		return list
	case *common.AnyValue_KvlistValue:
		m := map[string]any{}
		for _, kv := range x.KvlistValue.Values {
			m[kv.Key] = genValue(kv.Value)
		}
		return m
	}
	return nil
}

// Messages are read one after another into one set of traces; fields
// come in any order, unknown ones are skipped.
func TestProtobufMessages(t *testing.T) {
	a := richTrace()
	sc := demo.Generate(3, time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC), demo.Options{Traces: 3})
	b := sc.Traces[1]
	// a's spans, b's, then a's again in a third message
	m1 := marshal(t, toProto([]*sources.Trace{{ID: a.ID, Spans: a.Spans[:1]}}))
	m2 := marshal(t, toProto([]*sources.Trace{b}))
	m3 := marshal(t, toProto([]*sources.Trace{{ID: a.ID, Spans: a.Spans[1:]}}))
	got, err := DecodeProtobuf(m1, m2, m3)
	if err != nil {
		t.Fatal(err)
	}
	equalTraces(t, "three messages", got, "JSON", decodeJSONOf(t, []*sources.Trace{a, b}))

	// a resource after its spans, inside field 1000 (older encoders), with
	// an unknown field of each wire type
	var span []byte
	span = protowire.AppendTag(span, 2, protowire.BytesType)
	span = protowire.AppendBytes(span, unhex("00000000000000c1"))
	span = protowire.AppendTag(span, 99, protowire.Fixed32Type)
	span = protowire.AppendFixed32(span, 7)
	span = protowire.AppendTag(span, 5, protowire.BytesType)
	span = protowire.AppendString(span, "op")
	span = protowire.AppendTag(span, 1, protowire.BytesType)
	span = protowire.AppendBytes(span, unhex(string(a.ID)))
	span = protowire.AppendTag(span, 6, protowire.VarintType)
	span = protowire.AppendVarint(span, 77) // a kind telx does not know
	var scope []byte
	scope = protowire.AppendTag(scope, 2, protowire.BytesType)
	scope = protowire.AppendBytes(scope, span)
	res := marshal(t, &tracepb.TracesData{ResourceSpans: []*tracepb.ResourceSpans{{Resource: &resource.Resource{
		Attributes: protoAttrs(sources.Attrs{{Key: "service.name", Value: "late"}, {Key: "k", Value: "v"}})}}}})
	res, _ = protowire.ConsumeBytes(res[1:]) // the ResourceSpans inside
	var rs []byte
	rs = protowire.AppendTag(rs, 1000, protowire.BytesType)
	rs = protowire.AppendBytes(rs, scope)
	rs = protowire.AppendTag(rs, 3, protowire.BytesType)
	rs = protowire.AppendString(rs, "schema")
	rs = append(rs, res...)
	var msg []byte
	msg = protowire.AppendTag(msg, 5, protowire.VarintType)
	msg = protowire.AppendVarint(msg, 1)
	msg = protowire.AppendTag(msg, 1, protowire.BytesType)
	msg = protowire.AppendBytes(msg, rs)
	got, err = DecodeProtobuf(msg)
	if err != nil {
		t.Fatal(err)
	}
	want := sources.Span{TraceID: a.ID, SpanID: "00000000000000c1", Service: "late", Operation: "op", Resource: sources.Attrs{{Key: "k", Value: "v"}}, Start: nanosTime(0)}
	if len(got) != 1 || len(got[0].Spans) != 1 || !reflect.DeepEqual(got[0].Spans[0], want) {
		t.Errorf("got %#v\nwant %#v", got, want)
	}

	if got, err := DecodeProtobuf(); got != nil || err != nil {
		t.Errorf("no message: %v, %v", got, err)
	}
	if got, err := DecodeProtobuf(nil, []byte{}); got != nil || err != nil {
		t.Errorf("empty messages: %v, %v", got, err)
	}
}

func TestProtobufErrors(t *testing.T) {
	good := marshal(t, toProto([]*sources.Trace{richTrace()}))
	withSpan := func(f func(*tracepb.Span)) []byte {
		td := toProto([]*sources.Trace{richTrace()})
		f(td.ResourceSpans[0].ScopeSpans[0].Spans[0])
		return marshal(t, td)
	}
	deep := &common.AnyValue{}
	for range 100 {
		deep = &common.AnyValue{Value: &common.AnyValue_ArrayValue{ArrayValue: &common.ArrayValue{Values: []*common.AnyValue{deep}}}}
	}
	for _, tt := range []struct {
		name string
		msg  []byte
		want string
	}{
		{"truncated", good[:len(good)-3], "reading OTLP protobuf: unexpected EOF"},
		{"not protobuf", []byte("{\"resourceSpans\":[]}"), "reading OTLP protobuf:"},
		{"no trace ID", withSpan(func(s *tracepb.Span) { s.TraceId = nil }), "resourceSpans[0].scopeSpans[0].spans[0].traceId: missing"},
		{"zero trace ID", withSpan(func(s *tracepb.Span) { s.TraceId = make([]byte, 16) }), "spans[0].traceId: invalid trace ID"},
		{"long trace ID", withSpan(func(s *tracepb.Span) { s.TraceId = make([]byte, 17) }), "traceId: invalid trace ID"},
		{"no span ID", withSpan(func(s *tracepb.Span) { s.SpanId = nil }), "spans[0].spanId: missing"},
		{"zero span ID", withSpan(func(s *tracepb.Span) { s.SpanId = make([]byte, 8) }), "spans[0].spanId: invalid span ID"},
		{"long parent ID", withSpan(func(s *tracepb.Span) { s.ParentSpanId = make([]byte, 9) }), "spans[0].parentSpanId: invalid span ID"},
		{"zero link span ID", withSpan(func(s *tracepb.Span) { s.Links[0].SpanId = make([]byte, 8) }), "spans[0].links: spanId: invalid span ID"},
		{"values nested too deep", withSpan(func(s *tracepb.Span) { s.Attributes[0].Value = deep }), "spans[0].attributes: values nested more than 64 deep"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DecodeProtobuf(tt.msg)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %d traces, error %v; want an error with %q", len(got), err, tt.want)
			}
		})
	}
}

// The decoder gives back its span blocks: a second answer read with the
// blocks of the first does not change the first's traces.
func TestProtobufTracesOutliveTheDecoder(t *testing.T) {
	sc := demo.Generate(5, time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC), demo.Options{Traces: 2, BigTraceBatches: 300})
	first, err := DecodeProtobuf(marshal(t, toProto([]*sources.Trace{sc.Traces[0]})))
	if err != nil {
		t.Fatal(err)
	}
	want := decodeJSONOf(t, []*sources.Trace{sc.Traces[0]})
	for range 3 {
		if _, err := DecodeProtobuf(marshal(t, toProto([]*sources.Trace{richTrace()}))); err != nil {
			t.Fatal(err)
		}
	}
	equalTraces(t, "first", first, "JSON", want)
}

func benchTraces(b *testing.B, spans int) *sources.Trace {
	sc := demo.Generate(1, time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC), demo.Options{Traces: 1, BigTraceBatches: spans / 10})
	return sc.Traces[0]
}

// BenchmarkDecodeProtobuf compares the direct decoder with the generated
// types (proto.Unmarshal, then the conversion) and with OTLP JSON, on the
// demo's big trace.
func BenchmarkDecodeProtobuf(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		tr := benchTraces(b, n)
		msg := marshal(b, toProto([]*sources.Trace{tr}))
		var js bytes.Buffer
		if err := Encode(&js, []*sources.Trace{tr}); err != nil {
			b.Fatal(err)
		}
		name := map[int]string{10_000: "10k", 100_000: "100k"}[n]
		b.Run(name+"/protowire", func(b *testing.B) {
			b.SetBytes(int64(len(msg)))
			for b.Loop() {
				if _, err := DecodeProtobuf(msg); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(name+"/generated", func(b *testing.B) {
			b.SetBytes(int64(len(msg)))
			for b.Loop() {
				var td tracepb.TracesData
				if err := proto.Unmarshal(msg, &td); err != nil {
					b.Fatal(err)
				}
				fromGenerated(&td)
			}
		})
		b.Run(name+"/json", func(b *testing.B) {
			b.SetBytes(int64(js.Len()))
			for b.Loop() {
				if _, err := Decode(bytes.NewReader(js.Bytes())); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// Spans of a trace that come back after another trace's stay in their
// trace, from JSON and from protobuf (both put them in the other trace).
func TestDecodeTraceComesBack(t *testing.T) {
	a := richTrace()
	const other = "a3ce929d0e0e4736a3ce929d0e0e4736"
	parts := []*sources.Trace{
		{ID: a.ID, Spans: a.Spans[:1]},
		{ID: other, Spans: []sources.Span{{TraceID: other, SpanID: "0000000000000fff", Service: "x"}}},
		{ID: a.ID, Spans: a.Spans[1:]},
	}
	var buf bytes.Buffer
	if err := Encode(&buf, parts); err != nil {
		t.Fatal(err)
	}
	fromJSON, err := Decode(&buf)
	if err != nil {
		t.Fatal(err)
	}
	fromProto, err := DecodeProtobuf(marshal(t, toProto(parts)))
	if err != nil {
		t.Fatal(err)
	}
	for name, got := range map[string][]*sources.Trace{"JSON": fromJSON, "protobuf": fromProto} {
		if len(got) != 2 || got[0].ID != a.ID || len(got[0].Spans) != 3 || got[1].ID != other || len(got[1].Spans) != 1 {
			for _, tr := range got {
				t.Errorf("%s: trace %s has %d spans", name, tr.ID, len(tr.Spans))
			}
			t.Errorf("%s: want %s with 3 spans and %s with 1", name, a.ID, other)
		}
	}
}

// An answer of many traces, their spans interleaved, reads as from JSON
// (past 16 traces the decoder finds them by a map).
func TestProtobufManyTraces(t *testing.T) {
	sc := demo.Generate(9, time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC), demo.Options{Traces: 60})
	var parts []*sources.Trace
	for round := 0; round < 3; round++ {
		for _, tr := range sc.Traces[1:] {
			if round < len(tr.Spans) {
				parts = append(parts, &sources.Trace{ID: tr.ID, Spans: tr.Spans[round : round+1]})
			}
		}
	}
	got, err := DecodeProtobuf(marshal(t, toProto(parts)))
	if err != nil {
		t.Fatal(err)
	}
	want := decodeJSONOf(t, parts)
	equalTraces(t, "protobuf", got, "JSON", want)
	if len(got) != len(sc.Traces)-1 {
		t.Errorf("%d traces, want %d", len(got), len(sc.Traces)-1)
	}
	for i, tr := range got {
		if tr.ID != sc.Traces[i+1].ID || len(tr.Spans) != min(3, len(sc.Traces[i+1].Spans)) {
			t.Fatalf("trace %d: %s with %d spans", i, tr.ID, len(tr.Spans))
		}
	}
}

// A span from before 1970 to after it, longer than a Duration reaches,
// reads as from JSON: the longest Duration.
func TestProtobufTimesAtTheEnds(t *testing.T) {
	const tid, sid = "a3ce929d0e0e4736a3ce929d0e0e4736", "00000000000000a1"
	for _, tt := range []struct{ start, end int64 }{
		{math.MinInt64 + 1, math.MaxInt64},
		{-1, math.MaxInt64},
		{math.MaxInt64, math.MinInt64}, // an end before the start: no duration
		{0, 1999},
	} {
		doc := fmt.Sprintf(`{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":%q,"spanId":%q,"startTimeUnixNano":"%d","endTimeUnixNano":"%d"}]}]}]}`, tid, sid, tt.start, tt.end)
		want, err := Decode(strings.NewReader(doc))
		if err != nil {
			t.Fatal(err)
		}
		got, err := DecodeProtobuf(marshal(t, &tracepb.TracesData{ResourceSpans: []*tracepb.ResourceSpans{{ScopeSpans: []*tracepb.ScopeSpans{{Spans: []*tracepb.Span{
			{TraceId: unhex(tid), SpanId: unhex(sid), StartTimeUnixNano: uint64(tt.start), EndTimeUnixNano: uint64(tt.end)}}}}}}}))
		if err != nil {
			t.Fatal(err)
		}
		equalTraces(t, "protobuf", got, "JSON", want)
		if d := got[0].Spans[0].Duration; d < 0 || tt.end > tt.start && tt.start < 0 && tt.end == math.MaxInt64 && d != time.Duration(math.MaxInt64).Truncate(Precision) {
			t.Errorf("%d to %d: duration %d", tt.start, tt.end, d)
		}
	}
}

// manyTraces is n traces of one span each.
func manyTraces(n int) []*sources.Trace {
	t0 := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	out := make([]*sources.Trace, n)
	for i := range out {
		id := sources.TraceID(fmt.Sprintf("%032x", i+1))
		out[i] = &sources.Trace{ID: id, Spans: []sources.Span{{TraceID: id, SpanID: "00000000000000a1", Service: "s", Operation: "op", Start: t0.Add(time.Duration(i) * time.Millisecond)}}}
	}
	return out
}

// BenchmarkDecodeManyTraces reads an answer of 20,000 traces of one span,
// from JSON and from protobuf: a trace is found by a map, not a scan.
func BenchmarkDecodeManyTraces(b *testing.B) {
	traces := manyTraces(20_000)
	var js bytes.Buffer
	if err := Encode(&js, traces); err != nil {
		b.Fatal(err)
	}
	msg := marshal(b, toProto(traces))
	b.Run("json", func(b *testing.B) {
		for b.Loop() {
			if ts, err := Decode(bytes.NewReader(js.Bytes())); err != nil || len(ts) != len(traces) {
				b.Fatalf("%d traces, %v", len(ts), err)
			}
		}
	})
	b.Run("protobuf", func(b *testing.B) {
		for b.Loop() {
			if ts, err := DecodeProtobuf(msg); err != nil || len(ts) != len(traces) {
				b.Fatalf("%d traces, %v", len(ts), err)
			}
		}
	})
}
