// Package otlp reads and writes traces in OTLP JSON, the encoding of
// OpenTelemetry's trace protocol that Jaeger's /api/v3 serves and that
// `telx trace -o otlp` prints: hex IDs, 64-bit integers as strings, enums
// as numbers. The reader also takes what other encoders write: numbers for
// the integers and names for the enums.
package otlp

import (
	"encoding/base64"
	"fmt"
	json "github.com/goccy/go-json"
	"io"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/telx-cli/telx/sources"
)

// TracesData is the top level of an OTLP JSON document.
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
	TraceID    string     `json:"traceId"`
	SpanID     string     `json:"spanId"`
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

// Int64 is a 64-bit integer written as a JSON string, read from a string
// or a number.
type Int64 int64

func (i Int64) MarshalJSON() ([]byte, error) {
	return []byte(`"` + strconv.FormatInt(int64(i), 10) + `"`), nil
}

func (i *Int64) UnmarshalJSON(b []byte) error {
	s := b
	if len(s) >= 2 && s[0] == '"' {
		s = s[1 : len(s)-1]
	}
	if len(s) == 0 || string(s) == "null" {
		*i = 0
		return nil
	}
	if v, ok := parseDecimal(s); ok {
		*i = Int64(v)
		return nil
	}
	v, err := strconv.ParseInt(string(s), 10, 64)
	if err != nil {
		// some encoders write unsigned nanoseconds past int64
		u, uerr := strconv.ParseUint(string(s), 10, 64)
		if uerr != nil {
			return fmt.Errorf("%s is not a 64-bit integer", b)
		}
		v = int64(u)
	}
	*i = Int64(v)
	return nil
}

// parseDecimal reads a plain decimal integer of at most 19 digits, with an
// optional minus sign, without allocating; anything else (and overflow) is
// left to strconv.
func parseDecimal(b []byte) (int64, bool) {
	neg := false
	if len(b) > 0 && b[0] == '-' {
		neg, b = true, b[1:]
	}
	if len(b) == 0 || len(b) > 19 {
		return 0, false
	}
	var u uint64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		u = u*10 + uint64(c-'0')
	}
	if u > math.MaxInt64 {
		return 0, false
	}
	if neg {
		return -int64(u), true
	}
	return int64(u), true
}

// Nanos is a timestamp in nanoseconds, written and read as Int64. A value
// that is not an integer is kept as invalid, so that the span it belongs
// to can say which field was wrong.
type Nanos int64

// invalidNanos marks a timestamp that could not be read.
const invalidNanos = Nanos(math.MinInt64)

func (n Nanos) MarshalJSON() ([]byte, error) { return Int64(n).MarshalJSON() }

func (n *Nanos) UnmarshalJSON(b []byte) error {
	var i Int64
	if err := i.UnmarshalJSON(b); err != nil {
		*n = invalidNanos
		return nil
	}
	*n = Nanos(i)
	return nil
}

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

func (d *Double) UnmarshalJSON(b []byte) error {
	var f float64
	if err := json.Unmarshal(b, &f); err == nil {
		*d = Double(f)
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("%s is not a number", b)
	}
	switch s {
	case "NaN":
		*d = Double(math.NaN())
	case "Infinity":
		*d = Double(math.Inf(1))
	case "-Infinity":
		*d = Double(math.Inf(-1))
	default:
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return fmt.Errorf("%q is not a number", s)
		}
		*d = Double(v)
	}
	return nil
}

// Enum is an OTLP enum: written as a number, read from a number or its
// name (SPAN_KIND_SERVER, STATUS_CODE_ERROR).
type Enum int

func (e *Enum) UnmarshalJSON(b []byte) error {
	if v, ok := parseDecimal(b); ok && v >= math.MinInt32 && v <= math.MaxInt32 {
		*e = Enum(v)
		return nil
	}
	var n int
	if err := json.Unmarshal(b, &n); err == nil {
		*e = Enum(n)
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("%s is not an enum value", b)
	}
	if v, ok := enumNames[s]; ok {
		*e = Enum(v)
		return nil
	}
	return fmt.Errorf("unknown enum value %q", s)
}

