package cmd

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync/atomic"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/sources/config"
	"github.com/telx-cli/telx/sources/demo"
	"github.com/telx-cli/telx/sources/loki"
	"github.com/telx-cli/telx/sources/prometheus"
	"github.com/telx-cli/telx/tui"
	"github.com/telx-cli/telx/tui/logs"
	"github.com/telx-cli/telx/tui/metrics"
)

// ExploreOptions are the inputs of the interactive explorer: telx
// explore, telx demo and telx trace -i.
type ExploreOptions struct {
	IO     *IO
	Global *GlobalOptions
	// Source builds the trace source (Jaeger, or the demo).
	Source func() (sources.TraceSource, error)
	// Logs builds the Logs pane's source (Loki, or the demo); nil: Loki
	// at --loki without credentials.
	Logs func() (sources.LogSource, error)
	// Metrics builds the Metrics pane's source (Prometheus, or the demo);
	// nil: Prometheus at --prometheus without credentials.
	Metrics func() (sources.MetricSource, error)
	// Run runs the program (tea's, unless tests say otherwise).
	Run func(tea.Model) error

	Service  string
	TraceID  string
	Lookback time.Duration
	Limit    int
	UTC      bool
	// LogQuery (--logs) opens the Logs pane focused on a LogQL query;
	// MetricQuery (--metrics) the Metrics pane on a PromQL query.
	LogQuery, MetricQuery string
	// Demo opens on the demo's slowest failing trace.
	Demo bool
	// Live starts live mode, refreshing every Refresh (--live, --refresh).
	Live    bool
	Refresh time.Duration
	// liveFlags are the flags Live and Refresh come from.
	liveFlags liveFlags
	// MaxLines caps the Logs pane's lines in live mode; Follow starts the
	// Logs pane following.
	MaxLines int
	Follow   bool
	// AlertManager builds the alerts list's Alertmanager (nil, or a nil
	// answer: none configured); ServiceLabels name an alert's service.
	AlertManager  func() (sources.AlertManager, error)
	ServiceLabels string
}

func newExploreCmd(io *IO, g *GlobalOptions) *cobra.Command {
	opts := &ExploreOptions{IO: io, Global: g}
	c := &cobra.Command{
		Use:   "explore",
		Short: "Explore traces interactively",
		Long: `Open the interactive explorer: the traces of a service (newest first), the
waterfall of the trace opened from them, and the details of the selected span.
Press ? for the keys. telx with no arguments on a terminal does the same.`,
		Example: `  telx explore --service checkout
  telx explore --jaeger http://jaeger:16686 --since 30m
  telx explore --logs '{service_name="payments"} | level="error"'
  telx explore --metrics 'sum by (service_name) (rate(traces_span_metrics_calls_total[5m]))'
  telx demo`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(c *cobra.Command, _ []string) error {
			if err := opts.liveFlags.apply(c, g, opts); err != nil {
				return err
			}
			return exploreRun(c.Context(), opts)
		},
	}
	addExploreFlags(c, opts)
	jf := addJaegerFlags(c)
	lf := addLokiFlags(c)
	opts.Source = func() (sources.TraceSource, error) {
		if g.Demo {
			return g.demoSource()
		}
		return jf.client(io, g)
	}
	opts.Logs = func() (sources.LogSource, error) { return g.logBackend(c, io, lf) }
	pf := addPrometheusFlags(c)
	opts.Metrics = func() (sources.MetricSource, error) { return pf.client(io, g) }
	af := addAlertmanagerFlags(c)
	opts.AlertManager = func() (sources.AlertManager, error) {
		if g.Demo || !g.alertmanagerConfigured() {
			return nil, nil
		}
		return af.client(io, g, "")
	}
	completeFlag(c, "service", g.serviceNames(opts.Source))
	completeFlag(c, "logs", g.logQLSelector(nil, func() (labelSource, error) { return opts.Logs() }))
	completeFlag(c, "metrics", g.metricNames(nil, opts.Metrics))
	return c
}

