package cmd

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/sources/correlate"
	"github.com/telx-cli/telx/tui/render"
)

// MetricsOptions are the inputs of `telx metrics`.
type MetricsOptions struct {
	IO     *IO
	Global *GlobalOptions
	// Source builds the metric source (Prometheus unless tests say otherwise).
	Source func() (sources.MetricSource, error)
	Time   *timeFlags

	Query   string
	Instant bool
	Step    time.Duration
	Width   int
	Unit    string
	Sort    string
	Top     int
	Chart   bool
	Height  int
	UTC     bool
	// Exemplars asks for the exemplars of the query's series (its
	// histogram buckets'): marked under the sparklines and listed.
	Exemplars bool
	// Watch runs the query again at this interval (never under the step)
	// until Ctrl-C; 0: once.
	Watch time.Duration

	// The RED view of a service.
	Service      string
	Preset       string
	Window       time.Duration
	RateQuery    string
	ErrorQuery   string
	LatencyQuery string
}

func newMetricsCmd(io *IO, g *GlobalOptions) *cobra.Command {
	opts := &MetricsOptions{IO: io, Global: g}
	c := &cobra.Command{
		Use:   "metrics '<PromQL>' | --service S",
		Short: "Query Prometheus: sparklines, a chart, or a service's RED view",
		Long: `Run a PromQL query over a time range and print one row per series: its
distinguishing labels, a sparkline, and its min, avg, max and last values.
The labels every series shares are printed once, above the rows.

--instant evaluates the query at one time (the end of the range) and prints
the vector as a table. --chart draws a line chart of the first few rows.
--service S prints the service's rate, error ratio and p50, p95 and p99
latency from span metrics (or, with --preset http, from the OpenTelemetry
HTTP server metrics); --rate-query, --error-query and --latency-query change
the queries ({{.Service}}, {{.ServiceRegex}}, {{.Window}} and {{.Quantile}}
are filled in).

The step is chosen from the range and the width unless --step is given; a
step that would exceed Prometheus' 11,000 points per series is coarsened.

--exemplars also asks Prometheus for the exemplars of the query's series
(a histogram's buckets keep them, with the trace each came from, when
Prometheus runs with --enable-feature=exemplar-storage): they are marked ◆
on a row under the sparklines, at their times, and listed with their time,
value and trace ID (telx trace <id> opens one); -o json puts them beside the
series. With --service, the exemplars are the latency histogram's.`,
		Example: `  telx metrics 'sum by (service_name) (rate(traces_span_metrics_calls_total[1m]))' --since 3h
  telx metrics 'histogram_quantile(0.95, sum by (le, service_name) (rate(traces_span_metrics_duration_milliseconds_bucket[5m])))' --sort max --top 3
  telx metrics --instant 'up'
  telx metrics --service payments --since 30m --chart
  telx metrics 'process_resident_memory_bytes' -o csv
  telx metrics --service payments --since 30m --step 15s --watch
  telx metrics 'histogram_quantile(0.9, sum by (le) (rate(traces_span_metrics_duration_milliseconds_bucket[1m])))' --exemplars`,
		Args: watchArgs(cobra.MaximumNArgs(1)),
		RunE: func(c *cobra.Command, args []string) error {
			if len(args) == 1 {
				opts.Query = args[0]
			}
			if g.Context != nil && g.Context.RED != nil {
				// the context's RED templates, under the flags
				r := g.Context.RED
				if !c.Flags().Changed("preset") && r.Preset != "" {
					opts.Preset = r.Preset
				}
				for _, q := range []struct {
					dst *string
					v   string
				}{{&opts.RateQuery, r.RateQuery}, {&opts.ErrorQuery, r.ErrorQuery}, {&opts.LatencyQuery, r.LatencyQuery}} {
					if *q.dst == "" {
						*q.dst = q.v
					}
				}
			}
			return metricsRun(c.Context(), opts)
		},
	}
	f := c.Flags()
	f.BoolVar(&opts.Instant, "instant", false, "evaluate the query at one time (the end of the range) and print the vector")
	f.DurationVar(&opts.Step, "step", 0, "resolution of a range query (default: from the range and the width)")
	f.IntVar(&opts.Width, "width", 0, "width in columns (default: the terminal's, or 80)")
	f.StringVar(&opts.Unit, "unit", "", "unit of the values: none, seconds, milliseconds, bytes, ratio, percent or persecond (default: from the metric names)")
	f.StringVar(&opts.Sort, "sort", render.SortLast, "order of the rows: last or max (largest first), or name")
	f.IntVar(&opts.Top, "top", 0, "show only the first N rows in --sort order")
	f.BoolVar(&opts.Chart, "chart", false, "draw a line chart of the first rows (at most 6) instead of sparklines")
	f.IntVar(&opts.Height, "height", 12, "height of --chart in rows")
	f.BoolVar(&opts.Exemplars, "exemplars", false, "also mark and list the exemplars of the query's series (time, value, trace ID)")
	f.BoolVar(&opts.UTC, "utc", false, "show times in UTC instead of the local zone")
	f.StringVar(&opts.Service, "service", "", "show this service's RED view: rate, errors, p50, p95 and p99 latency")
	f.StringVar(&opts.Preset, "preset", "spanmetrics", "metric names of --service: spanmetrics (OpenTelemetry span metrics) or http (HTTP semantic conventions)")
	f.DurationVar(&opts.Window, "window", 0, "rate window of --service (default: the step, at least 1m)")
	f.StringVar(&opts.RateQuery, "rate-query", "", "template of --service's request rate query")
	f.StringVar(&opts.ErrorQuery, "error-query", "", "template of --service's error ratio query")
	f.StringVar(&opts.LatencyQuery, "latency-query", "", "template of --service's latency quantile query")
	addWatchFlag(c, &opts.Watch, "the query's step")
	opts.Time = addTimeFlags(c, time.Hour)
	pf := addPrometheusFlags(c)
	opts.Source = func() (sources.MetricSource, error) {
		if g.Demo {
			return g.demoSource()
		}
		return pf.client(io, g)
	}
	c.ValidArgsFunction = firstArg(g.metricNames(opts.Time, opts.Source))
	completeFlag(c, "service", g.redServices(opts.Time, opts.Source))
	completeFlagValues(c, "preset", redPresets()...)
	completeFlagValues(c, "sort", render.SortLast, render.SortMax, render.SortName)
	completeFlagValues(c, "unit", "none", "seconds", "milliseconds", "bytes", "ratio", "percent", "persecond")
	outputFormats(c, "text", "json", "csv")
	return c
}

