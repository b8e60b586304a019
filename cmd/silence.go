package cmd

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/prometheus/common/model"
	"github.com/spf13/cobra"

	"github.com/telx-cli/telx/sources"
)

// SilenceOptions are the inputs of telx silence and its subcommands.
type SilenceOptions struct {
	IO     *IO
	Global *GlobalOptions
	// AlertManager returns the Alertmanager (DefaultAlertmanagerURL when
	// none is configured, as amtool does).
	AlertManager func() (sources.AlertManager, error)

	Args []string // matchers, or silence IDs for expire

	// add
	Duration string // Prometheus' duration syntax: 2h, 90m, 1d
	Start    string // RFC3339; now when empty
	End      string // RFC3339; overrides Duration
	Comment  string
	Author   string
	DryRun   bool

	// ls
	Expired   bool
	Quiet     bool
	CreatedBy string
	Within    time.Duration

	Width int
	UTC   bool
}

func newSilenceCmd(io *IO, g *GlobalOptions) *cobra.Command {
	c := &cobra.Command{
		Use:   "silence",
		Short: "Add, list, expire Alertmanager's silences, and see what a silence would match",
		Long: `Alertmanager's silences, as amtool handles them: matchers in its syntax
(name=value, name!=value, name=~regex, name!~regex; a first bare word is the
alert's name). The Alertmanager is --alertmanager, TELX_ALERTMANAGER_URL or
the context's alertmanager, else ` + DefaultAlertmanagerURL + `.`,
		Args: rootArgs,
		RunE: func(c *cobra.Command, _ []string) error { return c.Help() },
	}
	c.AddCommand(newSilenceAddCmd(io, g), newSilenceLsCmd(io, g), newSilenceExpireCmd(io, g), newSilenceQueryCmd(io, g))
	return c
}

func silenceOptions(c *cobra.Command, io *IO, g *GlobalOptions) *SilenceOptions {
	opts := &SilenceOptions{IO: io, Global: g}
	af := addAlertmanagerFlags(c)
	opts.AlertManager = func() (sources.AlertManager, error) {
		if g.Demo {
			return nil, UsageError(errors.New("the demo has no Alertmanager"))
		}
		return af.client(io, g, DefaultAlertmanagerURL)
	}
	return opts
}

func newSilenceAddCmd(io *IO, g *GlobalOptions) *cobra.Command {
	var opts *SilenceOptions
	c := &cobra.Command{
		Use:   "add <matcher>...",
		Short: "Create a silence; prints its ID",
		Long: `Create a silence of the alerts the matchers select, from now (or --start)
for --duration (or until --end), signed with --author (default: the context's
author, else the user's login name) and a --comment, which is required.
Prints the new silence's ID. --dry-run creates nothing: it shows the silence
it would create and the alerts it would silence now.`,
		Example: `  telx silence add alertname=HighErrorRate service_name=payments --duration 2h --comment "deploy, OPS-1234"
  telx silence add HighLatency 'service_name=~"front.*"' -d 30m -c "known, fix rolling out" --dry-run`,
		Args: usageArgs(cobra.MinimumNArgs(1)),
		RunE: func(c *cobra.Command, args []string) error {
			opts.Args = args
			return silenceAddRun(c.Context(), opts)
		},
	}
	opts = silenceOptions(c, io, g)
	c.ValidArgsFunction = g.alertMatchers(silenceLabels(opts))
	fs := c.Flags()
	fs.StringVarP(&opts.Duration, "duration", "d", "1h", "how long the silence lasts (2h, 90m, 1d)")
	fs.StringVar(&opts.Start, "start", "", "when the silence starts, RFC3339 (default now)")
	fs.StringVar(&opts.End, "end", "", "when the silence ends, RFC3339 (instead of --duration)")
	fs.StringVarP(&opts.Comment, "comment", "c", "", "why: who reads the silence later wants to know (required)")
	fs.StringVarP(&opts.Author, "author", "a", "", "who the silence is from (default: the context's author, else $USER)")
	fs.BoolVar(&opts.DryRun, "dry-run", false, "create nothing: show the silence and the alerts it would silence")
	fs.BoolVar(&opts.UTC, "utc", false, "show times in UTC instead of the local zone")
	outputFormats(c, "text", "json")
	return c
}

