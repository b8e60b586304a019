package correlate

import (
	"strings"
	"testing"

	"github.com/telx-cli/telx/sources"
)

func TestTraceQueries(t *testing.T) {
	id := "4bf92f3577b34da6a3ce929d0e0e4736"
	for _, c := range []struct {
		services []string
		tmpl     []Template
		want     []string
	}{
		{[]string{"payments"}, DefaultTraceTemplates(), []string{
			`{service_name="payments"} | trace_id="` + id + `"`, `{service_name="payments"} |= "` + id + `"`}},
		{[]string{"a.b", "c"}, []Template{{Name: "q", Text: "{{.Selector}}"}, {Name: "f", Text: "-"}}, []string{`{service_name=~"a\\.b|c"}`}},
		{nil, []Template{{Name: "q", Text: `{{.ServiceLabel}} {{.Selector}}`}}, []string{`service_name {service_name=~".+"}`}},
	} {
		got, err := TraceQueries("", c.services, "4bf92f3577b34da6a3ce929d0e0e4736", c.tmpl)
		if err != nil || strings.Join(got, "\n") != strings.Join(c.want, "\n") {
			t.Errorf("%v %v: %q, %v; want %q", c.services, c.tmpl, got, err, c.want)
		}
	}
	if _, err := TraceQueries("", nil, "x", []Template{{Name: "--trace-query", Text: "{{.Nope}}"}}); err == nil || !strings.HasPrefix(err.Error(), "--trace-query: ") {
		t.Errorf("a missing key: %v", err)
	}
	if _, err := TraceQueries("", nil, "x", []Template{{Name: "q", Text: "-"}}); err == nil {
		t.Error("no query at all gave no error")
	}
}

func TestSpanQueries(t *testing.T) {
	got, err := SpanQueries("", "redis-manual", "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7", DefaultTraceTemplates())
	want := []SpanQuery{
		{`{service_name=~".+"} | span_id="00f067aa0ba902b7"`, true, false},
		{`{service_name=~".+"} |= "00f067aa0ba902b7"`, true, false},
		{`{service_name="redis-manual"} | trace_id="4bf92f3577b34da6a3ce929d0e0e4736"`, false, false},
		{`{service_name="redis-manual"} |= "4bf92f3577b34da6a3ce929d0e0e4736"`, false, false},
		{`{service_name="redis-manual"}`, false, true},
	}
	if err != nil || len(got) != len(want) {
		t.Fatalf("SpanQueries: %+v, %v", got, err)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("query %d: %+v, want %+v", i, got[i], want[i])
		}
	}
	got, err = SpanQueries("app", "a", "x", "y", []Template{{Name: "q", Text: `{{.AnySelector}} | span="{{.SpanID}}"`}})
	if err != nil || got[0].Query != `{app=~".+"} | span_id="y"` || got[2].Query != `{app=~".+"} | span="y"` {
		t.Errorf("with the label app: %+v, %v", got, err)
	}
	if _, err := SpanQueries("", "a", "x", "y", []Template{{Name: "--trace-query", Text: "{{.Nope}}"}}); err == nil || !strings.HasPrefix(err.Error(), "--trace-query: ") {
		t.Errorf("a missing key: %v", err)
	}
	if got, err := SpanQueries("", "", "x", "y", DefaultTraceTemplates()); err != nil || len(got) != 2 || !got[1].BySpan {
		t.Errorf("with no service: %+v, %v", got, err)
	}
}

func TestSpanQueryKeeps(t *testing.T) {
	span := sources.SpanID("00f067aa0ba902b7")
	mine := &sources.LogEntry{TraceID: "4bf92f3577b34da6a3ce929d0e0e4736", SpanID: span}
	other := &sources.LogEntry{TraceID: "4bf92f3577b34da6a3ce929d0e0e4736", SpanID: "1111111111111111"}
	traceOnly := &sources.LogEntry{TraceID: "4bf92f3577b34da6a3ce929d0e0e4736"}
	none := &sources.LogEntry{}
	for _, tt := range []struct {
		q                             SpanQuery
		mine, other, traceOnly, noIDs bool
	}{
		{SpanQuery{BySpan: true}, true, true, true, true},
		{SpanQuery{}, true, false, true, true},
		{SpanQuery{DuringSpan: true}, false, false, false, true},
	} {
		for _, c := range []struct {
			e    *sources.LogEntry
			want bool
		}{{mine, tt.mine}, {other, tt.other}, {traceOnly, tt.traceOnly}, {none, tt.noIDs}} {
			if got := tt.q.Keep(c.e, span); got != c.want {
				t.Errorf("%+v keeps %+v: %v, want %v", tt.q, c.e, got, c.want)
			}
		}
	}
}

func TestPatternFilter(t *testing.T) {
	for _, tt := range []struct {
		pattern string
		exclude bool
		want    string
	}{
		{`level=info msg="order placed" trace_id=<_>`, false, "|> `level=info msg=\"order placed\" trace_id=<_>`"},
		{"GET <_> 200", true, "!> `GET <_> 200`"},
		{"a `b` \\ <_>", false, `|> "a ` + "`b`" + ` \\ <_>"`},
	} {
		if got := PatternFilter(tt.pattern, tt.exclude); got != tt.want {
			t.Errorf("PatternFilter(%q, %v) = %s, want %s", tt.pattern, tt.exclude, got, tt.want)
		}
	}
}