// maxChartRows is how many series a chart holds before it is unreadable.
const maxChartRows = 6

func metricsRun(ctx context.Context, opts *MetricsOptions) error {
	if err := checkWatch(opts.Watch); err != nil {
		return err
	}
	if opts.Watch == 0 {
		return metricsOnce(ctx, opts, new(time.Duration))
	}
	format, _ := outputFormat(opts.Global, "text", "json", "csv")
	w := newWatcher(opts.IO, opts.Global, opts.Watch, opts.UTC, format == "text")
	w.floor = "the query's step"
	return w.run(ctx, func(ctx context.Context, io *IO) (time.Duration, error) {
		o := *opts
		o.IO = io
		var step time.Duration
		err := metricsOnce(ctx, &o, &step)
		return step, err
	})
}

// metricsOnce runs the query once over the range ending now, and sets
// *used to the step of the answer (0 for an instant query).
func metricsOnce(ctx context.Context, opts *MetricsOptions, used *time.Duration) error {
	format, err := outputFormat(opts.Global, "text", "json", "csv")
	if err != nil {
		return err
	}
	switch {
	case opts.Query == "" && opts.Service == "":
		return UsageError(errors.New("give a PromQL query, or --service"))
	case opts.Query != "" && opts.Service != "":
		return UsageError(errors.New("give a PromQL query or --service, not both"))
	case opts.Instant && opts.Service != "":
		return UsageError(errors.New("--instant does not apply to --service"))
	case opts.Instant && opts.Chart:
		return UsageError(errors.New("--instant and --chart do not go together"))
	case opts.Exemplars && opts.Instant:
		return UsageError(errors.New("--exemplars needs a range query, not --instant"))
	case opts.Exemplars && format == "csv":
		return UsageError(errors.New("--exemplars: -o csv holds only points; use -o json or text"))
	}
	switch opts.Sort {
	case render.SortLast, render.SortMax, render.SortName:
	default:
		return UsageError(fmt.Errorf("--sort %q: want last, max or name", opts.Sort))
	}
	if opts.Top < 0 || opts.Step < 0 || opts.Window < 0 || opts.Height < 3 {
		return UsageError(errors.New("--top, --step and --window must not be negative, and --height at least 3"))
	}
	unit := render.GuessUnit(opts.Query)
	if opts.Unit != "" {
		if unit, err = render.ParseUnit(opts.Unit); err != nil {
			return UsageError(fmt.Errorf("--unit: %w", err))
		}
	}
	r, err := opts.Time.rangeAt(opts.Global.now())
	if err != nil {
		return err
	}
	width := opts.Width
	if width <= 0 {
		width = opts.IO.Width
	}
	step := opts.Step
	if step == 0 {
		cells := render.SparkCells(width)
		if opts.Chart {
			cells = 2 * width
		}
		step = sources.AutoStep(r, cells)
	}
	src, err := opts.Source()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, opts.Global.Timeout)
	defer cancel()
	v := &metricsView{opts: opts, format: format, width: width, r: r, used: used}
	if opts.Service != "" {
		return v.red(ctx, src, step)
	}
	if opts.Instant {
		res, err := src.Query(ctx, opts.Query, r.To)
		if err != nil {
			return err
		}
		v.warn(res)
		return v.instant(res, unit)
	}
	res, err := src.QueryRange(ctx, sources.MetricQuery{Query: opts.Query, Range: r, Step: step})
	if err != nil {
		return err
	}
	if opts.Exemplars {
		if err := v.askExemplars(ctx, src, opts.Query, unit); err != nil {
			return err
		}
	}
	*used = res.Step
	v.warn(res)
	v.coarsened(step, res.Step)
	_, rows := render.MetricRows(res.Series, unit)
	return v.series(opts.Query, res, rows)
}

