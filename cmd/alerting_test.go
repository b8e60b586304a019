package cmd

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"

	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/sources/config"
)

// Recorded from the harness's real Alertmanager and Prometheus by
// test/record-alertmanager-fixtures.sh: eight alerts (four HighErrorRate
// pages, one of them silenced; four HighLatency warnings, inhibited), their
// groups, one active and one expired silence, and the rules.
const (
	amAlerts    = "../testdata/recorded/alertmanager-alerts.json"
	amGroups    = "../testdata/recorded/alertmanager-groups.json"
	amSilences  = "../testdata/recorded/alertmanager-silences.json"
	promRules   = "../testdata/recorded/prometheus-rules.json"
	activeSince = "09:36:42 (5m ago)"
)

// recordedNow is five minutes after the fixtures were recorded.
var recordedNow = time.Date(2026, 12, 1, 9, 41, 43, 0, time.UTC)

// runAt runs telx at a fixed time with env as the environment.
func runAt(t *testing.T, now time.Time, width int, profile colorprofile.Profile, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	io := TestIO(&out, &errOut)
	io.Width = width
	io.Profile = profile
	io.IsTTY = profile != colorprofile.NoTTY
	root, opts := newRootCmd(io, func(k string) string { return env[k] })
	opts.now = func() time.Time { return now }
	code := Run(context.Background(), root, io, args)
	return code, out.String(), errOut.String()
}

// fakeAM serves the recorded Alertmanager answers.
func fakeAM(t *testing.T) (*fakeProm, map[string]string) {
	f := newFakeProm(t)
	f.serveFile("/api/v2/alerts", amAlerts, 0)
	f.serveFile("/api/v2/alerts/groups", amGroups, 0)
	f.serveFile("/api/v2/silences", amSilences, 0)
	f.serveFile("/api/v1/rules", promRules, 0)
	return f, map[string]string{"TELX_ALERTMANAGER_URL": f.srv.URL, "TELX_PROMETHEUS_URL": f.srv.URL, "USER": "alice"}
}

// checkWidth fails when a line of out is wider than width.
func checkWidth(t *testing.T, out string, width int) {
	t.Helper()
	for i, l := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		if w := ansi.StringWidth(l); w > width {
			t.Errorf("line %d is %d cells wide, over %d: %q", i, w, width, l)
		}
	}
}

var renderings = []struct {
	suffix  string
	width   int
	profile colorprofile.Profile
}{
	{"80", 80, colorprofile.Ascii},
	{"80-color", 80, colorprofile.TrueColor},
	{"200", 200, colorprofile.Ascii},
	{"200-color", 200, colorprofile.TrueColor},
	{"piped", 80, colorprofile.NoTTY},
}

func TestAlertmanagerAlerts(t *testing.T) {
	for _, view := range []struct {
		name string
		args []string
		want []string // in the plain text at every width
		// titles are the groups' lines, which piped output does not have
		titles []string
	}{
		{"all", []string{"--active", "--silenced", "--inhibited"}, []string{"HighErrorRate", "service_name=payments", "payments fails 30.11% of its calls", "inhibited"}, nil},
		{"by-service", []string{"--silenced", "--inhibited", "--active", "--group-by", "service_name"}, []string{"HighLatency"}, []string{"service_name=checkout · 2 alerts"}},
		{"by-route", []string{"--silenced", "--inhibited", "--active", "--group-by", "route"}, []string{"pager", "HighLatency"}, []string{"alertname=HighErrorRate → pager · 4 alerts", "alertname=HighLatency → default · 4 alerts"}},
	} {
		for _, r := range renderings {
			name := "alertmanager/alerts-" + view.name + "-" + r.suffix
			t.Run(name, func(t *testing.T) {
				f, env := fakeAM(t)
				code, out, errOut := runAt(t, recordedNow, r.width, r.profile, env, append([]string{"alerts", "--utc"}, view.args...)...)
				if code != ExitOK || errOut != "" {
					t.Fatalf("exit %d: %s", code, errOut)
				}
				if r.profile != colorprofile.NoTTY {
					checkWidth(t, out, r.width)
				}
				if r.profile != colorprofile.TrueColor && strings.Contains(out, "\x1b") {
					t.Error("escape sequences in uncoloured output")
				}
				plain := ansi.Strip(out)
				want := view.want
				if r.profile != colorprofile.NoTTY {
					want = append(want, view.titles...)
				}
				for _, want := range want {
					if !strings.Contains(plain, want) {
						t.Errorf("no %q in\n%s", want, plain)
					}
				}
				// the silenced alert names its silence
				if r.profile == colorprofile.NoTTY {
					if !strings.Contains(plain, "silenced\tHighErrorRate\tservice_name=checkout,severity=page\t2026-12-01T09:36:42Z\tpager\t") {
						t.Errorf("piped:\n%s", plain)
					}
				} else if !strings.Contains(plain, "silenced 198c3fdb") || !strings.Contains(plain, activeSince) {
					t.Errorf("no silenced 198c3fdb or %s in\n%s", activeSince, plain)
				}
				form := f.forms[0]
				for _, k := range []string{"active", "silenced", "inhibited"} {
					if form.Get(k) != "true" {
						t.Errorf("asked %s=%q", k, form.Get(k))
					}
				}
				golden(t, name, out)
			})
		}
	}
}

