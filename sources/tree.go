package sources

import (
	"cmp"
	"fmt"
	"runtime"
	"slices"
	"sort"
	"strings"
	"time"
)

// Node is a span's place in its trace's tree.
type Node struct {
	Span     *Span
	Parent   *Node
	Children []*Node
	// Depth is 0 for a root.
	Depth int
	// Index is the node's position in Tree.Nodes.
	Index int
	// Size is the number of nodes in the subtree, this one included.
	Size int
	// Orphan: the span's parent is not in the trace (or the span was cut
	// out of a cycle); it is shown under the root.
	Orphan bool
	// Skew: the span starts before its parent or ends after it, which
	// usually means the hosts' clocks disagree.
	Skew bool
	// Duplicate: another span of the trace has the same ID.
	Duplicate bool
	// SelfTime is the span's duration less the time covered by its
	// children (clipped to the span).
	SelfTime time.Duration
	// Critical: part of the span is on the critical path.
	Critical bool
	// end is the span's end, found once: the self times, the skew and
	// the critical path (its sort most) read it many times.
	end time.Time
}

// Segment is a stretch of the critical path spent in one span.
type Segment struct {
	Node     *Node
	From, To time.Time
}

// Tree is a trace arranged for display and analysis.
type Tree struct {
	Trace *Trace
	// Roots are the spans with no parent, earliest first; orphans hang
	// under the first.
	Roots []*Node
	// Nodes in depth-first order, children by start time.
	Nodes []*Node
	// Range is the trace's extent.
	Range TimeRange
	// Errors is how many spans failed (Trace.ErrorCount).
	Errors int
	// Services are the trace's distinct services, sorted (Trace.Services).
	Services []string
	// Warnings say what was wrong with the trace and how it was mended.
	Warnings []string
	// CriticalPath is the chain of segments that make the trace's
	// end-to-end latency, in time order.
	CriticalPath []Segment
}

const maxWarningsPerKind = 3

