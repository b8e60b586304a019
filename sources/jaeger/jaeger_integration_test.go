package jaeger

import (
	"context"
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/sources/demo"
	"github.com/telx-cli/telx/test/harness"
)

func TestMain(m *testing.M) {
	os.Exit(harness.Main(m, harness.Options{Seed: 3, Backends: []string{harness.Jaeger}}))
}

func clients(t *testing.T, env *harness.Env) map[string]*Client {
	t.Helper()
	out := map[string]*Client{}
	for name, opts := range map[string]Options{
		"v3":   {URL: env.JaegerURL, Protocol: ProtocolV3},
		"v1":   {URL: env.JaegerURL, Protocol: ProtocolV1},
		"grpc": {URL: "grpc://" + env.JaegerGRPC},
	} {
		c, err := New(opts)
		if err != nil {
			t.Fatal(err)
		}
		out[name] = c
	}
	out["grpc-v2"] = grpcV2Client(t, "grpc://"+env.JaegerGRPC)
	return out
}

// grpcV2Client is a client of the gRPC api_v2 only.
func grpcV2Client(t *testing.T, u string) *Client {
	t.Helper()
	c, err := New(Options{URL: u, Protocol: ProtocolGRPCV2})
	if err != nil {
		t.Fatal(err)
	}
	if c.API() != "gRPC api_v2" {
		t.Fatalf("a grpc-v2 client uses %s", c.API())
	}
	return c
}

func scenarioTrace(sc *demo.Scenario, id sources.TraceID) *sources.Trace {
	for _, t := range sc.Traces {
		if t.ID == id {
			return t
		}
	}
	return nil
}

// The same trace through all three APIs gives the same domain trace, and
// it is the trace the scenario sent.
func TestSameTraceThroughEveryAPI(t *testing.T) {
	env := harness.Shared(t)
	sc := env.Scenario
	ctx := context.Background()
	for _, id := range []sources.TraceID{sc.BigTraceID, sc.SkewedTraceID, sc.Traces[5].ID} {
		got := map[string]*sources.Trace{}
		for name, c := range clients(t, env) {
			tr, err := c.Trace(ctx, id)
			if err != nil {
				t.Fatalf("%s: trace %s: %v", name, id, err)
			}
			got[name] = tr
		}
		if !reflect.DeepEqual(got["v3"], got["v1"]) {
			diffTraces(t, "v3", got["v3"], "v1", got["v1"])
		}
		for _, name := range []string{"grpc", "grpc-v2"} {
			if !reflect.DeepEqual(got["v3"], got[name]) {
				diffTraces(t, "v3", got["v3"], name, got[name])
			}
		}
		want := scenarioTrace(sc, id)
		tr := got["v3"]
		if len(tr.Spans) != len(want.Spans) {
			t.Fatalf("trace %s: %d spans, want %d", id, len(tr.Spans), len(want.Spans))
		}
		byID := map[sources.SpanID]sources.Span{}
		for _, s := range want.Spans {
			byID[s.SpanID] = s
		}
		for _, s := range tr.Spans {
			w := byID[s.SpanID]
			if s.ParentID != w.ParentID || s.Service != w.Service || s.Operation != w.Operation || s.Kind != w.Kind ||
				s.Status != w.Status || !s.Start.Equal(w.Start.Truncate(time.Microsecond)) || len(s.Events) != len(w.Events) {
				t.Errorf("span %s:\n got %+v\nwant %+v", s.SpanID, s, w)
				break
			}
			if s.Attrs.GetString("http.route") != w.Attrs.GetString("http.route") {
				t.Errorf("span %s: attributes %v, want %v", s.SpanID, s.Attrs, w.Attrs)
			}
		}
	}
}

func diffTraces(t *testing.T, an string, a *sources.Trace, bn string, b *sources.Trace) {
	t.Helper()
	if len(a.Spans) != len(b.Spans) {
		t.Errorf("%s has %d spans, %s %d", an, len(a.Spans), bn, len(b.Spans))
		return
	}
	for i := range a.Spans {
		if !reflect.DeepEqual(a.Spans[i], b.Spans[i]) {
			t.Errorf("span %d differs:\n%s: %+v\n%s: %+v", i, an, a.Spans[i], bn, b.Spans[i])
			return
		}
	}
	t.Errorf("traces differ: %s %+v / %s %+v", an, a.Warnings, bn, b.Warnings)
}

