package flame

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/telx-cli/telx/sources"
)

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func trace(spans ...[5]string) *sources.Tree {
	t := &sources.Trace{ID: "4bf92f3577b34da6a3ce929d0e0e4736"}
	for _, s := range spans {
		var start, dur int
		fmt.Sscan(s[3], &start)
		fmt.Sscan(s[4], &dur)
		svc, op, _ := strings.Cut(s[2], " ")
		parent := sources.SpanID("")
		if s[1] != "" {
			parent = sources.SpanID(fmt.Sprintf("%016s", s[1]))
		}
		t.Spans = append(t.Spans, sources.Span{TraceID: t.ID, SpanID: sources.SpanID(fmt.Sprintf("%016s", s[0])), ParentID: parent,
			Service: svc, Operation: op, Start: t0.Add(time.Duration(start) * time.Millisecond), Duration: time.Duration(dur) * time.Millisecond})
	}
	return sources.BuildTree(t)
}

func dump(g *Graph) string {
	var b strings.Builder
	for _, f := range g.Frames {
		fmt.Fprintf(&b, "%s%s %s self=%v total=%v at=%v n=%d\n", strings.Repeat(" ", f.Depth), f.Service, f.Operation,
			f.Self, f.Total, f.Offset, f.Spans)
	}
	return b.String()
}

func TestBuild(t *testing.T) {
	tests := []struct {
		name  string
		tree  *sources.Tree
		want  string
		total time.Duration
		depth int
	}{
		{
			name: "repeated calls of one stack are one frame, the widest first",
			tree: trace([5]string{"1", "", "fe /d", "0", "100"},
				[5]string{"2", "1", "redis Get", "0", "10"}, [5]string{"3", "1", "redis Get", "10", "10"},
				[5]string{"4", "1", "db q", "30", "30"}, [5]string{"5", "4", "db lock", "30", "5"}),
			want:  "fe /d self=50ms total=100ms at=0s n=1\n db q self=25ms total=30ms at=0s n=1\n  db lock self=5ms total=5ms at=0s n=1\n redis Get self=20ms total=20ms at=30ms n=2\n",
			total: 100 * time.Millisecond, depth: 3,
		},
		{
			name: "concurrent children sum more than their parent's duration",
			tree: trace([5]string{"1", "", "fe /d", "0", "100"},
				[5]string{"2", "1", "a x", "0", "80"}, [5]string{"3", "1", "b y", "0", "60"}),
			want:  "fe /d self=20ms total=160ms at=0s n=1\n a x self=80ms total=80ms at=0s n=1\n b y self=60ms total=60ms at=80ms n=1\n",
			total: 160 * time.Millisecond, depth: 2,
		},
		{name: "empty", tree: trace(), want: "", total: 0, depth: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := Build(tt.tree)
			if got := dump(g); got != tt.want {
				t.Errorf("got:\n%s\nwant:\n%s", got, tt.want)
			}
			if g.Total != tt.total || g.Depth != tt.depth {
				t.Errorf("total %v depth %d, want %v %d", g.Total, g.Depth, tt.total, tt.depth)
			}
		})
	}
}

func TestHottestAndStack(t *testing.T) {
	g := Build(trace([5]string{"1", "", "fe /d", "0", "100"}, [5]string{"2", "1", "db q", "0", "70"}, [5]string{"3", "2", "db lock", "0", "0"}))
	h := g.Hottest(5)
	if len(h) != 2 || h[0].Operation != "q" || h[1].Operation != "/d" {
		t.Fatalf("hottest: %v", dump(&Graph{Frames: h}))
	}
	if s := h[0].Stack(); s != "fe /d › db q" {
		t.Errorf("stack %q", s)
	}
}
