// Package otlp reads and writes traces in OTLP JSON, the encoding of
// OpenTelemetry's trace protocol that Jaeger's /api/v3 serves and that
// `telx trace -o otlp` prints: hex IDs, 64-bit integers as strings, enums
// as numbers. The reader also takes what other encoders write: numbers for
// the integers and names for the enums (SPAN_KIND_SERVER,
// STATUS_CODE_ERROR).
package otlp

import (
	"cmp"
	"encoding/base64"
	json "github.com/goccy/go-json"
	"io"
	"math"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/telx-cli/telx/sources"
)

// TracesData is the top level of an OTLP JSON document, as Encode writes
// it. Decode reads documents without these types.
type TracesData struct {
	ResourceSpans []ResourceSpans `json:"resourceSpans"`
}

// ResourceSpans holds one resource's spans.
type ResourceSpans struct {
	Resource   Resource     `json:"resource"`
	ScopeSpans []ScopeSpans `json:"scopeSpans"`
	// older encoders
	InstrumentationLibrarySpans []ScopeSpans `json:"instrumentationLibrarySpans,omitempty"`
}

// Resource is the process that emitted spans.
type Resource struct {
	Attributes []KeyValue `json:"attributes,omitempty"`
}

// ScopeSpans holds one instrumentation scope's spans.
type ScopeSpans struct {
	Scope *Scope `json:"scope,omitempty"`
	Spans []Span `json:"spans"`
}

// Scope names the instrumentation library.
type Scope struct {
	Name    string `json:"name,omitempty"`
	Version string `json:"version,omitempty"`
}

// Span is an OTLP span.
type Span struct {
	TraceID           string     `json:"traceId"`
	SpanID            string     `json:"spanId"`
	ParentSpanID      string     `json:"parentSpanId,omitempty"`
	Name              string     `json:"name"`
	Kind              Enum       `json:"kind,omitempty"`
	StartTimeUnixNano Nanos      `json:"startTimeUnixNano"`
	EndTimeUnixNano   Nanos      `json:"endTimeUnixNano"`
	Attributes        []KeyValue `json:"attributes,omitempty"`
	Events            []Event    `json:"events,omitempty"`
	Links             []Link     `json:"links,omitempty"`
	Status            *Status    `json:"status,omitempty"`
}

// Event is a span event.
type Event struct {
	TimeUnixNano Nanos      `json:"timeUnixNano"`
	Name         string     `json:"name"`
	Attributes   []KeyValue `json:"attributes,omitempty"`
}

// Link points at another span.
type Link struct {
	TraceID    string     `json:"traceId,omitempty"`
	SpanID     string     `json:"spanId,omitempty"`
	Attributes []KeyValue `json:"attributes,omitempty"`
}

// Status is a span's status.
type Status struct {
	Code    Enum   `json:"code,omitempty"`
	Message string `json:"message,omitempty"`
}

// KeyValue is an attribute.
type KeyValue struct {
	Key   string   `json:"key"`
	Value AnyValue `json:"value"`
}

// AnyValue is an attribute value; exactly one field is set.
type AnyValue struct {
	StringValue *string       `json:"stringValue,omitempty"`
	BoolValue   *bool         `json:"boolValue,omitempty"`
	IntValue    *Int64        `json:"intValue,omitempty"`
	DoubleValue *Double       `json:"doubleValue,omitempty"`
	ArrayValue  *ArrayValue   `json:"arrayValue,omitempty"`
	KvlistValue *KeyValueList `json:"kvlistValue,omitempty"`
	BytesValue  *string       `json:"bytesValue,omitempty"`
}

// ArrayValue is a list of values.
type ArrayValue struct {
	Values []AnyValue `json:"values"`
}

// KeyValueList is a map of values.
type KeyValueList struct {
	Values []KeyValue `json:"values"`
}

// Int64 is a 64-bit integer, written as a JSON string.
type Int64 int64

func (i Int64) MarshalJSON() ([]byte, error) {
	return []byte(`"` + strconv.FormatInt(int64(i), 10) + `"`), nil
}

// Nanos is a timestamp in nanoseconds, written as Int64.
type Nanos int64

func (n Nanos) MarshalJSON() ([]byte, error) { return Int64(n).MarshalJSON() }

// Double is a float that may be written as "NaN", "Infinity" or
// "-Infinity".
type Double float64

func (d Double) MarshalJSON() ([]byte, error) {
	f := float64(d)
	switch {
	case math.IsNaN(f):
		return []byte(`"NaN"`), nil
	case math.IsInf(f, 1):
		return []byte(`"Infinity"`), nil
	case math.IsInf(f, -1):
		return []byte(`"-Infinity"`), nil
	}
	return json.Marshal(f)
}