// metricsView prints query results in the chosen format.
type metricsView struct {
	opts   *MetricsOptions
	format string
	width  int
	r      sources.TimeRange
	used   *time.Duration // the answer's step
	// ex are the exemplars asked for (--exemplars), their values in exUnit
	ex     []sources.Exemplar
	exUnit render.Unit
}

func (v *metricsView) loc() *time.Location {
	return v.opts.Global.Location(v.opts.UTC)
}

// warn prints the server's warnings and infos on stderr.
func (v *metricsView) warn(res *sources.MetricResult) {
	for _, w := range res.Warnings {
		if strings.HasPrefix(w, "telx: ") {
			fmt.Fprintln(v.opts.IO.ErrOut, sources.Sanitize(w))
			continue
		}
		fmt.Fprintf(v.opts.IO.ErrOut, "prometheus warning: %s\n", sources.Sanitize(w))
	}
	for _, i := range res.Infos {
		fmt.Fprintf(v.opts.IO.ErrOut, "prometheus info: %s\n", sources.Sanitize(i))
	}
}

// coarsened says on stderr when the step asked for was too fine.
func (v *metricsView) coarsened(asked, used time.Duration) {
	if used != asked && used != 0 {
		n := int64(v.r.Duration()/asked) + 1
		fmt.Fprintf(v.opts.IO.ErrOut, "telx: a step of %s gives %d points per series, over Prometheus' limit of %d; using a step of %s\n",
			asked, n, sources.MaxPoints, used)
	}
}

func (v *metricsView) empty(what string) {
	fmt.Fprintf(v.opts.IO.ErrOut, "no series: %s returned nothing between %s and %s\n", sources.Sanitize(what),
		v.r.From.In(v.loc()).Format(time.RFC3339), v.r.To.In(v.loc()).Format(time.RFC3339))
}

