package render

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/sources/compare"
	"github.com/telx-cli/telx/tui/styles"
)

// CompareOptions choose what a comparison shows.
type CompareOptions struct {
	Width  int
	Styles *styles.Styles
	// MinDelta folds the subtrees whose changes are all below it.
	MinDelta time.Duration
}

// Marks of a comparison's rows: where the span is, and the largest
// self-time differences (slower or faster in B).
const (
	MarkBoth   = "AB"
	MarkOnlyA  = "A "
	MarkOnlyB  = " B"
	MarkSlower = "▲"
	MarkFaster = "▼"
	// missing stands for the duration of a side that lacks the span.
	missing = "–"
)

// compareLayout is where a comparison row's columns go.
type compareLayout struct {
	width, left int
	deltaDur    bool // a Δ duration column, from wideCompare columns
}

const (
	cmpGutter   = 6 // the side, a space, the mark and its rank
	cmpPair     = 8 + 1 + 8
	cmpDelta    = 8
	wideCompare = 120
	maxLeft     = 64
)

func newCompareLayout(width int) compareLayout {
	if width < minWidth {
		width = minWidth
	}
	l := compareLayout{width: width, deltaDur: width >= wideCompare}
	fixed := cmpGutter + 1 + cmpPair + 1 + cmpPair + 1 + cmpDelta
	if l.deltaDur {
		fixed += 1 + cmpDelta
	}
	l.left = min(maxLeft, max(20, width-fixed))
	return l
}

// Compare writes a comparison of two traces: a header naming both, one
// row per aligned span (where it is, the tree, duration and self time A →
// B, the difference of self time), the largest differences and a legend.
func Compare(w io.Writer, c *compare.Comparison, o CompareOptions) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	for _, l := range CompareLines(c, o) {
		bw.WriteString(l)
		bw.WriteByte('\n')
	}
	return bw.Flush()
}

// CompareLines are the lines Compare writes, each cut to the width.
func CompareLines(c *compare.Comparison, o CompareOptions) []string {
	st := o.Styles
	if st == nil {
		st = styles.New(false)
	}
	lay := newCompareLayout(o.Width)
	cut := lay.width
	if o.Width > 0 {
		cut = o.Width
	}
	var lines []string
	add := func(s string) {
		if Width(s) > cut {
			s = ansi.Truncate(s, cut, "…")
		}
		lines = append(lines, s)
	}
	for _, l := range compareHeader(c, st) {
		add(l)
	}
	add("")
	if len(c.Nodes) == 0 {
		add(st.Dim.Apply("(neither trace has spans)"))
		return lines
	}
	head := strings.Repeat(" ", cmpGutter) + Fit("span", lay.left) + " " + FitRight("dur A", 8) + "→" + Fit("B", 8) + " " +
		FitRight("self A", 8) + "→" + Fit("B", 8) + " " + FitRight("Δself", cmpDelta)
	if lay.deltaDur {
		head += " " + FitRight("Δdur", cmpDelta)
	}
	add(st.Header.Apply(strings.TrimRight(head, " ")))
	nodes, folded := c.Visible(o.MinDelta)
	// cont[d]: a later sibling follows at depth d (for the guides)
	cont := make([]bool, 0, 64)
	last := lastShown(nodes)
	var b strings.Builder
	for _, n := range nodes {
		for len(cont) <= n.Depth {
			cont = append(cont, false)
		}
		cont[n.Depth] = !last[n]
		b.Reset()
		compareRow(&b, n, cont, folded[n], lay, st)
		add(b.String())
	}
	hidden := 0
	for _, k := range folded {
		hidden += k
	}
	add("")
	if len(c.Largest) > 0 {
		add(st.Bold.Apply("Largest self-time differences"))
		for _, n := range c.Largest {
			add("  " + Fit(deltaMark(n, st)+strconv.Itoa(n.Rank), 3) + " " + fitRightPainted(paintDelta(n.DeltaSelf(), st), cmpDelta) + "  " +
				st.Service(n.Service).Apply(sources.Sanitize(n.Service)) + " " + sources.Sanitize(n.Operation) +
				st.Dim.Apply(" (self "+side(n.A.Present(), n.A.Self)+" → "+side(n.B.Present(), n.B.Self)+")"))
		}
		add("")
	}
	if hidden > 0 {
		add(st.Dim.Apply(fmt.Sprintf("%d %s folded, each changed less than --min-delta %s (+N: under a span)",
			hidden, plural(hidden, "span", "spans"), Duration(o.MinDelta))))
	}
	for _, l := range joinParts([]string{MarkBoth + " in both", strings.TrimSpace(MarkOnlyA) + " only in A", strings.TrimSpace(MarkOnlyB) + " only in B",
		MarkSlower + "/" + MarkFaster + "N the N-th largest self-time difference, slower/faster in B", "Δ = B − A", MarkError + " error"}, " · ", cut) {
		add(st.Dim.Apply(l))
	}
	return lines
}

