package render

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/tui/styles"
)

// SeriesSummary is a series' minimum, mean and maximum over its finite values,
// and its last value that is not NaN. With no finite value, N is 0 and
// Min, Avg and Max are NaN.
type SeriesSummary struct {
	Min, Avg, Max, Last float64
	N                   int
}

// SeriesStats computes the stats of pts.
func SeriesStats(pts []sources.Point) SeriesSummary {
	s := SeriesSummary{Min: math.Inf(1), Max: math.Inf(-1), Last: math.NaN()}
	sum := 0.0
	for _, p := range pts {
		v := p.Value
		if math.IsNaN(v) {
			continue
		}
		s.Last = v
		if math.IsInf(v, 0) {
			continue
		}
		s.N++
		sum += v
		s.Min = math.Min(s.Min, v)
		s.Max = math.Max(s.Max, v)
	}
	if s.N == 0 {
		s.Min, s.Avg, s.Max = math.NaN(), math.NaN(), math.NaN()
		return s
	}
	s.Avg = sum / float64(s.N)
	return s
}

// SplitLabels separates the labels every series shares from those that
// tell them apart. common is sorted by name (__name__ first); distinct
// lists the label names that differ, sorted the same way.
func SplitLabels(series []sources.Series) (common []string, distinct []string) {
	if len(series) == 0 {
		return nil, nil
	}
	names := map[string]bool{}
	for i := range series {
		for k := range series[i].Labels {
			names[k] = true
		}
	}
	for k := range names {
		v, ok := series[0].Labels[k]
		same := ok
		for i := 1; same && i < len(series); i++ {
			w, ok := series[i].Labels[k]
			same = ok && w == v
		}
		if same && len(series) > 1 {
			common = append(common, k)
		} else {
			distinct = append(distinct, k)
		}
	}
	sortLabelNames(common)
	sortLabelNames(distinct)
	return common, distinct
}

func sortLabelNames(names []string) {
	sort.Slice(names, func(i, j int) bool {
		if (names[i] == "__name__") != (names[j] == "__name__") {
			return names[i] == "__name__"
		}
		return names[i] < names[j]
	})
}

// FormatLabels formats the named labels as name=value (the metric name
// bare), sanitised, space-separated; "{}" when there are none.
func FormatLabels(labels map[string]string, names []string) string {
	var b strings.Builder
	for _, k := range names {
		v, ok := labels[k]
		if !ok {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		if k == "__name__" {
			b.WriteString(sources.Sanitize(v))
			continue
		}
		b.WriteString(sources.Sanitize(k))
		b.WriteByte('=')
		b.WriteString(sources.Sanitize(v))
	}
	if b.Len() == 0 {
		return "{}"
	}
	return b.String()
}

// MetricRow is a row of a metrics table: a name, its points and their
// stats, in a unit.
type MetricRow struct {
	Name   string // what tells the row apart (sanitised)
	Index  int    // the row's series in the slice MetricRows was given
	Key    string // colour key: the same key, the same colour
	Points []sources.Point
	Stats  SeriesSummary
	Unit   Unit
}

// MetricRows turns series into rows named by their distinguishing labels,
// and returns the common labels formatted for a header.
func MetricRows(series []sources.Series, unit Unit) (header string, rows []MetricRow) {
	common, distinct := SplitLabels(series)
	if len(common) > 0 {
		header = FormatLabels(series[0].Labels, common)
	}
	rows = make([]MetricRow, len(series))
	for i := range series {
		name := FormatLabels(series[i].Labels, distinct)
		rows[i] = MetricRow{Name: name, Key: name, Index: i, Points: series[i].Points, Stats: SeriesStats(series[i].Points), Unit: unit}
	}
	return header, rows
}

// Sort orders of SortRows.
const (
	SortLast = "last"
	SortMax  = "max"
	SortName = "name"
)

// SortRows orders rows by name, or by last or max value, largest first
// (rows with no value last), ties by name.
func SortRows(rows []MetricRow, by string) {
	key := func(r *MetricRow) float64 {
		v := r.Stats.Last
		if by == SortMax {
			v = r.Stats.Max
		}
		if math.IsNaN(v) {
			return math.Inf(-1)
		}
		return v
	}
	sort.SliceStable(rows, func(i, j int) bool {
		if by != SortName {
			a, b := key(&rows[i]), key(&rows[j])
			if a != b {
				return a > b
			}
		}
		return rows[i].Name < rows[j].Name
	})
}

// MetricTableOptions say how to draw a metrics table.
type MetricTableOptions struct {
	Width  int
	Styles *styles.Styles
	// Range and Step are the query's: columns are slices of Range, and a
	// sample holds for a Step.
	Range sources.TimeRange
	Step  time.Duration
	// Title names the first column (SERIES when empty).
	Title string
	// Cursor, when not zero and in Range, is marked ┃ on the marker row
	// (MetricMarker; over the trace's ▼, that ▼ in the cursor's colour):
	// the time cursor of the explorer.
	Cursor time.Time
}

// MarkCursor marks the time cursor on a metrics' time axis.
const MarkCursor = "┃"

const (
	statWidth     = 8
	statCols      = 4
	minSparkCells = 10
	minNameWidth  = 8
)

// MetricLayout returns the widths of the name column and the sparkline
// in a table width columns wide whose longest name is nameWidth.
func MetricLayout(width, nameWidth int) (name, spark int) {
	width = max(width, minNameWidth+1+minSparkCells+statCols*(statWidth+1))
	limit := max(minNameWidth, min(width*3/10, 64))
	name = max(minNameWidth, min(nameWidth, limit))
	spark = width - name - 1 - statCols*(statWidth+1)
	return name, spark
}

// SparkCells is the most columns a table width columns wide gives a
// sparkline: the number of points worth asking for.
func SparkCells(width int) int {
	_, spark := MetricLayout(width, 0)
	return spark
}

// MetricTable writes a header line and one line per row: the name, a
// sparkline of the row's points scaled to its own range, and its min,
// avg, max and last.
func MetricTable(w io.Writer, rows []MetricRow, o MetricTableOptions) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	st := o.Styles
	if st == nil {
		st = styles.New(false)
	}
	title := o.Title
	if title == "" {
		title = "SERIES"
	}
	nameW, sparkW := tableLayout(rows, o)
	bw.WriteString(st.Header.Apply(Fit(title, nameW)))
	bw.WriteByte(' ')
	bw.WriteString(strings.Repeat(" ", sparkW))
	for _, h := range []string{"MIN", "AVG", "MAX", "LAST"} {
		bw.WriteByte(' ')
		bw.WriteString(st.Header.Apply(FitRight(h, statWidth)))
	}
	bw.WriteByte('\n')
	var cells []cell
	var line []byte
	for i := range rows {
		r := &rows[i]
		line = line[:0]
		line = append(line, Fit(r.Name, nameW)...)
		line = append(line, ' ')
		cells = resample(cells, r.Points, o.Range, o.Step, sparkW)
		p := st.Service(r.Key)
		line = append(line, p.On...)
		line = appendSparkline(line, cells, r.Stats.Min, r.Stats.Max)
		line = append(line, p.Off...)
		for _, v := range []float64{r.Stats.Min, r.Stats.Avg, r.Stats.Max, r.Stats.Last} {
			line = append(line, ' ')
			s := FitRight(FormatValue(v, r.Unit), statWidth)
			if math.IsNaN(v) {
				s = st.Dim.Apply(FitRight("—", statWidth))
			}
			line = append(line, s...)
		}
		line = append(line, '\n')
		bw.Write(line)
	}
	return bw.Flush()
}

