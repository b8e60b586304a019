package otlp

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/sources/internal/jsonread"
)

func valueDecoder(in string) *decoder {
	return &decoder{Reader: jsonread.New(strings.NewReader(in))}
}

func TestDecodeEnum(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want int
	}{
		{`2`, 2}, {`"SPAN_KIND_CLIENT"`, 3}, {`"STATUS_CODE_ERROR"`, 2}, {`"SOMETHING_NEW"`, 0}, {`99999999999`, 0}, {`null`, 0},
	} {
		got, err := valueDecoder(tt.in).enum()
		if err != nil || got != tt.want {
			t.Errorf("enum %s: got %d, %v; want %d", tt.in, got, err, tt.want)
		}
	}
}

// TestDecodeShapes reads documents the way encoders other than Jaeger's
// write them.
func TestDecodeShapes(t *testing.T) {
	const (
		tid  = "a3ce929d0e0e4736a3ce929d0e0e4736"
		tid2 = "00000000000000000e0e4736a3ce929d"
	)
	span := func(trace, id, extra string) string {
		return `{"traceId":"` + trace + `","spanId":"` + id + `","name":"op-` + id[14:] + `","startTimeUnixNano":"1700000000000000000","endTimeUnixNano":"1700000000001000000"` + extra + `}`
	}
	res := func(service, spans string) string {
		return `{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"` + service + `"}},{"key":"host.name","value":{"stringValue":"h1"}}]},"scopeSpans":[{"scope":{"name":"lib"},"spans":[` + spans + `]}]}`
	}
	type want struct {
		traces   []sources.TraceID
		spans    []int
		services []string // of the first trace's spans, in start order then ID
	}
	tests := []struct {
		name string
		doc  string
		want want
	}{
		{"one trace", `{"resourceSpans":[` + res("api", span(tid, "00000000000000a1", "")) + `]}`,
			want{[]sources.TraceID{tid}, []int{1}, []string{"api"}}},
		{"saved /api/v3 answer", `{"result":{"resourceSpans":[` + res("api", span(tid, "00000000000000a1", "")) + `]}}`,
			want{[]sources.TraceID{tid}, []int{1}, []string{"api"}}},
		{"resource after its spans",
			`{"resourceSpans":[{"scopeSpans":[{"spans":[` + span(tid, "00000000000000a1", "") + `]}],"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"late"}}]}}]}`,
			want{[]sources.TraceID{tid}, []int{1}, []string{"late"}}},
		{"two traces interleaved, a 16-character ID padded",
			`{"resourceSpans":[` + res("a", span(tid, "00000000000000a1", "")+","+span("0e0e4736a3ce929d", "00000000000000b1", "")+","+span(tid, "00000000000000a2", "")) + "," +
				res("b", span(tid2, "00000000000000b2", "")+","+span(tid, "00000000000000a3", "")) + `]}`,
			want{[]sources.TraceID{tid, tid2}, []int{3, 2}, []string{"a", "a", "b"}}},
		{"older encoders' instrumentationLibrarySpans, unknown fields and nulls",
			`{"resourceSpans":[{"resource":null,"schemaUrl":"x","instrumentationLibrarySpans":[{"spans":[` +
				span(tid, "00000000000000A1", `,"traceState":"","flags":1,"attributes":null,"events":null,"status":null,"droppedEventsCount":0`) + `]}]}],"extra":{"a":[1,2]}}`,
			want{[]sources.TraceID{tid}, []int{1}, []string{""}}},
		{"empty", `{"resourceSpans":[]}`, want{}},
		{"empty object", `{}`, want{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts, err := Decode(strings.NewReader(tt.doc))
			if err != nil {
				t.Fatal(err)
			}
			var ids []sources.TraceID
			var counts []int
			for _, tr := range ts {
				ids = append(ids, tr.ID)
				counts = append(counts, len(tr.Spans))
				for _, s := range tr.Spans {
					if s.TraceID != tr.ID {
						t.Errorf("span %s has trace %s in trace %s", s.SpanID, s.TraceID, tr.ID)
					}
				}
			}
			if !reflect.DeepEqual(ids, tt.want.traces) || !reflect.DeepEqual(counts, tt.want.spans) {
				t.Fatalf("traces %v with %v spans, want %v with %v", ids, counts, tt.want.traces, tt.want.spans)
			}
			if len(ts) == 0 {
				return
			}
			var services []string
			for _, s := range ts[0].Spans {
				services = append(services, s.Service)
				if len(s.SpanID) != 16 || strings.ToLower(string(s.SpanID)) != string(s.SpanID) {
					t.Errorf("span ID %q is not normalised", s.SpanID)
				}
			}
			if !reflect.DeepEqual(services, tt.want.services) {
				t.Errorf("services %q, want %q", services, tt.want.services)
			}
		})
	}
}

