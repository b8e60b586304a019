package harness

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"time"

	common "go.opentelemetry.io/proto/otlp/common/v1"
	resource "go.opentelemetry.io/proto/otlp/resource/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/proto"

	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/sources/demo"
)

// pushTraces sends traces to an OTLP HTTP endpoint (protobuf), oldest
// first and one trace a request, as live services report them: Jaeger's
// memory storage answers a search with the traces it received last, in no
// order within one write (which is why the harness's Jaeger has no batch
// processor to merge requests).
func pushTraces(ctx context.Context, url string, traces []*sources.Trace) error {
	traces = slices.Clone(traces)
	slices.SortStableFunc(traces, func(a, b *sources.Trace) int { return a.TimeRange().From.Compare(b.TimeRange().From) })
	for _, t := range traces {
		// TracesData has the wire format of ExportTraceServiceRequest.
		body, err := proto.Marshal(&tracepb.TracesData{ResourceSpans: toOTLP([]*sources.Trace{t})})
		if err != nil {
			return err
		}
		if err := post(ctx, url, "application/x-protobuf", body); err != nil {
			return err
		}
	}
	return nil
}

// toOTLP groups the spans of traces by service into OTLP resource spans.
func toOTLP(traces []*sources.Trace) []*tracepb.ResourceSpans {
	byService := map[string]*tracepb.ResourceSpans{}
	var order []string
	for _, t := range traces {
		for i := range t.Spans {
			s := &t.Spans[i]
			rs, ok := byService[s.Service]
			if !ok {
				rs = &tracepb.ResourceSpans{
					Resource:   &resource.Resource{Attributes: toKeyValues(s.Resource)},
					ScopeSpans: []*tracepb.ScopeSpans{{Scope: &common.InstrumentationScope{Name: "telx-demo"}}},
				}
				byService[s.Service] = rs
				order = append(order, s.Service)
			}
			rs.ScopeSpans[0].Spans = append(rs.ScopeSpans[0].Spans, toOTLPSpan(s))
		}
	}
	out := make([]*tracepb.ResourceSpans, 0, len(order))
	for _, svc := range order {
		out = append(out, byService[svc])
	}
	return out
}

func toOTLPSpan(s *sources.Span) *tracepb.Span {
	sp := &tracepb.Span{
		TraceId:           mustHex(string(s.TraceID)),
		SpanId:            mustHex(string(s.SpanID)),
		Name:              s.Operation,
		Kind:              tracepb.Span_SpanKind(s.Kind),
		StartTimeUnixNano: uint64(s.Start.UnixNano()),
		EndTimeUnixNano:   uint64(s.End().UnixNano()),
		Attributes:        toKeyValues(s.Attrs),
		Status:            &tracepb.Status{Code: tracepb.Status_StatusCode(s.Status.Code), Message: s.Status.Message},
	}
	if s.ParentID != "" {
		sp.ParentSpanId = mustHex(string(s.ParentID))
	}
	for _, e := range s.Events {
		sp.Events = append(sp.Events, &tracepb.Span_Event{
			TimeUnixNano: uint64(e.Time.UnixNano()),
			Name:         e.Name,
			Attributes:   toKeyValues(e.Attrs),
		})
	}
	return sp
}

func toKeyValues(attrs sources.Attrs) []*common.KeyValue {
	out := make([]*common.KeyValue, 0, len(attrs))
	for _, a := range attrs {
		v := &common.AnyValue{}
		switch x := a.Value.(type) {
		case string:
			v.Value = &common.AnyValue_StringValue{StringValue: x}
		case bool:
			v.Value = &common.AnyValue_BoolValue{BoolValue: x}
		case int64:
			v.Value = &common.AnyValue_IntValue{IntValue: x}
		case float64:
			v.Value = &common.AnyValue_DoubleValue{DoubleValue: x}
		default:
			v.Value = &common.AnyValue_StringValue{StringValue: sources.FormatValue(x)}
		}
		out = append(out, &common.KeyValue{Key: a.Key, Value: v})
	}
	return out
}

func mustHex(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(fmt.Sprintf("bad hex ID %q from the generator: %v", s, err))
	}
	return b
}

