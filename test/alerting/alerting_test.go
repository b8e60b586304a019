// Package alerting checks telx's alerting commands (alerts, silence,
// rules) against the harness's real Prometheus and Alertmanager, and
// against amtool, Alertmanager's own client, for the same matchers.
package alerting

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/telx-cli/telx/cmd"
	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/test/harness"
)

func TestMain(m *testing.M) {
	os.Exit(harness.Main(m, harness.Options{Seed: 1, Backends: []string{harness.Prometheus}, Alertmanager: true}))
}

// telx runs the command tree against the harness's backends, as a pipe.
func telx(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	env := harness.Shared(t)
	var out, errOut bytes.Buffer
	io := cmd.TestIO(&out, &errOut)
	vars := map[string]string{
		"TELX_PROMETHEUS_URL":   env.PrometheusURL,
		"TELX_ALERTMANAGER_URL": env.AlertmanagerURL,
		"USER":                  "telx-test",
	}
	root := cmd.NewRootCmd(io, func(k string) string { return vars[k] })
	code := cmd.Run(context.Background(), root, io, args)
	return code, out.String(), errOut.String()
}

// amtool runs Alertmanager's amtool against the harness's Alertmanager.
func amtool(t *testing.T, args ...string) string {
	t.Helper()
	env := harness.Shared(t)
	c := exec.Command(env.Amtool, append([]string{"--alertmanager.url=" + env.AlertmanagerURL}, args...)...)
	var stderr bytes.Buffer
	c.Stderr = &stderr
	out, err := c.Output()
	if err != nil {
		t.Fatalf("amtool %v: %v: %s", args, err, stderr.String())
	}
	return string(out)
}

// fingerprints reads the fingerprints of a JSON list of alerts (telx's or
// amtool's: both name the field so), sorted.
func fingerprints(t *testing.T, js string) []string {
	t.Helper()
	var as []struct {
		Fingerprint string `json:"fingerprint"`
	}
	if err := json.Unmarshal([]byte(js), &as); err != nil {
		t.Fatalf("%v in %s", err, js)
	}
	out := make([]string, len(as))
	for i, a := range as {
		out[i] = a.Fingerprint
	}
	sort.Strings(out)
	return out
}

func lines(s string) []string {
	out := strings.Fields(s)
	sort.Strings(out)
	return out
}

// telx alerts lists the alerts amtool alert query lists, for the same
// matchers and states.
func TestAlertsAgreeWithAmtool(t *testing.T) {
	states := []struct{ telx, amtool []string }{
		{nil, nil},
		{[]string{"--inhibited"}, []string{"-i"}},
		{[]string{"--active", "--inhibited", "--silenced"}, []string{"-a", "-i", "-s"}},
	}
	matchers := [][]string{
		nil,
		{"HighLatency"},
		{`alertname=~"High.*"`, `severity="page"`},
		{`service_name!~"front.*|check.*"`},
		{`service_name=payments`},
		{`alertname="NoSuchAlert"`},
	}
	nonEmpty := 0
	for _, st := range states {
		for _, ms := range matchers {
			code, out, errOut := telx(t, append(append([]string{"alerts", "-o", "json"}, st.telx...), ms...)...)
			if code != cmd.ExitOK {
				t.Fatalf("telx alerts %v %v: exit %d: %s", st.telx, ms, code, errOut)
			}
			got := fingerprints(t, out)
			want := fingerprints(t, amtool(t, append(append([]string{"alert", "query", "-o", "json"}, st.amtool...), ms...)...))
			if !slices.Equal(got, want) {
				t.Errorf("%v %v: telx lists %v, amtool %v", st.telx, ms, got, want)
			}
			if len(got) > 0 {
				nonEmpty++
			}
		}
	}
	if nonEmpty < 10 {
		t.Errorf("only %d of the comparisons listed any alert: the harness's alerts are not there", nonEmpty)
	}
}

