package cmd

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"
	"github.com/spf13/cobra"

	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/sources/config"
	"github.com/telx-cli/telx/sources/demo"
	"github.com/telx-cli/telx/sources/file"
	"github.com/telx-cli/telx/sources/otlp"
	"github.com/telx-cli/telx/tui/render"
)

// TraceOptions are the inputs of `telx trace`.
type TraceOptions struct {
	IO     *IO
	Global *GlobalOptions
	Jaeger *jaegerFlags
	// Source builds the trace source (Jaeger unless tests say otherwise).
	Source func() (sources.TraceSource, error)

	ID           string
	File         string
	UTC          bool
	Width        int
	Depth        int
	Service      string
	MinDuration  time.Duration
	CriticalPath bool
	Stats        bool
	Details      bool
	Web          bool
	Interactive  bool
	// Flame prints a flame graph instead of the waterfall.
	Flame bool
	// Live are the explorer's live flags (with -i).
	Live liveFlags
}

func newTraceCmd(io *IO, g *GlobalOptions) *cobra.Command {
	opts := &TraceOptions{IO: io, Global: g}
	c := &cobra.Command{
		Use:   "trace <trace-id>",
		Short: "Print a trace as a waterfall",
		Long: `Print one trace as a waterfall: a header, a time ruler, and one row per span
with its place in the tree, a bar on the time axis, its duration and marks for
errors (✗), the critical path (◆) and warnings (⚠).

The trace comes from Jaeger, or from a file with --file: a Jaeger UI JSON
export or an OTLP JSON document ("-" reads standard input).`,
		Example: `  telx trace 4bf92f3577b34da6a3ce929d0e0e4736
  telx trace 4bf92f35... --min-duration 1ms --stats
  telx trace --file export.json
  telx trace 4bf92f3577b34da6a3ce929d0e0e4736 -o otlp > trace.json`,
		Args: usageArgs(cobra.MaximumNArgs(1)),
		RunE: func(c *cobra.Command, args []string) error {
			if len(args) == 1 {
				opts.ID = args[0]
			}
			if opts.ID == "" && opts.File == "" && !g.Demo {
				return UsageError(errors.New("give a trace ID, or --file (with --demo: none opens the slowest failing trace)"))
			}
			if opts.Interactive {
				if opts.File != "" {
					return UsageError(errors.New("-i does not read --file yet: give a trace ID"))
				}
				eo := &ExploreOptions{IO: io, Global: g, Source: opts.Source, TraceID: opts.ID,
					Demo: g.Demo, UTC: opts.UTC, Lookback: time.Hour, Limit: 50}
				if err := opts.Live.apply(c, g, eo); err != nil {
					return err
				}
				return exploreRun(c.Context(), eo)
			}
			if err := opts.Live.explorerOnly(c); err != nil {
				return err
			}
			return traceRun(c.Context(), opts)
		},
	}
	f := c.Flags()
	f.StringVar(&opts.File, "file", "", `read traces from a Jaeger UI JSON or OTLP JSON file ("-" for standard input)`)
	f.BoolVar(&opts.UTC, "utc", false, "show times in UTC instead of the local zone")
	f.IntVar(&opts.Width, "width", 0, "width in columns (default: the terminal's, or 80)")
	f.IntVar(&opts.Depth, "depth", 0, "show spans down to this depth only (the root is 1)")
	f.StringVar(&opts.Service, "service", "", "show only the spans of this service and their ancestors")
	f.DurationVar(&opts.MinDuration, "min-duration", 0, "hide spans shorter than this, with what is under them")
	f.BoolVar(&opts.CriticalPath, "critical-path", false, "show only the critical path")
	f.BoolVar(&opts.Stats, "stats", false, "add per-service and per-operation statistics")
	f.BoolVar(&opts.Details, "details", false, "show each span's status, attributes and events")
	f.BoolVar(&opts.Web, "web", false, "print the trace's link in the Jaeger UI (web_url of the context, or TELX_JAEGER_WEB_URL)")
	f.BoolVarP(&opts.Interactive, "interactive", "i", false, "open the trace in the interactive explorer")
	f.BoolVar(&opts.Flame, "flame", false, "print a flame graph: self time summed by stack of (service, operation)")
	addLiveFlags(c, &opts.Live)
	opts.Jaeger = addJaegerFlags(c)
	opts.Source = func() (sources.TraceSource, error) {
		if g.Demo {
			return g.demoSource()
		}
		return opts.Jaeger.client(io, g)
	}
	completeFlag(c, "service", g.serviceNames(opts.Source))
	outputFormats(c, "text", "json", "otlp")
	return c
}

