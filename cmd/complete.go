package cmd

// Dynamic shell completion: what <TAB> offers is asked of the backends of
// the current context (the flags already on the command line included),
// under a short timeout, and nothing is offered, silently, when a backend
// cannot answer. cobra's `telx completion <shell>` prints the scripts that
// call the hidden `telx __complete` command, which calls the functions
// registered here.
//
// A command registers its completions next to its flags:
//
//	completeFlag(c, "service", g.serviceNames(func() (sources.TraceSource, error) { return g.traceSource(io, jf) }))
//	completeFlagValues(c, "state", "firing", "pending")
//	outputFormats(c, "text", "json")

import (
	"context"
	stdio "io"
	"maps"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/sources/correlate"
)

// DefaultCompletionTimeout is how long a completion waits for a backend's
// answer: TELX_COMPLETION_TIMEOUT or the context's completion_timeout
// change it.
const DefaultCompletionTimeout = time.Second

// outputFormatsKey is the annotation of a command holding its -o formats
// (outputFormats), which -o's completion offers.
const outputFormatsKey = "telx.output-formats"

// noComp is the directive of every completion: never file names.
const noComp = cobra.ShellCompDirectiveNoFileComp

// completeFlag registers fn as the completion of c's flag name; a flag
// already completed, or one c does not have, is left as it is.
func completeFlag(c *cobra.Command, name string, fn cobra.CompletionFunc) {
	_ = c.RegisterFlagCompletionFunc(name, fn)
}

// completeFlagValues completes c's flag name with a fixed set of values.
func completeFlagValues(c *cobra.Command, name string, values ...string) {
	completeFlag(c, name, fixedValues(values...))
}

// fixedValues completes with values (those starting with what is typed).
func fixedValues(values ...string) cobra.CompletionFunc {
	return func(_ *cobra.Command, _ []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		return matching(values, toComplete), noComp
	}
}

// outputFormats records the formats c's -o takes, for -o's completion; the
// command still checks them itself (outputFormat).
func outputFormats(c *cobra.Command, formats ...string) {
	if c.Annotations == nil {
		c.Annotations = map[string]string{}
	}
	c.Annotations[outputFormatsKey] = strings.Join(formats, ",")
}

// completeOutput completes -o with the formats of the command being
// completed (none for a command that takes no -o).
func completeOutput(c *cobra.Command, _ []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
	f := c.Annotations[outputFormatsKey]
	if f == "" {
		return nil, noComp
	}
	return matching(strings.Split(f, ","), toComplete), noComp
}

// completionTimeout is TELX_COMPLETION_TIMEOUT, else the context's
// completion_timeout, else DefaultCompletionTimeout.
func (g *GlobalOptions) completionTimeout() time.Duration {
	if v := strings.TrimSpace(g.getenv("TELX_COMPLETION_TIMEOUT")); v != "" {
		if d, err := time.ParseDuration(v); err == nil && d > 0 {
			return d
		}
	}
	if g.Context != nil && g.Context.CompletionTimeout > 0 {
		return g.Context.CompletionTimeout
	}
	return DefaultCompletionTimeout
}

// forCompletion resolves the flags on the command line, the environment
// and the context as the root command does before running a command
// (cobra does not run it before a completion), with every warning
// discarded, no request logging, and the completion timeout for every
// request. False: the flags or the config cannot be used.
func (g *GlobalOptions) forCompletion(c *cobra.Command) bool {
	quiet := TestIO(stdio.Discard, stdio.Discard)
	if err := g.complete(c.Flags(), quiet, g.getenv); err != nil {
		return false
	}
	g.Verbose = false
	g.Timeout, g.timeoutSet = g.completionTimeout(), true
	return true
}

// ask runs fetch under the completion timeout and returns its answer, nil
// when it fails or is late: a completion waits no longer than the timeout,
// whatever the backend (or a token command) does.
func (g *GlobalOptions) ask(c *cobra.Command, fetch func(ctx context.Context) ([]string, error)) []string {
	return askFor(g, c, fetch)
}

// askFor is ask for any kind of answer (its zero value when there is none).
func askFor[T any](g *GlobalOptions, c *cobra.Command, fetch func(ctx context.Context) (T, error)) T {
	var zero T
	if !g.forCompletion(c) {
		return zero
	}
	ctx, cancel := context.WithTimeout(context.Background(), g.Timeout)
	defer cancel()
	done := make(chan T, 1)
	go func() {
		defer func() {
			if recover() != nil {
				done <- zero
			}
		}()
		v, err := fetch(ctx)
		if err != nil {
			v = zero
		}
		done <- v
	}()
	select {
	case v := <-done:
		return v
	case <-ctx.Done():
		return zero
	}
}

