package render

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/sources/explain"
	"github.com/telx-cli/telx/tui/styles"
)

// EvidenceOptions say how to draw an alert's evidence.
type EvidenceOptions struct {
	Width    int
	Styles   *styles.Styles
	Location *time.Location
	Now      time.Time
	// Selected is the index (in ev.Traces()) of the trace to mark, -1 for
	// none.
	Selected int
	// ChartRows is the height of each series' chart (default 3).
	ChartRows int
}

// Evidence draws an alert's evidence: the alert, its rule, its series
// over the window with the threshold and the crossing, its service's
// error and warning logs, its failing and slowest traces, and what could
// not be had. It returns the lines, and the line of each trace of
// ev.Traces() (for a pane that scrolls to the chosen one).
func Evidence(ev *explain.Evidence, o EvidenceOptions) (lines []string, traceLines []int) {
	st := o.Styles
	if st == nil {
		st = &styles.Styles{}
	}
	loc := o.Location
	if loc == nil {
		loc = time.Local
	}
	width := max(o.Width, 20)
	rows := o.ChartRows
	if rows <= 0 {
		rows = 3
	}
	add := func(s ...string) {
		for _, l := range s {
			lines = append(lines, fitLine(l, width))
		}
	}
	wrap := func(indent int, s string) {
		for _, l := range wrapWords(s, width-indent) {
			add(strings.Repeat(" ", indent) + l)
		}
	}
	a := ev.Alert
	clock := func(t time.Time) string { return t.In(loc).Format("15:04:05") }
	ago := func(t time.Time) string {
		if o.Now.IsZero() || t.IsZero() {
			return ""
		}
		return " (" + shortAgo(o.Now.Sub(t)) + ")"
	}

	// the alert
	head := st.Bold.Apply(sources.Sanitize(a.Name)) + " " + alertStateText(a, st)
	if since := a.Since(); !since.IsZero() {
		head += st.Dim.Apply(" since " + clock(since) + ago(since))
	}
	add(head)
	if l := alertLabelText(a.Labels); l != "" {
		wrap(2, st.Dim.Apply(l))
	}
	add("  " + st.Dim.Apply("fingerprint "+sources.Sanitize(a.Fingerprint)))
	if s := a.Annotations["summary"]; s != "" {
		wrap(2, sources.Sanitize(s))
	}

	// the rule
	add("")
	if r := ev.Rule; r != nil {
		facts := []string{}
		if r.For > 0 {
			facts = append(facts, "for "+shortDur(r.For))
		}
		if !ev.Pending.IsZero() {
			facts = append(facts, "pending from "+clock(ev.Pending))
		}
		add(st.Header.Apply("Rule") + " " + st.Dim.Apply(strings.Join(facts, " · ")))
		wrap(2, sources.Sanitize(oneSpaced(r.Query)))
	} else {
		add(st.Header.Apply("Rule") + " " + st.Dim.Apply("not found"))
	}

	// the series
	if ev.Rule != nil {
		add("")
		facts := []string{clock(ev.Window.From) + " → " + clock(ev.Window.To)}
		if ev.Step > 0 {
			facts = append(facts, "step "+shortDur(ev.Step))
		}
		if ev.Threshold != nil {
			facts = append(facts, "threshold "+ev.Threshold.String())
		} else {
			facts = append(facts, "no threshold (the expression compares with no constant)")
		}
		n := fmt.Sprintf("%d series", ev.SeriesTotal)
		if len(ev.Series) < ev.SeriesTotal {
			n = fmt.Sprintf("%d of %d series", len(ev.Series), ev.SeriesTotal)
		}
		facts = append(facts, n)
		add(st.Header.Apply("Series") + " " + st.Dim.Apply(strings.Join(facts, " · ")))
		if len(ev.Series) == 0 {
			add("  " + st.Dim.Apply("no series over the window"))
		}
		for _, s := range ev.Series {
			name := seriesName(s.Labels)
			mark := "  "
			if s.Alert {
				mark = st.Bold.Apply("▶ ")
			}
			var last string
			if n := len(s.Points); n > 0 {
				last = "last " + FormatValue(s.Points[n-1].Value, UnitNone)
			}
			var cross string
			switch {
			case ev.Threshold == nil:
			case s.Held:
				cross = st.Error.Apply("beyond it all the window")
			case !s.Crossed.IsZero():
				cross = st.Error.Apply("crossed " + clock(s.Crossed) + ago(s.Crossed))
			default:
				cross = st.Dim.Apply("did not cross")
			}
			add(mark + sources.Sanitize(name))
			add("    " + st.Dim.Apply(last) + " " + cross)
			// the alert's series in full, the others on one line
			h := 1
			if s.Alert || len(ev.Series) == 1 {
				h = rows
			}
			for _, l := range thresholdChart(s, ev, width-4, h, st) {
				add("    " + l)
			}
		}
	}

	// the logs
	add("")
	switch {
	case ev.Service == "":
		add(st.Header.Apply("Logs") + " " + st.Dim.Apply("no service"))
	case ev.LogQuery == "":
		add(st.Header.Apply("Logs") + " " + st.Dim.Apply("not asked"))
	default:
		what := fmt.Sprintf("%d error and warning lines of %s", len(ev.Logs), sources.Sanitize(ev.Service))
		if ev.LogsMore {
			what = fmt.Sprintf("the %d newest error and warning lines of %s", len(ev.Logs), sources.Sanitize(ev.Service))
		}
		add(st.Header.Apply("Logs") + " " + st.Dim.Apply(what))
		wrap(2, st.Dim.Apply(sources.Sanitize(ev.LogQuery)))
		lo := LogsOptions{Width: width, Styles: st, Location: loc, TimeFormat: LogTimeFormatShort}
		var buf []byte
		for i := range ev.Logs {
			buf = AppendLogEntry(buf[:0], &ev.Logs[i], &lo)
			for _, l := range strings.Split(strings.TrimSuffix(string(buf), "\n"), "\n") {
				add(l)
			}
		}
	}

	// the traces
	add("")
	traces := ev.Traces()
	traceLines = make([]int, len(traces))
	traceLine := func(i int, t *sources.Trace) {
		sel := "  "
		if i == o.Selected {
			sel = st.Bold.Apply("▶ ")
		}
		r := t.TimeRange()
		root := ""
		if rs := t.Root(); rs != nil {
			root = st.Service(sources.Sanitize(rs.Service)).Apply(sources.Sanitize(rs.Service)) + " " + sources.Sanitize(rs.Operation)
		}
		errs := ""
		if n := t.ErrorCount(); n > 0 {
			errs = st.Error.Apply(MarkError+strconv.Itoa(n)) + " "
		}
		traceLines[i] = len(lines)
		add(sel + string(t.ID) + " " + FitRight(Duration(r.Duration()), 7) + " " + errs + st.Dim.Apply(clock(r.From)) + " " + root)
	}
	switch {
	case ev.Service == "":
		add(st.Header.Apply("Traces") + " " + st.Dim.Apply("no service"))
	default:
		add(st.Header.Apply("Failing traces") + " " + st.Dim.Apply("of "+sources.Sanitize(ev.Service)+", slowest first"))
		if len(ev.Failing) == 0 {
			add("  " + st.Dim.Apply("none in the window"))
		}
		i := 0
		for ; i < len(ev.Failing); i++ {
			traceLine(i, traces[i])
		}
		add(st.Header.Apply("Slowest traces") + " " + st.Dim.Apply(fmt.Sprintf("of the %d newest of %s", ev.Sample, sources.Sanitize(ev.Service))))
		if i == len(traces) {
			if len(ev.Slowest) == 0 {
				add("  " + st.Dim.Apply("none in the window"))
			} else {
				add("  " + st.Dim.Apply("the failing ones above"))
			}
		}
		for ; i < len(traces); i++ {
			traceLine(i, traces[i])
		}
	}

	if len(ev.Problems) > 0 {
		add("")
		for _, p := range ev.Problems {
			wrap(0, st.Warn.Apply("! "+p))
		}
	}
	return lines, traceLines
}

