package compare

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/telx-cli/telx/sources"
)

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// sp is a span: its ID, its parent's ("" for a root), "service op", and
// its start and duration in milliseconds.
type sp struct {
	id, parent, name string
	start, dur       float64
}

func tree(spans ...sp) *sources.Tree {
	t := &sources.Trace{ID: "4bf92f3577b34da6a3ce929d0e0e4736"}
	ms := func(v float64) time.Duration { return time.Duration(v * float64(time.Millisecond)) }
	for _, s := range spans {
		svc, op, _ := strings.Cut(s.name, " ")
		t.Spans = append(t.Spans, sources.Span{TraceID: t.ID, SpanID: sources.SpanID(fmt.Sprintf("%016s", s.id)),
			ParentID: parentID(s.parent), Service: svc, Operation: op, Start: t0.Add(ms(s.start)), Duration: ms(s.dur)})
	}
	return sources.BuildTree(t)
}

func parentID(p string) sources.SpanID {
	if p == "" {
		return ""
	}
	return sources.SpanID(fmt.Sprintf("%016s", p))
}

// outline writes each node as "<depth spaces><side> service op A→B self A→B".
func outline(c *Comparison, nodes []*Node, folded map[*Node]int) string {
	var b strings.Builder
	ms := func(d time.Duration) string { return fmt.Sprint(float64(d) / float64(time.Millisecond)) }
	for _, n := range nodes {
		fmt.Fprintf(&b, "%s%s %s %s %s→%s self %s→%s", strings.Repeat(" ", n.Depth), n.In(), n.Service, n.Operation,
			ms(n.A.Duration), ms(n.B.Duration), ms(n.A.Self), ms(n.B.Self))
		if n.Rank > 0 {
			fmt.Fprintf(&b, " #%d", n.Rank)
		}
		if f := folded[n]; f > 0 {
			fmt.Fprintf(&b, " +%d", f)
		}
		b.WriteByte('\n')
	}
	return b.String()
}

