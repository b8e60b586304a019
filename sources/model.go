// Package sources holds telx's domain model (traces, spans, series, log
// entries, time ranges), the small interfaces every backend implements, and
// pure functions over the model. It never imports tui or cmd.
package sources

import (
	"fmt"
	"sort"
	"strconv"
	"time"
)

// SpanKind is the OpenTelemetry span kind.
type SpanKind int

const (
	KindUnspecified SpanKind = iota
	KindInternal
	KindServer
	KindClient
	KindProducer
	KindConsumer
)

var kindNames = [...]string{"unspecified", "internal", "server", "client", "producer", "consumer"}

func (k SpanKind) String() string {
	if k < 0 || int(k) >= len(kindNames) {
		return "unspecified"
	}
	return kindNames[k]
}

// ParseSpanKind reads a kind as Jaeger's span.kind tag or OTLP's
// SPAN_KIND_* name writes it; anything else is unspecified.
func ParseSpanKind(s string) SpanKind {
	switch s {
	case "internal", "SPAN_KIND_INTERNAL":
		return KindInternal
	case "server", "SPAN_KIND_SERVER":
		return KindServer
	case "client", "SPAN_KIND_CLIENT":
		return KindClient
	case "producer", "SPAN_KIND_PRODUCER":
		return KindProducer
	case "consumer", "SPAN_KIND_CONSUMER":
		return KindConsumer
	}
	return KindUnspecified
}

func (k SpanKind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

func (k *SpanKind) UnmarshalText(b []byte) error {
	*k = ParseSpanKind(string(b))
	return nil
}

// StatusCode is the OpenTelemetry span status code.
type StatusCode int

const (
	StatusUnset StatusCode = iota
	StatusOK
	StatusError
)

func (c StatusCode) String() string {
	switch c {
	case StatusOK:
		return "ok"
	case StatusError:
		return "error"
	}
	return "unset"
}

func (c StatusCode) MarshalText() ([]byte, error) { return []byte(c.String()), nil }

func (c *StatusCode) UnmarshalText(b []byte) error {
	switch string(b) {
	case "ok", "STATUS_CODE_OK":
		*c = StatusOK
	case "error", "STATUS_CODE_ERROR":
		*c = StatusError
	default:
		*c = StatusUnset
	}
	return nil
}

// Status is a span's outcome.
type Status struct {
	Code    StatusCode `json:"code"`
	Message string     `json:"message,omitempty"`
}

// Attr is a key and a value: a string, bool, int64, float64, []any or
// map[string]any, as the backend gave it.
type Attr struct {
	Key   string `json:"key"`
	Value any    `json:"value"`
}

// String formats the value for display (not sanitised).
func (a Attr) String() string { return FormatValue(a.Value) }

// FormatValue formats an attribute value for display.
func FormatValue(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case bool:
		return strconv.FormatBool(v)
	case int64:
		return strconv.FormatInt(v, 10)
	case int:
		return strconv.Itoa(v)
	case float64:
		return strconv.FormatFloat(v, 'g', -1, 64)
	default:
		return fmt.Sprint(v)
	}
}

// Attrs is a list of attributes in the backend's order.
type Attrs []Attr

// Get returns the value of the first attribute with the key.
func (as Attrs) Get(key string) (any, bool) {
	for _, a := range as {
		if a.Key == key {
			return a.Value, true
		}
	}
	return nil, false
}

// GetString returns the formatted value of the first attribute with the key.
func (as Attrs) GetString(key string) string {
	v, _ := as.Get(key)
	return FormatValue(v)
}

// Event is a timestamped annotation on a span (a Jaeger log).
type Event struct {
	Time  time.Time `json:"time"`
	Name  string    `json:"name"`
	Attrs Attrs     `json:"attributes,omitempty"`
}

// RefType says how a span refers to another.
type RefType string

const (
	RefChildOf     RefType = "child_of"
	RefFollowsFrom RefType = "follows_from"
)

// SpanRef points from a span to another span, maybe in another trace.
type SpanRef struct {
	Type    RefType `json:"type"`
	TraceID TraceID `json:"traceId"`
	SpanID  SpanID  `json:"spanId"`
	Attrs   Attrs   `json:"attributes,omitempty"`
}

// Span is one timed operation of one service.
type Span struct {
	TraceID TraceID `json:"traceId"`
	SpanID  SpanID  `json:"spanId"`
	// ParentID is empty for a root span.
	ParentID  SpanID        `json:"parentId,omitempty"`
	Service   string        `json:"service"`
	Operation string        `json:"operation"`
	Kind      SpanKind      `json:"kind"`
	Start     time.Time     `json:"start"`
	Duration  time.Duration `json:"durationNanos"`
	Status    Status        `json:"status"`
	// Attrs are the span's own attributes (Jaeger tags).
	Attrs Attrs `json:"attributes,omitempty"`
	// Resource holds the attributes of the process or resource that
	// emitted the span (Jaeger process tags).
	Resource Attrs     `json:"resource,omitempty"`
	Events   []Event   `json:"events,omitempty"`
	Links    []SpanRef `json:"links,omitempty"`
	// Warnings are the backend's or telx's remarks about this span.
	Warnings []string `json:"warnings,omitempty"`
}

