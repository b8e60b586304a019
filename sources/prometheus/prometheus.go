// Package prometheus is telx's Prometheus source: range and instant
// queries, label values, series and alerts through client_golang's
// api/prometheus/v1, over the HTTP client it is given (auth and TLS are
// config.Auth's, as for the other backends).
// It speaks to Prometheus and to what serves its API (Thanos, Mimir,
// Cortex), and converts their answers to the domain model in one place.
package prometheus

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/prometheus/client_golang/api"
	v1 "github.com/prometheus/client_golang/api/prometheus/v1"
	"github.com/prometheus/common/model"

	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/sources/config"
)

const backend = "prometheus"

// Options say how to reach Prometheus.
type Options struct {
	// URL is Prometheus' base address (http://host:9090, or a path prefix
	// such as Mimir's http://host/prometheus).
	URL string
	// HTTPClient sends the requests (RoundTripper and a timeout, say);
	// http.DefaultClient when nil.
	HTTPClient *http.Client
}

// Client queries one Prometheus. It implements sources.MetricSource.
type Client struct {
	api v1.API
	url string // redacted, for messages
}

// New returns a client for the Prometheus at o.URL.
func New(o Options) (*Client, error) {
	u, err := url.Parse(o.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("prometheus URL %q: want http(s)://host:port", o.URL)
	}
	hc := o.HTTPClient
	if hc == nil {
		hc = http.DefaultClient
	}
	// authCheck turns a refused credential into an error telx can map to
	// its exit code; client_golang would report only "client error: 401".
	wrapped := *hc
	wrapped.Transport = authCheck{base: hc.Transport}
	c, err := api.NewClient(api.Config{Address: o.URL, Client: &wrapped})
	if err != nil {
		return nil, fmt.Errorf("prometheus URL %q: %w", o.URL, err)
	}
	return &Client{api: v1.NewAPI(c), url: config.RedactURL(u)}, nil
}

// authCheck reports 401 and 403 answers as errors wrapping sources.ErrAuth.
type authCheck struct{ base http.RoundTripper }

type authRefused struct{ status string }

func (e *authRefused) Error() string { return "the server answered " + e.status }
func (e *authRefused) Unwrap() error { return sources.ErrAuth }

func (t authCheck) RoundTrip(req *http.Request) (*http.Response, error) {
	base := t.base
	if base == nil {
		base = http.DefaultTransport
	}
	resp, err := base.RoundTrip(req)
	if err == nil && (resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden) {
		resp.Body.Close()
		return nil, &authRefused{status: resp.Status}
	}
	return resp, err
}

// fail wraps an error from client_golang into a BackendError with a hint.
func (c *Client) fail(what string, err error) error {
	if errors.Is(err, context.Canceled) {
		return err
	}
	be := &sources.BackendError{Backend: backend, URL: c.url}
	var apiErr *v1.Error
	var netErr net.Error
	var opErr *net.OpError
	switch {
	case errors.Is(err, sources.ErrAuth):
		be.Err = fmt.Errorf("%s: %w", what, err)
		be.Hint = "check --prometheus-token, or --prometheus-user and --prometheus-password (and a tenant header with --prometheus-header), or the credentials of the context in use"
	case config.TLSHint(err, "prometheus") != "":
		be.Err = fmt.Errorf("%s: %w", what, err)
		be.Hint = config.TLSHint(err, "prometheus")
	case errors.As(err, &apiErr):
		msg := apiErr.Msg
		if apiErr.Type == v1.ErrBadResponse && apiErr.Detail != "" {
			msg += ": " + firstLine(apiErr.Detail)
		}
		be.Err = fmt.Errorf("%s: %s: %s", what, apiErr.Type, msg)
		switch apiErr.Type {
		case v1.ErrBadData:
			be.Hint = "the server refused the query; check the PromQL"
		case v1.ErrTimeout, v1.ErrCanceled:
			be.Hint = "narrow the range, coarsen --step, or simplify the query"
		case v1.ErrBadResponse:
			be.Hint = "is this URL Prometheus' API? (for Mimir or Cortex it ends in /prometheus)"
		}
	case errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &netErr) && netErr.Timeout()):
		be.Err = fmt.Errorf("%s: no answer in time", what)
		be.Hint = "raise --timeout, narrow the range, or coarsen --step"
	case errors.As(err, &opErr):
		be.Err = fmt.Errorf("%s: %w", what, err)
		be.Hint = "is Prometheus running there? Set its address with --prometheus or TELX_PROMETHEUS_URL"
	default:
		be.Err = fmt.Errorf("%s: %w", what, err)
	}
	// Prometheus' message, or the body of an answer that is not its API's,
	// reaches the terminal
	be.Err = sources.SanitizeError(be.Err)
	return be
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}

// QueryRange evaluates a range query. A step that would exceed the
// server's point limit is coarsened first; the result's Step says which
// step was used.
func (c *Client) QueryRange(ctx context.Context, q sources.MetricQuery) (*sources.MetricResult, error) {
	step, _ := sources.LimitStep(q.Range, q.Step)
	v, warns, infos, err := c.api.QueryRange(ctx, q.Query, v1.Range{Start: q.Range.From, End: q.Range.To, Step: step})
	if err != nil {
		return nil, c.fail("range query", err)
	}
	res := convert(v)
	res.Step = step
	res.Warnings = append(res.Warnings, warns...)
	res.Infos = infos
	return res, nil
}

