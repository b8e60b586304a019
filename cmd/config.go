package cmd

import (
	"errors"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/telx-cli/telx/sources/config"
)

// newConfigCmd builds `telx config` and its subcommands, which read and
// write the config file's contexts.
func newConfigCmd(io *IO, g *GlobalOptions) *cobra.Command {
	c := &cobra.Command{
		Use:   "config",
		Short: "Show and edit the contexts of the config file",
		Long: `A context names an environment: where its Jaeger, Prometheus and Loki are
and how to reach them (auth, TLS, proxy, timeout). The config file is
--config, else TELX_CONFIG, else $XDG_CONFIG_HOME/telx/config.yaml
(~/.config/telx/config.yaml). See docs/config.md.`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(c *cobra.Command, _ []string) error { return c.Help() },
	}
	c.AddCommand(
		&cobra.Command{
			Use:   "view",
			Short: "Print the config file, secrets redacted",
			Args:  usageArgs(cobra.NoArgs),
			RunE: func(*cobra.Command, []string) error {
				if g.Config.Mode == 0 && len(g.Config.Contexts) == 0 {
					fmt.Fprintf(io.ErrOut, "no config file at %s\n", describePath(g.Config.Path))
					return nil
				}
				b, err := g.Config.Redacted().Marshal()
				if err != nil {
					return err
				}
				_, err = io.Out.Write(b)
				return err
			},
		},
		&cobra.Command{
			Use:   "get-contexts",
			Short: "List the contexts; * marks the current one",
			Args:  usageArgs(cobra.NoArgs),
			RunE:  func(*cobra.Command, []string) error { return getContexts(io, g) },
		},
		&cobra.Command{
			Use:   "current-context",
			Short: "Print the name of the context in use",
			Args:  usageArgs(cobra.NoArgs),
			RunE: func(*cobra.Command, []string) error {
				if g.ContextName == "" {
					return fmt.Errorf("no context is in use: set one with telx config use-context NAME")
				}
				fmt.Fprintln(io.Out, g.ContextName)
				return nil
			},
		},
		&cobra.Command{
			Use:               "use-context NAME",
			Short:             "Make NAME the current context",
			Args:              usageArgs(cobra.ExactArgs(1)),
			ValidArgsFunction: completeContexts(g),
			RunE: func(_ *cobra.Command, args []string) error {
				f := g.Config
				if _, ok := f.Contexts[args[0]]; !ok {
					return UsageError(fmt.Errorf("no context %q in %s", args[0], describePath(f.Path)))
				}
				f.CurrentContext = args[0]
				if err := f.Save(); err != nil {
					return err
				}
				fmt.Fprintf(io.ErrOut, "switched to context %q\n", args[0])
				return nil
			},
		},
		newSetContextCmd(io, g),
	)
	return c
}