// BuildTree arranges a trace's spans into a tree. It never fails: spans
// whose parent is missing become orphans under the root, cycles are cut,
// duplicate IDs and clock skew are flagged, and each mend is a warning.
func BuildTree(t *Trace) *Tree {
	tr := &Tree{Trace: t}
	tr.Warnings = append(tr.Warnings, t.Warnings...)
	n := len(t.Spans)
	// the trace's extent, errors and services, read from the spans alone:
	// beside the tree on a core of its own in a big trace
	summed := make(chan struct{})
	sum := func() {
		defer close(summed)
		tr.Range, tr.Errors, tr.Services = t.TimeRange(), t.ErrorCount(), t.Services()
	}
	if n >= concurrentPath && runtime.GOMAXPROCS(0) > 1 {
		go sum()
	} else {
		sum()
	}
	defer func() { <-summed }()
	if n == 0 {
		return tr
	}
	nodes := make([]Node, n)
	byID := make(map[SpanID]*Node, n)
	dups := map[SpanID]int{}
	for i := range t.Spans {
		nd := &nodes[i]
		nd.Span = &t.Spans[i]
		nd.Index = i // the span's position until the depth-first order below
		nd.end = nd.Span.End()
		id := nd.Span.SpanID
		if first, ok := byID[id]; ok {
			first.Duplicate, nd.Duplicate = true, true
			dups[id]++
			continue
		}
		byID[id] = nd
	}
	var dupMsgs []string
	for _, id := range sortedKeys(dups) {
		dupMsgs = append(dupMsgs, fmt.Sprintf("span ID %s appears %d times", id, dups[id]+1))
	}
	tr.warnAll(dupMsgs)

	// tentative parents
	missing := 0
	for i := range nodes {
		nd := &nodes[i]
		if pid := nd.Span.ParentID; pid != "" {
			if p := byID[pid]; p != nil && p != nd {
				nd.Parent = p
			} else {
				nd.Orphan = true
				missing++
			}
		}
	}
	if missing > 0 {
		tr.Warnings = append(tr.Warnings, fmt.Sprintf("%d %s a parent that is not in the trace; shown under the root", missing, plural(missing, "span has", "spans have")))
	}
	tr.warnAll(cutCycles(nodes))

	// roots, and orphans under the main root
	var roots, orphans []*Node
	// children are cut from one backing array, each list without spare
	// capacity: count them first, then fill
	counts := make([]int32, n)
	for i := range nodes {
		if nd := &nodes[i]; !nd.Orphan && nd.Parent != nil {
			counts[nd.Parent.Index]++
		}
	}
	kids := make([]*Node, 0, n)
	for i := range nodes {
		if c := int(counts[i]); c > 0 {
			nodes[i].Children = kids[len(kids) : len(kids) : len(kids)+c]
			kids = kids[:len(kids)+c]
		}
	}
	for i := range nodes {
		nd := &nodes[i]
		switch {
		case nd.Orphan:
			orphans = append(orphans, nd)
		case nd.Parent == nil:
			roots = append(roots, nd)
		default:
			nd.Parent.Children = append(nd.Parent.Children, nd)
		}
	}
	sortByStart(roots)
	sortByStart(orphans)
	if len(roots) == 0 {
		// no span without a parent: the earliest orphan stands in
		roots, orphans = orphans[:1], orphans[1:]
		tr.Warnings = append(tr.Warnings, "the trace has no root span")
	}
	for _, o := range orphans {
		o.Parent = roots[0]
		roots[0].Children = append(roots[0].Children, o)
	}
	if len(roots) > 1 {
		tr.Warnings = append(tr.Warnings, fmt.Sprintf("the trace has %d root spans", len(roots)))
	}
	tr.Roots = roots

	// depth-first order, children by start time
	tr.Nodes = make([]*Node, 0, n)
	stack := make([]*Node, 0, 64)
	for i := len(roots) - 1; i >= 0; i-- {
		stack = append(stack, roots[i])
	}
	for len(stack) > 0 {
		nd := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if nd.Parent != nil {
			nd.Depth = nd.Parent.Depth + 1
		}
		nd.Index = len(tr.Nodes)
		tr.Nodes = append(tr.Nodes, nd)
		sortByStart(nd.Children)
		for i := len(nd.Children) - 1; i >= 0; i-- {
			stack = append(stack, nd.Children[i])
		}
	}

	// the critical path, on a core of its own in a big trace, beside the
	// sizes, self times and skew (it reads none of them)
	var critical []Segment
	done := make(chan struct{})
	if n >= concurrentPath && runtime.GOMAXPROCS(0) > 1 {
		go func() {
			defer close(done)
			critical = criticalPath(roots[0])
		}()
	} else {
		critical = criticalPath(roots[0])
		close(done)
	}

	// sizes, self time and skew, children before parents
	skewed := 0
	for i := len(tr.Nodes) - 1; i >= 0; i-- {
		nd := tr.Nodes[i]
		nd.Size = 1
		for _, c := range nd.Children {
			nd.Size += c.Size
		}
		nd.SelfTime = selfTime(nd)
		if p := nd.Parent; p != nil && !nd.Orphan {
			if nd.Span.Start.Before(p.Span.Start) || nd.end.After(p.end) {
				nd.Skew = true
				skewed++
			}
		}
	}
	if skewed > 0 {
		tr.Warnings = append(tr.Warnings, fmt.Sprintf("%d %s before or %s after %s parent (clock skew?)",
			skewed, plural(skewed, "span starts", "spans start"), plural(skewed, "ends", "end"), plural(skewed, "its", "their")))
	}
	<-done
	tr.CriticalPath = critical
	for _, s := range tr.CriticalPath {
		s.Node.Critical = true
	}
	return tr
}

// concurrentPath is how many spans make it worth finding the critical
// path on a core of its own (the tests lower it).
var concurrentPath = 2048

// cutCycles finds chains of parents that loop and cuts each loop at its
// earliest span, which becomes an orphan. It says what it cut.
func cutCycles(nodes []Node) []string {
	var msgs []string
	const (
		unseen = iota
		onPath
		done
	)
	state := make([]uint8, len(nodes))
	var path []*Node
	for i := range nodes {
		start := &nodes[i]
		if state[i] != unseen {
			continue
		}
		path = path[:0]
		nd := start
		for nd != nil && state[nd.Index] == unseen {
			state[nd.Index] = onPath
			path = append(path, nd)
			nd = nd.Parent
		}
		if nd != nil && state[nd.Index] == onPath {
			// the loop is path from nd to the end
			at := slices.Index(path, nd)
			loop := path[at:]
			cut := loop[0]
			for _, c := range loop[1:] {
				if c.Span.Start.Before(cut.Span.Start) {
					cut = c
				}
			}
			cut.Parent = nil
			cut.Orphan = true
			msgs = append(msgs, fmt.Sprintf("%d spans form a cycle of parents; cut at span %s", len(loop), cut.Span.SpanID))
		}
		for _, p := range path {
			state[p.Index] = done
		}
	}
	return msgs
}

// warnAll adds the messages as warnings, at most maxWarningsPerKind of
// them and then a count of the rest.
func (tr *Tree) warnAll(msgs []string) {
	for i, m := range msgs {
		if i == maxWarningsPerKind {
			tr.Warnings = append(tr.Warnings, fmt.Sprintf("and %d more like it", len(msgs)-i))
			return
		}
		tr.Warnings = append(tr.Warnings, m)
	}
}

