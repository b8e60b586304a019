package sources

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)

// sp makes a span: id, parent, start and duration in milliseconds.
func sp(id, parent string, start, dur int) Span {
	return Span{
		TraceID: "0000000000000000000000000000000a", SpanID: SpanID(id), ParentID: SpanID(parent),
		Service: "svc", Operation: "op-" + id,
		Start: t0.Add(time.Duration(start) * time.Millisecond), Duration: time.Duration(dur) * time.Millisecond,
	}
}

// outline renders the tree as "id(depth)[flags]" in display order.
func outline(tr *Tree) string {
	var parts []string
	for _, n := range tr.Nodes {
		flags := ""
		if n.Orphan {
			flags += "o"
		}
		if n.Skew {
			flags += "s"
		}
		if n.Duplicate {
			flags += "d"
		}
		if n.Critical {
			flags += "c"
		}
		p := fmt.Sprintf("%s(%d)", n.Span.SpanID, n.Depth)
		if flags != "" {
			p += "[" + flags + "]"
		}
		parts = append(parts, p)
	}
	return strings.Join(parts, " ")
}

func TestBuildTree(t *testing.T) {
	tests := []struct {
		name         string
		spans        []Span
		want         string
		wantWarnings []string
	}{
		{
			name:  "children by start time",
			spans: []Span{sp("a", "", 0, 100), sp("c", "a", 50, 40), sp("b", "a", 10, 30), sp("d", "b", 15, 10)},
			want:  "a(0)[c] b(1)[c] d(2)[c] c(1)[c]",
		},
		{
			name:         "orphan under the root",
			spans:        []Span{sp("a", "", 0, 100), sp("b", "a", 10, 20), sp("x", "gone", 30, 10)},
			want:         "a(0)[c] b(1)[c] x(1)[o]",
			wantWarnings: []string{"1 span has a parent that is not in the trace; shown under the root"},
		},
		{
			name:         "no root: the earliest orphan stands in",
			spans:        []Span{sp("b", "gone", 10, 50), sp("c", "b", 20, 10), sp("x", "gone2", 5, 10)},
			want:         "x(0)[oc] b(1)[o] c(2)",
			wantWarnings: []string{"2 spans have a parent that is not in the trace; shown under the root", "the trace has no root span"},
		},
		{
			name:         "cycle cut at its earliest span",
			spans:        []Span{sp("a", "", 0, 100), sp("b", "c", 20, 10), sp("c", "b", 10, 30)},
			want:         "a(0)[c] c(1)[o] b(2)",
			wantWarnings: []string{"2 spans form a cycle of parents; cut at span c"},
		},
		{
			name:         "a span that is its own parent",
			spans:        []Span{sp("a", "", 0, 100), sp("b", "b", 20, 10)},
			want:         "a(0)[c] b(1)[o]",
			wantWarnings: []string{"1 span has a parent that is not in the trace; shown under the root"},
		},
		{
			name:         "duplicate span IDs are both kept",
			spans:        []Span{sp("a", "", 0, 100), sp("b", "a", 10, 20), sp("b", "a", 40, 20), sp("c", "b", 12, 5)},
			want:         "a(0)[c] b(1)[dc] c(2)[c] b(1)[dc]",
			wantWarnings: []string{"span ID b appears 2 times"},
		},
		{
			name:         "clock skew is flagged",
			spans:        []Span{sp("a", "", 100, 100), sp("b", "a", 60, 50), sp("c", "a", 150, 80)},
			want:         "a(0)[c] b(1)[sc] c(1)[sc]",
			wantWarnings: []string{"2 spans start before or end after their parent (clock skew?)"},
		},
		{
			name:         "two roots",
			spans:        []Span{sp("a", "", 0, 10), sp("b", "", 20, 10)},
			want:         "a(0)[c] b(0)",
			wantWarnings: []string{"the trace has 2 root spans"},
		},
		{
			name: "empty trace",
			want: "",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := BuildTree(&Trace{Spans: tt.spans})
			if got := outline(tr); got != tt.want {
				t.Errorf("tree\n got %s\nwant %s", got, tt.want)
			}
			if strings.Join(tr.Warnings, "|") != strings.Join(tt.wantWarnings, "|") {
				t.Errorf("warnings\n got %q\nwant %q", tr.Warnings, tt.wantWarnings)
			}
			if len(tr.Nodes) != len(tt.spans) {
				t.Errorf("%d nodes for %d spans: a span was lost", len(tr.Nodes), len(tt.spans))
			}
		})
	}
}

func TestManyWarningsAreSummarised(t *testing.T) {
	spans := []Span{sp("a", "", 0, 100)}
	for i := 0; i < 10; i++ {
		id := fmt.Sprintf("d%d", i)
		spans = append(spans, sp(id, "a", 1, 1), sp(id, "a", 2, 1))
	}
	tr := BuildTree(&Trace{Spans: spans})
	if len(tr.Warnings) != 4 || tr.Warnings[3] != "and 7 more like it" {
		t.Errorf("warnings = %q", tr.Warnings)
	}
}

func TestSelfTime(t *testing.T) {
	// a: 0-100; b: 10-40; c: 30-60 (overlaps b); d: 90-130 (ends after a)
	tr := BuildTree(&Trace{Spans: []Span{sp("a", "", 0, 100), sp("b", "a", 10, 30), sp("c", "a", 30, 30), sp("d", "a", 90, 40)}})
	want := map[SpanID]time.Duration{"a": 40 * time.Millisecond, "b": 30 * time.Millisecond, "c": 30 * time.Millisecond, "d": 40 * time.Millisecond}
	for _, n := range tr.Nodes {
		if n.SelfTime != want[n.Span.SpanID] {
			t.Errorf("self time of %s = %s, want %s", n.Span.SpanID, n.SelfTime, want[n.Span.SpanID])
		}
	}
}

