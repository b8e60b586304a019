package cmd

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/spf13/cobra"

	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/tui/render"
	"github.com/telx-cli/telx/tui/styles"
)

// RulesOptions are the inputs of telx rules.
type RulesOptions struct {
	IO     *IO
	Global *GlobalOptions
	Source func() (sources.RuleSource, error)

	// Type is alerting or recording; "" for both.
	Type  string
	Width int
	UTC   bool
}

func newRulesCmd(io *IO, g *GlobalOptions) *cobra.Command {
	opts := &RulesOptions{IO: io, Global: g}
	c := &cobra.Command{
		Use:   "rules",
		Short: "List Prometheus' alerting and recording rules by group",
		Long: `List Prometheus' rules (/api/v1/rules) group by group, in the order it
evaluates them: each rule's state (firing, pending, inactive; recording for a
recording rule) and health, when it was last evaluated and how long that
took, its last error, its expression, for how long an alert must hold before
it fires, its labels and annotations. Piped: one tab-separated line a rule.`,
		Example: `  telx rules
  telx rules --type alerting -o json`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(c *cobra.Command, _ []string) error {
			return rulesRun(c.Context(), opts)
		},
	}
	c.Flags().StringVar(&opts.Type, "type", "", "only rules of this type: alerting or recording")
	c.Flags().IntVar(&opts.Width, "width", 0, "width in columns (default: the terminal's, or 80)")
	c.Flags().BoolVar(&opts.UTC, "utc", false, "show times in UTC instead of the local zone")
	pf := addPrometheusFlags(c)
	opts.Source = func() (sources.RuleSource, error) {
		if g.Demo {
			return nil, UsageError(errors.New("the demo has no rules to list: telx alerts --demo lists its alerts"))
		}
		return pf.client(io, g)
	}
	completeFlagValues(c, "type", "alerting", "recording")
	outputFormats(c, "text", "json")
	return c
}

func rulesRun(ctx context.Context, opts *RulesOptions) error {
	format, err := outputFormat(opts.Global, "text", "json")
	if err != nil {
		return err
	}
	switch opts.Type {
	case "", sources.RuleAlerting, sources.RuleRecording:
	default:
		return UsageError(fmt.Errorf("--type %q: want alerting or recording", opts.Type))
	}
	src, err := opts.Source()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, opts.Global.Timeout)
	defer cancel()
	all, err := src.Rules(ctx)
	if err != nil {
		return err
	}
	groups := make([]sources.RuleGroup, 0, len(all))
	for _, g := range all {
		if opts.Type != "" {
			kept := g.Rules[:0:0]
			for _, r := range g.Rules {
				if r.Kind == opts.Type {
					kept = append(kept, r)
				}
			}
			g.Rules = kept
			if len(kept) == 0 {
				continue
			}
		}
		groups = append(groups, g)
	}
	if format == "json" {
		return writeJSON(opts.IO, groups)
	}
	if len(groups) == 0 {
		what := "rules"
		if opts.Type != "" {
			what = opts.Type + " rules"
		}
		fmt.Fprintf(opts.IO.ErrOut, "Prometheus has no %s\n", what)
		return nil
	}
	loc := opts.Global.Location(opts.UTC)
	if !opts.IO.IsTTY {
		for _, g := range groups {
			for _, r := range g.Rules {
				fmt.Fprintf(opts.IO.Out, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", sources.Sanitize(g.Name), r.Kind, sources.Sanitize(r.Name),
					ruleState(r), sources.Sanitize(r.Health), rfc3339OrEmpty(r.LastEvaluation, loc), r.EvaluationTime, r.For,
					sources.Sanitize(oneLine(r.Query)), sources.Sanitize(oneLine(r.LastError)))
			}
		}
		return nil
	}
	width := opts.Width
	if width <= 0 {
		width = opts.IO.Width
	}
	var b bytes.Buffer
	writeRules(&b, groups, width, opts.Global.now(), loc, opts.Global.Styles(opts.IO))
	_, err = colorWriter(opts.IO).Write(b.Bytes())
	return err
}

// ruleState is an alerting rule's state, "recording" for a recording rule.
func ruleState(r sources.Rule) string {
	if r.Kind == sources.RuleRecording {
		return "recording"
	}
	return sources.Sanitize(r.State)
}

