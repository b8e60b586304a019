package render

import (
	"bufio"
	"bytes"
	"io"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/tui/styles"
)

// WaterfallRows is a trace prepared for drawing any window of its rows:
// the spans the options' filters keep, less those under folded spans, in
// depth-first order. Drawing rows [from, to) costs what those rows cost,
// whatever the size of the trace; folding costs the size of the subtree.
// The one-shot Waterfall and the TUI's waterfall pane both draw with it.
type WaterfallRows struct {
	tree *sources.Tree
	o    WaterfallOptions
	st   *styles.Styles
	lay  layout

	kept        []bool // by the options' filters
	hiddenUnder []int  // descendants the filters hide, per kept node
	keptUnder   []int  // descendants the filters keep, per node
	lastChild   []int  // last kept child, per node (-1: none)
	folded      []bool
	rows        []*sources.Node

	paints map[string]styles.Paint
	cont   []bool // scratch: guides of the row being drawn

	window sources.TimeRange // the time axis (zero: the trace's extent)
}

// SetWindow sets the bars' time axis to r (a zoom: bars clip to it, and
// spans wholly outside it have none); the zero range is the trace's
// extent.
func (w *WaterfallRows) SetWindow(r sources.TimeRange) { w.window = r }

// Window returns the bars' time axis.
func (w *WaterfallRows) Window() sources.TimeRange {
	if w.window.To.After(w.window.From) {
		return w.window
	}
	return w.tree.Range
}

// NewWaterfallRows prepares tr for drawing with o (its Width, Styles and
// filters); nothing is folded.
func NewWaterfallRows(tr *sources.Tree, o WaterfallOptions) *WaterfallRows {
	st := o.Styles
	if st == nil {
		st = styles.New(false)
	}
	n := len(tr.Nodes)
	w := &WaterfallRows{tree: tr, o: o, st: st, lay: newLayout(o.Width), folded: make([]bool, n),
		keptUnder: make([]int, n), lastChild: make([]int, n), paints: map[string]styles.Paint{}}
	w.kept, w.hiddenUnder = visibleNodes(tr, o)
	for i := range w.lastChild {
		w.lastChild[i] = -1
	}
	for i := n - 1; i >= 0; i-- {
		nd := tr.Nodes[i]
		if w.kept[i] && nd.Parent != nil {
			w.keptUnder[nd.Parent.Index] += 1 + w.keptUnder[i]
		}
	}
	for _, nd := range tr.Nodes {
		if w.kept[nd.Index] && nd.Parent != nil {
			w.lastChild[nd.Parent.Index] = nd.Index
		}
	}
	w.rebuild()
	return w
}

// Restyle forgets the paints taken from the styles, after they changed
// (styles.Styles.Adapt).
func (w *WaterfallRows) Restyle() { clear(w.paints) }

// rebuild lists the rows from scratch.
func (w *WaterfallRows) rebuild() {
	w.rows = w.rows[:0]
	nodes := w.tree.Nodes
	for i := 0; i < len(nodes); {
		nd := nodes[i]
		if !w.kept[i] {
			i++
			continue
		}
		w.rows = append(w.rows, nd)
		if w.folded[i] {
			i += nd.Size
			continue
		}
		i++
	}
}

// SetWidth changes the width the rows are drawn at.
func (w *WaterfallRows) SetWidth(width int) {
	w.o.Width = width
	w.lay = newLayout(width)
}

// Width is the width of a row in cells.
func (w *WaterfallRows) Width() int { return w.lay.width }

// Tree returns the prepared tree.
func (w *WaterfallRows) Tree() *sources.Tree { return w.tree }

// Len is the number of rows.
func (w *WaterfallRows) Len() int { return len(w.rows) }

// Node returns the span of row i.
func (w *WaterfallRows) Node(i int) *sources.Node { return w.rows[i] }

// Hidden is how many spans the filters hide (folds not counted).
func (w *WaterfallRows) Hidden() int {
	n := 0
	for _, k := range w.kept {
		if !k {
			n++
		}
	}
	return n
}

// RowOf returns the row of a node, or -1 when it is not shown.
func (w *WaterfallRows) RowOf(nodeIndex int) int {
	for i, nd := range w.rows {
		if nd.Index == nodeIndex {
			return i
		}
	}
	return -1
}

// Folded tells whether a node is folded.
func (w *WaterfallRows) Folded(nodeIndex int) bool { return w.folded[nodeIndex] }

// Foldable tells whether row i has kept children to fold.
func (w *WaterfallRows) Foldable(i int) bool { return w.keptUnder[w.rows[i].Index] > 0 }

// Toggle folds row i if it is open, unfolds it if it is folded.
func (w *WaterfallRows) Toggle(i int) {
	if w.folded[w.rows[i].Index] {
		w.Unfold(i)
	} else {
		w.Fold(i)
	}
}

