package cmd

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/tui/render"
	"github.com/telx-cli/telx/tui/styles"
)

// TracesOptions are the inputs of `telx traces`.
type TracesOptions struct {
	IO     *IO
	Global *GlobalOptions
	Source func() (sources.TraceSource, error)
	Time   *timeFlags

	Service     string
	Operation   string
	Tags        []string
	MinDuration time.Duration
	MaxDuration time.Duration
	Limit       int
	UTC         bool
}

func newTracesCmd(io *IO, g *GlobalOptions) *cobra.Command {
	opts := &TracesOptions{IO: io, Global: g}
	c := &cobra.Command{
		Use:   "traces --service S",
		Short: "Search traces",
		Long:  "Search Jaeger for traces of a service and print them newest first, one row each.",
		Example: `  telx traces --service checkout --since 30m
  telx traces --service payments --operation Charge --min-duration 500ms
  telx traces --service frontend --tag http.route=/api/checkout --limit 50 -o json`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(c *cobra.Command, _ []string) error {
			return tracesRun(c.Context(), opts)
		},
	}
	f := c.Flags()
	f.StringVar(&opts.Service, "service", "", "the service whose traces to find (required)")
	f.StringVar(&opts.Operation, "operation", "", "only traces with this operation")
	addSearchFilters(f, &opts.Tags, &opts.MinDuration, &opts.MaxDuration)
	f.IntVar(&opts.Limit, "limit", 20, "at most this many traces")
	f.BoolVar(&opts.UTC, "utc", false, "show times in UTC instead of the local zone")
	opts.Time = addTimeFlags(c, time.Hour)
	jf := addJaegerFlags(c)
	opts.Source = func() (sources.TraceSource, error) {
		if g.Demo {
			return g.demoSource()
		}
		return jf.client(io, g)
	}
	completeFlag(c, "service", g.serviceNames(opts.Source))
	completeFlag(c, "operation", g.operationNames("service", opts.Source))
	outputFormats(c, "text", "json")
	return c
}

func tracesRun(ctx context.Context, opts *TracesOptions) error {
	format, err := outputFormat(opts.Global, "text", "json")
	if err != nil {
		return err
	}
	if opts.Service == "" {
		return UsageError(fmt.Errorf("--service is required (list them with telx services)"))
	}
	if opts.Limit <= 0 {
		return UsageError(fmt.Errorf("--limit must be positive"))
	}
	r, err := opts.Time.rangeAt(opts.Global.now())
	if err != nil {
		return err
	}
	q := sources.TraceQuery{Service: opts.Service, Operation: opts.Operation, MinDuration: opts.MinDuration,
		MaxDuration: opts.MaxDuration, Range: r, Limit: opts.Limit}
	for _, tag := range opts.Tags {
		k, v, ok := strings.Cut(tag, "=")
		if !ok || k == "" {
			return UsageError(fmt.Errorf("--tag %q: want key=value", tag))
		}
		if q.Tags == nil {
			q.Tags = map[string]string{}
		}
		q.Tags[k] = v
	}
	src, err := opts.Source()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, opts.Global.Timeout)
	defer cancel()
	traces, err := src.FindTraces(ctx, q)
	if err != nil {
		return err
	}
	rows := make([]render.TraceSummary, 0, len(traces))
	for _, t := range traces {
		rows = append(rows, render.Summarise(t))
	}
	if format == "json" {
		enc := json.NewEncoder(opts.IO.Out)
		enc.SetIndent("", "  ")
		return enc.Encode(rows)
	}
	if len(rows) == 0 {
		fmt.Fprintf(opts.IO.ErrOut, "no traces of %s between %s and %s\n", opts.Service, r.From.Format(time.RFC3339), r.To.Format(time.RFC3339))
		return nil
	}
	loc := opts.Global.Location(opts.UTC)
	if !opts.IO.IsTTY {
		// for scripts: tab-separated, no header, machine-readable values
		for _, s := range rows {
			fmt.Fprintf(opts.IO.Out, "%s\t%s\t%s\t%s\t%d\t%d\t%d\t%d\n", s.Start.In(loc).Format(time.RFC3339Nano), s.TraceID,
				sources.Sanitize(s.Service), sources.Sanitize(s.Operation), s.Duration.Microseconds(), s.Spans, s.Services, s.Errors)
		}
		return nil
	}
	width := opts.IO.Width
	return tracesTable(rows, loc, width, opts.Global.Styles(opts.IO)).Write(colorWriter(opts.IO))
}