func addExploreFlags(c *cobra.Command, opts *ExploreOptions) {
	f := c.Flags()
	f.StringVar(&opts.Service, "service", "", "list this service's traces first (default: the first service)")
	f.DurationVar(&opts.Lookback, "since", time.Hour, "search traces this far back")
	f.IntVar(&opts.Limit, "limit", 50, "at most this many traces per search")
	f.BoolVar(&opts.UTC, "utc", false, "show times in UTC instead of the local zone")
	f.StringVar(&opts.LogQuery, "logs", "", "open with the Logs pane focused on this LogQL query's lines (over --since)")
	f.StringVar(&opts.MetricQuery, "metrics", "", "open with the Metrics pane focused on this PromQL query's series")
	addLiveFlags(c, &opts.liveFlags)
	f.IntVar(&opts.MaxLines, "max-lines", logs.DefaultMaxLines, "the Logs pane keeps at most this many lines as new ones arrive, dropping the oldest")
	f.BoolVar(&opts.Follow, "follow", false, "the Logs pane follows its query live from the start (new lines arrive at the bottom)")
	addServiceLabelsFlag(c, &opts.ServiceLabels)
}

func newDemoCmd(io *IO, g *GlobalOptions) *cobra.Command {
	opts := &ExploreOptions{IO: io, Global: g, Demo: true}
	c := &cobra.Command{
		Use:   "demo",
		Short: "Explore the embedded demo incident (no network)",
		Long: `Open the interactive explorer on telx's embedded demo: an hour of a small
shop's traces, logs and span metrics in which payments' database lookups slow
down and start failing, and the alerts that raises (a lists them). It opens on
the slowest failing trace. Nothing is fetched from the network. The one-shot
commands take --demo for the same data.`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(c *cobra.Command, _ []string) error {
			if err := opts.liveFlags.apply(c, g, opts); err != nil {
				return err
			}
			return exploreRun(c.Context(), opts)
		},
	}
	addExploreFlags(c, opts)
	opts.Source = func() (sources.TraceSource, error) { return g.demoSource() }
	return c
}

// terminalIO tells whether the explorer can run: input and output both
// terminals.
func terminalIO(s *IO) bool {
	in, ok := s.In.(*os.File)
	return ok && s.IsTTY && term.IsTerminal(int(in.Fd()))
}

func exploreRun(ctx context.Context, opts *ExploreOptions) error {
	if opts.Limit <= 0 || opts.Lookback <= 0 {
		return UsageError(errors.New("--limit and --since must be positive"))
	}
	if q := strings.TrimSpace(opts.LogQuery); opts.LogQuery != "" && !strings.HasPrefix(q, "{") {
		return UsageError(fmt.Errorf("--logs needs a LogQL query starting with a stream selector ({…}), got %q", opts.LogQuery))
	}
	if opts.MetricQuery != "" && strings.TrimSpace(opts.MetricQuery) == "" {
		return UsageError(errors.New("--metrics needs a PromQL query"))
	}
	if opts.MaxLines < 0 {
		return UsageError(errors.New("--max-lines must be positive"))
	}
	if opts.Run == nil && !terminalIO(opts.IO) {
		return UsageError(errors.New("the explorer needs a terminal (use the one-shot commands in pipes and scripts)"))
	}
	src, err := opts.Source()
	if err != nil {
		return err
	}
	o := tui.Options{
		Traces: src, Service: opts.Service, Lookback: opts.Lookback, Limit: opts.Limit,
		Timeout: opts.Global.Timeout, Now: opts.Global.now,
		Styles: opts.Global.Styles(opts.IO), Location: opts.Global.Location(opts.UTC),
		Sources:  "jaeger " + opts.Global.JaegerURL,
		LogQuery: opts.LogQuery, MetricQuery: opts.MetricQuery,
		Live: opts.Live, Refresh: opts.Refresh,
	}
	if ds, ok := src.(interface{ SlowestFailingTrace() *sources.Trace }); ok {
		o.Sources = "demo (embedded incident)"
		if opts.Demo && opts.TraceID == "" {
			o.Trace = ds.SlowestFailingTrace()
		}
	}
	if opts.TraceID != "" {
		id, err := sources.ParseTraceID(opts.TraceID)
		if err != nil {
			return UsageError(err)
		}
		o.TraceID = id
		if _, demo := src.(*demo.Source); !demo {
			ctx, cancel := context.WithTimeout(ctx, opts.Global.Timeout)
			defer cancel()
			o.Traces = prefetch(ctx, src, id)
		}
	}
	logSrc, err := exploreLogs(opts, src)
	if err != nil {
		return err
	}
	o.Logs = logSrc
	metricSrc, err := exploreMetrics(opts, src)
	if err != nil {
		return err
	}
	o.Metrics = metricSrc
	if rs, ok := metricSrc.(sources.RuleSource); ok {
		o.Rules = rs
	}
	if opts.AlertManager != nil {
		am, err := opts.AlertManager()
		if err != nil {
			return err
		}
		if am != nil { // a nil *Client is not a nil interface
			o.AlertManager = am
		}
	}
	o.ServiceLabels = opts.Global.serviceLabels(opts.ServiceLabels)
	o.Author = opts.Global.silenceAuthor()
	o.Extra = []tui.Pane{
		logs.New(logs.Options{Source: logSrc, Styles: o.Styles, Location: o.Location, Timeout: o.Timeout,
			Templates: traceTemplates(opts.Global, "", ""), MaxLines: opts.MaxLines, Live: opts.Follow, Now: opts.Global.now}),
		metrics.New(metrics.Options{Source: metricSrc, Styles: o.Styles, Location: o.Location, Timeout: o.Timeout, Now: o.Now}),
	}
	model := tui.New(o)
	if opts.Run != nil {
		return opts.Run(model)
	}
	// The colour profile detected once, at start: detecting it again costs a
	// `tmux info` process under tmux, and keeps --no-color and NO_COLOR.
	dropHeapFloor()
	p := tea.NewProgram(model, tea.WithContext(ctx), tea.WithInput(opts.IO.In), tea.WithOutput(opts.IO.Out),
		tea.WithColorProfile(opts.IO.Profile))
	_, err = p.Run()
	if errors.Is(err, tea.ErrProgramKilled) && ctx.Err() != nil {
		return ctx.Err()
	}
	if err != nil {
		return fmt.Errorf("explorer: %w", err)
	}
	return nil
}

