package cmd

import (
	"context"
	"fmt"
	stdio "io"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/telx-cli/telx/sources/config"
	"github.com/telx-cli/telx/tui/styles"
)

// contextState is what the root command resolves from the config file:
// the file, the chosen context and its name. Every command reads the
// context through GlobalOptions' methods below, so that a backend added
// later gets contexts by naming itself ("loki").
type contextState struct {
	ConfigPath  string
	ContextName string
	Config      *config.File
	// Context is the chosen context, nil when there is none.
	Context *config.Context

	errOut stdio.Writer
	warned map[string]bool
}

// loadContext reads the config file (--config, else TELX_CONFIG, else
// $XDG_CONFIG_HOME/telx/config.yaml or ~/.config/telx/config.yaml) and
// picks the context: --context, else TELX_CONTEXT, else the file's
// current_context.
func (o *GlobalOptions) loadContext(flags *pflag.FlagSet, io *IO, getenv func(string) string) error {
	o.errOut = io.ErrOut
	if !flags.Changed("config") {
		o.ConfigPath = config.DefaultPath(getenv)
	}
	f, err := config.Load(o.ConfigPath)
	if err != nil {
		return err
	}
	o.Config = f
	if f.Loose() {
		fmt.Fprintf(io.ErrOut, "telx: warning: the config file %s can be read by others (mode %04o); run chmod 600 %s\n", f.Path, f.Mode, f.Path)
	}
	if !flags.Changed("context") {
		o.ContextName = strings.TrimSpace(getenv("TELX_CONTEXT"))
	}
	source := "--context"
	if !flags.Changed("context") {
		source = "TELX_CONTEXT"
	}
	if o.ContextName == "" {
		o.ContextName, source = f.CurrentContext, "current_context"
	}
	if o.ContextName == "" {
		return nil
	}
	c, ok := f.Contexts[o.ContextName]
	if !ok {
		return UsageError(fmt.Errorf("%s: no context %q in %s (telx config get-contexts lists them)", source, o.ContextName, describePath(f.Path)))
	}
	if c == nil {
		c = &config.Context{}
	}
	o.Context = c
	if o.Verbose {
		fmt.Fprintf(io.ErrOut, "telx: context %q (%s) of %s\n", o.ContextName, source, f.Path)
	}
	if !flags.Changed("timeout") {
		for _, name := range config.BackendNames {
			if b := c.Backend(name); b != nil && b.Timeout > o.Timeout {
				o.Timeout = b.Timeout
			}
		}
	}
	return nil
}

func describePath(p string) string {
	if p == "" {
		return "the config (no file: set TELX_CONFIG, --config or HOME)"
	}
	return p
}

// contextURL returns the context's URL of backend, "" when it sets none.
func (o *GlobalOptions) contextURL(backend string) string {
	if b := o.Context.Backend(backend); b != nil {
		return b.URL
	}
	return ""
}

// timeoutFor is the time one request to backend may take: --timeout when
// given, else the context's timeout of the backend, else --timeout's default.
func (o *GlobalOptions) timeoutFor(backend string) time.Duration {
	if !o.timeoutSet {
		if b := o.Context.Backend(backend); b != nil && b.Timeout > 0 {
			return b.Timeout
		}
	}
	return o.Timeout
}

