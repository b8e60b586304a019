package render

import (
	"bufio"
	"io"
	"math"
	"strings"
	"time"

	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/tui/styles"
)

// ChartOptions say how to draw a line chart.
type ChartOptions struct {
	Width  int
	Height int // rows of the plot (default 12)
	Styles *styles.Styles
	Range  sources.TimeRange
	Step   time.Duration
	// Location is where time labels are read (time.Local when nil).
	Location *time.Location
}

// braille dot bits by (x, y) within a 2×4 cell.
var brailleBits = [4][2]rune{{0x01, 0x08}, {0x02, 0x10}, {0x04, 0x20}, {0x40, 0x80}}

// Chart draws rows as lines in braille dots (two columns and four rows of
// dots per cell) on a shared y-axis labelled in the rows' unit (the
// first row's), a time axis under it, and a legend with each row's last
// value. Gaps stay gaps; infinities are not drawn.
func Chart(w io.Writer, rows []MetricRow, o ChartOptions) error {
	bw := bufio.NewWriterSize(w, 16<<10)
	st := o.Styles
	if st == nil {
		st = styles.New(false)
	}
	loc := o.Location
	if loc == nil {
		loc = time.Local
	}
	height := o.Height
	if height <= 0 {
		height = 12
	}
	unit := UnitNone
	if len(rows) > 0 {
		unit = rows[0].Unit
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for i := range rows {
		if rows[i].Stats.N > 0 {
			lo, hi = math.Min(lo, rows[i].Stats.Min), math.Max(hi, rows[i].Stats.Max)
		}
	}
	if math.IsInf(lo, 1) {
		lo, hi = 0, 1
	}
	if lo > 0 && lo < (hi-lo) { // near zero: start the axis at zero
		lo = 0
	}
	if hi == lo {
		hi = lo + 1
	}

	// y labels at every other row, top to bottom
	yLabels := make([]string, height)
	axisW := 0
	for r := 0; r < height; r += 2 {
		v := hi - (hi-lo)*float64(r)/float64(height-1)
		yLabels[r] = FormatValue(v, unit)
		axisW = max(axisW, len([]rune(yLabels[r])))
	}
	bottom := FormatValue(lo, unit)
	yLabels[height-1] = bottom
	axisW = max(axisW, len([]rune(bottom)))
	cols := max(10, o.Width-axisW-2)

	// plot: dots per cell, and which row owns each cell (its colour)
	px, py := cols*2, height*4
	dots := make([]rune, cols*height)
	owner := make([]int, cols*height)
	set := func(x, y, row int) {
		if x < 0 || x >= px || y < 0 || y >= py {
			return
		}
		i := (y/4)*cols + x/2
		dots[i] |= brailleBits[y%4][x%2]
		owner[i] = row
	}
	var cells []cell
	for ri := range rows {
		cells = resample(cells, rows[ri].Points, o.Range, o.Step, px)
		prev := -1
		for x := range cells {
			v, ok := cells[x].value()
			if !ok {
				prev = -1
				continue
			}
			y := int(math.Round((hi - v) / (hi - lo) * float64(py-1)))
			y = max(0, min(y, py-1))
			if prev >= 0 && prev != y {
				// join to the previous column: the first half of the
				// jump on its column, the second half on this one
				dir := 1
				if y < prev {
					dir = -1
				}
				mid := prev + (y-prev)/2 // rounds towards prev either way
				for yy := prev + dir; yy != mid+dir; yy += dir {
					set(x-1, yy, ri)
				}
				for yy := mid + dir; yy != y; yy += dir {
					set(x, yy, ri)
				}
			}
			set(x, y, ri)
			prev = y
		}
	}
	for r := 0; r < height; r++ {
		bw.WriteString(st.Dim.Apply(FitRight(yLabels[r], axisW)))
		if yLabels[r] != "" {
			bw.WriteString(st.Ruler.Apply(" ┤"))
		} else {
			bw.WriteString(st.Ruler.Apply(" │"))
		}
		for c := 0; c < cols; c++ {
			i := r*cols + c
			if dots[i] == 0 {
				bw.WriteByte(' ')
				continue
			}
			p := st.Service(rows[owner[i]].Key)
			bw.WriteString(p.On)
			bw.WriteRune(0x2800 + dots[i])
			bw.WriteString(p.Off)
		}
		bw.WriteByte('\n')
	}
	writeTimeAxis(bw, o.Range, cols, axisW, st, loc)
	// the legend: the values first, so that a long name is what gets cut
	for i := range rows {
		r := &rows[i]
		indent := axisW + 2
		values := "last " + FormatValue(r.Stats.Last, r.Unit) + " · max " + FormatValue(r.Stats.Max, r.Unit) + "  "
		room := max(8, o.Width-indent-3-len([]rune(values)))
		bw.WriteString(strings.Repeat(" ", indent))
		bw.WriteString(st.Service(r.Key).Apply("━━"))
		bw.WriteByte(' ')
		bw.WriteString(st.Dim.Apply(values))
		bw.WriteString(strings.TrimRight(Fit(r.Name, room), " "))
		bw.WriteByte('\n')
	}
	return bw.Flush()
}

// timeTicks are the intervals time labels are placed at.
var timeTicks = []time.Duration{
	time.Second, 5 * time.Second, 10 * time.Second, 30 * time.Second, time.Minute, 2 * time.Minute, 5 * time.Minute,
	10 * time.Minute, 15 * time.Minute, 30 * time.Minute, time.Hour, 2 * time.Hour, 3 * time.Hour, 6 * time.Hour,
	12 * time.Hour, 24 * time.Hour, 2 * 24 * time.Hour, 7 * 24 * time.Hour,
	// windows of months to millennia (--from 0): without these, the axis
	// stepped a week at a time through them
	30 * 24 * time.Hour, 91 * 24 * time.Hour, 365 * 24 * time.Hour, 5 * 365 * 24 * time.Hour,
	25 * 365 * 24 * time.Hour, 100 * 365 * 24 * time.Hour,
}

// writeTimeAxis writes the x-axis (└──┬──) and time labels at round
// times, as many as fit.
func writeTimeAxis(w *bufio.Writer, r sources.TimeRange, cols, axisW int, st *styles.Styles, loc *time.Location) {
	layout := "15:04"
	if r.Duration() < 2*time.Minute {
		layout = "15:04:05"
	} else if r.Duration() > 365*24*time.Hour {
		layout = "2006-01-02"
	} else if r.Duration() > 24*time.Hour {
		layout = "01-02 15:04"
	}
	pick := func(labelW int) time.Duration {
		for _, t := range timeTicks {
			if float64(t)/float64(r.Duration())*float64(cols) >= float64(labelW) {
				return t
			}
		}
		return timeTicks[len(timeTicks)-1]
	}
	tick := pick(len(layout) + 2)
	if tick < time.Minute && layout == "15:04" {
		// ticks closer than a minute need their seconds
		layout = "15:04:05"
		tick = pick(len(layout) + 2)
	}
	axis := []rune(strings.Repeat("─", cols))
	labels := []rune(strings.Repeat(" ", cols))
	// round times in loc: truncate in the zone's wall clock
	_, off := r.From.In(loc).Zone()
	offset := time.Duration(off) * time.Second
	first := r.From.Add(offset).Truncate(tick).Add(-offset)
	if first.Before(r.From) {
		first = first.Add(tick)
	}
	next := 0
	for t := first; !t.After(r.To); t = t.Add(tick) {
		c := int(float64(t.Sub(r.From)) / float64(r.Duration()) * float64(cols))
		if c >= cols {
			c = cols - 1
		}
		axis[c] = '┬'
		label := []rune(t.In(loc).Format(layout))
		start := max(0, min(c-len(label)/2, cols-len(label)))
		if start >= next && start+len(label) <= len(labels) {
			copy(labels[start:], label)
			next = start + len(label) + 1
		}
	}
	w.WriteString(strings.Repeat(" ", axisW+1))
	w.WriteString(st.Ruler.Apply("└" + string(axis)))
	w.WriteByte('\n')
	w.WriteString(strings.Repeat(" ", axisW+2))
	w.WriteString(st.Dim.Apply(strings.TrimRight(string(labels), " ")))
	w.WriteByte('\n')
}
