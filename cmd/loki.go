package cmd

import (
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/telx-cli/telx/sources/config"
	"github.com/telx-cli/telx/sources/loki"
)

// lokiFlags are the flags of the commands that query Loki. Besides
// telx's own TELX_LOKI_… variables, logcli's LOKI_… variables are read, so
// that a shell set up for logcli works as it is.
type lokiFlags struct {
	*backendAuthFlags
	orgID        string
	traceIDRegex string
}

func addLokiFlags(c *cobra.Command) *lokiFlags {
	f := &lokiFlags{}
	f.backendAuthFlags = addAuthFlags(c, "loki", "Loki")
	fs := c.Flags()
	fs.StringVar(&f.orgID, "loki-org-id", "", "Loki tenant, sent as X-Scope-OrgID (env TELX_LOKI_ORG_ID, LOKI_ORG_ID)")
	fs.StringVar(&f.orgID, "tenant", "", "the same as --loki-org-id")
	return f
}

// auth resolves the flags: the command line first, then TELX_LOKI_…, then
// logcli's LOKI_… variables.
func (f *lokiFlags) auth(getenv func(string) string) (config.Auth, error) {
	a, err := f.backendAuthFlags.auth(getenv)
	if err != nil {
		return a, err
	}
	if a.BearerToken == "" {
		a.BearerToken = getenv("LOKI_BEARER_TOKEN")
	}
	if a.BearerToken == "" {
		if path := getenv("LOKI_BEARER_TOKEN_FILE"); path != "" {
			b, err := os.ReadFile(path)
			if err != nil {
				return a, UsageError(fmt.Errorf("LOKI_BEARER_TOKEN_FILE: %w", err))
			}
			a.BearerToken = strings.TrimSpace(string(b))
		}
	}
	if a.Username == "" {
		a.Username = getenv("LOKI_USERNAME")
	}
	if a.Password == "" {
		a.Password = getenv("LOKI_PASSWORD")
	}
	if a.CAFile == "" {
		a.CAFile = getenv("LOKI_CA_CERT_PATH")
	}
	if !a.InsecureSkipVerify {
		a.InsecureSkipVerify, _ = strconv.ParseBool(getenv("LOKI_TLS_SKIP_VERIFY"))
	}
	envDefault(&f.orgID, getenv, "TELX_LOKI_ORG_ID")
	envDefault(&f.orgID, getenv, "LOKI_ORG_ID")
	if f.orgID != "" {
		if a.Headers == nil {
			a.Headers = map[string]string{}
		}
		a.Headers["X-Scope-OrgID"] = f.orgID
	}
	return a, nil
}

// lokiURL is --loki, else TELX_LOKI_URL (both applied by the root
// command), else logcli's LOKI_ADDR.
func lokiURL(c *cobra.Command, g *GlobalOptions) (string, error) {
	u := g.LokiURL
	if fl := c.Flag("loki"); (fl == nil || !fl.Changed) && g.getenv("TELX_LOKI_URL") == "" {
		if addr := strings.TrimSpace(g.getenv("LOKI_ADDR")); addr != "" {
			if err := checkURL(addr); err != nil {
				return "", UsageError(fmt.Errorf("LOKI_ADDR: %w", err))
			}
			u = addr
		}
	}
	return u, nil
}

// client builds the Loki client the flags describe.
func (f *lokiFlags) client(c *cobra.Command, io *IO, g *GlobalOptions) (*loki.Client, error) {
	a, err := f.auth(g.getenv)
	if err != nil {
		return nil, err
	}
	u, err := lokiURL(c, g)
	if err != nil {
		return nil, err
	}
	hc, err := g.HTTPClient(io, "loki", a)
	if err != nil {
		return nil, err
	}
	opts := loki.Options{URL: u, HTTPClient: hc, Limits: g.Limits()}
	envDefault(&f.traceIDRegex, g.getenv, "TELX_LOKI_TRACE_ID_REGEX")
	opts.TraceIDPatterns = g.TraceIDPatterns()
	if f.traceIDRegex != "" { // the flag (or its variable) replaces the context's
		re, err := regexp.Compile(f.traceIDRegex)
		if err != nil {
			return nil, UsageError(fmt.Errorf("--trace-id-regex: %w", err))
		}
		opts.TraceIDPatterns = []*regexp.Regexp{re}
	}
	lc, err := loki.New(opts)
	if err != nil {
		return nil, UsageError(err)
	}
	return lc, nil
}
