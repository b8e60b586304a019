package cmd

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/spf13/cobra"

	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/tui/render"
	"github.com/telx-cli/telx/tui/styles"
)

// AlertsOptions are the inputs of `telx alerts`.
type AlertsOptions struct {
	IO     *IO
	Global *GlobalOptions
	Source func() (sources.MetricSource, error)

	State string
	Width int
	UTC   bool
	// Watch lists the alerts again at this interval until Ctrl-C; 0: once.
	Watch time.Duration
}

func newAlertsCmd(io *IO, g *GlobalOptions) *cobra.Command {
	opts := &AlertsOptions{IO: io, Global: g}
	c := &cobra.Command{
		Use:   "alerts",
		Short: "List Prometheus' firing and pending alerts",
		Long: `List the alerts Prometheus' rules have active, most recently active first:
state, name, labels, when it became active, the value that triggered it and
its summary annotation.`,
		Example: `  telx alerts
  telx alerts --state firing -o json
  telx alerts --watch=30s`,
		Args: watchArgs(cobra.NoArgs),
		RunE: func(c *cobra.Command, _ []string) error {
			return alertsRun(c.Context(), opts)
		},
	}
	c.Flags().StringVar(&opts.State, "state", "", "only alerts in this state: firing or pending")
	c.Flags().IntVar(&opts.Width, "width", 0, "width in columns (default: the terminal's, or 80)")
	c.Flags().BoolVar(&opts.UTC, "utc", false, "show times in UTC instead of the local zone")
	addWatchFlag(c, &opts.Watch, "")
	pf := addPrometheusFlags(c)
	opts.Source = func() (sources.MetricSource, error) {
		if g.Demo {
			return g.demoSource()
		}
		return pf.client(io, g)
	}
	return c
}

func alertsRun(ctx context.Context, opts *AlertsOptions) error {
	if err := checkWatch(opts.Watch); err != nil {
		return err
	}
	if opts.Watch == 0 {
		return alertsOnce(ctx, opts)
	}
	format, _ := outputFormat(opts.Global, "text", "json")
	w := newWatcher(opts.IO, opts.Global, opts.Watch, opts.UTC, format == "text")
	return w.run(ctx, func(ctx context.Context, io *IO) (time.Duration, error) {
		o := *opts
		o.IO = io
		return 0, alertsOnce(ctx, &o)
	})
}

// alertsOnce lists the alerts once.
func alertsOnce(ctx context.Context, opts *AlertsOptions) error {
	format, err := outputFormat(opts.Global, "text", "json")
	if err != nil {
		return err
	}
	if opts.State != "" && opts.State != "firing" && opts.State != "pending" {
		return UsageError(fmt.Errorf("--state %q: want firing or pending", opts.State))
	}
	src, err := opts.Source()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, opts.Global.Timeout)
	defer cancel()
	all, err := src.Alerts(ctx)
	if err != nil {
		return err
	}
	alerts := make([]sources.Alert, 0, len(all))
	for _, a := range all {
		if opts.State == "" || a.State == opts.State {
			alerts = append(alerts, a)
		}
	}
	// most recently active first, as the source returns them; kept stable
	sort.SliceStable(alerts, func(i, j int) bool { return alerts[i].ActiveAt.After(alerts[j].ActiveAt) })
	if format == "json" {
		enc := json.NewEncoder(opts.IO.Out)
		enc.SetIndent("", "  ")
		return enc.Encode(alerts)
	}
	if len(alerts) == 0 {
		what := "pending or firing"
		if opts.State != "" {
			what = opts.State
		}
		fmt.Fprintf(opts.IO.ErrOut, "no alerts are %s\n", what)
		return nil
	}
	loc := opts.Global.Location(opts.UTC)
	now := opts.Global.now()
	if !opts.IO.IsTTY {
		// for scripts: tab-separated, no header
		for _, a := range alerts {
			fmt.Fprintf(opts.IO.Out, "%s\t%s\t%s\t%s\t%s\t%s\n", a.State, sources.Sanitize(a.Name), alertLabels(a, ","),
				a.ActiveAt.In(loc).Format(time.RFC3339), sources.Sanitize(a.Value), sources.Sanitize(a.Annotations["summary"]))
		}
		return nil
	}
	width := opts.Width
	if width <= 0 {
		width = opts.IO.Width
	}
	st := opts.Global.Styles(opts.IO)
	head := []string{"STATE", "ALERT", "LABELS", "ACTIVE SINCE", "VALUE", "SUMMARY"}
	rows := make([][]string, 0, len(alerts))
	for _, a := range alerts {
		since := a.ActiveAt.In(loc).Format("15:04:05") + " (" + ago(now.Sub(a.ActiveAt)) + ")"
		if now.Sub(a.ActiveAt) > 24*time.Hour {
			since = a.ActiveAt.In(loc).Format("2006-01-02 15:04")
		}
		rows = append(rows, []string{a.State, sources.Sanitize(a.Name), alertLabels(a, " "), since, alertValue(a.Value), sources.Sanitize(a.Annotations["summary"])})
	}
	var b bytes.Buffer
	writeAlertTable(&b, head, rows, width, st)
	_, err = colorWriter(opts.IO).Write(b.Bytes())
	return err
}