// A silence made by telx is what amtool lists and mutes the alert; one
// made by amtool is what telx lists; each expires the other's.
func TestSilencesAgreeWithAmtool(t *testing.T) {
	code, out, errOut := telx(t, "silence", "add", "HighErrorRate", "service_name=payments", "--duration", "2h", "--comment", "telx made it")
	if code != cmd.ExitOK {
		t.Fatalf("silence add: exit %d: %s", code, errOut)
	}
	byTelx := strings.TrimSpace(out)
	if len(byTelx) != 36 || strings.Count(byTelx, "-") != 4 {
		t.Fatalf("silence add printed %q, want the silence's ID alone", out)
	}
	byAmtool := strings.TrimSpace(amtool(t, "silence", "add", "HighLatency", `service_name=~"front.*"`, "--duration", "1h", "--comment", "amtool made it", "--author", "amtool-test"))
	t.Cleanup(func() {
		telx(t, "silence", "expire", byTelx)
		telx(t, "silence", "expire", byAmtool)
	})

	for _, ms := range [][]string{nil, {`service_name="payments"`}, {`alertname="HighLatency"`}, {`service_name=~"front.*"`}, {`alertname=~"High.*"`}} {
		_, got, _ := telx(t, append([]string{"silence", "ls", "-q"}, ms...)...)
		want := amtool(t, append([]string{"silence", "query", "-q"}, ms...)...)
		if !slices.Equal(lines(got), lines(want)) {
			t.Errorf("silence ls %v: telx %v, amtool %v", ms, lines(got), lines(want))
		}
	}
	_, got, _ := telx(t, "silence", "ls", "-q")
	if !slices.Contains(lines(got), byTelx) || !slices.Contains(lines(got), byAmtool) {
		t.Errorf("silence ls -q lists %v, not both %s and %s", lines(got), byTelx, byAmtool)
	}

	// piped: the silence as made
	_, got, _ = telx(t, "silence", "ls", "alertname=HighErrorRate", "service_name=payments", "--utc")
	if !strings.Contains(got, byTelx+"\tactive\talertname=\"HighErrorRate\" service_name=\"payments\"\t") || !strings.Contains(got, "\ttelx-test\ttelx made it\n") {
		t.Errorf("silence ls:\n%s", got)
	}

	// the alert it matches is listed as silenced by it, as amtool says
	deadline := time.Now().Add(20 * time.Second)
	for {
		_, got, _ = telx(t, "alerts", "--silenced", "HighErrorRate", "service_name=payments")
		if strings.HasPrefix(got, "silenced\tHighErrorRate\tservice_name=payments,severity=page\t") && strings.Contains(got, "\t"+byTelx+"\t") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the payments alert is not listed as silenced by %s:\n%s", byTelx, got)
		}
		time.Sleep(300 * time.Millisecond)
	}
	_, js, _ := telx(t, "alerts", "--silenced", "-o", "json")
	if want := fingerprints(t, amtool(t, "alert", "query", "-s", "-o", "json")); !slices.Equal(fingerprints(t, js), want) {
		t.Errorf("silenced: telx %v, amtool %v", fingerprints(t, js), want)
	}

	// each expires the other's
	if code, _, errOut := telx(t, "silence", "expire", byAmtool); code != cmd.ExitOK {
		t.Fatalf("telx silence expire: exit %d: %s", code, errOut)
	}
	amtool(t, "silence", "expire", byTelx)
	expired := lines(amtool(t, "silence", "query", "-q", "--expired"))
	_, got, _ = telx(t, "silence", "ls", "-q", "--expired")
	if !slices.Equal(lines(got), expired) || !slices.Contains(expired, byTelx) || !slices.Contains(expired, byAmtool) {
		t.Errorf("expired: telx %v, amtool %v", lines(got), expired)
	}
	_, got, _ = telx(t, "silence", "ls", "-q")
	if slices.Contains(lines(got), byTelx) || slices.Contains(lines(got), byAmtool) {
		t.Errorf("expired silences still listed as active: %v", lines(got))
	}
}

// silence add --dry-run and silence query count the alerts amtool lists
// for the same matchers, and create nothing.
func TestSilenceDryRunAndQuery(t *testing.T) {
	ms := []string{`alertname=~"High.*"`, `service_name=~"pay.*|post.*"`}
	want := fingerprints(t, amtool(t, append([]string{"alert", "query", "-a", "-s", "-i", "-o", "json"}, ms...)...))
	if len(want) != 4 {
		t.Fatalf("amtool lists %d alerts, want 4 (two services, two rules)", len(want))
	}
	before := lines(amtool(t, "silence", "query", "-q"))
	code, out, errOut := telx(t, append([]string{"silence", "add", "--dry-run", "-d", "30m", "-c", "would"}, ms...)...)
	if code != cmd.ExitOK || !strings.Contains(out, "it would silence 4 alerts now:") || !strings.Contains(out, "created by: telx-test") {
		t.Errorf("dry run: exit %d %s\n%s", code, errOut, out)
	}
	code, out, _ = telx(t, append([]string{"silence", "add", "--dry-run", "-d", "30m", "-c", "would", "-o", "json"}, ms...)...)
	var dry struct {
		Silence sources.Silence        `json:"silence"`
		Alerts  []sources.ManagedAlert `json:"alerts"`
	}
	if err := json.Unmarshal([]byte(out), &dry); code != cmd.ExitOK || err != nil || len(dry.Alerts) != 4 || dry.Silence.EndsAt.Sub(dry.Silence.StartsAt) != 30*time.Minute {
		t.Errorf("dry run json: exit %d, %v, %+v", code, err, dry)
	}
	if after := lines(amtool(t, "silence", "query", "-q")); !slices.Equal(before, after) {
		t.Errorf("--dry-run created a silence: %v, then %v", before, after)
	}
	code, js, errOut := telx(t, append([]string{"silence", "query", "-o", "json"}, ms...)...)
	if got := fingerprints(t, js); code != cmd.ExitOK || !slices.Equal(got, want) {
		t.Errorf("silence query: exit %d %s, %v, want %v", code, errOut, got, want)
	}
}

