package jaeger

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	json "github.com/goccy/go-json"
	"io"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"sync/atomic"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/sources/config"
	"github.com/telx-cli/telx/sources/internal/jsonread"
	"github.com/telx-cli/telx/sources/otlp"
)

// get fetches u and hands a 2xx body, read under the cap of kind, to
// decode. Other answers become errors: 401/403 wrap ErrAuth; a 404 whose
// body is not JSON means the API is not served (errNoAPI); the rest carry
// the body. The client's timeout bounds the whole call, decoding
// included: past it, the error is a config.TimeoutError.
func get(ctx context.Context, client *http.Client, kind config.AnswerKind, u string, decode func(io.Reader) error, notFound func(body []byte) error) error {
	start := time.Now()
	var reading atomic.Bool
	actx, answer := config.TrackAnswer(ctx, kind)
	_, err := config.Within(actx, client.Timeout, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, fetch(ctx, client, u, answer, &reading, decode, notFound)
	})
	if te := config.CallTimeout(ctx, err, client.Timeout, start, reading.Load()); te != nil {
		return te
	}
	return err
}

func fetch(ctx context.Context, client *http.Client, u string, answer config.Answer, reading *atomic.Bool,
	decode func(io.Reader) error, notFound func(body []byte) error) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	reading.Store(true)
	defer resp.Body.Close()
	if resp.StatusCode/100 == 2 {
		body, err := jsonread.ObjectStart(resp.Body)
		if err == nil {
			err = decode(body)
		}
		if err != nil {
			// what went wrong reading (a cap, a timeout, a reset) says more
			// than what the decoder made of it
			return readError(answer, err)
		}
		return nil
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	body = bytes.TrimSpace(body)
	switch {
	case resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden:
		return fmt.Errorf("%s: %w", resp.Status, sources.ErrAuth)
	case resp.StatusCode == http.StatusNotFound && !json.Valid(body):
		return errNoAPI
	case resp.StatusCode == http.StatusNotFound && notFound != nil:
		return notFound(body)
	}
	return fmt.Errorf("%s: %s", resp.Status, sources.BodyText(body))
}

// readError is the error of reading the answer, when there was one, in
// place of err, the decoder's.
func readError(answer config.Answer, err error) error {
	rerr := answer.Err()
	var tl *config.AnswerTooLargeError
	var noe *jsonread.NotObjectError
	switch {
	case rerr == nil && errors.As(err, &noe):
		return fmt.Errorf("the answer is %w", noe)
	case rerr == nil && config.IsTruncated(err):
		return config.ErrTruncated
	case rerr == nil:
		return err
	case errors.As(rerr, &tl), config.IsTimeout(rerr):
		return rerr
	}
	return &config.ReadingError{Err: rerr}
}

func query(base, path string, params url.Values) string {
	if len(params) == 0 {
		return base + path
	}
	return base + path + "?" + params.Encode()
}

// v3API is HTTP /api/v3: OTLP JSON.
type v3API struct {
	base   string
	client *http.Client
}

func (*v3API) name() string { return "HTTP /api/v3" }

func (a *v3API) decodeTraces(r io.Reader) ([]*sources.Trace, error) {
	ts, err := otlp.Decode(r)
	if err != nil {
		return nil, fmt.Errorf("malformed /api/v3 answer: %w", err)
	}
	return ts, nil
}

func (a *v3API) trace(ctx context.Context, id sources.TraceID) (*sources.Trace, error) {
	var ts []*sources.Trace
	err := get(ctx, a.client, config.TraceAnswer, query(a.base, "/api/v3/traces/"+string(id), nil), func(r io.Reader) (err error) {
		ts, err = a.decodeTraces(r)
		return err
	}, func([]byte) error { return fmt.Errorf("trace %s: %w", id, sources.ErrNotFound) })
	if err != nil {
		return nil, err
	}
	if len(ts) == 0 {
		return nil, fmt.Errorf("trace %s: %w", id, sources.ErrNotFound)
	}
	return ts[0], nil
}

func (a *v3API) find(ctx context.Context, q sources.TraceQuery) ([]*sources.Trace, error) {
	p := url.Values{}
	p.Set("query.service_name", q.Service)
	if q.Operation != "" {
		p.Set("query.operation_name", q.Operation)
	}
	p.Set("query.start_time_min", q.Range.From.UTC().Format(time.RFC3339Nano))
	p.Set("query.start_time_max", q.Range.To.UTC().Format(time.RFC3339Nano))
	if q.MinDuration > 0 {
		p.Set("query.duration_min", q.MinDuration.String())
	}
	if q.MaxDuration > 0 {
		p.Set("query.duration_max", q.MaxDuration.String())
	}
	p.Set("query.num_traces", strconv.Itoa(limitOf(q)))
	var ts []*sources.Trace
	err := get(ctx, a.client, config.TraceAnswer, query(a.base, "/api/v3/traces", p), func(r io.Reader) (err error) {
		ts, err = a.decodeTraces(r)
		return err
	}, func([]byte) error { return nil }) // an empty search answers 404
	if err != nil {
		return nil, err // ts may be filled still, by a decoding past its time
	}
	return ts, nil
}

