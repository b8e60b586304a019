// Package alertmanager is telx's Alertmanager source: its v2 API's alerts,
// alert groups and silences over net/http, with the HTTP client it is given
// (auth and TLS are config.Auth's, as for the other backends). Answers are
// decoded into private structs and converted to the domain model here.
package alertmanager

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/sources/config"
)

const backend = "alertmanager"

// maxBody caps what one answer may hold: far more than any Alertmanager's
// alerts or silences, little enough that a wrong URL cannot fill memory.
const maxBody = 64 << 20

// Options say how to reach Alertmanager.
type Options struct {
	// URL is Alertmanager's base address (http://host:9093, or with the
	// path prefix of --web.route-prefix).
	URL string
	// HTTPClient sends the requests; http.DefaultClient when nil.
	HTTPClient *http.Client
}

// Client talks to one Alertmanager. It implements sources.AlertManager.
type Client struct {
	base   string // without a trailing slash
	url    string // redacted, for messages
	client *http.Client
}

// New returns a client for the Alertmanager at o.URL.
func New(o Options) (*Client, error) {
	u, err := url.Parse(o.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("alertmanager URL %q: want http(s)://host:port", config.RedactURLString(o.URL))
	}
	hc := o.HTTPClient
	if hc == nil {
		hc = http.DefaultClient
	}
	return &Client{base: strings.TrimRight(o.URL, "/"), url: config.RedactURL(u), client: hc}, nil
}

// URL is the client's Alertmanager, without credentials.
func (c *Client) URL() string { return c.url }

// wire types of the v2 API (api/v2/openapi.yaml)
type (
	wireAlert struct {
		Labels       map[string]string       `json:"labels"`
		Annotations  map[string]string       `json:"annotations"`
		Receivers    []struct{ Name string } `json:"receivers"`
		Fingerprint  string                  `json:"fingerprint"`
		StartsAt     time.Time               `json:"startsAt"`
		UpdatedAt    time.Time               `json:"updatedAt"`
		EndsAt       time.Time               `json:"endsAt"`
		GeneratorURL string                  `json:"generatorURL"`
		Status       struct {
			State       string   `json:"state"`
			SilencedBy  []string `json:"silencedBy"`
			InhibitedBy []string `json:"inhibitedBy"`
		} `json:"status"`
	}
	wireGroup struct {
		Labels   map[string]string     `json:"labels"`
		Receiver struct{ Name string } `json:"receiver"`
		Alerts   []wireAlert           `json:"alerts"`
	}
	wireMatcher struct {
		Name    string `json:"name"`
		Value   string `json:"value"`
		IsRegex bool   `json:"isRegex"`
		IsEqual *bool  `json:"isEqual,omitempty"` // absent before 0.22: true
	}
	wireSilence struct {
		ID        string        `json:"id,omitempty"`
		Matchers  []wireMatcher `json:"matchers"`
		StartsAt  time.Time     `json:"startsAt"`
		EndsAt    time.Time     `json:"endsAt"`
		UpdatedAt *time.Time    `json:"updatedAt,omitempty"`
		CreatedBy string        `json:"createdBy"`
		Comment   string        `json:"comment"`
		Status    *struct {
			State string `json:"state"`
		} `json:"status,omitempty"`
	}
)

func (a *wireAlert) convert() sources.ManagedAlert {
	out := sources.ManagedAlert{
		Name:         a.Labels["alertname"],
		Labels:       a.Labels,
		Annotations:  a.Annotations,
		State:        a.Status.State,
		SilencedBy:   a.Status.SilencedBy,
		InhibitedBy:  a.Status.InhibitedBy,
		Fingerprint:  a.Fingerprint,
		StartsAt:     a.StartsAt,
		UpdatedAt:    a.UpdatedAt,
		EndsAt:       a.EndsAt,
		GeneratorURL: a.GeneratorURL,
	}
	if out.Labels == nil {
		out.Labels = map[string]string{}
	}
	if len(out.SilencedBy) == 0 {
		out.SilencedBy = nil
	}
	if len(out.InhibitedBy) == 0 {
		out.InhibitedBy = nil
	}
	for _, r := range a.Receivers {
		out.Receivers = append(out.Receivers, r.Name)
	}
	return out
}

func (s *wireSilence) convert() (sources.Silence, error) {
	out := sources.Silence{ID: s.ID, StartsAt: s.StartsAt, EndsAt: s.EndsAt, CreatedBy: s.CreatedBy, Comment: s.Comment}
	if s.UpdatedAt != nil {
		out.UpdatedAt = *s.UpdatedAt
	}
	if s.Status != nil {
		out.State = s.Status.State
	}
	for _, m := range s.Matchers {
		op := sources.MatchEqual
		equal := m.IsEqual == nil || *m.IsEqual
		switch {
		case m.IsRegex && equal:
			op = sources.MatchRegexp
		case m.IsRegex:
			op = sources.MatchNotRegexp
		case !equal:
			op = sources.MatchNotEqual
		}
		mm, err := sources.NewMatcher(m.Name, op, m.Value)
		if err != nil {
			// kept as sent, so that it can be shown and expired
			mm = sources.Matcher{Name: m.Name, Op: op, Value: m.Value}
		}
		out.Matchers = append(out.Matchers, mm)
	}
	return out, nil
}