// matching returns the candidates that start with prefix and can be
// typed: a name holding a control character or invalid UTF-8 (what a
// backend may answer) is left out rather than printed.
func matching(candidates []string, prefix string) []cobra.Completion {
	var out []cobra.Completion
	seen := map[string]bool{}
	for _, s := range candidates {
		if s == "" || seen[s] || !strings.HasPrefix(s, prefix) || !typeable(s) {
			continue
		}
		seen[s] = true
		out = append(out, s)
	}
	return out
}

func typeable(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if unicode.IsControl(r) || r == utf8.RuneError {
			return false
		}
	}
	return true
}

// serviceNames completes a service's name from the trace source.
func (g *GlobalOptions) serviceNames(src func() (sources.TraceSource, error)) cobra.CompletionFunc {
	return func(c *cobra.Command, _ []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		return matching(g.ask(c, func(ctx context.Context) ([]string, error) {
			s, err := src()
			if err != nil {
				return nil, err
			}
			return s.Services(ctx)
		}), toComplete), noComp
	}
}

// operationNames completes an operation of the service that the flag
// serviceFlag names on the command line (nothing without one).
func (g *GlobalOptions) operationNames(serviceFlag string, src func() (sources.TraceSource, error)) cobra.CompletionFunc {
	return func(c *cobra.Command, _ []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		fl := c.Flags().Lookup(serviceFlag)
		if fl == nil || fl.Value.String() == "" {
			return nil, noComp
		}
		service := fl.Value.String()
		return matching(g.ask(c, func(ctx context.Context) ([]string, error) {
			s, err := src()
			if err != nil {
				return nil, err
			}
			return s.Operations(ctx, service)
		}), toComplete), noComp
	}
}

// firstArg completes the first positional argument only.
func firstArg(fn cobra.CompletionFunc) cobra.CompletionFunc {
	return func(c *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		if len(args) > 0 {
			return nil, noComp
		}
		return fn(c, args, toComplete)
	}
}

// labelSource is what the Loki completions ask.
type labelSource interface {
	Labels(ctx context.Context, r sources.TimeRange) ([]string, error)
	LabelValues(ctx context.Context, name string, r sources.TimeRange) ([]string, error)
}

// completionRange is the range a completion asks about: the command's
// --since, --from and --to when it has them, else the last hour.
func (g *GlobalOptions) completionRange(tf *timeFlags) sources.TimeRange {
	now := g.now()
	if tf != nil {
		if r, err := tf.rangeAt(now); err == nil {
			return r
		}
	}
	return sources.TimeRange{From: now.Add(-time.Hour), To: now}
}

// lokiLabelNames completes a Loki label's name.
func (g *GlobalOptions) lokiLabelNames(tf *timeFlags, src func() (labelSource, error)) cobra.CompletionFunc {
	return func(c *cobra.Command, _ []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		return matching(g.ask(c, func(ctx context.Context) ([]string, error) {
			s, err := src()
			if err != nil {
				return nil, err
			}
			return s.Labels(ctx, g.completionRange(tf))
		}), toComplete), noComp
	}
}

// logQLSelector completes the stream selector of a LogQL query typed so
// far: after "{" or "," a label's name (completed to name="), after
// name=" (or !=, =~, !~) that label's values (completed to the closing
// quote). A query not yet begun completes to "{" and a label's name.
func (g *GlobalOptions) logQLSelector(tf *timeFlags, src func() (labelSource, error)) cobra.CompletionFunc {
	return func(c *cobra.Command, _ []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		return g.selectorCompletions(c, toComplete, func(ctx context.Context, label string) ([]string, error) {
			s, err := src()
			if err != nil {
				return nil, err
			}
			r := g.completionRange(tf)
			if label == "" {
				return s.Labels(ctx, r)
			}
			return s.LabelValues(ctx, label, r)
		})
	}
}

