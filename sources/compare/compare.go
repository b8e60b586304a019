// Package compare aligns the span trees of two traces: nodes are matched
// by the path of (service, operation) from the root, repeated siblings in
// order, so that each node of the result is in A only, in B only or in
// both, with its duration and self time on each side. Pure functions over
// sources.Tree, no I/O.
package compare

import (
	"math"
	"slices"
	"time"

	"github.com/telx-cli/telx/sources"
)

// In says on which side of a comparison a node is.
type In int

// Where a node is.
const (
	Both In = iota
	OnlyA
	OnlyB
)

// String names the side as the JSON output does: "both", "a" or "b".
func (in In) String() string {
	switch in {
	case OnlyA:
		return "a"
	case OnlyB:
		return "b"
	}
	return "both"
}

// Side is a node's span on one side of the comparison; the zero Side
// (Node nil) is a span that side does not have.
type Side struct {
	// Node is the span's node in its tree, nil when the side lacks it.
	Node     *sources.Node
	Duration time.Duration
	Self     time.Duration
}

// Present tells whether the side has the span.
func (s Side) Present() bool { return s.Node != nil }

// Error tells whether the side's span failed.
func (s Side) Error() bool { return s.Node != nil && s.Node.Span.IsError() }

// Node is one aligned span.
type Node struct {
	Service, Operation string
	A, B               Side
	Parent             *Node
	Children           []*Node
	// Depth is 0 for a root.
	Depth int
	// Index is the node's position in Comparison.Nodes.
	Index int
	// Size is the number of nodes in the subtree, this one included.
	Size int
	// Rank is the node's place among the largest self-time differences
	// (1: the largest), 0 when it is not among them.
	Rank int
	// MaxChange is the largest Change in the subtree, this node included.
	MaxChange time.Duration
}

// In says on which side the node is.
func (n *Node) In() In {
	switch {
	case n.A.Present() && n.B.Present():
		return Both
	case n.A.Present():
		return OnlyA
	}
	return OnlyB
}

// DeltaDuration is B's duration less A's (a missing side counts zero).
func (n *Node) DeltaDuration() time.Duration { return sub(n.B.Duration, n.A.Duration) }

// DeltaSelf is B's self time less A's (a missing side counts zero).
func (n *Node) DeltaSelf() time.Duration { return sub(n.B.Self, n.A.Self) }

// Change is how much the node changed: the larger of its duration's and
// its self time's differences, in absolute value. A span on one side only
// changed by its whole duration.
func (n *Node) Change() time.Duration { return max(abs(n.DeltaDuration()), abs(n.DeltaSelf())) }

// Comparison is two traces aligned.
type Comparison struct {
	A, B *sources.Tree
	// Roots are the aligned roots; Nodes every node in depth-first order,
	// A's order first, B's spans that A lacks after the sibling they follow
	// in B.
	Roots []*Node
	Nodes []*Node
	// Largest are the nodes with the largest self-time differences, the
	// largest first (at most Options.Largest, none that did not change).
	Largest []*Node
	// Counts of nodes by side.
	Both, OnlyA, OnlyB int
}

// DefaultLargest is how many of the largest self-time differences are
// marked.
const DefaultLargest = 5

// Options tune a comparison.
type Options struct {
	// Largest is how many of the largest self-time differences to mark
	// (0: DefaultLargest; negative: none).
	Largest int
}

// Compare aligns the trees of traces a and b.
func Compare(a, b *sources.Tree, o Options) *Comparison {
	c := &Comparison{A: a, B: b}
	c.Roots = align(nil, a.Roots, b.Roots)
	// depth-first order, depths, indexes
	stack := make([]*Node, 0, 64)
	for i := len(c.Roots) - 1; i >= 0; i-- {
		stack = append(stack, c.Roots[i])
	}
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if n.Parent != nil {
			n.Depth = n.Parent.Depth + 1
		}
		n.Index = len(c.Nodes)
		c.Nodes = append(c.Nodes, n)
		switch n.In() {
		case Both:
			c.Both++
		case OnlyA:
			c.OnlyA++
		default:
			c.OnlyB++
		}
		for i := len(n.Children) - 1; i >= 0; i-- {
			stack = append(stack, n.Children[i])
		}
	}
	for i := len(c.Nodes) - 1; i >= 0; i-- {
		n := c.Nodes[i]
		n.Size, n.MaxChange = 1, n.Change()
		for _, ch := range n.Children {
			n.Size += ch.Size
			n.MaxChange = max(n.MaxChange, ch.MaxChange)
		}
	}
	want := o.Largest
	if want == 0 {
		want = DefaultLargest
	}
	if want > 0 {
		ranked := make([]*Node, 0, len(c.Nodes))
		for _, n := range c.Nodes {
			if n.DeltaSelf() != 0 {
				ranked = append(ranked, n)
			}
		}
		slices.SortStableFunc(ranked, func(x, y *Node) int {
			dx, dy := abs(x.DeltaSelf()), abs(y.DeltaSelf())
			switch {
			case dx > dy:
				return -1
			case dx < dy:
				return 1
			}
			return x.Index - y.Index
		})
		c.Largest = ranked[:min(want, len(ranked))]
		for i, n := range c.Largest {
			n.Rank = i + 1
		}
	}
	return c
}

