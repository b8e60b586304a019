package render

import (
	"bufio"
	"bytes"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/sources/demo"
	"github.com/telx-cli/telx/tui/styles"
)

func bigTree(t testing.TB) *sources.Tree {
	t.Helper()
	sc, err := demo.Load(time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tr := range sc.Traces {
		if tr.ID == sc.BigTraceID {
			return sources.BuildTree(tr)
		}
	}
	t.Fatal("no big trace")
	return nil
}

func rowsText(t *testing.T, w *WaterfallRows, from, to int) []string {
	t.Helper()
	var b strings.Builder
	if err := w.WriteRows(&b, from, to); err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
}

// A window of rows is exactly those lines of the whole waterfall.
func TestWaterfallRowsWindowMatchesWhole(t *testing.T) {
	tr := bigTree(t)
	var whole strings.Builder
	if err := Waterfall(&whole, tr, WaterfallOptions{Width: 100}); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(whole.String(), "\n")
	w := NewWaterfallRows(tr, WaterfallOptions{Width: 100})
	if w.Len() != len(tr.Nodes) {
		t.Fatalf("%d rows, want %d", w.Len(), len(tr.Nodes))
	}
	// the rows start after the header, a blank line and the ruler
	first := -1
	for i, l := range lines {
		if strings.Contains(l, "frontend POST /api/orders/export") && strings.Contains(l, "█") {
			first = i
			break
		}
	}
	if first < 0 {
		t.Fatal("no root row in the waterfall")
	}
	for _, win := range [][2]int{{0, 5}, {500, 530}, {1195, 1202}} {
		got := rowsText(t, w, win[0], win[1])
		want := lines[first+win[0] : first+win[1]]
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("rows %v:\n%s\nwant\n%s", win, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	}
}

func TestWaterfallRowsFolding(t *testing.T) {
	tr := bigTree(t)
	w := NewWaterfallRows(tr, WaterfallOptions{Width: 100})
	all := rowsText(t, w, 0, w.Len())

	// row 2 is a LoadOrderBatch: fold it, its subtree goes, "+N" shows
	nd := w.Node(2)
	if nd.Span.Operation != "LoadOrderBatch" {
		t.Fatalf("row 2 is %s", nd.Span.Operation)
	}
	w.Fold(2)
	if w.Len() != len(all)-(nd.Size-1) || !w.Folded(nd.Index) {
		t.Fatalf("%d rows after folding a subtree of %d", w.Len(), nd.Size)
	}
	if row := rowsText(t, w, 2, 3)[0]; !strings.Contains(row, "LoadOrderBatch +"+itoa(nd.Size-1)) {
		t.Errorf("folded row: %q", row)
	}
	if w.Node(3).Parent != nd.Parent {
		t.Error("the row after a folded span is not its sibling")
	}
	// fold the parent too, unfold the parent: the batch stays folded
	w.Fold(1)
	if w.Len() != 2 {
		t.Fatalf("%d rows with the export folded", w.Len())
	}
	w.Unfold(1)
	if w.Len() != len(all)-(nd.Size-1) || !w.Folded(nd.Index) {
		t.Fatal("unfolding the parent opened the folded child")
	}
	w.Toggle(2)
	if got := rowsText(t, w, 0, w.Len()); strings.Join(got, "\n") != strings.Join(all, "\n") {
		t.Error("fold then unfold does not give the same rows")
	}

	w.FoldAll()
	if w.Len() != 2 { // the root and the export under it, folded
		t.Errorf("%d rows folded all", w.Len())
	}
	w.UnfoldAll()
	if w.Len() != len(all) {
		t.Errorf("%d rows unfolded all", w.Len())
	}
	// a leaf does not fold
	w.Fold(3)
	if w.Len() != len(all) {
		t.Error("folding a leaf hid rows")
	}

	crit := NewWaterfallRows(tr, WaterfallOptions{Width: 100, CriticalOnly: true})
	for i := 0; i < crit.Len(); i++ {
		if !crit.Node(i).Critical {
			t.Fatalf("row %d is not on the critical path", i)
		}
	}
	if crit.Len() == 0 || crit.Len() >= w.Len() || crit.Hidden() != len(tr.Nodes)-crit.Len() {
		t.Errorf("critical path: %d rows, %d hidden", crit.Len(), crit.Hidden())
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

func TestSpanDetails(t *testing.T) {
	tr := bigTree(t)
	var failed *sources.Node
	for _, nd := range tr.Nodes {
		if nd.Span.IsError() && nd.Span.Operation == "SELECT payments" {
			failed = nd
			break
		}
	}
	if failed == nil {
		t.Fatal("no failed postgres span")
	}
	failed.Span.Attrs = append(failed.Span.Attrs, sources.Attr{Key: "evil", Value: "a\x1b[31mred\x07"})
	lines := SpanDetails(tr, failed, 60, nil, time.UTC)
	text := strings.Join(lines, "\n")
	for _, want := range []string{"postgres SELECT payments", "span " + string(failed.Span.SpanID), "self time " + Duration(failed.SelfTime),
		"✗ canceling statement due to lock timeout", "db.system = postgresql", "exception", "host.name = postgres-"} {
		if !strings.Contains(text, want) {
			t.Errorf("details lack %q:\n%s", want, text)
		}
	}
	if strings.ContainsAny(text, "\x1b\x07") {
		t.Error("a control character reached the details")
	}
	for _, l := range lines {
		if ansi.StringWidth(l) > 60 {
			t.Errorf("line wider than 60: %q", l)
		}
	}
}

func TestSpanDetailsWrapsValues(t *testing.T) {
	tr := bigTree(t)
	var nd *sources.Node
	for _, n := range tr.Nodes {
		if n.Span.Operation == "SELECT payments" {
			nd = n
			break
		}
	}
	stmt := nd.Span.Attrs.GetString("db.statement")
	lines := SpanDetails(tr, nd, 30, nil, time.UTC)
	var joined strings.Builder
	wrapped := 0
	for _, l := range lines {
		if ansi.StringWidth(l) > 30 {
			t.Errorf("line wider than 30: %q", l)
		}
	}
	for i, l := range lines {
		if !strings.HasPrefix(l, "db.statement") {
			continue
		}
		for _, c := range lines[i:] {
			if (c != l && strings.Contains(c, " = ")) || c == "" {
				break
			}
			wrapped++
			joined.WriteString(c)
		}
		break
	}
	if wrapped < 2 || strings.ReplaceAll(joined.String(), " ", "") != strings.ReplaceAll("db.statement = "+stmt, " ", "") {
		t.Errorf("statement in %d lines: %q", wrapped, joined.String())
	}
}

// Rows drawn in two halves at once are the bytes drawn in one go: in
// colour and plain, with details, folded or not.
func TestWaterfallRowsSharedAsOneGo(t *testing.T) {
	tr := bigTree(t)
	for _, color := range []bool{false, true} {
		for _, details := range []bool{false, true} {
			w := NewWaterfallRows(tr, WaterfallOptions{Width: 120, Styles: styles.New(color), Details: details})
			var one, shared bytes.Buffer
			b1, b2 := bufio.NewWriter(&one), bufio.NewWriter(&shared)
			w.writeRows(b1, 0, w.Len())
			w.writeRowsShared(b2, 0, w.Len())
			b1.Flush()
			b2.Flush()
			if one.Len() == 0 || !bytes.Equal(one.Bytes(), shared.Bytes()) {
				t.Errorf("colour %v, details %v: %d bytes in one go, %d in halves, not the same", color, details, one.Len(), shared.Len())
			}
		}
	}
}
