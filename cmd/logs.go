package cmd

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/sources/correlate"
	"github.com/telx-cli/telx/sources/logline"
	"github.com/telx-cli/telx/sources/loki"
	"github.com/telx-cli/telx/tui/render"
)

// LogBackend is what `telx logs` needs of a log source: lines, series
// for metric queries, and following.
type LogBackend interface {
	sources.LogSource
	QueryMetrics(ctx context.Context, query string, r sources.TimeRange, step time.Duration) ([]sources.Series, error)
	Follow(ctx context.Context, q sources.LogQuery, opts loki.FollowOptions, fn func(sources.LogEntry) error) error
}

// Defaults of the --trace queries: the structured-metadata filter, and the
// line filter tried when it finds nothing.
const (
	DefaultTraceQuery         = correlate.DefaultTraceQuery
	DefaultTraceFallbackQuery = correlate.DefaultTraceFallbackQuery
	DefaultServiceLabel       = correlate.DefaultServiceLabel
)

// LogsOptions are the inputs of `telx logs`.
type LogsOptions struct {
	IO     *IO
	Global *GlobalOptions
	Source func() (LogBackend, error)
	// Traces is Jaeger, asked for a trace's window and services.
	Traces func() (sources.TraceSource, error)
	Time   *timeFlags
	// TimeSet says --since, --from or --to was given.
	TimeSet bool

	Query     string
	Limit     int
	Forward   bool
	Follow    bool
	UTC       bool
	Labels    bool
	UnsafeRaw bool
	Width     int
	// Fields are the line fields shown as columns; LokiTime shows Loki's
	// time of each line instead of the line's own.
	Fields   []string
	LokiTime bool

	TraceID       string
	SpanID        string
	Services      []string
	TraceQuery    string
	TraceFallback string
	TraceMargin   time.Duration
	ServiceLabel  string

	// Histogram draws the query's volume by level above the lines;
	// Patterns prints the lines' patterns instead (logs_insight.go).
	Histogram bool
	Patterns  bool
}

