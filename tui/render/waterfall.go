package render

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"

	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/tui/styles"
)

// WaterfallOptions choose what a waterfall shows.
type WaterfallOptions struct {
	Width    int
	Styles   *styles.Styles
	Location *time.Location
	// MaxDepth hides spans deeper than this (0: no limit; the root is
	// depth 1).
	MaxDepth int
	// Service keeps the spans of this service and their ancestors.
	Service string
	// MinDuration hides shorter spans with their subtrees.
	MinDuration time.Duration
	// CriticalOnly keeps only the spans on the critical path.
	CriticalOnly bool
	// Details adds each span's status, attributes and events under it.
	Details bool
}

// Marks shown in a waterfall.
const (
	MarkCritical = "◆"
	MarkError    = "✗"
	MarkWarn     = "⚠"
)

const (
	gutterWidth = 2 // critical-path mark
	durWidth    = 8
	markWidth   = 2
	minWidth    = 60
)

// layout is where the columns of a row go.
type layout struct {
	width, left, bar int
}

func newLayout(width int) layout {
	if width < minWidth {
		width = minWidth
	}
	left := width * 2 / 5
	left = max(24, min(left, 64))
	bar := width - gutterWidth - left - 1 - 1 - durWidth - markWidth
	return layout{width: width, left: left, bar: bar}
}

// Waterfall writes a trace as a header, a time ruler and one row per
// span: tree guides, service and operation, a bar on the time axis drawn
// with eighth blocks, the duration and marks.
func Waterfall(w io.Writer, tr *sources.Tree, o WaterfallOptions) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	st := o.Styles
	if st == nil {
		st = styles.New(false)
	}
	lay := newLayout(o.Width)
	cut := 0 // the header and footer no wider than the rows
	if o.Width > 0 {
		cut = lay.width
	}
	writeHeader(bw, tr, st, o.Location, cut)
	if len(tr.Nodes) == 0 {
		fmt.Fprintln(bw, st.Dim.Apply("(the trace has no spans)"))
		return bw.Flush()
	}
	writeRuler(bw, 0, tr.Range.Duration(), lay, st)

	rows := NewWaterfallRows(tr, o)
	if err := rows.WriteRows(bw, 0, rows.Len()); err != nil {
		return err
	}
	hidden := rows.Hidden()
	writeFooter(bw, hidden, o, st, cut)
	return bw.Flush()
}

// cutLine writes s and a newline, cut at width cells (0: not cut).
func cutLine(w *bufio.Writer, s string, width int) {
	if width > 0 && Width(s) > width {
		s = ansi.Truncate(s, width, "…")
	}
	w.WriteString(s)
	w.WriteByte('\n')
}

func writeHeader(w *bufio.Writer, tr *sources.Tree, st *styles.Styles, loc *time.Location, width int) {
	t := tr.Trace
	cutLine(w, st.Title.Apply("Trace")+" "+st.Title.Apply(string(t.ID)), width)
	if len(tr.Roots) > 0 {
		root := tr.Roots[0].Span
		cutLine(w, st.Service(root.Service).Apply(sources.Sanitize(root.Service))+" "+sources.Sanitize(root.Operation), width)
	}
	errs := tr.Errors
	errText := fmt.Sprintf("%d %s", errs, plural(errs, "error", "errors"))
	if errs > 0 {
		errText = st.Error.Apply(errText)
	}
	services := len(tr.Services)
	cutLine(w, fmt.Sprintf("%s · %s · %d %s · %d %s · %s",
		Timestamp(tr.Range.From, loc), st.Bold.Apply(Duration(tr.Range.Duration())),
		len(t.Spans), plural(len(t.Spans), "span", "spans"), services, plural(services, "service", "services"), errText), width)
	for _, warn := range tr.Warnings {
		cutLine(w, st.Warn.Apply(MarkWarn)+" "+st.Warn.Apply(sources.Sanitize(warn)), width)
	}
	w.WriteByte('\n')
}

// niceStep returns a round tick step (1, 2 or 5 times a power of ten)
// giving about n ticks over total.
func niceStep(total time.Duration, n int) time.Duration {
	if total <= 0 || n <= 0 {
		return 0
	}
	raw := float64(total) / float64(n)
	pow := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*pow >= raw {
			return time.Duration(m * pow)
		}
	}
	return time.Duration(10 * pow)
}

