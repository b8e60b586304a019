package render

import (
	"bufio"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/tui/styles"
)

// PatternsOptions say how to draw a table of log patterns.
type PatternsOptions struct {
	// Width in columns; 0 draws the patterns whole (piped output).
	Width  int
	Styles *styles.Styles
	// Range is the window of the sparklines; Step the patterns' samples'
	// step: a sample at t counts the lines of [t, t+step).
	Range sources.TimeRange
	Step  time.Duration
}

// PatternColumns are the widths of a patterns table's columns: the count,
// the level, the sparkline and the pattern (0: not cut).
type PatternColumns struct {
	Count, Level, Spark, Pattern int
}

const (
	patternLevelW   = 5
	minPatternW     = 10
	pipedSparkCells = 20
)

// NewPatternColumns lays out a table of pats width columns wide (0: the
// patterns whole).
func NewPatternColumns(width int, pats []sources.LogPattern) PatternColumns {
	c := PatternColumns{Count: len("COUNT"), Level: patternLevelW, Spark: pipedSparkCells}
	for i := range pats {
		c.Count = max(c.Count, len(strconv.FormatInt(pats[i].Count, 10)))
	}
	if width <= 0 {
		return c
	}
	c.Spark = max(10, min(width/5, 40))
	c.Pattern = max(minPatternW, width-c.Count-c.Level-c.Spark-3)
	return c
}

// PatternHeader is the table's header row.
func PatternHeader(c PatternColumns, st *styles.Styles) string {
	if st == nil {
		st = styles.New(false)
	}
	return st.Header.Apply(FitRight("COUNT", c.Count)) + " " + st.Header.Apply(Fit("LEVEL", c.Level)) + " " +
		st.Header.Apply(Fit("TREND", c.Spark)) + " " + st.Header.Apply("PATTERN")
}

// AppendPatternRow appends one pattern's row, without a newline: its
// count, its level, a sparkline of its samples over o.Range (a blank where
// it had no line) in the level's colour, and the pattern, sanitised and
// cut to the column, its variable parts (<_>) dimmed.
func AppendPatternRow(buf []byte, p *sources.LogPattern, c PatternColumns, o *PatternsOptions) []byte {
	st := o.Styles
	if st == nil {
		st = &styles.Styles{}
	}
	buf = append(buf, FitRight(strconv.FormatInt(p.Count, 10), c.Count)...)
	buf = append(buf, ' ')
	lp := levelPaint(st, p.Level)
	name, ok := levelNames[p.Level]
	if !ok {
		name = "     "
	}
	buf = append(buf, lp.On...)
	buf = append(buf, Fit(name, c.Level)...)
	buf = append(buf, lp.Off...)
	buf = append(buf, ' ')

	r := o.Range
	if r.Duration() <= 0 {
		r.To = r.From.Add(max(o.Step, time.Second))
	}
	grid := newStepGrid(r, o.Step)
	vals := stepValues(nil, p.Samples, grid.start, grid.step, grid.n, func(t time.Time) time.Time { return t })
	cells := grid.columns(nil, vals, r, c.Spark)
	top := 0.0
	for _, v := range cells {
		top = math.Max(top, v)
	}
	buf = append(buf, lp.On...)
	for _, v := range cells {
		if v <= 0 || top <= 0 {
			buf = append(buf, ' ')
			continue
		}
		lv := int(math.Ceil(v/top*8)) - 1
		buf = append(buf, sparkLevels[max(0, min(lv, 7))]...)
	}
	buf = append(buf, lp.Off...)
	buf = append(buf, ' ')

	text := sources.Sanitize(p.Pattern)
	if text == "" {
		return append(buf, st.Dim.Apply("(empty)")...)
	}
	if c.Pattern > 0 && Width(text) > c.Pattern {
		text = ansi.Truncate(text, c.Pattern, "…")
	}
	if st.Dim.On != "" {
		text = strings.ReplaceAll(text, "<_>", st.Dim.Apply("<_>"))
	}
	return append(buf, text...)
}

// Patterns writes a table of patterns in the order given (the sources
// give them largest first): a header and a row each.
func Patterns(w io.Writer, pats []sources.LogPattern, o PatternsOptions) error {
	bw := bufio.NewWriterSize(w, 32<<10)
	c := NewPatternColumns(o.Width, pats)
	bw.WriteString(PatternHeader(c, o.Styles))
	bw.WriteByte('\n')
	var buf []byte
	for i := range pats {
		buf = AppendPatternRow(buf[:0], &pats[i], c, &o)
		buf = append(buf, '\n')
		bw.Write(buf)
	}
	return bw.Flush()
}
