package correlate

import (
	"strings"
	"testing"
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