// writeRuler draws the time axis of a window total long that starts
// offset after the trace: ticks at round offsets from the trace's start.
func writeRuler(w *bufio.Writer, offset, total time.Duration, lay layout, st *styles.Styles) {
	indent := strings.Repeat(" ", gutterWidth+lay.left+1)
	labels := []rune(strings.Repeat(" ", lay.bar+durWidth))
	line := []rune(strings.Repeat("─", lay.bar))
	step := niceStep(total, max(1, lay.bar/10))
	if step > 0 {
		next := 0 // first free label column
		// the first tick at or after offset: the division rounds towards
		// zero, up for a negative offset, down for a positive one; an offset
		// at the end of what a Duration holds (a window far past the
		// trace's start) has no tick after it
		first := offset / step * step
		ticks := true
		if first < offset {
			ticks = first <= math.MaxInt64-step
			first += step
		}
		end := offset + total
		if end < offset {
			end = math.MaxInt64 // a window past what a Duration holds
		}
		for t := first; ticks && t <= end && t >= first; t += step {
			col := max(0, min(lay.bar-1, int(float64(t-offset)/float64(total)*float64(lay.bar))))
			line[col] = '┼'
			label := []rune(Duration(t))
			if t == 0 {
				label = []rune("0")
			}
			if col >= next && col+len(label) <= len(labels) {
				copy(labels[col:], label)
				next = col + len(label) + 1
			}
			if t > end-step {
				break // the next tick would overflow
			}
		}
	}
	line[0] = '├'
	fmt.Fprintf(w, "%s%s\n", indent, st.Ruler.Apply(strings.TrimRight(string(labels), " ")))
	fmt.Fprintf(w, "%s%s\n", indent, st.Ruler.Apply(string(line)+"┤"))
}

// visibleNodes applies the options' filters; each keeps a node's
// ancestors, so the visible nodes form a tree. hiddenUnder counts, for a
// visible node, its hidden descendants.
func visibleNodes(tr *sources.Tree, o WaterfallOptions) (visible []bool, hiddenUnder []int) {
	n := len(tr.Nodes)
	visible = make([]bool, n)
	hiddenUnder = make([]int, n)
	var keepService []bool
	if o.Service != "" {
		keepService = make([]bool, n)
		for i := n - 1; i >= 0; i-- {
			nd := tr.Nodes[i]
			if nd.Span.Service == o.Service {
				keepService[i] = true
			}
			if keepService[i] && nd.Parent != nil {
				keepService[nd.Parent.Index] = true
			}
		}
	}
	for i, nd := range tr.Nodes {
		v := nd.Parent == nil || visible[nd.Parent.Index]
		if o.MaxDepth > 0 && nd.Depth >= o.MaxDepth {
			v = false
		}
		if o.MinDuration > 0 && nd.Parent != nil && nd.Span.Duration < o.MinDuration {
			v = false
		}
		if o.CriticalOnly && !nd.Critical {
			v = false
		}
		if keepService != nil && !keepService[i] {
			v = false
		}
		visible[i] = v
	}
	for i := n - 1; i >= 0; i-- {
		nd := tr.Nodes[i]
		if !visible[i] {
			// count it at its nearest visible ancestor
			for p := nd.Parent; p != nil; p = p.Parent {
				if visible[p.Index] {
					hiddenUnder[p.Index]++
					break
				}
			}
		}
	}
	return visible, hiddenUnder
}

// guides draws the tree guides of a node at depth d, capped so that deep
// trees keep room for names.
func guides(b io.StringWriter, depth int, cont []bool, maxLevels int) {
	if depth == 0 {
		return
	}
	from := 1
	if depth > maxLevels {
		from = depth - maxLevels + 1
		b.WriteString("⋯ ")
	}
	for d := from; d < depth; d++ {
		if cont[d] {
			b.WriteString("│ ")
		} else {
			b.WriteString("  ")
		}
	}
	if cont[depth] {
		b.WriteString("├╴")
	} else {
		b.WriteString("└╴")
	}
}

// guidesWidth is how many cells guides writes for depth.
func guidesWidth(depth, maxLevels int) int {
	switch {
	case depth == 0:
		return 0
	case depth > maxLevels:
		return 2 + 2*max(0, maxLevels-1) + 2 // "⋯ ", the levels kept and the last
	}
	return 2 * depth
}

// rowWriter is what a row is written to: a bufio.Writer, or a
// strings.Builder in tests.
type rowWriter interface {
	io.Writer
	io.StringWriter
	io.ByteWriter
}

const blanks = "                                                                                                                                "

// spaces writes n spaces.
func spaces(w rowWriter, n int) {
	for n > 0 {
		k := min(n, len(blanks))
		w.WriteString(blanks[:k])
		n -= k
	}
}

// paint writes text in p's colours.
func paint(w rowWriter, p styles.Paint, text string) {
	if p.On == "" || text == "" {
		w.WriteString(text)
		return
	}
	w.WriteString(p.On)
	w.WriteString(text)
	w.WriteString(p.Off)
}