type key struct{ service, operation string }

func keyOf(n *sources.Node) key { return key{n.Span.Service, n.Span.Operation} }

// align matches the siblings as and bs: the k-th of a (service,
// operation) in as with the k-th of the same in bs. The result is in as's
// order; each of bs's unmatched nodes follows the node holding the last
// of its previous siblings in bs that as has, and as's unmatched nodes
// after that one.
func align(parent *Node, as, bs []*sources.Node) []*Node {
	if len(as) == 0 && len(bs) == 0 {
		return nil
	}
	// the positions in bs of each key, in order
	byKey := make(map[key][]int, len(bs))
	for i, b := range bs {
		k := keyOf(b)
		byKey[k] = append(byKey[k], i)
	}
	taken := make(map[key]int, len(byKey))
	matched := make([]*Node, 0, len(as))
	// at[i]: the position in matched of the node holding bs[i], -1 when
	// A lacks it
	at := make([]int, len(bs))
	for i := range at {
		at[i] = -1
	}
	for _, a := range as {
		k := keyOf(a)
		n := &Node{Service: a.Span.Service, Operation: a.Span.Operation, Parent: parent, A: sideOf(a)}
		if pos := byKey[k]; taken[k] < len(pos) {
			bi := pos[taken[k]]
			taken[k]++
			n.B = sideOf(bs[bi])
			at[bi] = len(matched)
		}
		matched = append(matched, n)
	}
	// B's nodes that A lacks follow the node holding the last of their
	// previous siblings that A has (come first when none has), in B's order:
	after := map[int][]*Node{}
	anchor := -1
	for i, b := range bs {
		if at[i] >= 0 {
			anchor = at[i]
			continue
		}
		after[anchor] = append(after[anchor], &Node{Service: b.Span.Service, Operation: b.Span.Operation, Parent: parent, B: sideOf(b)})
	}
	// each group of them just before the next node both sides have, after
	// A's own unmatched nodes, as a diff puts what was removed before what
	// was added
	out := make([]*Node, 0, len(matched)+len(bs))
	pending := after[-1]
	for i, n := range matched {
		if n.B.Present() {
			out = append(out, pending...)
			pending = after[i]
		}
		out = append(out, n)
	}
	out = append(out, pending...)
	for _, n := range out {
		var ac, bc []*sources.Node
		if n.A.Node != nil {
			ac = n.A.Node.Children
		}
		if n.B.Node != nil {
			bc = n.B.Node.Children
		}
		n.Children = align(n, ac, bc)
	}
	return out
}

func sideOf(n *sources.Node) Side {
	return Side{Node: n, Duration: n.Span.Duration, Self: n.SelfTime}
}

// Visible are the nodes shown when the subtrees whose changes are all
// below minDelta are folded: such a subtree is left out and counted at
// its parent (Folded). The roots are always shown. minDelta <= 0 shows
// everything.
func (c *Comparison) Visible(minDelta time.Duration) (nodes []*Node, folded map[*Node]int) {
	folded = map[*Node]int{}
	if minDelta <= 0 {
		return c.Nodes, folded
	}
	nodes = make([]*Node, 0, len(c.Nodes))
	for i := 0; i < len(c.Nodes); {
		n := c.Nodes[i]
		if n.Parent != nil && n.MaxChange < minDelta {
			folded[n.Parent] += n.Size
			i += n.Size // the subtree is contiguous in depth-first order
			continue
		}
		nodes = append(nodes, n)
		i++
	}
	return nodes, folded
}

func abs(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}

// sub is b less a, held within ±math.MaxInt64 (durations near the ends
// of their range, as a broken trace can give, must not wrap round: a
// difference that did ranked below every other, and its absolute value,
// math.MinInt64's own, was negative).
func sub(b, a time.Duration) time.Duration {
	d := b - a
	switch {
	case (a < 0) != (b < 0) && (d < 0) != (b < 0): // wrapped round
		if b < 0 {
			return -math.MaxInt64
		}
		return math.MaxInt64
	case d == math.MinInt64:
		return -math.MaxInt64
	}
	return d
}