func TestAlertmanagerAlertsRequest(t *testing.T) {
	tests := []struct {
		args []string
		want map[string][]string
	}{
		// amtool's defaults: the active alerts only
		{[]string{"alerts"}, map[string][]string{"active": {"true"}, "silenced": {"false"}, "inhibited": {"false"}, "unprocessed": {"false"}}},
		{[]string{"alerts", "--silenced"}, map[string][]string{"active": {"false"}, "silenced": {"true"}, "inhibited": {"false"}}},
		{[]string{"alerts", `alertname=~"High.*"`, "severity=page", "--receiver", "pag.*"},
			map[string][]string{"filter": {`alertname=~"High.*"`, `severity="page"`}, "receiver": {"pag.*"}, "active": {"true"}}},
		{[]string{"alerts", "HighLatency"}, map[string][]string{"filter": {`alertname="HighLatency"`}}},
		{[]string{"silence", "query", "HighLatency"}, map[string][]string{"filter": {`alertname="HighLatency"`}, "active": {"true"}, "silenced": {"true"}, "inhibited": {"true"}, "unprocessed": {"true"}}},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			f, env := fakeAM(t)
			code, _, errOut := runAt(t, recordedNow, 80, colorprofile.NoTTY, env, tt.args...)
			if code != ExitOK || len(f.forms) != 1 {
				t.Fatalf("exit %d, %d requests: %s", code, len(f.forms), errOut)
			}
			for k, want := range tt.want {
				if got := f.forms[0][k]; strings.Join(got, "|") != strings.Join(want, "|") {
					t.Errorf("%s = %q, want %q", k, got, want)
				}
			}
		})
	}
}

func TestAlertmanagerAlertsJSON(t *testing.T) {
	_, env := fakeAM(t)
	code, out, errOut := runAt(t, recordedNow, 80, colorprofile.NoTTY, env, "alerts", "-o", "json", "--active", "--silenced", "--inhibited")
	var got []sources.ManagedAlert
	if err := json.Unmarshal([]byte(out), &got); code != ExitOK || err != nil || len(got) != 8 {
		t.Fatalf("exit %d %s, %v, %d alerts", code, errOut, err, len(got))
	}
	counts := map[string]int{}
	for _, a := range got {
		counts[a.Status()]++
		if a.Fingerprint == "" || a.GeneratorURL == "" || len(a.Receivers) != 1 || a.StartsAt.IsZero() || a.UpdatedAt.IsZero() || a.EndsAt.IsZero() {
			t.Errorf("alert %+v", a)
		}
	}
	if counts[sources.AlertActive] != 3 || counts[sources.AlertSilenced] != 1 || counts[sources.AlertInhibited] != 4 {
		t.Errorf("states %v", counts)
	}

	code, out, _ = runAt(t, recordedNow, 80, colorprofile.NoTTY, env, "alerts", "-o", "json", "--group-by", "route", "--active")
	var groups []struct {
		Labels   map[string]string      `json:"labels"`
		Receiver string                 `json:"receiver"`
		Alerts   []sources.ManagedAlert `json:"alerts"`
	}
	if err := json.Unmarshal([]byte(out), &groups); code != ExitOK || err != nil || len(groups) != 2 {
		t.Fatalf("groups: exit %d, %v, %d groups", code, err, len(groups))
	}
	for _, g := range groups {
		if len(g.Alerts) != 4 || g.Labels["alertname"] != g.Alerts[0].Name {
			t.Errorf("group %v → %s: %d alerts", g.Labels, g.Receiver, len(g.Alerts))
		}
	}
}