func newLogsCmd(io *IO, g *GlobalOptions) *cobra.Command {
	opts := &LogsOptions{IO: io, Global: g}
	c := &cobra.Command{
		Use:   "logs ['<LogQL>'] [--trace ID [--span ID]]",
		Short: "Query Loki's logs",
		Long: `Query Loki with LogQL and print the lines, newest first: time, level,
service, then each line's message and its other fields (dimmed key=value).
JSON, logfmt, zap/zerolog console, klog, access-log and syslog lines are read
for their own time, level, message and fields; -o raw prints lines as stored.
A metric query (rate, count_over_time, …) prints series.
With --trace, print the logs of one trace over the trace's time window; with
--span too, the lines carrying that span's ID, whatever service they are
labelled with.`,
		Example: `  telx logs '{service_name="payments"} |= "timeout"' --since 30m
  telx logs '{service_name="checkout"}' --follow
  telx logs '{job="nginx"}' --fields status,remote_addr
  telx logs --trace 4bf92f3577b34da6a3ce929d0e0e4736
  telx logs --trace 4bf92f3577b34da6a3ce929d0e0e4736 --span 00f067aa0ba902b7
  telx logs '{namespace="shop"}' --limit 50000 -o raw > shop.log
  telx logs '{service_name="checkout"}' --histogram --since 6h
  telx logs '{service_name="checkout"}' --patterns
  telx logs 'sum by (service_name) (count_over_time({namespace="shop"} [5m]))'`,
		Args: usageArgs(cobra.MaximumNArgs(1)),
		RunE: func(c *cobra.Command, args []string) error {
			if len(args) == 1 {
				opts.Query = args[0]
			}
			for _, name := range []string{"since", "from", "to"} {
				opts.TimeSet = opts.TimeSet || c.Flags().Changed(name)
			}
			return logsRun(c.Context(), opts)
		},
	}
	f := c.Flags()
	f.IntVar(&opts.Limit, "limit", 1000, "at most this many lines; 0 for all (paged past Loki's per-query limit)")
	f.BoolVar(&opts.Forward, "forward", false, "oldest first (default newest first)")
	f.BoolVarP(&opts.Follow, "follow", "f", false, "keep printing new lines as they arrive (after at most --limit earlier ones)")
	f.BoolVar(&opts.UTC, "utc", false, "show times in UTC instead of the local zone")
	f.BoolVar(&opts.Labels, "labels", false, "show each line's labels and structured metadata")
	f.BoolVar(&opts.UnsafeRaw, "unsafe-raw", false, "with -o raw, print lines exactly as stored, escape sequences included")
	f.StringSliceVar(&opts.Fields, "fields", nil, "show these fields of each line (or its labels) as columns, comma-separated")
	f.BoolVar(&opts.LokiTime, "loki-time", false, "show the time Loki holds for each line, not the line's own")
	f.IntVar(&opts.Width, "width", 0, "wrap lines at this width (default: the terminal's; no wrapping when piped)")
	f.StringVar(&opts.TraceID, "trace", "", "the logs of this trace")
	f.StringVar(&opts.SpanID, "span", "", "with --trace: the lines of this span (by its ID, in any service's streams; else its service's lines of the trace)")
	f.StringArrayVar(&opts.Services, "service", nil, "with --trace: only these services (default the trace's, from Jaeger); repeatable")
	f.StringVar(&opts.TraceQuery, "trace-query", "", "with --trace: the query template, with {{.Selector}}, {{.TraceID}} (env TELX_LOKI_TRACE_QUERY; default "+DefaultTraceQuery+")")
	f.StringVar(&opts.TraceFallback, "trace-fallback-query", "", "with --trace: the template tried when the first finds nothing (env TELX_LOKI_TRACE_FALLBACK_QUERY; default "+DefaultTraceFallbackQuery+")")
	f.DurationVar(&opts.TraceMargin, "trace-margin", 5*time.Minute, "with --trace: widen the trace's window by this much on each side")
	f.StringVar(&opts.ServiceLabel, "service-label", DefaultServiceLabel, "the label that names a service")
	f.BoolVar(&opts.Histogram, "histogram", false, "draw the query's volume by level over the window above the lines, counted by Loki (with -o jsonl or raw: the volume alone)")
	f.BoolVar(&opts.Patterns, "patterns", false, "print the lines' patterns, largest first (Loki's pattern ingester, else a clustering of up to --limit loaded lines)")
	opts.Time = addTimeFlags(c, time.Hour)
	lf := addLokiFlags(c)
	f.StringVar(&lf.traceIDRegex, "trace-id-regex", "", "regular expression finding a trace ID in a line, its first group the ID (env TELX_LOKI_TRACE_ID_REGEX)")
	jf := addJaegerFlags(c)
	opts.Source = func() (LogBackend, error) { return g.logBackend(c, io, lf) }
	opts.Traces = func() (sources.TraceSource, error) { return g.traceSource(io, jf) }
	labels := func() (labelSource, error) { return g.logBackend(c, io, lf) }
	c.ValidArgsFunction = firstArg(g.logQLSelector(opts.Time, labels))
	completeFlag(c, "service", g.serviceNames(opts.Traces))
	completeFlag(c, "service-label", g.lokiLabelNames(opts.Time, labels))
	completeFlag(c, "fields", commaList(g.lokiLabelNames(opts.Time, labels)))
	outputFormats(c, "default", "text", "raw", "jsonl")
	return c
}

