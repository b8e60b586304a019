// Package cmd holds telx's cobra commands. Each command fills an Options
// struct from its flags and calls a run function that writes through IO.
package cmd

import (
	"context"
	"errors"
	"fmt"
	stdio "io"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/telx-cli/telx/internal/build"
	"github.com/telx-cli/telx/sources/config"
	"github.com/telx-cli/telx/sources/demo"
	"github.com/telx-cli/telx/tui/styles"
)

// Default backend addresses: where each backend listens when run locally.
const (
	DefaultJaegerURL     = "http://localhost:16686"
	DefaultPrometheusURL = "http://localhost:9090"
	DefaultLokiURL       = "http://localhost:3100"
	DefaultTimeout       = 30 * time.Second
)

// GlobalOptions are the flags every command shares.
type GlobalOptions struct {
	JaegerURL     string
	PrometheusURL string
	LokiURL       string
	Output        string
	NoColor       bool
	Timeout       time.Duration
	// MaxAnswer caps every answer read (--max-answer); 0: the context's
	// limits, else the defaults.
	MaxAnswer config.ByteSize
	Verbose   bool
	// Demo serves traces, logs and metrics from the embedded demo incident.
	Demo bool
	// AlertmanagerURL is "" when no Alertmanager is configured: telx
	// alerts then asks Prometheus (see alertmanager.go).
	AlertmanagerURL string

	// The config file and the context chosen (--config, --context).
	contextState
	timeoutSet bool

	theme styles.Theme // see completeTheme

	getenv func(string) string
	now    func() time.Time
	// sleep waits between the refreshes of --watch (a timer, unless tests
	// say otherwise)
	sleep func(ctx context.Context, d time.Duration) error
	demo  *demo.Source // loaded once, on first use
}

// envFallbacks names the environment variable each flag falls back to when
// it is not given on the command line.
var envFallbacks = map[string]string{
	"jaeger":     "TELX_JAEGER_URL",
	"prometheus": "TELX_PROMETHEUS_URL",
	"loki":       "TELX_LOKI_URL",

	"alertmanager": "TELX_ALERTMANAGER_URL", // no default URL
}

// NewRootCmd builds the telx command tree writing through io. getenv reads
// the environment (os.Getenv outside tests).
func NewRootCmd(io *IO, getenv func(string) string) *cobra.Command {
	root, _ := newRootCmd(io, getenv)
	return root
}

func newRootCmd(io *IO, getenv func(string) string) (*cobra.Command, *GlobalOptions) {
	opts := &GlobalOptions{getenv: getenv, now: time.Now}
	root := &cobra.Command{
		Use:   "telx",
		Short: "Traces, logs and metrics in the terminal",
		Long: `telx queries Jaeger (traces), Prometheus (metrics) and Loki (logs) and shows
waterfall traces, sparkline metrics and filtered logs in the terminal.`,
		Version:       build.Get().Version,
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(c *cobra.Command, _ []string) error {
			return opts.complete(c.Flags(), io, getenv)
		},
		Args: rootArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if terminalIO(io) {
				// on a terminal, telx alone opens the explorer
				ex, _, err := c.Find([]string{"explore"})
				if err != nil {
					return err
				}
				ex.SetContext(c.Context())
				return ex.RunE(ex, nil)
			}
			return c.Help()
		},
	}
	root.SetVersionTemplate("telx {{.Version}}\n")
	root.SetOut(io.Out)
	root.SetErr(io.ErrOut)
	root.SetIn(io.In)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return UsageError(err) })

	f := root.PersistentFlags()
	f.StringVar(&opts.JaegerURL, "jaeger", DefaultJaegerURL, "Jaeger query URL (env TELX_JAEGER_URL)")
	f.StringVar(&opts.PrometheusURL, "prometheus", DefaultPrometheusURL, "Prometheus URL (env TELX_PROMETHEUS_URL)")
	f.StringVar(&opts.LokiURL, "loki", DefaultLokiURL, "Loki URL (env TELX_LOKI_URL)")
	f.StringVar(&opts.AlertmanagerURL, "alertmanager", "", "Alertmanager URL (env TELX_ALERTMANAGER_URL; none by default)")
	f.StringVarP(&opts.Output, "output", "o", "", "output format: text or json (some commands offer more)")
	completeFlag(root, "output", completeOutput)
	f.BoolVar(&opts.NoColor, "no-color", false, "never use colour (also when NO_COLOR is set)")
	f.DurationVar(&opts.Timeout, "timeout", DefaultTimeout, "how long to wait for a backend's answer, reading and decoding it included")
	f.Var(&opts.MaxAnswer, "max-answer", "the largest answer read from a backend or a trace file, such as 512MiB (default 256MiB for traces, 64MiB for a page of logs or metrics, 16MiB for a list; limits: in the context)")
	f.BoolVarP(&opts.Verbose, "verbose", "v", false, "print each backend request (method, URL, status, time) on stderr")
	f.StringVar(&opts.ConfigPath, "config", "", "config file (env TELX_CONFIG; default $XDG_CONFIG_HOME/telx/config.yaml)")
	f.StringVar(&opts.ContextName, "context", "", "context of the config file to use (env TELX_CONTEXT; default its current_context)")
	_ = root.RegisterFlagCompletionFunc("context", completeContexts(opts))
	f.BoolVar(&opts.Demo, "demo", false, "use the embedded demo incident instead of the backends (no network)")

	root.AddCommand(
		newVersionCmd(io, opts),
		newTraceCmd(io, opts),
		newCompareCmd(io, opts),
		newTracesCmd(io, opts),
		newAnalyzeCmd(io, opts),
		newServicesCmd(io, opts),
		newOperationsCmd(io, opts),
		newMetricsCmd(io, opts),
		newAlertsCmd(io, opts),
		newSilenceCmd(io, opts),
		newRulesCmd(io, opts),
		newLogsCmd(io, opts),
		newLabelsCmd(io, opts),
		newConfigCmd(io, opts),
		newExploreCmd(io, opts),
		newDemoCmd(io, opts),
	)
	noFileArgs(root) // after every command: see complete.go
	return root, opts
}