func newSilenceLsCmd(io *IO, g *GlobalOptions) *cobra.Command {
	var opts *SilenceOptions
	c := &cobra.Command{
		Use:     "ls [matcher...]",
		Aliases: []string{"list"},
		Short:   "List the silences (amtool silence query)",
		Long: `List the silences that are active or pending (with --expired, the expired
ones), soonest to end first, as amtool silence query does. Matchers select
the silences that have each of them among their own matchers, written the
same way (Alertmanager does not match a regular expression against a
silence's values).`,
		Example: `  telx silence ls
  telx silence ls alertname=HighErrorRate --within 1h
  telx silence ls --expired --within 24h -o json
  telx silence ls -q | xargs telx silence expire`,
		Args: usageArgs(cobra.ArbitraryArgs),
		RunE: func(c *cobra.Command, args []string) error {
			opts.Args = args
			return silenceLsRun(c.Context(), opts)
		},
	}
	opts = silenceOptions(c, io, g)
	fs := c.Flags()
	fs.BoolVar(&opts.Expired, "expired", false, "list the expired silences instead")
	fs.BoolVarP(&opts.Quiet, "quiet", "q", false, "print only the silences' IDs")
	fs.StringVar(&opts.CreatedBy, "created-by", "", "only the silences of this author")
	fs.DurationVar(&opts.Within, "within", 0, "only the silences that end within this long (with --expired: that ended that long ago at most)")
	fs.IntVar(&opts.Width, "width", 0, "width in columns (default: the terminal's, or 80)")
	fs.BoolVar(&opts.UTC, "utc", false, "show times in UTC instead of the local zone")
	outputFormats(c, "text", "json")
	return c
}

func newSilenceExpireCmd(io *IO, g *GlobalOptions) *cobra.Command {
	var opts *SilenceOptions
	c := &cobra.Command{
		Use:   "expire <silence-id>...",
		Short: "End silences now",
		Long: `End each silence now. An unknown ID, or a silence that has already
expired, is an error (exit code 3 for an unknown one); the others are
expired all the same.`,
		Example: `  telx silence expire 8d5c7a2e-1b7f-4c1e-9d55-0d1f0e6c2b1a
  telx silence ls -q service_name=payments | xargs telx silence expire`,
		Args: usageArgs(cobra.MinimumNArgs(1)),
		RunE: func(c *cobra.Command, args []string) error {
			opts.Args = args
			return silenceExpireRun(c.Context(), opts)
		},
	}
	opts = silenceOptions(c, io, g)
	c.ValidArgsFunction = g.silenceIDs(opts)
	return c
}

func newSilenceQueryCmd(io *IO, g *GlobalOptions) *cobra.Command {
	var opts *SilenceOptions
	c := &cobra.Command{
		Use:   "query <matcher>...",
		Short: "List the alerts a silence of these matchers would silence now",
		Long: `List Alertmanager's current alerts, in every state, that a silence of these
matchers would silence: what telx silence add would mute, before it does.`,
		Example: `  telx silence query alertname=HighErrorRate 'service_name=~"pay.*"'`,
		Args:    usageArgs(cobra.MinimumNArgs(1)),
		RunE: func(c *cobra.Command, args []string) error {
			opts.Args = args
			return silenceQueryRun(c.Context(), opts)
		},
	}
	opts = silenceOptions(c, io, g)
	c.ValidArgsFunction = g.alertMatchers(silenceLabels(opts))
	c.Flags().IntVar(&opts.Width, "width", 0, "width in columns (default: the terminal's, or 80)")
	c.Flags().BoolVar(&opts.UTC, "utc", false, "show times in UTC instead of the local zone")
	outputFormats(c, "text", "json")
	return c
}