func (a *v3API) services(ctx context.Context) ([]string, error) {
	var res struct {
		Services []string `json:"services"`
	}
	if err := get(ctx, a.client, config.SmallAnswer, a.base+"/api/v3/services", jsonInto(&res), nil); err != nil {
		return nil, err
	}
	sort.Strings(res.Services)
	return res.Services, nil
}

func (a *v3API) operations(ctx context.Context, service string) ([]string, error) {
	var res struct {
		Operations []struct {
			Name string `json:"name"`
		} `json:"operations"`
	}
	if err := get(ctx, a.client, config.SmallAnswer, query(a.base, "/api/v3/operations", url.Values{"service": {service}}), jsonInto(&res), nil); err != nil {
		return nil, err
	}
	ops := make([]string, 0, len(res.Operations))
	for _, o := range res.Operations {
		ops = append(ops, o.Name)
	}
	return uniqueSorted(ops), nil
}

// v1API is HTTP /api: Jaeger UI JSON.
type v1API struct {
	base   string
	client *http.Client
}

func (*v1API) name() string { return "HTTP /api" }

func (a *v1API) traces(ctx context.Context, u string, notFound func([]byte) error) ([]*sources.Trace, error) {
	var ts []*sources.Trace
	err := get(ctx, a.client, config.TraceAnswer, u, func(r io.Reader) (err error) {
		if ts, err = DecodeUIJSON(r); err != nil {
			return fmt.Errorf("malformed /api answer: %w", err)
		}
		return nil
	}, notFound)
	if err != nil {
		return nil, err
	}
	return ts, nil
}

func (a *v1API) trace(ctx context.Context, id sources.TraceID) (*sources.Trace, error) {
	notFound := func([]byte) error { return fmt.Errorf("trace %s: %w", id, sources.ErrNotFound) }
	ts, err := a.traces(ctx, a.base+"/api/traces/"+string(id), notFound)
	if err != nil {
		return nil, err
	}
	if len(ts) == 0 {
		return nil, notFound(nil)
	}
	return ts[0], nil
}

func (a *v1API) find(ctx context.Context, q sources.TraceQuery) ([]*sources.Trace, error) {
	p := url.Values{}
	p.Set("service", q.Service)
	if q.Operation != "" {
		p.Set("operation", q.Operation)
	}
	if len(q.Tags) > 0 {
		b, _ := json.Marshal(q.Tags)
		p.Set("tags", string(b))
	}
	p.Set("start", strconv.FormatInt(q.Range.From.UnixMicro(), 10))
	p.Set("end", strconv.FormatInt(q.Range.To.UnixMicro(), 10))
	if q.MinDuration > 0 {
		p.Set("minDuration", q.MinDuration.String())
	}
	if q.MaxDuration > 0 {
		p.Set("maxDuration", q.MaxDuration.String())
	}
	p.Set("limit", strconv.Itoa(limitOf(q)))
	return a.traces(ctx, query(a.base, "/api/traces", p), nil)
}

func (a *v1API) services(ctx context.Context) ([]string, error) {
	var res struct {
		Data []string `json:"data"`
	}
	if err := get(ctx, a.client, config.SmallAnswer, a.base+"/api/services", jsonInto(&res), nil); err != nil {
		return nil, err
	}
	sort.Strings(res.Data)
	return res.Data, nil
}

func (a *v1API) operations(ctx context.Context, service string) ([]string, error) {
	var res struct {
		Data []string `json:"data"`
	}
	if err := get(ctx, a.client, config.SmallAnswer, a.base+"/api/services/"+url.PathEscape(service)+"/operations", jsonInto(&res), nil); err != nil {
		return nil, err
	}
	return uniqueSorted(res.Data), nil
}

func jsonInto(v any) func(io.Reader) error {
	return func(r io.Reader) error {
		if err := json.NewDecoder(r).Decode(v); err != nil {
			return fmt.Errorf("malformed answer: %w", err)
		}
		return nil
	}
}

// DefaultLimit is how many traces a search returns when no limit is set.
const DefaultLimit = 20

func limitOf(q sources.TraceQuery) int {
	if q.Limit > 0 {
		return q.Limit
	}
	return DefaultLimit
}

func uniqueSorted(ss []string) []string {
	sort.Strings(ss)
	out := ss[:0]
	for i, s := range ss {
		if i == 0 || s != ss[i-1] {
			out = append(out, s)
		}
	}
	return out
}

func sortNewestFirst(ts []*sources.Trace) {
	start := make(map[*sources.Trace]time.Time, len(ts))
	for _, t := range ts {
		start[t] = t.TimeRange().From
	}
	sort.SliceStable(ts, func(i, j int) bool { return start[ts[i]].After(start[ts[j]]) })
}

// isConnError tells whether err is a failure to reach the server.
func isConnError(err error) bool {
	var op *net.OpError
	var dns *net.DNSError
	return errors.As(err, &op) || errors.As(err, &dns) || errors.Is(err, context.DeadlineExceeded) ||
		status.Code(err) == codes.Unavailable || status.Code(err) == codes.DeadlineExceeded
}
