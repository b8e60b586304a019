package cmd

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/telx-cli/telx/sources/config"
)

// backendAuthFlags are the auth and TLS flags of one backend: --NAME-token,
// --NAME-user, --NAME-password, --NAME-header, --NAME-ca-file and
// --NAME-insecure-skip-verify, each falling back to TELX_NAME_… in the
// environment.
type backendAuthFlags struct {
	name     string // flag prefix: jaeger, loki, prometheus
	token    string
	user     string
	password string
	headers  []string
	caFile   string
	insecure bool
}

// addAuthFlags adds the auth flags of backend name (title is how help
// text names it) to c.
func addAuthFlags(c *cobra.Command, name, title string) *backendAuthFlags {
	f := &backendAuthFlags{name: name}
	env := "TELX_" + strings.ToUpper(name) + "_"
	fs := c.Flags()
	fs.StringVar(&f.token, name+"-token", "", fmt.Sprintf("bearer token for %s (env %sTOKEN)", title, env))
	fs.StringVar(&f.user, name+"-user", "", fmt.Sprintf("basic-auth user for %s (env %sUSER)", title, env))
	fs.StringVar(&f.password, name+"-password", "", fmt.Sprintf("basic-auth password for %s (env %sPASSWORD)", title, env))
	fs.StringArrayVar(&f.headers, name+"-header", nil, fmt.Sprintf("extra header for %s as Name=value, repeatable (env %sHEADERS, comma-separated)", title, env))
	fs.StringVar(&f.caFile, name+"-ca-file", "", fmt.Sprintf("CA certificate file to verify %s's TLS (env %sCA_FILE)", title, env))
	fs.BoolVar(&f.insecure, name+"-insecure-skip-verify", false, fmt.Sprintf("do not verify %s's TLS certificate (env %sINSECURE_SKIP_VERIFY)", title, env))
	return f
}

func envDefault(v *string, getenv func(string) string, name string) {
	if *v == "" {
		*v = getenv(name)
	}
}

// auth resolves the flags with their TELX_NAME_… environment fallbacks.
func (f *backendAuthFlags) auth(getenv func(string) string) (config.Auth, error) {
	env := "TELX_" + strings.ToUpper(f.name) + "_"
	envDefault(&f.token, getenv, env+"TOKEN")
	envDefault(&f.user, getenv, env+"USER")
	envDefault(&f.password, getenv, env+"PASSWORD")
	envDefault(&f.caFile, getenv, env+"CA_FILE")
	if !f.insecure {
		f.insecure, _ = strconv.ParseBool(getenv(env + "INSECURE_SKIP_VERIFY"))
	}
	headers := f.headers
	if len(headers) == 0 && getenv(env+"HEADERS") != "" {
		headers = strings.Split(getenv(env+"HEADERS"), ",")
	}
	a := config.Auth{BearerToken: f.token, Username: f.user, Password: f.password, CAFile: f.caFile, InsecureSkipVerify: f.insecure}
	for _, h := range headers {
		k, v, ok := strings.Cut(h, "=")
		if !ok || strings.TrimSpace(k) == "" {
			return a, UsageError(fmt.Errorf("--%s-header %q: want Name=value", f.name, h))
		}
		if a.Headers == nil {
			a.Headers = map[string]string{}
		}
		a.Headers[strings.TrimSpace(k)] = strings.TrimSpace(v)
	}
	return a, nil
}