// newSilence builds the silence that silence add creates, checking its
// input.
func (o *SilenceOptions) newSilence() (sources.Silence, error) {
	ms, err := parseMatcherArgs(o.Args)
	if err != nil {
		return sources.Silence{}, err
	}
	if strings.TrimSpace(o.Comment) == "" {
		return sources.Silence{}, UsageError(errors.New("a silence needs a --comment: who reads it later wants to know why"))
	}
	now := o.Global.now()
	start := now
	if o.Start != "" {
		if start, err = time.Parse(time.RFC3339, o.Start); err != nil {
			return sources.Silence{}, UsageError(fmt.Errorf("--start %q: want an RFC3339 time such as 2026-01-15T14:00:00Z", o.Start))
		}
	}
	var end time.Time
	if o.End != "" {
		if end, err = time.Parse(time.RFC3339, o.End); err != nil {
			return sources.Silence{}, UsageError(fmt.Errorf("--end %q: want an RFC3339 time such as 2026-01-15T16:00:00Z", o.End))
		}
	} else {
		d, err := model.ParseDuration(o.Duration)
		if err != nil || d <= 0 {
			return sources.Silence{}, UsageError(fmt.Errorf("--duration %q: want a positive duration such as 2h, 90m or 1d", o.Duration))
		}
		end = start.Add(time.Duration(d))
	}
	if !end.After(start) {
		return sources.Silence{}, UsageError(fmt.Errorf("the silence would end (%s) before it starts (%s)", end.Format(time.RFC3339), start.Format(time.RFC3339)))
	}
	if !end.After(now) {
		return sources.Silence{}, UsageError(fmt.Errorf("the silence would end in the past (%s)", end.Format(time.RFC3339)))
	}
	author := strings.TrimSpace(o.Author)
	if author == "" {
		author = o.Global.silenceAuthor()
	}
	return sources.Silence{Matchers: ms, StartsAt: start, EndsAt: end, CreatedBy: author, Comment: o.Comment}, nil
}

// allStates selects Alertmanager's alerts in every state.
var allStates = sources.AlertFilter{Active: true, Silenced: true, Inhibited: true, Unprocessed: true}

func silenceAddRun(ctx context.Context, opts *SilenceOptions) error {
	format, err := outputFormat(opts.Global, "text", "json")
	if err != nil {
		return err
	}
	s, err := opts.newSilence()
	if err != nil {
		return err
	}
	am, err := opts.AlertManager()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, opts.Global.Timeout)
	defer cancel()
	f := allStates
	f.Matchers = s.Matchers
	matched, err := am.ManagedAlerts(ctx, f)
	if err != nil {
		return err
	}
	loc := opts.Global.Location(opts.UTC)
	if opts.DryRun {
		if format == "json" {
			return writeJSON(opts.IO, struct {
				Silence sources.Silence        `json:"silence"`
				Alerts  []sources.ManagedAlert `json:"alerts"`
			}{s, nonNil(matched)})
		}
		out := opts.IO.Out
		fmt.Fprintln(out, "would create (--dry-run: nothing was created):")
		fmt.Fprintf(out, "  matchers:   %s\n", sources.Sanitize(sources.FormatMatchers(s.Matchers, " ")))
		fmt.Fprintf(out, "  starts:     %s\n", s.StartsAt.In(loc).Format(time.RFC3339))
		fmt.Fprintf(out, "  ends:       %s (%s)\n", s.EndsAt.In(loc).Format(time.RFC3339), shortDuration(s.EndsAt.Sub(s.StartsAt)))
		fmt.Fprintf(out, "  created by: %s\n", sources.Sanitize(s.CreatedBy))
		fmt.Fprintf(out, "  comment:    %s\n", sources.Sanitize(s.Comment))
		fmt.Fprintf(out, "it would silence %s now%s\n", countAlerts(len(matched)), colonIf(len(matched) > 0))
		for _, a := range matched {
			fmt.Fprintf(out, "  %s %s (%s)\n", sources.Sanitize(a.Name), managedLabels(a.Labels, " "), stateCell(a))
		}
		if emptyMatching(s.Matchers) {
			fmt.Fprintln(out, "note: Alertmanager refuses a silence whose matchers all match the empty string")
		}
		return nil
	}
	id, err := am.PutSilence(ctx, s)
	if err != nil {
		return err
	}
	if format == "json" {
		created, err := am.Silence(ctx, id)
		if err != nil {
			return err
		}
		return writeJSON(opts.IO, created)
	}
	fmt.Fprintln(opts.IO.Out, sources.Sanitize(id))
	if opts.IO.IsTTY {
		fmt.Fprintf(opts.IO.ErrOut, "silenced %s now, until %s (%s)\n", countAlerts(len(matched)), s.EndsAt.In(loc).Format("2006-01-02 15:04:05"), shortDuration(s.EndsAt.Sub(s.StartsAt)))
	}
	return nil
}

