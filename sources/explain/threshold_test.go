package explain

import (
	"math"
	"testing"
	"time"

	"github.com/telx-cli/telx/sources"
)

func TestParseThreshold(t *testing.T) {
	tests := []struct {
		expr  string
		ok    bool
		query string
		op    string
		value float64
	}{
		{"up == 0", true, "up", "==", 0},
		{`sum by (service_name) (rate(x{status_code="ERROR"}[5m])) / sum by (service_name) (rate(x[5m])) > 0.05`, true,
			`sum by (service_name) (rate(x{status_code="ERROR"}[5m])) / sum by (service_name) (rate(x[5m]))`, ">", 0.05},
		{"histogram_quantile(0.95, sum by (le) (rate(d_bucket[5m]))) > 500\n", true, "histogram_quantile(0.95, sum by (le) (rate(d_bucket[5m])))", ">", 500},
		{"(rate(x[5m]) >= 1e3)", false, "", "", 0}, // the comparison is not at the top level
		{"rate(x[5m]) >= bool 1e3", true, "rate(x[5m])", ">=", 1000},
		{"10 < rate(x[1m])", true, "rate(x[1m])", ">", 10},
		{"x > (-5)", true, "x", ">", -5},
		{"x != 0x10", true, "x", "!=", 16},
		{`x{a!="b", c=~"<>"} <= 3 # a comment > 7`, true, `x{a!="b", c=~"<>"}`, "<=", 3},
		{`x{a="1 > 2"} < 2`, true, `x{a="1 > 2"}`, "<", 2},
		{"x > y", false, "", "", 0},
		{"x > 1 and y > 2", false, "", "", 0},
		{"x > 1 or y", false, "", "", 0},
		{"x > on(job) y", false, "", "", 0},
		{"x > 1 > 2", false, "", "", 0},
		{"1 > 2", false, "", "", 0},
		{"rate(x[5m])", false, "", "", 0},
		{"x > ", false, "", "", 0},
		{"> 3", false, "", "", 0},
		{`x{a="unterminated} > 3`, false, "", "", 0},
		{"x) > 3", false, "", "", 0},
		{"", false, "", "", 0},
		{"x > 5m", false, "", "", 0},
		{"()<0X000", false, "", "", 0}, // found by FuzzParseThreshold: no query left
		{"orders_total > 3", true, "orders_total", ">", 3},
		{"x > Inf", true, "x", ">", math.Inf(1)},
	}
	for _, tt := range tests {
		got, ok := ParseThreshold(tt.expr)
		if ok != tt.ok {
			t.Errorf("%q: ok %v, want %v (%+v)", tt.expr, ok, tt.ok, got)
			continue
		}
		if ok && (got.Query != tt.query || got.Op != tt.op || got.Value != tt.value) {
			t.Errorf("%q: %+v, want %q %s %v", tt.expr, got, tt.query, tt.op, tt.value)
		}
	}
}

func FuzzParseThreshold(f *testing.F) {
	for _, s := range []string{"x > 1", `a{b="c"} <= bool 2`, "(1 < (x))", "x > 1 # c\n", "`` > 3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		th, ok := ParseThreshold(s)
		if ok && (th.Query == "" || flip[th.Op] == "") {
			t.Fatalf("%q: %+v", s, th)
		}
	})
}

func TestHolds(t *testing.T) {
	for _, tt := range []struct {
		op   string
		v    float64
		want bool
	}{{">", 2, true}, {">", 1, false}, {">=", 1, true}, {"<", 0, true}, {"<=", 1, true}, {"==", 1, true}, {"!=", 1, false}, {">", math.NaN(), false}, {"?", 5, false}} {
		if got := (Threshold{Op: tt.op, Value: 1}).Holds(tt.v); got != tt.want {
			t.Errorf("%v %s 1: %v", tt.v, tt.op, got)
		}
	}
}