func TestSilenceLs(t *testing.T) {
	for _, r := range renderings {
		name := "alertmanager/silences-" + r.suffix
		t.Run(name, func(t *testing.T) {
			_, env := fakeAM(t)
			code, out, errOut := runAt(t, recordedNow, r.width, r.profile, env, "silence", "ls", "--utc")
			if code != ExitOK || errOut != "" {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			if r.profile != colorprofile.NoTTY {
				checkWidth(t, out, r.width)
			}
			plain := ansi.Strip(out)
			// the active silence, not the expired one
			for _, want := range []string{"198c3fdb-bbf6-4257-b579-d9099b3b3368", `alertname="HighErrorRate" service_name="checkout"`, "checkout deploy, ticket OPS-1234", "oncall"} {
				if !strings.Contains(plain, want) {
					t.Errorf("no %q in\n%s", want, plain)
				}
			}
			if strings.Contains(plain, "0c7696d1") {
				t.Errorf("the expired silence is listed:\n%s", plain)
			}
			golden(t, name, out)
		})
	}
	_, env := fakeAM(t)
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"-q"}, "198c3fdb-bbf6-4257-b579-d9099b3b3368\n"},
		{[]string{"-q", "--expired"}, "0c7696d1-c3c1-443c-8888-b1a4a82500f7\n"},
		{[]string{"-q", "--created-by", "someone"}, ""},
		{[]string{"-q", "--within", "1h"}, ""}, // it ends in 1h55m
		{[]string{"-q", "--within", "2h"}, "198c3fdb-bbf6-4257-b579-d9099b3b3368\n"},
		{[]string{"-q", "--expired", "--within", "1h"}, "0c7696d1-c3c1-443c-8888-b1a4a82500f7\n"},
	} {
		code, out, errOut := runAt(t, recordedNow, 80, colorprofile.NoTTY, env, append([]string{"silence", "ls"}, tt.args...)...)
		if code != ExitOK || out != tt.want {
			t.Errorf("%v: exit %d %q %s, want %q", tt.args, code, out, errOut, tt.want)
		}
	}
}

