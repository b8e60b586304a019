package render

import (
	"io"
	"strings"
	"time"

	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/tui/styles"
)

// Marks of exemplars on the marker row under a metrics table's sparklines.
const (
	MarkExemplar         = "◆"
	MarkExemplarSelected = "▲"
)

// ExemplarMarker returns a line to go under a MetricTable of rows drawn
// with o: label in the name column, and ◆ under the sparkline columns that
// hold an exemplar's time (of those in o.Range), the selected exemplar's
// (an index into ex; -1 for none) ▲ in the highlight's colour.
func ExemplarMarker(rows []MetricRow, o MetricTableOptions, ex []sources.Exemplar, selected int, label string) string {
	st := o.Styles
	if st == nil {
		st = styles.New(false)
	}
	nameW, sparkW := tableLayout(rows, o)
	cells := make([]string, sparkW)
	for i := range cells {
		cells[i] = " "
	}
	for i, e := range ex {
		c, ok := exemplarColumn(o.Range, sparkW, e.Time)
		if !ok {
			continue
		}
		if i == selected {
			cells[c] = st.Highlight.Apply(MarkExemplarSelected)
		} else if cells[c] == " " {
			cells[c] = st.Info.Apply(MarkExemplar)
		}
	}
	var b strings.Builder
	b.WriteString(st.Dim.Apply(Fit(label, nameW)))
	b.WriteByte(' ')
	b.WriteString(strings.TrimRight(strings.Join(cells, ""), " "))
	return b.String()
}

// exemplarColumn is the sparkline column of t in a sparkline of n columns
// over r, and whether t is within r.
func exemplarColumn(r sources.TimeRange, n int, t time.Time) (int, bool) {
	d := r.Duration()
	if d <= 0 || n <= 0 || t.Before(r.From) || t.After(r.To) {
		return 0, false
	}
	return max(0, min(n-1, int(float64(t.Sub(r.From))/float64(d)*float64(n)))), true
}

// InRange returns the exemplars within r, in their order.
func InRange(ex []sources.Exemplar, r sources.TimeRange) []sources.Exemplar {
	var out []sources.Exemplar
	for _, e := range ex {
		if !e.Time.Before(r.From) && !e.Time.After(r.To) {
			out = append(out, e)
		}
	}
	return out
}

// ExemplarTableOptions say how to list exemplars.
type ExemplarTableOptions struct {
	Width    int
	Styles   *styles.Styles
	Unit     Unit // of the values
	Location *time.Location
	// Selected, when in range, is marked ▲ (the Metrics pane's); -1: no
	// selection, and no column for its mark.
	Selected int
}

// ExemplarTable writes exemplars as a table: time, value, trace ID, and
// the labels that tell their series apart (sanitised), oldest first.
func ExemplarTable(w io.Writer, ex []sources.Exemplar, o ExemplarTableOptions) {
	st := o.Styles
	if st == nil {
		st = styles.New(false)
	}
	loc := o.Location
	if loc == nil {
		loc = time.Local
	}
	series := make([]sources.Series, len(ex))
	for i, e := range ex {
		series[i] = sources.Series{Labels: e.Series}
	}
	_, distinct := SplitLabels(series)
	layout := "15:04:05.000"
	if len(ex) > 0 && ex[0].Time.In(loc).YearDay() != ex[len(ex)-1].Time.In(loc).YearDay() {
		layout = "01-02 15:04:05"
	}
	cells := make([][]string, len(ex))
	for i, e := range ex {
		mark := " "
		if i == o.Selected {
			mark = MarkExemplarSelected
		}
		trace := string(e.TraceID)
		if trace == "" {
			trace = "—"
		}
		cells[i] = []string{mark, e.Time.In(loc).Format(layout), FormatValue(e.Value, o.Unit), trace, FormatLabels(e.Series, distinct)}
	}
	t := &Table{Head: []string{"", "TIME", "VALUE", "TRACE", "SERIES"}, Rows: cells, Right: []bool{false, false, true},
		Flex: []int{4, 3}, MinFlex: 8, Width: o.Width, Styles: st}
	if o.Selected < 0 {
		// no selection: no column for its mark
		t.Head, t.Right, t.Flex = t.Head[1:], t.Right[1:], []int{3, 2}
		for i := range cells {
			cells[i] = cells[i][1:]
		}
	}
	t.Write(w)
}
