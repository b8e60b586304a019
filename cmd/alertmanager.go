package cmd

import (
	"context"
	"errors"
	"strings"

	"github.com/spf13/cobra"

	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/sources/alertmanager"
	"github.com/telx-cli/telx/sources/config"
)

// DefaultAlertmanagerURL is where telx silence looks for Alertmanager when
// none is configured, as amtool does. telx alerts asks Alertmanager only
// when one is configured.
const DefaultAlertmanagerURL = "http://localhost:9093"

// amFlags are the flags of the commands that talk to Alertmanager.
type amFlags struct {
	*backendAuthFlags // the flags are bound to this value: keep the pointer
}

func addAlertmanagerFlags(c *cobra.Command) *amFlags {
	return &amFlags{backendAuthFlags: addAuthFlags(c, "alertmanager", "Alertmanager")}
}

// configured tells whether an Alertmanager is configured: --alertmanager,
// TELX_ALERTMANAGER_URL or the context's alertmanager.url.
func (g *GlobalOptions) alertmanagerConfigured() bool {
	return strings.TrimSpace(g.AlertmanagerURL) != ""
}

// client builds the Alertmanager client the flags describe, for the
// configured URL, else fallback ("" refuses with a hint): auth and TLS as
// for the other backends, --timeout per request, --verbose logging.
func (f *amFlags) client(io *IO, g *GlobalOptions, fallback string) (*alertmanager.Client, error) {
	u := g.AlertmanagerURL
	if u == "" {
		u = fallback
	}
	if u == "" {
		return nil, UsageError(errors.New("no Alertmanager configured: give --alertmanager, set TELX_ALERTMANAGER_URL, or add an alertmanager entry to the context"))
	}
	a, err := f.auth(g.getenv)
	if err != nil {
		return nil, err
	}
	if a, err = g.BackendAuth(context.Background(), "alertmanager", a); err != nil {
		return nil, err
	}
	hc, err := config.HTTPClient("alertmanager", g.timeoutFor("alertmanager"), a, g.verboseOut(io))
	if err != nil {
		return nil, UsageError(err)
	}
	c, err := alertmanager.New(alertmanager.Options{URL: u, HTTPClient: hc})
	if err != nil {
		return nil, UsageError(err)
	}
	return c, nil
}

// silenceAuthor is who a new silence is from: the context's author, else
// the login name ($USER, $LOGNAME), else "telx".
func (g *GlobalOptions) silenceAuthor() string {
	if g.Context != nil && strings.TrimSpace(g.Context.Author) != "" {
		return strings.TrimSpace(g.Context.Author)
	}
	for _, k := range []string{"USER", "LOGNAME"} {
		if g.getenv == nil {
			break
		}
		if v := strings.TrimSpace(g.getenv(k)); v != "" {
			return v
		}
	}
	return "telx"
}

// parseMatcherArgs reads matchers in amtool's syntax from the command
// line; a malformed one is a usage error.
func parseMatcherArgs(args []string) ([]sources.Matcher, error) {
	ms, err := sources.ParseMatchers(args)
	if err != nil {
		return nil, UsageError(err)
	}
	return ms, nil
}