func writeRow(w rowWriter, tr *sources.Tree, window sources.TimeRange, nd *sources.Node, cont []bool, hidden int, lay layout, st *styles.Styles, svcPaint styles.Paint) {
	s := nd.Span
	if nd.Critical {
		paint(w, st.Critical, MarkCritical)
		w.WriteByte(' ')
	} else {
		w.WriteString("  ")
	}

	// the left column: guides, service, operation and notes, fitted
	svc, op := sources.Sanitize(s.Service), sources.Sanitize(s.Operation)
	var notes []string
	if hidden > 0 {
		notes = append(notes, "+"+strconv.Itoa(hidden))
	}
	if nd.Skew {
		notes = append(notes, MarkWarn+"skew")
	}
	if nd.Orphan {
		notes = append(notes, MarkWarn+"orphan")
	}
	if nd.Duplicate {
		notes = append(notes, MarkWarn+"dup id")
	}
	cells := guidesWidth(nd.Depth, lay.left/4) + Width(svc) + 1 + Width(op)
	for _, n := range notes {
		cells += 1 + Width(n)
	}
	if cells <= lay.left {
		if nd.Depth > 0 {
			w.WriteString(st.Dim.On)
			guides(w, nd.Depth, cont, lay.left/4)
			w.WriteString(st.Dim.Off)
		}
		paint(w, svcPaint, svc)
		w.WriteByte(' ')
		w.WriteString(op)
		for _, n := range notes {
			w.WriteByte(' ')
			if n[0] == '+' {
				paint(w, st.Dim, n)
			} else {
				paint(w, st.Warn, n)
			}
		}
		spaces(w, lay.left-cells)
	} else {
		// too long: the service is cut before the operation is, then
		// the whole, styled, is cut to the column
		svc = ansi.Truncate(svc, serviceRoom(lay.left, cells-Width(svc), Width(svc)), "…")
		var g, left strings.Builder
		guides(&g, nd.Depth, cont, lay.left/4)
		paint(&left, st.Dim, g.String())
		paint(&left, svcPaint, svc)
		left.WriteByte(' ')
		left.WriteString(op)
		for _, n := range notes {
			left.WriteByte(' ')
			paint(&left, st.Warn, n)
		}
		w.WriteString(Fit(left.String(), lay.left))
	}
	w.WriteByte(' ')

	p, failed := svcPaint, s.IsError()
	if failed {
		p = st.ErrorBar
	}
	writeBar(w, window, s.Start, s.End(), lay.bar, p)
	w.WriteByte(' ')
	var buf [24]byte
	if d := appendDuration(buf[:0], s.Duration); utf8.RuneCount(d) < durWidth {
		// one cell a character: digits, units and 'µ'
		spaces(w, durWidth-utf8.RuneCount(d))
		for _, c := range d {
			w.WriteByte(c) // not w.Write(d): buf would go to the heap
		}
	} else {
		w.WriteString(FitRight(string(d), durWidth))
	}
	if failed {
		w.WriteByte(' ')
		paint(w, st.Error, MarkError)
	}
}

// minService is the fewest cells a cut service name keeps, "…" included,
// so that a row still tells its services apart.
const minService = 8

// serviceRoom is how many cells a service name of svcWidth cells gets in a
// left column of left cells whose other parts (guides, operation, notes
// and the space between) take rest cells: all it needs when everything
// fits, else what the rest leaves, but no less than minService (nor more
// than it needs).
func serviceRoom(left, rest, svcWidth int) int {
	room := left - rest
	if room >= svcWidth {
		return svcWidth
	}
	return min(svcWidth, max(room, minService))
}

// labelCut reports whether a span's row in the layout cuts its service
// or operation, so that the details under it name both in full.
func labelCut(nd *sources.Node, lay layout) bool {
	cells := guidesWidth(nd.Depth, lay.left/4) + Width(sources.Sanitize(nd.Span.Service)) + 1 + Width(sources.Sanitize(nd.Span.Operation))
	return cells > lay.left
}

// eighths are the left-aligned partial blocks, 1/8 to 7/8.
var eighths = []string{"", "▏", "▎", "▍", "▌", "▋", "▊", "▉"}

const fullBlocks = "████████████████████████████████████████████████████████████████"