// selfTime is the span's duration minus the union of its children's
// intervals clipped to the span. Children are sorted by start.
func selfTime(nd *Node) time.Duration {
	s := nd.Span
	start, end := s.Start, nd.end
	covered := time.Duration(0)
	cursor := start
	for _, c := range nd.Children {
		if c.Orphan {
			continue
		}
		cs, ce := maxTime(c.Span.Start, cursor), minTime(c.end, end)
		if ce.After(cs) {
			covered += ce.Sub(cs)
			cursor = ce
		}
	}
	return s.Duration - covered
}

// criticalPath walks back from the root's end as Jaeger UI does: the last
// child to finish before the point reached is on the path; the time no
// child covers belongs to the parent. Children are clipped to their
// parent; orphans are left out.
func criticalPath(root *Node) []Segment {
	var segs []Segment
	// scratch holds each visited node's children, as a stack: a visit
	// appends its own after its parent's and cuts them off when it returns
	var scratch []*Node
	// a span is clipped to the part of its parent it lies in, [from, until]
	var visit func(nd *Node, from, until time.Time)
	visit = func(nd *Node, from, until time.Time) {
		start := maxTime(nd.Span.Start, from)
		cursor := until
		base := len(scratch)
		for _, c := range nd.Children {
			if !c.Orphan {
				scratch = append(scratch, c)
			}
		}
		children := scratch[base:len(scratch):len(scratch)]
		defer func() { scratch = scratch[:base] }()
		// latest-finishing first, then in their order (by start: as
		// their depth-first indexes are), without the moves of a stable sort
		slices.SortFunc(children, func(a, b *Node) int { return cmp.Or(b.end.Compare(a.end), cmp.Compare(a.Index, b.Index)) })
		for _, c := range children {
			cs, ce := maxTime(c.Span.Start, start), minTime(c.end, until)
			if ce.After(cursor) || !ce.After(cs) {
				continue // overlaps what is already on the path, or clipped away
			}
			if cursor.After(ce) {
				segs = append(segs, Segment{Node: nd, From: ce, To: cursor})
			}
			visit(c, cs, ce)
			cursor = cs
		}
		if cursor.After(start) {
			segs = append(segs, Segment{Node: nd, From: start, To: cursor})
		}
	}
	visit(root, root.Span.Start, root.end)
	slices.Reverse(segs)
	return segs
}

// Stat sums the spans of one service or operation.
type Stat struct {
	Service   string        `json:"service"`
	Operation string        `json:"operation,omitempty"`
	Count     int           `json:"count"`
	Total     time.Duration `json:"totalNanos"`
	SelfTotal time.Duration `json:"selfNanos"`
	Max       time.Duration `json:"maxNanos"`
	Errors    int           `json:"errors"`
}

// ServiceStats sums the spans per service, the most self time first.
func (tr *Tree) ServiceStats() []Stat { return tr.stats(false) }

// OperationStats sums the spans per service and operation, the most self
// time first.
func (tr *Tree) OperationStats() []Stat { return tr.stats(true) }

func (tr *Tree) stats(byOperation bool) []Stat {
	type key struct{ service, op string }
	idx := map[key]int{}
	var out []Stat
	for _, nd := range tr.Nodes {
		s := nd.Span
		k := key{service: s.Service}
		if byOperation {
			k.op = s.Operation
		}
		i, ok := idx[k]
		if !ok {
			i = len(out)
			idx[k] = i
			out = append(out, Stat{Service: k.service, Operation: k.op})
		}
		st := &out[i]
		st.Count++
		st.Total += s.Duration
		st.SelfTotal += nd.SelfTime
		if s.Duration > st.Max {
			st.Max = s.Duration
		}
		if s.IsError() {
			st.Errors++
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].SelfTotal != out[j].SelfTotal {
			return out[i].SelfTotal > out[j].SelfTotal
		}
		if out[i].Service != out[j].Service {
			return out[i].Service < out[j].Service
		}
		return out[i].Operation < out[j].Operation
	})
	return out
}

func sortByStart(ns []*Node) {
	// most often in order already: the decoders give a trace's spans
	// in start order
	if !slices.IsSortedFunc(ns, byStart) {
		slices.SortStableFunc(ns, byStart)
	}
}

// byStart orders nodes by their span's start, then span ID.
func byStart(a, b *Node) int {
	if c := a.Span.Start.Compare(b.Span.Start); c != 0 {
		return c
	}
	return strings.Compare(string(a.Span.SpanID), string(b.Span.SpanID))
}

func sortedKeys[V any](m map[SpanID]V) []SpanID {
	keys := make([]SpanID, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
