// Package flame aggregates a trace's self time by stack of (service,
// operation), for a flame graph: the spans reached by the same path of
// (service, operation) from the root make one frame. Pure functions over
// sources.Tree, no I/O.
package flame

import (
	"slices"
	"strings"
	"time"

	"github.com/telx-cli/telx/sources"
)

// Frame is one stack of (service, operation).
type Frame struct {
	Service, Operation string
	// Self is the self time of the frame's spans; Total adds its
	// children's totals.
	Self, Total time.Duration
	// Spans is how many spans the frame sums; Errors how many failed.
	Spans, Errors int
	Parent        *Frame
	// Children, the widest (largest Total) first.
	Children []*Frame
	// Depth is 0 for a root frame.
	Depth int
	// Offset is where the frame starts on the graph's axis: the totals of
	// the frames before it (its parent's offset, then its earlier
	// siblings').
	Offset time.Duration
}

// Graph is a trace's frames.
type Graph struct {
	// Roots, the widest first.
	Roots []*Frame
	// Total is the roots' totals: the self time of every span.
	Total time.Duration
	// Depth is the number of rows: the deepest frame's depth plus one.
	Depth int
	// Frames in depth-first order, widest first.
	Frames []*Frame
}

// Build aggregates the tree's spans into frames. A negative self time
// (which a broken trace may give) counts zero.
func Build(tr *sources.Tree) *Graph {
	g := &Graph{}
	type key struct {
		parent             *Frame
		service, operation string
	}
	frames := make(map[key]*Frame, len(tr.Nodes))
	of := make([]*Frame, len(tr.Nodes)) // a node's frame, by node index
	for _, nd := range tr.Nodes {       // parents before children
		var parent *Frame
		if nd.Parent != nil {
			parent = of[nd.Parent.Index]
		}
		k := key{parent, nd.Span.Service, nd.Span.Operation}
		f := frames[k]
		if f == nil {
			f = &Frame{Service: k.service, Operation: k.operation, Parent: parent}
			if parent != nil {
				f.Depth = parent.Depth + 1
				parent.Children = append(parent.Children, f)
			} else {
				g.Roots = append(g.Roots, f)
			}
			frames[k] = f
		}
		of[nd.Index] = f
		f.Spans++
		if nd.SelfTime > 0 {
			f.Self += nd.SelfTime
		}
		if nd.Span.IsError() {
			f.Errors++
		}
	}
	var total func(f *Frame) time.Duration
	total = func(f *Frame) time.Duration {
		f.Total = f.Self
		for _, c := range f.Children {
			f.Total += total(c)
		}
		sortWidest(f.Children)
		return f.Total
	}
	for _, r := range g.Roots {
		g.Total += total(r)
	}
	sortWidest(g.Roots)
	var place func(fs []*Frame, at time.Duration)
	place = func(fs []*Frame, at time.Duration) {
		for _, f := range fs {
			f.Offset = at
			g.Frames = append(g.Frames, f)
			g.Depth = max(g.Depth, f.Depth+1)
			place(f.Children, at)
			at += f.Total
		}
	}
	place(g.Roots, 0)
	return g
}

// sortWidest orders frames by total, the widest first, then by name.
func sortWidest(fs []*Frame) {
	slices.SortStableFunc(fs, func(a, b *Frame) int {
		switch {
		case a.Total > b.Total:
			return -1
		case a.Total < b.Total:
			return 1
		}
		if c := strings.Compare(a.Service, b.Service); c != 0 {
			return c
		}
		return strings.Compare(a.Operation, b.Operation)
	})
}

// Hottest returns the n frames of most self time, the most first.
func (g *Graph) Hottest(n int) []*Frame {
	fs := slices.Clone(g.Frames)
	slices.SortStableFunc(fs, func(a, b *Frame) int {
		switch {
		case a.Self > b.Self:
			return -1
		case a.Self < b.Self:
			return 1
		}
		return 0
	})
	for len(fs) > 0 && fs[len(fs)-1].Self == 0 {
		fs = fs[:len(fs)-1]
	}
	return fs[:min(n, len(fs))]
}

// Stack names the frame's path from the root, " › " between the frames.
func (f *Frame) Stack() string {
	var parts []string
	for p := f; p != nil; p = p.Parent {
		parts = append(parts, p.Service+" "+p.Operation)
	}
	slices.Reverse(parts)
	return strings.Join(parts, " › ")
}
