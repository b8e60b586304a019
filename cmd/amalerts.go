package cmd

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/telx-cli/telx/sources"
)

// addAlertmanagerAlertFlags adds telx alerts' Alertmanager flags and its
// Alertmanager source.
func addAlertmanagerAlertFlags(c *cobra.Command, io *IO, g *GlobalOptions, opts *AlertsOptions) {
	fs := c.Flags()
	fs.StringVar(&opts.From, "from", "", "where the alerts come from: alertmanager or prometheus (default: Alertmanager when one is configured)")
	fs.BoolVar(&opts.Active, "active", false, "Alertmanager: list the active alerts (the default when no state flag is given)")
	fs.BoolVar(&opts.Silenced, "silenced", false, "Alertmanager: list the silenced alerts")
	fs.BoolVar(&opts.Inhibited, "inhibited", false, "Alertmanager: list the inhibited alerts")
	fs.BoolVar(&opts.Unprocessed, "unprocessed", false, "Alertmanager: list the alerts it has not processed yet")
	fs.StringVar(&opts.Receiver, "receiver", "", "Alertmanager: only alerts routed to a receiver matching this regular expression")
	fs.StringVar(&opts.GroupBy, "group-by", "", "group the alerts by these labels (comma-separated), or by Alertmanager's routes and their group_by labels (route)")
	af := addAlertmanagerFlags(c)
	opts.AlertManager = func() (sources.AlertManager, error) {
		return af.client(io, g, "")
	}
}

// alertmanager returns the Alertmanager telx alerts asks, nil when it asks
// Prometheus.
func (o *AlertsOptions) alertmanager() (sources.AlertManager, error) {
	g := o.Global
	amFlags := o.Active || o.Silenced || o.Inhibited || o.Unprocessed || o.Receiver != ""
	switch o.From {
	case "", "alertmanager":
	case "prometheus":
		if amFlags {
			return nil, UsageError(errors.New("--active, --silenced, --inhibited, --unprocessed and --receiver are Alertmanager's: drop --from prometheus"))
		}
		return nil, nil
	default:
		return nil, UsageError(fmt.Errorf("--from %q: want alertmanager or prometheus", o.From))
	}
	if o.From == "" && (g.Demo || !g.alertmanagerConfigured()) {
		if amFlags {
			return nil, UsageError(errors.New("--active, --silenced, --inhibited, --unprocessed and --receiver need an Alertmanager: give --alertmanager, set TELX_ALERTMANAGER_URL, or add an alertmanager entry to the context"))
		}
		return nil, nil
	}
	if g.Demo {
		return nil, UsageError(errors.New("the demo has no Alertmanager: drop --from alertmanager"))
	}
	if o.State != "" {
		return nil, UsageError(errors.New("--state is Prometheus' (firing, pending): with Alertmanager use --active, --silenced, --inhibited, or --from prometheus"))
	}
	if o.AlertManager == nil {
		return nil, errors.New("no Alertmanager source")
	}
	return o.AlertManager()
}

// amAlertsOnce lists Alertmanager's alerts once.
func amAlertsOnce(ctx context.Context, opts *AlertsOptions, am sources.AlertManager, matchers []sources.Matcher, format string) error {
	f := sources.AlertFilter{Matchers: matchers, Active: opts.Active, Silenced: opts.Silenced, Inhibited: opts.Inhibited, Unprocessed: opts.Unprocessed, Receiver: opts.Receiver}
	ctx, cancel := context.WithTimeout(ctx, opts.Global.Timeout)
	defer cancel()
	var groups []alertGroup[sources.ManagedAlert]
	var alerts []sources.ManagedAlert
	if opts.GroupBy == "route" {
		gs, err := am.AlertGroups(ctx, f)
		if err != nil {
			return err
		}
		for _, g := range gs {
			sortManagedAlerts(g.Alerts)
			groups = append(groups, alertGroup[sources.ManagedAlert]{Labels: g.Labels, Receiver: g.Receiver, Alerts: g.Alerts})
			alerts = append(alerts, g.Alerts...)
		}
	} else {
		var err error
		if alerts, err = am.ManagedAlerts(ctx, f); err != nil {
			return err
		}
		sortManagedAlerts(alerts)
		groups = groupAlerts(alerts, func(a sources.ManagedAlert) map[string]string { return a.Labels }, splitLabels(opts.GroupBy))
	}
	if format == "json" {
		enc := json.NewEncoder(opts.IO.Out)
		enc.SetIndent("", "  ")
		if opts.GroupBy != "" {
			if groups == nil {
				groups = []alertGroup[sources.ManagedAlert]{}
			}
			return enc.Encode(groups)
		}
		if alerts == nil {
			alerts = []sources.ManagedAlert{}
		}
		return enc.Encode(alerts)
	}
	if len(alerts) == 0 {
		what := "no alerts are " + strings.Join(amStates(f), " or ")
		if len(matchers) > 0 {
			what += " and match " + sources.Sanitize(sources.FormatMatchers(matchers, " "))
		}
		fmt.Fprintln(opts.IO.ErrOut, what)
		return nil
	}
	loc := opts.Global.Location(opts.UTC)
	now := opts.Global.now()
	if !opts.IO.IsTTY {
		// for scripts: tab-separated, no header
		for _, a := range alerts {
			fmt.Fprintf(opts.IO.Out, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", a.Status(), sources.Sanitize(a.Name),
				managedLabels(a.Labels, ","), a.StartsAt.In(loc).Format(time.RFC3339), sources.Sanitize(strings.Join(a.Receivers, ",")),
				sources.Sanitize(a.Fingerprint), sources.Sanitize(strings.Join(append(append([]string{}, a.SilencedBy...), a.InhibitedBy...), ",")),
				sources.Sanitize(a.Annotations["summary"]))
		}
		return nil
	}
	width := opts.Width
	if width <= 0 {
		width = opts.IO.Width
	}
	t := stateTable{head: []string{"STATE", "ALERT", "LABELS", "STARTED", "RECEIVERS", "SUMMARY"}, below: 2, paint: paintAlertState}
	for _, g := range groups {
		tg := tableGroup{title: g.title()}
		for _, a := range g.Alerts {
			tg.rows = append(tg.rows, []string{stateCell(a), sources.Sanitize(a.Name), managedLabels(a.Labels, " "),
				sinceCell(a.StartsAt, now, loc), sources.Sanitize(strings.Join(a.Receivers, ",")), sources.Sanitize(a.Annotations["summary"])})
		}
		t.groups = append(t.groups, tg)
	}
	var b bytes.Buffer
	t.write(&b, width, opts.Global.Styles(opts.IO))
	_, err := colorWriter(opts.IO).Write(b.Bytes())
	return err
}

