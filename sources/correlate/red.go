package correlate

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"text/template"
	"time"
)

// A RED preset: the templates of a service's request rate, error ratio
// and latency quantile, and the unit of the latency.
type REDPreset struct {
	Rate, Errors, Latency string
	LatencyUnit           string // a unit name render.ParseUnit reads
}

// REDPresets are the RED views telx knows, by name.
var REDPresets = map[string]REDPreset{
	// the OpenTelemetry Collector's span-metrics connector
	"spanmetrics": {
		Rate:        `sum(rate(traces_span_metrics_calls_total{service_name="{{.Service}}",span_kind="SPAN_KIND_SERVER"}[{{.Window}}]))`,
		Errors:      `(sum(rate(traces_span_metrics_calls_total{service_name="{{.Service}}",span_kind="SPAN_KIND_SERVER",status_code="STATUS_CODE_ERROR"}[{{.Window}}])) or vector(0)) / sum(rate(traces_span_metrics_calls_total{service_name="{{.Service}}",span_kind="SPAN_KIND_SERVER"}[{{.Window}}]))`,
		Latency:     `histogram_quantile({{.Quantile}}, sum by (le) (rate(traces_span_metrics_duration_milliseconds_bucket{service_name="{{.Service}}",span_kind="SPAN_KIND_SERVER"}[{{.Window}}])))`,
		LatencyUnit: "milliseconds",
	},
	// the HTTP semantic conventions' http.server.request.duration, as the
	// OpenTelemetry Prometheus exporter names it (service.name is the job)
	"http": {
		Rate:        `sum(rate(http_server_request_duration_seconds_count{job=~"(.+/)?{{.ServiceRegex}}"}[{{.Window}}]))`,
		Errors:      `(sum(rate(http_server_request_duration_seconds_count{job=~"(.+/)?{{.ServiceRegex}}",http_response_status_code=~"5.."}[{{.Window}}])) or vector(0)) / sum(rate(http_server_request_duration_seconds_count{job=~"(.+/)?{{.ServiceRegex}}"}[{{.Window}}]))`,
		Latency:     `histogram_quantile({{.Quantile}}, sum by (le) (rate(http_server_request_duration_seconds_bucket{job=~"(.+/)?{{.ServiceRegex}}"}[{{.Window}}])))`,
		LatencyUnit: "seconds",
	},
}

// DefaultREDPreset is the preset of telx metrics --service and the
// explorer's Metrics pane.
const DefaultREDPreset = "spanmetrics"

// REDQuery is one row group of a RED view: rate, errors, p50, p95, p99.
type REDQuery struct {
	Name, Query string
	Unit        string // a unit name render.ParseUnit reads
}

// RED says which queries make a service's RED view: a preset, and
// templates that replace its own (empty: the preset's).
type RED struct {
	Preset                string
	Rate, Errors, Latency string
}

// Queries fills the templates for service, rates taken over window. An
// error names the flag of the template at fault.
func (o RED) Queries(service string, window time.Duration) ([]REDQuery, error) {
	name := o.Preset
	if name == "" {
		name = DefaultREDPreset
	}
	p, ok := REDPresets[name]
	if !ok {
		return nil, fmt.Errorf("--preset %q: want spanmetrics or http", name)
	}
	rate, errs, lat := p.Rate, p.Errors, p.Latency
	if o.Rate != "" {
		rate = o.Rate
	}
	if o.Errors != "" {
		errs = o.Errors
	}
	if o.Latency != "" {
		lat = o.Latency
	}
	data := struct {
		Service, ServiceRegex, Window string
		Quantile                      string
	}{promString(service), promString(regexp.QuoteMeta(service)), PromDuration(window), ""}
	var out []REDQuery
	add := func(name, flag, text string, q float64, unit string) error {
		t, err := template.New(flag).Option("missingkey=error").Parse(text)
		if err != nil {
			return fmt.Errorf("--%s: %w", flag, err)
		}
		data.Quantile = strconv.FormatFloat(q, 'g', -1, 64)
		var b strings.Builder
		if err := t.Execute(&b, data); err != nil {
			return fmt.Errorf("--%s: %w", flag, err)
		}
		out = append(out, REDQuery{Name: name, Query: b.String(), Unit: unit})
		return nil
	}
	if err := add("rate", "rate-query", rate, 0, "persecond"); err != nil {
		return nil, err
	}
	if err := add("errors", "error-query", errs, 0, "ratio"); err != nil {
		return nil, err
	}
	for _, q := range []struct {
		name string
		q    float64
	}{{"p50", 0.5}, {"p95", 0.95}, {"p99", 0.99}} {
		if err := add(q.name, "latency-query", lat, q.q, p.LatencyUnit); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// promString escapes s for a PromQL double-quoted string.
func promString(s string) string {
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s)
}

// PromDuration formats d as PromQL reads it: 90s, 5m, 1h.
func PromDuration(d time.Duration) string {
	switch {
	case d%time.Hour == 0:
		return strconv.FormatInt(int64(d/time.Hour), 10) + "h"
	case d%time.Minute == 0:
		return strconv.FormatInt(int64(d/time.Minute), 10) + "m"
	case d%time.Second == 0:
		return strconv.FormatInt(int64(d/time.Second), 10) + "s"
	}
	return strconv.FormatInt(d.Milliseconds(), 10) + "ms"
}