func TestSilenceBadInput(t *testing.T) {
	tests := []struct {
		args     []string
		wantCode int
		wantErr  string
	}{
		{[]string{"silence", "expire", "00000000-0000-4000-8000-000000000000"}, cmd.ExitNotFound, "no such silence"},
		{[]string{"silence", "expire", "not-an-id"}, cmd.ExitError, "silenceID in path must be of type uuid"},
		// Alertmanager refuses it, and says why
		{[]string{"silence", "add", `alertname=~".*"`, "-c", "everything"}, cmd.ExitError, "at least one matcher must not match the empty string"},
		{[]string{"silence", "add", "foo=~(", "-c", "x"}, cmd.ExitUsage, `bad matcher "foo=~("`},
		{[]string{"silence", "add", "HighLatency", "-d", "soon", "-c", "x"}, cmd.ExitUsage, `--duration "soon"`},
	}
	for _, tt := range tests {
		code, _, errOut := telx(t, tt.args...)
		if code != tt.wantCode || !strings.Contains(errOut, tt.wantErr) {
			t.Errorf("%v: exit %d %q, want %d and %q", tt.args, code, errOut, tt.wantCode, tt.wantErr)
		}
	}

	// an expired silence cannot be expired again
	code, out, errOut := telx(t, "silence", "add", "HighLatency", "-d", "1h", "-c", "short-lived")
	if code != cmd.ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	id := strings.TrimSpace(out)
	if code, _, errOut := telx(t, "silence", "expire", id); code != cmd.ExitOK {
		t.Fatalf("expire: exit %d: %s", code, errOut)
	}
	// both are said; an unknown ID among them makes the exit code 3
	code, _, errOut = telx(t, "silence", "expire", id, "00000000-0000-4000-8000-000000000000")
	if code != cmd.ExitNotFound || !strings.Contains(errOut, "silence "+id+" expired already") || !strings.Contains(errOut, "no such silence") {
		t.Errorf("expiring it again, and an unknown one: exit %d %q", code, errOut)
	}
}

// With Alertmanager unreachable, telx alerts says so, naming it, and
// --from prometheus still lists Prometheus' alerts.
func TestUnreachableAlertmanager(t *testing.T) {
	code, _, errOut := telx(t, "alerts", "--alertmanager", "http://127.0.0.1:1")
	if code != cmd.ExitError || !strings.Contains(errOut, "alertmanager at http://127.0.0.1:1") || !strings.Contains(errOut, "hint: is Alertmanager running there?") {
		t.Errorf("exit %d %q", code, errOut)
	}
	code, out, errOut := telx(t, "alerts", "--alertmanager", "http://127.0.0.1:1", "--from", "prometheus", "HighErrorRate")
	if code != cmd.ExitOK || !strings.HasPrefix(out, "firing\tHighErrorRate\t") {
		t.Errorf("--from prometheus: exit %d %s\n%s", code, errOut, out)
	}
}

func TestRulesFromPrometheus(t *testing.T) {
	code, out, errOut := telx(t, "rules")
	if code != cmd.ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var got []string
	for _, l := range strings.Split(strings.TrimRight(out, "\n"), "\n") {
		f := strings.Split(l, "\t")
		if len(f) != 10 {
			t.Fatalf("%d fields in %q", len(f), l)
		}
		got = append(got, f[0]+" "+f[1]+" "+f[2]+" "+f[4])
	}
	want := []string{
		"telx-demo alerting HighErrorRate ok",
		"telx-demo alerting HighLatency ok",
		"telx-demo-recording recording service_name:traces_span_metrics_calls:rate5m ok",
	}
	if !slices.Equal(got, want) {
		t.Errorf("rules:\n%s", out)
	}
}