// selectorCompletions completes partial, a selector typed so far, with
// the names (label "") or a label's values that list returns.
func (g *GlobalOptions) selectorCompletions(c *cobra.Command, partial string, list func(ctx context.Context, label string) ([]string, error)) ([]cobra.Completion, cobra.ShellCompDirective) {
	p, ok := parseSelector(partial)
	if !ok {
		return nil, noComp
	}
	names := g.ask(c, func(ctx context.Context) ([]string, error) { return list(ctx, p.label) })
	var out []cobra.Completion
	for _, n := range matching(names, p.typed) {
		if p.label == "" {
			if !labelName.MatchString(n) {
				continue
			}
			out = append(out, p.head+n+`="`)
		} else {
			out = append(out, p.head+escapeLogQL(n)+`"`)
		}
	}
	return out, noComp | cobra.ShellCompDirectiveNoSpace
}

var labelName = regexp.MustCompile(`^[a-zA-Z_][a-zA-Z0-9_]*$`)

// selectorPart is where a partial selector stands: head is kept as it is,
// typed is the start of a label's name (label "") or of its value.
type selectorPart struct {
	head, typed, label string
}

// partialSelector reads the end of a selector: `{` or `,` then a name
// being typed, or a name, an operator and an opening quote then a value
// being typed (escapes in it are read as typed, not completed).
var partialSelector = regexp.MustCompile(`^(.*[{,]\s*)(?:([a-zA-Z_][a-zA-Z0-9_]*)\s*(=|!=|=~|!~)\s*"((?:[^"\\]|\\.)*)|([a-zA-Z_][a-zA-Z0-9_]*)?)$`)

// parseSelector tells where partial, the start of a LogQL query, stands
// in its stream selector; false when it is past it (or not in one).
func parseSelector(partial string) (selectorPart, bool) {
	if strings.TrimSpace(partial) == "" {
		return selectorPart{head: partial + "{"}, true
	}
	if strings.ContainsAny(partial, "}") {
		return selectorPart{}, false
	}
	m := partialSelector.FindStringSubmatch(partial)
	if m == nil || strings.Count(m[1], "{") != 1 || strings.TrimSpace(m[1][:strings.Index(m[1], "{")]) != "" {
		return selectorPart{}, false
	}
	if m[2] != "" {
		head := partial[:len(partial)-len(m[4])]
		return selectorPart{head: head, typed: unescapeLogQL(m[4]), label: m[2]}, true
	}
	// a complete matcher before a ',' leaves quotes balanced; a quote
	// still open means the comma is inside a value
	if strings.Count(strings.ReplaceAll(m[1], `\"`, ""), `"`)%2 != 0 {
		return selectorPart{}, false
	}
	return selectorPart{head: m[1], typed: m[5]}, true
}

func escapeLogQL(s string) string {
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s)
}

func unescapeLogQL(s string) string {
	return strings.NewReplacer(`\\`, `\`, `\"`, `"`).Replace(s)
}

// metricLister is a metric source that lists a label's values
// (Prometheus).
type metricLister interface {
	LabelValues(ctx context.Context, name string, matches []string, r sources.TimeRange) ([]string, []string, error)
}

// promLabelValues asks src for label's values.
func (g *GlobalOptions) promLabelValues(c *cobra.Command, tf *timeFlags, src func() (sources.MetricSource, error), label string) []string {
	return g.ask(c, func(ctx context.Context) ([]string, error) {
		s, err := src()
		if err != nil {
			return nil, err
		}
		l, ok := s.(metricLister)
		if !ok {
			return nil, nil
		}
		vals, _, err := l.LabelValues(ctx, label, nil, g.completionRange(tf))
		return vals, err
	})
}

// trailingName is the metric name being typed at the end of a PromQL
// expression.
var trailingName = regexp.MustCompile(`[a-zA-Z_:][a-zA-Z0-9_:]*$`)

// splitMetricName splits a PromQL expression being typed into what is
// kept and the metric name being typed at its end; false inside a
// selector's braces or a string, or after a digit or a dot.
func splitMetricName(expr string) (head, typed string, ok bool) {
	if strings.Count(expr, "{") > strings.Count(expr, "}") || strings.Count(expr, `"`)%2 != 0 {
		return "", "", false
	}
	typed = trailingName.FindString(expr)
	head = expr[:len(expr)-len(typed)]
	if head != "" && strings.ContainsAny(head[len(head)-1:], "0123456789.") {
		return "", "", false // a number, or a name's middle: 1e3, foo.bar
	}
	return head, typed, true
}

