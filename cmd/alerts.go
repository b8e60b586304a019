package cmd

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/sources/explain"
	"github.com/telx-cli/telx/tui/render"
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

	// Matchers filter the alerts, in amtool's syntax.
	Matchers []string
	// GroupBy groups the alerts by these labels (comma-separated), or as
	// Alertmanager groups them ("route").
	GroupBy string
	// The Alertmanager side (see amalerts.go): From picks the source
	// (prometheus, alertmanager; "" for Alertmanager when one is
	// configured), the states and receiver select its alerts, and
	// AlertManager returns it.
	From                                     string
	Active, Silenced, Inhibited, Unprocessed bool
	Receiver                                 string
	AlertManager                             func() (sources.AlertManager, error)
	// Explain names the alert whose evidence to show (explain.go), with
	// the labels naming its service and the backends the evidence asks.
	Explain       string
	ServiceLabels string
	Evidence      func() (explain.Sources, error)
}

func newAlertsCmd(io *IO, g *GlobalOptions) *cobra.Command {
	opts := &AlertsOptions{IO: io, Global: g}
	c := &cobra.Command{
		Use:   "alerts [matcher...]",
		Short: "List the alerts: Alertmanager's when one is configured, else Prometheus' firing and pending ones",
		Long: `List the alerts, most recently started first.

With an Alertmanager configured (--alertmanager, TELX_ALERTMANAGER_URL or the
context's alertmanager), its alerts: state (active, silenced with the
silence's ID, inhibited), name, labels, since when, the receivers and the
summary annotation. As with amtool, only the active alerts are listed unless
--active, --silenced, --inhibited or --unprocessed say which.

Else (or with --from prometheus) Prometheus' alerts: state (firing,
pending), name, labels, when it became active, the value that triggered it
and its summary annotation.

Matchers in amtool's syntax filter them: name=value, name!=value,
name=~regex, name!~regex; a first bare word is the alert's name.`,
		Example: `  telx alerts
  telx alerts 'alertname=~"High.*"' severity="critical"
  telx alerts --silenced --inhibited --group-by service_name
  telx alerts --group-by route -o json
  telx alerts --from prometheus --state firing -o json
  telx alerts --watch=30s
  telx alerts --explain HighErrorRate
  telx alerts --explain 3f2a6c1b9d0e4f57 -o json`,
		Args: watchArgs(cobra.ArbitraryArgs),
		RunE: func(c *cobra.Command, args []string) error {
			opts.Matchers = args
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
	addAlertmanagerAlertFlags(c, io, g, opts)
	addExplainFlags(c, io, g, opts)
	completeFlagValues(c, "state", "firing", "pending")
	completeFlagValues(c, "from", "alertmanager", "prometheus")
	completeFlagValues(c, "group-by", "route")
	completeFlag(c, "explain", g.alertNames(opts))
	c.ValidArgsFunction = g.alertMatchers(alertLabelSets(opts))
	outputFormats(c, "text", "json")
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
	matchers, err := parseMatcherArgs(opts.Matchers)
	if err != nil {
		return err
	}
	if opts.Explain != "" {
		return explainRun(ctx, opts, matchers, format)
	}
	if am, err := opts.alertmanager(); err != nil || am != nil {
		if err != nil {
			return err
		}
		return amAlertsOnce(ctx, opts, am, matchers, format)
	}
	if opts.GroupBy == "route" {
		return UsageError(errors.New("--group-by route is Alertmanager's grouping: configure an Alertmanager (--alertmanager, TELX_ALERTMANAGER_URL), or group by labels"))
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
		if (opts.State == "" || a.State == opts.State) && sources.MatchersMatch(matchers, a.Labels) {
			alerts = append(alerts, a)
		}
	}
	// most recently active first, as the source returns them; kept stable
	sort.SliceStable(alerts, func(i, j int) bool { return alerts[i].ActiveAt.After(alerts[j].ActiveAt) })
	groups := groupAlerts(alerts, func(a sources.Alert) map[string]string { return a.Labels }, splitLabels(opts.GroupBy))
	if format == "json" {
		enc := json.NewEncoder(opts.IO.Out)
		enc.SetIndent("", "  ")
		if opts.GroupBy != "" {
			return enc.Encode(groups)
		}
		return enc.Encode(alerts)
	}
	if len(alerts) == 0 {
		what := "pending or firing"
		if opts.State != "" {
			what = opts.State
		}
		if len(matchers) > 0 {
			what += " and match " + sources.Sanitize(sources.FormatMatchers(matchers, " "))
		}
		fmt.Fprintf(opts.IO.ErrOut, "no alerts are %s\n", what)
		return nil
	}
	loc := opts.Global.Location(opts.UTC)
	now := opts.Global.now()
	if !opts.IO.IsTTY {
		// for scripts: tab-separated, no header, grouped or not
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
	t := stateTable{head: head, below: 2, paint: paintAlertState}
	for _, g := range groups {
		tg := tableGroup{title: g.title()}
		for _, a := range g.Alerts {
			tg.rows = append(tg.rows, []string{a.State, sources.Sanitize(a.Name), alertLabels(a, " "), sinceCell(a.ActiveAt, now, loc), alertValue(a.Value), sources.Sanitize(a.Annotations["summary"])})
		}
		t.groups = append(t.groups, tg)
	}
	var b bytes.Buffer
	t.write(&b, width, st)
	_, err = colorWriter(opts.IO).Write(b.Bytes())
	return err
}

// sinceCell says when something started: the time and how long ago, or
// the date when that is over a day ago.
func sinceCell(at, now time.Time, loc *time.Location) string {
	if now.Sub(at) > 24*time.Hour {
		return at.In(loc).Format("2006-01-02 15:04")
	}
	return at.In(loc).Format("15:04:05") + " (" + ago(now.Sub(at)) + ")"
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
