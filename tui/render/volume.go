package render

import (
	"bufio"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/tui/styles"
)

// VolumeOptions say how to draw a log volume histogram.
type VolumeOptions struct {
	// Width in columns (80 when 0).
	Width int
	// Height is the rows of the bars (default 4).
	Height int
	Styles *styles.Styles
	// Range is the window drawn; Step the series' step: a point at t
	// counts the lines of (t-step, t], as sources.LogVolumeSource says.
	Range sources.TimeRange
	Step  time.Duration
	// Mark, when not zero, is marked over the bars (the open trace's
	// window), at the edge when it lies outside Range.
	Mark sources.TimeRange
	// Location is where time labels are read (time.Local when nil).
	Location *time.Location
}

// VolumeLevels are the groups of levels a histogram stacks, bottom up:
// fatal counts as error, trace as debug, any other level as unknown.
var VolumeLevels = []string{"error", "warn", "info", "debug", "unknown"}

// volumeGroup is the index in VolumeLevels of a normalised level.
func volumeGroup(level string) int {
	switch level {
	case "error", "fatal":
		return 0
	case "warn":
		return 1
	case "info":
		return 2
	case "debug", "trace":
		return 3
	}
	return 4
}

// volumePaint is the colour of a group: the log lines' level colours
// (unknown in the terminal's own colour, the bars' errors without bold).
func volumePaint(st *styles.Styles, g int) styles.Paint {
	switch g {
	case 0:
		return st.ErrorBar
	case 1:
		return st.Warn
	case 2:
		return st.Info
	case 3:
		return st.Dim
	}
	return styles.Paint{}
}

// volumeShades tell the groups apart without colour.
var volumeShades = [5]string{"█", "▓", "▒", "░", "▚"}

const defaultVolumeHeight = 4

// VolumeCells is how many columns of bars a histogram width columns wide
// draws for a window: the number of steps worth asking for.
func VolumeCells(width int) int {
	if width <= 0 {
		width = 80
	}
	return max(10, width-volumeAxisW-2)
}

// volumeAxisW is the room the y-axis label takes (a count, SI-shortened).
const volumeAxisW = 5

// stepValues lays points of one step over r out densely, the step k
// starting at start + k*step. at says which step a point belongs to.
func stepValues(dst []float64, pts []sources.Point, start time.Time, step time.Duration, n int, at func(t time.Time) time.Time) []float64 {
	if cap(dst) < n {
		dst = make([]float64, n)
	}
	dst = dst[:n]
	clear(dst)
	for _, p := range pts {
		if math.IsNaN(p.Value) || math.IsInf(p.Value, 0) {
			continue
		}
		k := int(math.Floor(float64(at(p.Time).Sub(start)) / float64(step)))
		if k >= 0 && k < n {
			dst[k] += p.Value
		}
	}
	return dst
}

// stepGrid is the steps of a window: aligned to the epoch, from the one
// holding r.From to the one holding r.To.
type stepGrid struct {
	start time.Time
	step  time.Duration
	n     int
}

func newStepGrid(r sources.TimeRange, step time.Duration) stepGrid {
	if step <= 0 {
		step = max(time.Second, r.Duration()/100)
	}
	s := int64(step)
	from := r.From.UnixNano()
	from -= ((from % s) + s) % s
	n := int((r.To.UnixNano()-from)/s) + 1
	return stepGrid{start: time.Unix(0, from), step: step, n: max(1, min(n, sources.MaxPoints))}
}

// columns turns per-step values into cols columns over r: each column the
// mean of the steps that start in its slice of r, or when none does (a
// step wider than a column) the value of the step holding its start.
func (g stepGrid) columns(dst, vals []float64, r sources.TimeRange, cols int) []float64 {
	if cap(dst) < cols {
		dst = make([]float64, cols)
	}
	dst = dst[:cols]
	d := float64(r.Duration())
	if d <= 0 {
		d = 1
	}
	colStart := func(c int) float64 { return float64(r.From.Sub(g.start)) + d*float64(c)/float64(cols) }
	for c := range dst {
		lo, hi := colStart(c), colStart(c+1)
		k0 := int(math.Ceil(lo / float64(g.step)))
		k1 := int(math.Ceil(hi/float64(g.step))) - 1 // the last step starting before hi
		sum, n := 0.0, 0
		for k := max(k0, 0); k <= k1 && k < len(vals); k++ {
			sum += vals[k]
			n++
		}
		if n == 0 {
			if k := int(math.Floor(lo / float64(g.step))); k >= 0 && k < len(vals) {
				sum, n = vals[k], 1
			}
		}
		dst[c] = 0
		if n > 0 {
			dst[c] = sum / float64(n)
		}
	}
	return dst
}

