// Package loki is telx's Loki source: a net/http client for Loki's HTTP
// API (query_range with paging by time, labels, series) and its WebSocket
// tail endpoint. It decodes Loki's JSON into private structs and converts
// them to sources.LogEntry in one place (decode.go).
package loki

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"time"

	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/sources/config"
	"github.com/telx-cli/telx/sources/internal/jsonread"
)

// DefaultPageSize is how many entries one query_range request asks for:
// Loki's default max_entries_limit_per_query.
const DefaultPageSize = 5000

// Options configure a Client.
type Options struct {
	// URL of Loki (a path prefix is kept): http(s)://host:3100.
	URL string
	// HTTPClient carries the timeout per request, auth and TLS. Its
	// Timeout does not apply to a tail once connected.
	HTTPClient *http.Client
	// PageSize is the limit of one query_range request (default 5,000);
	// longer results are fetched page by page.
	PageSize int
	// Limits cap the size of Loki's answers and tail messages (config's
	// defaults when zero).
	Limits config.Limits
	// TraceIDPatterns find a trace ID in a line when neither the
	// structured metadata, the labels nor the usual line formats hold one:
	// the first that matches with a valid ID wins; its first group (or
	// whole match) is the ID.
	TraceIDPatterns []*regexp.Regexp
}

// Client is a sources.LogSource backed by Loki.
type Client struct {
	base     string // URL without a trailing slash
	url      string // redacted, for messages
	client   *http.Client
	limits   config.Limits
	pageSize int
	ex       extractor
}

var _ sources.LogSource = (*Client)(nil)

// New returns a client for opts.
func New(opts Options) (*Client, error) {
	u, err := url.Parse(opts.URL)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return nil, fmt.Errorf("loki: %q is not an http(s) URL", opts.URL)
	}
	hc := config.LimitAnswers(opts.HTTPClient, opts.Limits)
	ps := opts.PageSize
	if ps <= 0 {
		ps = DefaultPageSize
	}
	return &Client{
		base:     strings.TrimRight(u.String(), "/"),
		url:      u.Redacted(),
		client:   hc,
		limits:   opts.Limits,
		pageSize: ps,
		ex:       extractor{patterns: opts.TraceIDPatterns},
	}, nil
}

// URL returns Loki's address without credentials.
func (c *Client) URL() string { return c.url }

// ErrBadQuery marks a query Loki refused as malformed (HTTP 400): a LogQL
// syntax error, a bad label name, a limit above the server's.
var ErrBadQuery = errors.New("bad query")

// get fetches path?params and hands a 2xx body, read under the cap of
// kind, to decode. Other answers become errors that carry Loki's message.
// With categorize, Loki keeps structured metadata (and parsed labels)
// apart from the stream's labels, which costs it about a third more time
// on a page of lines. The client's timeout bounds the whole call,
// decoding included. decode's results must not be used after an error:
// past the timeout, it may still be running.
func (c *Client) get(ctx context.Context, path string, params url.Values, categorize bool, kind config.AnswerKind, decode func(io.Reader) error) error {
	u := c.base + path
	if len(params) > 0 {
		u += "?" + params.Encode()
	}
	start := time.Now()
	var reading atomic.Bool
	actx, answer := config.TrackAnswer(ctx, kind)
	_, err := config.Within(actx, c.client.Timeout, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, c.fetch(ctx, u, categorize, answer, &reading, decode)
	})
	if err == nil {
		return nil
	}
	if te := config.CallTimeout(ctx, err, c.client.Timeout, start, reading.Load()); te != nil {
		err = te
	}
	return c.wrap(err)
}