// pushLogs sends log entries to Loki's push API, one stream per label set,
// with trace_id and span_id as structured metadata, in requests of at most
// about 1 MB, as tenant when it is not empty.
func pushLogs(ctx context.Context, url, tenant string, logs []sources.LogEntry) error {
	type stream struct {
		Stream map[string]string `json:"stream"`
		Values [][]any           `json:"values"`
	}
	streams := map[string]*stream{}
	var keys []string
	size := 0
	flush := func() error {
		if len(streams) == 0 {
			return nil
		}
		req := struct {
			Streams []*stream `json:"streams"`
		}{}
		for _, k := range keys {
			req.Streams = append(req.Streams, streams[k])
		}
		body, err := json.Marshal(req)
		if err != nil {
			return err
		}
		streams, keys, size = map[string]*stream{}, nil, 0
		if tenant != "" {
			return post(ctx, url, "application/json", body, "X-Scope-OrgID", tenant)
		}
		return post(ctx, url, "application/json", body)
	}
	for _, l := range logs {
		key := labelKey(l.Labels)
		s, ok := streams[key]
		if !ok {
			s = &stream{Stream: l.Labels}
			streams[key] = s
			keys = append(keys, key)
		}
		v := []any{strconv.FormatInt(l.Time.UnixNano(), 10), l.Line}
		if len(l.Metadata) > 0 {
			v = append(v, l.Metadata)
		}
		s.Values = append(s.Values, v)
		size += len(l.Line) + 100
		if size > 1<<20 {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	return flush()
}

func labelKey(labels map[string]string) string {
	keys := make([]string, 0, len(labels))
	for k := range labels {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b bytes.Buffer
	for _, k := range keys {
		fmt.Fprintf(&b, "%s=%q,", k, labels[k])
	}
	return b.String()
}

// post sends body to url with its content type and headers, given as
// name, value pairs.
func post(ctx context.Context, url, contentType string, body []byte, headers ...string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", contentType)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 2048))
		return fmt.Errorf("POST %s: %s: %s", url, resp.Status, bytes.TrimSpace(msg))
	}
	return nil
}

// backfill writes the scenario's metric history up to `to` into blocks in
// data with promtool, for Prometheus to load when it starts.
func backfill(ctx context.Context, promtool, dir, data string, m *demo.Metrics, to time.Time) error {
	input := filepath.Join(dir, "backfill.om")
	f, err := os.Create(input)
	if err != nil {
		return err
	}
	if err := m.WriteOpenMetrics(f, m.From, to); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, promtool, "tsdb", "create-blocks-from", "openmetrics", input, data)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("promtool backfill: %v\n%s", err, lastBytes(out, 2000))
	}
	return os.Remove(input)
}

// lastBytes returns the last n bytes of b, as text.
func lastBytes(b []byte, n int) string {
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return string(b)
}

// serveMetrics serves the scenario's metrics at their current values on a
// free loopback port, as a span-metrics exporter would, for Prometheus to
// scrape. It returns the address and a function that stops the server.
func serveMetrics(m *demo.Metrics) (string, func(), error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/metrics", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4")
		_ = m.WriteText(w, time.Now())
	})
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(l) }()
	return l.Addr().String(), func() { _ = srv.Close() }, nil
}

// AlertRules are the Prometheus rules the harness loads: two alerting
// rules, both firing during the scenario's incident, which lasts into the
// present, and a group with one recording rule.
const AlertRules = `groups:
  - name: telx-demo
    rules:
      - alert: HighErrorRate
        expr: |
          sum by (service_name) (rate(traces_span_metrics_calls_total{status_code="STATUS_CODE_ERROR"}[5m]))
            / sum by (service_name) (rate(traces_span_metrics_calls_total[5m])) > 0.05
        labels:
          severity: page
        annotations:
          summary: "{{ $labels.service_name }} fails {{ $value | humanizePercentage }} of its calls"
      - alert: HighLatency
        expr: |
          histogram_quantile(0.95, sum by (service_name, le) (rate(traces_span_metrics_duration_milliseconds_bucket[5m]))) > 500
        labels:
          severity: warn
        annotations:
          summary: "{{ $labels.service_name }} p95 latency is {{ $value | printf \"%.0f\" }}ms"
  - name: telx-demo-recording
    interval: 5s
    rules:
      - record: service_name:traces_span_metrics_calls:rate5m
        expr: sum by (service_name) (rate(traces_span_metrics_calls_total[5m]))
`

func decodeJSON(r io.Reader, v any) error { return json.NewDecoder(r).Decode(v) }