// alertStateText is an alert's state: firing or pending, and from
// Alertmanager active, silenced (by which silences) or inhibited.
func alertStateText(a explain.Alert, st *styles.Styles) string {
	var parts []string
	switch a.State {
	case "firing":
		parts = append(parts, st.Error.Apply(MarkError+" firing"))
	case "pending":
		parts = append(parts, st.Warn.Apply("◌ pending"))
	}
	switch a.Status {
	case sources.AlertSilenced:
		parts = append(parts, st.Dim.Apply("silenced by "+sources.Sanitize(strings.Join(a.SilencedBy, ", "))))
	case sources.AlertInhibited:
		parts = append(parts, st.Dim.Apply("inhibited"))
	case "":
	default:
		parts = append(parts, sources.Sanitize(a.Status))
	}
	return strings.Join(parts, " · ")
}

// AlertState is an alert's state as the alerts list shows it.
func AlertState(a explain.Alert, st *styles.Styles) string { return alertStateText(a, st) }

// alertLabelText is an alert's labels but its name, sorted, sanitised.
func alertLabelText(labels map[string]string) string {
	keys := make([]string, 0, len(labels))
	for k := range labels {
		if k != "alertname" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = sources.Sanitize(k + "=" + labels[k])
	}
	return strings.Join(parts, " ")
}

// AlertLabels is alertLabelText for the alerts list.
func AlertLabels(labels map[string]string) string { return alertLabelText(labels) }

