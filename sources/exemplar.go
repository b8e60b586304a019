package sources

import (
	"context"
	"time"
)

// Exemplar is one observation a metric's series kept with the trace it
// came from (Prometheus' exemplars, written by OpenTelemetry's
// span-metrics connector, Tempo's metrics-generator or an instrumented
// service).
type Exemplar struct {
	Time  time.Time `json:"time"`
	Value float64   `json:"value"`
	// TraceID is the trace_id (or traceID) label, normalised; empty when
	// the exemplar names no trace, or not a valid one.
	TraceID TraceID `json:"traceID,omitempty"`
	// SpanID is the span_id (or spanID) label, normalised; may be empty.
	SpanID SpanID `json:"spanID,omitempty"`
	// Labels are the exemplar's own labels, the IDs' included.
	Labels map[string]string `json:"labels"`
	// Series are the labels of the series that holds it (__name__, le…).
	Series map[string]string `json:"series"`
}

// ExemplarSource is a metric source that keeps exemplars.
type ExemplarSource interface {
	// Exemplars returns the exemplars of the series a PromQL query
	// selects, over r, oldest first.
	Exemplars(ctx context.Context, query string, r TimeRange) ([]Exemplar, error)
}

// Exemplar label names of the trace and span IDs: OpenTelemetry's
// (trace_id, span_id) first, then the camel-case ones of other writers.
var (
	ExemplarTraceLabels = []string{"trace_id", "traceID", "traceId", "TraceID"}
	ExemplarSpanLabels  = []string{"span_id", "spanID", "spanId", "SpanID"}
)

// ExemplarIDs reads the trace and span IDs from an exemplar's labels; an
// ID that is not valid hex is left empty.
func ExemplarIDs(labels map[string]string) (TraceID, SpanID) {
	var tid TraceID
	var sid SpanID
	for _, k := range ExemplarTraceLabels {
		if v, ok := labels[k]; ok {
			if id, err := ParseTraceID(v); err == nil {
				tid = id
			}
			break
		}
	}
	for _, k := range ExemplarSpanLabels {
		if v, ok := labels[k]; ok {
			if id, err := ParseSpanID(v); err == nil {
				sid = id
			}
			break
		}
	}
	return tid, sid
}