func filterParams(f sources.AlertFilter) url.Values {
	v := url.Values{}
	active := f.Active || !(f.Silenced || f.Inhibited || f.Unprocessed)
	v.Set("active", strconv.FormatBool(active))
	v.Set("silenced", strconv.FormatBool(f.Silenced))
	v.Set("inhibited", strconv.FormatBool(f.Inhibited))
	v.Set("unprocessed", strconv.FormatBool(f.Unprocessed))
	for _, m := range f.Matchers {
		v.Add("filter", m.String())
	}
	if f.Receiver != "" {
		v.Set("receiver", f.Receiver)
	}
	return v
}

// ManagedAlerts returns the alerts f selects; Alertmanager filters them.
func (c *Client) ManagedAlerts(ctx context.Context, f sources.AlertFilter) ([]sources.ManagedAlert, error) {
	var wire []wireAlert
	if err := c.do(ctx, "alerts", http.MethodGet, "/api/v2/alerts", filterParams(f), nil, &wire); err != nil {
		return nil, err
	}
	out := make([]sources.ManagedAlert, len(wire))
	for i := range wire {
		out[i] = wire[i].convert()
	}
	return out, nil
}

// AlertGroups returns Alertmanager's groups of the alerts f selects.
func (c *Client) AlertGroups(ctx context.Context, f sources.AlertFilter) ([]sources.AlertGroup, error) {
	var wire []wireGroup
	if err := c.do(ctx, "alert groups", http.MethodGet, "/api/v2/alerts/groups", filterParams(f), nil, &wire); err != nil {
		return nil, err
	}
	out := make([]sources.AlertGroup, len(wire))
	for i, g := range wire {
		out[i] = sources.AlertGroup{Labels: g.Labels, Receiver: g.Receiver.Name, Alerts: make([]sources.ManagedAlert, len(g.Alerts))}
		if out[i].Labels == nil {
			out[i].Labels = map[string]string{}
		}
		for j := range g.Alerts {
			out[i].Alerts[j] = g.Alerts[j].convert()
		}
	}
	return out, nil
}

// Silences returns the silences that have each of ms among their own
// matchers (Alertmanager compares name, operator and value as written: a
// filter's regular expression is not matched against a silence's values),
// of every state.
func (c *Client) Silences(ctx context.Context, ms []sources.Matcher) ([]sources.Silence, error) {
	v := url.Values{}
	for _, m := range ms {
		v.Add("filter", m.String())
	}
	var wire []wireSilence
	if err := c.do(ctx, "silences", http.MethodGet, "/api/v2/silences", v, nil, &wire); err != nil {
		return nil, err
	}
	out := make([]sources.Silence, 0, len(wire))
	for i := range wire {
		s, _ := wire[i].convert()
		out = append(out, s)
	}
	return out, nil
}

// Silence returns the silence of id; an unknown one is an error wrapping
// sources.ErrNotFound.
func (c *Client) Silence(ctx context.Context, id string) (*sources.Silence, error) {
	if err := checkID(id); err != nil {
		return nil, err
	}
	var w wireSilence
	if err := c.do(ctx, "silence "+id, http.MethodGet, "/api/v2/silence/"+url.PathEscape(id), nil, nil, &w); err != nil {
		return nil, err
	}
	s, err := w.convert()
	return &s, err
}

// PutSilence creates the silence (or updates the one of s.ID) and returns
// its ID. Alertmanager's refusal is an error with its message.
func (c *Client) PutSilence(ctx context.Context, s sources.Silence) (string, error) {
	w := wireSilence{ID: s.ID, StartsAt: s.StartsAt, EndsAt: s.EndsAt, CreatedBy: s.CreatedBy, Comment: s.Comment}
	for _, m := range s.Matchers {
		eq := m.IsEqual()
		w.Matchers = append(w.Matchers, wireMatcher{Name: m.Name, Value: m.Value, IsRegex: m.IsRegex(), IsEqual: &eq})
	}
	body, err := json.Marshal(w)
	if err != nil {
		return "", err
	}
	var res struct {
		SilenceID string `json:"silenceID"`
	}
	if err := c.do(ctx, "creating a silence", http.MethodPost, "/api/v2/silences", nil, body, &res); err != nil {
		return "", err
	}
	if res.SilenceID == "" {
		return "", c.fail("creating a silence", errors.New("the answer has no silenceID"))
	}
	return res.SilenceID, nil
}

