package config

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"net/http"
	"os"
)

// Auth is how telx authenticates to one backend and checks its TLS.
type Auth struct {
	BearerToken string
	Username    string
	Password    string
	// Headers are sent with every request (a tenant header, say).
	Headers            map[string]string
	CAFile             string
	InsecureSkipVerify bool
}

// TLSConfig returns the TLS settings, or nil for the defaults.
func (a Auth) TLSConfig() (*tls.Config, error) {
	if a.CAFile == "" && !a.InsecureSkipVerify {
		return nil, nil
	}
	cfg := &tls.Config{InsecureSkipVerify: a.InsecureSkipVerify} //nolint:gosec // only when the user asks
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
