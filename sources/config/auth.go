package config

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"time"
)

// Auth is how telx authenticates to one backend and checks its TLS.
// Its String method hides the secrets, so that printing an Auth (in an
// error, a log line or a panic) shows none.
type Auth struct {
	BearerToken string
	// Where the bearer token comes from when BearerToken is empty: an
	// environment variable, a file, or the output of a command (argv, no
	// shell). Resolve reads them.
	TokenEnv     string
	TokenFile    string
	TokenCommand []string

	Username string
	Password string
	// Headers are sent with every request (a tenant header, say).
	Headers            map[string]string
	CAFile             string
	CertFile           string // client certificate (PEM)
	KeyFile            string // its key (PEM)
	ServerName         string // the name the server's certificate must carry
	InsecureSkipVerify bool
	// ProxyURL is the HTTP(S) proxy; empty for the environment's.
	ProxyURL string
}

// String describes a without its secrets.
func (a Auth) String() string {
	var parts []string
	switch {
	case a.BearerToken != "":
		parts = append(parts, "bearer token")
	case a.TokenEnv != "":
		parts = append(parts, "token from $"+a.TokenEnv)
	case a.TokenFile != "":
		parts = append(parts, "token from "+a.TokenFile)
	case len(a.TokenCommand) > 0:
		parts = append(parts, "token from "+a.TokenCommand[0])
	case a.Username != "":
		parts = append(parts, "basic auth as "+a.Username)
	}
	if len(a.Headers) > 0 {
		parts = append(parts, fmt.Sprintf("%d headers", len(a.Headers)))
	}
	if a.CAFile != "" {
		parts = append(parts, "CA "+a.CAFile)
	}
	if a.CertFile != "" {
		parts = append(parts, "client certificate "+a.CertFile)
	}
	if a.InsecureSkipVerify {
		parts = append(parts, "TLS not verified")
	}
	return "Auth{" + strings.Join(parts, ", ") + "}"
}

// GoString is String, for %#v.
func (a Auth) GoString() string { return a.String() }

// HasCredentials tells whether a carries a token, a token source or a user.
func (a Auth) HasCredentials() bool {
	return a.BearerToken != "" || a.TokenEnv != "" || a.TokenFile != "" || len(a.TokenCommand) > 0 || a.Username != "" || a.Password != ""
}

// tokenCommandTimeout bounds a token helper's run.
const tokenCommandTimeout = 30 * time.Second

// Resolve returns a with BearerToken read from TokenEnv, TokenFile or
// TokenCommand when it is empty. getenv reads the environment. Errors
// name the source, never the token.
func (a Auth) Resolve(ctx context.Context, getenv func(string) string) (Auth, error) {
	if a.BearerToken != "" {
		a.TokenEnv, a.TokenFile, a.TokenCommand = "", "", nil
		return a, nil
	}
	switch {
	case a.TokenEnv != "":
		a.BearerToken = strings.TrimSpace(getenv(a.TokenEnv))
		if a.BearerToken == "" {
			return a, fmt.Errorf("token_env: $%s is empty", a.TokenEnv)
		}
	case a.TokenFile != "":
		b, err := os.ReadFile(a.TokenFile)
		if err != nil {
			return a, fmt.Errorf("token_file: %w", err)
		}
		a.BearerToken = strings.TrimSpace(string(b))
		if a.BearerToken == "" {
			return a, fmt.Errorf("token_file: %s is empty", a.TokenFile)
		}
	case len(a.TokenCommand) > 0:
		ctx, cancel := context.WithTimeout(ctx, tokenCommandTimeout)
		defer cancel()
		cmd := exec.CommandContext(ctx, a.TokenCommand[0], a.TokenCommand[1:]...)
		var out, errOut bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errOut
		if err := cmd.Run(); err != nil {
			// the command's output may hold a token: say only how it ended
			var ee *exec.ExitError
			if errors.As(err, &ee) {
				return a, fmt.Errorf("token_command %s: %s", a.TokenCommand[0], ee.ProcessState)
			}
			return a, fmt.Errorf("token_command: %w", err)
		}
		a.BearerToken = strings.TrimSpace(out.String())
		if a.BearerToken == "" {
			return a, fmt.Errorf("token_command %s printed nothing", a.TokenCommand[0])
		}
	}
	a.TokenEnv, a.TokenFile, a.TokenCommand = "", "", nil
	return a, nil
}

// TLSConfig returns the TLS settings, or nil for the defaults.
func (a Auth) TLSConfig() (*tls.Config, error) {
	if a.CAFile == "" && !a.InsecureSkipVerify && a.CertFile == "" && a.ServerName == "" {
		return nil, nil
	}
	cfg := &tls.Config{InsecureSkipVerify: a.InsecureSkipVerify, ServerName: a.ServerName} //nolint:gosec // only when the user asks
	if a.CertFile != "" || a.KeyFile != "" {
		cert, err := tls.LoadX509KeyPair(a.CertFile, a.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("reading the client certificate: %w", err)
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	if a.CAFile != "" {
		pem, err := os.ReadFile(a.CAFile)
		if err != nil {
			return nil, fmt.Errorf("reading the CA file: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("the CA file %s holds no PEM certificate", a.CAFile)
		}
		cfg.RootCAs = pool
	}
	return cfg, nil
}

// RequestHeaders returns the headers every request carries: the
// credentials and the extra headers.
func (a Auth) RequestHeaders() map[string]string {
	h := map[string]string{}
	for k, v := range a.Headers {
		h[k] = v
	}
	switch {
	case a.BearerToken != "":
		h["Authorization"] = "Bearer " + a.BearerToken
	case a.Username != "":
		h["Authorization"] = "Basic " + base64.StdEncoding.EncodeToString([]byte(a.Username+":"+a.Password))
	}
	return h
}

// headerTransport adds headers to each request.
type headerTransport struct {
	base    http.RoundTripper
	headers map[string]string
}

func (t *headerTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	req = req.Clone(req.Context())
	for k, v := range t.headers {
		req.Header.Set(k, v)
	}
	return t.base.RoundTrip(req)
}

// Transport returns an http.RoundTripper that authenticates as a says.
func (a Auth) Transport() (http.RoundTripper, error) {
	base := http.DefaultTransport.(*http.Transport).Clone()
	tlsCfg, err := a.TLSConfig()
	if err != nil {
		return nil, err
	}
	if tlsCfg != nil {
		base.TLSClientConfig = tlsCfg
	}
	if a.ProxyURL != "" {
		u, err := url.Parse(a.ProxyURL)
		if err != nil {
			return nil, errors.New("the proxy URL does not parse")
		}
		base.Proxy = http.ProxyURL(u)
	}
	if h := a.RequestHeaders(); len(h) > 0 {
		return &headerTransport{base: base, headers: h}, nil
	}
	return base, nil
}

// PerRPC is gRPC per-call credentials carrying the same headers.
type PerRPC struct {
	Headers map[string]string
	Secure  bool
}

// GetRequestMetadata implements credentials.PerRPCCredentials.
func (p PerRPC) GetRequestMetadata(context.Context, ...string) (map[string]string, error) {
	md := make(map[string]string, len(p.Headers))
	for k, v := range p.Headers {
		md[http.CanonicalHeaderKey(k)] = v
	}
	return md, nil
}

// RequireTransportSecurity implements credentials.PerRPCCredentials.
func (p PerRPC) RequireTransportSecurity() bool { return p.Secure }