func TestRulesOutput(t *testing.T) {
	for _, r := range renderings {
		name := "rules/rules-" + r.suffix
		t.Run(name, func(t *testing.T) {
			_, env := fakeAM(t)
			code, out, errOut := runAt(t, recordedNow, r.width, r.profile, env, "rules", "--utc")
			if code != ExitOK || errOut != "" {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			if r.profile != colorprofile.NoTTY {
				checkWidth(t, out, r.width)
			}
			plain := ansi.Strip(out)
			for _, want := range []string{"telx-demo", "HighErrorRate", "HighLatency", "service_name:traces_span_metrics_calls:rate5m", "recording", "firing", "ok"} {
				if !strings.Contains(plain, want) {
					t.Errorf("no %q in\n%s", want, plain)
				}
			}
			if r.profile != colorprofile.NoTTY {
				for _, want := range []string{"severity=page", "summary:", "expr: ", "every 1s", "health ok", "4 alerts"} {
					if !strings.Contains(plain, want) {
						t.Errorf("no %q in\n%s", want, plain)
					}
				}
			}
			golden(t, name, out)
		})
	}
	_, env := fakeAM(t)
	code, out, _ := runAt(t, recordedNow, 80, colorprofile.NoTTY, env, "rules", "-o", "json", "--type", "recording")
	var groups []sources.RuleGroup
	if err := json.Unmarshal([]byte(out), &groups); code != ExitOK || err != nil || len(groups) != 1 || len(groups[0].Rules) != 1 ||
		groups[0].Rules[0].Kind != sources.RuleRecording || groups[0].Interval != 5*time.Second {
		t.Errorf("json: exit %d, %v, %+v", code, err, groups)
	}
}

// Bad input is refused before any request, with exit code 2.
func TestAlertingUsageErrors(t *testing.T) {
	tests := []struct {
		args    []string
		noAM    bool // without an Alertmanager configured
		wantErr string
	}{
		{args: []string{"alerts", "foo=~("}, wantErr: `bad matcher "foo=~("`},
		{args: []string{"alerts", "a=b", "bare"}, wantErr: `bad matcher "bare"`},
		{args: []string{"alerts", "--state", "firing"}, wantErr: "--state is Prometheus'"},
		{args: []string{"alerts", "--from", "nowhere"}, wantErr: `--from "nowhere"`},
		{args: []string{"alerts", "--silenced"}, noAM: true, wantErr: "need an Alertmanager"},
		{args: []string{"alerts", "--group-by", "route"}, noAM: true, wantErr: "--group-by route is Alertmanager's"},
		{args: []string{"alerts", "--from", "prometheus", "--inhibited"}, wantErr: "drop --from prometheus"},
		{args: []string{"silence", "add", "HighLatency", "-c", "x", "-d", "2x"}, wantErr: `--duration "2x"`},
		{args: []string{"silence", "add", "HighLatency", "-c", "x", "-d", "-1h"}, wantErr: `--duration "-1h"`},
		{args: []string{"silence", "add", "HighLatency"}, wantErr: "needs a --comment"},
		{args: []string{"silence", "add", "-c", "x"}, wantErr: "requires at least 1 arg"},
		{args: []string{"silence", "add", "HighLatency", "-c", "x", "--end", "tomorrow"}, wantErr: `--end "tomorrow"`},
		{args: []string{"silence", "add", "HighLatency", "-c", "x", "--end", "2026-12-01T09:00:00Z"}, wantErr: "before it starts"},
		{args: []string{"silence", "add", "{", "-c", "x"}, wantErr: `bad matcher "{"`},
		{args: []string{"silence", "ls", "a=~["}, wantErr: `bad matcher "a=~["`},
		{args: []string{"silence", "expire"}, wantErr: "requires at least 1 arg"},
		{args: []string{"silence", "query"}, wantErr: "requires at least 1 arg"},
		{args: []string{"rules", "--type", "x"}, wantErr: `--type "x"`},
		{args: []string{"silence", "lst"}, wantErr: `unknown command "lst" for "telx silence"`},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			f := newFakeProm(t) // any request fails the test
			env := map[string]string{"TELX_ALERTMANAGER_URL": f.srv.URL, "TELX_PROMETHEUS_URL": f.srv.URL}
			if tt.noAM {
				delete(env, "TELX_ALERTMANAGER_URL")
			}
			code, _, errOut := runAt(t, recordedNow, 80, colorprofile.NoTTY, env, tt.args...)
			if code != ExitUsage || !strings.Contains(errOut, tt.wantErr) {
				t.Errorf("exit %d, %q; want %d and %q", code, errOut, ExitUsage, tt.wantErr)
			}
		})
	}
}

// silence add --dry-run creates nothing and says what it would silence.
func TestSilenceAddDryRun(t *testing.T) {
	f, env := fakeAM(t)
	code, out, errOut := runAt(t, recordedNow, 80, colorprofile.NoTTY, env, "silence", "add", "alertname=HighLatency", `service_name=~"pay.*|check.*"`,
		"-d", "90m", "-c", "known", "--dry-run", "--utc")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, r := range f.reqs {
		if r.Method != "GET" {
			t.Errorf("--dry-run sent %s %s", r.Method, r.URL)
		}
	}
	// the recorded answer holds every alert: the count is what it says
	for _, want := range []string{
		`matchers:   alertname="HighLatency" service_name=~"pay.*|check.*"`,
		"starts:     2026-12-01T09:41:43Z", "ends:       2026-12-01T11:11:43Z (1h30m)",
		"created by: alice", "comment:    known", "it would silence 8 alerts now:",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in\n%s", want, out)
		}
	}
	if f.forms[0].Get("filter") == "" || f.forms[0].Get("silenced") != "true" {
		t.Errorf("asked %v", f.forms[0])
	}
}

func TestShortDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		30 * time.Second: "30s", 45 * time.Minute: "45m", 2 * time.Hour: "2h", 90 * time.Minute: "1h30m", 26*time.Hour + 5*time.Minute: "26h05m",
	} {
		if got := shortDuration(d); got != want {
			t.Errorf("%s: %s, want %s", d, got, want)
		}
	}
}