func logsRun(ctx context.Context, opts *LogsOptions) error {
	format, err := outputFormat(opts.Global, "default", "text", "raw", "jsonl")
	if err != nil {
		return err
	}
	if format == "text" {
		format = "default"
	}
	if opts.Limit < 0 {
		return UsageError(fmt.Errorf("--limit must not be negative"))
	}
	if (opts.Query == "") == (opts.TraceID == "") {
		return UsageError(errors.New("give a LogQL query or --trace ID (not both)"))
	}
	if len(opts.Services) > 0 && opts.TraceID == "" {
		return UsageError(errors.New("--service goes with --trace; in a query, select the service with {service_name=\"…\"}"))
	}
	if opts.SpanID != "" && opts.TraceID == "" {
		return UsageError(errors.New("--span goes with --trace"))
	}
	r, err := opts.Time.rangeAt(opts.Global.now())
	if err != nil {
		return err
	}
	q := sources.LogQuery{Query: opts.Query, Range: r, Limit: opts.Limit, Direction: sources.Backward}
	if opts.Forward {
		q.Direction = sources.Forward
	}
	var queries []correlate.SpanQuery
	var span sources.SpanID
	var spanWindow sources.TimeRange
	if opts.TraceID != "" {
		if queries, span, spanWindow, q.Range, err = traceQueries(ctx, opts, r); err != nil {
			return err
		}
		q.Direction = sources.Forward
	} else {
		queries = []correlate.SpanQuery{{Query: opts.Query, BySpan: true}}
	}
	src, err := opts.Source()
	if err != nil {
		return err
	}

	out := bufio.NewWriterSize(colorWriter(opts.IO), 64<<10)
	defer out.Flush()
	if opts.Histogram || opts.Patterns {
		if done, err := logsInsight(ctx, opts, src, q, queries[0].Query, format, out); done || err != nil {
			return err
		}
	}
	if opts.TraceID == "" && loki.IsMetricQuery(opts.Query) {
		if opts.Follow {
			return UsageError(errors.New("a metric query cannot be followed"))
		}
		series, err := src.QueryMetrics(ctx, opts.Query, q.Range, 0)
		if err != nil {
			return lokiError(err)
		}
		return writeSeries(out, series, format, opts)
	}

	// raw output shows the lines alone: Loki need not sort out labels
	q.LinesOnly = format == "raw"
	p := newLogPrinter(out, format, opts, q.Range)
	if opts.Follow {
		q.Query = queries[0].Query
		notify := func(msg string) { fmt.Fprintf(opts.IO.ErrOut, "telx: warning: %s\n", msg) }
		return lokiError(src.Follow(ctx, q, loki.FollowOptions{Notify: notify}, func(e sources.LogEntry) error {
			if err := p.print(&e); err != nil {
				return err
			}
			return out.Flush()
		}))
	}
	for i, query := range queries {
		q := q
		q.Query = query.Query
		if query.DuringSpan {
			q.Range = spanWindow
		}
		err := src.QueryLogs(ctx, q, func(e sources.LogEntry) error {
			if !query.Keep(&e, span) {
				return nil
			}
			return p.print(&e)
		})
		if err != nil {
			return lokiError(err)
		}
		if p.n > 0 {
			break
		}
		if i+1 < len(queries) {
			fmt.Fprintf(opts.IO.ErrOut, "telx: no lines for %s; trying %s\n", query.Query, queries[i+1].Query)
		}
	}
	if p.n == 0 {
		fmt.Fprintf(opts.IO.ErrOut, "telx: no lines between %s and %s\n", q.Range.From.Format(time.RFC3339), q.Range.To.Format(time.RFC3339))
	}
	return nil
}

// lokiError makes a query Loki refused a usage error (exit 2).
func lokiError(err error) error {
	if errors.Is(err, loki.ErrBadQuery) {
		return UsageError(err)
	}
	return err
}

