package integration

import (
	"bytes"
	"context"
	"encoding/json"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/telx-cli/telx/cmd"
	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/sources/demo"
	"github.com/telx-cli/telx/test/harness"
)

// telx runs the command tree against the harness's backends, as a pipe.
func telx(t *testing.T, env *harness.Env, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	io := cmd.TestIO(&out, &errOut)
	vars := map[string]string{
		"TELX_JAEGER_URL":     env.JaegerURL,
		"TELX_PROMETHEUS_URL": env.PrometheusURL,
		"TELX_LOKI_URL":       env.LokiURL,
	}
	root := cmd.NewRootCmd(io, func(k string) string { return vars[k] })
	code := cmd.Run(context.Background(), root, io, args)
	return code, out.String(), errOut.String()
}

func TestTraceCommandThroughEveryAPI(t *testing.T) {
	env := harness.Shared(t)
	id := string(env.Scenario.BigTraceID)
	var outputs []string
	for _, args := range [][]string{
		{"trace", id},
		{"trace", id, "--jaeger-protocol", "v1"},
		{"trace", id, "--jaeger", "grpc://" + env.JaegerGRPC},
		{"trace", id, "--jaeger", "grpc://" + env.JaegerGRPC, "--jaeger-protocol", "grpc-v2"},
		{"trace", id, "--jaeger", "grpc://" + env.JaegerGRPC, "--jaeger-compression", "gzip"},
	} {
		code, out, errOut := telx(t, env, append(args, "--utc", "--width", "120", "--min-duration", "50ms")...)
		if code != cmd.ExitOK {
			t.Fatalf("%v: exit %d: %s", args, code, errOut)
		}
		outputs = append(outputs, out)
	}
	for i, out := range outputs[1:] {
		if out != outputs[0] {
			t.Errorf("the waterfall differs between APIs (%d):\n%s\n---\n%s", i+1, outputs[0], out)
		}
	}
	for _, want := range []string{"Trace " + id, "frontend POST /api/orders/export", "1202 spans", "◆ "} {
		if !strings.Contains(outputs[0], want) {
			t.Errorf("waterfall lacks %q:\n%s", want, outputs[0])
		}
	}

	code, _, errOut := telx(t, env, "trace", "0000000000000000000000000000abcd")
	if code != cmd.ExitNotFound || !strings.Contains(errOut, "not found") {
		t.Errorf("unknown trace: exit %d, %q", code, errOut)
	}
}

func TestTracesServicesOperationsCommands(t *testing.T) {
	env := harness.Shared(t)
	code, out, errOut := telx(t, env, "services")
	if code != cmd.ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	want := append([]string(nil), demo.Services...)
	sort.Strings(want)
	if strings.TrimSpace(out) != strings.Join(want, "\n") {
		t.Errorf("services:\n%s", out)
	}
	code, out, _ = telx(t, env, "operations", "payments", "-o", "json")
	if code != cmd.ExitOK || strings.TrimSpace(out) != `["Charge","GetPaymentStatus"]` {
		t.Errorf("operations: %d %s", code, out)
	}

	wantErrors := 0
	for _, tr := range env.Scenario.Traces {
		if tr.Spans[0].Operation == "POST /api/checkout" && tr.ErrorCount() > 0 {
			wantErrors++
		}
	}
	code, out, errOut = telx(t, env, "traces", "--service", "frontend", "--operation", "POST /api/checkout", "--since", "2h", "--limit", "1000", "-o", "json")
	if code != cmd.ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var rows []struct {
		TraceID string `json:"traceId"`
		Errors  int    `json:"errors"`
	}
	if err := json.Unmarshal([]byte(out), &rows); err != nil {
		t.Fatal(err)
	}
	failed := 0
	for _, r := range rows {
		if r.Errors > 0 {
			failed++
		}
	}
	if failed != wantErrors {
		t.Errorf("traces found %d failed checkouts, the scenario has %d", failed, wantErrors)
	}

	// piped: tab-separated rows, no header, no colour
	code, out, _ = telx(t, env, "traces", "--service", "frontend", "--since", "2h", "--limit", "3")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != cmd.ExitOK || len(lines) != 3 || strings.Count(lines[0], "\t") != 7 || strings.Contains(out, "\x1b") {
		t.Errorf("piped traces output:\n%s", out)
	}

	// a limit keeps the newest traces, as an on-call engineer expects
	var payments []*sources.Trace
	for _, tr := range env.Scenario.Traces {
		if slices.Contains(tr.Services(), "payments") {
			payments = append(payments, tr)
		}
	}
	slices.SortFunc(payments, func(a, b *sources.Trace) int { return b.TimeRange().From.Compare(a.TimeRange().From) })
	code, out, errOut = telx(t, env, "traces", "--service", "payments", "--since", "2h", "--limit", "5")
	if code != cmd.ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for i, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if id := strings.Split(line, "\t")[1]; i >= len(payments) || id != string(payments[i].ID) {
			t.Errorf("row %d is trace %s, want the %d-th newest payments trace\n%s", i, id, i+1, out)
		}
	}
}
