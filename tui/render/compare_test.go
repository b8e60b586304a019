package render

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/telx-cli/telx/internal/fuzzcheck"
	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/sources/compare"
	"github.com/telx-cli/telx/tui/styles"
)

// recorded reads a trace recorded from the real Jaeger (Jaeger UI JSON,
// testdata/recorded) with encoding/json: the renderers import no backend.
func recorded(t testing.TB, name string) *sources.Tree {
	t.Helper()
	doc, err := os.ReadFile(filepath.Join(fuzzcheck.Root(), "testdata", "recorded", name))
	if err != nil {
		t.Fatal(err)
	}
	var ans uiAnswer
	if err := json.Unmarshal(doc, &ans); err != nil || len(ans.Data) == 0 {
		t.Fatalf("%s: %v", name, err)
	}
	d := ans.Data[0]
	tr := &sources.Trace{ID: sources.TraceID(d.TraceID)}
	for _, s := range d.Spans {
		sp := sources.Span{TraceID: tr.ID, SpanID: sources.SpanID(s.SpanID), Operation: s.OperationName,
			Service: d.Processes[s.ProcessID].ServiceName, Start: time.UnixMicro(s.StartTime).UTC(), Duration: time.Duration(s.Duration) * time.Microsecond}
		if len(s.References) > 0 {
			sp.ParentID = sources.SpanID(s.References[0].SpanID)
		}
		for _, tag := range s.Tags {
			if tag.Key == "error" && (tag.Value == true || tag.Value == "true") {
				sp.Status.Code = sources.StatusError
			}
		}
		tr.Spans = append(tr.Spans, sp)
	}
	return sources.BuildTree(tr)
}

// The pairs compared in the goldens: HotROD's fastest and slowest
// /dispatch (the same 40 spans, the customer database's lock the
// difference), and the demo's slowest good checkout against its slowest
// failed one (a span less).
var comparePairs = []struct{ name, a, b string }{
	{"hotrod", "jaeger-hotrod-dispatch-fast.json", "jaeger-hotrod-dispatch-slow.json"},
	{"checkout", "jaeger-checkout-ok.json", "jaeger-checkout-failed.json"},
}

func TestCompareGolden(t *testing.T) {
	for _, p := range comparePairs {
		c := compare.Compare(recorded(t, p.a), recorded(t, p.b), compare.Options{})
		for _, tt := range []struct {
			suffix   string
			width    int
			minDelta time.Duration
		}{{"80", 80, 0}, {"200", 200, 0}, {"80-min-delta", 80, 3 * time.Millisecond}} {
			for _, color := range []bool{false, true} {
				name := "compare-" + p.name + "-" + tt.suffix
				if color {
					name += "-color"
				}
				t.Run(name, func(t *testing.T) {
					var b bytes.Buffer
					if err := Compare(&b, c, CompareOptions{Width: tt.width, Styles: styles.New(color), MinDelta: tt.minDelta}); err != nil {
						t.Fatal(err)
					}
					fuzzcheck.Lines(t, b.String(), tt.width, color)
					golden(t, name, b.String())
				})
			}
		}
	}
}