// End is when the span finished.
func (s *Span) End() time.Time { return s.Start.Add(s.Duration) }

// IsError tells whether the span failed: an error status, or Jaeger's
// error=true tag.
func (s *Span) IsError() bool {
	if s.Status.Code == StatusError {
		return true
	}
	v, ok := s.Attrs.Get("error")
	switch v := v.(type) {
	case bool:
		return ok && v
	case string:
		return ok && v == "true"
	}
	return false
}

// Trace is the set of spans sharing a trace ID.
type Trace struct {
	ID       TraceID  `json:"traceId"`
	Spans    []Span   `json:"spans"`
	Warnings []string `json:"warnings,omitempty"`
}

// TimeRange returns the trace's extent, from its first start to its last end.
func (t *Trace) TimeRange() TimeRange {
	var r TimeRange
	for i := range t.Spans {
		s := &t.Spans[i]
		if r.From.IsZero() || s.Start.Before(r.From) {
			r.From = s.Start
		}
		if end := s.End(); end.After(r.To) {
			r.To = end
		}
	}
	return r
}

// Services returns the distinct services of the trace, sorted.
func (t *Trace) Services() []string {
	seen := map[string]bool{}
	var out []string
	for i := range t.Spans {
		if s := t.Spans[i].Service; !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	sort.Strings(out)
	return out
}

// ErrorCount returns how many spans failed.
func (t *Trace) ErrorCount() int {
	n := 0
	for i := range t.Spans {
		if t.Spans[i].IsError() {
			n++
		}
	}
	return n
}

// Span returns the trace's span of that ID, or nil.
func (t *Trace) Span(id SpanID) *Span {
	if id == "" {
		return nil
	}
	for i := range t.Spans {
		if t.Spans[i].SpanID == id {
			return &t.Spans[i]
		}
	}
	return nil
}

// Root returns the trace's root span: the earliest span with no parent, or
// failing that the earliest span. It returns nil for an empty trace.
func (t *Trace) Root() *Span {
	var root *Span
	for i := range t.Spans {
		s := &t.Spans[i]
		if root == nil ||
			(s.ParentID == "" && root.ParentID != "") ||
			((s.ParentID == "") == (root.ParentID == "") && s.Start.Before(root.Start)) {
			root = s
		}
	}
	return root
}

// TimeRange is a closed window of time.
type TimeRange struct {
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
}

// Last returns the window of length d that ends at now.
func Last(d time.Duration, now time.Time) TimeRange {
	return TimeRange{From: now.Add(-d), To: now}
}

// Duration is the window's length.
func (r TimeRange) Duration() time.Duration { return r.To.Sub(r.From) }

// Contains tells whether t is inside the window.
func (r TimeRange) Contains(t time.Time) bool { return !t.Before(r.From) && !t.After(r.To) }

// Widen returns the window grown by margin on both sides.
func (r TimeRange) Widen(margin time.Duration) TimeRange {
	return TimeRange{From: r.From.Add(-margin), To: r.To.Add(margin)}
}

// Point is one sample of a series.
type Point struct {
	Time  time.Time `json:"time"`
	Value float64   `json:"value"`
}

// Series is a metric's samples for one set of labels. The metric's name, if
// any, is the __name__ label.
type Series struct {
	Labels map[string]string `json:"labels"`
	Points []Point           `json:"points"`
}

// Name returns the series' metric name.
func (s *Series) Name() string { return s.Labels["__name__"] }

// LogEntry is one log line with what telx knows about it.
type LogEntry struct {
	Time time.Time `json:"time"`
	Line string    `json:"line"`
	// Labels are the stream's labels.
	Labels map[string]string `json:"labels,omitempty"`
	// Metadata is Loki's structured metadata, kept apart from labels.
	Metadata map[string]string `json:"metadata,omitempty"`
	TraceID  TraceID           `json:"traceId,omitempty"`
	SpanID   SpanID            `json:"spanId,omitempty"`
	Level    string            `json:"level,omitempty"`
}

// Alert is an alerting rule's active instance.
type Alert struct {
	Name        string            `json:"name"`
	State       string            `json:"state"` // pending or firing
	Labels      map[string]string `json:"labels"`
	Annotations map[string]string `json:"annotations,omitempty"`
	ActiveAt    time.Time         `json:"activeAt"`
	Value       string            `json:"value,omitempty"`
}