func traceRun(ctx context.Context, opts *TraceOptions) error {
	format, err := outputFormat(opts.Global, "text", "json", "otlp")
	if err != nil {
		return err
	}
	if opts.Depth < 0 {
		return UsageError(fmt.Errorf("--depth must not be negative"))
	}
	var id sources.TraceID
	if opts.ID != "" {
		if id, err = sources.ParseTraceID(opts.ID); err != nil {
			return UsageError(err)
		}
	}
	if opts.Web {
		return traceWeb(opts, id)
	}
	var traces []*sources.Trace
	if opts.File != "" {
		traces, err = readTraceFile(opts.IO, opts.File, id, opts.Global.Limits())
	} else {
		var src sources.TraceSource
		if src, err = opts.Source(); err != nil {
			return err
		}
		ctx, cancel := context.WithTimeout(ctx, opts.Global.Timeout)
		defer cancel()
		var t *sources.Trace
		if ds, ok := src.(*demo.Source); ok && id == "" {
			t = ds.SlowestFailingTrace()
		} else {
			t, err = src.Trace(ctx, id)
		}
		traces = []*sources.Trace{t}
	}
	if err != nil {
		return err
	}
	return writeTraces(opts, format, traces)
}

// traceWeb prints the link to trace id in the Jaeger UI.
func traceWeb(opts *TraceOptions, id sources.TraceID) error {
	if id == "" {
		return UsageError(errors.New("--web needs a trace ID"))
	}
	base := opts.Global.WebURL("jaeger")
	if base == "" {
		return UsageError(errors.New("--web needs the Jaeger UI's address: set web_url under jaeger in the context (see docs/config.md), or TELX_JAEGER_WEB_URL"))
	}
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return UsageError(fmt.Errorf("the Jaeger web URL %q: want http(s)://host[:port][/path]", base))
	}
	u.Path = strings.TrimRight(u.Path, "/") + "/trace/" + string(id)
	u.RawPath = ""
	fmt.Fprintln(opts.IO.Out, u.String())
	return nil
}

// readTraceFile reads the traces of a file (stdin for "-") under the
// trace cap of limits.
func readTraceFile(s *IO, path string, id sources.TraceID, limits config.Limits) ([]*sources.Trace, error) {
	var r io.Reader = s.In
	size := int64(-1)
	what := "the standard input"
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
			size = st.Size()
		}
		r, what = f, "the file "+path
	}
	tooLarge := &config.AnswerTooLargeError{What: what, Kind: config.TraceAnswer, Limit: limits.Cap(config.TraceAnswer)}
	traces, err := file.ReadTraces(config.CapReader(r, size, tooLarge))
	var tl *config.AnswerTooLargeError
	if errors.As(err, &tl) {
		return nil, fmt.Errorf("%w\nhint: %s", tl, tl.Hint())
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if id == "" {
		if len(traces) == 0 {
			return nil, fmt.Errorf("%s holds no trace: %w", path, sources.ErrNotFound)
		}
		return traces, nil
	}
	for _, t := range traces {
		if t.ID == id {
			return []*sources.Trace{t}, nil
		}
	}
	return nil, fmt.Errorf("trace %s is not in %s: %w", id, path, sources.ErrNotFound)
}