var enumNames = map[string]int{
	"SPAN_KIND_UNSPECIFIED": 0, "SPAN_KIND_INTERNAL": 1, "SPAN_KIND_SERVER": 2,
	"SPAN_KIND_CLIENT": 3, "SPAN_KIND_PRODUCER": 4, "SPAN_KIND_CONSUMER": 5,
	"STATUS_CODE_UNSET": 0, "STATUS_CODE_OK": 1, "STATUS_CODE_ERROR": 2,
}

// Decode reads an OTLP JSON document into traces, one per trace ID, spans
// in start order.
func Decode(r io.Reader) ([]*sources.Trace, error) {
	var td TracesData
	if err := json.NewDecoder(r).Decode(&td); err != nil {
		return nil, fmt.Errorf("reading OTLP JSON: %w", err)
	}
	return ToTraces(&td)
}

// ToTraces converts decoded OTLP to traces, one per trace ID, in the order
// they first appear, spans in start order.
func ToTraces(td *TracesData) ([]*sources.Trace, error) {
	byID := map[sources.TraceID]*sources.Trace{}
	var order []*sources.Trace
	total, attrs := 0, 0
	for _, rs := range td.ResourceSpans {
		for _, ss := range rs.ScopeSpans {
			total += len(ss.Spans)
			for i := range ss.Spans {
				attrs += len(ss.Spans[i].Attributes)
			}
		}
	}
	c := &converter{arena: make(sources.Attrs, 0, attrs)}
	for ri, rs := range td.ResourceSpans {
		service, resource := serviceOf(rs.Resource.Attributes)
		for si, ss := range append(rs.ScopeSpans, rs.InstrumentationLibrarySpans...) {
			for pi := range ss.Spans {
				s, err := c.toSpan(&ss.Spans[pi], service, resource)
				if err != nil {
					return nil, fmt.Errorf("resourceSpans[%d].scopeSpans[%d].spans[%d]: %w", ri, si, pi, err)
				}
				t, ok := byID[s.TraceID]
				if !ok {
					t = &sources.Trace{ID: s.TraceID}
					if len(order) == 0 {
						// most documents hold one trace
						t.Spans = make([]sources.Span, 0, total)
					}
					byID[s.TraceID] = t
					order = append(order, t)
				}
				t.Spans = append(t.Spans, s)
			}
		}
	}
	for _, t := range order {
		SortSpans(t.Spans)
	}
	return order, nil
}