// Query evaluates an instant query at at (now when zero).
func (c *Client) Query(ctx context.Context, query string, at time.Time) (*sources.MetricResult, error) {
	if at.IsZero() {
		at = time.Now()
	}
	v, warns, infos, err := c.api.Query(ctx, query, at)
	if err != nil {
		return nil, c.fail("query", err)
	}
	res := convert(v)
	res.Warnings = append(res.Warnings, warns...)
	res.Infos = infos
	return res, nil
}

// LabelValues returns the values of label name over r among the series
// matching matches (all series when empty), and the server's warnings.
func (c *Client) LabelValues(ctx context.Context, name string, matches []string, r sources.TimeRange) ([]string, []string, error) {
	vals, warns, _, err := c.api.LabelValues(ctx, name, matches, r.From, r.To)
	if err != nil {
		return nil, warns, c.fail("label values", err)
	}
	out := make([]string, len(vals))
	for i, v := range vals {
		out[i] = string(v)
	}
	sort.Strings(out)
	return out, warns, nil
}

// Series returns the label sets of the series matching matches over r,
// and the server's warnings.
func (c *Client) Series(ctx context.Context, matches []string, r sources.TimeRange) ([]map[string]string, []string, error) {
	sets, warns, _, err := c.api.Series(ctx, matches, r.From, r.To)
	if err != nil {
		return nil, warns, c.fail("series", err)
	}
	out := make([]map[string]string, len(sets))
	for i, s := range sets {
		out[i] = labels(model.Metric(s))
	}
	return out, warns, nil
}

// Alerts returns the pending and firing alerts, most recently active first.
func (c *Client) Alerts(ctx context.Context) ([]sources.Alert, error) {
	res, err := c.api.Alerts(ctx)
	if err != nil {
		return nil, c.fail("alerts", err)
	}
	out := make([]sources.Alert, 0, len(res.Alerts))
	for _, a := range res.Alerts {
		l := labels(model.Metric(a.Labels))
		out = append(out, sources.Alert{
			Name:        l[model.AlertNameLabel],
			State:       string(a.State),
			Labels:      l,
			Annotations: labels(model.Metric(a.Annotations)),
			ActiveAt:    a.ActiveAt,
			Value:       a.Value,
		})
	}
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].ActiveAt.Equal(out[j].ActiveAt) {
			return out[i].ActiveAt.After(out[j].ActiveAt)
		}
		if out[i].Name != out[j].Name {
			return out[i].Name < out[j].Name
		}
		return labelKey(out[i].Labels) < labelKey(out[j].Labels)
	})
	return out, nil
}

// convert turns a client_golang value into the domain's series.
func convert(v model.Value) *sources.MetricResult {
	res := &sources.MetricResult{}
	if v == nil {
		return res
	}
	res.Type = v.Type().String()
	switch v := v.(type) {
	case model.Matrix:
		res.Series = make([]sources.Series, 0, len(v))
		for _, ss := range v {
			s := sources.Series{Labels: labels(ss.Metric), Points: make([]sources.Point, len(ss.Values))}
			for i, p := range ss.Values {
				s.Points[i] = sources.Point{Time: p.Timestamp.Time(), Value: float64(p.Value)}
			}
			if len(ss.Histograms) > 0 {
				res.Warnings = append(res.Warnings, fmt.Sprintf("telx: %d native histogram samples of %s are not shown; wrap the query in histogram_quantile or histogram_count", len(ss.Histograms), ss.Metric))
			}
			res.Series = append(res.Series, s)
		}
	case model.Vector:
		res.Series = make([]sources.Series, 0, len(v))
		for _, smp := range v {
			val := float64(smp.Value)
			if smp.Histogram != nil {
				val = math.NaN()
				res.Warnings = append(res.Warnings, fmt.Sprintf("telx: the native histogram %s is not shown", smp.Metric))
			}
			res.Series = append(res.Series, sources.Series{Labels: labels(smp.Metric),
				Points: []sources.Point{{Time: smp.Timestamp.Time(), Value: val}}})
		}
	case *model.Scalar:
		res.Series = []sources.Series{{Labels: map[string]string{}, Points: []sources.Point{{Time: v.Timestamp.Time(), Value: float64(v.Value)}}}}
	case *model.String:
		res.Series = []sources.Series{{Labels: map[string]string{"value": v.Value}, Points: []sources.Point{{Time: v.Timestamp.Time(), Value: math.NaN()}}}}
	}
	return res
}

// labelKey formats labels sorted by name, to order label sets.
func labelKey(l map[string]string) string {
	keys := make([]string, 0, len(l))
	for k := range l {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		b.WriteString(k)
		b.WriteByte('=')
		b.WriteString(l[k])
		b.WriteByte(',')
	}
	return b.String()
}

func labels(m model.Metric) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[string(k)] = string(v)
	}
	return out
}

var _ sources.MetricSource = (*Client)(nil)