// A rule that fails shows its health and its error, wrapped to the width.
func TestWriteRulesError(t *testing.T) {
	now := recordedNow
	groups := []sources.RuleGroup{{Name: "g", Interval: time.Minute, Rules: []sources.Rule{{
		Kind: sources.RuleRecording, Name: "job:up:sum", Query: "sum by (job) (up)", Health: "err",
		LastError:      "vector contains metrics with the same labelset after applying rule labels\x1b[31m",
		LastEvaluation: now.Add(-30 * time.Second), EvaluationTime: 1500 * time.Microsecond,
	}}}}
	for _, width := range []int{40, 80, 200} {
		var b bytes.Buffer
		writeRules(&b, groups, width, now, time.UTC, (&GlobalOptions{}).Styles(&IO{}))
		out := b.String()
		checkWidth(t, out, width)
		plain := strings.Join(strings.Fields(out), " ")
		for _, want := range []string{"health err", "error: vector contains metrics with the same labelset", `\x1b[31m`, "evaluated 09:41:13 (30s ago) in 1.5ms"} {
			if !strings.Contains(plain, want) {
				t.Errorf("width %d: no %q in\n%s", width, want, out)
			}
		}
	}
}

// A context's alertmanager entry is the Alertmanager telx alerts and
// silence ask, with its credentials and headers; its author signs the
// silences; the flags and TELX_ALERTMANAGER_TOKEN override it.
func TestAlertmanagerFromContext(t *testing.T) {
	f, _ := fakeAM(t)
	path := writeConfig(t, `current_context: prod
contexts:
  prod:
    author: carol
    alertmanager:
      url: `+f.srv.URL+`
      token: ctx-token
      headers:
        X-Team: sre
`)
	env := map[string]string{"TELX_CONFIG": path, "USER": "alice"}
	code, out, errOut := runAt(t, recordedNow, 80, colorprofile.NoTTY, env, "alerts")
	// (the recorded answer holds all eight, whatever was asked)
	if code != ExitOK || strings.Count(out, "\n") != 8 || !strings.Contains(out, "\tpager\t") {
		t.Fatalf("alerts from the context's Alertmanager: exit %d %s\n%s", code, errOut, out)
	}
	r := f.reqs[len(f.reqs)-1]
	if r.Header.Get("Authorization") != "Bearer ctx-token" || r.Header.Get("X-Team") != "sre" {
		t.Errorf("headers %v", r.Header)
	}
	code, out, _ = runAt(t, recordedNow, 80, colorprofile.NoTTY, env, "silence", "add", "HighLatency", "-c", "x", "--dry-run")
	if code != ExitOK || !strings.Contains(out, "created by: carol") {
		t.Errorf("the context's author: exit %d\n%s", code, out)
	}
	env["TELX_ALERTMANAGER_TOKEN"] = "env-token"
	runAt(t, recordedNow, 80, colorprofile.NoTTY, env, "silence", "ls", "-q")
	if got := f.reqs[len(f.reqs)-1].Header.Get("Authorization"); got != "Bearer env-token" {
		t.Errorf("TELX_ALERTMANAGER_TOKEN: Authorization %q", got)
	}
	runAt(t, recordedNow, 80, colorprofile.NoTTY, env, "silence", "ls", "-q", "--alertmanager-token", "flag-token")
	if got := f.reqs[len(f.reqs)-1].Header.Get("Authorization"); got != "Bearer flag-token" {
		t.Errorf("--alertmanager-token: Authorization %q", got)
	}
	// --from prometheus asks Prometheus all the same
	f.serveFile("/api/v1/alerts", promAlerts, 0)
	code, out, errOut = runAt(t, recordedNow, 80, colorprofile.NoTTY, map[string]string{"TELX_CONFIG": path, "TELX_PROMETHEUS_URL": f.srv.URL}, "alerts", "--from", "prometheus")
	if code != ExitOK || !strings.HasPrefix(out, "firing\t") {
		t.Errorf("--from prometheus: exit %d %s\n%s", code, errOut, out)
	}
}

// telx config set-context --alertmanager writes the context's alertmanager.
func TestSetContextAlertmanager(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.yaml")
	env := map[string]string{"TELX_CONFIG": path}
	code, _, errOut := runAt(t, recordedNow, 80, colorprofile.NoTTY, env, "config", "set-context", "prod", "--alertmanager", "https://am.example.com", "--alertmanager-token-env", "AM_TOKEN")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	f, err := config.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	am := f.Contexts["prod"].Alertmanager
	if am == nil || am.URL != "https://am.example.com" || am.TokenEnv != "AM_TOKEN" {
		t.Errorf("alertmanager entry %v", am)
	}
}