func compareHeader(c *compare.Comparison, st *styles.Styles) []string {
	rootOf := func(tr *sources.Tree) (string, bool) {
		if len(tr.Roots) == 0 {
			return "(no spans)", false
		}
		r := tr.Roots[0].Span
		return st.Service(r.Service).Apply(sources.Sanitize(r.Service)) + " " + sources.Sanitize(r.Operation), true
	}
	ra, oka := rootOf(c.A)
	rb, okb := rootOf(c.B)
	sameRoot := oka && okb && ra == rb
	one := func(label string, tr *sources.Tree) string {
		t := tr.Trace
		errs := tr.Errors
		errText := fmt.Sprintf("%d %s", errs, plural(errs, "error", "errors"))
		if errs > 0 {
			errText = st.Error.Apply(errText)
		}
		root := ""
		if !sameRoot {
			root, _ = rootOf(tr)
			root += " · "
		}
		return st.Title.Apply(label) + " " + st.Title.Apply(string(t.ID)) + " · " + root +
			st.Bold.Apply(Duration(tr.Range.Duration())) + " · " + strconv.Itoa(len(t.Spans)) + " " + plural(len(t.Spans), "span", "spans") + " · " + errText
	}
	d := c.B.Range.Duration() - c.A.Range.Duration()
	summary := "Δ " + paintDelta(d, st)
	if sameRoot {
		summary = ra + " · " + summary
	}
	if a := c.A.Range.Duration(); a > 0 {
		summary += fmt.Sprintf(" (%+.0f%%)", float64(d)/float64(a)*100)
	}
	counts := fmt.Sprintf("%d %s in both · %d only in A · %d only in B", c.Both, plural(c.Both, "span", "spans"), c.OnlyA, c.OnlyB)
	return []string{one("A", c.A), one("B", c.B), summary, counts}
}

// lastShown tells which shown nodes are the last shown child of their
// parent (or the last shown root).
func lastShown(nodes []*compare.Node) map[*compare.Node]bool {
	lastOf := map[*compare.Node]*compare.Node{} // parent (nil: roots) -> its last shown child
	for _, n := range nodes {
		lastOf[n.Parent] = n
	}
	out := make(map[*compare.Node]bool, len(lastOf))
	for _, n := range lastOf {
		out[n] = true
	}
	return out
}

