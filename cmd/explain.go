package cmd

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/sources/explain"
	"github.com/telx-cli/telx/tui/render"
)

// addExplainFlags adds telx alerts' --explain and --service-labels, and
// the Jaeger and Loki sources the evidence asks.
func addExplainFlags(c *cobra.Command, io *IO, g *GlobalOptions, opts *AlertsOptions) {
	fs := c.Flags()
	fs.StringVar(&opts.Explain, "explain", "", "show an alert's evidence (by alertname or fingerprint): its rule's series with the threshold and the crossing, its service's error and warning logs, failing and slowest traces")
	addServiceLabelsFlag(c, &opts.ServiceLabels)
	jf := addJaegerFlags(c)
	lf := addLokiFlags(c)
	opts.Evidence = func() (explain.Sources, error) {
		var s explain.Sources
		if g.Demo {
			ds, err := g.demoSource()
			if err != nil {
				return s, err
			}
			return explain.Sources{Metrics: ds, Rules: ds, Logs: ds, Traces: ds}, nil
		}
		ms, err := opts.Source()
		if err != nil {
			return s, err
		}
		s.Metrics = ms
		if rs, ok := ms.(sources.RuleSource); ok {
			s.Rules = rs
		}
		if s.Traces, err = jf.client(io, g); err != nil {
			return s, err
		}
		if s.Logs, err = lf.client(c, io, g); err != nil {
			return s, err
		}
		return s, nil
	}
}

// addServiceLabelsFlag adds --service-labels.
func addServiceLabelsFlag(c *cobra.Command, v *string) {
	c.Flags().StringVar(v, "service-labels", "", "the alert labels that name its service, comma-separated, the first found wins (default: the context's alert_service_labels, else "+strings.Join(explain.DefaultServiceLabels, ",")+")")
}

// serviceLabels are the labels naming an alert's service: the flag's,
// else the context's, else the defaults.
func (g *GlobalOptions) serviceLabels(flag string) []string {
	if strings.TrimSpace(flag) != "" {
		return explain.ParseServiceLabels(flag)
	}
	if g.Context != nil && len(g.Context.AlertServiceLabels) > 0 {
		return explain.ParseServiceLabels(strings.Join(g.Context.AlertServiceLabels, ","))
	}
	return explain.DefaultServiceLabels
}

// explainRun shows the evidence of the alert opts.Explain names.
func explainRun(ctx context.Context, opts *AlertsOptions, matchers []sources.Matcher, format string) error {
	if opts.GroupBy != "" || opts.Watch > 0 || opts.State != "" {
		return UsageError(errors.New("--explain shows one alert: drop --group-by, --state and --watch"))
	}
	src, err := opts.Evidence()
	if err != nil {
		return err
	}
	am, err := opts.alertmanager()
	if err != nil {
		return err
	}
	cctx, cancel := context.WithTimeout(ctx, opts.Global.Timeout)
	defer cancel()
	prom, promErr := src.Metrics.Alerts(cctx)
	var managed []sources.ManagedAlert
	if am != nil {
		f := allStates
		f.Matchers = matchers
		var amErr error
		if managed, amErr = am.ManagedAlerts(cctx, f); amErr != nil {
			if promErr != nil {
				return errors.Join(amErr, promErr)
			}
			fmt.Fprintf(opts.IO.ErrOut, "warning: %s\n  the alerts are Prometheus'\n", sources.Sanitize(firstLine(amErr.Error())))
		}
	}
	if promErr != nil && managed == nil {
		return promErr
	}
	var all []explain.Alert
	for _, a := range explain.Merge(prom, managed) {
		if sources.MatchersMatch(matchers, a.Labels) {
			all = append(all, a)
		}
	}
	found := explain.Find(all, opts.Explain)
	if len(found) == 0 {
		return fmt.Errorf("no active alert is named %s or has that fingerprint (%s): %w",
			sources.Sanitize(opts.Explain), alertNames(all), sources.ErrNotFound)
	}
	if len(found) > 1 {
		fmt.Fprintf(opts.IO.ErrOut, "%d alerts are named %s: this is the latest; give a fingerprint for another:\n", len(found), sources.Sanitize(opts.Explain))
		for _, a := range found[1:] {
			fmt.Fprintf(opts.IO.ErrOut, "  %s %s\n", sources.Sanitize(a.Fingerprint), render.AlertLabels(a.Labels))
		}
	}
	ev := explain.Gather(cctx, src, found[0], explain.Options{ServiceLabels: opts.Global.serviceLabels(opts.ServiceLabels), Now: opts.Global.now()})
	if format == "json" {
		return writeJSON(opts.IO, ev)
	}
	width := opts.Width
	if width <= 0 {
		width = opts.IO.Width
	}
	lines, _ := render.Evidence(ev, render.EvidenceOptions{Width: width, Styles: opts.Global.Styles(opts.IO),
		Location: opts.Global.Location(opts.UTC), Now: opts.Global.now(), Selected: -1})
	if len(ev.Failing)+len(ev.Slowest) > 0 {
		lines = append(lines, "", "open one with: telx trace <trace-id>")
	}
	_, err = colorWriter(opts.IO).Write([]byte(strings.Join(lines, "\n") + "\n"))
	return err
}

// alertNames lists the names of alerts, for an error.
func alertNames(as []explain.Alert) string {
	if len(as) == 0 {
		return "there are none"
	}
	seen := map[string]bool{}
	var names []string
	for _, a := range as {
		if !seen[a.Name] {
			seen[a.Name] = true
			names = append(names, sources.Sanitize(a.Name))
		}
	}
	return "active: " + strings.Join(names, ", ")
}