// exploreLogs is the Logs pane's source: the demo's with the demo, else
// opts.Logs, else Loki at --loki (TELX_LOKI_URL) without credentials.
func exploreLogs(opts *ExploreOptions, traces sources.TraceSource) (sources.LogSource, error) {
	if lg, ok := traces.(*demo.Source); ok {
		return lg, nil
	}
	if opts.Logs != nil {
		return opts.Logs()
	}
	hc, err := opts.Global.HTTPClient(opts.IO, "loki", config.Auth{})
	if err != nil {
		return nil, err
	}
	lc, err := loki.New(loki.Options{URL: opts.Global.LokiURL, HTTPClient: hc, Limits: opts.Global.Limits()})
	if err != nil {
		return nil, UsageError(err)
	}
	return lc, nil
}

// exploreMetrics is the Metrics pane's source: the demo's with the demo,
// else opts.Metrics, else Prometheus at --prometheus without credentials.
func exploreMetrics(opts *ExploreOptions, traces sources.TraceSource) (sources.MetricSource, error) {
	if ms, ok := traces.(*demo.Source); ok {
		return ms, nil
	}
	if opts.Metrics != nil {
		return opts.Metrics()
	}
	hc, err := opts.Global.HTTPClient(opts.IO, "prometheus", config.Auth{})
	if err != nil {
		return nil, err
	}
	pc, err := prometheus.New(prometheus.Options{URL: opts.Global.PrometheusURL, HTTPClient: hc, Limits: opts.Global.Limits()})
	if err != nil {
		return nil, UsageError(err)
	}
	return pc, nil
}

// prefetched is a trace source whose first call for one trace takes the
// answer of a fetch started before the terminal was set up, so that the
// explorer's first waterfall comes as soon as the backend answers.
type prefetched struct {
	sources.TraceSource
	id   sources.TraceID
	used atomic.Bool
	done chan struct{}
	t    *sources.Trace
	err  error
}

// prefetch starts fetching trace id from src.
func prefetch(ctx context.Context, src sources.TraceSource, id sources.TraceID) *prefetched {
	p := &prefetched{TraceSource: src, id: id, done: make(chan struct{})}
	go func() {
		defer close(p.done)
		p.t, p.err = src.Trace(ctx, id)
	}()
	return p
}

// Trace returns the prefetched answer the first time id is asked for.
func (p *prefetched) Trace(ctx context.Context, id sources.TraceID) (*sources.Trace, error) {
	if id != p.id || !p.used.CompareAndSwap(false, true) {
		return p.TraceSource.Trace(ctx, id)
	}
	select {
	case <-p.done:
		return p.t, p.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}