// writeBar draws [start, end] within r over width cells, to an eighth of a
// cell at the end; a span too short to see gets the thinnest block.
func writeBar(w rowWriter, r sources.TimeRange, start, end time.Time, width int, p styles.Paint) {
	if end.Before(r.From) || start.After(r.To) {
		spaces(w, width) // wholly outside the window (zoomed in)
		return
	}
	total := float64(r.Duration())
	pos := func(t time.Time) int {
		if total <= 0 {
			return 0
		}
		v := int(math.Round(float64(t.Sub(r.From)) / total * float64(width*8)))
		return max(0, min(v, width*8))
	}
	s8, e8 := pos(start), pos(end)
	if e8 <= s8 {
		e8 = s8 + 1
		if e8 > width*8 {
			s8, e8 = width*8-1, width*8
		}
	}
	startCell, endCell := s8/8, e8/8
	spaces(w, startCell)
	drawn := startCell
	if p.On != "" {
		w.WriteString(p.On)
	}
	if startCell == endCell {
		w.WriteString(eighths[max(1, e8-s8)])
		drawn++
	} else {
		switch f := s8 % 8; {
		case f <= 3:
			w.WriteString("█")
		case f <= 6:
			w.WriteString("▐")
		default:
			w.WriteString("▕")
		}
		for n := endCell - startCell - 1; n > 0; {
			k := min(n, len(fullBlocks)/3)
			w.WriteString(fullBlocks[:k*3])
			n -= k
		}
		drawn = endCell
		if f := e8 % 8; f > 0 {
			w.WriteString(eighths[f])
			drawn++
		}
	}
	if p.On != "" {
		w.WriteString(p.Off)
	}
	spaces(w, width-drawn)
}

func writeDetails(w *bufio.Writer, tr *sources.Tree, nd *sources.Node, cont []bool, lay layout, st *styles.Styles) {
	s := nd.Span
	var g strings.Builder
	for d := 1; d <= nd.Depth && d <= lay.left/4; d++ {
		if cont[d] {
			g.WriteString("│ ")
		} else {
			g.WriteString("  ")
		}
	}
	if len(nd.Children) > 0 {
		g.WriteString("│ ")
	} else {
		g.WriteString("  ")
	}
	prefix := "  " + st.Dim.Apply(g.String())
	room := lay.width - 2 - ansi.StringWidth(g.String())
	line := func(text string) {
		w.WriteString(prefix)
		w.WriteString(ansi.Truncate(text, room, "…"))
		w.WriteByte('\n')
	}
	if labelCut(nd, lay) {
		// the row cut the names: here they are in full, wrapped rather
		// than cut
		full := sources.Sanitize(s.Service) + " " + sources.Sanitize(s.Operation)
		for _, part := range strings.Split(wrap(full, max(room, 1), ""), "\n") {
			w.WriteString(prefix)
			w.WriteString(part)
			w.WriteByte('\n')
		}
	}
	line(st.Dim.Apply(fmt.Sprintf("%s · span %s · self %s · start +%s", s.Kind, s.SpanID, Duration(nd.SelfTime), Duration(s.Start.Sub(tr.Range.From)))))
	if s.IsError() {
		msg := s.Status.Message
		if msg == "" {
			msg = "error"
		}
		line(st.Error.Apply(MarkError + " " + sources.Sanitize(msg)))
	}
	for _, a := range s.Attrs {
		line(st.Dim.Apply(sources.Sanitize(a.Key)+" = ") + sources.Sanitize(a.String()))
	}
	for _, e := range s.Events {
		var kv []string
		for _, a := range e.Attrs {
			kv = append(kv, sources.Sanitize(a.Key)+"="+sources.Sanitize(a.String()))
		}
		line(st.Dim.Apply("@+"+Duration(e.Time.Sub(s.Start))+" ") + sources.Sanitize(e.Name) + " " + st.Dim.Apply(strings.Join(kv, " ")))
	}
	for _, warn := range s.Warnings {
		line(st.Warn.Apply(MarkWarn + " " + sources.Sanitize(warn)))
	}
}

func writeFooter(w *bufio.Writer, hidden int, o WaterfallOptions, st *styles.Styles, width int) {
	w.WriteByte('\n')
	if hidden > 0 {
		var why []string
		if o.MaxDepth > 0 {
			why = append(why, fmt.Sprintf("--depth %d", o.MaxDepth))
		}
		if o.MinDuration > 0 {
			why = append(why, "--min-duration "+o.MinDuration.String())
		}
		if o.Service != "" {
			why = append(why, "--service "+sources.Sanitize(o.Service))
		}
		if o.CriticalOnly {
			why = append(why, "--critical-path")
		}
		cutLine(w, st.Dim.Apply(fmt.Sprintf("%d %s hidden by %s (+N: hidden under a span)", hidden, plural(hidden, "span", "spans"), strings.Join(why, ", "))), width)
	}
	cutLine(w, st.Dim.Apply(MarkCritical+" critical path · "+MarkError+" error · "+MarkWarn+" warning"), width)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
