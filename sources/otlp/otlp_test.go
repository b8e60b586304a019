package otlp

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/sources/demo"
)

func TestRoundTrip(t *testing.T) {
	sc := demo.Generate(1, time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC), demo.Options{Traces: 20, BigTraceBatches: 2})
	var buf bytes.Buffer
	if err := Encode(&buf, sc.Traces); err != nil {
		t.Fatal(err)
	}
	got, err := Decode(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(sc.Traces) {
		t.Fatalf("%d traces back, want %d", len(got), len(sc.Traces))
	}
	for i, want := range sc.Traces {
		SortSpans(want.Spans)
		for j := range want.Spans {
			w, g := want.Spans[j], got[i].Spans[j]
			res := sources.Attrs{}
			for _, a := range w.Resource {
				if a.Key != "service.name" {
					res = append(res, a)
				}
			}
			SortAttrs(res)
			SortAttrs(w.Attrs)
			w.Resource = res
			w.Start = w.Start.Truncate(Precision)
			w.Duration = w.Duration.Truncate(Precision)
			for k := range w.Events {
				w.Events[k].Time = w.Events[k].Time.Truncate(Precision)
				SortAttrs(w.Events[k].Attrs)
			}
			if !reflect.DeepEqual(w, g) {
				t.Fatalf("trace %d span %d:\n got %+v\nwant %+v", i, j, g, w)
			}
		}
	}
}

func TestDecodeLenient(t *testing.T) {
	// numbers for the 64-bit integers, enum names, a 16-character trace ID
	doc := `{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"api"}}]},
	  "scopeSpans":[{"spans":[{"traceId":"a3ce929d0e0e4736","spanId":"00f067aa0ba902b7","name":"GET /",
	  "kind":"SPAN_KIND_SERVER","startTimeUnixNano":1700000000000000000,"endTimeUnixNano":"1700000000250000000",
	  "status":{"code":"STATUS_CODE_ERROR","message":"boom"},
	  "attributes":[{"key":"n","value":{"intValue":42}},{"key":"r","value":{"doubleValue":"NaN"}},{"key":"l","value":{"arrayValue":{"values":[{"stringValue":"a"}]}}}]}]}]}]}`
	ts, err := Decode(strings.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	s := ts[0].Spans[0]
	if ts[0].ID != "0000000000000000a3ce929d0e0e4736" || s.Service != "api" || s.Kind != sources.KindServer ||
		s.Duration != 250*time.Millisecond || s.Status.Code != sources.StatusError || s.Attrs.GetString("n") != "42" || s.Attrs.GetString("l") != "[a]" {
		t.Errorf("decoded %+v", s)
	}
}

func TestSortSpans(t *testing.T) {
	base := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	span := func(ms int, id string) sources.Span {
		return sources.Span{SpanID: sources.SpanID(id), Start: base.Add(time.Duration(ms) * time.Millisecond)}
	}
	tests := []struct {
		name string
		in   []sources.Span
	}{
		{"empty", nil},
		{"sorted", []sources.Span{span(0, "a"), span(1, "b"), span(2, "c")}},
		{"reversed", []sources.Span{span(3, "d"), span(2, "c"), span(1, "b"), span(0, "a")}},
		{"two cycles", []sources.Span{span(1, "b"), span(0, "a"), span(3, "d"), span(4, "e"), span(2, "c")}},
		{"equal starts by ID", []sources.Span{span(0, "c"), span(0, "a"), span(0, "b")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := append([]sources.Span(nil), tt.in...)
			SortSpans(got)
			if len(got) != len(tt.in) {
				t.Fatalf("%d spans, want %d", len(got), len(tt.in))
			}
			seen := map[sources.SpanID]bool{}
			for i, s := range got {
				seen[s.SpanID] = true
				if i > 0 && (s.Start.Before(got[i-1].Start) || s.Start.Equal(got[i-1].Start) && s.SpanID < got[i-1].SpanID) {
					t.Errorf("span %d (%s) is out of order after %s", i, s.SpanID, got[i-1].SpanID)
				}
			}
			if len(seen) != len(tt.in) {
				t.Errorf("spans lost or repeated: %v", got)
			}
		})
	}
	// a large shuffle
	rng := rand.New(rand.NewPCG(1, 2))
	spans := make([]sources.Span, 5000)
	for i := range spans {
		spans[i] = span(rng.IntN(1000), fmt.Sprintf("%016x", i))
	}
	SortSpans(spans)
	ids := map[sources.SpanID]bool{}
	for i, s := range spans {
		ids[s.SpanID] = true
		if i > 0 && s.Start.Before(spans[i-1].Start) {
			t.Fatalf("span %d is out of order", i)
		}
	}
	if len(ids) != len(spans) {
		t.Errorf("%d distinct spans after sorting, want %d", len(ids), len(spans))
	}
}

// A resource names its service once, from the span's Service, even when
// the span's resource attributes hold service.name too (as the demo's do).
func TestFromTracesNamesTheServiceOnce(t *testing.T) {
	tr := &sources.Trace{ID: "0af7651916cd43dd8448eb211c80319c", Spans: []sources.Span{{
		TraceID: "0af7651916cd43dd8448eb211c80319c", SpanID: "00f067aa0ba902b7", Service: "api",
		Resource: sources.Attrs{{Key: "host.name", Value: "h1"}, {Key: "service.name", Value: "api"}},
	}}}
	attrs := FromTraces([]*sources.Trace{tr}).ResourceSpans[0].Resource.Attributes
	var keys []string
	for _, kv := range attrs {
		keys = append(keys, kv.Key)
	}
	if strings.Join(keys, ",") != "service.name,host.name" {
		t.Errorf("resource attributes %v", keys)
	}
}

// A link without a trace or a span ID is kept as sent (proto3 JSON leaves
// an empty ID out), and Encode writes it so that Decode reads it back:
// it wrote empty IDs, which Decode refused (defect 3 of #15).
func TestLinksWithoutIDs(t *testing.T) {
	doc := `{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"01","spanId":"02","links":[{},{"traceId":"03"},{"spanId":"04"},{"traceId":"05","spanId":"06"}]}]}]}]}`
	ts, err := Decode(strings.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	links := ts[0].Spans[0].Links
	if len(links) != 4 || links[1].TraceID != "00000000000000000000000000000003" || links[1].SpanID != "" ||
		links[3].TraceID != "00000000000000000000000000000005" || links[3].SpanID != "0000000000000006" {
		t.Fatalf("links %+v", links)
	}
	var buf bytes.Buffer
	if err := Encode(&buf, ts); err != nil {
		t.Fatal(err)
	}
	back, err := Decode(&buf)
	if err != nil {
		t.Fatalf("what Encode wrote: %v", err)
	}
	if !reflect.DeepEqual(back[0].Spans[0].Links, links) {
		t.Errorf("read back %+v, want %+v", back[0].Spans[0].Links, links)
	}
}
