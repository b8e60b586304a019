package cmd

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/telx-cli/telx/sources/prometheus"
)

// promFlags are the flags of the commands that query Prometheus.
type promFlags struct {
	*backendAuthFlags // the flags are bound to this value: keep the pointer
}

func addPrometheusFlags(c *cobra.Command) *promFlags {
	return &promFlags{backendAuthFlags: addAuthFlags(c, "prometheus", "Prometheus")}
}

// client builds the Prometheus client the flags describe: auth and TLS as
// for the other backends (config.Auth), --timeout per request, and with
// --verbose each request logged on stderr.
func (f *promFlags) client(io *IO, g *GlobalOptions) (*prometheus.Client, error) {
	a, err := f.auth(g.getenv)
	if err != nil {
		return nil, err
	}
	if a, err = g.BackendAuth(context.Background(), "prometheus", a); err != nil {
		return nil, err
	}
	hc, err := g.HTTPClient(io, "prometheus", a)
	if err != nil {
		return nil, err
	}
	c, err := prometheus.New(prometheus.Options{URL: g.PrometheusURL, HTTPClient: hc, Limits: g.Limits()})
	if err != nil {
		return nil, UsageError(err)
	}
	return c, nil
}