// completeContexts completes a context's name from the config file.
func completeContexts(g *GlobalOptions) cobra.CompletionFunc {
	return func(c *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		path := g.ConfigPath
		if fl := c.Flag("config"); fl == nil || !fl.Changed {
			path = config.DefaultPath(g.getenv)
		}
		f, err := config.Load(path)
		if err != nil || len(args) > 0 {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		return matching(f.ContextNames(), toComplete), cobra.ShellCompDirectiveNoFileComp
	}
}

func getContexts(io *IO, g *GlobalOptions) error {
	f := g.Config
	names := f.ContextNames()
	if len(names) == 0 {
		fmt.Fprintf(io.ErrOut, "no contexts in %s\n", describePath(f.Path))
		return nil
	}
	url := func(c *config.Context, b string) string {
		if bk := c.Backend(b); bk != nil && bk.URL != "" {
			return config.RedactURLString(bk.URL)
		}
		return "-"
	}
	if !io.IsTTY {
		for _, n := range names {
			c := f.Contexts[n]
			cur := ""
			if n == g.ContextName {
				cur = "*"
			}
			fmt.Fprintf(io.Out, "%s\t%s\t%s\t%s\t%s\n", cur, n, url(c, "jaeger"), url(c, "prometheus"), url(c, "loki"))
		}
		return nil
	}
	tw := tabwriter.NewWriter(io.Out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "CURRENT\tNAME\tJAEGER\tPROMETHEUS\tLOKI")
	for _, n := range names {
		c := f.Contexts[n]
		cur := ""
		if n == g.ContextName {
			cur = "*"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", cur, n, url(c, "jaeger"), url(c, "prometheus"), url(c, "loki"))
	}
	return tw.Flush()
}

// setContextOptions are the flags of `telx config set-context`.
type setContextOptions struct {
	urls     map[string]*string
	tokenEnv map[string]*string
	web      map[string]*string
	caFile   map[string]*string
	tenant   map[string]*string
	timezone string
	use      bool
}

func newSetContextCmd(io *IO, g *GlobalOptions) *cobra.Command {
	o := &setContextOptions{urls: map[string]*string{}, tokenEnv: map[string]*string{}, web: map[string]*string{}, caFile: map[string]*string{}, tenant: map[string]*string{}}
	c := &cobra.Command{
		Use:   "set-context NAME",
		Short: "Create or change a context (other contexts are kept; the file gets mode 0600)",
		Long: `Create the context NAME, or change the settings given. The backends' URLs
are the global flags --jaeger, --prometheus and --loki; only those given on
the command line are written. Secrets are not taken on the command line
(they would land in the shell's history): point the context at an
environment variable with --NAME-token-env, or edit the file for the rest
(docs/config.md). The file is rewritten without its comments.`,
		Example: `  telx config set-context prod --jaeger https://jaeger.example.com --prometheus https://prom.example.com --loki https://loki.example.com --use
  telx config set-context prod --prometheus-token-env PROM_TOKEN --jaeger-web-url https://jaeger.example.com`,
		Args: usageArgs(cobra.ExactArgs(1)),
		RunE: func(c *cobra.Command, args []string) error {
			return setContext(c, io, g, o, args[0])
		},
	}
	fs := c.Flags()
	for _, b := range config.BackendNames {
		o.tokenEnv[b], o.web[b], o.caFile[b], o.tenant[b] = new(string), new(string), new(string), new(string)
		fs.StringVar(o.tenant[b], b+"-tenant", "", "tenant of "+b+", sent as X-Scope-OrgID")
		fs.StringVar(o.tokenEnv[b], b+"-token-env", "", "environment variable holding "+b+"'s bearer token")
		fs.StringVar(o.web[b], b+"-web-url", "", b+"'s web UI, for links")
		fs.StringVar(o.caFile[b], b+"-ca-file", "", "CA certificate file to verify "+b+"'s TLS")
	}
	fs.StringVar(&o.timezone, "timezone", "", "time zone of the context's times (IANA name, UTC or Local)")
	fs.BoolVar(&o.use, "use", false, "make it the current context")
	return c
}

func setContext(c *cobra.Command, io *IO, g *GlobalOptions, o *setContextOptions, name string) error {
	if strings.TrimSpace(name) == "" {
		return UsageError(errors.New("the context needs a name"))
	}
	f := g.Config
	if f.Contexts == nil {
		f.Contexts = map[string]*config.Context{}
	}
	ctx := f.Contexts[name]
	created := ctx == nil
	if ctx == nil {
		ctx = &config.Context{}
	}
	urls := map[string]string{"jaeger": g.JaegerURL, "prometheus": g.PrometheusURL, "loki": g.LokiURL, "alertmanager": g.AlertmanagerURL}
	changed := false
	for _, b := range config.BackendNames {
		bk := ctx.Backend(b)
		if bk == nil {
			bk = &config.Backend{}
		}
		set := false
		if fl := c.Flags().Lookup(b); fl != nil && fl.Changed {
			bk.URL, set = urls[b], true
		}
		if v := *o.web[b]; v != "" {
			if err := config.CheckURL(v); err != nil {
				return UsageError(fmt.Errorf("--%s-web-url: %w", b, err))
			}
			bk.WebURL, set = v, true
		}
		if v := *o.tokenEnv[b]; v != "" {
			bk.Token, bk.TokenFile, bk.TokenCommand, bk.Username, bk.Password = "", "", nil, "", ""
			bk.TokenEnv, set = v, true
		}
		if v := *o.tenant[b]; v != "" {
			bk.Tenant, set = v, true
		}
		if v := *o.caFile[b]; v != "" {
			if bk.TLS == nil {
				bk.TLS = &config.TLS{}
			}
			bk.TLS.CAFile, set = v, true
		}
		if set {
			changed = true
			ctx.SetBackend(b, bk)
		}
	}
	if o.timezone != "" {
		if _, err := time.LoadLocation(o.timezone); err != nil {
			return UsageError(fmt.Errorf("--timezone: unknown time zone %q", o.timezone))
		}
		ctx.TimeZone = o.timezone
		changed = true
	}
	if !changed && !created && !o.use {
		return UsageError(errors.New("nothing to set: give --jaeger, --prometheus, --loki or another flag"))
	}
	f.Contexts[name] = ctx
	if o.use || f.CurrentContext == "" {
		f.CurrentContext = name
	}
	if err := f.Save(); err != nil {
		return err
	}
	verb := "changed"
	if created {
		verb = "created"
	}
	fmt.Fprintf(io.ErrOut, "%s context %q in %s\n", verb, name, f.Path)
	return nil
}