func TestCompare(t *testing.T) {
	tests := []struct {
		name     string
		a, b     *sources.Tree
		minDelta time.Duration
		largest  int
		want     string
		counts   [3]int // both, only A, only B
	}{
		{
			name:   "same shape, one child slower",
			a:      tree(sp{"1", "", "fe /dispatch", 0, 100}, sp{"2", "1", "db query", 10, 50}),
			b:      tree(sp{"1", "", "fe /dispatch", 0, 130}, sp{"2", "1", "db query", 10, 80}),
			want:   "both fe /dispatch 100→130 self 50→50\n both db query 50→80 self 50→80 #1\n",
			counts: [3]int{2, 0, 0},
		},
		{
			name: "repeated siblings matched in order, the extra one only in B",
			a: tree(sp{"1", "", "fe /d", 0, 100},
				sp{"2", "1", "redis Get", 0, 10}, sp{"3", "1", "redis Get", 20, 10}),
			b: tree(sp{"1", "", "fe /d", 0, 100},
				sp{"2", "1", "redis Get", 0, 10}, sp{"3", "1", "redis Get", 20, 30}, sp{"4", "1", "redis Get", 60, 5}),
			want:   "both fe /d 100→100 self 80→55 #1\n both redis Get 10→10 self 10→10\n both redis Get 10→30 self 10→30 #2\n b redis Get 0→5 self 0→5 #3\n",
			counts: [3]int{3, 0, 1},
		},
		{
			name: "a span only in A, then B's new span after the sibling it follows in B",
			a: tree(sp{"1", "", "fe /d", 0, 100},
				sp{"2", "1", "auth check", 0, 10}, sp{"3", "1", "cache get", 20, 10}),
			b: tree(sp{"1", "", "fe /d", 0, 100},
				sp{"2", "1", "auth check", 0, 10}, sp{"4", "1", "db query", 15, 40}),
			want:   "both fe /d 100→100 self 80→50 #2\n both auth check 10→10 self 10→10\n a cache get 10→0 self 10→0 #3\n b db query 0→40 self 0→40 #1\n",
			counts: [3]int{2, 1, 1},
		},
		{
			name:    "different service at the same place is not matched, nor its subtree",
			a:       tree(sp{"1", "", "fe /d", 0, 100}, sp{"2", "1", "svc1 op", 0, 50}, sp{"3", "2", "db q", 0, 20}),
			b:       tree(sp{"1", "", "fe /d", 0, 100}, sp{"2", "1", "svc2 op", 0, 50}, sp{"3", "2", "db q", 0, 20}),
			largest: -1,
			want:    "both fe /d 100→100 self 50→50\n a svc1 op 50→0 self 30→0\n  a db q 20→0 self 20→0\n b svc2 op 0→50 self 0→30\n  b db q 0→20 self 0→20\n",
			counts:  [3]int{1, 2, 2},
		},
		{
			name:    "different roots",
			a:       tree(sp{"1", "", "fe /a", 0, 10}),
			b:       tree(sp{"1", "", "fe /b", 0, 20}),
			largest: 1,
			want:    "a fe /a 10→0 self 10→0\nb fe /b 0→20 self 0→20 #1\n",
			counts:  [3]int{0, 1, 1},
		},
		{
			name: "min delta folds the subtrees that changed less, counted at their parent",
			a: tree(sp{"1", "", "fe /d", 0, 100}, sp{"2", "1", "svc x", 0, 20}, sp{"3", "2", "db q", 0, 10},
				sp{"4", "1", "svc y", 30, 20}, sp{"5", "4", "db q", 30, 10}),
			b: tree(sp{"1", "", "fe /d", 0, 150}, sp{"2", "1", "svc x", 0, 21}, sp{"3", "2", "db q", 0, 10},
				sp{"4", "1", "svc y", 30, 70}, sp{"5", "4", "db q", 30, 60}),
			minDelta: 5 * time.Millisecond,
			largest:  -1,
			want:     "both fe /d 100→150 self 60→59 +2\n both svc y 20→70 self 10→10\n  both db q 10→60 self 10→60\n",
			counts:   [3]int{5, 0, 0},
		},
		{
			name:   "empty traces",
			a:      tree(),
			b:      tree(),
			want:   "",
			counts: [3]int{0, 0, 0},
		},
		{
			name:   "one empty",
			a:      tree(),
			b:      tree(sp{"1", "", "fe /d", 0, 1}),
			want:   "b fe /d 0→1 self 0→1 #1\n",
			counts: [3]int{0, 0, 1},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Compare(tt.a, tt.b, Options{Largest: tt.largest})
			nodes, folded := c.Visible(tt.minDelta)
			if got := outline(c, nodes, folded); got != tt.want {
				t.Errorf("got:\n%s\nwant:\n%s", got, tt.want)
			}
			if got := [3]int{c.Both, c.OnlyA, c.OnlyB}; got != tt.counts {
				t.Errorf("counts %v, want %v", got, tt.counts)
			}
		})
	}
}

func TestLargestIsOrderedAndBounded(t *testing.T) {
	var as, bs []sp
	as = append(as, sp{"1", "", "fe /d", 0, 1000})
	bs = append(bs, sp{"1", "", "fe /d", 0, 1000})
	for i := range 8 {
		id := fmt.Sprint(i + 2)
		as = append(as, sp{id, "1", "db q", float64(i * 100), 10})
		bs = append(bs, sp{id, "1", "db q", float64(i * 100), float64(10 + i*10)})
	}
	c := Compare(tree(as...), tree(bs...), Options{Largest: 3})
	if len(c.Largest) != 3 {
		t.Fatalf("%d largest, want 3", len(c.Largest))
	}
	// the root's self time fell by the 280ms its children grew: the largest
	want := []time.Duration{-280 * time.Millisecond, 70 * time.Millisecond, 60 * time.Millisecond}
	for i, n := range c.Largest {
		if n.Rank != i+1 || n.DeltaSelf() != want[i] {
			t.Errorf("largest %d: rank %d, Δself %v, want %v", i, n.Rank, n.DeltaSelf(), want[i])
		}
	}
}

func TestIn(t *testing.T) {
	for in, want := range map[In]string{Both: "both", OnlyA: "a", OnlyB: "b"} {
		if in.String() != want {
			t.Errorf("%d: %q, want %q", in, in.String(), want)
		}
	}
}