// traceQueries builds the --trace queries and their window: the trace's
// own window (widened) and services from Jaeger, unless given; when
// Jaeger cannot say, the window of --since and every service. With
// --span, the span's queries (correlate.SpanQueries) over the span's
// window (widened), its service from Jaeger or --service.
func traceQueries(ctx context.Context, opts *LogsOptions, r sources.TimeRange) ([]correlate.SpanQuery, sources.SpanID, sources.TimeRange, sources.TimeRange, error) {
	var none sources.TimeRange
	id, err := sources.ParseTraceID(opts.TraceID)
	if err != nil {
		return nil, "", none, r, UsageError(fmt.Errorf("--trace: %w", err))
	}
	var spanID sources.SpanID
	if opts.SpanID != "" {
		if spanID, err = sources.ParseSpanID(opts.SpanID); err != nil {
			return nil, "", none, r, UsageError(fmt.Errorf("--span: %w", err))
		}
	}
	services := opts.Services
	var span *sources.Span
	if !opts.TimeSet || len(services) == 0 || spanID != "" {
		tr, err := traceFromJaeger(ctx, opts, id)
		if err != nil {
			fmt.Fprintf(opts.IO.ErrOut, "telx: warning: no window from Jaeger for trace %s (%s); searching %s to %s\n",
				id, firstLine(err.Error()), r.From.Format(time.RFC3339), r.To.Format(time.RFC3339))
		} else {
			span = tr.Span(spanID)
			if spanID != "" && span == nil {
				fmt.Fprintf(opts.IO.ErrOut, "telx: warning: trace %s has no span %s in Jaeger; searching the trace's window\n", id, spanID)
			}
			if !opts.TimeSet {
				r = tr.TimeRange().Widen(opts.TraceMargin)
				if span != nil {
					r = sources.TimeRange{From: span.Start, To: span.End()}.Widen(opts.TraceMargin)
				}
			}
			if len(services) == 0 {
				services = tr.Services()
				if span != nil {
					services = []string{span.Service}
				}
			}
		}
	}
	templates := traceTemplates(opts.Global, opts.TraceQuery, opts.TraceFallback)
	var queries []correlate.SpanQuery
	var during sources.TimeRange
	if spanID != "" {
		service := ""
		if len(services) == 1 {
			service = services[0]
		}
		queries, err = correlate.SpanQueries(opts.ServiceLabel, service, id, spanID, templates)
		if span == nil && err == nil {
			// no span from Jaeger: no time of its own to look in
			queries = slices.DeleteFunc(queries, func(q correlate.SpanQuery) bool { return q.DuringSpan })
		} else if span != nil {
			during = correlate.SpanWindow(span)
		}
	} else {
		var qs []string
		qs, err = correlate.TraceQueries(opts.ServiceLabel, services, id, templates)
		for _, q := range qs {
			queries = append(queries, correlate.SpanQuery{Query: q, BySpan: true})
		}
	}
	if err != nil {
		return nil, "", none, r, UsageError(err)
	}
	return queries, spanID, during, r, nil
}

// traceTemplates are the trace log queries: the flags' (query and
// fallback, empty when not given), else TELX_LOKI_TRACE_QUERY and
// TELX_LOKI_TRACE_FALLBACK_QUERY, else the context's trace-to-logs
// template and the defaults. The explorer's Logs pane uses them too.
func traceTemplates(g *GlobalOptions, query, fallback string) []correlate.Template {
	tmpls := correlate.DefaultTraceTemplates()
	tmpls[0].Default = cmp.Or(g.TraceToLogsTemplate(), DefaultTraceQuery)
	for i, t := range []struct{ env, value string }{
		{"TELX_LOKI_TRACE_QUERY", query},
		{"TELX_LOKI_TRACE_FALLBACK_QUERY", fallback},
	} {
		tmpls[i].Text = t.value
		if g.getenv != nil {
			envDefault(&tmpls[i].Text, g.getenv, t.env)
		}
	}
	return tmpls
}

func traceFromJaeger(ctx context.Context, opts *LogsOptions, id sources.TraceID) (*sources.Trace, error) {
	if opts.Traces == nil {
		return nil, errors.New("no Jaeger")
	}
	src, err := opts.Traces()
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, opts.Global.Timeout)
	defer cancel()
	return src.Trace(ctx, id)
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// logPrinter writes entries in one of the output formats.
type logPrinter struct {
	out    *bufio.Writer
	format string
	unsafe bool
	ro     render.LogsOptions
	buf    []byte
	n      int
	header bool // the header row is still to print
	line   logline.Line
}

