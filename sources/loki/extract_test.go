package loki

import (
	"regexp"
	"testing"

	"github.com/telx-cli/telx/sources"
)

func TestExtractTraceAndSpanIDs(t *testing.T) {
	const id = "4bf92f3577b34da6a3ce929d0e0e4736"
	const span = "00f067aa0ba902b7"
	x := &extractor{patterns: []*regexp.Regexp{
		regexp.MustCompile(`req=[a-z]+/([0-9a-f]{32})`),
		regexp.MustCompile(`tid:(\S+)`), // matches, but not always an ID: the next pattern is tried
		regexp.MustCompile(`tid:\S+ ref=([0-9a-f]{16})`),
	}}
	for _, tt := range []struct {
		name      string
		e         sources.LogEntry
		wantTrace sources.TraceID
		wantSpan  sources.SpanID
		wantLevel string
	}{
		{"structured metadata", sources.LogEntry{Line: "GET / 200", Metadata: map[string]string{"trace_id": id, "span_id": span}}, id, span, ""},
		{"metadata in upper case is normalised", sources.LogEntry{Line: "x", Metadata: map[string]string{"traceID": "4BF92F3577B34DA6A3CE929D0E0E4736"}}, id, "", ""},
		{"a 64-bit ID in a label is padded", sources.LogEntry{Line: "x", Labels: map[string]string{"trace_id": "a3ce929d0e0e4736"}}, "0000000000000000a3ce929d0e0e4736", "", ""},
		{"metadata wins over the line", sources.LogEntry{Line: "trace_id=" + "11111111111111111111111111111111", Metadata: map[string]string{"trace_id": id}}, id, "", ""},
		{"logfmt trace_id", sources.LogEntry{Line: `level=warn msg="slow" trace_id=` + id + ` span_id=` + span}, id, span, "warn"},
		{"logfmt traceID, quoted", sources.LogEntry{Line: `lvl=info traceID="` + id + `" spanID=` + span}, id, span, "info"},
		{"JSON", sources.LogEntry{Line: `{"level":"error","msg":"declined","trace_id":"` + id + `","span_id":"` + span + `"}`}, id, span, "error"},
		{"JSON with spaces", sources.LogEntry{Line: `{"traceId" : "` + id + `", "level": "INFO"}`}, id, "", "info"},
		{"a key inside another word is not a key", sources.LogEntry{Line: `mytrace_id=` + id}, "", "", ""},
		{"not hex, or not 16 or 32 long, is not an ID", sources.LogEntry{Line: `trace_id=xyz trace_id=abc123`}, "", "", ""},
		{"the first configured pattern", sources.LogEntry{Line: `GET /x req=web/` + id}, id, "", ""},
		{"the second pattern", sources.LogEntry{Line: `GET /x tid:` + id}, id, "", ""},
		{"a pattern whose match is no ID gives way to the next", sources.LogEntry{Line: `GET /x tid:none ref=a3ce929d0e0e4736`}, "0000000000000000a3ce929d0e0e4736", "", ""},
		{"no pattern matches", sources.LogEntry{Line: `GET /x tid`}, "", "", ""},
		{"the level from detected_level metadata", sources.LogEntry{Line: "boom", Metadata: map[string]string{"detected_level": "warning"}}, "", "", "warn"},
		{"Loki's unknown level is none", sources.LogEntry{Line: "boom", Metadata: map[string]string{"detected_level": "unknown"}}, "", "", ""},
		{"a console line's level", sources.LogEntry{Line: "2026-12-01T06:15:25.318Z\tERROR\tdriver/redis.go:70\tredis timeout\t{\"service\": \"driver\", \"trace_id\": \"" + id + "\", \"span_id\": \"" + span + "\"}"}, id, span, "error"},
		{"an access log's level from its status", sources.LogEntry{Line: `10.0.1.153 - - [01/Dec/2026:07:09:07 +0000] "POST /api/checkout HTTP/1.1" 502 173 "-" "curl/8.5.0"`}, "", "", "error"},
		{"level= inside detected_level= is not taken", sources.LogEntry{Line: "detected_level=error"}, "", "", ""},
	} {
		e := tt.e
		x.fill(&e)
		if e.TraceID != tt.wantTrace || e.SpanID != tt.wantSpan || e.Level != tt.wantLevel {
			t.Errorf("%s: got trace %q span %q level %q, want %q %q %q", tt.name, e.TraceID, e.SpanID, e.Level, tt.wantTrace, tt.wantSpan, tt.wantLevel)
		}
	}
}

func TestIsMetricQuery(t *testing.T) {
	for q, want := range map[string]bool{
		`{service_name="x"}`:                         false,
		`  {a="b"} |= "rate("`:                       false,
		`rate({a="b"}[5m])`:                          true,
		`sum by (a) (count_over_time({a="b"} [1m]))`: true,
	} {
		if got := IsMetricQuery(q); got != want {
			t.Errorf("IsMetricQuery(%q) = %v", q, got)
		}
	}
}
