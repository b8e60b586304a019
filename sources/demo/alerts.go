package demo

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/telx-cli/telx/sources"
)

// EvalInterval is how often the demo's alerting rules are evaluated, as
// Prometheus' evaluation_interval.
const EvalInterval = 15 * time.Second

// AlertRule is one of the demo's alerting rules: a service's RED query
// (one the demo's metric source answers) above a threshold for a while,
// as a Prometheus rule file would hold it:
//
//	alert: Name
//	expr: Query > Threshold
//	for: For
//	labels: {service_name: Service, severity: Severity}
//	annotations: {summary: ..., description: ...}
type AlertRule struct {
	Name      string
	Service   string
	Query     string
	Threshold float64
	For       time.Duration
	Severity  string
	// Summary and Description fill the annotations from the query's value
	// at the last evaluation.
	Summary, Description func(v float64) string
}

// Expr is the rule's expression.
func (r AlertRule) Expr() string { return r.Query + " > " + formatFloat(r.Threshold) }

// AlertRules are the rules a shop like the demo's would page on: payments'
// failures, checkout's latency (what its customers wait for), and the
// database's slow statements behind both.
var AlertRules = []AlertRule{
	{
		Name: "PaymentsHighErrorRate", Service: Payments, Severity: "critical",
		Query: errorRatioQuery(Payments, 5*time.Minute), Threshold: 0.05, For: 2 * time.Minute,
		Summary: func(v float64) string { return Payments + " fails " + humanizePercentage(v) + " of its calls" },
		Description: func(v float64) string {
			return humanizePercentage(v) + " of payments' calls failed over the last 5 minutes" +
				" (above 5% for 2 minutes): orders cannot be paid."
		},
	},
	{
		Name: "CheckoutHighLatency", Service: Checkout, Severity: "warning",
		Query: latencyQuery(0.95, Checkout, 5*time.Minute), Threshold: 1000, For: 5 * time.Minute,
		Summary: func(v float64) string { return fmt.Sprintf("checkout p95 latency is %.0fms", v) },
		Description: func(v float64) string {
			return fmt.Sprintf("checkout's 95th percentile latency over the last 5 minutes is %.0fms"+
				" (above 1000ms for 5 minutes): customers wait to place their orders.", v)
		},
	},
	{
		Name: "PostgresSlowQueries", Service: Postgres, Severity: "warning",
		Query: latencyQuery(0.99, Postgres, 5*time.Minute), Threshold: 1000, For: 15 * time.Minute,
		Summary: func(v float64) string { return fmt.Sprintf("postgres p99 latency is %.0fms", v) },
		Description: func(v float64) string {
			return fmt.Sprintf("postgres' 99th percentile statement latency over the last 5 minutes is %.0fms"+
				" (the rule fires when it stays above 1000ms for 15 minutes): look for lock waits.", v)
		},
	},
}

// errorRatioQuery and latencyQuery write the queries of `telx metrics
// --service` (spanmetrics preset), which the demo's metric source answers.
func errorRatioQuery(service string, window time.Duration) string {
	sel := fmt.Sprintf(`service_name=%q,span_kind="%s"`, service, spanKindServer)
	return fmt.Sprintf(`(sum(rate(%s{%s,status_code="%s"}[%s])) or vector(0)) / sum(rate(%s{%s}[%s]))`,
		CallsMetric, sel, statusError, promDuration(window), CallsMetric, sel, promDuration(window))
}

func latencyQuery(q float64, service string, window time.Duration) string {
	return fmt.Sprintf(`histogram_quantile(%s, sum by (le) (rate(%s_bucket{service_name=%q,span_kind="%s"}[%s])))`,
		formatFloat(q), DurationMetric, service, spanKindServer, promDuration(window))
}

func promDuration(d time.Duration) string { return strconv.Itoa(int(d/time.Minute)) + "m" }

// humanizePercentage formats a ratio as Prometheus' template function of
// the name does: 0.3141 is 31.41%.
func humanizePercentage(v float64) string { return fmt.Sprintf("%.4g%%", v*100) }

// Alerts returns the alerts the rules have active at the end of the
// scenario, most recently active first, as Prometheus would report them
// had it evaluated the rules every EvalInterval over the scenario's span
// metrics: an alert is active since the first of the evaluations in a row,
// up to the end, that found its query above the threshold; it is firing
// once that lasted the rule's For, pending before. Its value is the
// query's at the end.
func (sc *Scenario) Alerts() []sources.Alert {
	var out []sources.Alert
	for _, r := range AlertRules {
		if a, ok := r.eval(sc.Metrics, sc.Now); ok {
			out = append(out, a)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].ActiveAt.After(out[j].ActiveAt) })
	return out
}

// eval evaluates the rule at every EvalInterval back from now while it
// holds.
func (r AlertRule) eval(m *Metrics, now time.Time) (sources.Alert, bool) {
	rq, ok := parsePromQL(r.Query)
	if !ok {
		panic("demo: alerting rule " + r.Name + " has a query the demo does not answer")
	}
	above := func(t time.Time) (float64, bool) {
		v, ok := m.eval(rq, t)
		return v, ok && v > r.Threshold // NaN is never above
	}
	v, ok := above(now)
	if !ok {
		return sources.Alert{}, false
	}
	since := now
	for t := now.Add(-EvalInterval); ; t = t.Add(-EvalInterval) {
		if _, ok := above(t); !ok {
			break
		}
		since = t
	}
	state := "pending"
	if now.Sub(since) >= r.For {
		state = "firing"
	}
	return sources.Alert{
		Name:  r.Name,
		State: state,
		Labels: map[string]string{
			"alertname": r.Name, "service_name": r.Service, "severity": r.Severity,
		},
		Annotations: map[string]string{"summary": r.Summary(v), "description": r.Description(v)},
		ActiveAt:    since,
		Value:       strconv.FormatFloat(v, 'e', -1, 64),
	}, true
}

// Alerts returns the active alerts of the demo's alerting rules at the end
// of the scenario (see Scenario.Alerts).
func (s *Source) Alerts(ctx context.Context) ([]sources.Alert, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return s.sc.Alerts(), nil
}