// tracesTable lays out the search results for a terminal. The trace ID is
// always whole, for copying. The date shows only when the rows span more
// than one day; when the width is short, the milliseconds go, then the
// services and spans columns, and the root operation gives way last.
func tracesTable(rows []render.TraceSummary, loc *time.Location, width int, st *styles.Styles) *render.Table {
	timeLayout := "2006-01-02 15:04:05.000"
	if len(rows) > 0 {
		day := rows[0].Start.In(loc).Format(time.DateOnly)
		same := true
		for _, s := range rows {
			same = same && s.Start.In(loc).Format(time.DateOnly) == day
		}
		switch {
		case same && width < 120:
			timeLayout = time.TimeOnly
		case same:
			timeLayout = "15:04:05.000"
		}
	}
	const (
		colStart = iota
		colID
		colRoot
		colDuration
		colSpans
		colServices
		colErrors
	)
	head := []string{"START", "TRACE ID", "ROOT", "DURATION", "SPANS", "SERVICES", "ERRORS"}
	cells := make([][]string, len(rows))
	for i, s := range rows {
		errs := strconv.Itoa(s.Errors)
		if s.Errors > 0 {
			errs += " " + render.MarkError
		}
		cells[i] = []string{s.Start.In(loc).Format(timeLayout), string(s.TraceID),
			sources.Sanitize(s.Service) + " " + sources.Sanitize(s.Operation),
			render.Duration(s.Duration), strconv.Itoa(s.Spans), strconv.Itoa(s.Services), errs}
	}
	keep := []int{colStart, colID, colRoot, colDuration, colSpans, colServices, colErrors}
	const minRoot = 12
	build := func() *render.Table {
		t := &render.Table{Width: width, Flex: []int{2}, MinFlex: minRoot, Styles: st}
		for _, c := range keep {
			t.Head = append(t.Head, head[c])
			t.Right = append(t.Right, c >= colDuration)
		}
		for _, r := range cells {
			row := make([]string, 0, len(keep))
			for _, c := range keep {
				row = append(row, r[c])
			}
			t.Rows = append(t.Rows, row)
		}
		t.Paint = func(row, col int) styles.Paint {
			switch keep[col] {
			case colRoot:
				return st.Service(rows[row].Service)
			case colErrors:
				if rows[row].Errors > 0 {
					return st.Error
				}
			case colStart:
				return st.Dim
			}
			return styles.Paint{}
		}
		return t
	}
	t := build()
	for _, drop := range []int{colServices, colSpans} {
		if t.Fits() {
			break
		}
		keep = slices.DeleteFunc(keep, func(c int) bool { return c == drop })
		t = build()
	}
	return t
}

func newServicesCmd(io *IO, g *GlobalOptions) *cobra.Command {
	c := &cobra.Command{
		Use:   "services",
		Short: "List the services Jaeger knows",
		Args:  usageArgs(cobra.NoArgs),
	}
	jf := addJaegerFlags(c)
	outputFormats(c, "text", "json")
	c.RunE = func(c *cobra.Command, _ []string) error {
		return listRun(c.Context(), io, g, jf, func(ctx context.Context, src sources.TraceSource) ([]string, error) {
			return src.Services(ctx)
		})
	}
	return c
}

func newOperationsCmd(io *IO, g *GlobalOptions) *cobra.Command {
	c := &cobra.Command{
		Use:   "operations <service>",
		Short: "List a service's operations",
		Args:  usageArgs(cobra.ExactArgs(1)),
	}
	jf := addJaegerFlags(c)
	c.ValidArgsFunction = firstArg(g.serviceNames(func() (sources.TraceSource, error) { return g.traceSource(io, jf) }))
	outputFormats(c, "text", "json")
	c.RunE = func(c *cobra.Command, args []string) error {
		return listRun(c.Context(), io, g, jf, func(ctx context.Context, src sources.TraceSource) ([]string, error) {
			return src.Operations(ctx, args[0])
		})
	}
	return c
}

// listRun prints a list of names, one per line, or as a JSON array.
func listRun(ctx context.Context, io *IO, g *GlobalOptions, jf *jaegerFlags, list func(context.Context, sources.TraceSource) ([]string, error)) error {
	format, ferr := outputFormat(g, "text", "json")
	if ferr != nil {
		return ferr
	}
	var src sources.TraceSource
	var err error
	if g.Demo {
		src, err = g.demoSource()
	} else {
		src, err = jf.client(io, g)
	}
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, g.Timeout)
	defer cancel()
	names, err := list(ctx, src)
	if err != nil {
		return err
	}
	if format == "json" {
		if names == nil {
			names = []string{}
		}
		return json.NewEncoder(io.Out).Encode(names)
	}
	for _, n := range names {
		fmt.Fprintln(io.Out, sources.Sanitize(n))
	}
	return nil
}

// addSearchFilters adds the search's filters that telx traces and telx
// analyze share: --tag, --min-duration and --max-duration.
func addSearchFilters(f *pflag.FlagSet, tags *[]string, minDuration, maxDuration *time.Duration) {
	f.StringArrayVar(tags, "tag", nil, "only traces with a span tagged key=value (repeatable)")
	f.DurationVar(minDuration, "min-duration", 0, "only traces at least this long")
	f.DurationVar(maxDuration, "max-duration", 0, "only traces at most this long")
}