// amStates names the states f selects.
func amStates(f sources.AlertFilter) []string {
	var out []string
	if f.Active || !(f.Silenced || f.Inhibited || f.Unprocessed) {
		out = append(out, "active")
	}
	if f.Silenced {
		out = append(out, "silenced")
	}
	if f.Inhibited {
		out = append(out, "inhibited")
	}
	if f.Unprocessed {
		out = append(out, "unprocessed")
	}
	return out
}

// stateCell is an alert's state, with the first silence muting it (its
// ID's first 8 characters: enough for telx silence ls to find it).
func stateCell(a sources.ManagedAlert) string {
	s := a.Status()
	if s == sources.AlertSilenced {
		id := sources.Sanitize(a.SilencedBy[0])
		if len(id) > 8 {
			id = id[:8]
		}
		s += " " + id
	}
	return s
}

// managedLabels formats labels but alertname, sorted, sanitised.
func managedLabels(l map[string]string, sep string) string {
	return alertLabels(sources.Alert{Labels: l}, sep)
}

// sortManagedAlerts orders alerts as telx alerts lists Prometheus' ones:
// most recently started first, then by name and labels.
func sortManagedAlerts(as []sources.ManagedAlert) {
	sort.SliceStable(as, func(i, j int) bool {
		if !as[i].StartsAt.Equal(as[j].StartsAt) {
			return as[i].StartsAt.After(as[j].StartsAt)
		}
		if as[i].Name != as[j].Name {
			return as[i].Name < as[j].Name
		}
		return managedLabels(as[i].Labels, ",") < managedLabels(as[j].Labels, ",")
	})
}

// alertGroup is a group of alerts of telx alerts --group-by: the labels
// they share (and, for Alertmanager's groups, the route's receiver).
type alertGroup[A any] struct {
	Labels   map[string]string `json:"labels"`
	Receiver string            `json:"receiver,omitempty"`
	Alerts   []A               `json:"alerts"`
}

// title is the group's line above its alerts: its labels, its receiver and
// how many alerts it has; "" for the one group of alerts not grouped.
func (g alertGroup[A]) title() string {
	if g.Labels == nil {
		return ""
	}
	keys := make([]string, 0, len(g.Labels))
	for k := range g.Labels {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys)+2)
	for _, k := range keys {
		v := g.Labels[k]
		if v == "" {
			v = "(none)"
		}
		parts = append(parts, sources.Sanitize(k)+"="+sources.Sanitize(v))
	}
	if len(parts) == 0 {
		parts = append(parts, "(no group labels)")
	}
	if g.Receiver != "" {
		parts = append(parts, "→ "+sources.Sanitize(g.Receiver))
	}
	n := fmt.Sprintf("%d alerts", len(g.Alerts))
	if len(g.Alerts) == 1 {
		n = "1 alert"
	}
	return strings.Join(parts, " ") + " · " + n
}

// groupAlerts groups alerts by the values of keys, the groups in the order
// of their first alert; with no keys, one group without labels.
func groupAlerts[A any](alerts []A, labels func(A) map[string]string, keys []string) []alertGroup[A] {
	if len(keys) == 0 {
		return []alertGroup[A]{{Alerts: alerts}}
	}
	var out []alertGroup[A]
	index := map[string]int{}
	for _, a := range alerts {
		l := labels(a)
		gl := make(map[string]string, len(keys))
		var key strings.Builder
		for _, k := range keys {
			gl[k] = l[k]
			key.WriteString(l[k])
			key.WriteByte(0)
		}
		i, ok := index[key.String()]
		if !ok {
			i = len(out)
			index[key.String()] = i
			out = append(out, alertGroup[A]{Labels: gl})
		}
		out[i].Alerts = append(out[i].Alerts, a)
	}
	return out
}

// splitLabels reads --group-by's comma-separated label names.
func splitLabels(s string) []string {
	var out []string
	for _, k := range strings.Split(s, ",") {
		if k = strings.TrimSpace(k); k != "" {
			out = append(out, k)
		}
	}
	return out
}