// jsonlEntry is an entry of -o jsonl: the entry, and what its line says
// of itself.
type jsonlEntry struct {
	*sources.LogEntry
	Format   string        `json:"format"`
	LineTime *time.Time    `json:"lineTime,omitempty"`
	Message  string        `json:"message"`
	Fields   orderedFields `json:"fields,omitempty"`
}

// orderedFields encode as a JSON object in the line's order.
type orderedFields []logline.Field

func (fs orderedFields) MarshalJSON() ([]byte, error) {
	b := []byte{'{'}
	for i, f := range fs {
		if i > 0 {
			b = append(b, ',')
		}
		k, err := json.Marshal(f.Key)
		if err != nil {
			return nil, err
		}
		v, err := json.Marshal(f.Value)
		if err != nil {
			return nil, err
		}
		b = append(append(append(b, k...), ':'), v...)
	}
	return append(b, '}'), nil
}

func newLogPrinter(out *bufio.Writer, format string, opts *LogsOptions, r sources.TimeRange) *logPrinter {
	loc := opts.Global.Location(opts.UTC)
	width := opts.Width
	if width <= 0 && opts.IO.IsTTY {
		width = opts.IO.Width
	}
	tf := render.LogTimeFormat
	if !opts.Follow {
		fy, fm, fd := r.From.In(loc).Date()
		ty, tm, td := r.To.In(loc).Date()
		if fy == ty && fm == tm && fd == td {
			tf = render.LogTimeFormatShort
		}
	}
	labels := []string{opts.ServiceLabel}
	if opts.ServiceLabel == "" || opts.ServiceLabel == DefaultServiceLabel {
		labels = render.DefaultServiceLabels
	}
	p := &logPrinter{out: out, format: format, unsafe: opts.UnsafeRaw, ro: render.LogsOptions{
		Width: width, Styles: opts.Global.Styles(opts.IO), Location: loc, TimeFormat: tf,
		Labels: opts.Labels, ServiceLabels: labels, LokiTime: opts.LokiTime, Columns: opts.Fields,
	}}
	// the columns asked for are named over them, on a terminal
	p.header = format == "default" && len(opts.Fields) > 0 && opts.IO.IsTTY
	return p
}

func (p *logPrinter) print(e *sources.LogEntry) error {
	p.n++
	switch p.format {
	case "raw":
		// as stored, TABs too, so that cut -f and awk -F'\t' work
		line := e.Line
		if !p.unsafe {
			line = sources.SanitizeKeepTabs(line)
		}
		p.out.WriteString(line)
		return p.out.WriteByte('\n')
	case "jsonl":
		c := *e // times in the zone asked for (--utc, the context's), as the other formats
		logline.ParseInto(e.Line, &p.line)
		j := jsonlEntry{LogEntry: &c, Format: p.line.Format.String(), Message: p.line.Message, Fields: p.line.Fields}
		if p.ro.Location != nil {
			c.Time = c.Time.In(p.ro.Location)
		}
		if !p.line.Time.IsZero() {
			t := p.line.Time
			if p.ro.Location != nil {
				t = t.In(p.ro.Location)
			}
			j.LineTime = &t
		}
		b, err := marshalSafe(&j)
		if err != nil {
			return err
		}
		p.out.Write(b)
		return p.out.WriteByte('\n')
	}
	if p.header {
		p.header = false
		p.out.WriteString(p.ro.Styles.Bold.Apply(render.LogsHeader(&p.ro)))
		p.out.WriteByte('\n')
	}
	p.buf = render.AppendLogEntry(p.buf[:0], e, &p.ro)
	_, err := p.out.Write(p.buf)
	return err
}