// tableLayout returns the widths of a MetricTable's name column and
// sparklines.
func tableLayout(rows []MetricRow, o MetricTableOptions) (name, spark int) {
	longest := len(o.Title)
	if o.Title == "" {
		longest = len("SERIES")
	}
	for i := range rows {
		longest = max(longest, ansi.StringWidth(rows[i].Name))
	}
	return MetricLayout(o.Width, longest)
}

// MetricMarker returns a line to go over a MetricTable of rows drawn
// with o: label in the name column, and ▼ over the sparkline columns of
// the times mark covers (at the edge when mark lies outside o.Range).
func MetricMarker(rows []MetricRow, o MetricTableOptions, mark sources.TimeRange, label string) string {
	st := o.Styles
	if st == nil {
		st = styles.New(false)
	}
	nameW, sparkW := tableLayout(rows, o)
	d := o.Range.Duration()
	col := func(t time.Time) int {
		if d <= 0 {
			return 0
		}
		return max(0, min(sparkW-1, int(float64(t.Sub(o.Range.From))/float64(d)*float64(sparkW))))
	}
	cells := make([]string, sparkW)
	for i := range cells {
		cells[i] = " "
	}
	if !mark.From.IsZero() {
		c0, c1 := col(mark.From), col(mark.To)
		for i := c0; i <= c1; i++ {
			cells[i] = st.Critical.Apply("▼")
		}
	}
	if c := o.Cursor; !c.IsZero() && !c.Before(o.Range.From) && !c.After(o.Range.To) {
		// over the trace's mark, the mark stays, in the cursor's colour
		if i := col(c); cells[i] == " " {
			cells[i] = st.Highlight.Apply(MarkCursor)
		} else {
			cells[i] = st.Highlight.Apply("▼")
		}
	}
	var b strings.Builder
	b.WriteString(st.Dim.Apply(Fit(label, nameW)))
	b.WriteByte(' ')
	b.WriteString(strings.TrimRight(strings.Join(cells, ""), " "))
	return b.String()
}

// MetricHeader writes what a metrics table is about: the query, the
// labels every series shares, the range, the step, and how many series
// are shown of how many.
func MetricHeader(w io.Writer, query, common string, r sources.TimeRange, step time.Duration, shown, total int, st *styles.Styles, loc *time.Location) {
	if st == nil {
		st = styles.New(false)
	}
	if loc == nil {
		loc = time.Local
	}
	fmt.Fprintln(w, st.Title.Apply(sources.Sanitize(query)))
	if common != "" {
		fmt.Fprintln(w, st.Dim.Apply(common))
	}
	layout := "2006-01-02 15:04:05"
	to := r.To.In(loc).Format(layout)
	if r.From.In(loc).YearDay() == r.To.In(loc).YearDay() {
		to = r.To.In(loc).Format("15:04:05")
	}
	count := strconv.Itoa(total) + " series"
	if shown < total {
		count = strconv.Itoa(shown) + " of " + count
	}
	fmt.Fprintf(w, "%s → %s %s · step %s · %s\n\n", r.From.In(loc).Format(layout), to, r.To.In(loc).Format("MST"),
		shortDuration(step), count)
}

// shortDuration formats a step: 15s, 1m, 1h30m.
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}