func TestDecodeValues(t *testing.T) {
	doc := `{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"api"}},{"key":"z","value":{"intValue":"1"}},{"key":"a","value":{"boolValue":true}}]},
	"scopeSpans":[{"spans":[{"traceId":"a3ce929d0e0e4736","spanId":"00f067aa0ba902b7","parentSpanId":"00f067aa0ba902b6","name":"GET \/\u00e9\"x\"",
	"kind":"SPAN_KIND_CLIENT","startTimeUnixNano":"1700000000000001500","endTimeUnixNano":"1700000000250002900",
	"status":{"code":2,"message":"boom"},
	"attributes":[{"key":"s","value":{"stringValue":"v\u001b[31m"}},{"key":"b","value":{"boolValue":false}},{"key":"i","value":{"intValue":"-7"}},
	  {"key":"d","value":{"doubleValue":0.5}},{"key":"by","value":{"bytesValue":"AQI="}},{"key":"empty","value":{}},
	  {"key":"arr","value":{"arrayValue":{"values":[{"stringValue":"a"},{"intValue":2}]}}},
	  {"key":"kv","value":{"kvlistValue":{"values":[{"key":"k","value":{"stringValue":"v"}}]}}},
	  {"key":"@jaeger@warnings","value":{"arrayValue":{"values":[{"stringValue":"clock skew adjustment disabled; not applying calculated delta of 1s"},{"stringValue":"invalid parent span IDs"}]}}}],
	"events":[{"timeUnixNano":"1700000000100000000","name":"retry","attributes":[{"key":"attempt","value":{"intValue":2}}]}],
	"links":[{"traceId":"b3ce929d0e0e4736","spanId":"10f067aa0ba902b7","attributes":[{"key":"why","value":{"stringValue":"batch"}}]}]}]}]}]}`
	ts, err := Decode(strings.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	base := time.Unix(0, 1700000000000000000).UTC()
	want := sources.Span{
		TraceID:   "0000000000000000a3ce929d0e0e4736",
		SpanID:    "00f067aa0ba902b7",
		ParentID:  "00f067aa0ba902b6",
		Service:   "api",
		Operation: `GET /é"x"`,
		Kind:      sources.KindClient,
		Start:     base.Add(time.Microsecond),
		Duration:  250*time.Millisecond + time.Microsecond,
		Status:    sources.Status{Code: sources.StatusError, Message: "boom"},
		Attrs: sources.Attrs{
			{Key: "arr", Value: []any{"a", int64(2)}}, {Key: "b", Value: false}, {Key: "by", Value: "AQI="},
			{Key: "d", Value: 0.5}, {Key: "empty", Value: nil}, {Key: "i", Value: int64(-7)},
			{Key: "kv", Value: map[string]any{"k": "v"}}, {Key: "s", Value: "v\x1b[31m"},
		},
		Resource: sources.Attrs{{Key: "a", Value: true}, {Key: "z", Value: int64(1)}},
		Events:   []sources.Event{{Time: base.Add(100 * time.Millisecond), Name: "retry", Attrs: sources.Attrs{{Key: "attempt", Value: int64(2)}}}},
		Links: []sources.SpanRef{{Type: sources.RefFollowsFrom, TraceID: "0000000000000000b3ce929d0e0e4736", SpanID: "10f067aa0ba902b7",
			Attrs: sources.Attrs{{Key: "why", Value: "batch"}}}},
		Warnings: []string{"invalid parent span IDs"},
	}
	if got := ts[0].Spans[0]; !reflect.DeepEqual(got, want) {
		t.Errorf("got  %#v\nwant %#v", got, want)
	}
}

func TestDecodeErrors(t *testing.T) {
	spans := func(s string) string { return `{"resourceSpans":[{"scopeSpans":[{"spans":[` + s + `]}]}]}` }
	for _, tt := range []struct{ doc, want string }{
		{spans(`{"traceId":"xyz","spanId":"01"}`), "resourceSpans[0].scopeSpans[0].spans[0].traceId: invalid trace ID"},
		{spans(`{"traceId":"01","spanId":"01","startTimeUnixNano":"soon"}`), "spans[0].startTimeUnixNano: not an integer number of nanoseconds"},
		{spans(`{"traceId":"01","spanId":"01"},{"traceId":"01","spanId":"0g"}`), "spans[1].spanId: invalid span ID"},
		{spans(`{"traceId":"01","spanId":"01","parentSpanId":"00"}`), "parentSpanId: invalid span ID"},
		{spans(`{"spanId":"01"}`), "spans[0]: traceId: missing"},
		{spans(`{"traceId":"01"}`), "spans[0]: spanId: missing"},
		{spans(`{"traceId":"01","spanId":""}`), `spans[0].spanId: invalid span ID "": empty`}, // found by FuzzDecode
		{spans(`{"traceId":"01","spanId":"01","name":5}`), "spans[0].name: want a string"},
		{spans(`{"traceId":"01","spanId":"01","attributes":{}}`), "spans[0].attributes: want an array"},
		{spans(`{"traceId":"01","spanId":"01","links":[{"traceId":"01","spanId":"zz"}]}`), "links[0].spanId: invalid span ID"},
		{spans(`{"traceId":"01","spanId":"01","attributes":[{"key":"x","value":{"boolValue":"maybe"}}]}`), "attributes[0].value.boolValue"},
		{`{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"01"`, "reading OTLP JSON"},
		{`[1,2]`, "not a JSON object"},
		{`{"resourceSpans":[}`, "reading OTLP JSON"},
		{``, "reading OTLP JSON"},
	} {
		_, err := Decode(strings.NewReader(tt.doc))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s:\nerror %v, want it to say %q", tt.doc, err, tt.want)
		}
	}
}

// TestDecodeInvalidUTF8 keeps a span whose name is not UTF-8: the
// sanitiser, not the decoder, deals with it.
func TestDecodeInvalidUTF8(t *testing.T) {
	doc := "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"traceId\":\"01\",\"spanId\":\"01\",\"name\":\"a\xffb\"}]}]}]}"
	ts, err := Decode(strings.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	if got := ts[0].Spans[0].Operation; got != "a\xffb" {
		t.Errorf("name %q", got)
	}
}