// The rows' marks: where each span is, the ranks of the largest
// differences; what is folded is counted.
func TestCompareMarks(t *testing.T) {
	c := compare.Compare(recorded(t, "jaeger-checkout-ok.json"), recorded(t, "jaeger-checkout-failed.json"), compare.Options{Largest: 2})
	lines := CompareLines(c, CompareOptions{Width: 120})
	find := func(sub string) string {
		for _, l := range lines {
			if strings.Contains(l, sub) {
				return l
			}
		}
		t.Fatalf("no line with %q in:\n%s", sub, strings.Join(lines, "\n"))
		return ""
	}
	if l := find("shipping GetQuote"); !strings.HasPrefix(l, MarkOnlyA+" ") || !strings.Contains(l, "→"+missing) {
		t.Errorf("the span only in A: %q", l)
	}
	if l := find("postgres SELECT accounts"); !strings.HasPrefix(l, MarkBoth+" "+MarkSlower+"1") {
		t.Errorf("the largest difference: %q", l)
	}
	if l := find("payments Charge"); !strings.HasPrefix(l, MarkBoth+" "+MarkFaster+"2") || !strings.Contains(l, MarkError+"B") {
		t.Errorf("the second, failed in B: %q", l)
	}
	if l := find("redis GET"); !strings.HasPrefix(l, MarkBoth+"    ") {
		t.Errorf("a span not among the largest: %q", l)
	}
	// B against A: the span is only in B, the signs turn
	r := compare.Compare(c.B, c.A, compare.Options{Largest: 1})
	lines = CompareLines(r, CompareOptions{Width: 120})
	if l := find("shipping GetQuote"); !strings.HasPrefix(l, MarkOnlyB+" ") || !strings.Contains(l, missing+"→") {
		t.Errorf("the span only in B: %q", l)
	}
	if l := find("postgres SELECT accounts"); !strings.HasPrefix(l, MarkBoth+" "+MarkFaster+"1") {
		t.Errorf("reversed, the largest is faster: %q", l)
	}
	lines = CompareLines(c, CompareOptions{Width: 120, MinDelta: time.Second})
	if l := find(MarkBoth + "    frontend POST /api/checkout"); !strings.Contains(l, "+7") {
		t.Errorf("all but the root folded: %q", l)
	}
	find("7 spans folded, each changed less than --min-delta 1.00s")
}

// FuzzCompareRender draws the comparison of any two traces at any width,
// plain or in colour, folded or not.
func FuzzCompareRender(f *testing.F) {
	seeds := traceSeeds(f)
	for _, a := range seeds {
		for _, b := range seeds {
			f.Add(pairBytes(a, b), uint16(79), uint8(0))
			f.Add(pairBytes(a, b), uint16(199), uint8(3))
		}
	}
	f.Fuzz(func(t *testing.T, p []byte, w uint16, mode uint8) {
		width := widthOf(w)
		color := mode&1 != 0
		n := 0
		if len(p) >= 2 {
			n = min(int(binary.BigEndian.Uint16(p)), len(p)-2)
			p = p[2:]
		}
		ta, tb := sources.BuildTree(fuzzcheck.TraceFrom(p[:n])), sources.BuildTree(fuzzcheck.TraceFrom(p[n:]))
		var minDelta time.Duration
		if mode&2 != 0 && len(ta.Nodes) > 0 {
			minDelta = ta.Nodes[len(ta.Nodes)/2].Span.Duration
		}
		c := compare.Compare(ta, tb, compare.Options{Largest: int(mode>>2) % 8})
		var out bytes.Buffer
		if err := Compare(&out, c, CompareOptions{Width: width, Styles: styles.New(color), MinDelta: minDelta}); err != nil {
			t.Fatal(err)
		}
		fuzzcheck.Lines(t, out.String(), max(width, minWidth), color)
		out.Reset()
		if err := Flame(&out, ta, FlameOptions{Width: width, Styles: styles.New(color)}); err != nil {
			t.Fatal(err)
		}
		fuzzcheck.Lines(t, out.String(), width, color)
	})
}

func pairBytes(a, b []byte) []byte {
	return append(binary.BigEndian.AppendUint16(nil, uint16(len(a))), append(a, b...)...)
}

// BenchmarkCompareAndFlameBigTrace draws the comparison of the recorded
// big trace (1,202 spans) with itself at 200 columns, and its flame graph.
func BenchmarkCompareAndFlameBigTrace(b *testing.B) {
	tr := recorded(b, "jaeger-api-big-trace.json")
	c := compare.Compare(tr, tr, compare.Options{})
	st := styles.New(true)
	b.ReportAllocs()
	for b.Loop() {
		CompareLines(c, CompareOptions{Width: 200, Styles: st})
		FlameLines(tr, FlameOptions{Width: 200, Styles: st})
	}
}
