package jaeger

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"

	json "github.com/goccy/go-json"

	"github.com/jaegertracing/jaeger-idl/proto-gen/api_v2"

	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/sources/config"
)

var _ sources.DependencySource = (*Client)(nil)

// Dependencies implements sources.DependencySource: Jaeger's service
// dependency graph over r, from HTTP /api/dependencies (which /api/v3
// does not have) or gRPC api_v2 GetDependencies.
func (c *Client) Dependencies(ctx context.Context, r sources.TimeRange) ([]sources.Dependency, error) {
	c.mu.Lock()
	a, fb := c.api, c.fallback
	c.mu.Unlock()
	var ds []sources.Dependency
	var err error
	name := a.name()
	switch a := a.(type) {
	case *v3API:
		name = "HTTP /api"
		ds, err = httpDependencies(ctx, a.base, a.client, r)
	case *v1API:
		ds, err = httpDependencies(ctx, a.base, a.client, r)
	case *grpcV3API:
		g, ok := fb.(*grpcAPI)
		if !ok {
			return nil, c.wrap(name, fmt.Errorf("the dependencies need gRPC api_v2: %w", errors.ErrUnsupported))
		}
		name = g.name()
		ds, err = g.dependencies(ctx, r)
	case *grpcAPI:
		ds, err = a.dependencies(ctx, r)
	default:
		err = fmt.Errorf("no dependencies over %s: %w", name, errors.ErrUnsupported)
	}
	if err != nil {
		return nil, c.wrap(name, err)
	}
	return ds, nil
}

func httpDependencies(ctx context.Context, base string, hc *http.Client, r sources.TimeRange) ([]sources.Dependency, error) {
	p := url.Values{}
	p.Set("endTs", strconv.FormatInt(r.To.UnixMilli(), 10))
	p.Set("lookback", strconv.FormatInt(max(1, r.Duration().Milliseconds()), 10))
	var res struct {
		Data []struct {
			Parent    string `json:"parent"`
			Child     string `json:"child"`
			CallCount int64  `json:"callCount"`
		} `json:"data"`
	}
	err := get(ctx, hc, config.SmallAnswer, query(base, "/api/dependencies", p), func(rd io.Reader) error {
		return json.NewDecoder(rd).Decode(&res)
	}, nil)
	if errors.Is(err, errNoAPI) {
		return nil, fmt.Errorf("this Jaeger serves no /api/dependencies: %w", errors.ErrUnsupported)
	}
	if err != nil {
		return nil, err
	}
	out := make([]sources.Dependency, 0, len(res.Data))
	for _, d := range res.Data {
		out = append(out, sources.Dependency{Parent: d.Parent, Child: d.Child, Calls: d.CallCount})
	}
	return out, nil
}

func (a *grpcAPI) dependencies(ctx context.Context, r sources.TimeRange) ([]sources.Dependency, error) {
	var total int64
	var over bool
	res, err := a.client.GetDependencies(ctx, &api_v2.GetDependenciesRequest{StartTime: r.From, EndTime: r.To}, a.callOptions(&total, &over)...)
	if err != nil {
		return nil, a.v2Err(err, over, "dependencies")
	}
	out := make([]sources.Dependency, 0, len(res.Dependencies))
	for _, d := range res.Dependencies {
		out = append(out, sources.Dependency{Parent: d.Parent, Child: d.Child, Calls: int64(d.CallCount)})
	}
	return out, nil
}