// LogVolume writes a histogram of a log query's volume: series (one per
// level, in the label "level") stacked per column by level, errors at the
// bottom, each level in its colour (without colour, in its own shade), the
// largest column's count on the y-axis, a time axis, the mark over the
// bars, and a legend with each level's total.
func LogVolume(w io.Writer, series []sources.Series, o VolumeOptions) error {
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
		height = defaultVolumeHeight
	}
	cols := VolumeCells(o.Width)
	if o.Range.Duration() <= 0 { // a window of one instant: its step
		o.Range.To = o.Range.From.Add(max(o.Step, time.Second))
	}
	grid := newStepGrid(o.Range, o.Step)
	// a point at t counts (t-step, t]: the step that starts a step before
	endAnchored := func(t time.Time) time.Time { return t.Add(-grid.step) }

	var totals [5]float64
	var byGroup [5][]float64
	var vals []float64
	for i := range series {
		g := volumeGroup(series[i].Labels["level"])
		for _, p := range series[i].Points {
			if !math.IsNaN(p.Value) && !math.IsInf(p.Value, 0) {
				totals[g] += p.Value
			}
		}
		vals = stepValues(vals, series[i].Points, grid.start, grid.step, grid.n, endAnchored)
		colv := grid.columns(nil, vals, o.Range, cols)
		if byGroup[g] == nil {
			byGroup[g] = colv
			continue
		}
		for c := range colv {
			byGroup[g][c] += colv[c]
		}
	}
	top := 0.0
	colTotal := make([]float64, cols)
	for c := range colTotal {
		for g := range byGroup {
			if byGroup[g] != nil {
				colTotal[c] += byGroup[g][c]
			}
		}
		top = math.Max(top, colTotal[c])
	}

	// the mark, over the bars
	if !o.Mark.From.IsZero() || !o.Mark.To.IsZero() {
		d := o.Range.Duration()
		col := func(t time.Time) int {
			if d <= 0 {
				return 0
			}
			return max(0, min(cols-1, int(float64(t.Sub(o.Range.From))/float64(d)*float64(cols))))
		}
		c0, c1 := col(o.Mark.From), col(o.Mark.To)
		bw.WriteString(strings.Repeat(" ", volumeAxisW+2+c0))
		bw.WriteString(st.Critical.Apply(strings.Repeat("▼", c1-c0+1)))
		bw.WriteByte('\n')
	}

	// the bars: each column's stack in eighths of a row, by group
	eighths := height * 8
	stacks := make([][5]int, cols) // cumulative tops per group, in eighths
	for c := range stacks {
		if top <= 0 {
			break
		}
		cum := 0.0
		for g := range byGroup {
			if byGroup[g] != nil {
				cum += byGroup[g][c]
			}
			e := int(math.Round(cum / top * float64(eighths)))
			if cum > 0 && e == 0 {
				e = 1 // a column with lines shows them
			}
			stacks[c][g] = e
		}
	}
	var line []byte
	for row := height - 1; row >= 0; row-- {
		line = line[:0]
		label := ""
		if row == height-1 && top > 0 {
			label = countLabel(top)
		}
		line = append(line, st.Dim.Apply(FitRight(label, volumeAxisW))...)
		if label != "" {
			line = append(line, st.Ruler.Apply(" ┤")...)
		} else {
			line = append(line, st.Ruler.Apply(" │")...)
		}
		lo := row * 8
		var cur styles.Paint // runs of one paint share their escape sequences
		for c := range stacks {
			s := &stacks[c]
			h := s[4]
			if h <= lo {
				line = append(line, ' ')
				continue
			}
			// the group holding most of this cell
			best, bestN, prev := 0, -1, 0
			for g := range s {
				n := min(s[g], lo+8) - max(prev, lo)
				if n > bestN {
					best, bestN = g, n
				}
				prev = s[g]
			}
			glyph := volumeShades[best]
			if st.Color {
				glyph = "█"
			}
			if h < lo+8 {
				glyph = sparkLevels[h-lo-1]
			}
			if p := volumePaint(st, best); p != cur {
				line = append(line, cur.Off...)
				line = append(line, p.On...)
				cur = p
			}
			line = append(line, glyph...)
		}
		line = append(line, cur.Off...)
		line = append(line, '\n')
		bw.Write(line)
	}
	writeTimeAxis(bw, o.Range, cols, volumeAxisW, st, loc)

	// the legend: each level present with its total, then the sum
	legend := strings.Repeat(" ", volumeAxisW+2)
	room := max(10, o.widthOr80()-len(legend))
	var parts []string
	var sum float64
	for g, name := range VolumeLevels {
		if totals[g] == 0 {
			continue
		}
		sum += totals[g]
		swatch := volumeShades[g]
		if st.Color {
			swatch = "█"
		}
		parts = append(parts, volumePaint(st, g).Apply(swatch)+" "+name+" "+countText(totals[g]))
	}
	tail := countText(sum) + " lines"
	switch sum {
	case 0:
		tail = "no lines"
	case 1:
		tail = "1 line"
	}
	// the levels' totals first, then the sum and the step when there is
	// room for them
	var text string
	for _, extra := range []string{tail + " · " + shortDuration(grid.step) + " steps", tail, ""} {
		all := parts
		if extra != "" || len(parts) == 0 {
			all = append(parts[:len(parts):len(parts)], st.Dim.Apply(extra))
		}
		if text = strings.Join(all, "  "); Width(text) <= room {
			break
		}
	}
	legend += strings.TrimRight(Fit(text, room), " ")
	bw.WriteString(legend)
	bw.WriteByte('\n')
	return bw.Flush()
}

func (o *VolumeOptions) widthOr80() int {
	if o.Width <= 0 {
		return 80
	}
	return o.Width
}

// countText writes a count in full (12345).
func countText(v float64) string {
	return strconv.FormatFloat(math.Round(v), 'f', -1, 64)
}

// countLabel writes a count short enough for the axis: 950, 12.3k, 4.5M.
func countLabel(v float64) string {
	if v < 10000 {
		return countText(v)
	}
	return SI(v)
}
