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
	"math/bits"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

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
	idx := sortedOrder(len(spans), nil, func(i int) *sources.Span { return &spans[i] })
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
// then position; nil when they are in that order already. starts are
// their starts (Start.UnixNano) when not nil, read while the spans were at
// hand; else sortedOrder reads them. It sorts small keys rather than the
// spans, which are large and may be scattered: each span's start past the
// earliest with its position under it, by a radix sort of their start bits
// (the positions stay in order within a start), then the spans of one
// start by ID. A 10,000-span trace from Jaeger sorts in about 0.1 ms so,
// against 0.8 ms comparing keys. Where the starts are too far apart to fit
// beside the positions (about 13 days apart at 10,000 spans) the keys are
// compared.
func sortedOrder(n int, starts []int64, span func(int) *sources.Span) []int32 {
	if starts == nil {
		starts = make([]int64, n)
		for i := range starts {
			starts[i] = span(i).Start.UnixNano()
		}
	}
	lo, hi := int64(math.MaxInt64), int64(math.MinInt64)
	for _, s := range starts {
		lo, hi = min(lo, s), max(hi, s)
	}
	less := func(a, b int32) int {
		if c := cmp.Compare(starts[a], starts[b]); c != 0 {
			return c
		}
		if c := strings.Compare(string(span(int(a)).SpanID), string(span(int(b)).SpanID)); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	}
	k := 1
	for k < n && less(int32(k-1), int32(k)) < 0 {
		k++
	}
	if k >= n {
		return nil
	}
	idx := make([]int32, n)
	posBits := bits.Len(uint(n - 1))
	startBits := bits.Len64(uint64(hi) - uint64(lo)) // the difference, exact in unsigned
	if posBits+startBits > 64 {
		for i := range idx {
			idx[i] = int32(i)
		}
		slices.SortFunc(idx, less)
		return idx
	}
	keys := make([]uint64, n)
	for i, s := range starts {
		keys[i] = (uint64(s)-uint64(lo))<<posBits | uint64(i)
	}
	keys = radixSort(keys, posBits, startBits)
	for i, key := range keys {
		idx[i] = int32(key & (1<<posBits - 1))
	}
	// the spans of one start, in position order, by ID
	for i := 0; i < n; {
		j := i + 1
		for j < n && keys[j]>>posBits == keys[i]>>posBits {
			j++
		}
		if j-i > 1 {
			slices.SortFunc(idx[i:j], less)
		}
		i = j
	}
	return idx
}

// radixSort sorts keys by their bits [from, from+width), keeping the order
// of keys equal in those (a least significant digit first radix sort, in
// digits of up to 12 bits). It returns the sorted keys: keys, or a slice of
// the same length in its place.
func radixSort(keys []uint64, from, width int) []uint64 {
	if width == 0 {
		return keys
	}
	passes := (width + 11) / 12
	digit := (width + passes - 1) / passes
	var count [1 << 12]int32
	mask := uint64(1)<<digit - 1
	src, dst := keys, make([]uint64, len(keys))
	for shift := from; shift < from+width; shift += digit {
		clear(count[:mask+1])
		for _, k := range src {
			count[(k>>shift)&mask]++
		}
		sum := int32(0)
		for d, c := range count[:mask+1] {
			count[d] = sum
			sum += c
		}
		for _, k := range src {
			d := (k >> shift) & mask
			dst[count[d]] = k
			count[d]++
		}
		src, dst = dst, src
	}
	return src
}

// Precision is the time resolution spans are kept at: Jaeger's
// microseconds, so that the same trace reads the same through every API.
const Precision = time.Microsecond

// SortAttrs orders attributes by key, keeping the order of equal keys. A
// key of invalid UTF-8 has its place as it is written (JSON cannot hold
// such bytes: each is written U+FFFD), so that what telx writes reads back
// in the same order.
func SortAttrs(as sources.Attrs) {
	order := strings.Compare
	for _, a := range as {
		if !isASCII(a.Key) {
			order = writtenOrder
			break
		}
	}
	sortAttrs(as, order)
}

// sortAttrsASCII is SortAttrs of attributes whose keys are all ASCII.
func sortAttrsASCII(as sources.Attrs) { sortAttrs(as, strings.Compare) }

func sortAttrs(as sources.Attrs, order func(a, b string) int) {
	for i := 1; i < len(as); i++ {
		if order(as[i-1].Key, as[i].Key) > 0 {
			slices.SortStableFunc(as, func(a, b sources.Attr) int { return order(a.Key, b.Key) })
			return
		}
	}
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// writtenOrder orders keys as they are written, each byte of invalid
// UTF-8 as U+FFFD.
func writtenOrder(a, b string) int {
	return strings.Compare(asWritten(a), asWritten(b))
}

func asWritten(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 {
			b.WriteString(string(utf8.RuneError))
		} else {
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
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