func compareRow(w *strings.Builder, n *compare.Node, cont []bool, folded int, lay compareLayout, st *styles.Styles) {
	switch n.In() {
	case compare.OnlyA:
		paint(w, st.Warn, MarkOnlyA)
	case compare.OnlyB:
		paint(w, st.Info, MarkOnlyB)
	default:
		paint(w, st.Dim, MarkBoth)
	}
	w.WriteByte(' ')
	if n.Rank > 0 {
		w.WriteString(Fit(deltaMark(n, st)+strconv.Itoa(n.Rank), 3))
	} else {
		w.WriteString("   ")
	}

	var g strings.Builder
	guides(&g, n.Depth, cont, lay.left/4)
	svc, op := sources.Sanitize(n.Service), sources.Sanitize(n.Operation)
	var notes []string
	switch a, b := n.A.Error(), n.B.Error(); {
	case a && b:
		notes = append(notes, st.Error.Apply(MarkError))
	case a:
		notes = append(notes, st.Error.Apply(MarkError+"A"))
	case b:
		notes = append(notes, st.Error.Apply(MarkError+"B"))
	}
	if folded > 0 {
		notes = append(notes, st.Dim.Apply("+"+strconv.Itoa(folded)))
	}
	// the notes stay: the service is cut first (to minService cells),
	// then the operation
	rest := Width(g.String())
	for _, nt := range notes {
		rest += 1 + Width(nt)
	}
	if room := lay.left - rest; Width(svc)+1+Width(op) > room {
		svc = ansi.Truncate(svc, serviceRoom(room, 1+Width(op), Width(svc)), "…")
		if opRoom := room - Width(svc) - 1; Width(op) > opRoom {
			op = ansi.Truncate(op, max(1, opRoom), "…")
		}
	}
	var left strings.Builder
	paint(&left, st.Dim, g.String())
	paint(&left, st.Service(n.Service), svc)
	left.WriteByte(' ')
	left.WriteString(op)
	for _, nt := range notes {
		left.WriteByte(' ')
		left.WriteString(nt)
	}
	w.WriteString(Fit(left.String(), lay.left))
	w.WriteByte(' ')
	pair(w, n.A.Present(), n.A.Duration, n.B.Present(), n.B.Duration)
	w.WriteByte(' ')
	pair(w, n.A.Present(), n.A.Self, n.B.Present(), n.B.Self)
	w.WriteByte(' ')
	w.WriteString(fitRightPainted(paintDelta(n.DeltaSelf(), st), cmpDelta))
	if lay.deltaDur {
		w.WriteByte(' ')
		w.WriteString(fitRightPainted(paintDelta(n.DeltaDuration(), st), cmpDelta))
	}
}

// pair writes "A→B", each in 8 cells, a missing side as a dash.
func pair(w *strings.Builder, aok bool, a time.Duration, bok bool, b time.Duration) {
	w.WriteString(FitRight(side(aok, a), 8))
	w.WriteString("→")
	w.WriteString(Fit(side(bok, b), 8))
}

func side(ok bool, d time.Duration) string {
	if !ok {
		return missing
	}
	return Duration(d)
}

func deltaMark(n *compare.Node, st *styles.Styles) string {
	if n.DeltaSelf() > 0 {
		return st.Error.Apply(MarkSlower)
	}
	return st.Info.Apply(MarkFaster)
}

// paintDelta writes d signed: slower (positive) in the error colour,
// faster in the info colour.
func paintDelta(d time.Duration, st *styles.Styles) string {
	switch {
	case d > 0:
		return st.Error.Apply("+" + Duration(d))
	case d < 0:
		return st.Info.Apply(Duration(d))
	}
	return st.Dim.Apply("0")
}

func fitRightPainted(s string, width int) string {
	if n := Width(s); n < width {
		return strings.Repeat(" ", width-n) + s
	}
	return ansi.Truncate(s, width, "…")
}

// joinParts joins parts with sep into lines of at most width cells, a
// part never split (a part wider than the width is a line of its own).
func joinParts(parts []string, sep string, width int) []string {
	var lines []string
	cur := ""
	for _, p := range parts {
		switch {
		case cur == "":
			cur = p
		case Width(cur)+Width(sep)+Width(p) <= width:
			cur += sep + p
		default:
			lines = append(lines, cur)
			cur = p
		}
	}
	if cur != "" {
		lines = append(lines, cur)
	}
	return lines
}
