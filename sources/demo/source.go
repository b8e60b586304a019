package demo

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/telx-cli/telx/sources"
)

// Source serves a scenario behind the same interfaces as the real
// backends: a sources.TraceSource, a sources.LogSource (a LogQL subset, see
// QueryLogs) and a sources.MetricSource (the RED queries of `telx metrics
// --service`, see QueryRange). It never touches the network.
type Source struct {
	sc    *Scenario
	byID  map[sources.TraceID]*sources.Trace
	clock Clock // of FollowLogs (follow.go)
}

var (
	_ sources.TraceSource  = (*Source)(nil)
	_ sources.LogSource    = (*Source)(nil)
	_ sources.MetricSource = (*Source)(nil)
)

// NewSource serves sc.
func NewSource(sc *Scenario) *Source {
	s := &Source{sc: sc, byID: make(map[sources.TraceID]*sources.Trace, len(sc.Traces))}
	for _, t := range sc.Traces {
		s.byID[t.ID] = t
	}
	return s
}

// Scenario returns the scenario the source serves.
func (s *Source) Scenario() *Scenario { return s.sc }

// Name is how the status bar and errors name the source.
func (s *Source) Name() string { return "demo" }

// Trace returns the trace with the ID.
func (s *Source) Trace(ctx context.Context, id sources.TraceID) (*sources.Trace, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if t, ok := s.byID[id]; ok {
		return t, nil
	}
	return nil, fmt.Errorf("demo: trace %s: %w", id, sources.ErrNotFound)
}

// FindTraces returns, newest first, the traces having one span that
// matches every condition of q at once, as Jaeger searches: the service,
// the operation, each tag (among the span's attributes and its resource),
// a duration within the bounds and a start within the range.
func (s *Source) FindTraces(ctx context.Context, q sources.TraceQuery) ([]*sources.Trace, error) {
	var out []*sources.Trace
	for i := len(s.sc.Traces) - 1; i >= 0; i-- {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		t := s.sc.Traces[i]
		for j := range t.Spans {
			if spanMatches(&t.Spans[j], q) {
				out = append(out, t)
				break
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].TimeRange().From.After(out[j].TimeRange().From) })
	if q.Limit > 0 && len(out) > q.Limit {
		out = out[:q.Limit]
	}
	return out, nil
}

func spanMatches(sp *sources.Span, q sources.TraceQuery) bool {
	if q.Service != "" && sp.Service != q.Service {
		return false
	}
	if q.Operation != "" && sp.Operation != q.Operation {
		return false
	}
	if q.MinDuration > 0 && sp.Duration < q.MinDuration {
		return false
	}
	if q.MaxDuration > 0 && sp.Duration > q.MaxDuration {
		return false
	}
	if !q.Range.From.IsZero() && sp.Start.Before(q.Range.From) {
		return false
	}
	if !q.Range.To.IsZero() && sp.Start.After(q.Range.To) {
		return false
	}
	for k, v := range q.Tags {
		got, ok := sp.Attrs.Get(k)
		if !ok {
			got, ok = sp.Resource.Get(k)
		}
		if !ok || sources.FormatValue(got) != v {
			return false
		}
	}
	return true
}

// Services returns the services that have spans, sorted.
func (s *Source) Services(ctx context.Context) ([]string, error) {
	seen := map[string]bool{}
	for _, t := range s.sc.Traces {
		for i := range t.Spans {
			seen[t.Spans[i].Service] = true
		}
	}
	return sortedSet(seen), ctx.Err()
}

// Operations returns a service's span names, sorted.
func (s *Source) Operations(ctx context.Context, service string) ([]string, error) {
	seen := map[string]bool{}
	for _, t := range s.sc.Traces {
		for i := range t.Spans {
			if t.Spans[i].Service == service {
				seen[t.Spans[i].Operation] = true
			}
		}
	}
	return sortedSet(seen), ctx.Err()
}

func sortedSet(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// SlowestFailingTrace returns the longest trace with an error, or the
// longest trace when none failed; nil for no traces.
func (s *Source) SlowestFailingTrace() *sources.Trace {
	var best *sources.Trace
	bestErr := false
	for _, t := range s.sc.Traces {
		failed := t.ErrorCount() > 0
		switch {
		case best == nil,
			failed && !bestErr,
			failed == bestErr && t.TimeRange().Duration() > best.TimeRange().Duration():
			best, bestErr = t, failed
		}
	}
	return best
}

// errUnsupported is the error of a query outside the demo's subset.
func errUnsupported(kind, query, what string) error {
	return fmt.Errorf("demo: %s %q is not supported: the demo answers %s", kind, strings.TrimSpace(query), what)
}