// ago says how long ago in a few characters: 42s, 12m, 3h05m.
func ago(d time.Duration) string {
	switch {
	case d < time.Minute:
		return strconv.Itoa(int(max(d, 0)/time.Second)) + "s ago"
	case d < time.Hour:
		return strconv.Itoa(int(d/time.Minute)) + "m ago"
	}
	return fmt.Sprintf("%dh%02dm ago", int(d/time.Hour), int(d%time.Hour/time.Minute))
}

// alertLabels formats an alert's labels but its name, sorted, sanitised.
func alertLabels(a sources.Alert, sep string) string {
	keys := make([]string, 0, len(a.Labels))
	for k := range a.Labels {
		if k != "alertname" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = sources.Sanitize(k) + "=" + sources.Sanitize(a.Labels[k])
	}
	return strings.Join(parts, sep)
}

// alertValue shortens the value Prometheus formats with %e.
func alertValue(s string) string {
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return sources.Sanitize(s)
	}
	return render.FormatValue(v, render.UnitNone)
}

// writeAlertTable writes the alerts table: the state coloured, the summary
// last and cut to the width. When that leaves the summary too little room,
// each summary goes on its own line under its alert; when the labels do
// not fit either, they go on a line of their own above the summary.
func writeAlertTable(b *bytes.Buffer, head []string, rows [][]string, width int, st *styles.Styles) {
	const (
		minSummary = 30
		labelsCol  = 2
	)
	last := len(head) - 1
	widths := make([]int, len(head))
	for i, h := range head {
		widths[i] = len(h)
	}
	for _, r := range rows {
		for i, c := range r[:last] {
			widths[i] = max(widths[i], ansi.StringWidth(c))
		}
	}
	used := 0
	for _, w := range widths[:last] {
		used += w + 2
	}
	below := width-used < minSummary
	labelsBelow := below && used-2 > width
	var cols []int // the columns on the alert's line
	for i := range head {
		switch {
		case i == last && below, i == labelsCol && labelsBelow:
		default:
			cols = append(cols, i)
		}
	}
	if !below {
		widths[last] = width - used
	}
	line := func(cells []string, paint func(i int, s string) string) {
		var l strings.Builder
		for n, i := range cols {
			if n > 0 {
				l.WriteString("  ")
			}
			cell := render.Fit(cells[i], widths[i])
			if n == len(cols)-1 {
				cell = strings.TrimRight(cell, " ")
			}
			l.WriteString(paint(i, cell))
		}
		b.WriteString(l.String())
		b.WriteByte('\n')
	}
	line(head, func(_ int, s string) string { return st.Header.Apply(s) })
	for _, r := range rows {
		line(r, func(i int, s string) string {
			if i == 0 {
				if strings.HasPrefix(s, "firing") {
					return st.Error.Apply(s)
				}
				return st.Warn.Apply(s)
			}
			return s
		})
		for _, c := range []int{labelsCol, last} {
			if (c == labelsCol && labelsBelow || c == last && below) && r[c] != "" {
				b.WriteString(st.Dim.Apply(strings.TrimRight(render.Fit("  "+r[c], width), " ")))
				b.WriteByte('\n')
			}
		}
	}
}
