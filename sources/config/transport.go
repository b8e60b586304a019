// Package config builds what telx needs to reach a backend: HTTP clients
// with their timeouts, logging and (later) auth and TLS.
package config

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// LogTransport writes one line per request to Out: the backend, method,
// URL (credentials redacted), status and time taken.
type LogTransport struct {
	Base    http.RoundTripper
	Out     io.Writer
	Backend string
	// Now is the clock (time.Now when nil).
	Now func() time.Time

	mu sync.Mutex
}

// RoundTrip implements http.RoundTripper.
func (t *LogTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	now := t.Now
	if now == nil {
		now = time.Now
	}
	base := t.Base
	if base == nil {
		base = http.DefaultTransport
	}
	start := now()
	resp, err := base.RoundTrip(req)
	took := now().Sub(start).Round(time.Millisecond)
	outcome := ""
	if err != nil {
		outcome = "error: " + err.Error()
	} else {
		outcome = resp.Status
	}
	t.mu.Lock()
	fmt.Fprintf(t.Out, "%s: %s %s -> %s (%s)\n", t.Backend, req.Method, RedactURL(req.URL), outcome, took)
	t.mu.Unlock()
	return resp, err
}

// sensitiveParams are query parameters whose values are never shown.
var sensitiveParams = []string{"token", "access_token", "id_token", "api_key", "apikey", "key", "password", "passwd", "secret", "signature", "auth"}

// RedactURL formats u with its password and any sensitive query parameter
// values replaced, so that it can be printed.
func RedactURL(u *url.URL) string {
	if u == nil {
		return ""
	}
	c := *u
	if c.User != nil {
		if _, has := c.User.Password(); has {
			c.User = url.UserPassword(c.User.Username(), "xxxxx")
		}
	}
	if c.RawQuery != "" {
		q := c.Query()
		changed := false
		for k := range q {
			for _, s := range sensitiveParams {
				if strings.EqualFold(k, s) {
					q[k] = []string{"xxxxx"}
					changed = true
				}
			}
		}
		if changed {
			c.RawQuery = q.Encode()
		}
	}
	return c.Redacted()
}

// HTTPClient returns a client for one backend with the given timeout per
// request and auth, logging each request to verbose when it is not nil.
func HTTPClient(backend string, timeout time.Duration, auth Auth, verbose io.Writer) (*http.Client, error) {
	rt, err := auth.Transport()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", backend, err)
	}
	if verbose != nil {
		rt = &LogTransport{Base: rt, Out: verbose, Backend: backend}
	}
	return &http.Client{Timeout: timeout, Transport: rt}, nil
}