// series prints the rows of a range query.
func (v *metricsView) series(query string, res *sources.MetricResult, rows []render.MetricRow) error {
	header, _ := render.MetricRows(res.Series, render.UnitNone)
	render.SortRows(rows, v.opts.Sort)
	if v.opts.Top > 0 && len(rows) > v.opts.Top {
		rows = rows[:v.opts.Top]
	}
	switch v.format {
	case "json":
		if v.opts.Exemplars {
			return v.writeJSONWithExemplars(rowsSeries(res.Series, rows))
		}
		return writeSeriesJSON(v.opts.IO.Out, rowsSeries(res.Series, rows))
	case "csv":
		return writeSeriesCSV(v.opts.IO.Out, rowsSeries(res.Series, rows), nil)
	}
	if len(rows) == 0 {
		v.empty(query)
		if len(v.ex) > 0 {
			// the exemplars stand without the rows
			var b bytes.Buffer
			v.writeExemplars(&b, nil, render.MetricTableOptions{Width: v.width, Styles: v.opts.Global.Styles(v.opts.IO), Range: v.r})
			_, err := colorWriter(v.opts.IO).Write(b.Bytes())
			return err
		}
		return nil
	}
	if v.opts.Chart && len(rows) > maxChartRows {
		fmt.Fprintf(v.opts.IO.ErrOut, "telx: the chart shows the first %d of %d series in --sort order; narrow the query or use --top\n", maxChartRows, len(rows))
		rows = rows[:maxChartRows]
	}
	st := v.opts.Global.Styles(v.opts.IO)
	var b bytes.Buffer
	render.MetricHeader(&b, query, header, v.r, res.Step, len(rows), len(res.Series), st, v.loc())
	if v.opts.Chart {
		if err := render.Chart(&b, rows, render.ChartOptions{Width: v.width, Height: v.opts.Height, Styles: st, Range: v.r, Step: res.Step, Location: v.loc()}); err != nil {
			return err
		}
	} else if err := render.MetricTable(&b, rows, render.MetricTableOptions{Width: v.width, Styles: st, Range: v.r, Step: res.Step}); err != nil {
		return err
	}
	v.writeExemplars(&b, rows, render.MetricTableOptions{Width: v.width, Styles: st, Range: v.r, Step: res.Step})
	_, err := colorWriter(v.opts.IO).Write(b.Bytes())
	return err
}

// rowsSeries returns the series behind rows, in the rows' order.
func rowsSeries(all []sources.Series, rows []render.MetricRow) []sources.Series {
	out := make([]sources.Series, len(rows))
	for i, r := range rows {
		out[i] = all[r.Index]
	}
	return out
}

// instant prints the vector of an instant query as a table: one column per
// distinguishing label and the value.
func (v *metricsView) instant(res *sources.MetricResult, unit render.Unit) error {
	series := append([]sources.Series(nil), res.Series...)
	value := func(s *sources.Series) float64 {
		if len(s.Points) == 0 || math.IsNaN(s.Points[0].Value) {
			return math.Inf(-1)
		}
		return s.Points[0].Value
	}
	common, distinct := render.SplitLabels(series)
	sort.SliceStable(series, func(i, j int) bool {
		if v.opts.Sort != render.SortName {
			if a, b := value(&series[i]), value(&series[j]); a != b {
				return a > b
			}
		}
		return render.FormatLabels(series[i].Labels, distinct) < render.FormatLabels(series[j].Labels, distinct)
	})
	if v.opts.Top > 0 && len(series) > v.opts.Top {
		series = series[:v.opts.Top]
	}
	switch v.format {
	case "json":
		return writeSeriesJSON(v.opts.IO.Out, series)
	case "csv":
		return writeSeriesCSV(v.opts.IO.Out, series, nil)
	}
	if len(series) == 0 {
		v.empty(v.opts.Query)
		return nil
	}
	st := v.opts.Global.Styles(v.opts.IO)
	var b bytes.Buffer
	fmt.Fprintln(&b, st.Title.Apply(sources.Sanitize(v.opts.Query)))
	if len(common) > 0 {
		fmt.Fprintln(&b, st.Dim.Apply(render.FormatLabels(series[0].Labels, common)))
	}
	at := v.r.To
	if len(series[0].Points) > 0 {
		at = series[0].Points[0].Time
	}
	fmt.Fprintf(&b, "at %s · %d series\n\n", at.In(v.loc()).Format("2006-01-02 15:04:05 MST"), len(series))
	head := make([]string, 0, len(distinct)+1)
	for _, k := range distinct {
		if k == "__name__" {
			k = "NAME"
		}
		head = append(head, strings.ToUpper(sources.Sanitize(k)))
	}
	head = append(head, "VALUE")
	cells := make([][]string, 0, len(series))
	for i := range series {
		row := make([]string, 0, len(head))
		for _, k := range distinct {
			row = append(row, sources.Sanitize(series[i].Labels[k]))
		}
		val := math.NaN()
		if len(series[i].Points) > 0 {
			val = series[i].Points[0].Value
		}
		row = append(row, render.FormatValue(val, unit))
		cells = append(cells, row)
	}
	right := make([]bool, len(head))
	right[len(head)-1] = true
	(&render.Table{Head: head, Rows: cells, Right: right, MinFlex: 8, Width: v.width, Styles: st}).Write(&b)
	_, err := colorWriter(v.opts.IO).Write(b.Bytes())
	return err
}