// ExpireSilence ends the silence of id now.
func (c *Client) ExpireSilence(ctx context.Context, id string) error {
	if err := checkID(id); err != nil {
		return err
	}
	return c.do(ctx, "expiring silence "+id, http.MethodDelete, "/api/v2/silence/"+url.PathEscape(id), nil, nil, nil)
}

// checkID refuses what cannot be a silence ID (Alertmanager's are UUIDs)
// before it is sent.
func checkID(id string) error {
	if id == "" || strings.ContainsAny(id, "/?#") {
		return fmt.Errorf("silence ID %q: %w (want a UUID such as 8d5c7a2e-…)", sources.Sanitize(id), sources.ErrNotFound)
	}
	return nil
}

// apiError is a non-2xx answer: its status and Alertmanager's message.
type apiError struct {
	code   int
	status string
	msg    string
}

func (e *apiError) Error() string {
	if e.msg == "" {
		return e.status
	}
	return e.status + ": " + e.msg
}

func (e *apiError) Unwrap() error {
	switch e.code {
	case http.StatusUnauthorized, http.StatusForbidden:
		return sources.ErrAuth
	case http.StatusNotFound:
		return sources.ErrNotFound
	}
	// before 0.27, expiring an unknown silence answers 500 "silence not found"
	if strings.Contains(e.msg, "not found") {
		return sources.ErrNotFound
	}
	return nil
}

// do sends one request and decodes a 2xx answer's JSON body into out
// (when not nil).
func (c *Client) do(ctx context.Context, what, method, path string, params url.Values, body []byte, out any) error {
	u := c.base + path
	if len(params) > 0 {
		u += "?" + params.Encode()
	}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return c.fail(what, err)
	}
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.client.Do(req)
	if err != nil {
		return c.fail(what, err)
	}
	defer resp.Body.Close()
	lr := &io.LimitedReader{R: resp.Body, N: maxBody + 1}
	if resp.StatusCode/100 != 2 {
		b, _ := io.ReadAll(io.LimitReader(lr, 4096))
		return c.fail(what, &apiError{code: resp.StatusCode, status: sources.Sanitize(resp.Status), msg: sources.Sanitize(errorMessage(b))})
	}
	if out == nil {
		_, _ = io.Copy(io.Discard, lr)
		return nil
	}
	if err := json.NewDecoder(lr).Decode(out); err != nil {
		if lr.N <= 0 {
			return c.fail(what, fmt.Errorf("the answer is larger than %d MiB", maxBody>>20))
		}
		return c.fail(what, fmt.Errorf("reading the answer: %w", err))
	}
	return nil
}

// errorMessage reads Alertmanager's error body: a JSON string ("silence
// not found"), an object with a message ({"code":601,"message":…}), or
// plain text.
func errorMessage(b []byte) string {
	b = bytes.TrimSpace(b)
	var s string
	if json.Unmarshal(b, &s) == nil {
		return strings.TrimSpace(s)
	}
	var o struct {
		Message string `json:"message"`
	}
	if json.Unmarshal(b, &o) == nil && o.Message != "" {
		return o.Message
	}
	msg, _, _ := strings.Cut(string(b), "\n")
	if len(msg) > 300 {
		msg = msg[:300] + "…"
	}
	return msg
}

// fail wraps err into a BackendError naming Alertmanager, its URL and a
// hint.
func (c *Client) fail(what string, err error) error {
	if errors.Is(err, context.Canceled) {
		return err
	}
	be := &sources.BackendError{Backend: backend, URL: c.url}
	var ae *apiError
	var netErr net.Error
	var opErr *net.OpError
	switch {
	case errors.As(err, &ae) && errors.Is(err, sources.ErrAuth):
		be.Err = fmt.Errorf("%s: %w", what, err)
		be.Hint = "check --alertmanager-token, or --alertmanager-user and --alertmanager-password, or the credentials of the context in use"
	case errors.As(err, &ae):
		be.Err = fmt.Errorf("%s: %w", what, err)
		if ae.code == http.StatusNotFound && !strings.HasPrefix(what, "silence") && !strings.HasPrefix(what, "expiring") {
			be.Hint = "is this URL Alertmanager's? (with --web.route-prefix, add the prefix)"
		}
	case config.TLSHint(err, backend) != "":
		be.Err = fmt.Errorf("%s: %w", what, err)
		be.Hint = config.TLSHint(err, backend)
	case errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &netErr) && netErr.Timeout()):
		be.Err = fmt.Errorf("%s: no answer in time", what)
		be.Hint = "raise --timeout"
	case errors.As(err, &opErr):
		be.Err = fmt.Errorf("%s: %w", what, err)
		be.Hint = "is Alertmanager running there? Set its address with --alertmanager or TELX_ALERTMANAGER_URL"
	default:
		be.Err = fmt.Errorf("%s: %w", what, err)
	}
	return be
}

var _ sources.AlertManager = (*Client)(nil)
