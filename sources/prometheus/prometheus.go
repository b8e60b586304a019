// Package prometheus is telx's Prometheus source: range and instant
// queries, label values, series and alerts through client_golang's
// api/prometheus/v1, over the HTTP client it is given (auth and TLS are
// config.Auth's, as for the other backends).
// It speaks to Prometheus and to what serves its API (Thanos, Mimir,
// Cortex), and converts their answers to the domain model in one place.
package prometheus

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
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
	"github.com/telx-cli/telx/sources/internal/jsonread"
)

const backend = "prometheus"

// Options say how to reach Prometheus.
type Options struct {
	// URL is Prometheus' base address (http://host:9090, or a path prefix
	// such as Mimir's http://host/prometheus).
	URL string
	// HTTPClient sends the requests (RoundTripper and a timeout, say);
	// http.DefaultClient when nil. Its timeout bounds each call, decoding
	// included.
	HTTPClient *http.Client
	// Limits cap the size of the answers (config's defaults when zero).
	Limits config.Limits
}

// Client queries one Prometheus. It implements sources.MetricSource.
type Client struct {
	api     v1.API
	url     string        // redacted, for messages
	timeout time.Duration // of each call
}

// New returns a client for the Prometheus at o.URL.
func New(o Options) (*Client, error) {
	u, err := url.Parse(o.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("prometheus URL %q: want http(s)://host:port", o.URL)
	}
	hc := config.LimitAnswers(o.HTTPClient, o.Limits)
	// authCheck turns a refused credential into an error telx can map to
	// its exit code; client_golang would report only "client error: 401".
	wrapped := *hc
	wrapped.Transport = authCheck{base: hc.Transport}
	c, err := api.NewClient(api.Config{Address: o.URL, Client: &wrapped})
	if err != nil {
		return nil, fmt.Errorf("prometheus URL %q: %w", o.URL, err)
	}
	return &Client{api: v1.NewAPI(leanClient{Client: c, hc: &wrapped}), url: config.RedactURL(u), timeout: hc.Timeout}, nil
}

// leanClient is client_golang's api.Client but for reading an answer:
// config.ReadAnswer holds it at most twice, client_golang's buffer three
// times as it grows, which near the cap is hundreds of megabytes.
type leanClient struct {
	api.Client
	hc *http.Client
}

func (c leanClient) Do(ctx context.Context, req *http.Request) (*http.Response, []byte, error) {
	resp, err := c.hc.Do(req.WithContext(ctx))
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	body, err := config.ReadAnswer(resp.Body, resp.ContentLength)
	if err != nil {
		var tl *config.AnswerTooLargeError
		if !errors.As(err, &tl) && !config.IsTimeout(err) {
			err = &config.ReadingError{Err: err}
		}
		return resp, body, err
	}
	// client_golang reads Prometheus' errors from 400 and 422 answers
	// only; others ("server error: 503") it reports by their code alone
	if code := resp.StatusCode; code/100 != 2 && code != http.StatusBadRequest && code != http.StatusUnprocessableEntity {
		return resp, body, &httpStatusError{status: resp.Status, msg: errorText(body)}
	}
	return resp, body, nil
}

// httpStatusError is an answer of an HTTP status that client_golang does not
// decode: its status and what its body says.
type httpStatusError struct{ status, msg string }

func (e *httpStatusError) Error() string { return e.status + ": " + e.msg }

// errorText is what an error answer says: Prometheus' error (its type
// and message) when it is one of its JSON errors, else its body's text.
func errorText(body []byte) string {
	var e struct {
		Status    string `json:"status"`
		ErrorType string `json:"errorType"`
		Error     string `json:"error"`
	}
	if json.Unmarshal(body, &e) == nil && e.Status == "error" && e.Error != "" {
		return sources.Sanitize(firstLine(e.ErrorType + ": " + e.Error))
	}
	return sources.BodyText(body)
}

