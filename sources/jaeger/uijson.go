package jaeger

import (
	"bytes"
	"fmt"
	json "github.com/goccy/go-json"
	"io"
	"strconv"
	"time"

	"github.com/telx-cli/telx/sources"
)

// The Jaeger UI JSON (/api/traces and the UI's "Download JSON").
type uiResponse struct {
	Data   []uiTrace `json:"data"`
	Errors []uiError `json:"errors"`
}

type uiError struct {
	Code    int    `json:"code"`
	Msg     string `json:"msg"`
	TraceID string `json:"traceID"`
}

type uiTrace struct {
	TraceID   string               `json:"traceID"`
	Spans     []uiSpan             `json:"spans"`
	Processes map[string]uiProcess `json:"processes"`
	Warnings  []string             `json:"warnings"`
}

type uiSpan struct {
	TraceID       string     `json:"traceID"`
	SpanID        string     `json:"spanID"`
	ParentSpanID  string     `json:"parentSpanID"` // older exports
	OperationName string     `json:"operationName"`
	References    []uiRef    `json:"references"`
	StartTime     int64      `json:"startTime"` // µs
	Duration      int64      `json:"duration"`  // µs
	Tags          []uiKV     `json:"tags"`
	Logs          []uiLog    `json:"logs"`
	ProcessID     string     `json:"processID"`
	Process       *uiProcess `json:"process"` // embedded in some exports
	Warnings      []string   `json:"warnings"`
}

type uiRef struct {
	RefType string `json:"refType"`
	TraceID string `json:"traceID"`
	SpanID  string `json:"spanID"`
}

type uiKV struct {
	Key   string          `json:"key"`
	Type  string          `json:"type"`
	Value json.RawMessage `json:"value"`
}

type uiLog struct {
	Timestamp int64  `json:"timestamp"`
	Fields    []uiKV `json:"fields"`
}

type uiProcess struct {
	ServiceName string `json:"serviceName"`
	Tags        []uiKV `json:"tags"`
}

// DecodeUIJSON reads Jaeger UI JSON: an /api/traces answer or a UI export,
// one or many traces.
func DecodeUIJSON(r io.Reader) ([]*sources.Trace, error) {
	var resp uiResponse
	if err := json.NewDecoder(r).Decode(&resp); err != nil {
		return nil, fmt.Errorf("reading Jaeger JSON: %w", err)
	}
	return resp.toTraces()
}

func (resp *uiResponse) toTraces() ([]*sources.Trace, error) {
	out := make([]*sources.Trace, 0, len(resp.Data))
	for i := range resp.Data {
		t, err := resp.Data[i].toTrace()
		if err != nil {
			return nil, fmt.Errorf("data[%d]: %w", i, err)
		}
		out = append(out, t)
	}
	return out, nil
}

func (u *uiTrace) toTrace() (*sources.Trace, error) {
	id := u.TraceID
	if id == "" && len(u.Spans) > 0 {
		id = u.Spans[0].TraceID
	}
	tid, err := sources.ParseTraceID(id)
	if err != nil {
		return nil, fmt.Errorf("traceID: %w", err)
	}
	var warnings []string
	spans := make([]jspan, 0, len(u.Spans))
	for i := range u.Spans {
		s := &u.Spans[i]
		proc, ok := u.Processes[s.ProcessID]
		if s.Process != nil {
			proc, ok = *s.Process, true
		}
		if !ok {
			warnings = append(warnings, fmt.Sprintf("span %s: process %q is not in the trace", s.SpanID, s.ProcessID))
		}
		tags, err := uiKVs(s.Tags)
		if err != nil {
			return nil, fmt.Errorf("spans[%d].tags: %w", i, err)
		}
		ptags, err := uiKVs(proc.Tags)
		if err != nil {
			return nil, fmt.Errorf("processes[%q].tags: %w", s.ProcessID, err)
		}
		j := jspan{
			traceID:   s.TraceID,
			spanID:    s.SpanID,
			operation: s.OperationName,
			start:     time.UnixMicro(s.StartTime),
			duration:  time.Duration(s.Duration) * time.Microsecond,
			tags:      tags,
			service:   proc.ServiceName,
			process:   ptags,
			warnings:  s.Warnings,
		}
		if j.traceID == "" {
			j.traceID = id
		}
		for _, r := range s.References {
			j.refs = append(j.refs, jref{typ: r.RefType, traceID: r.TraceID, spanID: r.SpanID})
		}
		if len(j.refs) == 0 && s.ParentSpanID != "" && s.ParentSpanID != "0" {
			j.refs = []jref{{typ: "CHILD_OF", traceID: j.traceID, spanID: s.ParentSpanID}}
		}
		for li, l := range s.Logs {
			fields, err := uiKVs(l.Fields)
			if err != nil {
				return nil, fmt.Errorf("spans[%d].logs[%d].fields: %w", i, li, err)
			}
			j.logs = append(j.logs, jlog{time: time.UnixMicro(l.Timestamp), fields: fields})
		}
		spans = append(spans, j)
	}
	warnings = append(warnings, u.Warnings...)
	return toTrace(tid, spans, warnings), nil
}

// uiKVs converts typed key-values; the value is read as its type says.
func uiKVs(kvs []uiKV) ([]sources.Attr, error) {
	if len(kvs) == 0 {
		return nil, nil
	}
	out := make([]sources.Attr, 0, len(kvs))
	for _, kv := range kvs {
		v, err := uiValue(kv)
		if err != nil {
			return nil, fmt.Errorf("%q: %w", kv.Key, err)
		}
		out = append(out, sources.Attr{Key: kv.Key, Value: v})
	}
	return out, nil
}

func uiValue(kv uiKV) (any, error) {
	raw := bytes.TrimSpace(kv.Value)
	unquoted := raw
	var s string
	if len(raw) > 0 && raw[0] == '"' {
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, err
		}
		unquoted = []byte(s)
	}
	switch kv.Type {
	case "bool":
		b, err := strconv.ParseBool(string(unquoted))
		if err != nil {
			return nil, fmt.Errorf("value %s is not a bool", raw)
		}
		return b, nil
	case "int64":
		i, err := strconv.ParseInt(string(unquoted), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("value %s is not an int64", raw)
		}
		return i, nil
	case "float64":
		f, err := strconv.ParseFloat(string(unquoted), 64)
		if err != nil {
			return nil, fmt.Errorf("value %s is not a float64", raw)
		}
		return f, nil
	case "binary":
		return string(unquoted), nil // base64, as sent
	default: // "string", or missing
		if len(raw) > 0 && raw[0] == '"' {
			return s, nil
		}
		return string(raw), nil
	}
}
