package demo

import (
	"context"
	"errors"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/telx-cli/telx/sources/correlate"
)

// The alerts of the embedded incident at its own time: which rules hold at
// the end, since when, in which state.
func TestAlerts(t *testing.T) {
	tests := []struct {
		name, state, service, severity string
		// when it became active, after the incident's start
		after time.Duration
	}{
		// most recently active first
		{"CheckoutHighLatency", "firing", Checkout, "warning", 11*time.Minute + 15*time.Second},
		{"PostgresSlowQueries", "pending", Postgres, "warning", 10 * time.Minute},
		{"PaymentsHighErrorRate", "firing", Payments, "critical", 5 * time.Minute},
	}
	src := testSource(t)
	sc := src.Scenario()
	got, err := src.Alerts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(tests) {
		t.Fatalf("%d alerts, want %d: %+v", len(got), len(tests), got)
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := got[i]
			if a.Name != tt.name || a.State != tt.state {
				t.Fatalf("alert %d is %s %s, want %s %s", i, a.State, a.Name, tt.state, tt.name)
			}
			want := map[string]string{"alertname": tt.name, "service_name": tt.service, "severity": tt.severity}
			if !reflect.DeepEqual(a.Labels, want) {
				t.Errorf("labels %v, want %v", a.Labels, want)
			}
			if at := sc.IncidentStart.Add(tt.after); !a.ActiveAt.Equal(at) {
				t.Errorf("active since %v (%v after the incident's start), want %v", a.ActiveAt, a.ActiveAt.Sub(sc.IncidentStart), at)
			}
			if !strings.HasPrefix(a.Annotations["summary"], tt.service+" ") || a.Annotations["description"] == "" || len(a.Annotations) != 2 {
				t.Errorf("annotations %v", a.Annotations)
			}
		})
	}
}

// At any end time (the demo ends when telx starts), each alert is what
// Prometheus evaluating its rule every EvalInterval would report: active
// since the first of the evaluations in a row that found the query above
// the threshold, up to the end, inside the incident; firing once that
// lasted the rule's For; its value the query's at the end, as the metric
// source answers it.
func TestAlertsFollowTheRules(t *testing.T) {
	for _, now := range []time.Time{DatasetNow, testNow, time.Date(2027, 6, 1, 3, 17, 42, 123e6, time.UTC)} {
		t.Run(now.Format(time.RFC3339Nano), func(t *testing.T) {
			sc, err := Load(now)
			if err != nil {
				t.Fatal(err)
			}
			src := NewSource(sc)
			ctx := context.Background()
			alerts := sc.Alerts()
			if len(alerts) != len(AlertRules) {
				t.Errorf("%d alerts of %d rules", len(alerts), len(AlertRules))
			}
			for i, a := range alerts {
				if i > 0 && a.ActiveAt.After(alerts[i-1].ActiveAt) {
					t.Errorf("%s is more recently active than %s before it", a.Name, alerts[i-1].Name)
				}
				var r AlertRule
				for _, r = range AlertRules {
					if r.Name == a.Name {
						break
					}
				}
				if r.Name != a.Name || a.Labels["alertname"] != a.Name || a.Labels["service_name"] != r.Service {
					t.Fatalf("alert %s: rule %s, labels %v", a.Name, r.Name, a.Labels)
				}
				value := func(at time.Time) float64 {
					res, err := src.Query(ctx, r.Query, at)
					if err != nil || len(res.Series) != 1 {
						t.Fatalf("%s at %v: %v %+v", r.Query, at, err, res)
					}
					return res.Series[0].Points[0].Value
				}
				if a.ActiveAt.Before(sc.IncidentStart) || a.ActiveAt.After(sc.Now) {
					t.Errorf("%s active since %v, outside the incident %v to %v", a.Name, a.ActiveAt, sc.IncidentStart, sc.Now)
				}
				if d := sc.Now.Sub(a.ActiveAt); d%EvalInterval != 0 {
					t.Errorf("%s active since %v, not an evaluation (%v before the end)", a.Name, a.ActiveAt, d)
				}
				for at := a.ActiveAt; !at.After(sc.Now); at = at.Add(EvalInterval) {
					if v := value(at); !(v > r.Threshold) {
						t.Fatalf("%s: %s is %g at %v, not above %g", a.Name, r.Query, v, at, r.Threshold)
					}
				}
				if v := value(a.ActiveAt.Add(-EvalInterval)); v > r.Threshold {
					t.Errorf("%s: %s is already %g, above %g, at the evaluation before it became active", a.Name, r.Query, v, r.Threshold)
				}
				if firing := sc.Now.Sub(a.ActiveAt) >= r.For; a.State != map[bool]string{true: "firing", false: "pending"}[firing] {
					t.Errorf("%s is %s, active for %v of %v", a.Name, a.State, sc.Now.Sub(a.ActiveAt), r.For)
				}
				v := value(sc.Now)
				if got, err := strconv.ParseFloat(a.Value, 64); err != nil || got != v {
					t.Errorf("%s: value %q, want %g", a.Name, a.Value, v)
				}
				if a.Annotations["summary"] != r.Summary(v) || a.Annotations["description"] != r.Description(v) {
					t.Errorf("%s: annotations %v", a.Name, a.Annotations)
				}
			}
		})
	}
}

// The rules' queries are the RED view's (telx metrics --service S), so
// that the Metrics pane shows what an alert fired on; nothing holds
// before the incident.
func TestAlertRules(t *testing.T) {
	sc := Generate(1, testNow, Options{Traces: 10, BigTraceBatches: 1})
	for _, r := range AlertRules {
		t.Run(r.Name, func(t *testing.T) {
			qs, err := correlate.RED{}.Queries(r.Service, 5*time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, q := range qs {
				found = found || q.Query == r.Query
			}
			if !found {
				t.Errorf("query %s is none of the RED view's of %s", r.Query, r.Service)
			}
			if !strings.HasSuffix(r.Expr(), " > "+strconv.FormatFloat(r.Threshold, 'g', -1, 64)) {
				t.Errorf("expr %s", r.Expr())
			}
			if _, ok := r.eval(sc.Metrics, sc.IncidentStart); ok {
				t.Errorf("%s holds when the incident starts", r.Name)
			}
			if _, ok := r.eval(sc.Metrics, sc.IncidentStart.Add(-time.Hour)); ok {
				t.Errorf("%s holds an hour before the incident", r.Name)
			}
		})
	}
}

func TestAlertsCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := testSource(t).Alerts(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("error %v, want context.Canceled", err)
	}
}
