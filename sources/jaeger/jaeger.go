// Package jaeger is telx's Jaeger source. Over HTTP it speaks /api/v3
// (OTLP JSON), preferred, and /api (Jaeger UI JSON), used when /api/v3 is
// absent or for tag searches, which /api/v3 cannot do; over gRPC the
// api_v3 QueryService (OTLP protobuf), and api_v2 (Jaeger's model) where
// the server has no api_v3. Every one gives the same domain traces.
package jaeger

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/sources/config"
	"github.com/telx-cli/telx/sources/internal/jsonread"
)

// Protocols.
const (
	ProtocolAuto   = ""        // by the URL: grpc(s):// is gRPC, else HTTP v3 then v1
	ProtocolHTTP   = "http"    // HTTP, /api/v3 then /api
	ProtocolV3     = "v3"      // HTTP /api/v3 only
	ProtocolV1     = "v1"      // HTTP /api only
	ProtocolGRPC   = "grpc"    // gRPC api_v3, else api_v2
	ProtocolGRPCV2 = "grpc-v2" // gRPC api_v2 only
)

// Options configure a Client.
type Options struct {
	// URL of Jaeger's query service: http(s)://host:16686 (a path prefix
	// is kept), or grpc(s)://host:16685.
	URL      string
	Protocol string
	// HTTPClient carries timeouts, auth and TLS for HTTP.
	HTTPClient *http.Client
	// DialOptions carry credentials and TLS for gRPC.
	DialOptions []grpc.DialOption
	// Limits cap the size of the answers (config's defaults when zero):
	// over HTTP every answer's, over gRPC each message's and each
	// answer's (the trace cap).
	Limits config.Limits
	// GRPCCompression is "gzip" to ask for gzipped answers over gRPC,
	// "none" not to, and by default gzip unless the server is on
	// loopback, where compressing costs more time than it saves.
	GRPCCompression string
}

// Client is a sources.TraceSource backed by Jaeger.
type Client struct {
	url     string        // without credentials, for messages
	timeout time.Duration // of each call, for messages (0: unknown)
	api     api

	conn io.Closer // the gRPC connection, nil over HTTP

	mu       sync.Mutex
	fallback api // /api or gRPC api_v2, once /api/v3 or api_v3 was found missing
}

var _ sources.TraceSource = (*Client)(nil)

// api is one of Jaeger's query APIs.
type api interface {
	name() string
	trace(ctx context.Context, id sources.TraceID) (*sources.Trace, error)
	find(ctx context.Context, q sources.TraceQuery) ([]*sources.Trace, error)
	services(ctx context.Context) ([]string, error)
	operations(ctx context.Context, service string) ([]string, error)
}

// errNoAPI says an HTTP API is not served: a 404 that is not Jaeger's.
var errNoAPI = errors.New("API not served")

// New returns a client for opts.
func New(opts Options) (*Client, error) {
	u, err := url.Parse(opts.URL)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("jaeger: %q is not a URL", opts.URL)
	}
	proto := opts.Protocol
	if proto == ProtocolAuto {
		proto = ProtocolHTTP
		if u.Scheme == "grpc" || u.Scheme == "grpcs" {
			proto = ProtocolGRPC
		}
	}
	switch opts.GRPCCompression {
	case "", "gzip", "none":
	default:
		return nil, fmt.Errorf("jaeger: unknown compression %q (want gzip or none)", opts.GRPCCompression)
	}
	c := &Client{url: u.Redacted()}
	hc := config.LimitAnswers(opts.HTTPClient, opts.Limits)
	c.timeout = hc.Timeout
	base := strings.TrimRight(u.String(), "/")
	switch proto {
	case ProtocolHTTP:
		c.api = &v3API{base: base, client: hc}
		c.fallback = &v1API{base: base, client: hc}
	case ProtocolV3:
		c.api = &v3API{base: base, client: hc}
	case ProtocolV1:
		c.api = &v1API{base: base, client: hc}
	case ProtocolGRPC, ProtocolGRPCV2:
		v3, v2, err := newGRPC(u, opts)
		if err != nil {
			return nil, c.wrap("gRPC", err)
		}
		c.api, c.fallback, c.conn = v3, v2, v3.conn
		if proto == ProtocolGRPCV2 {
			c.api, c.fallback = v2, nil
		}
	default:
		return nil, fmt.Errorf("jaeger: unknown protocol %q (want http, v3, v1, grpc or grpc-v2)", opts.Protocol)
	}
	return c, nil
}

