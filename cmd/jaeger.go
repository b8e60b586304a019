package cmd

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/spf13/cobra"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"

	"github.com/telx-cli/telx/sources/config"
	"github.com/telx-cli/telx/sources/jaeger"
)

// jaegerFlags are the flags of the commands that query Jaeger.
type jaegerFlags struct {
	protocol          string
	compression       string
	*backendAuthFlags // the flags are bound to this value: keep the pointer
}

func addJaegerFlags(c *cobra.Command) *jaegerFlags {
	f := &jaegerFlags{}
	c.Flags().StringVar(&f.compression, "jaeger-compression", "", "gRPC only: gzip or none; default gzip unless Jaeger is on loopback (env TELX_JAEGER_COMPRESSION)")
	c.Flags().StringVar(&f.protocol, "jaeger-protocol", "", "Jaeger API: http (/api/v3, else /api), v3, v1, grpc (api_v3, else api_v2) or grpc-v2; default by URL scheme (env TELX_JAEGER_PROTOCOL)")
	f.backendAuthFlags = addAuthFlags(c, "jaeger", "Jaeger")
	completeFlagValues(c, "jaeger-compression", "gzip", "none")
	completeFlagValues(c, "jaeger-protocol", jaeger.ProtocolHTTP, jaeger.ProtocolV3, jaeger.ProtocolV1, jaeger.ProtocolGRPC, jaeger.ProtocolGRPCV2)
	return f
}

// auth resolves the flags with their environment fallbacks.
func (f *jaegerFlags) auth(getenv func(string) string) (config.Auth, error) {
	envDefault(&f.protocol, getenv, "TELX_JAEGER_PROTOCOL")
	envDefault(&f.compression, getenv, "TELX_JAEGER_COMPRESSION")
	return f.backendAuthFlags.auth(getenv)
}

// client builds the Jaeger client the flags describe.
func (f *jaegerFlags) client(io *IO, g *GlobalOptions) (*jaeger.Client, error) {
	a, err := f.auth(g.getenv)
	if err != nil {
		return nil, err
	}
	if a, err = g.BackendAuth(context.Background(), "jaeger", a); err != nil {
		return nil, err
	}
	if f.protocol == "" {
		if b := g.Context.Backend("jaeger"); b != nil {
			f.protocol = b.Protocol
		}
	}
	hc, err := g.HTTPClient(io, "jaeger", a)
	if err != nil {
		return nil, err
	}
	opts := jaeger.Options{URL: g.JaegerURL, Protocol: f.protocol, HTTPClient: hc, GRPCCompression: f.compression, Limits: g.Limits()}
	tlsCfg, err := a.TLSConfig()
	if err != nil {
		return nil, UsageError(fmt.Errorf("jaeger: %w", err))
	}
	secure := strings.HasPrefix(g.JaegerURL, "grpcs://")
	if tlsCfg != nil || secure {
		opts.DialOptions = append(opts.DialOptions, grpc.WithTransportCredentials(credentials.NewTLS(tlsCfg)))
	}
	if h := a.RequestHeaders(); len(h) > 0 {
		opts.DialOptions = append(opts.DialOptions, grpc.WithPerRPCCredentials(config.PerRPC{Headers: h, Secure: secure || tlsCfg != nil}))
	}
	dial, err := a.ProxyDialer()
	if err != nil {
		return nil, UsageError(fmt.Errorf("jaeger: %w", err))
	}
	if dial != nil { // the context's proxy_url, for gRPC too
		opts.DialOptions = append(opts.DialOptions, grpc.WithContextDialer(dial))
	}
	if v := g.verboseOut(io); v != nil {
		if u, err := url.Parse(g.JaegerURL); err == nil {
			opts.DialOptions = append(opts.DialOptions, jaeger.LogCalls(v, config.RedactURL(u))...)
		}
	}
	c, err := jaeger.New(opts)
	if err != nil {
		return nil, UsageError(err)
	}
	return c, nil
}