func TestSearchServicesOperations(t *testing.T) {
	env := harness.Shared(t)
	sc := env.Scenario
	ctx := context.Background()
	var payments int
	for _, tr := range sc.Traces {
		for _, s := range tr.Spans {
			if s.Service == demo.Payments && s.Operation == "Charge" {
				payments++
				break
			}
		}
	}
	for name, c := range clients(t, env) {
		t.Run(name, func(t *testing.T) {
			svcs, err := c.Services(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if len(svcs) != len(demo.Services) {
				t.Errorf("services = %v", svcs)
			}
			ops, err := c.Operations(ctx, demo.Payments)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(ops, ",") != "Charge,GetPaymentStatus" {
				t.Errorf("payments operations = %v", ops)
			}
			q := sources.TraceQuery{Service: demo.Payments, Operation: "Charge", Range: sc.Window.Widen(time.Minute), Limit: 1000}
			ts, err := c.FindTraces(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			if len(ts) != payments {
				t.Errorf("found %d traces with payments Charge, want %d", len(ts), payments)
			}
			for i := 1; i < len(ts); i++ {
				if ts[i].TimeRange().From.After(ts[i-1].TimeRange().From) {
					t.Fatalf("results not newest first at %d", i)
				}
			}
			q.Limit = 5
			if ts, _ := c.FindTraces(ctx, q); len(ts) != 5 {
				t.Errorf("limit 5 gave %d traces", len(ts))
			}
			q.Limit, q.MinDuration = 1000, 500*time.Millisecond
			slow, err := c.FindTraces(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			if len(slow) == 0 || len(slow) >= payments {
				t.Errorf("min duration 500ms kept %d of %d traces", len(slow), payments)
			}
		})
	}
}

func TestTagSearch(t *testing.T) {
	env := harness.Shared(t)
	ctx := context.Background()
	q := sources.TraceQuery{Service: demo.Frontend, Tags: map[string]string{"http.route": "/api/orders/export"},
		Range: env.Scenario.Window.Widen(time.Minute), Limit: 100}
	for _, opts := range []Options{{URL: env.JaegerURL}, {URL: "grpc://" + env.JaegerGRPC}} {
		c, _ := New(opts)
		ts, err := c.FindTraces(ctx, q)
		if err != nil {
			t.Fatalf("%s: %v", opts.URL, err)
		}
		if len(ts) != 1 || ts[0].ID != env.Scenario.BigTraceID {
			t.Errorf("%s: tag search found %d traces", opts.URL, len(ts))
		}
	}
	c, _ := New(Options{URL: env.JaegerURL, Protocol: ProtocolV3})
	if _, err := c.FindTraces(ctx, q); err == nil || !strings.Contains(err.Error(), "cannot search by tag") {
		t.Errorf("v3 tag search: %v", err)
	}
}

func TestNotFound(t *testing.T) {
	env := harness.Shared(t)
	for name, c := range clients(t, env) {
		_, err := c.Trace(context.Background(), "0000000000000000000000000000abcd")
		if !errors.Is(err, sources.ErrNotFound) {
			t.Errorf("%s: error %v, want ErrNotFound", name, err)
		}
	}
}

func TestUnreachable(t *testing.T) {
	for _, u := range []string{"http://127.0.0.1:1", "grpc://127.0.0.1:1"} {
		c, err := New(Options{URL: u})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		_, err = c.Trace(ctx, "0000000000000000000000000000abcd")
		cancel()
		var be *sources.BackendError
		if !errors.As(err, &be) {
			t.Fatalf("%s: error %v is not a BackendError", u, err)
		}
		msg := err.Error()
		for _, want := range []string{"jaeger at " + u, "hint:", "--jaeger"} {
			if !strings.Contains(msg, want) {
				t.Errorf("%s: %q does not say %q", u, msg, want)
			}
		}
	}
}
