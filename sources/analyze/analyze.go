// Package analyze reports over a sample of traces: the latency
// distribution and the error ratio, where the time goes in the slowest
// traces against the rest, which attribute values are over-represented
// among the failed and the slow ones, where errors start, and the calls
// between services. The analysis is pure: Analyze takes traces and
// returns a Report. Fetch gathers the sample from a trace source (and what
// a backend can compute itself, such as span metrics and Jaeger's
// dependencies) without naming a concrete backend.
package analyze

import (
	"cmp"
	"math"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/telx-cli/telx/sources"
)

// Options shape an analysis.
type Options struct {
	// Service and Operation name the spans whose latency is measured in
	// each trace: its first span of the service (and of the operation,
	// when set) in tree order; the root when the trace has none.
	Service, Operation string
	// Buckets is the histogram's number of bars (DefaultBuckets when 0).
	Buckets int
	// TopAttributes is how many attribute rows each comparison keeps
	// (DefaultTopAttributes when 0).
	TopAttributes int
}

// Defaults of Options.
const (
	DefaultBuckets       = 12
	DefaultTopAttributes = 15
)

// Report is the analysis of a sample of traces.
type Report struct {
	// Traces is the number of traces analysed; Spans their spans.
	Traces int `json:"traces"`
	Spans  int `json:"spans"`
	// Failed counts the traces with at least one failing span.
	Failed int `json:"failed"`
	// Slow counts the traces of the slowest decile; SlowFrom is the
	// latency from which a trace is in it.
	Slow     int           `json:"slow"`
	SlowFrom time.Duration `json:"slowFromNanos"`

	Latency    Latency         `json:"latency"`
	Operations []OperationTime `json:"operations"`
	// FailedAttributes compare the failed traces with the others,
	// SlowAttributes the slowest decile with the others.
	FailedAttributes []AttributeDiff `json:"failedAttributes"`
	SlowAttributes   []AttributeDiff `json:"slowAttributes"`
	// SkippedKeys are the attribute keys left out of the comparisons for
	// having nearly one value per trace (IDs and the like).
	SkippedKeys  []string      `json:"skippedKeys,omitempty"`
	ErrorOrigins []ErrorOrigin `json:"errorOrigins"`
	Graph        Graph         `json:"graph"`
}

// Source values say where a part of the report comes from.
const (
	FromSample      = "sample"
	FromSpanMetrics = "span metrics"
	FromJaeger      = "jaeger dependencies"
)

// Latency is a distribution of latencies.
type Latency struct {
	// Source is FromSample or FromSpanMetrics.
	Source string `json:"source"`
	// Of says what was measured ("trace duration", "server spans of
	// payments").
	Of string `json:"of,omitempty"`
	// Count is how many latencies (traces, or spans for span metrics).
	Count float64       `json:"count"`
	P50   time.Duration `json:"p50Nanos"`
	P90   time.Duration `json:"p90Nanos"`
	P99   time.Duration `json:"p99Nanos"`
	// ErrorRatio is the share of failures (of traces in a sample, of
	// spans in span metrics), 0 to 1.
	ErrorRatio float64 `json:"errorRatio"`
	// Buckets are the histogram's bars, lowest first: each counts the
	// latencies above the previous bar's Upper up to its own.
	Buckets []Bucket `json:"buckets"`
	// Note says what the reader should know (why the sample was used).
	Note string `json:"note,omitempty"`
}

// Bucket is a bar of a latency histogram.
type Bucket struct {
	Upper time.Duration `json:"upperNanos"`
	Count float64       `json:"count"`
}

// OperationTime is where the time of one (service, operation) goes.
type OperationTime struct {
	Service   string `json:"service"`
	Operation string `json:"operation"`
	// Spans counts its spans in the sample; Self sums their self time.
	Spans int           `json:"spans"`
	Self  time.Duration `json:"selfNanos"`
	// SlowSelf and RestSelf are its mean self time per trace in the
	// slowest decile and in the others (traces without it count 0).
	SlowSelf time.Duration `json:"slowSelfNanos"`
	RestSelf time.Duration `json:"restSelfNanos"`
	// SlowCritical and RestCritical are the shares (0 to 1) of the
	// slowest decile's traces and of the others' in which a span of it
	// is on the critical path.
	SlowCritical float64 `json:"slowCritical"`
	RestCritical float64 `json:"restCritical"`
	// Example is the span of it with the most self time in a slow trace
	// (in any trace when the sample has no slow ones).
	Example Example `json:"example"`
}

// Scope says where an attribute is: a span's own or its resource's.
type Scope string

const (
	ScopeSpan     Scope = "span"
	ScopeResource Scope = "resource"
)