// metricNames completes the metric name being typed at the end of a
// PromQL expression (not inside a selector's braces or a string).
func (g *GlobalOptions) metricNames(tf *timeFlags, src func() (sources.MetricSource, error)) cobra.CompletionFunc {
	return func(c *cobra.Command, _ []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		head, typed, ok := splitMetricName(toComplete)
		if !ok {
			return nil, noComp
		}
		var out []cobra.Completion
		for _, n := range matching(g.promLabelValues(c, tf, src, "__name__"), typed) {
			out = append(out, head+n)
		}
		directive := noComp
		if head != "" {
			directive |= cobra.ShellCompDirectiveNoSpace // in an expression
		}
		return out, directive
	}
}

// redServices completes telx metrics --service: the services of the span
// metrics (service_name), or with --preset http the jobs.
func (g *GlobalOptions) redServices(tf *timeFlags, src func() (sources.MetricSource, error)) cobra.CompletionFunc {
	return func(c *cobra.Command, _ []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		label := "service_name"
		if fl := c.Flags().Lookup("preset"); fl != nil && fl.Value.String() == "http" {
			label = "job"
		}
		return matching(g.promLabelValues(c, tf, src, label), toComplete), noComp
	}
}

// redPresets are the names --preset takes.
func redPresets() []string {
	return slices.Sorted(maps.Keys(correlate.REDPresets))
}

// alertNames completes an alert's name: Alertmanager's alerts when one
// is configured (telx alerts' choice), else Prometheus' firing and
// pending ones.
func (g *GlobalOptions) alertNames(opts *AlertsOptions) cobra.CompletionFunc {
	return func(c *cobra.Command, _ []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		names := g.ask(c, func(ctx context.Context) ([]string, error) {
			am, err := opts.alertmanager()
			if err != nil {
				return nil, err
			}
			var names []string
			if am != nil {
				alerts, err := am.ManagedAlerts(ctx, sources.AlertFilter{Active: true, Silenced: true, Inhibited: true, Unprocessed: true})
				if err != nil {
					return nil, err
				}
				for _, a := range alerts {
					names = append(names, a.Name)
				}
			} else {
				src, err := opts.Source()
				if err != nil {
					return nil, err
				}
				alerts, err := src.Alerts(ctx)
				if err != nil {
					return nil, err
				}
				for _, a := range alerts {
					names = append(names, a.Name)
				}
			}
			slices.Sort(names)
			return names, nil
		})
		return matching(names, toComplete), noComp
	}
}

// silenceIDs completes the ID of a silence that is active or pending, its
// matchers and comment as the description. IDs already on the command
// line are not offered again.
func (g *GlobalOptions) silenceIDs(opts *SilenceOptions) cobra.CompletionFunc {
	return func(c *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		type found struct{ id, desc string }
		silences := askFor(g, c, func(ctx context.Context) ([]found, error) {
			am, err := opts.AlertManager()
			if err != nil {
				return nil, err
			}
			ss, err := am.Silences(ctx, nil)
			if err != nil {
				return nil, err
			}
			var out []found
			for _, s := range ss {
				if s.State == sources.SilenceExpired || slices.Contains(args, s.ID) {
					continue
				}
				out = append(out, found{s.ID, describeSilence(s)})
			}
			return out, nil
		})
		var out []cobra.Completion
		for _, s := range silences {
			if len(matching([]string{s.id}, toComplete)) == 1 {
				out = append(out, cobra.CompletionWithDesc(s.id, s.desc))
			}
		}
		return out, noComp
	}
}

// describeSilence is a silence's matchers and comment, on one line and
// sanitised.
func describeSilence(s sources.Silence) string {
	parts := make([]string, 0, len(s.Matchers))
	for _, m := range s.Matchers {
		parts = append(parts, m.String())
	}
	d := strings.Join(parts, ",")
	if s.Comment != "" {
		d += " " + s.Comment
	}
	return strings.Join(strings.Fields(sources.Sanitize(d)), " ")
}

// commaList completes the last item of a comma-separated list with fn,
// keeping the items before it.
func commaList(fn cobra.CompletionFunc) cobra.CompletionFunc {
	return func(c *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		i := strings.LastIndex(toComplete, ",")
		head, last := toComplete[:i+1], toComplete[i+1:]
		done := strings.Split(head, ",")
		comps, d := fn(c, args, last)
		var out []cobra.Completion
		for _, s := range comps {
			if !slices.Contains(done, s) {
				out = append(out, head+s)
			}
		}
		return out, d | cobra.ShellCompDirectiveNoSpace
	}
}