// thresholdChart draws a series as a chart rows high, scaled to hold the
// threshold too, which is drawn as a dashed line where the series is
// under it (the value is beside it); the columns beyond the threshold are
// in the error colour, and a last line marks the crossing with ^.
func thresholdChart(s explain.Series, ev *explain.Evidence, width, rows int, st *styles.Styles) []string {
	label := ""
	if ev.Threshold != nil {
		label = " ┄ " + ev.Threshold.String()
	}
	cols := max(8, width-ansi.StringWidth(label))
	cells := resample(nil, s.Points, ev.Window, ev.Step, cols)
	ss := SeriesStats(s.Points)
	lo, hi := ss.Min, ss.Max
	if ev.Threshold != nil && !math.IsInf(ev.Threshold.Value, 0) {
		lo, hi = math.Min(lo, ev.Threshold.Value), math.Max(hi, ev.Threshold.Value)
	}
	if math.IsNaN(lo) || math.IsInf(lo, 0) || math.IsNaN(hi) || math.IsInf(hi, 0) {
		lo, hi = 0, 0
	}
	levels := rows * 8
	level := func(v float64) int {
		if hi <= lo {
			return 1
		}
		return max(1, min(levels, int(math.Round((v-lo)/(hi-lo)*float64(levels)))))
	}
	// the threshold's row (from the bottom) and its height in that row:
	// there, a value under it shows as the dashed line
	thrRow, thrFill := -1, 0
	if t := ev.Threshold; t != nil && !math.IsInf(t.Value, 0) && hi > lo {
		lv := level(t.Value)
		thrRow = min(rows-1, (lv-1)/8)
		thrFill = lv - thrRow*8
	}
	out := make([]string, 0, rows+1)
	for r := rows - 1; r >= 0; r-- {
		var b strings.Builder
		for i := range cells {
			v, ok := cells[i].value()
			glyph, paint := " ", styles.Paint{}
			switch {
			case ok:
				fill := level(v) - r*8
				if ev.Threshold != nil && ev.Threshold.Holds(v) {
					paint = st.Error
				}
				switch {
				case r == thrRow && fill < thrFill && (ev.Threshold == nil || !ev.Threshold.Holds(v)):
					glyph, paint = "┄", st.Warn
				case fill >= 8:
					glyph = "█"
				case fill > 0:
					glyph = sparkLevels[fill-1]
				}
			case cells[i].posInf && r == rows-1:
				glyph = sparkPosInf
			case cells[i].negInf && r == 0:
				glyph = sparkNegInf
			case r == thrRow:
				glyph, paint = "┄", st.Warn
			}
			b.WriteString(paint.Apply(glyph))
		}
		if r == thrRow {
			b.WriteString(st.Warn.Apply(label))
		}
		out = append(out, b.String())
	}
	if !s.Crossed.IsZero() && !s.Held && ev.Window.Duration() > 0 {
		col := int(float64(s.Crossed.Sub(ev.Window.From)) / float64(ev.Window.Duration()) * float64(cols))
		col = max(0, min(cols-1, col))
		out = append(out, strings.Repeat(" ", col)+st.Error.Apply("^ crossed"))
	}
	return out
}

// seriesName writes a series' labels as {a="1", b="2"}, the metric's
// name first.
func seriesName(ls map[string]string) string {
	keys := make([]string, 0, len(ls))
	for k := range ls {
		if k != "__name__" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + strconv.Quote(ls[k])
	}
	return ls["__name__"] + "{" + strings.Join(parts, ", ") + "}"
}

// fitLine cuts a line that is too wide.
func fitLine(s string, width int) string {
	if ansi.StringWidth(s) <= width {
		return s
	}
	return ansi.Truncate(s, width-1, "") + "…"
}

// wrapWords breaks s at spaces into lines of at most width cells (a word
// longer than that is cut by fitLine).
func wrapWords(s string, width int) []string {
	width = max(width, 10)
	var out []string
	var cur string
	for _, w := range strings.Split(s, " ") {
		// a word longer than a line is cut into lines
		for ansi.StringWidth(w) > width {
			if cur != "" {
				out = append(out, cur)
				cur = ""
			}
			out = append(out, ansi.Cut(w, 0, width))
			w = ansi.Cut(w, width, ansi.StringWidth(w))
		}
		switch {
		case cur == "":
			cur = w
		case ansi.StringWidth(cur)+1+ansi.StringWidth(w) <= width:
			cur += " " + w
		default:
			out = append(out, cur)
			cur = w
		}
	}
	return append(out, cur)
}

// oneSpaced writes an expression on one line, its runs of blanks one
// space.
func oneSpaced(s string) string { return strings.Join(strings.Fields(s), " ") }

func shortDur(d time.Duration) string {
	switch {
	case d < time.Minute:
		return strconv.Itoa(int(d/time.Second)) + "s"
	case d < time.Hour && d%time.Minute == 0:
		return strconv.Itoa(int(d/time.Minute)) + "m"
	case d%time.Hour == 0:
		return strconv.Itoa(int(d/time.Hour)) + "h"
	}
	return d.Truncate(time.Second).String()
}

func shortAgo(d time.Duration) string {
	switch {
	case d < time.Minute:
		return strconv.Itoa(int(max(d, 0)/time.Second)) + "s ago"
	case d < time.Hour:
		return strconv.Itoa(int(d/time.Minute)) + "m ago"
	}
	return fmt.Sprintf("%dh%02dm ago", int(d/time.Hour), int(d%time.Hour/time.Minute))
}