// Fold hides the spans under row i.
func (w *WaterfallRows) Fold(i int) {
	nd := w.rows[i]
	if w.folded[nd.Index] || !w.Foldable(i) {
		return
	}
	w.folded[nd.Index] = true
	j := i + 1
	for j < len(w.rows) && w.rows[j].Depth > nd.Depth {
		j++
	}
	w.rows = append(w.rows[:i+1], w.rows[j:]...)
}

// Unfold shows again the spans under row i (those under folded
// descendants stay folded).
func (w *WaterfallRows) Unfold(i int) {
	nd := w.rows[i]
	if !w.folded[nd.Index] {
		return
	}
	w.folded[nd.Index] = false
	var sub []*sources.Node
	nodes := w.tree.Nodes
	for k := nd.Index + 1; k < nd.Index+nd.Size; {
		c := nodes[k]
		if !w.kept[k] {
			k++
			continue
		}
		sub = append(sub, c)
		if w.folded[k] {
			k += c.Size
			continue
		}
		k++
	}
	rest := append(sub, w.rows[i+1:]...)
	w.rows = append(w.rows[:i+1], rest...)
}

// FoldAll folds every span with children but the roots.
func (w *WaterfallRows) FoldAll() {
	for _, nd := range w.tree.Nodes {
		w.folded[nd.Index] = nd.Depth > 0 && w.keptUnder[nd.Index] > 0
	}
	w.rebuild()
}

// UnfoldAll opens every span.
func (w *WaterfallRows) UnfoldAll() {
	clear(w.folded)
	w.rebuild()
}

func (w *WaterfallRows) svcPaint(name string) styles.Paint {
	p, ok := w.paints[name]
	if !ok {
		p = w.st.Service(name)
		w.paints[name] = p
	}
	return p
}

// guidesOf sets w.cont for row i's node from its ancestors: cont[d] says
// whether the ancestor at depth d has kept siblings below it.
func (w *WaterfallRows) guidesOf(nd *sources.Node) []bool {
	if cap(w.cont) <= nd.Depth {
		w.cont = make([]bool, nd.Depth+1, 2*nd.Depth+2)
	}
	cont := w.cont[:nd.Depth+1]
	for a := nd; a != nil; a = a.Parent {
		cont[a.Depth] = a.Parent != nil && w.lastChild[a.Parent.Index] != a.Index
		if a.Depth == 0 {
			break
		}
	}
	return cont
}

// hiddenAt is the "+N" count of a row: the descendants the filters hide,
// and all the kept ones when it is folded.
func (w *WaterfallRows) hiddenAt(nd *sources.Node) int {
	h := w.hiddenUnder[nd.Index]
	if w.folded[nd.Index] {
		h += w.keptUnder[nd.Index]
	}
	return h
}

// AppendRow writes row i, without a newline, drawn with st (the rows'
// own styles when nil): a plain row can be painted as a selection.
func (w *WaterfallRows) AppendRow(b *strings.Builder, i int, st *styles.Styles) {
	nd := w.rows[i]
	paint := w.svcPaint
	if st == nil {
		st = w.st
	} else if st != w.st {
		paint = st.Service
	}
	writeRow(b, w.tree, w.Window(), nd, w.guidesOf(nd), w.hiddenAt(nd), w.lay, st, paint(nd.Span.Service))
}

// AppendRowMarked writes row i like AppendRow, its service name and bar
// in p: a search match.
func (w *WaterfallRows) AppendRowMarked(b *strings.Builder, i int, p styles.Paint) {
	nd := w.rows[i]
	writeRow(b, w.tree, w.Window(), nd, w.guidesOf(nd), w.hiddenAt(nd), w.lay, w.st, p)
}

// WriteRows writes rows [from, to), each ending with a newline, with the
// span's details under it when the options ask.
func (w *WaterfallRows) WriteRows(out io.Writer, from, to int) error {
	bw, ok := out.(*bufio.Writer)
	if !ok {
		bw = bufio.NewWriterSize(out, 64<<10)
	}
	from, to = max(0, from), min(to, len(w.rows))
	if to-from >= sharedRows && runtime.GOMAXPROCS(0) > 1 {
		w.writeRowsShared(bw, from, to)
	} else {
		w.writeRows(bw, from, to)
	}
	return bw.Flush()
}

// sharedRows is how many rows make it worth drawing the second half on
// another core (a 10,000-span trace takes about 4 ms on one).
const sharedRows = 2000

