package alerting

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/telx-cli/telx/cmd"
	"github.com/telx-cli/telx/test/harness"
)

// complete runs `telx __complete args...` against the harness's
// Prometheus and Alertmanager and returns the candidates (descriptions
// kept); it fails on a non-zero exit or anything on stderr but cobra's own
// line.
func complete(t *testing.T, vars map[string]string, args ...string) []string {
	t.Helper()
	var out, errOut bytes.Buffer
	io := cmd.TestIO(&out, &errOut)
	root := cmd.NewRootCmd(io, func(k string) string { return vars[k] })
	if code := cmd.Run(context.Background(), root, io, append([]string{cobra.ShellCompRequestCmd}, args...)); code != cmd.ExitOK {
		t.Fatalf("%v: exit %d: %s", args, code, errOut.String())
	}
	if e := errOut.String(); !strings.HasPrefix(e, "Completion ended with directive: ") || strings.Count(e, "\n") != 1 {
		t.Errorf("%v: stderr %q", args, e)
	}
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if d, err := strconv.Atoi(strings.TrimPrefix(lines[len(lines)-1], ":")); err != nil || cobra.ShellCompDirective(d)&cobra.ShellCompDirectiveNoFileComp == 0 {
		t.Errorf("%v: directive %q", args, lines[len(lines)-1])
	}
	return lines[:len(lines)-1]
}

// alertNamesByAmtool are the names of Alertmanager's alerts in every
// state, as amtool lists them.
func alertNamesByAmtool(t *testing.T) []string {
	t.Helper()
	var alerts []struct {
		Labels map[string]string `json:"labels"`
	}
	if err := json.Unmarshal([]byte(amtool(t, "alert", "query", "-a", "-s", "-i", "-u", "-o", "json")), &alerts); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, a := range alerts {
		if n := a.Labels["alertname"]; !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	return names
}

// telx alerts --explain completes the alerts' names, Alertmanager's when
// one is configured, else Prometheus' firing and pending ones.
func TestAlertNamesComplete(t *testing.T) {
	env := harness.Shared(t)
	want := alertNamesByAmtool(t)
	if len(want) == 0 {
		t.Fatal("Alertmanager holds no alerts")
	}
	fromProm := alertNamesOfPrometheus(t, env)
	am := map[string]string{"TELX_PROMETHEUS_URL": env.PrometheusURL, "TELX_ALERTMANAGER_URL": env.AlertmanagerURL, "TELX_COMPLETION_TIMEOUT": "10s"}
	prom := map[string]string{"TELX_PROMETHEUS_URL": env.PrometheusURL, "TELX_COMPLETION_TIMEOUT": "10s"}
	tests := []struct {
		name string
		vars map[string]string
		args []string
		want []string
	}{
		{"Alertmanager's", am, []string{"alerts", "--explain", ""}, want},
		{"by prefix", am, []string{"alerts", "--explain", want[0][:3]}, filterPrefix(want, want[0][:3])},
		{"Prometheus'", prom, []string{"alerts", "--explain", ""}, fromProm},
		{"--from prometheus", am, []string{"alerts", "--from", "prometheus", "--explain", ""}, fromProm},
		{"--alertmanager on the line", prom, []string{"--alertmanager", env.AlertmanagerURL, "alerts", "--explain", ""}, want},
		{"alerts' matchers", am, []string{"alerts", "alertname="}, prefixed("alertname=", want)},
		{"Prometheus' matchers", prom, []string{"alerts", "alertname=~"}, prefixed("alertname=~", fromProm)},
		{"silence add's matchers", am, []string{"silence", "add", "-c", "x", "alertname!="}, prefixed("alertname!=", want)},
		{"silence query's matchers", am, []string{"silence", "query", "alertname=" + want[0][:3]}, prefixed("alertname=", filterPrefix(want, want[0][:3]))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := complete(t, tt.vars, tt.args...); !slices.Equal(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// alertNamesOfPrometheus are the names of Prometheus' firing and pending
// alerts, from its own API.
func alertNamesOfPrometheus(t *testing.T, env *harness.Env) []string {
	t.Helper()
	resp, err := http.Get(env.PrometheusURL + "/api/v1/alerts")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		Data struct {
			Alerts []struct {
				Labels map[string]string `json:"labels"`
			} `json:"alerts"`
		} `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, a := range body.Data.Alerts {
		if n := a.Labels["alertname"]; !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	if len(names) == 0 {
		t.Fatal("Prometheus has no alerts")
	}
	return names
}

func prefixed(p string, names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = p + n
	}
	return out
}

func filterPrefix(names []string, prefix string) []string {
	var out []string
	for _, n := range names {
		if strings.HasPrefix(n, prefix) {
			out = append(out, n)
		}
	}
	return out
}

// telx silence expire completes the IDs of the silences that are not
// expired, described by their matchers and comment, and not those
// already on the command line.
func TestSilenceIDsComplete(t *testing.T) {
	env := harness.Shared(t)
	vars := map[string]string{"TELX_ALERTMANAGER_URL": env.AlertmanagerURL, "TELX_COMPLETION_TIMEOUT": "10s"}
	var ids []string
	for _, c := range []string{"first for completion", "second for completion", "third, expired"} {
		code, out, errOut := telx(t, "silence", "add", "alertname=TelxCompletionTest", "-d", "1h", "-c", c)
		if code != cmd.ExitOK {
			t.Fatalf("silence add: exit %d: %s", code, errOut)
		}
		ids = append(ids, strings.TrimSpace(out))
	}
	t.Cleanup(func() {
		for _, id := range ids[:2] {
			telx(t, "silence", "expire", id)
		}
	})
	if code, _, errOut := telx(t, "silence", "expire", ids[2]); code != cmd.ExitOK {
		t.Fatalf("expire: exit %d: %s", code, errOut)
	}
	active := lines(amtool(t, "silence", "query", "-q"))

	got := complete(t, vars, "silence", "expire", "")
	var gotIDs []string
	for _, c := range got {
		id, desc, _ := strings.Cut(c, "\t")
		gotIDs = append(gotIDs, id)
		if id == ids[0] && desc != `alertname="TelxCompletionTest" first for completion` {
			t.Errorf("description of %s: %q", id, desc)
		}
	}
	slices.Sort(gotIDs)
	if !slices.Equal(gotIDs, active) || !slices.Contains(gotIDs, ids[0]) || !slices.Contains(gotIDs, ids[1]) || slices.Contains(gotIDs, ids[2]) {
		t.Errorf("IDs %q; amtool's active ones %q; made %q (the last expired)", gotIDs, active, ids)
	}
	// an ID already given is not offered again; a prefix narrows
	again := complete(t, vars, "silence", "expire", ids[0], "")
	for _, c := range again {
		if strings.HasPrefix(c, ids[0]) {
			t.Errorf("%s offered again: %q", ids[0], again)
		}
	}
	byPrefix := complete(t, vars, "silence", "expire", ids[1][:8])
	found := false
	for _, c := range byPrefix {
		found = found || strings.HasPrefix(c, ids[1]+"\t")
		if !strings.HasPrefix(c, ids[1][:8]) {
			t.Errorf("%q does not start with %s", c, ids[1][:8])
		}
	}
	if !found {
		t.Errorf("%s not offered for its prefix: %q", ids[1], byPrefix)
	}
}