func (c *Client) fetch(ctx context.Context, u string, categorize bool, answer config.Answer, reading *atomic.Bool, decode func(io.Reader) error) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/json")
	if categorize {
		req.Header.Set("X-Loki-Response-Encoding-Flags", "categorize-labels")
	}
	resp, err := c.client.Do(req)
	if err != nil {
		return err
	}
	reading.Store(true)
	defer resp.Body.Close()
	if resp.StatusCode/100 == 2 {
		if err := decode(resp.Body); err != nil {
			// what went wrong reading (a cap, a timeout, a reset) says more
			// than what the decoder made of it
			if rerr := answer.Err(); rerr != nil {
				var tl *config.AnswerTooLargeError
				if errors.As(rerr, &tl) || config.IsTimeout(rerr) {
					return rerr
				}
				return &config.ReadingError{Err: rerr}
			}
			if config.IsTruncated(err) {
				return config.ErrTruncated
			}
			return err
		}
		return nil
	}
	return statusError(resp)
}

// httpError is a non-2xx answer: its status, its body (Loki's errors are
// plain text) and the kind of error it is (ErrAuth, ErrBadQuery, or nil).
type httpError struct {
	code   int
	status string
	msg    string
	kind   error
}

func (e *httpError) Error() string {
	msg := e.status
	if e.msg != "" {
		msg += ": " + e.msg
	}
	if e.kind != nil {
		msg += ": " + e.kind.Error()
	}
	return msg
}

func (e *httpError) Unwrap() error { return e.kind }

// statusError turns a non-2xx answer into an error with its body.
func statusError(resp *http.Response) error {
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	e := &httpError{code: resp.StatusCode, status: resp.Status, msg: sources.BodyText(body)}
	if e.msg == resp.Status || e.msg == http.StatusText(resp.StatusCode) {
		e.msg = "" // it says no more than the status
	}
	switch {
	case resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden:
		e.kind = sources.ErrAuth
	case resp.StatusCode == http.StatusBadRequest:
		e.kind = ErrBadQuery
	}
	return e
}

// wrap turns an error into a BackendError naming Loki, its URL and a hint
// for the usual causes. A cancelled context is returned as it is.
func (c *Client) wrap(err error) error {
	var be *sources.BackendError
	if errors.As(err, &be) || errors.Is(err, context.Canceled) {
		return err
	}
	hint := ""
	te := config.AsTimeoutOf(err, c.client.Timeout)
	var noe *jsonread.NotObjectError
	switch {
	case te != nil:
		err, hint = te, te.Hint("loki")
	case config.AnswerHint(err) != "":
		hint = config.AnswerHint(err)
	case errors.As(err, &noe):
		hint = "is this URL Loki's (usually on port 3100)? A page of HTML may be a proxy's or a login's"
	case errors.Is(err, errNoUpgrade):
		hint = "following needs a WebSocket to Loki: is a proxy in between that does not pass WebSocket upgrades on (the Upgrade and Connection headers)? Is --loki Loki's own URL? Without --follow, telx logs needs no WebSocket"
	case errors.Is(err, errors.ErrUnsupported):
		hint = "Loki computes patterns with its pattern ingester (pattern_ingester: {enabled: true} in its config)"
	case errors.Is(err, ErrBadQuery):
		hint = "check the LogQL: a log query starts with a stream selector such as {service_name=\"checkout\"}"
	case errors.Is(err, sources.ErrAuth):
		hint = "check the Loki credentials (--loki-token, --loki-user/--loki-password, --loki-org-id), LOKI_* variables, or those of the context in use"
	case config.TLSHint(err, "loki") != "":
		hint = config.TLSHint(err, "loki")
	case isConnError(err):
		hint = "is Loki running there? Set its address with --loki, TELX_LOKI_URL or LOKI_ADDR (usually port 3100)"
	case strings.HasPrefix(err.Error(), "429"):
		hint = "Loki is rate-limiting queries: narrow the time range or the query, or retry later"
	case strings.HasPrefix(err.Error(), "5"):
		hint = "Loki failed to answer: a narrower time range or a more selective query may help"
	}
	return &sources.BackendError{Backend: "loki", URL: c.url, Err: err, Hint: hint}
}

// isConnError tells whether err is a failure to reach the server.
func isConnError(err error) bool {
	var op *net.OpError
	var dns *net.DNSError
	return errors.As(err, &op) || errors.As(err, &dns) || errors.Is(err, context.DeadlineExceeded)
}
