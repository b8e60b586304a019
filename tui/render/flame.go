package render

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/sources/flame"
	"github.com/telx-cli/telx/tui/styles"
)

// FlameOptions choose how a flame graph is drawn.
type FlameOptions struct {
	Width  int
	Styles *styles.Styles
	// Hottest is how many frames of most self time are listed under the
	// graph (0: 5; negative: none).
	Hottest int
}

// Flame writes a trace's flame graph: a header, one row per depth of the
// stacks of (service, operation), each frame as wide as its share of the
// trace's self time (the widest first, children under their parent), its
// name where it fits, then the frames of most self time.
func Flame(w io.Writer, tr *sources.Tree, o FlameOptions) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	for _, l := range FlameLines(tr, o) {
		bw.WriteString(l)
		bw.WriteByte('\n')
	}
	return bw.Flush()
}

// FlameLines are the lines Flame writes, none wider than the width.
func FlameLines(tr *sources.Tree, o FlameOptions) []string {
	st := o.Styles
	if st == nil {
		st = styles.New(false)
	}
	width := o.Width
	if width <= 0 {
		width = 80
	}
	var lines []string
	add := func(s string) {
		if Width(s) > width {
			s = ansi.Truncate(s, width, "…")
		}
		lines = append(lines, s)
	}
	g := flame.Build(tr)
	add(st.Title.Apply("Flame graph") + " " + st.Title.Apply(string(tr.Trace.ID)))
	add(fmt.Sprintf("self time %s · %d %s · %d %s · widest first",
		st.Bold.Apply(Duration(g.Total)), len(tr.Nodes), plural(len(tr.Nodes), "span", "spans"), g.Depth, plural(g.Depth, "level", "levels")))
	add("")
	if g.Total <= 0 || len(g.Frames) == 0 {
		add(st.Dim.Apply("(no self time to draw)"))
		return lines
	}
	rows := make([]strings.Builder, g.Depth)
	used := make([]int, g.Depth) // cells written on each row
	narrow := 0
	scale := float64(width) / float64(g.Total)
	col := func(d float64) int { return max(0, min(width, int(math.Round(d*scale)))) }
	for _, f := range g.Frames {
		x0, x1 := col(float64(f.Offset)), col(float64(f.Offset)+float64(f.Total))
		if x1 <= x0 || x0 < used[f.Depth] {
			narrow++
			continue
		}
		r := &rows[f.Depth]
		spaces(r, x0-used[f.Depth])
		r.WriteString(frameCell(f, x1-x0, st))
		used[f.Depth] = x1
	}
	for i := range rows {
		add(strings.TrimRight(rows[i].String(), " "))
	}
	add("")
	n := o.Hottest
	if n == 0 {
		n = 5
	}
	if hot := g.Hottest(max(0, n)); len(hot) > 0 {
		add(st.Bold.Apply("Most self time"))
		for _, f := range hot {
			share := float64(f.Self) / float64(g.Total) * 100
			calls := ""
			if f.Spans > 1 {
				calls = " ×" + strconv.Itoa(f.Spans)
			}
			add(fmt.Sprintf("  %s %s  %s %s%s%s", FitRight(fmt.Sprintf("%.0f%%", share), 4), FitRight(Duration(f.Self), 8),
				st.Service(f.Service).Apply(sources.Sanitize(f.Service)), sources.Sanitize(f.Operation), st.Dim.Apply(calls),
				st.Dim.Apply(stackNote(f))))
		}
		add("")
	}
	legend := []string{"[name] a stack of (service, operation)", "as wide as its self time and its callees'", "one row per depth", MarkError + " a span failed"}
	if narrow > 0 {
		legend = append(legend, fmt.Sprintf("%d %s too narrow to draw", narrow, plural(narrow, "frame", "frames")))
	}
	for _, l := range joinParts(legend, " · ", width) {
		add(st.Dim.Apply(l))
	}
	return lines
}

// stackNote names the frame's callers, " under a › b", sanitised.
func stackNote(f *flame.Frame) string {
	if f.Parent == nil {
		return ""
	}
	var parts []string
	for p := f.Parent; p != nil; p = p.Parent {
		parts = append(parts, sources.Sanitize(p.Service)+" "+sources.Sanitize(p.Operation))
	}
	for i, j := 0, len(parts)-1; i < j; i, j = i+1, j-1 {
		parts[i], parts[j] = parts[j], parts[i]
	}
	return " under " + strings.Join(parts, " › ")
}

// frameCell draws a frame n cells wide: [name] cut to fit, in its
// service's colour (✗ and the error colour when one of its spans failed);
// a frame too narrow for a name is brackets, or a bar.
func frameCell(f *flame.Frame, n int, st *styles.Styles) string {
	p := st.Service(f.Service)
	if f.Errors > 0 {
		p = st.ErrorBar
	}
	var s string
	switch {
	case n == 1:
		s = "▏"
	case n == 2:
		s = "[]"
	default:
		label := sources.Sanitize(f.Service) + " " + sources.Sanitize(f.Operation)
		if f.Errors > 0 {
			label = MarkError + label
		}
		inner := n - 2
		switch {
		case Width(label) <= inner:
			s = "[" + Fit(label, inner) + "]"
		case inner >= 4:
			s = "[" + ansi.Truncate(label, inner, "…") + "]"
			if w := Width(s); w < n {
				s = s[:len(s)-1] + strings.Repeat(" ", n-w) + "]"
			}
		default:
			s = "[" + strings.Repeat(" ", inner) + "]"
		}
	}
	return p.Apply(s)
}