// Enum is an OTLP enum, written as a number.
type Enum int

// SortSpans orders spans by start time, then span ID. It sorts an index
// and moves each span once: spans are large to swap.
func SortSpans(spans []sources.Span) {
	idx := sortedOrder(len(spans), func(i int) *sources.Span { return &spans[i] })
	if idx == nil {
		return
	}
	// Apply the permutation in place, one cycle at a time: position i takes
	// the span at idx[i]. A visited position is marked with -1.
	for i := range idx {
		if idx[i] < 0 || int(idx[i]) == i {
			continue
		}
		tmp := spans[i]
		j := i
		for {
			k := int(idx[j])
			idx[j] = -1
			if k == i {
				spans[j] = tmp
				break
			}
			spans[j] = spans[k]
			j = k
		}
	}
}

// sortedOrder returns the order of n spans by start time, then span ID,
// then position; nil when they are in that order already. It sorts small
// keys rather than the spans, which are large and may be scattered.
func sortedOrder(n int, span func(int) *sources.Span) []int32 {
	type key struct {
		start int64
		i     int32
	}
	keys := make([]key, n)
	for i := range keys {
		keys[i] = key{span(i).Start.UnixNano(), int32(i)}
	}
	less := func(a, b key) int {
		if a.start != b.start {
			return cmp.Compare(a.start, b.start)
		}
		if c := strings.Compare(string(span(int(a.i)).SpanID), string(span(int(b.i)).SpanID)); c != 0 {
			return c
		}
		return cmp.Compare(a.i, b.i)
	}
	if slices.IsSortedFunc(keys, less) {
		return nil
	}
	idx := make([]int32, n)
	if n < inHalves || runtime.GOMAXPROCS(0) == 1 {
		slices.SortFunc(keys, less)
		for i, k := range keys {
			idx[i] = k.i
		}
		return idx
	}
	// each half sorted on a core of its own, then merged: the keys are
	// all different (the position decides last), so the order is the one
	// sorting them all gives
	a, b := keys[:n/2], keys[n/2:]
	var wg sync.WaitGroup
	wg.Go(func() { slices.SortFunc(b, less) })
	slices.SortFunc(a, less)
	wg.Wait()
	for k := range idx {
		if len(b) == 0 || len(a) > 0 && less(a[0], b[0]) < 0 {
			idx[k], a = a[0].i, a[1:]
		} else {
			idx[k], b = b[0].i, b[1:]
		}
	}
	return idx
}

// Precision is the time resolution spans are kept at: Jaeger's
// microseconds, so that the same trace reads the same through every API.
const Precision = time.Microsecond

// SortAttrs orders attributes by key, keeping the order of equal keys.
func SortAttrs(as sources.Attrs) {
	for i := 1; i < len(as); i++ {
		if as[i-1].Key > as[i].Key {
			slices.SortStableFunc(as, func(a, b sources.Attr) int { return strings.Compare(a.Key, b.Key) })
			return
		}
	}
}

// jaegerWarnings is the attribute in which Jaeger's /api/v3 gives the
// warnings it has about a span.
const jaegerWarnings = "@jaeger@warnings"

// KeepWarnings drops Jaeger's notes that it did not adjust clock skew:
// telx flags skew itself.
func KeepWarnings(ws []string) []string {
	var out []string
	for _, w := range ws {
		if !strings.HasPrefix(w, "clock skew adjustment disabled") {
			out = append(out, w)
		}
	}
	return out
}

// FromGo converts an attribute value to OTLP.
func FromGo(v any) AnyValue {
	switch x := v.(type) {
	case string:
		return AnyValue{StringValue: &x}
	case bool:
		return AnyValue{BoolValue: &x}
	case int64:
		i := Int64(x)
		return AnyValue{IntValue: &i}
	case int:
		i := Int64(x)
		return AnyValue{IntValue: &i}
	case float64:
		d := Double(x)
		return AnyValue{DoubleValue: &d}
	case []byte:
		s := base64.StdEncoding.EncodeToString(x)
		return AnyValue{BytesValue: &s}
	case []any:
		arr := &ArrayValue{Values: make([]AnyValue, 0, len(x))}
		for _, e := range x {
			arr.Values = append(arr.Values, FromGo(e))
		}
		return AnyValue{ArrayValue: arr}
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		kv := &KeyValueList{Values: []KeyValue{}}
		for _, k := range keys {
			kv.Values = append(kv.Values, KeyValue{Key: k, Value: FromGo(x[k])})
		}
		return AnyValue{KvlistValue: kv}
	}
	s := sources.FormatValue(v)
	return AnyValue{StringValue: &s}
}