// AttributeDiff is an attribute value more frequent in a group of traces
// (the failed, or the slowest decile) than in the others.
type AttributeDiff struct {
	Scope Scope  `json:"scope"`
	Key   string `json:"key"`
	Value string `json:"value"`
	// Count is how many traces of the group have it; Share and RestShare
	// are the shares (0 to 1) of the group's traces and of the others'
	// that have it; Diff is Share - RestShare.
	Count     int     `json:"count"`
	Share     float64 `json:"share"`
	RestShare float64 `json:"restShare"`
	Diff      float64 `json:"diff"`
	// Example is a span with the value in a trace of the group.
	Example Example `json:"example"`
}

// ErrorOrigin is a kind of failing span that no failing span lies under:
// where errors start.
type ErrorOrigin struct {
	Service   string `json:"service"`
	Operation string `json:"operation"`
	// Message is what the span says went wrong (ErrorMessage): its
	// recorded exception's message, else its status message.
	Message string `json:"message"`
	// Count is how many such spans; Traces in how many traces. The
	// origins in the most traces come first.
	Count   int     `json:"count"`
	Traces  int     `json:"traces"`
	Example Example `json:"example"`
}

// Example points at a span of the sample.
type Example struct {
	TraceID sources.TraceID `json:"traceId"`
	SpanID  sources.SpanID  `json:"spanId"`
}

// Graph is the calls between services.
type Graph struct {
	// Source is FromSample or FromJaeger.
	Source string `json:"source"`
	Edges  []Edge `json:"edges"`
}

// Edge is the calls from one service to another: spans of Child whose
// parent is a span of Parent.
type Edge struct {
	Parent string `json:"parent"`
	Child  string `json:"child"`
	Calls  int    `json:"calls"`
	// Errors counts the calls whose span failed (unknown, 0, for
	// Jaeger's dependencies).
	Errors int `json:"errors"`
}

// traceInfo is what the analysis keeps of one trace.
type traceInfo struct {
	tree    *sources.Tree
	latency time.Duration
	failed  bool
	slow    bool
}

// Analyze reports on traces. It never fails: an empty sample gives an
// empty report, and each trace is mended as sources.BuildTree mends it.
func Analyze(traces []*sources.Trace, o Options) *Report {
	if o.Buckets <= 0 {
		o.Buckets = DefaultBuckets
	}
	if o.TopAttributes <= 0 {
		o.TopAttributes = DefaultTopAttributes
	}
	r := &Report{}
	infos := make([]traceInfo, 0, len(traces))
	for _, t := range traces {
		if t != nil && len(t.Spans) > 0 {
			infos = append(infos, traceInfo{tree: &sources.Tree{Trace: t}})
		}
	}
	buildTrees(infos, o)
	for _, in := range infos {
		r.Spans += len(in.tree.Nodes)
		if in.failed {
			r.Failed++
		}
	}
	r.Traces = len(infos)
	r.Slow, r.SlowFrom = markSlow(infos)
	r.Latency = sampleLatency(infos, o)
	var edges []Edge
	// the attributes, the larger part, beside the rest: they read the
	// trees and write their own fields only
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		r.FailedAttributes, r.SlowAttributes, r.SkippedKeys = attributeDiffs(infos, o.TopAttributes)
	}()
	r.Operations, edges = operationTimes(infos, r.Slow)
	r.ErrorOrigins = errorOrigins(infos)
	wg.Wait()
	r.Graph = Graph{Source: FromSample, Edges: edges}
	return r
}

// buildTrees builds the traces' trees, as many at once as there are
// CPUs: they are independent.
func buildTrees(infos []traceInfo, o Options) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(infos)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int(next.Add(1)) - 1; i < len(infos); i = int(next.Add(1)) - 1 {
				in := &infos[i]
				t := in.tree.Trace
				in.tree = sources.BuildTree(t)
				in.latency, in.failed = entryLatency(in.tree, o), in.tree.Errors > 0
			}
		}()
	}
	wg.Wait()
}

// entryLatency is the duration of the trace's first span (in tree order)
// of the service and operation asked for, or of its root.
func entryLatency(tr *sources.Tree, o Options) time.Duration {
	if o.Service != "" {
		for _, nd := range tr.Nodes {
			if nd.Span.Service == o.Service && (o.Operation == "" || nd.Span.Operation == o.Operation) {
				return max(0, nd.Span.Duration)
			}
		}
	}
	return max(0, tr.Roots[0].Span.Duration)
}

// markSlow marks the slowest decile (at least one trace, of two or more)
// and returns its size and its lowest latency.
func markSlow(infos []traceInfo) (int, time.Duration) {
	if len(infos) < 2 {
		return 0, 0
	}
	order := make([]int, len(infos))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(infos[b].latency, infos[a].latency) })
	n := max(1, len(infos)/10)
	for _, i := range order[:n] {
		infos[i].slow = true
	}
	return n, infos[order[n-1]].latency
}