func silenceLsRun(ctx context.Context, opts *SilenceOptions) error {
	format, err := outputFormat(opts.Global, "text", "json")
	if err != nil {
		return err
	}
	ms, err := parseMatcherArgs(opts.Args)
	if err != nil {
		return err
	}
	if opts.Within < 0 {
		return UsageError(fmt.Errorf("--within %s: want a positive duration", opts.Within))
	}
	am, err := opts.AlertManager()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, opts.Global.Timeout)
	defer cancel()
	all, err := am.Silences(ctx, ms)
	if err != nil {
		return err
	}
	now := opts.Global.now()
	var list []sources.Silence
	for _, s := range all {
		expired := s.State == sources.SilenceExpired
		switch {
		case expired != opts.Expired:
		case opts.CreatedBy != "" && s.CreatedBy != opts.CreatedBy:
		case opts.Within > 0 && !expired && s.EndsAt.After(now.Add(opts.Within)):
		case opts.Within > 0 && expired && s.EndsAt.Before(now.Add(-opts.Within)):
		default:
			list = append(list, s)
		}
	}
	if format == "json" {
		return writeJSON(opts.IO, nonNil(list))
	}
	if opts.Quiet {
		for _, s := range list {
			fmt.Fprintln(opts.IO.Out, sources.Sanitize(s.ID))
		}
		return nil
	}
	if len(list) == 0 {
		what := "active or pending"
		if opts.Expired {
			what = "expired"
		}
		if len(ms) > 0 {
			what += " with the matchers " + sources.Sanitize(sources.FormatMatchers(ms, " "))
		}
		fmt.Fprintf(opts.IO.ErrOut, "no silences are %s\n", what)
		return nil
	}
	loc := opts.Global.Location(opts.UTC)
	if !opts.IO.IsTTY {
		for _, s := range list {
			fmt.Fprintf(opts.IO.Out, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", sources.Sanitize(s.ID), s.State, sources.Sanitize(sources.FormatMatchers(s.Matchers, " ")),
				s.StartsAt.In(loc).Format(time.RFC3339), s.EndsAt.In(loc).Format(time.RFC3339), sources.Sanitize(s.CreatedBy), sources.Sanitize(s.Comment))
		}
		return nil
	}
	width := opts.Width
	if width <= 0 {
		width = opts.IO.Width
	}
	t := stateTable{head: []string{"STATE", "ID", "MATCHERS", "ENDS", "CREATED BY", "COMMENT"}, below: 2, paint: paintAlertState}
	var g tableGroup
	for _, s := range list {
		g.rows = append(g.rows, []string{s.State, sources.Sanitize(s.ID), sources.Sanitize(sources.FormatMatchers(s.Matchers, " ")),
			endsCell(s, now, loc), sources.Sanitize(s.CreatedBy), sources.Sanitize(s.Comment)})
	}
	t.groups = []tableGroup{g}
	var b bytes.Buffer
	t.write(&b, width, opts.Global.Styles(opts.IO))
	_, err = colorWriter(opts.IO).Write(b.Bytes())
	return err
}