func writeTraces(opts *TraceOptions, format string, traces []*sources.Trace) error {
	out := opts.IO.Out
	switch format {
	case "json":
		return writeTracesJSON(out, traces)
	case "otlp":
		return otlp.Encode(out, traces)
	}
	loc := opts.Global.Location(opts.UTC)
	width := opts.Width
	if width <= 0 {
		width = opts.IO.Width
	}
	w := colorWriter(opts.IO)
	st := opts.Global.Styles(opts.IO)
	for i, t := range traces {
		if i > 0 {
			fmt.Fprintln(w, strings.Repeat("─", min(width, 80)))
		}
		tr := sources.BuildTree(t)
		if opts.Flame {
			if err := render.Flame(w, tr, render.FlameOptions{Width: width, Styles: st}); err != nil {
				return err
			}
			continue
		}
		err := render.Waterfall(w, tr, render.WaterfallOptions{
			Width: width, Styles: st, Location: loc,
			MaxDepth: opts.Depth, Service: opts.Service, MinDuration: opts.MinDuration,
			CriticalOnly: opts.CriticalPath, Details: opts.Details,
		})
		if err != nil {
			return err
		}
		if opts.Stats {
			fmt.Fprintln(w)
			if err := render.Stats(w, tr.ServiceStats(), false, width, st); err != nil {
				return err
			}
			fmt.Fprintln(w)
			if err := render.Stats(w, tr.OperationStats(), true, width, st); err != nil {
				return err
			}
		}
	}
	return nil
}

// colorWriter downsamples colours to what the terminal shows and drops
// them (and every escape sequence) when it shows none.
func colorWriter(s *IO) io.Writer {
	if !s.ColorEnabled() {
		return s.Out
	}
	return &wholeSequences{w: &colorprofile.Writer{Forward: s.Out, Profile: s.Profile}}
}

// wholeSequences passes writes on with no escape sequence cut between
// two: one that a write leaves unfinished (a full buffer ends anywhere) is
// held until the next. A colorprofile.Writer downsamples each write on
// its own, and the two parts of a cut sequence went out as they came (a
// 10,000-span waterfall had true colours in 2 rows of a 16-colour
// terminal's).
type wholeSequences struct {
	w    io.Writer
	held []byte
}

func (s *wholeSequences) Write(p []byte) (int, error) {
	n := len(p)
	if len(s.held) > 0 {
		p = append(s.held, p...)
		s.held = nil
	}
	if cut := unfinishedSequence(p); cut < len(p) && len(p)-cut <= maxHeldSequence {
		s.held = append([]byte(nil), p[cut:]...)
		p = p[:cut]
	}
	if len(p) == 0 {
		return n, nil
	}
	if _, err := s.w.Write(p); err != nil {
		return 0, err
	}
	return n, nil
}

// maxHeldSequence is the longest unfinished escape sequence held back;
// anything longer is no sequence telx writes, and goes on as it is.
const maxHeldSequence = 4096

// unfinishedSequence is where the escape sequence that p ends in begins
// when p does not finish it, else len(p): an ESC with nothing after it, a
// CSI (ESC [) with no final byte, or a string (ESC ], P, X, ^ or _) with
// no BEL after it (one ended by ESC \ ends with a sequence whole).
func unfinishedSequence(p []byte) int {
	k := bytes.LastIndexByte(p, ansi.ESC)
	if k < 0 {
		return len(p)
	}
	rest := p[k+1:]
	if len(rest) == 0 {
		return k
	}
	switch rest[0] {
	case '[':
		for _, c := range rest[1:] {
			if c >= 0x40 && c <= 0x7e {
				return len(p)
			}
		}
		return k
	case ']', 'P', 'X', '^', '_':
		if bytes.IndexByte(rest, ansi.BEL) >= 0 {
			return len(p)
		}
		return k
	}
	return len(p)
}