// marshalSafe encodes v as JSON in which nothing a terminal acts on is
// left raw: JSON already escapes C0 controls; DEL, C1 controls and
// bidirectional controls are escaped as \uXXXX too, which decodes to the
// same text.
func marshalSafe(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	out := bytes.TrimRight(b.Bytes(), "\n")
	if sources.Sanitize(string(out)) == string(out) {
		return out, nil
	}
	var s bytes.Buffer
	for i := 0; i < len(out); {
		r, size := utf8.DecodeRune(out[i:])
		if r == 0x7f || (r >= 0x80 && r <= 0x9f) || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) ||
			r == 0x200e || r == 0x200f || r == 0x061c {
			fmt.Fprintf(&s, `\u%04x`, r)
		} else {
			s.Write(out[i : i+size])
		}
		i += size
	}
	return s.Bytes(), nil
}

// writeSeries prints the answer of a metric query: per series its labels
// and then time and value rows; raw is tab-separated, jsonl one series a
// line.
func writeSeries(out *bufio.Writer, series []sources.Series, format string, opts *LogsOptions) error {
	loc := opts.Global.Location(opts.UTC)
	st := opts.Global.Styles(opts.IO)
	for i, s := range series {
		switch format {
		case "jsonl":
			b, err := marshalSafe(s)
			if err != nil {
				return err
			}
			out.Write(b)
			out.WriteByte('\n')
			continue
		case "raw":
			ls := labelString(s.Labels)
			for _, pt := range s.Points {
				fmt.Fprintf(out, "%s\t%s\t%s\n", pt.Time.In(loc).Format(time.RFC3339Nano), strconv.FormatFloat(pt.Value, 'g', -1, 64), ls)
			}
			continue
		}
		if i > 0 {
			out.WriteByte('\n')
		}
		fmt.Fprintln(out, st.Bold.Apply(labelString(s.Labels)))
		for _, pt := range s.Points {
			fmt.Fprintf(out, "%s  %s\n", st.Dim.Apply(pt.Time.In(loc).Format(render.LogTimeFormat)), strconv.FormatFloat(pt.Value, 'g', -1, 64))
		}
	}
	if len(series) == 0 {
		fmt.Fprintln(opts.IO.ErrOut, "telx: no series")
	}
	return nil
}

func labelString(m map[string]string) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = sources.Sanitize(k) + "=" + strconv.Quote(sources.Sanitize(m[k]))
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

// newLabelsCmd is `telx labels [name]`.
func newLabelsCmd(io *IO, g *GlobalOptions) *cobra.Command {
	c := &cobra.Command{
		Use:   "labels [name]",
		Short: "List Loki's label names, or one label's values",
		Example: `  telx labels
  telx labels service_name --since 24h`,
		Args: usageArgs(cobra.MaximumNArgs(1)),
	}
	tf := addTimeFlags(c, time.Hour)
	lf := addLokiFlags(c)
	c.ValidArgsFunction = firstArg(g.lokiLabelNames(tf, func() (labelSource, error) { return g.logBackend(c, io, lf) }))
	outputFormats(c, "text", "json")
	c.RunE = func(c *cobra.Command, args []string) error {
		format, err := outputFormat(g, "text", "json")
		if err != nil {
			return err
		}
		r, err := tf.rangeAt(g.now())
		if err != nil {
			return err
		}
		src, err := g.logBackend(c, io, lf)
		if err != nil {
			return err
		}
		var names []string
		if len(args) == 1 {
			names, err = src.LabelValues(c.Context(), args[0], r)
		} else {
			names, err = src.Labels(c.Context(), r)
		}
		if err != nil {
			return lokiError(err)
		}
		if format == "json" {
			if names == nil {
				names = []string{}
			}
			b, err := marshalSafe(names)
			if err != nil {
				return err
			}
			_, err = fmt.Fprintf(io.Out, "%s\n", b)
			return err
		}
		for _, n := range names {
			fmt.Fprintln(io.Out, sources.Sanitize(n))
		}
		return nil
	}
	return c
}
