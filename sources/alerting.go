package sources

import (
	"context"
	"time"
)

// ManagedAlert is an alert as Alertmanager holds it: what Prometheus (or
// another client) sent it, with what Alertmanager made of it (its state,
// the silences and alerts that mute it, where it is routed).
type ManagedAlert struct {
	Name        string            `json:"name"`
	Labels      map[string]string `json:"labels"`
	Annotations map[string]string `json:"annotations,omitempty"`
	// State is Alertmanager's: active, suppressed or unprocessed.
	State string `json:"state"`
	// SilencedBy are the IDs of the silences muting it, InhibitedBy the
	// fingerprints of the alerts inhibiting it.
	SilencedBy  []string `json:"silencedBy,omitempty"`
	InhibitedBy []string `json:"inhibitedBy,omitempty"`
	// Receivers are the names of the receivers it is routed to.
	Receivers    []string  `json:"receivers,omitempty"`
	Fingerprint  string    `json:"fingerprint"`
	StartsAt     time.Time `json:"startsAt"`
	UpdatedAt    time.Time `json:"updatedAt"`
	EndsAt       time.Time `json:"endsAt"`
	GeneratorURL string    `json:"generatorURL,omitempty"`
}

// Alert states as telx shows them (ManagedAlert.Status).
const (
	AlertActive      = "active"
	AlertSilenced    = "silenced"
	AlertInhibited   = "inhibited"
	AlertUnprocessed = "unprocessed"
)

// Status is the alert's state in one word: active, silenced (when a
// silence mutes it, inhibited or not), inhibited or unprocessed.
func (a ManagedAlert) Status() string {
	switch {
	case len(a.SilencedBy) > 0:
		return AlertSilenced
	case len(a.InhibitedBy) > 0:
		return AlertInhibited
	case a.State == "unprocessed":
		return AlertUnprocessed
	}
	return AlertActive
}

// AlertGroup is one of Alertmanager's groups of alerts: the alerts of one
// route (receiver) that share the route's group_by labels.
type AlertGroup struct {
	Labels   map[string]string `json:"labels"`
	Receiver string            `json:"receiver"`
	Alerts   []ManagedAlert    `json:"alerts"`
}

// AlertFilter selects Alertmanager's alerts. With none of the states set,
// only the active alerts are returned (as amtool does).
type AlertFilter struct {
	Matchers    []Matcher
	Active      bool
	Silenced    bool
	Inhibited   bool
	Unprocessed bool
	// Receiver is a regular expression the receiver's name must match.
	Receiver string
}

// Silence is an Alertmanager silence.
type Silence struct {
	ID        string    `json:"id,omitempty"`
	Matchers  []Matcher `json:"matchers"`
	StartsAt  time.Time `json:"startsAt"`
	EndsAt    time.Time `json:"endsAt"`
	UpdatedAt time.Time `json:"updatedAt,omitzero"`
	CreatedBy string    `json:"createdBy"`
	Comment   string    `json:"comment"`
	// State is active, pending (it starts later) or expired.
	State string `json:"state,omitempty"`
}

// Silence states.
const (
	SilenceActive  = "active"
	SilencePending = "pending"
	SilenceExpired = "expired"
)

// AlertManager is an Alertmanager: its alerts, groups and silences.
type AlertManager interface {
	// ManagedAlerts returns the alerts f selects, in Alertmanager's order.
	ManagedAlerts(ctx context.Context, f AlertFilter) ([]ManagedAlert, error)
	// AlertGroups returns the groups of the alerts f selects.
	AlertGroups(ctx context.Context, f AlertFilter) ([]AlertGroup, error)
	// Silences returns the silences that have each of ms among their
	// matchers (all when empty), of every state.
	Silences(ctx context.Context, ms []Matcher) ([]Silence, error)
	// Silence returns one silence; an unknown ID gives an error wrapping
	// ErrNotFound.
	Silence(ctx context.Context, id string) (*Silence, error)
	// PutSilence creates a silence, or updates the one of s.ID, and
	// returns its ID.
	PutSilence(ctx context.Context, s Silence) (string, error)
	// ExpireSilence ends a silence now.
	ExpireSilence(ctx context.Context, id string) error
}

// RuleGroup is a group of Prometheus rules, evaluated together.
type RuleGroup struct {
	Name     string        `json:"name"`
	File     string        `json:"file"`
	Interval time.Duration `json:"interval"`
	Rules    []Rule        `json:"rules"`
	// LastEvaluation and EvaluationTime are those of the group's last
	// evaluation (zero when Prometheus does not say).
	LastEvaluation time.Time     `json:"lastEvaluation,omitzero"`
	EvaluationTime time.Duration `json:"evaluationTime"`
}

// Rule kinds.
const (
	RuleAlerting  = "alerting"
	RuleRecording = "recording"
)

// Rule is one alerting or recording rule.
type Rule struct {
	Kind  string `json:"kind"` // alerting or recording
	Name  string `json:"name"`
	Query string `json:"query"`
	// For is how long an alerting rule's expression must hold before it
	// fires.
	For         time.Duration     `json:"for,omitempty"`
	Labels      map[string]string `json:"labels,omitempty"`
	Annotations map[string]string `json:"annotations,omitempty"`
	// State is an alerting rule's: inactive, pending or firing.
	State string `json:"state,omitempty"`
	// Health is ok, err or unknown; LastError says what failed.
	Health         string        `json:"health"`
	LastError      string        `json:"lastError,omitempty"`
	LastEvaluation time.Time     `json:"lastEvaluation,omitzero"`
	EvaluationTime time.Duration `json:"evaluationTime"`
	// Alerts are an alerting rule's active alerts.
	Alerts []Alert `json:"alerts,omitempty"`
}

// RuleSource is what lists the rules (Prometheus).
type RuleSource interface {
	Rules(ctx context.Context) ([]RuleGroup, error)
}
