package explain

import (
	"sort"
	"strings"
	"time"

	"github.com/prometheus/common/model"

	"github.com/telx-cli/telx/sources"
)

// Alert is an alert as the explorer's list and the evidence show it,
// from Prometheus or from Alertmanager.
type Alert struct {
	Name        string            `json:"name"`
	Labels      map[string]string `json:"labels"`
	Annotations map[string]string `json:"annotations,omitempty"`
	// Fingerprint is Alertmanager's (the hash of the labels, computed the
	// same way for Prometheus' alerts).
	Fingerprint string `json:"fingerprint"`
	// State is Prometheus' (firing or pending); with Alertmanager, which
	// holds only firing alerts, firing.
	State string `json:"state"`
	// Status is Alertmanager's (active, silenced, inhibited,
	// unprocessed); empty for Prometheus' alerts.
	Status      string   `json:"status,omitempty"`
	SilencedBy  []string `json:"silencedBy,omitempty"`
	InhibitedBy []string `json:"inhibitedBy,omitempty"`
	// ActiveAt is when it went pending (Prometheus), or zero;
	// StartsAt when it fired (Alertmanager), or zero.
	ActiveAt time.Time `json:"activeAt,omitzero"`
	StartsAt time.Time `json:"startsAt,omitzero"`
	// Value is the value Prometheus last found (its text).
	Value string `json:"value,omitempty"`
}

// FromPrometheus is a Prometheus alert.
func FromPrometheus(a sources.Alert) Alert {
	return Alert{Name: a.Name, Labels: a.Labels, Annotations: a.Annotations, Fingerprint: Fingerprint(a.Labels),
		State: a.State, ActiveAt: a.ActiveAt, Value: a.Value}
}

// FromManaged is an Alertmanager alert.
func FromManaged(a sources.ManagedAlert) Alert {
	fp := a.Fingerprint
	if fp == "" {
		fp = Fingerprint(a.Labels)
	}
	return Alert{Name: a.Name, Labels: a.Labels, Annotations: a.Annotations, Fingerprint: fp,
		State: "firing", Status: a.Status(), SilencedBy: a.SilencedBy, InhibitedBy: a.InhibitedBy, StartsAt: a.StartsAt}
}

// Fingerprint is the hash of labels Alertmanager names an alert by
// (16 hex digits).
func Fingerprint(labels map[string]string) string {
	ls := make(model.LabelSet, len(labels))
	for k, v := range labels {
		ls[model.LabelName(k)] = model.LabelValue(v)
	}
	return ls.Fingerprint().String()
}

// Since is when the alert became active: pending (Prometheus), else fired.
func (a Alert) Since() time.Time {
	if !a.ActiveAt.IsZero() {
		return a.ActiveAt
	}
	return a.StartsAt
}

// Service is the service the alert names: the value of the first of
// labels it has (DefaultServiceLabels when labels is empty), and that
// label.
func (a Alert) Service(labels []string) (service, label string) {
	if len(labels) == 0 {
		labels = DefaultServiceLabels
	}
	for _, l := range labels {
		if v := strings.TrimSpace(a.Labels[l]); v != "" {
			return v, l
		}
	}
	return "", ""
}

// DefaultServiceLabels are the labels that name an alert's service, in
// the order they are looked for.
var DefaultServiceLabels = []string{"service_name", "service", "job"}

// ParseServiceLabels reads a comma-separated list of label names (a flag,
// a context's entry); empty gives the defaults.
func ParseServiceLabels(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	if len(out) == 0 {
		return DefaultServiceLabels
	}
	return out
}

// Find returns the alerts that arg names: by fingerprint, else by name,
// most recently active first.
func Find(alerts []Alert, arg string) []Alert {
	arg = strings.TrimSpace(arg)
	var byName []Alert
	for _, a := range alerts {
		if a.Fingerprint == arg {
			return []Alert{a}
		}
		if a.Name == arg {
			byName = append(byName, a)
		}
	}
	sort.SliceStable(byName, func(i, j int) bool { return byName[i].Since().After(byName[j].Since()) })
	return byName
}

// FindRule returns the alerting rule an alert comes from: of the alert's
// name, each of its labels the alert's (a templated value, which
// Prometheus fills per alert, matches any); among several, the one whose
// active alerts hold the alert's labels. Nil when none is.
func FindRule(groups []sources.RuleGroup, a Alert) *sources.Rule {
	var found []*sources.Rule
	for gi := range groups {
		for ri := range groups[gi].Rules {
			r := &groups[gi].Rules[ri]
			if r.Kind != sources.RuleAlerting || r.Name != a.Name || !labelsAgree(r.Labels, a.Labels) {
				continue
			}
			found = append(found, r)
		}
	}
	if len(found) <= 1 {
		if len(found) == 1 {
			return found[0]
		}
		return nil
	}
	for _, r := range found {
		for _, ra := range r.Alerts {
			if sameLabels(ra.Labels, a.Labels) {
				return r
			}
		}
	}
	return found[0]
}

func labelsAgree(rule, alert map[string]string) bool {
	for k, v := range rule {
		if strings.Contains(v, "{{") {
			continue
		}
		if alert[k] != v {
			return false
		}
	}
	return true
}

func sameLabels(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if bv, ok := b[k]; !ok || bv != v {
			return false
		}
	}
	return true
}

// SeriesOfAlert tells whether a series of the rule's expression is the
// alert's: each of its labels (but the metric name) is the alert's.
func SeriesOfAlert(s sources.Series, a Alert) bool {
	for k, v := range s.Labels {
		if k == "__name__" {
			continue
		}
		if a.Labels[k] != v {
			return false
		}
	}
	return true
}

// Crossing returns when pts (in time order) last crossed into t: the
// first point of the last run of points that satisfy t, after one that
// did not. held says that run starts at the first point (the crossing is
// before the window). Zero when no point satisfies t.
func Crossing(pts []sources.Point, t Threshold) (at time.Time, held bool) {
	j := len(pts) - 1
	for j >= 0 && !t.Holds(pts[j].Value) {
		j--
	}
	if j < 0 {
		return time.Time{}, false
	}
	i := j
	for i > 0 && t.Holds(pts[i-1].Value) {
		i--
	}
	return pts[i].Time, i == 0
}

// Merge is the alerts list of Alertmanager's alerts and Prometheus'
// alerts: Alertmanager's (with its state and silences), each with the
// time Prometheus says it went pending and its value when Prometheus has
// the alert of the same fingerprint, then Prometheus' alerts that
// Alertmanager does not hold (the pending ones, those not sent yet).
// With no Alertmanager alerts, Prometheus' alone.
func Merge(prom []sources.Alert, am []sources.ManagedAlert) []Alert {
	byFP := make(map[string]sources.Alert, len(prom))
	for _, a := range prom {
		byFP[Fingerprint(a.Labels)] = a
	}
	out := make([]Alert, 0, len(prom)+len(am))
	held := map[string]bool{}
	for _, m := range am {
		a := FromManaged(m)
		if p, ok := byFP[a.Fingerprint]; ok {
			a.ActiveAt, a.Value = p.ActiveAt, p.Value
		}
		held[a.Fingerprint] = true
		out = append(out, a)
	}
	for _, p := range prom {
		if a := FromPrometheus(p); !held[a.Fingerprint] {
			out = append(out, a)
		}
	}
	return out
}
