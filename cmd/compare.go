package cmd

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/sources/compare"
	"github.com/telx-cli/telx/tui/render"
)

// CompareOptions are the inputs of `telx compare`.
type CompareOptions struct {
	IO     *IO
	Global *GlobalOptions
	Jaeger *jaegerFlags
	// Source builds the trace source (Jaeger unless tests say otherwise).
	Source func() (sources.TraceSource, error)

	// IDs are the traces A and B (either may be empty with Files).
	IDs [2]string
	// Files are trace files: one holds both traces, two hold A and B.
	Files    []string
	Width    int
	MinDelta time.Duration
	Largest  int
}

func newCompareCmd(io *IO, g *GlobalOptions) *cobra.Command {
	opts := &CompareOptions{IO: io, Global: g}
	c := &cobra.Command{
		Use:   "compare <trace-a> <trace-b>",
		Short: "Compare two traces span by span",
		Long: `Compare two traces: their span trees are aligned by the path of (service,
operation) from the root, repeated siblings matched in order, and printed as
one tree. Each row says where the span is (AB in both, A only in A, B only in
B), its duration and self time in A and in B, and the difference of self time
(B − A); ▲ and ▼ mark the largest self-time differences (slower or faster in B),
listed again under the tree. --min-delta folds the subtrees that changed less.

The traces come from Jaeger (both fetched at once), or from files with --file:
one file holding both traces, or one --file for each.`,
		Example: `  telx compare 4bf92f3577b34da6a3ce929d0e0e4736 0af7651916cd43dd8448eb211c80319c
  telx compare <fast> <slow> --min-delta 5ms
  telx compare --file fast.json --file slow.json
  telx compare <a> <b> -o json | jq '.largest'`,
		Args: usageArgs(cobra.MaximumNArgs(2)),
		RunE: func(c *cobra.Command, args []string) error {
			copy(opts.IDs[:], args)
			return compareRun(c.Context(), opts)
		},
	}
	f := c.Flags()
	f.StringArrayVar(&opts.Files, "file", nil, `read the traces from a Jaeger UI JSON or OTLP JSON file ("-" for standard input); give it twice for A and B`)
	f.IntVar(&opts.Width, "width", 0, "width in columns (default: the terminal's, or 80)")
	f.DurationVar(&opts.MinDelta, "min-delta", 0, "fold the subtrees whose spans all changed by less than this (duration and self time)")
	f.IntVar(&opts.Largest, "largest", compare.DefaultLargest, "how many of the largest self-time differences to mark")
	opts.Jaeger = addJaegerFlags(c)
	opts.Source = func() (sources.TraceSource, error) {
		if g.Demo {
			return g.demoSource()
		}
		return opts.Jaeger.client(io, g)
	}
	outputFormats(c, "text", "json")
	return c
}

func compareRun(ctx context.Context, opts *CompareOptions) error {
	format, err := outputFormat(opts.Global, "text", "json")
	if err != nil {
		return err
	}
	if opts.MinDelta < 0 {
		return UsageError(errors.New("--min-delta must not be negative"))
	}
	if opts.Largest < 0 {
		return UsageError(errors.New("--largest must not be negative"))
	}
	if len(opts.Files) > 2 {
		return UsageError(errors.New("--file at most twice: one file holding both traces, or one for A and one for B"))
	}
	var ids [2]sources.TraceID
	for i, s := range opts.IDs {
		if s == "" {
			if len(opts.Files) == 0 {
				return UsageError(errors.New("give two trace IDs, A and B (or --file)"))
			}
			continue
		}
		if ids[i], err = sources.ParseTraceID(s); err != nil {
			return UsageError(fmt.Errorf("trace %s: %w", "AB"[i:i+1], err))
		}
	}
	var traces [2]*sources.Trace
	if len(opts.Files) > 0 {
		traces, err = compareFiles(opts, ids)
	} else {
		traces, err = compareFetch(ctx, opts, ids)
	}
	if err != nil {
		return err
	}
	largest := opts.Largest
	if largest == 0 {
		largest = -1 // none (0 is the default's value in compare.Options)
	}
	c := compare.Compare(sources.BuildTree(traces[0]), sources.BuildTree(traces[1]), compare.Options{Largest: largest})
	if format == "json" {
		return writeCompareJSON(opts.IO.Out, c, opts.MinDelta)
	}
	width := opts.Width
	if width <= 0 {
		width = opts.IO.Width
	}
	return render.Compare(colorWriter(opts.IO), c, render.CompareOptions{Width: width, Styles: opts.Global.Styles(opts.IO), MinDelta: opts.MinDelta})
}

