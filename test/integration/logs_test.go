package integration

import (
	"bytes"
	"context"
	"encoding/json"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/telx-cli/telx/cmd"
	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/test/harness"
)

func window(env *harness.Env) []string {
	r := env.Scenario.Window.Widen(time.Minute)
	return []string{"--from", r.From.UTC().Format(time.RFC3339Nano), "--to", r.To.UTC().Format(time.RFC3339Nano)}
}

func jsonl(t *testing.T, out string) []sources.LogEntry {
	t.Helper()
	var es []sources.LogEntry
	for _, row := range strings.Split(strings.TrimSpace(out), "\n") {
		if row == "" {
			continue
		}
		var e sources.LogEntry
		if err := json.Unmarshal([]byte(row), &e); err != nil {
			t.Fatalf("%v: %s", err, row)
		}
		es = append(es, e)
	}
	return es
}

func lines(es []sources.LogEntry) []string {
	var out []string
	for _, e := range es {
		out = append(out, e.Line)
	}
	sort.Strings(out)
	return out
}

func TestLogsCommand(t *testing.T) {
	env := harness.Shared(t)
	var want []sources.LogEntry
	for _, e := range env.Scenario.Logs {
		if e.Labels["service_name"] == "payments" {
			want = append(want, e)
		}
	}
	args := append([]string{"logs", `{service_name="payments"}`, "--limit", "0", "-o", "jsonl"}, window(env)...)
	code, out, errOut := telx(t, env, args...)
	if code != cmd.ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	got := jsonl(t, out)
	if strings.Join(lines(got), "\n") != strings.Join(lines(want), "\n") {
		t.Errorf("%d lines, want the scenario's %d payments lines", len(got), len(want))
	}
	for i := 1; i < len(got); i++ {
		if got[i].Time.After(got[i-1].Time) {
			t.Fatalf("not newest first at %d", i)
		}
	}
	for _, e := range got {
		if e.TraceID == "" || e.Level == "" || e.Metadata["trace_id"] != string(e.TraceID) || e.Labels["trace_id"] != "" {
			t.Fatalf("payments line without its IDs and level, or with metadata among labels: %+v", e)
		}
	}

	// the default output: the service, the level, the line
	code, out, _ = telx(t, env, append([]string{"logs", `{service_name="payments"} |= "charge failed"`, "--limit", "5", "--utc"}, window(env)...)...)
	rows := strings.Split(strings.TrimSpace(out), "\n")
	if code != cmd.ExitOK || len(rows) != 5 || !strings.Contains(rows[0], " ERROR payments ") || !strings.Contains(rows[0], "charge failed") {
		t.Errorf("default output (exit %d):\n%s", code, out)
	}

	// a syntax error shows Loki's message and exits 2
	code, _, errOut = telx(t, env, "logs", `{service_name="payments"`)
	if code != cmd.ExitUsage || !strings.Contains(errOut, "parse error") || !strings.Contains(errOut, env.LokiURL) {
		t.Errorf("syntax error: exit %d: %s", code, errOut)
	}
}

// --trace finds a trace's lines through its window and services from
// Jaeger, whatever their format: text, logfmt and JSON.
func TestLogsOfATraceCommand(t *testing.T) {
	env := harness.Shared(t)
	sc := env.Scenario
	var id sources.TraceID
	want := map[sources.TraceID][]sources.LogEntry{}
	for _, e := range sc.Logs {
		if e.TraceID != "" {
			want[e.TraceID] = append(want[e.TraceID], e)
		}
	}
	for tid, es := range want {
		if len(es) >= 4 && (id == "" || tid < id) {
			id = tid
		}
	}
	code, out, errOut := telx(t, env, "logs", "--trace", string(id), "-o", "jsonl")
	if code != cmd.ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if strings.Contains(errOut, "warning") {
		t.Errorf("warned: %s", errOut)
	}
	got := jsonl(t, out)
	if strings.Join(lines(got), "\n") != strings.Join(lines(want[id]), "\n") {
		t.Errorf("trace %s: got\n%s\nwant\n%s", id, strings.Join(lines(got), "\n"), strings.Join(lines(want[id]), "\n"))
	}
	for i := 1; i < len(got); i++ {
		if got[i].Time.Before(got[i-1].Time) {
			t.Errorf("not oldest first at %d", i)
		}
	}

	// following a trace starts with its lines so far
	code, out, errOut = telxFor(t, env, 4*time.Second, "logs", "--trace", string(id), "--follow", "-o", "jsonl")
	if code != cmd.ExitError || !strings.Contains(errOut, "interrupted") {
		t.Errorf("follow: exit %d: %s", code, errOut)
	}
	if got := jsonl(t, out); strings.Join(lines(got), "\n") != strings.Join(lines(want[id]), "\n") {
		t.Errorf("following trace %s printed\n%s", id, out)
	}

	// Jaeger down: a warning, and the last hour searched
	env2 := &harness.Env{LokiURL: env.LokiURL, JaegerURL: "http://127.0.0.1:1"}
	code, out, errOut = telx(t, env2, "logs", "--trace", string(id), "-o", "raw", "--since", "2h")
	if code != cmd.ExitOK || !strings.Contains(errOut, "warning: no window from Jaeger") || len(strings.Split(strings.TrimSpace(out), "\n")) != len(want[id]) {
		t.Errorf("without Jaeger: exit %d\n%s\n%s", code, out, errOut)
	}
}

func TestLabelsCommand(t *testing.T) {
	env := harness.Shared(t)
	code, out, errOut := telx(t, env, "labels", "service_name", "--since", "2h")
	if code != cmd.ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, s := range []string{"checkout", "frontend", "inventory", "payments", "postgres"} {
		if !strings.Contains("\n"+out, "\n"+s+"\n") {
			t.Errorf("no %s in\n%s", s, out)
		}
	}
	code, out, _ = telx(t, env, "labels", "-o", "json")
	var names []string
	if code != cmd.ExitOK || json.Unmarshal([]byte(out), &names) != nil || len(names) == 0 {
		t.Errorf("labels -o json: %d %s", code, out)
	}
}

// telxFor runs telx and interrupts it (as Ctrl-C does) after d.
func telxFor(t *testing.T, env *harness.Env, d time.Duration, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	io := cmd.TestIO(&out, &errOut)
	vars := map[string]string{"TELX_JAEGER_URL": env.JaegerURL, "TELX_LOKI_URL": env.LokiURL}
	root := cmd.NewRootCmd(io, func(k string) string { return vars[k] })
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	time.AfterFunc(d, cancel)
	code := cmd.Run(ctx, root, io, args)
	return code, out.String(), errOut.String()
}

// Ctrl-C (a cancelled context) stops a follow cleanly.
func TestLogsFollowInterrupted(t *testing.T) {
	env := harness.Shared(t)
	start := time.Now()
	code, out, errOut := telxFor(t, env, 3*time.Second, "logs", `{namespace="shop"}`, "--follow", "--limit", "10", "--since", "2h", "-o", "raw")
	if code != cmd.ExitError || !strings.Contains(errOut, "telx: interrupted") || time.Since(start) > 10*time.Second {
		t.Errorf("exit %d after %s: %s", code, time.Since(start), errOut)
	}
	if n := len(strings.Split(strings.TrimSpace(out), "\n")); n != 10 {
		t.Errorf("%d lines before the interrupt, want the 10 of --limit:\n%s", n, out)
	}
}