// call runs f, the call of one client_golang method, with answers of
// kind, bounded by the client's timeout, decoding included:
// client_golang reads an answer whole before decoding it, which it does
// not stop for ctx.
func call[T any](ctx context.Context, c *Client, kind config.AnswerKind, f func(context.Context) (T, error)) (T, error) {
	start := time.Now()
	v, err := config.Within(config.WithAnswerKind(ctx, kind), c.timeout, f)
	if te := config.CallTimeout(ctx, err, c.timeout, start, false); te != nil {
		te.While = "" // client_golang does not say how far it got
		return v, te
	}
	return v, err
}

// notObject is a 2xx answer that is not a JSON object, which every
// answer of Prometheus' API is: found at its first byte.
type notObject struct{ err error }

func (e *notObject) Error() string { return "the answer is " + e.err.Error() }
func (e *notObject) Unwrap() error { return e.err }

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
	if err == nil && resp.StatusCode/100 == 2 {
		body, perr := jsonread.ObjectStart(resp.Body)
		if perr != nil {
			var tl *config.AnswerTooLargeError
			if !errors.As(perr, &tl) && !config.IsTimeout(perr) {
				perr = &notObject{perr}
			}
			resp.Body.Close()
			return nil, perr
		}
		resp.Body = struct {
			io.Reader
			io.Closer
		}{body, resp.Body}
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
	var opErr *net.OpError
	var bad *notObject
	var se *httpStatusError
	switch {
	case config.TooLargeHint(err) != "":
		var tl *config.AnswerTooLargeError
		errors.As(err, &tl)
		be.Err = fmt.Errorf("%s: %w", what, tl)
		be.Hint = tl.Hint()
	case config.AnswerHint(err) != "":
		be.Err = fmt.Errorf("%s: %w", what, err)
		var re *config.ReadingError
		if errors.As(err, &re) {
			be.Err = fmt.Errorf("%s: %w", what, re)
		}
		be.Hint = config.AnswerHint(err)
	case errors.Is(err, sources.ErrAuth):
		be.Err = fmt.Errorf("%s: %w", what, err)
		be.Hint = "check --prometheus-token, or --prometheus-user and --prometheus-password (and a tenant header with --prometheus-header), or the credentials of the context in use"
	case config.TLSHint(err, "prometheus") != "":
		be.Err = fmt.Errorf("%s: %w", what, err)
		be.Hint = config.TLSHint(err, "prometheus")
	case errors.As(err, &se):
		be.Err = fmt.Errorf("%s: %w", what, se)
		if strings.HasPrefix(se.status, "5") {
			be.Hint = "Prometheus, or a proxy in front of it, failed to answer: a narrower range or a coarser --step may help; a proxy's page may mean Prometheus is down behind it"
		}
	case errors.As(err, &apiErr) && apiErr.Type == v1.ErrBadResponse && config.IsTruncated(apiErr):
		be.Err = fmt.Errorf("%s: %w", what, config.ErrTruncated)
	case errors.As(err, &apiErr) && apiErr.Type == v1.ErrBadResponse && strings.HasPrefix(apiErr.Msg, "bad response code"):
		be.Err = fmt.Errorf("%s: %s", what, sources.Sanitize(apiErr.Msg))
	case errors.As(err, &apiErr) && apiErr.Type == v1.ErrBadResponse:
		// the decoder's message quotes the answer at length
		msg, _, _ := strings.Cut(apiErr.Msg, ", error found in")
		be.Err = fmt.Errorf("%s: malformed answer: %s", what, sources.Sanitize(firstLine(msg)))
		be.Hint = "is this URL Prometheus' API? (for Mimir or Cortex it ends in /prometheus)"
	case errors.As(err, &apiErr):
		msg := apiErr.Msg
		if apiErr.Type == v1.ErrBadResponse && apiErr.Detail != "" {
			msg += ": " + firstLine(apiErr.Detail)
		}
		be.Err = fmt.Errorf("%s: %s: %s", what, apiErr.Type, sources.Sanitize(msg))
		switch apiErr.Type {
		case v1.ErrBadData:
			be.Hint = "the server refused the query; check the PromQL"
		case v1.ErrTimeout, v1.ErrCanceled:
			be.Hint = "narrow the range, coarsen --step, or simplify the query"
		case v1.ErrBadResponse:
			be.Hint = "is this URL Prometheus' API? (for Mimir or Cortex it ends in /prometheus)"
		}
	case config.IsTimeout(err):
		te := config.AsTimeoutOf(err, c.timeout)
		be.Err = fmt.Errorf("%s: %w", what, te)
		be.Hint = te.Hint(backend) + "; or narrow the range, coarsen --step, simplify the query"
	case errors.As(err, &bad):
		be.Err = fmt.Errorf("%s: %w", what, bad)
		be.Hint = "is this URL Prometheus' API? (for Mimir or Cortex it ends in /prometheus)"
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
	type answer struct {
		v            model.Value
		warns, infos []string
	}
	a, err := call(ctx, c, config.PageAnswer, func(ctx context.Context) (answer, error) {
		v, warns, infos, err := c.api.QueryRange(ctx, q.Query, v1.Range{Start: q.Range.From, End: q.Range.To, Step: step})
		return answer{v, warns, infos}, err
	})
	v, warns, infos := a.v, a.warns, a.infos
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
	type answer struct {
		v            model.Value
		warns, infos []string
	}
	a, err := call(ctx, c, config.PageAnswer, func(ctx context.Context) (answer, error) {
		v, warns, infos, err := c.api.Query(ctx, query, at)
		return answer{v, warns, infos}, err
	})
	v, warns, infos := a.v, a.warns, a.infos
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
	type answer struct {
		vals  model.LabelValues
		warns []string
	}
	a, err := call(ctx, c, config.SmallAnswer, func(ctx context.Context) (answer, error) {
		vals, warns, _, err := c.api.LabelValues(ctx, name, matches, r.From, r.To)
		return answer{vals, warns}, err
	})
	vals, warns := a.vals, a.warns
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
	type answer struct {
		sets  []model.LabelSet
		warns []string
	}
	a, err := call(ctx, c, config.SmallAnswer, func(ctx context.Context) (answer, error) {
		sets, warns, _, err := c.api.Series(ctx, matches, r.From, r.To)
		return answer{sets, warns}, err
	})
	sets, warns := a.sets, a.warns
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
	res, err := call(ctx, c, config.PageAnswer, c.api.Alerts)
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

// Exemplars returns the exemplars of the series that query selects over r
// (GET /api/v1/query_exemplars; Prometheus keeps them when started with
// --enable-feature=exemplar-storage), oldest first. Labels are as the
// server gave them, as a query's series' are: sanitise them to show them.
func (c *Client) Exemplars(ctx context.Context, query string, r sources.TimeRange) ([]sources.Exemplar, error) {
	res, err := call(ctx, c, config.PageAnswer, func(ctx context.Context) ([]v1.ExemplarQueryResult, error) {
		return c.api.QueryExemplars(ctx, query, r.From, r.To)
	})
	if err != nil {
		return nil, c.fail("exemplars", err)
	}
	return convertExemplars(res), nil
}

// convertExemplars turns client_golang's exemplars into the domain's,
// oldest first (then by value and trace).
func convertExemplars(res []v1.ExemplarQueryResult) []sources.Exemplar {
	var out []sources.Exemplar
	for _, r := range res {
		series := labels(model.Metric(r.SeriesLabels))
		for _, e := range r.Exemplars {
			l := labels(model.Metric(e.Labels))
			tid, sid := sources.ExemplarIDs(l)
			out = append(out, sources.Exemplar{Time: e.Timestamp.Time(), Value: float64(e.Value),
				TraceID: tid, SpanID: sid, Labels: l, Series: series})
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if !a.Time.Equal(b.Time) {
			return a.Time.Before(b.Time)
		}
		if a.Value != b.Value {
			return a.Value < b.Value
		}
		return a.TraceID < b.TraceID
	})
	return out
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

var _ sources.ExemplarSource = (*Client)(nil)