// compareFetch asks the source for both traces at once.
func compareFetch(ctx context.Context, opts *CompareOptions, ids [2]sources.TraceID) ([2]*sources.Trace, error) {
	var out [2]*sources.Trace
	src, err := opts.Source()
	if err != nil {
		return out, err
	}
	ctx, cancel := context.WithTimeout(ctx, opts.Global.Timeout)
	defer cancel()
	var errs [2]error
	var wg sync.WaitGroup
	for i := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out[i], errs[i] = src.Trace(ctx, ids[i])
			if errs[i] == nil && out[i] == nil {
				errs[i] = fmt.Errorf("trace %s: %w", ids[i], sources.ErrNotFound)
			}
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			if errors.Is(err, context.Canceled) {
				return out, err
			}
			return out, fmt.Errorf("trace %s (%s): %w", "AB"[i:i+1], ids[i], err)
		}
	}
	return out, nil
}

// compareFiles reads A and B from the files: from one file both (by ID, or
// its first two traces), from two files one each (by ID, or the first).
func compareFiles(opts *CompareOptions, ids [2]sources.TraceID) ([2]*sources.Trace, error) {
	var out [2]*sources.Trace
	limits := opts.Global.Limits()
	if len(opts.Files) == 2 && opts.Files[0] == "-" && opts.Files[1] == "-" {
		return out, UsageError(errors.New("only one --file can be the standard input"))
	}
	if len(opts.Files) == 1 {
		all, err := readTraceFile(opts.IO, opts.Files[0], "", limits)
		if err != nil {
			return out, err
		}
		next := 0 // the file's traces taken for the sides without an ID
		for i, id := range ids {
			if id == "" {
				for next < len(all) && (all[next].ID == ids[0] || all[next].ID == ids[1]) {
					next++
				}
				if next >= len(all) {
					return out, UsageError(fmt.Errorf("%s holds %d trace(s): give the traces' IDs, or a --file for each",
						opts.Files[0], len(all)))
				}
				out[i] = all[next]
				next++
				continue
			}
			for _, t := range all {
				if t.ID == id {
					out[i] = t
				}
			}
			if out[i] == nil {
				return out, fmt.Errorf("trace %s (%s) is not in %s: %w", "AB"[i:i+1], id, opts.Files[0], sources.ErrNotFound)
			}
		}
		return out, nil
	}
	for i, path := range opts.Files {
		ts, err := readTraceFile(opts.IO, path, ids[i], limits)
		if err != nil {
			return out, fmt.Errorf("trace %s: %w", "AB"[i:i+1], err)
		}
		out[i] = ts[0]
	}
	return out, nil
}

// The JSON of a comparison (docs/commands.md).
type compareJSON struct {
	A             compareTraceJSON  `json:"a"`
	B             compareTraceJSON  `json:"b"`
	DeltaNanos    time.Duration     `json:"deltaNanos"`
	Both          int               `json:"both"`
	OnlyA         int               `json:"onlyA"`
	OnlyB         int               `json:"onlyB"`
	MinDeltaNanos time.Duration     `json:"minDeltaNanos,omitempty"`
	Folded        int               `json:"folded,omitempty"`
	Spans         []*compareNodeOut `json:"spans"`
	Largest       []compareLargest  `json:"largest"`
}

