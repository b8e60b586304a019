package alertmanager

import (
	"context"
	"errors"
	"net/http"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/test/harness"
)

// The harness's Prometheus sends its firing alerts to its Alertmanager:
// HighErrorRate (severity page, to the receiver "pager") and HighLatency
// (warn, "default"), one per failing service; a page inhibits the warnings
// of its service.
func TestMain(m *testing.M) {
	os.Exit(harness.Main(m, harness.Options{Seed: 1, Backends: []string{harness.Prometheus}, Alertmanager: true}))
}

func client(t *testing.T) *Client {
	t.Helper()
	env := harness.Shared(t)
	c, err := New(Options{URL: env.AlertmanagerURL, HTTPClient: &http.Client{Timeout: 10 * time.Second}})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// prometheusFiring returns the "alertname service_name" of the alerts
// Prometheus has firing, sorted.
func prometheusFiring(t *testing.T) []string {
	t.Helper()
	var body struct {
		Data struct {
			Alerts []struct {
				Labels map[string]string `json:"labels"`
				State  string            `json:"state"`
			} `json:"alerts"`
		} `json:"data"`
	}
	if err := harness.GetJSON(context.Background(), harness.Shared(t).PrometheusURL+"/api/v1/alerts", &body); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, a := range body.Data.Alerts {
		if a.State == "firing" {
			out = append(out, a.Labels["alertname"]+" "+a.Labels["service_name"])
		}
	}
	sort.Strings(out)
	return out
}

func keys(as []sources.ManagedAlert) []string {
	out := make([]string, len(as))
	for i, a := range as {
		out[i] = a.Name + " " + a.Labels["service_name"]
	}
	sort.Strings(out)
	return out
}

func TestAlertsByState(t *testing.T) {
	c := client(t)
	ctx := context.Background()
	all, err := c.ManagedAlerts(ctx, sources.AlertFilter{Active: true, Silenced: true, Inhibited: true})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := keys(all), prometheusFiring(t); !slices.Equal(got, want) {
		t.Fatalf("alertmanager holds %v, prometheus fires %v", got, want)
	}
	byFP := map[string]sources.ManagedAlert{}
	for _, a := range all {
		byFP[a.Fingerprint] = a
		if len(a.Fingerprint) != 16 || a.StartsAt.IsZero() || a.UpdatedAt.IsZero() || !a.EndsAt.After(a.StartsAt) {
			t.Errorf("%s: fingerprint %q, startsAt %v, updatedAt %v, endsAt %v", a.Name, a.Fingerprint, a.StartsAt, a.UpdatedAt, a.EndsAt)
		}
		if !strings.Contains(a.GeneratorURL, "/graph?g0.expr=") {
			t.Errorf("%s: generatorURL %q", a.Name, a.GeneratorURL)
		}
		wantRecv := map[string]string{"HighErrorRate": "pager", "HighLatency": "default"}[a.Name]
		if !slices.Equal(a.Receivers, []string{wantRecv}) {
			t.Errorf("%s: receivers %v, want %s", a.Name, a.Receivers, wantRecv)
		}
	}
	active, err := c.ManagedAlerts(ctx, sources.AlertFilter{})
	if err != nil {
		t.Fatal(err)
	}
	inhibited, err := c.ManagedAlerts(ctx, sources.AlertFilter{Inhibited: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(active) == 0 || len(inhibited) == 0 || len(active)+len(inhibited) != len(all) {
		t.Fatalf("%d active and %d inhibited of %d", len(active), len(inhibited), len(all))
	}
	for _, a := range active {
		if a.Name != "HighErrorRate" || a.Status() != sources.AlertActive || a.State != "active" {
			t.Errorf("active: %s %s (%s)", a.Name, a.Status(), a.State)
		}
	}
	for _, a := range inhibited {
		if a.Name != "HighLatency" || a.Status() != sources.AlertInhibited || a.State != "suppressed" || len(a.InhibitedBy) != 1 {
			t.Errorf("inhibited: %s %s (%s) by %v", a.Name, a.Status(), a.State, a.InhibitedBy)
			continue
		}
		by := byFP[a.InhibitedBy[0]]
		if by.Name != "HighErrorRate" || by.Labels["service_name"] != a.Labels["service_name"] {
			t.Errorf("%s of %s is inhibited by %s of %s", a.Name, a.Labels["service_name"], by.Name, by.Labels["service_name"])
		}
	}
}

func TestAlertsFilteredByMatchers(t *testing.T) {
	c := client(t)
	ms, err := sources.ParseMatchers([]string{`alertname=~"High.*"`, `service_name!~"front.*"`})
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.ManagedAlerts(context.Background(), sources.AlertFilter{Matchers: ms, Active: true, Inhibited: true})
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, k := range prometheusFiring(t) {
		if !strings.HasSuffix(k, " frontend") {
			want = append(want, k)
		}
	}
	if !slices.Equal(keys(got), want) {
		t.Errorf("got %v, want %v", keys(got), want)
	}
}

func TestAlertGroups(t *testing.T) {
	c := client(t)
	groups, err := c.AlertGroups(context.Background(), sources.AlertFilter{Active: true, Inhibited: true})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for _, g := range groups {
		if len(g.Labels) != 1 || g.Labels["alertname"] == "" {
			t.Errorf("group labels %v, want alertname alone", g.Labels)
		}
		for _, a := range g.Alerts {
			if a.Name != g.Labels["alertname"] {
				t.Errorf("%s in the group of %s", a.Name, g.Labels["alertname"])
			}
		}
		got[g.Labels["alertname"]+" "+g.Receiver] += len(g.Alerts)
	}
	want := map[string]int{}
	for _, k := range prometheusFiring(t) {
		name, _, _ := strings.Cut(k, " ")
		want[name+" "+map[string]string{"HighErrorRate": "pager", "HighLatency": "default"}[name]]++
	}
	if len(got) != len(want) {
		t.Fatalf("groups %v, want %v", got, want)
	}
	for k, n := range want {
		if got[k] != n {
			t.Errorf("group %s: %d alerts, want %d", k, got[k], n)
		}
	}
}

// A silence is created, listed, mutes the alerts it matches, and expires.
func TestSilenceLifecycle(t *testing.T) {
	c := client(t)
	ctx := context.Background()
	ms, err := sources.ParseMatchers([]string{"HighErrorRate", `service_name="payments"`})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now().UTC().Truncate(time.Millisecond)
	id, err := c.PutSilence(ctx, sources.Silence{Matchers: ms, StartsAt: start, EndsAt: start.Add(2 * time.Hour), CreatedBy: "telx-test", Comment: "lifecycle"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.ExpireSilence(ctx, id) })

	s, err := c.Silence(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if s.ID != id || s.State != sources.SilenceActive || s.CreatedBy != "telx-test" || s.Comment != "lifecycle" ||
		sources.FormatMatchers(s.Matchers, " ") != `alertname="HighErrorRate" service_name="payments"` ||
		!s.EndsAt.Equal(start.Add(2*time.Hour)) || s.UpdatedAt.IsZero() {
		t.Errorf("silence as read: %+v", s)
	}

	// listed, also when filtered by its own matchers; Alertmanager
	// compares a filter with the silence's matchers as they are written,
	// and a regular expression is not matched against their values
	for _, tt := range []struct {
		filter []string
		want   bool
	}{
		{nil, true},
		{[]string{`service_name="payments"`}, true},
		{[]string{`alertname="HighErrorRate"`, `service_name="payments"`}, true},
		{[]string{`alertname=~"High.*"`}, false},
		{[]string{`service_name="frontend"`}, false},
	} {
		f, _ := sources.ParseMatchers(tt.filter)
		list, err := c.Silences(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		found := slices.ContainsFunc(list, func(s sources.Silence) bool { return s.ID == id })
		if found != tt.want {
			t.Errorf("filter %v: listed %v, want %v", tt.filter, found, tt.want)
		}
	}

	// the alert it matches is silenced, within a few seconds
	deadline := time.Now().Add(20 * time.Second)
	for {
		silenced, err := c.ManagedAlerts(ctx, sources.AlertFilter{Matchers: ms, Silenced: true})
		if err != nil {
			t.Fatal(err)
		}
		if len(silenced) == 1 && slices.Contains(silenced[0].SilencedBy, id) && silenced[0].Status() == sources.AlertSilenced {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the matched alert is not silenced by %s: %+v", id, silenced)
		}
		time.Sleep(200 * time.Millisecond)
	}

	// updated in place: the same ID, a new comment
	s.Comment = "lifecycle, extended"
	s.EndsAt = s.EndsAt.Add(time.Hour)
	id2, err := c.PutSilence(ctx, *s)
	if err != nil {
		t.Fatal(err)
	}
	if s2, err := c.Silence(ctx, id2); err != nil || s2.Comment != "lifecycle, extended" {
		t.Errorf("after the update: %s %+v %v", id2, s2, err)
	}

	if err := c.ExpireSilence(ctx, id2); err != nil {
		t.Fatal(err)
	}
	s3, err := c.Silence(ctx, id2)
	if err != nil {
		t.Fatal(err)
	}
	if s3.State != sources.SilenceExpired || s3.EndsAt.After(time.Now()) {
		t.Errorf("after expiry: state %s, endsAt %v", s3.State, s3.EndsAt)
	}
}

func TestSilenceErrors(t *testing.T) {
	c := client(t)
	ctx := context.Background()

	_, err := c.Silence(ctx, "00000000-0000-4000-8000-000000000000")
	if !errors.Is(err, sources.ErrNotFound) {
		t.Errorf("unknown silence: %v, want ErrNotFound", err)
	}
	err = c.ExpireSilence(ctx, "00000000-0000-4000-8000-000000000000")
	if !errors.Is(err, sources.ErrNotFound) {
		t.Errorf("expiring an unknown silence: %v, want ErrNotFound", err)
	}
	_, err = c.Silence(ctx, "not-a-uuid")
	if err == nil || !strings.Contains(err.Error(), "uuid") {
		t.Errorf("a malformed ID: %v, want Alertmanager's message about the uuid", err)
	}

	// Alertmanager refuses a silence that matches every alert; its
	// message reaches the error
	all, _ := sources.ParseMatchers([]string{`alertname=~".*"`})
	now := time.Now()
	_, err = c.PutSilence(ctx, sources.Silence{Matchers: all, StartsAt: now, EndsAt: now.Add(time.Hour), CreatedBy: "t", Comment: "c"})
	var be *sources.BackendError
	if !errors.As(err, &be) || be.Backend != "alertmanager" || !strings.Contains(err.Error(), "at least one matcher must not match the empty string") {
		t.Errorf("refused silence: %v", err)
	}
	one, _ := sources.ParseMatchers([]string{"x"})
	_, err = c.PutSilence(ctx, sources.Silence{Matchers: one, StartsAt: now, EndsAt: now.Add(-time.Hour), CreatedBy: "t", Comment: "c"})
	if err == nil || !strings.Contains(err.Error(), "400") {
		t.Errorf("a silence ending before it starts: %v", err)
	}
}

// An Alertmanager that does not answer is named with its URL and a hint.
func TestUnreachable(t *testing.T) {
	c, err := New(Options{URL: "http://127.0.0.1:1", HTTPClient: &http.Client{Timeout: 2 * time.Second}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.ManagedAlerts(context.Background(), sources.AlertFilter{})
	var be *sources.BackendError
	if !errors.As(err, &be) || be.Backend != "alertmanager" || be.URL != "http://127.0.0.1:1" || !strings.Contains(be.Hint, "--alertmanager") {
		t.Fatalf("err = %v", err)
	}
}

func TestNewRefusesBadURLs(t *testing.T) {
	for _, u := range []string{"", "localhost:9093", "ftp://host", "http://"} {
		if _, err := New(Options{URL: u}); err == nil {
			t.Errorf("%q: no error", u)
		}
	}
}