// endsCell says when a silence ends (or ended, or starts, for a pending
// one): the time and how far off.
func endsCell(s sources.Silence, now time.Time, loc *time.Location) string {
	at := s.EndsAt.In(loc).Format("01-02 15:04")
	if d := s.EndsAt.Sub(now); d >= 0 {
		at += " (in " + shortDuration(d) + ")"
	} else {
		at += " (" + ago(-d) + ")"
	}
	if s.State == sources.SilencePending {
		at += ", starts " + s.StartsAt.In(loc).Format("01-02 15:04")
	}
	return at
}

func silenceExpireRun(ctx context.Context, opts *SilenceOptions) error {
	am, err := opts.AlertManager()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, opts.Global.Timeout)
	defer cancel()
	var errs []error
	for _, id := range opts.Args {
		if err := expireOne(ctx, am, id, opts.Global.Location(false)); err != nil {
			errs = append(errs, err)
			continue
		}
		if opts.IO.IsTTY {
			fmt.Fprintf(opts.IO.ErrOut, "expired silence %s\n", sources.Sanitize(id))
		}
	}
	return errors.Join(errs...)
}

// expireOne expires one silence, refusing an unknown or expired one.
func expireOne(ctx context.Context, am sources.AlertManager, id string, loc *time.Location) error {
	id = strings.TrimSpace(id)
	s, err := am.Silence(ctx, id)
	if err != nil {
		if errors.Is(err, sources.ErrNotFound) {
			return fmt.Errorf("silence %s: no such silence: %w", sources.Sanitize(id), sources.ErrNotFound)
		}
		return err
	}
	if s.State == sources.SilenceExpired {
		return fmt.Errorf("silence %s expired already, at %s", sources.Sanitize(id), s.EndsAt.In(loc).Format("2006-01-02 15:04:05"))
	}
	return am.ExpireSilence(ctx, id)
}

func silenceQueryRun(ctx context.Context, opts *SilenceOptions) error {
	format, err := outputFormat(opts.Global, "text", "json")
	if err != nil {
		return err
	}
	ms, err := parseMatcherArgs(opts.Args)
	if err != nil {
		return err
	}
	am, err := opts.AlertManager()
	if err != nil {
		return err
	}
	ao := &AlertsOptions{IO: opts.IO, Global: opts.Global, Width: opts.Width, UTC: opts.UTC,
		Active: true, Silenced: true, Inhibited: true, Unprocessed: true}
	if err := amAlertsOnce(ctx, ao, am, ms, format); err != nil {
		return err
	}
	if emptyMatching(ms) && format == "text" {
		fmt.Fprintln(opts.IO.ErrOut, "note: Alertmanager refuses a silence whose matchers all match the empty string")
	}
	return nil
}

// emptyMatching tells whether every matcher matches the empty string:
// Alertmanager refuses such a silence, which would mute every alert.
func emptyMatching(ms []sources.Matcher) bool {
	for _, m := range ms {
		if !m.Matches("") {
			return false
		}
	}
	return true
}

func countAlerts(n int) string {
	if n == 1 {
		return "1 alert"
	}
	return fmt.Sprintf("%d alerts", n)
}

func colonIf(b bool) string {
	if b {
		return ":"
	}
	return ""
}

// shortDuration writes d in hours and minutes: 2h, 1h30m, 45m, 30s.
func shortDuration(d time.Duration) string {
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d/time.Second))
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d/time.Minute))
	case d%time.Hour/time.Minute == 0:
		return fmt.Sprintf("%dh", int(d/time.Hour))
	}
	return fmt.Sprintf("%dh%02dm", int(d/time.Hour), int(d%time.Hour/time.Minute))
}

func writeJSON(io *IO, v any) error {
	enc := json.NewEncoder(io.Out)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
