package render

import (
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/sources/analyze"
	"github.com/telx-cli/telx/tui/styles"
)

// AnalyzeOptions say how to draw an analysis.
type AnalyzeOptions struct {
	// Width is the room in cells (80 when 0).
	Width    int
	Styles   *styles.Styles
	Location *time.Location
}

// AnalyzeRow is a line of the report that points at a span: a row of
// where the time goes, of the attributes or of where errors start.
type AnalyzeRow struct {
	Line    int
	Example analyze.Example
}

// Sections of the report, as their titles say them.
const (
	SectionLatency = "LATENCY"
	SectionTime    = "WHERE THE TIME GOES"
	SectionFailed  = "WHAT IS DIFFERENT ABOUT THE FAILED TRACES"
	SectionSlow    = "WHAT IS DIFFERENT ABOUT THE SLOWEST DECILE"
	SectionErrors  = "WHERE ERRORS START"
	SectionGraph   = "SERVICE GRAPH"
)

// analyzeTableRows is how many rows each table of the report shows.
const analyzeTableRows = 12

// Analysis writes the report of res.
func Analysis(w io.Writer, res *analyze.Result, o AnalyzeOptions) error {
	lines, _ := AnalysisLines(res, o)
	var b strings.Builder
	for _, l := range lines {
		b.WriteString(l)
		b.WriteByte('\n')
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// AnalysisLines draws the report of res as lines no wider than o.Width,
// in sections: what was analysed and how long it took, the latency
// histogram, where the time goes, the attributes of the failed and of the
// slowest traces, where errors start and the service graph. It returns
// the lines that point at a span, for the explorer's enter.
func AnalysisLines(res *analyze.Result, o AnalyzeOptions) ([]string, []AnalyzeRow) {
	a := &analysisWriter{res: res, o: o, st: o.Styles}
	if a.st == nil {
		a.st = styles.New(false)
	}
	if a.o.Width <= 0 {
		a.o.Width = 80
	}
	if a.o.Location == nil {
		a.o.Location = time.Local
	}
	a.head()
	a.latency()
	a.times()
	a.attributes(SectionFailed, res.FailedAttributes, res.Failed, "FAILED", "failed")
	a.attributes(SectionSlow, res.SlowAttributes, res.Slow, "SLOW", "slowest")
	if len(res.SkippedKeys) > 0 {
		keys := make([]string, len(res.SkippedKeys))
		for i, k := range res.SkippedKeys {
			keys[i] = sources.Sanitize(k)
		}
		a.wrapped(a.st.Dim, "not compared (about one value a trace): "+strings.Join(keys, ", "))
	}
	a.errors()
	a.graph()
	// the tables' columns keep their least widths: at a few columns they
	// are cut, as every line is
	for i, l := range a.lines {
		if Width(l) > a.o.Width {
			a.lines[i] = ansi.Truncate(l, a.o.Width, "…")
		}
	}
	return a.lines, a.rows
}

type analysisWriter struct {
	res   *analyze.Result
	o     AnalyzeOptions
	st    *styles.Styles
	lines []string
	rows  []AnalyzeRow
}

func (a *analysisWriter) add(s string) { a.lines = append(a.lines, Fit(s, a.o.Width)) }

// fit cuts plain text to the width, then paints it.
func (a *analysisWriter) fit(p styles.Paint, s string) {
	a.lines = append(a.lines, p.Apply(strings.TrimRight(Fit(s, a.o.Width), " ")))
}

func (a *analysisWriter) wrapped(p styles.Paint, s string) {
	for _, l := range strings.Split(Wrap(s, a.o.Width, ""), "\n") {
		a.lines = append(a.lines, p.Apply(l))
	}
}

func (a *analysisWriter) section(title, sub string) {
	a.lines = append(a.lines, "")
	if sub == "" || ansi.StringWidth(title)+2+ansi.StringWidth(sub) > a.o.Width {
		a.fit(a.st.Header, title)
		if sub != "" {
			a.wrapped(a.st.Dim, sub)
		}
		return
	}
	a.lines = append(a.lines, a.st.Header.Apply(title)+"  "+a.st.Dim.Apply(sub))
}

func (a *analysisWriter) table(t *Table, examples []analyze.Example) {
	t.Width, t.Styles = a.o.Width, a.st
	var b strings.Builder
	_ = t.Write(&b)
	first := len(a.lines) + 1 // under the header
	a.lines = append(a.lines, strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")...)
	for i, ex := range examples {
		a.rows = append(a.rows, AnalyzeRow{Line: first + i, Example: ex})
	}
}

func (a *analysisWriter) head() {
	r := a.res
	what := sources.Sanitize(r.Service)
	if r.Operation != "" {
		what += " " + sources.Sanitize(r.Operation)
	}
	layout := "15:04"
	if r.Range.Duration() >= 24*time.Hour || r.Range.From.In(a.o.Location).YearDay() != r.Range.To.In(a.o.Location).YearDay() {
		layout = "2006-01-02 15:04"
	}
	a.wrapped(a.st.Title, fmt.Sprintf("Analysis of %s · %d %s of %d asked for · %s to %s", what, r.Traces, plural(r.Traces, "trace", "traces"),
		r.Sample, r.Range.From.In(a.o.Location).Format(layout), r.Range.To.In(a.o.Location).Format(layout)))
	t := r.Timing
	var parts []string
	parts = append(parts, "search "+Duration(t.Search))
	if t.Fetched > 0 {
		parts = append(parts, fmt.Sprintf("%d whole traces %d at a time %s", t.Fetched, t.Concurrency, Duration(t.Fetch)))
	}
	if t.Metrics > 0 {
		parts = append(parts, "span metrics "+Duration(t.Metrics))
	}
	if t.Dependencies > 0 {
		parts = append(parts, "dependencies "+Duration(t.Dependencies))
	}
	a.wrapped(a.st.Dim, fmt.Sprintf("backend %s (%s) · analysis %s · %d spans, %d failed %s (%s)",
		Duration(t.Backend), strings.Join(parts, ", "), Duration(t.Analysis), r.Spans, r.Failed, plural(r.Failed, "trace", "traces"), percent(ratio(r.Failed, r.Traces))))
	for _, n := range r.Notes {
		a.wrapped(a.st.Warn, "! "+n)
	}
}

func (a *analysisWriter) latency() {
	l := a.res.Latency
	from := "the sample"
	if l.Source == analyze.FromSpanMetrics {
		from = "span metrics in Prometheus"
	}
	count := strconv.FormatFloat(math.Round(l.Count), 'f', -1, 64)
	unit := "traces"
	if l.Source == analyze.FromSpanMetrics {
		unit = "spans"
	}
	a.section(SectionLatency, sources.Sanitize(l.Of)+" · "+from+", "+count+" "+unit)
	errLabel := "failed"
	if l.Source == analyze.FromSpanMetrics {
		errLabel = "errors"
	}
	a.fit(styles.Paint{}, fmt.Sprintf("p50 %s   p90 %s   p99 %s   %s %s", durOrDash(l.P50), durOrDash(l.P90), durOrDash(l.P99), errLabel, percent(l.ErrorRatio)))
	if s := a.res.SampleLatency; s != nil {
		a.wrapped(a.st.Dim, fmt.Sprintf("the sample (%s): p50 %s   p90 %s   p99 %s   failed %s", sources.Sanitize(s.Of), durOrDash(s.P50), durOrDash(s.P90), durOrDash(s.P99), percent(s.ErrorRatio)))
	}
	if l.Note != "" {
		a.wrapped(a.st.Dim, l.Note)
	}
	a.histogram(l.Buckets)
}

// histogram draws one bar a bucket: its upper bound, the bar, the count.
func (a *analysisWriter) histogram(bs []analyze.Bucket) {
	if len(bs) == 0 {
		return
	}
	labels := make([]string, len(bs))
	counts := make([]string, len(bs))
	lw, cw := 0, 0
	most := 0.0
	for i, b := range bs {
		labels[i] = "≤ " + Duration(b.Upper)
		if b.Upper == analyze.Infinite {
			labels[i] = "> " + Duration(bs[max(0, i-1)].Upper)
		}
		counts[i] = strconv.FormatFloat(math.Round(b.Count), 'f', -1, 64)
		lw, cw = max(lw, ansi.StringWidth(labels[i])), max(cw, len(counts[i]))
		most = max(most, b.Count)
	}
	barW := max(1, min(maxBar, a.o.Width-lw-cw-4))
	for i, b := range bs {
		n := 0.0
		if most > 0 {
			n = b.Count / most * float64(barW)
		}
		bar := bar(n)
		line := FitRight(labels[i], lw) + "  " + a.st.Critical.Apply(bar) + strings.Repeat(" ", barW-ansi.StringWidth(bar)) + "  " + FitRight(counts[i], cw)
		if lw+cw+4 > a.o.Width {
			line = Fit(FitRight(labels[i], lw)+" "+counts[i], a.o.Width)
		}
		a.lines = append(a.lines, line)
	}
}

// maxBar is the longest bar of the histogram: past it, a wider
// terminal makes the bars no easier to read.
const maxBar = 64

// bar is n cells of full blocks, its fraction in eighths; a count above
// zero shows at least a sliver.
func bar(n float64) string {
	full := int(n)
	eighths := int((n - float64(full)) * 8)
	s := strings.Repeat("█", full)
	if eighths > 0 {
		s += eighthBlocks[eighths-1]
	}
	if s == "" && n > 0 {
		s = eighthBlocks[0]
	}
	return s
}

var eighthBlocks = [...]string{"▏", "▎", "▍", "▌", "▋", "▊", "▉"}

func (a *analysisWriter) times() {
	r := a.res
	sub := "self time per trace"
	if r.Slow > 0 {
		sub += fmt.Sprintf(", the slowest decile (%d %s from %s) against the rest", r.Slow, plural(r.Slow, "trace", "traces"), Duration(r.SlowFrom))
	}
	a.section(SectionTime, sub)
	ops := r.Operations
	if len(ops) == 0 {
		a.fit(a.st.Dim, "no spans")
		return
	}
	ops = ops[:min(len(ops), analyzeTableRows)]
	t := &Table{Head: []string{"SERVICE OPERATION", "SLOW", "REST", "CRIT SLOW", "CRIT REST", "SPANS", "SELF"},
		Right: []bool{false, true, true, true, true, true, true}, Flex: []int{0}, MinFlex: 14}
	examples := make([]analyze.Example, len(ops))
	for i, op := range ops {
		t.Rows = append(t.Rows, []string{sources.Sanitize(op.Service) + " " + sources.Sanitize(op.Operation),
			durOrZero(op.SlowSelf), durOrZero(op.RestSelf), percent(op.SlowCritical), percent(op.RestCritical),
			strconv.Itoa(op.Spans), Duration(op.Self)})
		examples[i] = op.Example
	}
	t.Paint = func(row, col int) styles.Paint {
		if col == 0 {
			return a.st.Service(ops[row].Service)
		}
		if col == 1 && ops[row].SlowSelf > 2*ops[row].RestSelf && ops[row].SlowSelf-ops[row].RestSelf > 0 {
			return a.st.Warn
		}
		return styles.Paint{}
	}
	a.narrow(t, "SELF", "SPANS", "CRIT REST")
	a.table(t, examples)
	if len(r.Operations) > len(ops) {
		a.fit(a.st.Dim, fmt.Sprintf("and %d more", len(r.Operations)-len(ops)))
	}
}

// narrow drops the columns named, in turn, while the table is wider
// than the width with its flexible column at its floor. The flexible
// column must come before those dropped.
func (a *analysisWriter) narrow(t *Table, drop ...string) {
	t.Width = a.o.Width
	for _, name := range drop {
		if t.Fits() {
			return
		}
		c := slices.Index(t.Head, name)
		if c < 0 {
			continue
		}
		t.Head = slices.Delete(t.Head, c, c+1)
		t.Right = slices.Delete(t.Right, c, c+1)
		for i := range t.Rows {
			t.Rows[i] = slices.Delete(t.Rows[i], c, c+1)
		}
		paint := t.Paint
		if paint != nil {
			t.Paint = func(row, col int) styles.Paint {
				if col >= c {
					col++
				}
				return paint(row, col)
			}
		}
	}
}

func (a *analysisWriter) attributes(title string, ds []analyze.AttributeDiff, group int, label, who string) {
	rest := a.res.Traces - group
	sub := fmt.Sprintf("%d %s against the other %d", group, plural(group, "trace", "traces"), rest)
	a.section(title, sub)
	if len(ds) == 0 {
		switch {
		case group == 0:
			a.fit(a.st.Dim, "none "+who)
		case rest == 0:
			a.fit(a.st.Dim, "no other traces to compare with")
		default:
			a.fit(a.st.Dim, "no attribute value stands out")
		}
		return
	}
	ds = ds[:min(len(ds), analyzeTableRows)]
	t := &Table{Head: []string{"ATTRIBUTE", label, "REST", "DIFF", "COUNT"}, Right: []bool{false, true, true, true, true},
		Flex: []int{0}, MinFlex: 16}
	examples := make([]analyze.Example, len(ds))
	for i, d := range ds {
		name := sources.Sanitize(d.Key) + "=" + sources.Sanitize(d.Value)
		if d.Scope == analyze.ScopeResource {
			name = "resource " + name
		}
		t.Rows = append(t.Rows, []string{name, percent(d.Share), percent(d.RestShare), "+" + percent(d.Diff), strconv.Itoa(d.Count)})
		examples[i] = d.Example
	}
	t.Paint = func(row, col int) styles.Paint {
		if col == 3 && ds[row].Diff >= 0.5 {
			return a.st.Warn
		}
		return styles.Paint{}
	}
	a.narrow(t, "COUNT")
	a.table(t, examples)
}

func (a *analysisWriter) errors() {
	a.section(SectionErrors, "failing spans with no failing span under them")
	es := a.res.ErrorOrigins
	if len(es) == 0 {
		a.fit(a.st.Dim, "no failing spans")
		return
	}
	es = es[:min(len(es), analyzeTableRows)]
	t := &Table{Head: []string{"SPANS", "TRACES", "SERVICE OPERATION", "MESSAGE"}, Right: []bool{true, true, false, false},
		Flex: []int{3, 2}, MinFlex: 12}
	examples := make([]analyze.Example, len(es))
	for i, e := range es {
		msg := oneSpaced(sources.Sanitize(e.Message))
		if msg == "" {
			msg = "(no message)"
		}
		t.Rows = append(t.Rows, []string{strconv.Itoa(e.Count), strconv.Itoa(e.Traces), sources.Sanitize(e.Service) + " " + sources.Sanitize(e.Operation), msg})
		examples[i] = e.Example
	}
	t.Paint = func(row, col int) styles.Paint {
		switch col {
		case 0:
			return a.st.Error
		case 2:
			return a.st.Service(es[row].Service)
		}
		return styles.Paint{}
	}
	a.table(t, examples)
	if len(a.res.ErrorOrigins) > len(es) {
		a.fit(a.st.Dim, fmt.Sprintf("and %d more", len(a.res.ErrorOrigins)-len(es)))
	}
}

// graph draws the calls between services as a tree from the services no
// one calls; a service met again is named, not drawn again.
func (a *analysisWriter) graph() {
	g := a.res.Graph
	sub := "calls between services in the sample"
	if g.Source == analyze.FromJaeger {
		sub = "Jaeger's dependencies of the whole system over the window"
	}
	a.section(SectionGraph, sub)
	if len(g.Edges) == 0 {
		a.fit(a.st.Dim, "no calls between services")
		return
	}
	children := map[string][]analyze.Edge{}
	called := map[string]bool{}
	var parents []string
	for _, e := range g.Edges {
		if _, ok := children[e.Parent]; !ok {
			parents = append(parents, e.Parent)
		}
		children[e.Parent] = append(children[e.Parent], e)
		called[e.Child] = true
	}
	for p := range children {
		slices.SortStableFunc(children[p], func(x, y analyze.Edge) int {
			if x.Calls != y.Calls {
				return y.Calls - x.Calls
			}
			return strings.Compare(x.Child, y.Child)
		})
	}
	var roots []string
	for _, p := range parents {
		if !called[p] {
			roots = append(roots, p)
		}
	}
	drawn := map[string]bool{}
	var walk func(service, lead string)
	walk = func(service, lead string) {
		drawn[service] = true
		kids := children[service]
		for i, e := range kids {
			branch, next := "├─▶ ", "│   "
			if i == len(kids)-1 {
				branch, next = "└─▶ ", "    "
			}
			calls := fmt.Sprintf("%d %s", e.Calls, plural(e.Calls, "call", "calls"))
			line := a.st.Dim.Apply(lead+branch) + a.st.Service(e.Child).Apply(sources.Sanitize(e.Child)) + "  " + calls
			if e.Errors > 0 {
				line += ", " + a.st.Error.Apply(fmt.Sprintf("%d failed %s", e.Errors, MarkError))
			}
			again := drawn[e.Child] && len(children[e.Child]) > 0
			if again {
				line += a.st.Dim.Apply(" (its calls above)")
			}
			a.lines = append(a.lines, fitPainted(line, a.o.Width))
			if !again && !drawn[e.Child] {
				walk(e.Child, lead+next)
			}
		}
	}
	for _, r := range roots {
		a.lines = append(a.lines, fitPainted(a.st.Service(r).Apply(sources.Sanitize(r)), a.o.Width))
		walk(r, "")
	}
	// cycles: services all of whose callers are called too
	for _, p := range parents {
		if !drawn[p] {
			a.lines = append(a.lines, fitPainted(a.st.Service(p).Apply(sources.Sanitize(p))+a.st.Dim.Apply(" (in a cycle)"), a.o.Width))
			walk(p, "")
		}
	}
}

// fitPainted cuts a painted line to width cells, its escapes kept whole.
func fitPainted(s string, width int) string {
	if ansi.StringWidth(s) <= width {
		return s
	}
	return ansi.Truncate(s, width-1, "") + "…"
}

func durOrDash(d time.Duration) string {
	if d <= 0 {
		return "-"
	}
	if d == analyze.Infinite {
		return "∞"
	}
	return Duration(d)
}

func durOrZero(d time.Duration) string {
	if d == 0 {
		return "0"
	}
	return Duration(d)
}

func ratio(n, of int) float64 {
	if of == 0 {
		return 0
	}
	return float64(n) / float64(of)
}

// percent writes a share (0 to 1) as a whole percentage, or with one
// decimal under 10%.
func percent(v float64) string {
	p := v * 100
	switch {
	case math.IsNaN(p):
		return "-"
	case p > 0 && p < 10:
		return strconv.FormatFloat(p, 'f', 1, 64) + "%"
	}
	return strconv.FormatFloat(math.Round(p), 'f', 0, 64) + "%"
}
