package compare_test

import (
	"bytes"
	"encoding/binary"
	"testing"
	"time"

	"github.com/telx-cli/telx/internal/fuzzcheck"
	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/sources/compare"
	"github.com/telx-cli/telx/sources/jaeger"
)

// pair is two traces as fuzz bytes: the length of the first (2 bytes,
// big-endian), its bytes, the second's, and minDelta's nanoseconds in the
// last 8 bytes.
func pair(a, b []byte, minDelta time.Duration) []byte {
	out := binary.BigEndian.AppendUint16(nil, uint16(len(a)))
	out = append(append(out, a...), b...)
	return binary.BigEndian.AppendUint64(out, uint64(minDelta))
}

func unpair(p []byte) (a, b []byte, minDelta time.Duration) {
	if len(p) < 2 {
		return nil, nil, 0
	}
	n := int(binary.BigEndian.Uint16(p))
	p = p[2:]
	if len(p) >= 8 {
		minDelta = time.Duration(binary.BigEndian.Uint64(p[len(p)-8:]))
		p = p[:len(p)-8]
	}
	n = min(n, len(p))
	return p[:n], p[n:], minDelta
}

// FuzzCompare aligns any two traces and checks the comparison: every span
// of each trace on its side exactly once; a node both sides have of one
// (service, operation), under the node holding both its parents; depths,
// indexes and sizes consistent; the marked nodes the largest self-time
// differences, in order; folding keeps each shown node's parent and counts
// every node either shown or folded; a trace compared with itself has no
// node on one side only and no difference.
func FuzzCompare(f *testing.F) {
	seeds := fuzzcheck.RecordedTraces(f, func(b []byte) ([]*sources.Trace, error) { return jaeger.DecodeUIJSON(bytes.NewReader(b)) },
		fuzzcheck.Recorded(f, "jaeger-hotrod-dispatch-*.json")...)
	seeds = append(seeds, fuzzcheck.RecordedTraces(f, func(b []byte) ([]*sources.Trace, error) { return jaeger.DecodeUIJSON(bytes.NewReader(b)) },
		fuzzcheck.Recorded(f, "jaeger-api-trace.json")...)...)
	for i, a := range seeds {
		for j, b := range seeds {
			if len(a) < 1<<16 {
				f.Add(pair(a, b, time.Duration(i+j)*time.Millisecond))
			}
		}
	}
	f.Fuzz(func(t *testing.T, p []byte) {
		ab, bb, minDelta := unpair(p)
		ta, tb := sources.BuildTree(fuzzcheck.TraceFrom(ab)), sources.BuildTree(fuzzcheck.TraceFrom(bb))
		c := compare.Compare(ta, tb, compare.Options{})
		check(t, c, ta, tb)
		shown, folded := c.Visible(minDelta)
		visible := map[*compare.Node]bool{}
		count := len(shown)
		for _, n := range shown {
			visible[n] = true
			if n.Parent != nil && !visible[n.Parent] {
				t.Fatalf("node %d shown without its parent", n.Index)
			}
			if n.Parent != nil && minDelta > 0 && n.MaxChange < minDelta {
				t.Errorf("node %d changed by at most %v, under %v, but is shown", n.Index, n.MaxChange, minDelta)
			}
		}
		for n, k := range folded {
			if !visible[n] {
				t.Errorf("%d nodes folded under a node not shown", k)
			}
			count += k
		}
		if count != len(c.Nodes) {
			t.Errorf("%d nodes shown or folded, of %d", count, len(c.Nodes))
		}

		self := compare.Compare(ta, ta, compare.Options{})
		check(t, self, ta, ta)
		if self.OnlyA+self.OnlyB != 0 || self.Both != len(ta.Nodes) || len(self.Largest) != 0 {
			t.Errorf("a trace against itself: %d both, %d only in A, %d only in B, %d marked", self.Both, self.OnlyA, self.OnlyB, len(self.Largest))
		}
	})
}

func check(t *testing.T, c *compare.Comparison, ta, tb *sources.Tree) {
	t.Helper()
	seenA, seenB := map[*sources.Node]bool{}, map[*sources.Node]bool{}
	for i, n := range c.Nodes {
		if n.Index != i {
			t.Fatalf("node %d has index %d", i, n.Index)
		}
		if n.Parent == nil && n.Depth != 0 || n.Parent != nil && (n.Depth != n.Parent.Depth+1 || n.Parent.Index >= i) {
			t.Fatalf("node %d at depth %d, under %v", i, n.Depth, n.Parent)
		}
		size := 1
		for _, ch := range n.Children {
			if ch.Parent != n {
				t.Fatalf("node %d's child has another parent", i)
			}
			size += ch.Size
		}
		if size != n.Size {
			t.Fatalf("node %d: size %d, its subtree %d", i, n.Size, size)
		}
		for _, side := range []struct {
			s    compare.Side
			seen map[*sources.Node]bool
			par  func(*compare.Node) compare.Side
		}{{n.A, seenA, func(p *compare.Node) compare.Side { return p.A }}, {n.B, seenB, func(p *compare.Node) compare.Side { return p.B }}} {
			if !side.s.Present() {
				continue
			}
			if side.seen[side.s.Node] {
				t.Fatalf("span %s twice on one side", side.s.Node.Span.SpanID)
			}
			side.seen[side.s.Node] = true
			if side.s.Node.Span.Service != n.Service || side.s.Node.Span.Operation != n.Operation {
				t.Fatalf("node %d (%q %q) holds span %q %q", i, n.Service, n.Operation, side.s.Node.Span.Service, side.s.Node.Span.Operation)
			}
			if n.Parent != nil && side.s.Node.Parent != side.par(n.Parent).Node {
				t.Fatalf("node %d's span is not under its parent's span", i)
			}
		}
		if !n.A.Present() && !n.B.Present() {
			t.Fatalf("node %d on neither side", i)
		}
	}
	if len(seenA) != len(ta.Nodes) || len(seenB) != len(tb.Nodes) {
		t.Fatalf("%d of A's %d spans and %d of B's %d aligned", len(seenA), len(ta.Nodes), len(seenB), len(tb.Nodes))
	}
	if c.Both+c.OnlyA+c.OnlyB != len(c.Nodes) {
		t.Errorf("counts %d+%d+%d for %d nodes", c.Both, c.OnlyA, c.OnlyB, len(c.Nodes))
	}
	if len(c.Largest) > compare.DefaultLargest {
		t.Errorf("%d marked", len(c.Largest))
	}
	least := time.Duration(-1)
	for i, n := range c.Largest {
		d := n.DeltaSelf()
		if d < 0 {
			d = -d
		}
		if n.Rank != i+1 || d == 0 || (i > 0 && d > least) {
			t.Errorf("marked %d: rank %d, |Δself| %v after %v", i, n.Rank, d, least)
		}
		least = d
	}
	if len(c.Largest) > 0 {
		marked := map[*compare.Node]bool{}
		for _, n := range c.Largest {
			marked[n] = true
		}
		for _, n := range c.Nodes {
			d := n.DeltaSelf()
			if d < 0 {
				d = -d
			}
			if !marked[n] && n.Rank != 0 || !marked[n] && d > least {
				t.Errorf("node %d: |Δself| %v not marked, the least marked %v", n.Index, d, least)
			}
		}
	}
}