func TestCriticalPath(t *testing.T) {
	tests := []struct {
		name  string
		spans []Span
		want  string // span:from-to in ms, in time order
	}{
		{
			name:  "sequential children",
			spans: []Span{sp("a", "", 0, 100), sp("b", "a", 10, 30), sp("c", "a", 50, 40)},
			want:  "a:0-10 b:10-40 a:40-50 c:50-90 a:90-100",
		},
		{
			name: "parallel children: the last to finish wins, the overlapped one is off the path",
			// b 10-60 and c 20-80 run together; c ends last, b ended after c started
			spans: []Span{sp("a", "", 0, 100), sp("b", "a", 10, 50), sp("c", "a", 20, 60)},
			want:  "a:0-20 c:20-80 a:80-100",
		},
		{
			name:  "nested",
			spans: []Span{sp("a", "", 0, 100), sp("b", "a", 10, 80), sp("c", "b", 20, 30), sp("d", "b", 60, 20)},
			want:  "a:0-10 b:10-20 c:20-50 b:50-60 d:60-80 b:80-90 a:90-100",
		},
		{
			name:  "a child that outlives its parent is clipped",
			spans: []Span{sp("a", "", 0, 100), sp("b", "a", 50, 80)},
			want:  "a:0-50 b:50-100",
		},
		{
			// before the fix, c's part before b's start, and b's before a's, were on the path
			name:  "a child that starts before its parent is clipped, its children too",
			spans: []Span{sp("a", "", 20, 80), sp("b", "a", 10, 40), sp("c", "b", 0, 30)},
			want:  "c:20-30 b:30-50 a:50-100",
		},
		{
			name:  "orphans are not on the path",
			spans: []Span{sp("a", "", 0, 100), sp("x", "gone", 10, 80)},
			want:  "a:0-100",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := BuildTree(&Trace{Spans: tt.spans})
			var parts []string
			for _, s := range tr.CriticalPath {
				parts = append(parts, fmt.Sprintf("%s:%d-%d", s.Node.Span.SpanID, s.From.Sub(t0).Milliseconds(), s.To.Sub(t0).Milliseconds()))
			}
			if got := strings.Join(parts, " "); got != tt.want {
				t.Errorf("critical path\n got %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestStats(t *testing.T) {
	spans := []Span{sp("a", "", 0, 100), sp("b", "a", 10, 30), sp("c", "a", 50, 40)}
	spans[1].Service, spans[2].Service = "db", "db"
	spans[2].Status.Code = StatusError
	tr := BuildTree(&Trace{Spans: spans})
	got := tr.ServiceStats()
	want := []Stat{
		{Service: "db", Count: 2, Total: 70 * time.Millisecond, SelfTotal: 70 * time.Millisecond, Max: 40 * time.Millisecond, Errors: 1},
		{Service: "svc", Count: 1, Total: 100 * time.Millisecond, SelfTotal: 30 * time.Millisecond, Max: 100 * time.Millisecond},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("service stats\n got %+v\nwant %+v", got, want)
	}
	if ops := tr.OperationStats(); len(ops) != 3 || ops[0].Operation != "op-c" {
		t.Errorf("operation stats = %+v", ops)
	}
}

// In a big trace the critical path is found on a core of its own, beside
// the sizes and self times: the tree is the same as in one pass.
func TestBigTreeAsInOnePass(t *testing.T) {
	base := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	tr := &Trace{ID: "01"}
	for i := range 3000 {
		s := Span{
			SpanID:   SpanID(fmt.Sprintf("%016x", i+1)),
			Start:    base.Add(time.Duration((i*37)%400) * time.Millisecond),
			Duration: time.Duration(50+(i*53)%300) * time.Millisecond,
		}
		if i > 0 {
			p := int((uint64(i)*11400714819323198485)>>40) % i // an earlier span, any
			s.ParentID = SpanID(fmt.Sprintf("%016x", p+1))
		}
		tr.Spans = append(tr.Spans, s)
	}
	type node struct {
		Index, Size, Depth     int
		SelfTime               time.Duration
		Critical, Skew, Orphan bool
	}
	type seg struct {
		Node     int
		From, To time.Time
	}
	build := func(concurrent int) ([]node, []seg) {
		old := concurrentPath
		concurrentPath = concurrent
		defer func() { concurrentPath = old }()
		tree := BuildTree(tr)
		var nodes []node
		for _, nd := range tree.Nodes {
			nodes = append(nodes, node{nd.Index, nd.Size, nd.Depth, nd.SelfTime, nd.Critical, nd.Skew, nd.Orphan})
		}
		var segs []seg
		for _, s := range tree.CriticalPath {
			segs = append(segs, seg{s.Node.Index, s.From, s.To})
		}
		return nodes, segs
	}
	nodes1, segs1 := build(1 << 30)
	nodes2, segs2 := build(1)
	depth := 0
	for _, nd := range nodes1 {
		depth = max(depth, nd.Depth)
	}
	if len(segs1) < 3 || depth < 5 {
		t.Fatalf("a critical path of %d segments, %d levels: the test's tree is too plain", len(segs1), depth)
	}
	if !reflect.DeepEqual(nodes1, nodes2) || !reflect.DeepEqual(segs1, segs2) {
		t.Fatal("the tree built with the critical path on its own core differs")
	}
}