// BackendAuth completes the auth that backend's flags and environment
// gave with the context's settings of that backend, reads the bearer token
// from its source (env, file, command), and says on stderr, once per
// backend, when TLS verification is off. Credentials are taken as a whole:
// any credential from the flags or environment replaces the context's.
func (o *GlobalOptions) BackendAuth(ctx context.Context, backend string, a config.Auth) (config.Auth, error) {
	if b := o.Context.Backend(backend); b != nil {
		c := b.Auth()
		if !a.HasCredentials() {
			a.BearerToken, a.TokenEnv, a.TokenFile, a.TokenCommand = c.BearerToken, c.TokenEnv, c.TokenFile, c.TokenCommand
			a.Username, a.Password = c.Username, c.Password
		}
		if len(c.Headers) > 0 {
			h := map[string]string{}
			for k, v := range c.Headers {
				h[k] = v
			}
			for k, v := range a.Headers {
				h[k] = v
			}
			a.Headers = h
		}
		fill := func(dst *string, v string) {
			if *dst == "" {
				*dst = v
			}
		}
		fill(&a.CAFile, c.CAFile)
		fill(&a.CertFile, c.CertFile)
		fill(&a.KeyFile, c.KeyFile)
		fill(&a.ServerName, c.ServerName)
		fill(&a.ProxyURL, c.ProxyURL)
		a.InsecureSkipVerify = a.InsecureSkipVerify || c.InsecureSkipVerify
	}
	getenv := o.getenv
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	a, err := a.Resolve(ctx, getenv)
	if err != nil {
		return a, fmt.Errorf("%s: %w", backend, err)
	}
	if a.InsecureSkipVerify && !o.warned[backend] {
		if o.warned == nil {
			o.warned = map[string]bool{}
		}
		o.warned[backend] = true
		if o.errOut != nil {
			fmt.Fprintf(o.errOut, "telx: warning: TLS certificates of %s are not verified (insecure-skip-verify)\n", backend)
		}
	}
	return a, nil
}

// Location is the zone to show times in: UTC with --utc, else the
// context's time zone, else the local one.
func (o *GlobalOptions) Location(utc bool) *time.Location {
	if utc {
		return time.UTC
	}
	if loc := o.Context.Location(); loc != nil {
		return loc
	}
	return time.Local
}

// WebURL is the base URL of backend's web UI: TELX_NAME_WEB_URL, else the
// context's web_url; "" when neither is set.
func (o *GlobalOptions) WebURL(backend string) string {
	if o.getenv != nil {
		if v := strings.TrimSpace(o.getenv("TELX_" + strings.ToUpper(backend) + "_WEB_URL")); v != "" {
			return v
		}
	}
	if b := o.Context.Backend(backend); b != nil {
		return b.WebURL
	}
	return ""
}

// TraceToLogsTemplate is the context's LogQL template of a trace's logs
// ({{.Selector}}, {{.TraceID}}, {{.ServiceLabel}}), "" when it sets none:
// the default of telx logs --trace-query.
func (o *GlobalOptions) TraceToLogsTemplate() string {
	if o.Context == nil {
		return ""
	}
	return o.Context.TraceToLogs
}

// TraceIDPatterns are the context's regular expressions finding a trace ID
// in a log line (the first group is the ID), nil when it sets none.
func (o *GlobalOptions) TraceIDPatterns() []*regexp.Regexp {
	return o.Context.TraceIDRegexps()
}

// completeTheme reads the theme: TELX_THEME, else the context's theme.
// "none" turns colour off. With auto, a COLORFGBG that names a light
// background (as rxvt and Konsole set it) picks the light palette; the
// explorer also asks the terminal for its background.
func (o *GlobalOptions) completeTheme(io *IO, getenv func(string) string) error {
	name, from := strings.TrimSpace(getenv("TELX_THEME")), "TELX_THEME"
	if name == "" && o.Context != nil {
		name, from = o.Context.Theme, "the context's theme"
	}
	if name == "none" {
		io.DisableColor()
		return nil
	}
	t, ok := styles.ParseTheme(name)
	if !ok {
		return UsageError(fmt.Errorf("%s %q: want auto, dark, light or none", from, name))
	}
	if t == styles.ThemeAuto && lightBackground(getenv("COLORFGBG")) {
		t = styles.ThemeLight
	}
	o.theme = t
	return nil
}

// lightBackground tells whether COLORFGBG ("fg;bg", or "fg;x;bg") names
// a light background colour: 7 (white) or a bright colour other than 8
// (bright black).
func lightBackground(colorfgbg string) bool {
	parts := strings.Split(colorfgbg, ";")
	bg, err := strconv.Atoi(parts[len(parts)-1])
	if err != nil || len(parts) < 2 {
		return false
	}
	return bg == 7 || bg >= 9 && bg <= 15
}

// Styles returns the styles of output to io: the theme's colours, or none
// when io takes no colour.
func (o *GlobalOptions) Styles(io *IO) *styles.Styles {
	return styles.NewTheme(io.ColorEnabled(), o.theme)
}