func fromAttrs(as sources.Attrs) []KeyValue {
	if len(as) == 0 {
		return nil
	}
	out := make([]KeyValue, 0, len(as))
	for _, a := range as {
		out = append(out, KeyValue{Key: a.Key, Value: FromGo(a.Value)})
	}
	return out
}

// FromTraces converts traces to OTLP, one resource per service, resource
// attributes and trace, in the order they first appear: two instances of
// a service (two host.name) keep a resource each.
func FromTraces(traces []*sources.Trace) *TracesData {
	td := &TracesData{ResourceSpans: []ResourceSpans{}}
	// spans of one resource mostly share its attributes' slice: the slice
	// finds the resource fast, the attributes' encoding for certain
	type shared struct {
		service string
		first   *sources.Attr
		n       int
	}
	for _, t := range traces {
		bySlice := map[shared]int{}
		byValue := map[string]int{}
		for i := range t.Spans {
			s := &t.Spans[i]
			sk := shared{service: s.Service, n: len(s.Resource)}
			if len(s.Resource) > 0 {
				sk.first = &s.Resource[0]
			}
			ri, ok := bySlice[sk]
			if !ok {
				attrs := []KeyValue{{Key: "service.name", Value: FromGo(s.Service)}}
				for _, a := range s.Resource {
					if a.Key != "service.name" { // the span's Service says it
						attrs = append(attrs, KeyValue{Key: a.Key, Value: FromGo(a.Value)})
					}
				}
				key, err := json.Marshal(attrs)
				if err != nil { // no value FromGo makes fails; keep the span
					key = []byte(strconv.Itoa(i))
				}
				if ri, ok = byValue[string(key)]; !ok {
					td.ResourceSpans = append(td.ResourceSpans, ResourceSpans{
						Resource:   Resource{Attributes: attrs},
						ScopeSpans: []ScopeSpans{{}},
					})
					ri = len(td.ResourceSpans) - 1
					byValue[string(key)] = ri
				}
				bySlice[sk] = ri
			}
			ss := &td.ResourceSpans[ri].ScopeSpans[0]
			ss.Spans = append(ss.Spans, fromSpan(s))
		}
	}
	return td
}

// refType is the link attribute that keeps a Jaeger reference's type, as
// Jaeger's own OTLP translation names it; a link without it follows from.
const refType = "opentracing.ref_type"

// unixNanos is t in nanoseconds since 1970, held to what an OTLP
// timestamp can say: before 1677 or after 2262 it is the nearest end.
func unixNanos(t time.Time) Nanos {
	switch {
	case t.Before(minTime):
		return math.MinInt64
	case t.After(maxTime):
		return math.MaxInt64
	}
	return Nanos(t.UnixNano())
}

var (
	minTime = time.Unix(0, math.MinInt64)
	maxTime = time.Unix(0, math.MaxInt64)
)

func fromSpan(s *sources.Span) Span {
	start, end := unixNanos(s.Start), unixNanos(s.Start)
	if s.Duration > 0 { // a negative one is written, and read, as none
		end = unixNanos(s.End())
	}
	p := Span{
		TraceID:           string(s.TraceID),
		SpanID:            string(s.SpanID),
		ParentSpanID:      string(s.ParentID),
		Name:              s.Operation,
		Kind:              Enum(s.Kind),
		StartTimeUnixNano: start,
		EndTimeUnixNano:   end,
		Attributes:        fromAttrs(s.Attrs),
	}
	if len(s.Warnings) > 0 {
		ws := make([]any, len(s.Warnings))
		for i, w := range s.Warnings {
			ws[i] = w
		}
		p.Attributes = append(p.Attributes, KeyValue{Key: jaegerWarnings, Value: FromGo(ws)})
	}
	if s.Status.Code != sources.StatusUnset || s.Status.Message != "" {
		p.Status = &Status{Code: Enum(s.Status.Code), Message: s.Status.Message}
	}
	for _, e := range s.Events {
		p.Events = append(p.Events, Event{TimeUnixNano: unixNanos(e.Time), Name: e.Name, Attributes: fromAttrs(e.Attrs)})
	}
	for _, l := range s.Links {
		attrs := fromAttrs(l.Attrs)
		if l.Type != "" && l.Type != sources.RefFollowsFrom {
			attrs = append(attrs, KeyValue{Key: refType, Value: FromGo(string(l.Type))})
		}
		p.Links = append(p.Links, Link{TraceID: string(l.TraceID), SpanID: string(l.SpanID), Attributes: attrs})
	}
	return p
}

// Encode writes traces as one OTLP JSON document.
func Encode(w io.Writer, traces []*sources.Trace) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(FromTraces(traces))
}
