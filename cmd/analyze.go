package cmd

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/sources/analyze"
	"github.com/telx-cli/telx/tui/render"
)

// AnalyzeOptions are the inputs of `telx analyze`.
type AnalyzeOptions struct {
	IO     *IO
	Global *GlobalOptions
	Source func() (sources.TraceSource, error)
	// Metrics is where span metrics are asked for (nil: none).
	Metrics func() (sources.MetricSource, error)
	Time    *timeFlags

	Service     string
	Operation   string
	Tags        []string
	MinDuration time.Duration
	MaxDuration time.Duration
	Sample      int
	Concurrency int
	SpanMetrics bool
	SystemGraph bool
	Width       int
	UTC         bool
}

func newAnalyzeCmd(io *IO, g *GlobalOptions) *cobra.Command {
	opts := &AnalyzeOptions{IO: io, Global: g}
	c := &cobra.Command{
		Use:   "analyze --service S",
		Short: "Analyse a sample of a service's traces: latency, where the time goes, what the bad ones share, where errors start",
		Long: `Search a sample of a service's traces (with the filters of telx traces) and report on them:
the latency distribution and the error ratio (from span metrics in Prometheus when it has them,
else from the sample); where the time goes, self time and the critical path of the slowest
decile against the rest; the attribute values over-represented among the failed and the slowest
traces; where errors start (failing spans with no failing span under them); and the calls
between services. The report says how long the backends took and the analysis.`,
		Example: `  telx analyze --service frontend --since 30m
  telx analyze --service payments --operation Charge --sample 500
  telx analyze --service frontend --tag http.route=/api/checkout --system-graph -o json`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(c *cobra.Command, _ []string) error {
			return analyzeRun(c.Context(), opts)
		},
	}
	f := c.Flags()
	f.StringVar(&opts.Service, "service", "", "the service whose traces to analyse (required)")
	f.StringVar(&opts.Operation, "operation", "", "only traces with this operation; its spans' latency is the one measured")
	addSearchFilters(f, &opts.Tags, &opts.MinDuration, &opts.MaxDuration)
	f.IntVar(&opts.Sample, "sample", analyze.DefaultSample, "how many traces to analyse")
	f.IntVar(&opts.Concurrency, "concurrency", analyze.DefaultConcurrency, "how many whole traces to fetch at once, when the search gives summaries")
	f.BoolVar(&opts.SpanMetrics, "span-metrics", true, "ask Prometheus for the latency distribution over span metrics (false: the sample's)")
	f.BoolVar(&opts.SystemGraph, "system-graph", false, "draw the whole system's service graph from Jaeger's dependencies instead of the sample's calls")
	f.IntVar(&opts.Width, "width", 0, "width in columns (default: the terminal's, or 80)")
	f.BoolVar(&opts.UTC, "utc", false, "show times in UTC instead of the local zone")
	opts.Time = addTimeFlags(c, time.Hour)
	jf := addJaegerFlags(c)
	pf := addPrometheusFlags(c)
	opts.Source = func() (sources.TraceSource, error) {
		if g.Demo {
			return g.demoSource()
		}
		return jf.client(io, g)
	}
	opts.Metrics = func() (sources.MetricSource, error) {
		if g.Demo {
			return nil, nil // the demo's metrics answer the RED queries only
		}
		return pf.client(io, g)
	}
	completeFlag(c, "service", g.serviceNames(opts.Source))
	completeFlag(c, "operation", g.operationNames("service", opts.Source))
	outputFormats(c, "text", "json")
	return c
}

// AnalyzeQuery is the search of an analysis, as telx traces reads its
// flags.
func analyzeQuery(opts *AnalyzeOptions) (sources.TraceQuery, error) {
	if opts.Service == "" {
		return sources.TraceQuery{}, UsageError(fmt.Errorf("--service is required (list them with telx services)"))
	}
	if opts.Sample <= 0 {
		return sources.TraceQuery{}, UsageError(fmt.Errorf("--sample must be positive"))
	}
	if opts.Concurrency <= 0 {
		return sources.TraceQuery{}, UsageError(fmt.Errorf("--concurrency must be positive"))
	}
	r, err := opts.Time.rangeAt(opts.Global.now())
	if err != nil {
		return sources.TraceQuery{}, err
	}
	q := sources.TraceQuery{Service: opts.Service, Operation: opts.Operation, MinDuration: opts.MinDuration,
		MaxDuration: opts.MaxDuration, Range: r, Limit: opts.Sample}
	for _, tag := range opts.Tags {
		k, v, ok := strings.Cut(tag, "=")
		if !ok || k == "" {
			return sources.TraceQuery{}, UsageError(fmt.Errorf("--tag %q: want key=value", tag))
		}
		if q.Tags == nil {
			q.Tags = map[string]string{}
		}
		q.Tags[k] = v
	}
	return q, nil
}

func analyzeRun(ctx context.Context, opts *AnalyzeOptions) error {
	format, err := outputFormat(opts.Global, "text", "json")
	if err != nil {
		return err
	}
	q, err := analyzeQuery(opts)
	if err != nil {
		return err
	}
	src, err := opts.Source()
	if err != nil {
		return err
	}
	fo := analyze.FetchOptions{Sample: opts.Sample, Concurrency: opts.Concurrency, SystemGraph: opts.SystemGraph}
	if opts.SpanMetrics && opts.Metrics != nil {
		if fo.Metrics, err = opts.Metrics(); err != nil {
			return err
		}
	}
	ctx, cancel := context.WithTimeout(ctx, opts.Global.Timeout)
	defer cancel()
	res, err := analyze.Fetch(ctx, src, q, fo)
	if err != nil {
		return err
	}
	if format == "json" {
		enc := json.NewEncoder(opts.IO.Out)
		enc.SetIndent("", "  ")
		return enc.Encode(res)
	}
	if res.Traces == 0 {
		fmt.Fprintf(opts.IO.ErrOut, "no traces of %s between %s and %s\n", sources.Sanitize(opts.Service),
			q.Range.From.Format(time.RFC3339), q.Range.To.Format(time.RFC3339))
		return nil
	}
	width := opts.Width
	if width <= 0 {
		width = opts.IO.Width
	}
	return render.Analysis(colorWriter(opts.IO), res, render.AnalyzeOptions{Width: width,
		Styles: opts.Global.Styles(opts.IO), Location: opts.Global.Location(opts.UTC)})
}