// complete applies the environment fallbacks and the context, and checks
// the values. Precedence: flags, then the environment, then the context,
// then the defaults.
func (o *GlobalOptions) complete(flags *pflag.FlagSet, io *IO, getenv func(string) string) error {
	o.timeoutSet = flags.Changed("timeout")
	if err := o.loadContext(flags, io, getenv); err != nil {
		return err
	}
	targets := map[string]*string{"jaeger": &o.JaegerURL, "prometheus": &o.PrometheusURL, "loki": &o.LokiURL, "alertmanager": &o.AlertmanagerURL}
	for name, env := range envFallbacks {
		if !flags.Changed(name) {
			if v := strings.TrimSpace(getenv(env)); v != "" {
				*targets[name] = v
			} else if v := o.contextURL(name); v != "" {
				*targets[name] = v
			}
		}
	}
	for name, target := range targets {
		if name == "alertmanager" && *target == "" {
			continue
		}
		if err := checkURL(*target); err != nil {
			return UsageError(fmt.Errorf("--%s: %w", name, err))
		}
	}
	if o.Timeout <= 0 {
		return UsageError(fmt.Errorf("--timeout must be positive, got %s", o.Timeout))
	}
	if o.NoColor || getenv("NO_COLOR") != "" {
		io.DisableColor()
	}
	return o.completeTheme(io, getenv)
}

func checkURL(s string) error { return config.CheckURL(s) }

// outputFormat checks -o against the formats a command offers; the first
// is the default.
func outputFormat(o *GlobalOptions, formats ...string) (string, error) {
	if o.Output == "" {
		return formats[0], nil
	}
	for _, f := range formats {
		if o.Output == f {
			return f, nil
		}
	}
	return "", UsageError(fmt.Errorf("unsupported output format %q (want %s)", o.Output, strings.Join(formats, ", ")))
}

// Execute runs telx with the process's arguments and returns its exit code.
func Execute() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	io := SystemIO()
	raiseHeapFloor()
	return Run(ctx, NewRootCmd(io, os.Getenv), io, os.Args[1:])
}

// Run executes root with args, prints any error on io.ErrOut, and returns
// the exit code.
func Run(ctx context.Context, root *cobra.Command, io *IO, args []string) int {
	root.SetArgs(args)
	c, err := root.ExecuteContextC(ctx)
	if err == nil {
		return ExitOK
	}
	if errors.Is(err, context.Canceled) {
		fmt.Fprintln(io.ErrOut, "telx: interrupted")
		return ExitError
	}
	fmt.Fprintf(io.ErrOut, "telx: %v\n", err)
	code := exitCode(err)
	if code == ExitUsage && c != nil {
		fmt.Fprintf(io.ErrOut, "Run '%s --help' for usage.\n", c.CommandPath())
	}
	return code
}

// usageArgs wraps a positional-argument check so that its failure is a
// usage error (exit code 2).
func usageArgs(check cobra.PositionalArgs) cobra.PositionalArgs {
	return func(c *cobra.Command, args []string) error {
		return UsageError(check(c, args))
	}
}

// rootArgs refuses an unknown command name with a usage error and
// suggestions, as cobra would, but with telx's exit code.
func rootArgs(c *cobra.Command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	msg := fmt.Sprintf("unknown command %q for %q", args[0], c.CommandPath())
	if s := c.SuggestionsFor(args[0]); len(s) > 0 {
		msg += "\n\nDid you mean this?\n\t" + strings.Join(s, "\n\t")
	}
	return UsageError(errors.New(msg))
}

// HTTPClient returns the HTTP client for one backend ("jaeger",
// "prometheus" or "loki"): --timeout (or the context's) per request, its
// auth completed by the context (see BackendAuth), and with --verbose each
// request logged on stderr without its credentials. TLS settings that
// cannot be used are a usage error (ExitUsage).
func (o *GlobalOptions) HTTPClient(io *IO, backend string, auth config.Auth) (*http.Client, error) {
	auth, err := o.BackendAuth(context.Background(), backend, auth)
	if err != nil {
		return nil, err
	}
	hc, err := config.HTTPClient(backend, o.timeoutFor(backend), auth, o.verboseOut(io))
	if err != nil {
		// TLS files (the CA, a client certificate) or a proxy URL that
		// cannot be used: a mistake in the flags or the context, the same
		// exit code for every backend
		return nil, UsageError(err)
	}
	return hc, nil
}

// Limits are the caps on answers: --max-answer for every kind, else the
// context's limits, else the defaults.
func (o *GlobalOptions) Limits() config.Limits {
	if o.MaxAnswer > 0 {
		return config.AllAnswers(o.MaxAnswer)
	}
	return o.Context.AnswerLimits()
}

// verboseOut is where --verbose logs requests: stderr, or nowhere (nil).
func (o *GlobalOptions) verboseOut(io *IO) stdio.Writer {
	if o.Verbose {
		return io.ErrOut
	}
	return nil
}