// SortSpans orders spans by start time, then span ID. It sorts an index
// and moves each span once: spans are large to swap.
func SortSpans(spans []sources.Span) {
	less := func(a, b *sources.Span) int {
		if c := a.Start.Compare(b.Start); c != 0 {
			return c
		}
		return strings.Compare(string(a.SpanID), string(b.SpanID))
	}
	sorted := true
	for i := 1; i < len(spans); i++ {
		if less(&spans[i-1], &spans[i]) > 0 {
			sorted = false
			break
		}
	}
	if sorted {
		return
	}
	idx := make([]int32, len(spans))
	for i := range idx {
		idx[i] = int32(i)
	}
	slices.SortStableFunc(idx, func(a, b int32) int { return less(&spans[a], &spans[b]) })
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

// Precision is the time resolution spans are kept at: Jaeger's
// microseconds, so that the same trace reads the same through every API.
const Precision = time.Microsecond

func serviceOf(attrs []KeyValue) (string, sources.Attrs) {
	service := ""
	var resource sources.Attrs
	for _, kv := range attrs {
		if kv.Key == "service.name" && kv.Value.StringValue != nil {
			service = *kv.Value.StringValue
			continue
		}
		resource = append(resource, sources.Attr{Key: kv.Key, Value: kv.Value.toGo()})
	}
	SortAttrs(resource)
	return service, resource
}

// SortAttrs orders attributes by key, keeping the order of equal keys.
func SortAttrs(as sources.Attrs) {
	for i := 1; i < len(as); i++ {
		if as[i-1].Key > as[i].Key {
			slices.SortStableFunc(as, func(a, b sources.Attr) int { return strings.Compare(a.Key, b.Key) })
			return
		}
	}
}

// converter turns decoded spans into sources.Span, sharing allocations
// between spans: the spans' attributes are cut from one backing array and
// short string values are boxed once.
type converter struct {
	arena   sources.Attrs
	strings map[string]any
}

// maxShared bounds the strings a converter keeps boxed values of.
const maxShared = 1 << 12

func (c *converter) value(v *AnyValue) any {
	if v.StringValue == nil || len(*v.StringValue) > 64 {
		return v.toGo()
	}
	if b, ok := c.strings[*v.StringValue]; ok {
		return b
	}
	var b any = *v.StringValue
	if c.strings == nil {
		c.strings = map[string]any{}
	}
	if len(c.strings) < maxShared {
		c.strings[*v.StringValue] = b
	}
	return b
}

// spanAttrs converts a span's attributes into the arena; the result has no
// spare capacity, so appending to it copies.
func (c *converter) spanAttrs(kvs []KeyValue) sources.Attrs {
	if len(kvs) == 0 {
		return nil
	}
	if cap(c.arena)-len(c.arena) < len(kvs) {
		c.arena = make(sources.Attrs, 0, max(len(kvs), 1024))
	}
	start := len(c.arena)
	for i := range kvs {
		c.arena = append(c.arena, sources.Attr{Key: kvs[i].Key, Value: c.value(&kvs[i].Value)})
	}
	out := c.arena[start:len(c.arena):len(c.arena)]
	SortAttrs(out)
	return out
}

func (c *converter) toSpan(p *Span, service string, resource sources.Attrs) (sources.Span, error) {
	tid, err := sources.ParseTraceID(p.TraceID)
	if err != nil {
		return sources.Span{}, fmt.Errorf("traceId: %w", err)
	}
	for _, f := range []struct {
		name string
		v    Nanos
	}{{"startTimeUnixNano", p.StartTimeUnixNano}, {"endTimeUnixNano", p.EndTimeUnixNano}} {
		if f.v == invalidNanos {
			return sources.Span{}, fmt.Errorf("%s is not an integer number of nanoseconds", f.name)
		}
	}
	sid, err := sources.ParseSpanID(p.SpanID)
	if err != nil {
		return sources.Span{}, fmt.Errorf("spanId: %w", err)
	}
	s := sources.Span{
		TraceID:   tid,
		SpanID:    sid,
		Service:   service,
		Operation: p.Name,
		Kind:      sources.SpanKind(p.Kind),
		Start:     nanos(p.StartTimeUnixNano),
		Resource:  resource,
	}
	for i, kv := range p.Attributes {
		if kv.Key != jaegerWarnings {
			continue
		}
		if v, ok := kv.Value.toGo().([]any); ok {
			for _, w := range v {
				s.Warnings = append(s.Warnings, sources.FormatValue(w))
			}
		}
		s.Warnings = KeepWarnings(s.Warnings)
		p.Attributes = append(p.Attributes[:i:i], p.Attributes[i+1:]...)
		break
	}
	s.Attrs = c.spanAttrs(p.Attributes)
	if s.Kind < sources.KindUnspecified || s.Kind > sources.KindConsumer {
		s.Kind = sources.KindUnspecified
	}
	if d := time.Duration(p.EndTimeUnixNano - p.StartTimeUnixNano); d > 0 {
		s.Duration = d.Truncate(Precision)
	}
	if p.ParentSpanID != "" {
		pid, err := sources.ParseSpanID(p.ParentSpanID)
		if err != nil {
			return sources.Span{}, fmt.Errorf("parentSpanId: %w", err)
		}
		s.ParentID = pid
	}
	if p.Status != nil {
		s.Status = sources.Status{Code: sources.StatusCode(p.Status.Code), Message: p.Status.Message}
		if s.Status.Code > sources.StatusError || s.Status.Code < 0 {
			s.Status.Code = sources.StatusUnset
		}
	}
	for _, e := range p.Events {
		s.Events = append(s.Events, sources.Event{Time: nanos(e.TimeUnixNano), Name: e.Name, Attrs: toAttrs(e.Attributes)})
	}
	for i, l := range p.Links {
		ltid, err := sources.ParseTraceID(l.TraceID)
		if err != nil {
			return sources.Span{}, fmt.Errorf("links[%d].traceId: %w", i, err)
		}
		lsid, err := sources.ParseSpanID(l.SpanID)
		if err != nil {
			return sources.Span{}, fmt.Errorf("links[%d].spanId: %w", i, err)
		}
		s.Links = append(s.Links, sources.SpanRef{Type: sources.RefFollowsFrom, TraceID: ltid, SpanID: lsid, Attrs: toAttrs(l.Attributes)})
	}
	return s, nil
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

func nanos(n Nanos) time.Time {
	return time.Unix(0, int64(n)).UTC().Truncate(Precision)
}

func toAttrs(kvs []KeyValue) sources.Attrs {
	if len(kvs) == 0 {
		return nil
	}
	out := make(sources.Attrs, 0, len(kvs))
	for _, kv := range kvs {
		out = append(out, sources.Attr{Key: kv.Key, Value: kv.Value.toGo()})
	}
	SortAttrs(out)
	return out
}

func (v *AnyValue) toGo() any {
	switch {
	case v.StringValue != nil:
		return *v.StringValue
	case v.BoolValue != nil:
		return *v.BoolValue
	case v.IntValue != nil:
		return int64(*v.IntValue)
	case v.DoubleValue != nil:
		return float64(*v.DoubleValue)
	case v.BytesValue != nil:
		return *v.BytesValue // base64, as sent
	case v.ArrayValue != nil:
		out := make([]any, 0, len(v.ArrayValue.Values))
		for i := range v.ArrayValue.Values {
			out = append(out, v.ArrayValue.Values[i].toGo())
		}
		return out
	case v.KvlistValue != nil:
		out := make(map[string]any, len(v.KvlistValue.Values))
		for i := range v.KvlistValue.Values {
			out[v.KvlistValue.Values[i].Key] = v.KvlistValue.Values[i].Value.toGo()
		}
		return out
	}
	return nil
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
		kv := &KeyValueList{}
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

// FromTraces converts traces to OTLP, one resource per service and trace,
// in the order services first appear.
func FromTraces(traces []*sources.Trace) *TracesData {
	td := &TracesData{ResourceSpans: []ResourceSpans{}}
	for _, t := range traces {
		idx := map[string]int{}
		for i := range t.Spans {
			s := &t.Spans[i]
			ri, ok := idx[s.Service]
			if !ok {
				attrs := append([]KeyValue{{Key: "service.name", Value: FromGo(s.Service)}}, fromAttrs(s.Resource)...)
				td.ResourceSpans = append(td.ResourceSpans, ResourceSpans{
					Resource:   Resource{Attributes: attrs},
					ScopeSpans: []ScopeSpans{{}},
				})
				ri = len(td.ResourceSpans) - 1
				idx[s.Service] = ri
			}
			ss := &td.ResourceSpans[ri].ScopeSpans[0]
			ss.Spans = append(ss.Spans, fromSpan(s))
		}
	}
	return td
}

func fromSpan(s *sources.Span) Span {
	p := Span{
		TraceID:           string(s.TraceID),
		SpanID:            string(s.SpanID),
		ParentSpanID:      string(s.ParentID),
		Name:              s.Operation,
		Kind:              Enum(s.Kind),
		StartTimeUnixNano: Nanos(s.Start.UnixNano()),
		EndTimeUnixNano:   Nanos(s.End().UnixNano()),
		Attributes:        fromAttrs(s.Attrs),
	}
	if s.Status.Code != sources.StatusUnset || s.Status.Message != "" {
		p.Status = &Status{Code: Enum(s.Status.Code), Message: s.Status.Message}
	}
	for _, e := range s.Events {
		p.Events = append(p.Events, Event{TimeUnixNano: Nanos(e.Time.UnixNano()), Name: e.Name, Attributes: fromAttrs(e.Attrs)})
	}
	for _, l := range s.Links {
		p.Links = append(p.Links, Link{TraceID: string(l.TraceID), SpanID: string(l.SpanID), Attributes: fromAttrs(l.Attrs)})
	}
	return p
}

// Encode writes traces as one OTLP JSON document.
func Encode(w io.Writer, traces []*sources.Trace) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(FromTraces(traces))
}