func sampleLatency(infos []traceInfo, o Options) Latency {
	l := Latency{Source: FromSample, Of: "trace duration", Count: float64(len(infos))}
	if o.Service != "" {
		l.Of = "first span of " + o.Service
		if o.Operation != "" {
			l.Of += " " + o.Operation
		}
	}
	if len(infos) == 0 {
		return l
	}
	lat := make([]time.Duration, len(infos))
	failed := 0
	for i, in := range infos {
		lat[i] = in.latency
		if in.failed {
			failed++
		}
	}
	slices.Sort(lat)
	l.ErrorRatio = float64(failed) / float64(len(infos))
	l.P50, l.P90, l.P99 = Percentile(lat, 0.5), Percentile(lat, 0.9), Percentile(lat, 0.99)
	l.Buckets = histogram(lat, o.Buckets)
	return l
}

// Percentile is the q-quantile (0 to 1) of sorted latencies, the nearest
// rank; 0 for none.
func Percentile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(q*float64(len(sorted)))) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

// histogram counts sorted latencies into n bars of round widths from 0
// (from the lowest when the spread is narrow) to the highest.
func histogram(sorted []time.Duration, n int) []Bucket {
	lo, hi := sorted[0], sorted[len(sorted)-1]
	if hi-lo <= 0 {
		return []Bucket{{Upper: hi, Count: float64(len(sorted))}}
	}
	start := time.Duration(0)
	if lo/2 > (hi - lo) { // a narrow spread far from 0
		start = lo
	}
	width := niceWidth((hi - start) / time.Duration(n))
	start = start / width * width
	var out []Bucket
	for up := start; up < hi; {
		if up > hi-width {
			up = hi // and no overflow past it
		} else {
			up += width
		}
		out = append(out, Bucket{Upper: up})
	}
	j := 0
	for _, d := range sorted {
		for j < len(out)-1 && d > out[j].Upper {
			j++
		}
		out[j].Count++
	}
	return out
}

// niceWidth rounds a bar's width up to 1, 2 or 5 times a power of ten
// nanoseconds.
func niceWidth(d time.Duration) time.Duration {
	if d < 1 {
		return 1
	}
	p := time.Duration(1)
	for p <= d/10 {
		p *= 10
	}
	for _, m := range []time.Duration{1, 2, 5, 10} {
		if p > math.MaxInt64/m {
			break
		}
		if p*m >= d {
			return p * m
		}
	}
	return d
}

type opKey struct{ service, op string }

type opAcc struct {
	OperationTime
	slowSelf, restSelf time.Duration
	slowCrit, restCrit int
	exSelf             time.Duration
	exSlow             bool
	seen               int // the last trace counted in slowCrit or restCrit, plus 1
}

// operationTimes sums the self times and the critical path per
// operation, and, in the same walk over the spans, the calls between
// services.
func operationTimes(infos []traceInfo, slow int) ([]OperationTime, []Edge) {
	idx := map[opKey]*opAcc{}
	var order []*opAcc
	type edgeKey struct{ parent, child string }
	edgeIdx := map[edgeKey]int{}
	var edges []Edge
	for ti, in := range infos {
		for _, nd := range in.tree.Nodes {
			s := nd.Span
			if p := nd.Parent; p != nil && p.Span.Service != s.Service {
				k := edgeKey{p.Span.Service, s.Service}
				j, ok := edgeIdx[k]
				if !ok {
					j = len(edges)
					edgeIdx[k] = j
					edges = append(edges, Edge{Parent: k.parent, Child: k.child})
				}
				edges[j].Calls++
				if s.IsError() {
					edges[j].Errors++
				}
			}
			k := opKey{s.Service, s.Operation}
			a := idx[k]
			if a == nil {
				a = &opAcc{OperationTime: OperationTime{Service: s.Service, Operation: s.Operation}}
				idx[k] = a
				order = append(order, a)
			}
			a.Spans++
			self := max(0, nd.SelfTime)
			a.Self = addDurations(a.Self, self)
			if in.slow {
				a.slowSelf = addDurations(a.slowSelf, self)
			} else {
				a.restSelf = addDurations(a.restSelf, self)
			}
			if nd.Critical && a.seen != ti+1 {
				a.seen = ti + 1
				if in.slow {
					a.slowCrit++
				} else {
					a.restCrit++
				}
			}
			better := a.Example.SpanID == "" && a.Example.TraceID == "" ||
				in.slow && !a.exSlow || in.slow == a.exSlow && self > a.exSelf
			if better {
				a.Example = Example{TraceID: in.tree.Trace.ID, SpanID: s.SpanID}
				a.exSelf, a.exSlow = self, in.slow
			}
		}
	}
	rest := len(infos) - slow
	out := make([]OperationTime, len(order))
	for i, a := range order {
		ot := a.OperationTime
		if slow > 0 {
			ot.SlowSelf = a.slowSelf / time.Duration(slow)
			ot.SlowCritical = float64(a.slowCrit) / float64(slow)
		}
		if rest > 0 {
			ot.RestSelf = a.restSelf / time.Duration(rest)
			ot.RestCritical = float64(a.restCrit) / float64(rest)
		}
		out[i] = ot
	}
	// what the slow traces spend more time on first, then the most time
	sort.SliceStable(out, func(i, j int) bool {
		di, dj := out[i].SlowSelf-out[i].RestSelf, out[j].SlowSelf-out[j].RestSelf
		if di != dj {
			return di > dj
		}
		if out[i].Self != out[j].Self {
			return out[i].Self > out[j].Self
		}
		if out[i].Service != out[j].Service {
			return out[i].Service < out[j].Service
		}
		return out[i].Operation < out[j].Operation
	})
	SortEdges(edges)
	return out, edges
}

