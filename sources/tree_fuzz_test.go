package sources_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/telx-cli/telx/internal/fuzzcheck"
	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/sources/jaeger"
	"github.com/telx-cli/telx/sources/otlp"
)

// treeSeeds are the recorded traces as fuzzcheck.TraceFrom reads them.
func treeSeeds(f *testing.F) [][]byte {
	out := fuzzcheck.RecordedTraces(f, func(b []byte) ([]*sources.Trace, error) { return jaeger.DecodeUIJSON(bytes.NewReader(b)) },
		fuzzcheck.Recorded(f, "jaeger-api-trace.json")...)
	return append(out, fuzzcheck.RecordedTraces(f, func(b []byte) ([]*sources.Trace, error) { return otlp.Decode(bytes.NewReader(b)) },
		fuzzcheck.Recorded(f, "jaeger-apiv3-trace.json")...)...)
}

// FuzzBuildTree builds the tree of any trace (duplicate IDs, missing
// parents, cycles, times at the ends of what Jaeger holds, negative
// durations) and checks it: every span once, in depth-first order with
// consistent parents, depths and sizes; self times within the span; the
// critical path in time order, without overlaps, inside the root and
// each segment inside its span; the statistics counting every span.
func FuzzBuildTree(f *testing.F) {
	for _, b := range treeSeeds(f) {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		trace := fuzzcheck.TraceFrom(b)
		tr := sources.BuildTree(trace)
		if len(tr.Nodes) != len(trace.Spans) {
			t.Fatalf("%d nodes for %d spans", len(tr.Nodes), len(trace.Spans))
		}
		if len(trace.Spans) == 0 {
			return
		}
		seen := map[*sources.Span]bool{}
		for i, nd := range tr.Nodes {
			if nd.Index != i {
				t.Fatalf("node %d has index %d", i, nd.Index)
			}
			if seen[nd.Span] {
				t.Fatalf("span %s twice in the tree", nd.Span.SpanID)
			}
			seen[nd.Span] = true
			if nd.Parent == nil {
				if nd.Depth != 0 {
					t.Errorf("root %d at depth %d", i, nd.Depth)
				}
			} else {
				if nd.Depth != nd.Parent.Depth+1 || nd.Parent.Index >= i {
					t.Errorf("node %d at depth %d under node %d at depth %d", i, nd.Depth, nd.Parent.Index, nd.Parent.Depth)
				}
				found := false
				for _, c := range nd.Parent.Children {
					found = found || c == nd
				}
				if !found {
					t.Errorf("node %d is not among its parent's children", i)
				}
			}
			size := 1
			for _, c := range nd.Children {
				size += c.Size
				if c.Parent != nd {
					t.Errorf("a child of node %d has another parent", i)
				}
			}
			if nd.Size != size || i+nd.Size > len(tr.Nodes) {
				t.Errorf("node %d: size %d, its children make %d", i, nd.Size, size)
			}
			for j := i + 1; j < i+nd.Size && j < len(tr.Nodes); j++ {
				if tr.Nodes[j].Depth <= nd.Depth {
					t.Errorf("node %d is in node %d's subtree at depth %d, not below %d", j, i, tr.Nodes[j].Depth, nd.Depth)
					break
				}
			}
			if d := nd.Span.Duration; d >= 0 && (nd.SelfTime < 0 || nd.SelfTime > d) {
				t.Errorf("span %s of %v has a self time of %v", nd.Span.SpanID, d, nd.SelfTime)
			}
		}
		root := tr.Roots[0]
		var total time.Duration
		for i, s := range tr.CriticalPath {
			if !s.From.Before(s.To) {
				t.Errorf("critical segment %d from %v to %v", i, s.From, s.To)
			}
			if s.From.Before(s.Node.Span.Start) || s.To.After(s.Node.Span.End()) {
				t.Errorf("critical segment %d (%v to %v) outside its span (%v to %v)", i, s.From, s.To, s.Node.Span.Start, s.Node.Span.End())
			}
			if s.From.Before(root.Span.Start) || s.To.After(root.Span.End()) {
				t.Errorf("critical segment %d (%v to %v) outside the root (%v to %v)", i, s.From, s.To, root.Span.Start, root.Span.End())
			}
			if i > 0 && s.From.Before(tr.CriticalPath[i-1].To) {
				t.Errorf("critical segment %d starts at %v, before segment %d ends (%v)", i, s.From, i-1, tr.CriticalPath[i-1].To)
			}
			if !s.Node.Critical {
				t.Errorf("span %s is on the critical path but not marked so", s.Node.Span.SpanID)
			}
			total += s.To.Sub(s.From)
		}
		if d := root.Span.Duration; d >= 0 && total > d {
			t.Errorf("the critical path lasts %v, the root %v", total, d)
		}
		for _, byOp := range []bool{false, true} {
			stats := tr.ServiceStats()
			if byOp {
				stats = tr.OperationStats()
			}
			n := 0
			for _, st := range stats {
				n += st.Count
				if st.Count <= 0 || st.Errors > st.Count || st.Errors < 0 {
					t.Errorf("stat %+v", st)
				}
			}
			if n != len(trace.Spans) {
				t.Errorf("the statistics (by operation: %v) count %d spans of %d", byOp, n, len(trace.Spans))
			}
		}
	})
}