// jsonFloat is a value in JSON: a number, or "NaN", "+Inf" or "-Inf",
// which JSON numbers cannot hold.
type jsonFloat float64

func (f jsonFloat) MarshalJSON() ([]byte, error) {
	v := float64(f)
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return []byte(`"` + render.FormatValue(v, render.UnitNone) + `"`), nil
	}
	return strconv.AppendFloat(nil, v, 'g', -1, 64), nil
}

type jsonPoint struct {
	Time  time.Time `json:"time"`
	Value jsonFloat `json:"value"`
}

type jsonSeries struct {
	Name   string            `json:"name,omitempty"`
	Query  string            `json:"query,omitempty"`
	Labels map[string]string `json:"labels"`
	Points []jsonPoint       `json:"points"`
}

func toJSONSeries(s sources.Series) jsonSeries {
	out := jsonSeries{Labels: s.Labels, Points: make([]jsonPoint, len(s.Points))}
	if out.Labels == nil {
		out.Labels = map[string]string{}
	}
	for i, p := range s.Points {
		out.Points[i] = jsonPoint{Time: p.Time, Value: jsonFloat(p.Value)}
	}
	return out
}

func writeSeriesJSON(w io.Writer, series []sources.Series) error {
	out := make([]jsonSeries, len(series))
	for i, s := range series {
		out[i] = toJSONSeries(s)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// writeSeriesCSV writes one line per point: the labels (one column per
// label name of any series, __name__ first), the time and the value.
// names, when not nil, adds a first "name" column.
func writeSeriesCSV(w io.Writer, series []sources.Series, names []string) error {
	keys := map[string]bool{}
	for _, s := range series {
		for k := range s.Labels {
			keys[k] = true
		}
	}
	cols := make([]string, 0, len(keys))
	for k := range keys {
		cols = append(cols, k)
	}
	sort.Slice(cols, func(i, j int) bool {
		if (cols[i] == "__name__") != (cols[j] == "__name__") {
			return cols[i] == "__name__"
		}
		return cols[i] < cols[j]
	})
	cw := csv.NewWriter(w)
	head := []string{}
	if names != nil {
		head = append(head, "name")
	}
	for _, c := range cols {
		head = append(head, sources.Sanitize(c))
	}
	if err := cw.Write(append(head, "time", "value")); err != nil {
		return err
	}
	rec := make([]string, 0, len(head)+2)
	for i, s := range series {
		for _, p := range s.Points {
			rec = rec[:0]
			if names != nil {
				rec = append(rec, names[i])
			}
			for _, c := range cols {
				rec = append(rec, sources.Sanitize(s.Labels[c]))
			}
			rec = append(rec, p.Time.UTC().Format(time.RFC3339Nano), strconv.FormatFloat(p.Value, 'g', -1, 64))
			if err := cw.Write(rec); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

// redQuery is one row group of the RED view.
type redQuery struct {
	name  string
	query string
	unit  render.Unit
}

// redQueries fills the templates for service (sources/correlate holds
// them, for the explorer's Metrics pane too).
func redQueries(opts *MetricsOptions, window time.Duration) ([]redQuery, error) {
	qs, err := correlate.RED{Preset: opts.Preset, Rate: opts.RateQuery, Errors: opts.ErrorQuery, Latency: opts.LatencyQuery}.Queries(opts.Service, window)
	if err != nil {
		return nil, UsageError(err)
	}
	out := make([]redQuery, len(qs))
	for i, q := range qs {
		unit, err := render.ParseUnit(q.Unit)
		if err != nil {
			return nil, err
		}
		out[i] = redQuery{name: q.Name, query: q.Query, unit: unit}
	}
	return out, nil
}

// promDuration formats d as PromQL reads it: 90s, 5m, 1h.
func promDuration(d time.Duration) string { return correlate.PromDuration(d) }

// red prints a service's rate, errors and latency quantiles, each a row
// (or a row per series when a template keeps labels).
func (v *metricsView) red(ctx context.Context, src sources.MetricSource, step time.Duration) error {
	used, _ := sources.LimitStep(v.r, step)
	window := v.opts.Window
	if window == 0 {
		window = max(used, time.Minute)
	}
	queries, err := redQueries(v.opts, window)
	if err != nil {
		return err
	}
	results := make([]*sources.MetricResult, len(queries))
	errs := make([]error, len(queries))
	var wg sync.WaitGroup
	for i, q := range queries {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i], errs[i] = src.QueryRange(ctx, sources.MetricQuery{Query: q.query, Range: v.r, Step: step})
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	if v.opts.Exemplars {
		// the latency histogram's; the quantiles share its buckets
		for _, q := range queries {
			if q.unit == render.UnitMilliseconds || q.unit == render.UnitSeconds {
				if err := v.askExemplars(ctx, src, q.query, q.unit); err != nil {
					return err
				}
				break
			}
		}
	}
	*v.used = results[0].Step
	var rows []render.MetricRow
	var series []sources.Series
	var names []string
	for i, q := range queries {
		res := results[i]
		v.warn(res)
		if i == 0 {
			v.coarsened(step, res.Step)
		}
		_, rs := render.MetricRows(res.Series, q.unit)
		render.SortRows(rs, render.SortName)
		for j := range rs {
			if len(res.Series) > 1 {
				rs[j].Name = q.name + " " + rs[j].Name
			} else {
				rs[j].Name = q.name
			}
			rs[j].Key = q.name
		}
		rows = append(rows, rs...)
		for _, s := range rowsSeries(res.Series, rs) {
			series = append(series, s)
			names = append(names, q.name)
		}
	}
	switch v.format {
	case "json":
		out := make([]jsonSeries, len(series))
		for i, s := range series {
			out[i] = toJSONSeries(s)
			out[i].Name = names[i]
			for _, q := range queries {
				if q.name == names[i] {
					out[i].Query = q.query
				}
			}
		}
		if v.opts.Exemplars {
			return v.encodeJSON(jsonWithExemplars{Series: out, Exemplars: toJSONExemplars(v.ex)})
		}
		return v.encodeJSON(out)
	case "csv":
		return writeSeriesCSV(v.opts.IO.Out, series, names)
	}
	if len(rows) == 0 {
		v.empty("the RED queries of " + v.opts.Service)
		return nil
	}
	st := v.opts.Global.Styles(v.opts.IO)
	var b bytes.Buffer
	title := fmt.Sprintf("%s · rate, errors, latency (%s, rate over %s)", v.opts.Service, v.opts.Preset, promDuration(window))
	render.MetricHeader(&b, title, "", v.r, results[0].Step, len(rows), len(rows), st, v.loc())
	if v.opts.Chart {
		// one chart per unit: rate, errors, latency
		for start := 0; start < len(rows); {
			end := start + 1
			for end < len(rows) && rows[end].Unit == rows[start].Unit && end-start < maxChartRows {
				end++
			}
			if start > 0 {
				b.WriteByte('\n')
			}
			for k := start; k < end; k++ {
				rows[k].Key = rows[k].Name
			}
			if err := render.Chart(&b, rows[start:end], render.ChartOptions{Width: v.width, Height: v.opts.Height, Styles: st, Range: v.r, Step: results[0].Step, Location: v.loc()}); err != nil {
				return err
			}
			start = end
		}
	} else {
		o := render.MetricTableOptions{Width: v.width, Styles: st, Range: v.r, Step: results[0].Step, Title: strings.ToUpper(sources.Sanitize(v.opts.Service))}
		if err := render.MetricTable(&b, rows, o); err != nil {
			return err
		}
		v.writeExemplars(&b, rows, o)
	}
	_, err = colorWriter(v.opts.IO).Write(b.Bytes())
	return err
}
