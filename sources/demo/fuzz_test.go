package demo

import (
	"testing"
	"time"
	"unicode/utf8"

	"github.com/telx-cli/telx/sources/correlate"
)

// FuzzPromQL reads any query with the demo's PromQL subset: no panic;
// and each RED query telx builds for any service and window parses back
// to that service (a UTF-8 one, as label values are), window and kind.
func FuzzPromQL(f *testing.F) {
	f.Add("frontend", int64(5*time.Minute), "")
	f.Add(`a"b\c`, int64(90*time.Second), `sum(rate(traces_span_metrics_calls_total{service_name="x",span_kind="SPAN_KIND_SERVER"}[5m]))`)
	f.Add("日本", int64(time.Hour), `histogram_quantile(0.95, sum by (le) (rate(traces_span_metrics_duration_milliseconds_bucket{service_name="x",span_kind="SPAN_KIND_SERVER"}[0s])))`)
	f.Fuzz(func(t *testing.T, service string, window int64, q string) {
		parsePromQL(q)
		d := time.Duration(window)
		if d <= 0 || d%time.Millisecond != 0 || !utf8.ValidString(service) {
			return // Prometheus' label values are UTF-8
		}
		qs, err := correlate.RED{}.Queries(service, d)
		if err != nil {
			t.Fatal(err)
		}
		for _, rq := range qs {
			got, ok := parsePromQL(rq.Query)
			if !ok {
				t.Errorf("the %s query %s does not parse", rq.Name, rq.Query)
				continue
			}
			if got.service != service || got.window != d {
				t.Errorf("the %s query %s parses to service %q window %v", rq.Name, rq.Query, got.service, got.window)
			}
		}
	})
}