// writeRowsShared draws rows [from, to) in two halves at once, the second
// into a buffer of its own, with the same bytes as writeRows. The second
// half takes its services' paints into a map of its own (a few services,
// against a pass over every row to take them all first), and its buffer
// is sized for all of its rows, so that it is written out once, where it
// is, after the first half.
func (w *WaterfallRows) writeRowsShared(bw *bufio.Writer, from, to int) {
	mid := from + (to-from)/2
	half := *w
	half.cont = nil // its own scratch
	half.paints = map[string]styles.Paint{}
	var spill blocks // what outgrows the buffer
	second := bufio.NewWriterSize(&spill, min((to-mid)*rowBytes(w.lay, w.st), maxSharedBuffer))
	done := make(chan struct{})
	go func() {
		defer close(done)
		half.writeRows(second, mid, to)
	}()
	w.writeRows(bw, from, mid)
	<-done
	for _, b := range spill.kept {
		bw.Write(b)
	}
	spill.to = bw
	second.Flush()
}

// rowBytes is about the bytes a row takes in lay, a few more than most
// do: a byte a cell and a quarter more for the bars' blocks and the
// guides (3 bytes each), and colour around its parts.
func rowBytes(lay layout, st *styles.Styles) int {
	n := lay.width*5/4 + 32
	if st.Color {
		n += 128
	}
	return n
}

// maxSharedBuffer is the largest buffer the second half of the rows is
// drawn into; what is more goes into blocks of that size.
const maxSharedBuffer = 16 << 20

// blocks keeps what is written to it as the blocks it came in (a
// bufio.Writer's, full), never copied again as a growing buffer is; once
// to is set, it writes there.
type blocks struct {
	kept [][]byte
	to   io.Writer
}

func (b *blocks) Write(p []byte) (int, error) {
	if b.to != nil {
		return b.to.Write(p)
	}
	b.kept = append(b.kept, bytes.Clone(p))
	return len(p), nil
}

func (w *WaterfallRows) writeRows(bw *bufio.Writer, from, to int) {
	for i := from; i < to; i++ {
		nd := w.rows[i]
		cont := w.guidesOf(nd)
		writeRow(bw, w.tree, w.Window(), nd, cont, w.hiddenAt(nd), w.lay, w.st, w.svcPaint(nd.Span.Service))
		bw.WriteByte('\n')
		if w.o.Details {
			writeDetails(bw, w.tree, nd, cont, w.lay, w.st)
		}
	}
}

// WaterfallHeader writes a trace's header (ID, root, start, duration,
// counts, warnings) and the time ruler, as Waterfall starts.
func WaterfallHeader(out io.Writer, tr *sources.Tree, width int, st *styles.Styles, loc *time.Location) error {
	bw := bufio.NewWriter(out)
	if st == nil {
		st = styles.New(false)
	}
	lay := newLayout(width)
	cut := 0
	if width > 0 {
		cut = lay.width
	}
	writeHeader(bw, tr, st, loc, cut)
	if len(tr.Nodes) > 0 {
		writeRuler(bw, 0, tr.Range.Duration(), lay, st)
	}
	return bw.Flush()
}

// WaterfallTitle is a trace's header in one line: ID, root, duration,
// spans and errors.
func WaterfallTitle(tr *sources.Tree, st *styles.Styles) string {
	t := tr.Trace
	var b strings.Builder
	b.WriteString(st.Title.Apply(string(t.ID)))
	if len(tr.Roots) > 0 {
		root := tr.Roots[0].Span
		b.WriteString(" " + st.Service(root.Service).Apply(sources.Sanitize(root.Service)) + " " + sources.Sanitize(root.Operation))
	}
	b.WriteString(" · " + st.Bold.Apply(Duration(tr.Range.Duration())) + " · " + strconv.Itoa(len(t.Spans)) + " " + plural(len(t.Spans), "span", "spans"))
	if errs := tr.Errors; errs > 0 {
		b.WriteString(" · " + st.Error.Apply(strconv.Itoa(errs)+" "+plural(errs, "error", "errors")))
	}
	if n := len(tr.Warnings); n > 0 {
		b.WriteString(" · " + st.Warn.Apply(MarkWarn+" "+strconv.Itoa(n)+" "+plural(n, "warning", "warnings")))
	}
	return b.String()
}

// WaterfallRuler returns the time ruler's two lines at width.
func WaterfallRuler(tr *sources.Tree, width int, st *styles.Styles) string {
	var b strings.Builder
	bw := bufio.NewWriter(&b)
	writeRuler(bw, 0, tr.Range.Duration(), newLayout(width), st)
	bw.Flush()
	return strings.TrimSuffix(b.String(), "\n")
}

// WaterfallRulerWindow returns the time ruler's two lines at width over
// window r of trace tr: the ticks are offsets from the trace's start.
func WaterfallRulerWindow(tr *sources.Tree, r sources.TimeRange, width int, st *styles.Styles) string {
	var b strings.Builder
	bw := bufio.NewWriter(&b)
	writeRuler(bw, r.From.Sub(tr.Range.From), r.Duration(), newLayout(width), st)
	bw.Flush()
	return strings.TrimSuffix(b.String(), "\n")
}
