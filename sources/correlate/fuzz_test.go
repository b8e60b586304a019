package correlate

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/prometheus/common/model"

	"github.com/telx-cli/telx/sources"
)

// FuzzSelector builds the stream selector of any services (one per line
// of the input): one service is matched exactly, its quoted value reading
// back to it; several by an alternation that matches each of them whole.
func FuzzSelector(f *testing.F) {
	for _, s := range []string{"frontend", "a\nb", `we"ird\`, "a.b\n(c)|d", "x\x1b[31m", "", "\n", "日本\nä*"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		var services []string
		if in != "" {
			services = strings.Split(in, "\n")
		}
		sel := Selector("", services)
		prefix := "{" + DefaultServiceLabel
		if !strings.HasPrefix(sel, prefix) || !strings.HasSuffix(sel, "}") {
			t.Fatalf("Selector(%q) = %s", services, sel)
		}
		value := strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(strings.TrimPrefix(sel, prefix), "=~"), "="), "}")
		v, err := strconv.Unquote(value)
		if err != nil {
			t.Fatalf("Selector(%q) = %s: the value does not unquote: %v", services, sel, err)
		}
		switch len(services) {
		case 0:
			return
		case 1:
			if v != services[0] {
				t.Errorf("Selector(%q) = %s, the value reads %q", services, sel, v)
			}
			return
		}
		for _, s := range services {
			if !utf8.ValidString(s) {
				return // a regexp is text
			}
		}
		re, err := regexp.Compile("^(?:" + v + ")$")
		if err != nil {
			t.Fatalf("Selector(%q) = %s: %v", services, sel, err)
		}
		for _, s := range services {
			if !re.MatchString(s) {
				t.Errorf("Selector(%q) = %s does not match %q", services, sel, s)
			}
		}
	})
}

// FuzzPatternFilter quotes any pattern in a line filter whose string
// reads back to the pattern.
func FuzzPatternFilter(f *testing.F) {
	for _, s := range []string{"<_> level=info msg=<_>", "a`b", `"q"`, "", "\\", "tab\there"} {
		f.Add(s, false)
	}
	f.Fuzz(func(t *testing.T, pattern string, exclude bool) {
		got := PatternFilter(pattern, exclude)
		op := "|> "
		if exclude {
			op = "!> "
		}
		if !strings.HasPrefix(got, op) {
			t.Fatalf("PatternFilter(%q, %v) = %s", pattern, exclude, got)
		}
		v, err := strconv.Unquote(strings.TrimPrefix(got, op))
		if err != nil || v != pattern {
			t.Errorf("PatternFilter(%q) = %s reads back %q, %v", pattern, got, v, err)
		}
	})
}

// FuzzQueries fills the trace and span query templates for any service,
// IDs and template text: no panic; an error names the template; with the
// default templates, every query holds the trace or span ID.
func FuzzQueries(f *testing.F) {
	f.Add("frontend", "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7", "")
	f.Add("a\"b", "a3ce929d0e0e4736", "1", `{{.Selector}} |= "{{.TraceID}}" | {{.ServiceLabel}}`)
	f.Add("", "1", "2", "{{.Nope}}")
	f.Add("x", "1", "2", "{{")
	f.Add("x", "1", "2", "-")
	f.Fuzz(func(t *testing.T, service, trace, span, text string) {
		tid, err := sources.ParseTraceID(trace)
		if err != nil {
			return
		}
		sid, err := sources.ParseSpanID(span)
		if err != nil {
			return
		}
		qs, err := TraceQueries("", []string{service}, tid, []Template{{Name: "--trace-query", Text: text, Default: DefaultTraceQuery}})
		if err != nil {
			if !strings.Contains(err.Error(), "--trace-query") {
				t.Errorf("the error does not name the template: %v", err)
			}
		} else if text == "" && !strings.Contains(qs[0], string(tid)) {
			t.Errorf("the default trace query %q lacks the trace ID", qs[0])
		}
		sq, err := SpanQueries("", service, tid, sid, DefaultTraceTemplates())
		if err != nil {
			t.Fatalf("SpanQueries with the default templates: %v", err)
		}
		for _, q := range sq {
			if q.BySpan && !strings.Contains(q.Query, string(sid)) {
				t.Errorf("span query %q lacks the span ID", q.Query)
			}
		}
	})
}

// FuzzREDQueries fills the RED presets for any service and window: no
// panic, the window written as PromQL reads it back, and the service's
// quoted value in every query reads back to it.
func FuzzREDQueries(f *testing.F) {
	f.Add("frontend", int64(5*time.Minute), false)
	f.Add(`a"b\c`+"\nd", int64(1500*time.Millisecond), true)
	f.Add("x.y*", int64(time.Hour), true)
	f.Fuzz(func(t *testing.T, service string, window int64, http bool) {
		d := time.Duration(window)
		if d > 0 && d%time.Millisecond == 0 {
			back, err := model.ParseDuration(PromDuration(d))
			if err != nil || time.Duration(back) != d {
				t.Errorf("PromDuration(%v) = %s reads back %v, %v", d, PromDuration(d), time.Duration(back), err)
			}
		}
		preset := "spanmetrics"
		if http {
			preset = "http"
		}
		qs, err := RED{Preset: preset}.Queries(service, d)
		if err != nil {
			t.Fatal(err)
		}
		quoted := `"` + promString(service) + `"`
		if v, err := strconv.Unquote(quoted); utf8.ValidString(service) && (err != nil || v != service) {
			t.Errorf("the service %q is written %s, which reads %q, %v", service, quoted, v, err)
		}
		for _, q := range qs {
			if !http && !strings.Contains(q.Query, "service_name="+quoted) {
				t.Errorf("query %s lacks service_name=%s", q.Query, quoted)
			}
		}
	})
}