// errorOrigins groups the failing spans that have no failing descendant.
func errorOrigins(infos []traceInfo) []ErrorOrigin {
	type key struct{ service, op, msg string }
	idx := map[key]int{}
	var out []ErrorOrigin
	var last []int  // the last trace counted in each origin's Traces
	var first []int // the trace of each origin's example
	var below []bool
	for ti, in := range infos {
		if !in.failed {
			continue
		}
		nodes := in.tree.Nodes
		below = slices.Grow(below[:0], len(nodes))[:len(nodes)]
		clear(below)
		// children come after their parent in depth-first order
		for i := len(nodes) - 1; i >= 0; i-- {
			nd := nodes[i]
			isErr := nd.Span.IsError()
			if isErr && !below[i] {
				s := nd.Span
				k := key{s.Service, s.Operation, ErrorMessage(s)}
				j, ok := idx[k]
				if !ok {
					j = len(out)
					idx[k] = j
					out = append(out, ErrorOrigin{Service: k.service, Operation: k.op, Message: k.msg,
						Example: Example{TraceID: in.tree.Trace.ID, SpanID: s.SpanID}})
					last = append(last, -1)
					first = append(first, ti)
				}
				if first[j] == ti {
					// the walk goes backwards: the example is the first in tree order
					out[j].Example.SpanID = s.SpanID
				}
				out[j].Count++
				if last[j] != ti {
					out[j].Traces++
					last[j] = ti
				}
			}
			if (isErr || below[i]) && nd.Parent != nil {
				below[nd.Parent.Index] = true
			}
		}
	}
	// the most traces first: a cause, not a loop that fails many times
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Traces != out[j].Traces {
			return out[i].Traces > out[j].Traces
		}
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		a, b := out[i], out[j]
		return a.Service+"\x00"+a.Operation+"\x00"+a.Message < b.Service+"\x00"+b.Operation+"\x00"+b.Message
	})
	return out
}

// ErrorMessage is what a failing span says went wrong: the message of
// the exception it recorded (OpenTelemetry's RecordError, which holds the
// error itself where the status often says only "An error occurred"),
// else its status message, else its error message attributes, else those
// of its other error events.
func ErrorMessage(s *sources.Span) string {
	for _, e := range s.Events {
		if e.Name == "exception" {
			if v := e.Attrs.GetString("exception.message"); v != "" {
				return v
			}
		}
	}
	if s.Status.Message != "" {
		return s.Status.Message
	}
	for _, k := range []string{"error.message", "exception.message", "otel.status_description", "error.object"} {
		if v := s.Attrs.GetString(k); v != "" {
			return v
		}
	}
	for _, e := range s.Events {
		for _, k := range []string{"exception.message", "error.message", "error", "message"} {
			if v := e.Attrs.GetString(k); v != "" && v != "true" {
				return v
			}
		}
	}
	for _, e := range s.Events {
		if e.Name != "" && (e.Attrs.GetString("level") == "error" || strings.EqualFold(e.Attrs.GetString("event"), "error")) {
			return e.Name
		}
	}
	return ""
}

// SortEdges orders edges by caller, then most calls first.
func SortEdges(es []Edge) {
	sort.SliceStable(es, func(i, j int) bool {
		if es[i].Parent != es[j].Parent {
			return es[i].Parent < es[j].Parent
		}
		if es[i].Calls != es[j].Calls {
			return es[i].Calls > es[j].Calls
		}
		return es[i].Child < es[j].Child
	})
}

// addDurations adds two durations of at least 0, held at the longest a
// Duration holds (a sum of self times, each up to 292 years, would wrap).
func addDurations(a, b time.Duration) time.Duration {
	if a > math.MaxInt64-b {
		return math.MaxInt64
	}
	return a + b
}