// writeRules writes the rules group by group: a line for the group, then
// for each rule a line with its state, name and evaluation, and under it,
// indented and wrapped to the width, its last error, expression, labels
// and annotations.
func writeRules(b *bytes.Buffer, groups []sources.RuleGroup, width int, now time.Time, loc *time.Location, st *styles.Styles) {
	const indent = "    "
	stateWidth := len("recording")
	for _, g := range groups {
		for _, r := range g.Rules {
			stateWidth = max(stateWidth, ansi.StringWidth(ruleState(r)))
		}
	}
	wrapped := func(label, text string, paint func(string) string) {
		prefix := indent + label + " "
		room := max(width-ansi.StringWidth(prefix), 10)
		for i, l := range strings.Split(render.Wrap(text, room, " "), "\n") {
			p := prefix
			if i > 0 {
				p = strings.Repeat(" ", ansi.StringWidth(prefix))
			}
			b.WriteString(st.Dim.Apply(p) + paint(l) + "\n")
		}
	}
	plain := func(s string) string { return s }
	for gi, g := range groups {
		if gi > 0 {
			b.WriteByte('\n')
		}
		head := []string{"group " + sources.Sanitize(g.Name)}
		if g.File != "" {
			head = append(head, sources.Sanitize(g.File))
		}
		if g.Interval > 0 {
			head = append(head, "every "+g.Interval.String())
		}
		if !g.LastEvaluation.IsZero() {
			head = append(head, "evaluated "+evaluated(g.LastEvaluation, g.EvaluationTime, now, loc))
		}
		for i, l := range strings.Split(render.Wrap(strings.Join(head, " · "), width-2, " "), "\n") {
			if i > 0 {
				l = "  " + l
			}
			b.WriteString(st.Bold.Apply(l) + "\n")
		}
		for _, r := range g.Rules {
			state := fmt.Sprintf("%-*s", stateWidth, ruleState(r))
			var facts []string
			if r.Kind == sources.RuleAlerting {
				facts = append(facts, "for "+r.For.String())
				if n := len(r.Alerts); n > 0 {
					facts = append(facts, countAlerts(n))
				}
			}
			health := sources.Sanitize(r.Health)
			if r.Health == "err" {
				health = st.Error.Apply(health)
			}
			facts = append(facts, "health "+health)
			if !r.LastEvaluation.IsZero() {
				facts = append(facts, "evaluated "+evaluated(r.LastEvaluation, r.EvaluationTime, now, loc))
			}
			// the facts beside the name when they fit, else under it
			name := sources.Sanitize(r.Name)
			line := "  " + state + "  " + name
			info := strings.Join(facts, " · ")
			if ansi.StringWidth(line)+2+ansi.StringWidth(info) <= width {
				b.WriteString("  " + paintAlertState(st, state) + "  " + name + "  " + st.Dim.Apply(info) + "\n")
			} else {
				b.WriteString(ansi.Truncate("  "+paintAlertState(st, state)+"  "+name, width, "…") + "\n")
				for _, l := range strings.Split(render.Wrap(info, width-len(indent), " "), "\n") {
					b.WriteString(indent + st.Dim.Apply(l) + "\n")
				}
			}
			if r.LastError != "" {
				wrapped("error:", sources.Sanitize(r.LastError), func(s string) string { return st.Error.Apply(s) })
			}
			for i, l := range strings.Split(strings.TrimSpace(r.Query), "\n") {
				label := "expr: "
				if i > 0 {
					label = "      "
				}
				wrapped(label[:5], sources.Sanitize(strings.TrimRight(l, " ")), plain)
			}
			if len(r.Labels) > 0 {
				wrapped("labels:", sortedPairs(r.Labels, "=", " "), plain)
			}
			for _, k := range sortedKeys(r.Annotations) {
				wrapped(sources.Sanitize(k)+":", sources.Sanitize(oneLine(r.Annotations[k])), plain)
			}
		}
	}
}

// evaluated says when and how fast: 09:36:42 (3s ago) in 1.234ms.
func evaluated(at time.Time, took time.Duration, now time.Time, loc *time.Location) string {
	s := sinceCell(at, now, loc)
	if took > 0 {
		s += " in " + roundDuration(took).String()
	}
	return s
}

// roundDuration keeps 4 significant digits or so: 1.234ms, 56.79µs.
func roundDuration(d time.Duration) time.Duration {
	switch {
	case d >= time.Second:
		return d.Round(time.Millisecond)
	case d >= time.Millisecond:
		return d.Round(time.Microsecond)
	}
	return d.Round(10 * time.Nanosecond)
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func sortedPairs(m map[string]string, eq, sep string) string {
	keys := sortedKeys(m)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = sources.Sanitize(k) + eq + sources.Sanitize(m[k])
	}
	return strings.Join(parts, sep)
}

// oneLine joins a multi-line text's lines with spaces.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

func rfc3339OrEmpty(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	return t.In(loc).Format(time.RFC3339)
}