func TestCrossing(t *testing.T) {
	t0 := time.Date(2026, 1, 15, 14, 0, 0, 0, time.UTC)
	pts := func(vs ...float64) []sources.Point {
		out := make([]sources.Point, len(vs))
		for i, v := range vs {
			out[i] = sources.Point{Time: t0.Add(time.Duration(i) * time.Minute), Value: v}
		}
		return out
	}
	th := Threshold{Op: ">", Value: 5}
	tests := []struct {
		name string
		pts  []sources.Point
		at   int // -1: zero
		held bool
	}{
		{"crosses", pts(1, 2, 6, 7), 2, false},
		{"crosses twice: the last", pts(6, 1, 7, 8), 2, false},
		{"held all along", pts(6, 7, 8), 0, true},
		{"never", pts(1, 2, 3), -1, false},
		{"back under: the last run", pts(1, 6, 7, 2), 1, false},
		{"none", nil, -1, false},
		{"NaN breaks", pts(6, math.NaN(), 7), 2, false},
	}
	for _, tt := range tests {
		at, held := Crossing(tt.pts, th)
		want := time.Time{}
		if tt.at >= 0 {
			want = t0.Add(time.Duration(tt.at) * time.Minute)
		}
		if !at.Equal(want) || held != tt.held {
			t.Errorf("%s: %v %v, want %v %v", tt.name, at, held, want, tt.held)
		}
	}
}

func TestFindRule(t *testing.T) {
	groups := []sources.RuleGroup{{Rules: []sources.Rule{
		{Kind: sources.RuleRecording, Name: "HighErrorRate"},
		{Kind: sources.RuleAlerting, Name: "HighErrorRate", Query: "a > 1", Labels: map[string]string{"severity": "page"}},
		{Kind: sources.RuleAlerting, Name: "HighErrorRate", Query: "b > 1", Labels: map[string]string{"severity": "warn", "team": "{{ $labels.team }}"}},
		{Kind: sources.RuleAlerting, Name: "Other", Query: "c > 1"},
	}}}
	for _, tt := range []struct {
		labels map[string]string
		want   string
	}{
		{map[string]string{"alertname": "HighErrorRate", "severity": "page"}, "a > 1"},
		{map[string]string{"alertname": "HighErrorRate", "severity": "warn", "team": "x"}, "b > 1"},
		{map[string]string{"alertname": "HighErrorRate", "severity": "info"}, ""},
		{map[string]string{"alertname": "Other"}, "c > 1"},
	} {
		r := FindRule(groups, Alert{Name: tt.labels["alertname"], Labels: tt.labels})
		got := ""
		if r != nil {
			got = r.Query
		}
		if got != tt.want {
			t.Errorf("%v: rule %q, want %q", tt.labels, got, tt.want)
		}
	}
}

func TestFindAndService(t *testing.T) {
	a := FromPrometheus(sources.Alert{Name: "X", Labels: map[string]string{"alertname": "X", "job": "api"}, ActiveAt: time.Unix(100, 0)})
	b := FromPrometheus(sources.Alert{Name: "X", Labels: map[string]string{"alertname": "X", "service": "web", "job": "w"}, ActiveAt: time.Unix(200, 0)})
	if got := Find([]Alert{a, b}, "X"); len(got) != 2 || got[0].Fingerprint != b.Fingerprint {
		t.Errorf("by name: %v", got)
	}
	if got := Find([]Alert{a, b}, a.Fingerprint); len(got) != 1 || got[0].Labels["job"] != "api" {
		t.Errorf("by fingerprint: %v", got)
	}
	if s, l := b.Service(nil); s != "web" || l != "service" {
		t.Errorf("service %q %q", s, l)
	}
	if s, l := b.Service([]string{"job"}); s != "w" || l != "job" {
		t.Errorf("service %q %q", s, l)
	}
	if got := ParseServiceLabels(" app, ,job "); len(got) != 2 || got[0] != "app" {
		t.Errorf("%v", got)
	}
	// Alertmanager's fingerprint of the labels (as its API reports it)
	if fp := Fingerprint(map[string]string{"alertname": "HighLatency", "service_name": "frontend", "severity": "warn"}); len(fp) != 16 {
		t.Errorf("fingerprint %q", fp)
	}
}