// Close closes the client's gRPC connection, if it has one.
func (c *Client) Close() error {
	if c.conn == nil {
		return nil
	}
	return c.conn.Close()
}

// API names the API the client uses now.
func (c *Client) API() string {
	return c.current().name()
}

func (c *Client) current() api {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.api
}

// call runs f on the current API; when /api/v3 turns out not to be
// served, it switches to /api for good and runs f again.
func call[T any](c *Client, f func(api) (T, error)) (T, error) {
	a := c.current()
	v, err := f(a)
	if errors.Is(err, errNoAPI) {
		c.mu.Lock()
		fb := c.fallback
		if fb != nil && c.api == a {
			c.api, c.fallback = fb, nil
		}
		c.mu.Unlock()
		if fb != nil {
			a = fb
			v, err = f(a)
		}
	}
	if err != nil {
		return v, c.wrap(a.name(), err)
	}
	return v, nil
}

// Trace implements sources.TraceSource.
func (c *Client) Trace(ctx context.Context, id sources.TraceID) (*sources.Trace, error) {
	return call(c, func(a api) (*sources.Trace, error) { return a.trace(ctx, id) })
}

// FindTraces implements sources.TraceSource. /api/v3 cannot search by
// tag, so a search with tags goes to /api when the client may use it.
func (c *Client) FindTraces(ctx context.Context, q sources.TraceQuery) ([]*sources.Trace, error) {
	if q.Service == "" {
		return nil, errors.New("a trace search needs a service")
	}
	var ts []*sources.Trace
	var err error
	if _, v3 := c.current().(*v3API); v3 && len(q.Tags) > 0 {
		c.mu.Lock()
		fb := c.fallback
		c.mu.Unlock()
		if fb == nil {
			return nil, c.wrap("HTTP /api/v3", errors.New("Jaeger's /api/v3 cannot search by tag; use --jaeger-protocol v1 or grpc"))
		}
		if ts, err = fb.find(ctx, q); err != nil {
			return nil, c.wrap(fb.name(), err)
		}
	} else if ts, err = call(c, func(a api) ([]*sources.Trace, error) { return a.find(ctx, q) }); err != nil {
		return nil, err
	}
	sortNewestFirst(ts)
	if q.Limit > 0 && len(ts) > q.Limit {
		ts = ts[:q.Limit]
	}
	return ts, nil
}

// Services implements sources.TraceSource.
func (c *Client) Services(ctx context.Context) ([]string, error) {
	return call(c, func(a api) ([]string, error) { return a.services(ctx) })
}

// Operations implements sources.TraceSource.
func (c *Client) Operations(ctx context.Context, service string) ([]string, error) {
	return call(c, func(a api) ([]string, error) { return a.operations(ctx, service) })
}

// wrap turns an error into a BackendError naming Jaeger, its URL and the
// API, with a hint for the usual causes.
func (c *Client) wrap(apiName string, err error) error {
	var be *sources.BackendError
	if errors.As(err, &be) {
		return err
	}
	hint := ""
	// a message over the cap is made the cap's error by v3Err and v2Err
	if status.Code(err) == codes.DeadlineExceeded {
		err = context.DeadlineExceeded // gRPC's, which says no more
	}
	var noe *jsonread.NotObjectError
	switch te := config.AsTimeoutOf(err, c.timeout); {
	case errors.Is(err, sources.ErrNotFound):
	case errors.Is(err, sources.ErrAuth):
		hint = "check the Jaeger credentials (--jaeger-token, --jaeger-user/--jaeger-password, --jaeger-header, or those of the context in use)"
	case status.Code(err) == codes.Unimplemented:
		hint = "the server there has no Jaeger query API over gRPC: is it Jaeger's query port (usually 16685), not its OTLP port (4317)?"
	case config.AnswerHint(err) != "":
		hint = config.AnswerHint(err)
	case errors.As(err, &noe):
		hint = "is this URL Jaeger's query service (HTTP usually on port 16686)? A page of HTML may be a proxy's or a login's"
	case te != nil:
		err, hint = te, te.Hint("jaeger")
	case config.TLSHint(err, "jaeger") != "":
		hint = config.TLSHint(err, "jaeger")
	case isConnError(err):
		hint = "is Jaeger running there? Set its query address with --jaeger or TELX_JAEGER_URL (HTTP usually on port 16686, gRPC on 16685)"
	}
	return &sources.BackendError{Backend: "jaeger", URL: c.url + " (" + apiName + ")", Err: err, Hint: hint}
}
