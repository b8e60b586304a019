package sources

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// TraceQuery selects traces in a trace search.
type TraceQuery struct {
	Service     string
	Operation   string
	Tags        map[string]string
	MinDuration time.Duration
	MaxDuration time.Duration
	Range       TimeRange
	Limit       int
}

// TraceSource is a tracing backend (Jaeger, a file, the demo).
type TraceSource interface {
	// Trace returns one trace; an unknown ID gives an error wrapping ErrNotFound.
	Trace(ctx context.Context, id TraceID) (*Trace, error)
	// FindTraces returns the traces matching the query, newest first.
	FindTraces(ctx context.Context, q TraceQuery) ([]*Trace, error)
	Services(ctx context.Context) ([]string, error)
	Operations(ctx context.Context, service string) ([]string, error)
}

// Direction orders log entries.
type Direction int

const (
	Backward Direction = iota // newest first
	Forward                   // oldest first
)

// LogQuery selects log entries.
type LogQuery struct {
	Query     string // LogQL
	Range     TimeRange
	Limit     int // 0 means no limit
	Direction Direction
	// LinesOnly says only the lines are wanted, not the labels and
	// metadata apart: a backend may then answer faster, with structured
	// metadata merged into the labels.
	LinesOnly bool
}

// LogSource is a logging backend (Loki, a file, the demo).
type LogSource interface {
	// QueryLogs calls fn with each matching entry, in the query's direction,
	// without holding the whole result in memory. It stops at fn's first
	// error and returns it.
	QueryLogs(ctx context.Context, q LogQuery, fn func(LogEntry) error) error
	Labels(ctx context.Context, r TimeRange) ([]string, error)
	LabelValues(ctx context.Context, name string, r TimeRange) ([]string, error)
}

// LogVolumeSource is a log source whose backend counts lines over time
// itself (Loki's metric queries), so that the volume of a query is known
// without loading its lines.
type LogVolumeSource interface {
	// LogVolume counts the lines of q.Query (its selector and filters)
	// per step over q.Range, one series per level, the level in the label
	// "level" (empty for lines of no known level). A point counts the
	// lines of the step that ends at its time, as Loki's count_over_time
	// does; steps without lines may have no point. A step of 0 lets the
	// source pick one.
	LogVolume(ctx context.Context, q LogQuery, step time.Duration) ([]Series, error)
}

// LogPattern is a group of log lines that share one shape.
type LogPattern struct {
	// Pattern is the shape, its variable parts written <_>.
	Pattern string `json:"pattern"`
	// Count is how many lines of the window it holds.
	Count int64 `json:"count"`
	// Samples are its lines per step over the window.
	Samples []Point `json:"samples,omitempty"`
	// Level is the level of its lines (normalised, empty when unknown):
	// Loki's pattern ingester groups the lines of each level apart.
	Level string `json:"level,omitempty"`
}

// LogPatternSource is a log source whose backend groups lines into
// patterns itself (Loki's pattern ingester).
type LogPatternSource interface {
	// LogPatterns returns the patterns of q.Query's streams over q.Range,
	// largest first, each with its samples per step (0: the source picks
	// one); an error wrapping errors.ErrUnsupported when the backend does
	// not detect patterns.
	LogPatterns(ctx context.Context, q LogQuery, step time.Duration) ([]LogPattern, error)
}

// MetricQuery is a range query.
type MetricQuery struct {
	Query string // PromQL
	Range TimeRange
	// Step is the resolution asked for. A backend may coarsen it to stay
	// within its point limit; MetricResult.Step says what it used.
	Step time.Duration
}

// MetricResult is the answer to a metric query.
type MetricResult struct {
	// Type is the result's kind: matrix, vector, scalar or string.
	Type   string
	Series []Series
	// Step is the step the backend evaluated a range query at.
	Step time.Duration
	// Warnings are the backend's remarks about the query (a partial
	// answer, a dubious function use); they are shown, never dropped.
	Warnings []string
	// Infos are the backend's notes that are not warnings (Prometheus 2.50
	// and later: "metric might not be a counter", say).
	Infos []string
}

// MetricSource is a metrics backend (Prometheus, the demo).
type MetricSource interface {
	QueryRange(ctx context.Context, q MetricQuery) (*MetricResult, error)
	// Query evaluates an instant query; each series has one point.
	Query(ctx context.Context, query string, at time.Time) (*MetricResult, error)
	// Alerts returns the active (pending and firing) alerts.
	Alerts(ctx context.Context) ([]Alert, error)
}

// Errors that decide telx's exit code. Backends wrap them.
var (
	ErrNotFound = errors.New("not found")
	ErrAuth     = errors.New("authentication refused")
)

// BackendError is a failed call to a backend. Its message names the
// backend, the URL and what to try.
type BackendError struct {
	Backend string // "jaeger", "prometheus", "loki"
	URL     string // with credentials removed
	Err     error
	Hint    string
}

func (e *BackendError) Error() string {
	msg := fmt.Sprintf("%s at %s: %v", e.Backend, e.URL, e.Err)
	if e.Hint != "" {
		msg += "\nhint: " + e.Hint
	}
	return msg
}

func (e *BackendError) Unwrap() error { return e.Err }

// UnsupportedReason is what an error wrapping errors.ErrUnsupported says
// a backend cannot do, in a few words for a note: its first line, without
// the backend's URL and hint, nor the "unsupported operation" it wraps.
func UnsupportedReason(err error) string {
	var be *BackendError
	if errors.As(err, &be) {
		err = be.Err
	}
	msg, _, _ := strings.Cut(err.Error(), "\n")
	msg = strings.TrimSuffix(msg, ": "+errors.ErrUnsupported.Error())
	if i := strings.Index(msg, " ("); i > 0 {
		msg = msg[:i]
	}
	return Sanitize(msg)
}
