package cmd

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/sources/logpattern"
	"github.com/telx-cli/telx/sources/loki"
	"github.com/telx-cli/telx/tui/render"
)

// logsInsight runs `telx logs --histogram` and `--patterns` on query (the
// user's, or the first of --trace's) over q.Range. It reports done when
// nothing more is to be printed: the patterns replace the lines, and so
// does the volume in the data formats (-o jsonl, raw); otherwise the
// histogram is drawn and the lines follow as usual.
func logsInsight(ctx context.Context, opts *LogsOptions, src LogBackend, q sources.LogQuery, query, format string, out *bufio.Writer) (done bool, err error) {
	switch {
	case opts.Histogram && opts.Patterns:
		return true, UsageError(errors.New("--histogram and --patterns do not go together"))
	case loki.IsMetricQuery(query):
		return true, UsageError(fmt.Errorf("--histogram and --patterns go with a log query ({…}), not a metric query"))
	case opts.Patterns && opts.Follow:
		return true, UsageError(errors.New("--patterns groups a window's lines: it does not go with --follow"))
	}
	q.Query = query
	if opts.Patterns {
		return true, printPatterns(ctx, opts, src, q, format, out)
	}
	return printVolume(ctx, opts, src, q, format, out)
}

// insightWidth is the width to draw at: --width, the terminal's, else 80
// (piped) for the histogram and 0 (whole patterns) for the table.
func insightWidth(opts *LogsOptions, piped int) int {
	switch {
	case opts.Width > 0:
		return opts.Width
	case opts.IO.IsTTY && opts.IO.Width > 0:
		return opts.IO.Width
	}
	return piped
}

// printVolume draws the volume of q by level, as Loki counts it. When it
// cannot be had, the text output says so on stderr and goes on to the
// lines; the data formats, which print the volume alone, fail.
func printVolume(ctx context.Context, opts *LogsOptions, src LogBackend, q sources.LogQuery, format string, out *bufio.Writer) (bool, error) {
	data := format == "jsonl" || format == "raw"
	width := insightWidth(opts, 80)
	step := sources.AutoStep(q.Range, render.VolumeCells(width))
	vs, ok := src.(sources.LogVolumeSource)
	var series []sources.Series
	err := errors.New("this log source does not count volume")
	if ok {
		series, err = vs.LogVolume(ctx, q, step)
	}
	if err != nil {
		if data || errors.Is(err, context.Canceled) {
			return true, lokiError(err)
		}
		fmt.Fprintf(opts.IO.ErrOut, "telx: warning: no volume histogram: %s\n", firstLine(err.Error()))
		return false, nil
	}
	if data {
		return true, writeSeries(out, series, format, opts)
	}
	vo := render.VolumeOptions{
		Width: width, Styles: opts.Global.Styles(opts.IO), Range: q.Range, Step: step,
		Location: opts.Global.Location(opts.UTC),
	}
	if opts.TraceID != "" && !opts.TimeSet {
		// the window is the trace's (or span's) widened: mark it
		vo.Mark = sources.TimeRange{From: q.Range.From.Add(opts.TraceMargin), To: q.Range.To.Add(-opts.TraceMargin)}
	}
	err = render.LogVolume(out, series, vo)
	if err != nil {
		return true, err
	}
	return false, out.WriteByte('\n')
}

// printPatterns prints the patterns of q's lines, largest first: the
// backend's (Loki's pattern ingester) when it has them for q, else those
// of a clustering of up to --limit lines loaded for q, with a note on
// stderr that says so and why. Loki's patterns are of a stream selector
// alone: a query with a pipeline (filters, parsers) is clustered locally,
// so that the patterns are of the lines asked for (Loki is asked all the
// same, for the better reason when its pattern ingester is off).
func printPatterns(ctx context.Context, opts *LogsOptions, src LogBackend, q sources.LogQuery, format string, out *bufio.Writer) error {
	width := insightWidth(opts, 0)
	cols := render.NewPatternColumns(width, nil)
	step := sources.AutoStep(q.Range, cols.Spark)
	sel, pipeline, _ := loki.SplitSelector(q.Query)

	var pats []sources.LogPattern
	var why string
	if ps, ok := src.(sources.LogPatternSource); !ok {
		why = "this log source finds no patterns"
	} else {
		var err error
		pats, err = ps.LogPatterns(ctx, q, step)
		switch {
		case errors.Is(err, errors.ErrUnsupported):
			why = sources.UnsupportedReason(err)
		case strings.TrimSpace(pipeline) != "":
			// whatever Loki answered, its patterns are not of these lines
			pats = nil
			why = "Loki's patterns are of stream selectors alone, and the query filters " + sources.Sanitize(sel) + "'s lines"
		case err != nil:
			return lokiError(err)
		case len(pats) == 0:
			why = "Loki has no patterns of " + sources.Sanitize(sel) + " in the window (its pattern ingester keeps a few hours, and only patterns of many lines)"
		}
	}
	if why != "" {
		m := logpattern.New(q.Range, step, logpattern.Options{})
		lq := q
		lq.LinesOnly = true
		if err := src.QueryLogs(ctx, lq, func(e sources.LogEntry) error {
			m.AddEntry(&e)
			return nil
		}); err != nil {
			return lokiError(err)
		}
		res := m.Result()
		pats, step = res.Patterns, res.Step
		noun := "lines"
		if res.Lines == 1 {
			noun = "line"
		}
		note := fmt.Sprintf("telx: %s: clustered %d loaded %s locally", why, res.Lines, noun)
		if opts.Limit > 0 && res.Lines >= opts.Limit {
			note += fmt.Sprintf(" (the %s; --limit sets how many)", map[bool]string{true: "oldest", false: "newest"}[q.Direction == sources.Forward])
		}
		if res.Unclustered > 0 {
			note += fmt.Sprintf("; %d fitted no pattern kept", res.Unclustered)
		}
		fmt.Fprintln(opts.IO.ErrOut, note)
	}
	if len(pats) == 0 {
		fmt.Fprintf(opts.IO.ErrOut, "telx: no patterns between %s and %s\n", q.Range.From.Format(time.RFC3339), q.Range.To.Format(time.RFC3339))
		return nil
	}
	loc := opts.Global.Location(opts.UTC)
	switch format {
	case "jsonl":
		for i := range pats {
			p := pats[i]
			p.Samples = make([]sources.Point, len(pats[i].Samples))
			for j, s := range pats[i].Samples {
				p.Samples[j] = sources.Point{Time: s.Time.In(loc), Value: s.Value}
			}
			b, err := marshalSafe(&p)
			if err != nil {
				return err
			}
			out.Write(b)
			out.WriteByte('\n')
		}
		return nil
	case "raw":
		for i := range pats {
			out.WriteString(strconv.FormatInt(pats[i].Count, 10))
			out.WriteByte('\t')
			out.WriteString(sources.Sanitize(pats[i].Pattern))
			out.WriteByte('\n')
		}
		return nil
	}
	return render.Patterns(out, pats, render.PatternsOptions{Width: width, Styles: opts.Global.Styles(opts.IO), Range: q.Range, Step: step})
}
