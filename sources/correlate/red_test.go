package correlate

import (
	"strings"
	"testing"
	"time"
)

func TestREDQueries(t *testing.T) {
	qs, err := RED{}.Queries(`pay"ments`, 90*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, q := range qs {
		names = append(names, q.Name+":"+q.Unit)
	}
	if got := strings.Join(names, " "); got != "rate:persecond errors:ratio p50:milliseconds p95:milliseconds p99:milliseconds" {
		t.Errorf("queries %s", got)
	}
	if want := `sum(rate(traces_span_metrics_calls_total{service_name="pay\"ments",span_kind="SPAN_KIND_SERVER"}[90s]))`; qs[0].Query != want {
		t.Errorf("rate %s, want %s", qs[0].Query, want)
	}
	if !strings.HasPrefix(qs[4].Query, "histogram_quantile(0.99, ") {
		t.Errorf("p99 %s", qs[4].Query)
	}
	qs, err = RED{Preset: "http", Latency: `q({{.Quantile}}, "{{.ServiceRegex}}", {{.Window}})`}.Queries("a.b", time.Hour)
	if err != nil || qs[2].Query != `q(0.5, "a\\.b", 1h)` || qs[2].Unit != "seconds" {
		t.Errorf("http with a latency template: %v %v", qs, err)
	}
	if _, err := (RED{Errors: "{{.Nope}}"}).Queries("x", time.Minute); err == nil || !strings.HasPrefix(err.Error(), "--error-query: ") {
		t.Errorf("a bad template: %v", err)
	}
	if _, err := (RED{Preset: "nope"}).Queries("x", time.Minute); err == nil {
		t.Error("an unknown preset gave no error")
	}
}