type compareTraceJSON struct {
	TraceID       sources.TraceID `json:"traceId"`
	RootService   string          `json:"rootService,omitempty"`
	RootOperation string          `json:"rootOperation,omitempty"`
	DurationNanos time.Duration   `json:"durationNanos"`
	Spans         int             `json:"spans"`
	Errors        int             `json:"errors"`
}

type compareSideJSON struct {
	SpanID        sources.SpanID `json:"spanId"`
	DurationNanos time.Duration  `json:"durationNanos"`
	SelfNanos     time.Duration  `json:"selfNanos"`
	Error         bool           `json:"error,omitempty"`
}

type compareNodeOut struct {
	Service        string            `json:"service"`
	Operation      string            `json:"operation"`
	In             string            `json:"in"`
	A              *compareSideJSON  `json:"a,omitempty"`
	B              *compareSideJSON  `json:"b,omitempty"`
	DeltaNanos     time.Duration     `json:"deltaNanos"`
	SelfDeltaNanos time.Duration     `json:"selfDeltaNanos"`
	Rank           int               `json:"rank,omitempty"`
	Folded         int               `json:"folded,omitempty"`
	Children       []*compareNodeOut `json:"children,omitempty"`
}

type compareLargest struct {
	Rank           int           `json:"rank"`
	Service        string        `json:"service"`
	Operation      string        `json:"operation"`
	In             string        `json:"in"`
	Path           []string      `json:"path"`
	SelfDeltaNanos time.Duration `json:"selfDeltaNanos"`
}

func writeCompareJSON(w io.Writer, c *compare.Comparison, minDelta time.Duration) error {
	traceOf := func(tr *sources.Tree) compareTraceJSON {
		t := compareTraceJSON{TraceID: tr.Trace.ID, DurationNanos: tr.Range.Duration(), Spans: len(tr.Trace.Spans), Errors: tr.Errors}
		if len(tr.Roots) > 0 {
			t.RootService, t.RootOperation = tr.Roots[0].Span.Service, tr.Roots[0].Span.Operation
		}
		return t
	}
	sideOf := func(s compare.Side) *compareSideJSON {
		if !s.Present() {
			return nil
		}
		return &compareSideJSON{SpanID: s.Node.Span.SpanID, DurationNanos: s.Duration, SelfNanos: s.Self, Error: s.Error()}
	}
	out := compareJSON{A: traceOf(c.A), B: traceOf(c.B), DeltaNanos: c.B.Range.Duration() - c.A.Range.Duration(),
		Both: c.Both, OnlyA: c.OnlyA, OnlyB: c.OnlyB, MinDeltaNanos: minDelta, Spans: []*compareNodeOut{}, Largest: []compareLargest{}}
	nodes, folded := c.Visible(minDelta)
	made := make(map[*compare.Node]*compareNodeOut, len(nodes))
	for _, n := range nodes {
		j := &compareNodeOut{Service: n.Service, Operation: n.Operation, In: n.In().String(), A: sideOf(n.A), B: sideOf(n.B),
			DeltaNanos: n.DeltaDuration(), SelfDeltaNanos: n.DeltaSelf(), Rank: n.Rank, Folded: folded[n]}
		out.Folded += folded[n]
		made[n] = j
		if p := made[n.Parent]; n.Parent != nil && p != nil {
			p.Children = append(p.Children, j)
		} else {
			out.Spans = append(out.Spans, j)
		}
	}
	for _, n := range c.Largest {
		var path []string
		for p := n; p != nil; p = p.Parent {
			path = append([]string{p.Service + " " + p.Operation}, path...)
		}
		out.Largest = append(out.Largest, compareLargest{Rank: n.Rank, Service: n.Service, Operation: n.Operation, In: n.In().String(),
			Path: path, SelfDeltaNanos: n.DeltaSelf()})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}
