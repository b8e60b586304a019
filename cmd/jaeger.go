package cmd

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"

	"github.com/telx-cli/telx/sources/config"
	"github.com/telx-cli/telx/sources/jaeger"
)

// jaegerFlags are the flags of the commands that query Jaeger.
type jaegerFlags struct {
	protocol string
	token    string
	user     string
	password string
	headers  []string
	caFile   string
	insecure bool
}

func addJaegerFlags(c *cobra.Command) *jaegerFlags {
	f := &jaegerFlags{}
	fs := c.Flags()
	fs.StringVar(&f.protocol, "jaeger-protocol", "", "Jaeger API: http (/api/v3, else /api), v3, v1 or grpc; default by URL scheme (env TELX_JAEGER_PROTOCOL)")
	fs.StringVar(&f.token, "jaeger-token", "", "bearer token for Jaeger (env TELX_JAEGER_TOKEN)")
	fs.StringVar(&f.user, "jaeger-user", "", "basic-auth user for Jaeger (env TELX_JAEGER_USER)")
	fs.StringVar(&f.password, "jaeger-password", "", "basic-auth password for Jaeger (env TELX_JAEGER_PASSWORD)")
	fs.StringArrayVar(&f.headers, "jaeger-header", nil, "extra header for Jaeger as Name=value, repeatable (env TELX_JAEGER_HEADERS, comma-separated)")
	fs.StringVar(&f.caFile, "jaeger-ca-file", "", "CA certificate file to verify Jaeger's TLS (env TELX_JAEGER_CA_FILE)")
	fs.BoolVar(&f.insecure, "jaeger-insecure-skip-verify", false, "do not verify Jaeger's TLS certificate (env TELX_JAEGER_INSECURE_SKIP_VERIFY)")
	return f
}

func envDefault(v *string, getenv func(string) string, name string) {
	if *v == "" {
		*v = getenv(name)
	}
}

// auth resolves the flags with their environment fallbacks.
func (f *jaegerFlags) auth(getenv func(string) string) (config.Auth, error) {
	envDefault(&f.token, getenv, "TELX_JAEGER_TOKEN")
	envDefault(&f.user, getenv, "TELX_JAEGER_USER")
	envDefault(&f.password, getenv, "TELX_JAEGER_PASSWORD")
	envDefault(&f.caFile, getenv, "TELX_JAEGER_CA_FILE")
	envDefault(&f.protocol, getenv, "TELX_JAEGER_PROTOCOL")
	if !f.insecure {
		f.insecure, _ = strconv.ParseBool(getenv("TELX_JAEGER_INSECURE_SKIP_VERIFY"))
	}
	headers := f.headers
	if len(headers) == 0 && getenv("TELX_JAEGER_HEADERS") != "" {
		headers = strings.Split(getenv("TELX_JAEGER_HEADERS"), ",")
	}
	a := config.Auth{BearerToken: f.token, Username: f.user, Password: f.password, CAFile: f.caFile, InsecureSkipVerify: f.insecure}
	for _, h := range headers {
		k, v, ok := strings.Cut(h, "=")
		if !ok || strings.TrimSpace(k) == "" {
			return a, UsageError(fmt.Errorf("--jaeger-header %q: want Name=value", h))
		}
		if a.Headers == nil {
			a.Headers = map[string]string{}
		}
		a.Headers[strings.TrimSpace(k)] = strings.TrimSpace(v)
	}
	return a, nil
}

// client builds the Jaeger client the flags describe.
func (f *jaegerFlags) client(io *IO, g *GlobalOptions) (*jaeger.Client, error) {
	a, err := f.auth(g.getenv)
	if err != nil {
		return nil, err
	}
	hc, err := g.HTTPClient(io, "jaeger", a)
	if err != nil {
		return nil, err
	}
	opts := jaeger.Options{URL: g.JaegerURL, Protocol: f.protocol, HTTPClient: hc}
	tlsCfg, err := a.TLSConfig()
	if err != nil {
		return nil, err
	}
	secure := strings.HasPrefix(g.JaegerURL, "grpcs://")
	if tlsCfg != nil || secure {
		opts.DialOptions = append(opts.DialOptions, grpc.WithTransportCredentials(credentials.NewTLS(tlsCfg)))
	}
	if h := a.RequestHeaders(); len(h) > 0 {
		opts.DialOptions = append(opts.DialOptions, grpc.WithPerRPCCredentials(config.PerRPC{Headers: h, Secure: secure || tlsCfg != nil}))
	}
	c, err := jaeger.New(opts)
	if err != nil {
		return nil, UsageError(err)
	}
	return c, nil
}