// noFileArgs makes every command under c that completes no positional
// argument of its own complete none, rather than the shell's file names
// (no telx command takes a file as an argument; --file and --config are
// flags, and keep the file names).
func noFileArgs(c *cobra.Command) {
	if c.ValidArgsFunction == nil && len(c.ValidArgs) == 0 {
		c.ValidArgsFunction = cobra.NoFileCompletions
	}
	for _, sub := range c.Commands() {
		noFileArgs(sub)
	}
}

// partialMatcher reads an amtool matcher being typed: a label's name, an
// operator, and the start of a value (quoted or not).
var partialMatcher = regexp.MustCompile(`^([a-zA-Z_][a-zA-Z0-9_]*)(=~|!~|!=|=)("?)(.*)$`)

// plainValue is a matcher value amtool reads without quotes.
var plainValue = regexp.MustCompile(`^[a-zA-Z0-9_:./-]+$`)

// alertMatchers completes a matcher argument (amtool's syntax) from the
// labels of the current alerts that labels returns: a label's name
// (completed to name=), then after name= (or !=, =~, !~) that label's
// values, quoted when amtool needs it.
func (g *GlobalOptions) alertMatchers(labels func(ctx context.Context) ([]map[string]string, error)) cobra.CompletionFunc {
	return func(c *cobra.Command, _ []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		m := partialMatcher.FindStringSubmatch(toComplete)
		if m == nil && toComplete != "" && !labelName.MatchString(toComplete) {
			return nil, noComp
		}
		sets := askFor(g, c, labels)
		var out []cobra.Completion
		if m == nil { // a name
			var names []string
			for _, set := range sets {
				for k := range set {
					names = append(names, k)
				}
			}
			slices.Sort(names)
			for _, n := range matching(names, toComplete) {
				if labelName.MatchString(n) {
					out = append(out, n+"=")
				}
			}
			return out, noComp | cobra.ShellCompDirectiveNoSpace
		}
		name, op, quoted, typed := m[1], m[2], m[3] != "", m[4]
		if quoted {
			typed = unescapeLogQL(typed)
		}
		var values []string
		for _, set := range sets {
			if v, ok := set[name]; ok {
				values = append(values, v)
			}
		}
		slices.Sort(values)
		for _, v := range matching(values, typed) {
			if !quoted && plainValue.MatchString(v) {
				out = append(out, name+op+v)
			} else {
				out = append(out, name+op+`"`+escapeLogQL(v)+`"`)
			}
		}
		return out, noComp
	}
}

// alertLabelSets are the label sets of the alerts telx alerts would list:
// Alertmanager's (every state) when one is configured, else Prometheus'.
func alertLabelSets(opts *AlertsOptions) func(ctx context.Context) ([]map[string]string, error) {
	return func(ctx context.Context) ([]map[string]string, error) {
		am, err := opts.alertmanager()
		if err != nil {
			return nil, err
		}
		if am != nil {
			return managedAlertLabels(ctx, am)
		}
		src, err := opts.Source()
		if err != nil {
			return nil, err
		}
		alerts, err := src.Alerts(ctx)
		if err != nil {
			return nil, err
		}
		sets := make([]map[string]string, 0, len(alerts))
		for _, a := range alerts {
			sets = append(sets, a.Labels)
		}
		return sets, nil
	}
}

// silenceLabels are the label sets of Alertmanager's alerts in every
// state, for the matchers of telx silence.
func silenceLabels(opts *SilenceOptions) func(ctx context.Context) ([]map[string]string, error) {
	return func(ctx context.Context) ([]map[string]string, error) {
		am, err := opts.AlertManager()
		if err != nil {
			return nil, err
		}
		return managedAlertLabels(ctx, am)
	}
}

func managedAlertLabels(ctx context.Context, am sources.AlertManager) ([]map[string]string, error) {
	alerts, err := am.ManagedAlerts(ctx, sources.AlertFilter{Active: true, Silenced: true, Inhibited: true, Unprocessed: true})
	if err != nil {
		return nil, err
	}
	sets := make([]map[string]string, 0, len(alerts))
	for _, a := range alerts {
		sets = append(sets, a.Labels)
	}
	return sets, nil
}
