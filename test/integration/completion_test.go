package integration

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/telx-cli/telx/cmd"
	"github.com/telx-cli/telx/sources/demo"
	"github.com/telx-cli/telx/test/harness"
)

// completeIn runs `telx __complete args...` in process, as the shell
// scripts do, with the environment vars, and returns the candidates and
// the directive; it fails the test on a non-zero exit or anything on
// stderr but cobra's own line.
func completeIn(t *testing.T, vars map[string]string, args ...string) ([]string, cobra.ShellCompDirective) {
	t.Helper()
	var out, errOut bytes.Buffer
	io := cmd.TestIO(&out, &errOut)
	root := cmd.NewRootCmd(io, func(k string) string { return vars[k] })
	code := cmd.Run(context.Background(), root, io, append([]string{cobra.ShellCompRequestCmd}, args...))
	if code != cmd.ExitOK {
		t.Fatalf("%v: exit %d: %s", args, code, errOut.String())
	}
	if e := errOut.String(); !strings.HasPrefix(e, "Completion ended with directive: ") || strings.Count(e, "\n") != 1 {
		t.Errorf("%v: stderr %q", args, e)
	}
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	d, err := strconv.Atoi(strings.TrimPrefix(lines[len(lines)-1], ":"))
	if err != nil {
		t.Fatalf("%v: no directive in %q", args, out.String())
	}
	return lines[:len(lines)-1], cobra.ShellCompDirective(d)
}

// The completions ask the real Jaeger, Loki and Prometheus, with the URLs
// of the environment, of the flags on the line, or of the context, and
// what the scenario seeded comes back.
func TestCompletionFromTheBackends(t *testing.T) {
	env := harness.Shared(t)
	sc := env.Scenario
	vars := map[string]string{
		"TELX_JAEGER_URL":     env.JaegerURL,
		"TELX_PROMETHEUS_URL": env.PrometheusURL,
		"TELX_LOKI_URL":       env.LokiURL,
		// the harness's machine is busy while every test package runs
		"TELX_COMPLETION_TIMEOUT": "10s",
	}
	services := slices.Sorted(slices.Values(demo.Services))
	ops := map[string]bool{}
	for _, tr := range sc.Traces {
		for _, s := range tr.Spans {
			if s.Service == demo.Payments {
				ops[s.Operation] = true
			}
		}
	}
	paymentsOps := make([]string, 0, len(ops))
	for o := range ops {
		paymentsOps = append(paymentsOps, o)
	}
	sort.Strings(paymentsOps)
	logLabels, logServices := map[string]bool{}, map[string]bool{}
	for _, l := range sc.Logs {
		for k := range l.Labels {
			logLabels[k] = true
		}
		logServices[l.Labels["service_name"]] = true
	}
	if len(paymentsOps) == 0 || !logLabels["service_name"] || !logServices[demo.Payments] {
		t.Fatalf("the scenario lacks what this test expects: %v, %v", paymentsOps, logLabels)
	}
	with := func(prefix string, names []string, suffix string) []string {
		out := make([]string, len(names))
		for i, n := range names {
			out[i] = prefix + n + suffix
		}
		return out
	}
	serviceValues := []string{}
	for _, s := range services {
		if logServices[s] {
			serviceValues = append(serviceValues, s)
		}
	}
	// a context pointing at the harness, with the environment pointing
	// nowhere: --context wins over nothing, flags win over the context
	cfg := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(cfg, []byte("contexts:\n  harness:\n    jaeger: {url: "+env.JaegerURL+"}\n    loki: {url: "+env.LokiURL+"}\n    prometheus: {url: "+env.PrometheusURL+"}\n  nowhere:\n    jaeger: {url: http://127.0.0.1:1}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	ctxVars := map[string]string{"TELX_CONFIG": cfg, "TELX_COMPLETION_TIMEOUT": "10s"}

	tests := []struct {
		name string
		vars map[string]string
		args []string
		// exact: the candidates; contains: some of them (the backends hold
		// more than the scenario: HotROD's and the backends' own logs)
		exact, contains []string
		noSpace         bool
	}{
		{name: "services", args: []string{"traces", "--service", ""}, exact: services},
		{name: "services by prefix", args: []string{"traces", "--service", "p"}, exact: []string{"payments", "postgres"}},
		{name: "operations' argument", args: []string{"operations", "fr"}, exact: []string{"frontend"}},
		{name: "operations of --service", args: []string{"traces", "--service", "payments", "--operation", ""}, exact: paymentsOps},
		{name: "operations through gRPC", args: []string{"--jaeger", "grpc://" + env.JaegerGRPC, "traces", "--service", "payments", "--operation", ""}, exact: paymentsOps},
		{name: "the trace's --service", args: []string{"trace", "--service", "inv"}, exact: []string{"inventory"}},
		{name: "logs --service", args: []string{"logs", "--trace", "x", "--service", "ship"}, exact: []string{"shipping"}},
		{name: "explore --service", args: []string{"explore", "--service", "check"}, exact: []string{"checkout"}},
		{name: "label names", args: []string{"labels", "--since", "3h", ""}, contains: []string{"namespace", "service_name"}},
		{name: "label names by prefix", args: []string{"labels", "serv"}, exact: []string{"service_name"}},
		{name: "a selector's label names", args: []string{"logs", "--since", "3h", "{"}, contains: []string{`{namespace="`, `{service_name="`}, noSpace: true},
		{name: "a selector's values", args: []string{"logs", "--since", "3h", `{service_name="`}, contains: with(`{service_name="`, serviceValues, `"`), noSpace: true},
		{name: "a selector's values by prefix", args: []string{"logs", `{service_name=~"pay`}, exact: []string{`{service_name=~"payments"`}, noSpace: true},
		{name: "a second matcher", args: []string{"logs", `{service_name="payments", namespace="s`}, exact: []string{`{service_name="payments", namespace="shop"`}, noSpace: true},
		{name: "a second label", args: []string{"logs", `{service_name="payments",serv`}, exact: []string{`{service_name="payments",service_name="`}, noSpace: true},
		{name: "past the selector", args: []string{"logs", `{service_name="payments"} |= "`}},
		{name: "explore --logs", args: []string{"explore", "--logs", `{namespace="`}, exact: []string{`{namespace="shop"`}, noSpace: true},
		{name: "--service-label", args: []string{"logs", "--service-label", "service_"}, exact: []string{"service_name"}},
		{name: "--fields", args: []string{"logs", "--fields", "service_name,names"}, exact: []string{"service_name,namespace"}, noSpace: true},
		{name: "metric names", args: []string{"metrics", "traces_span_metrics_"}, contains: []string{demo.CallsMetric, demo.DurationMetric + "_bucket", demo.DurationMetric + "_count"}},
		{name: "a metric name in an expression", args: []string{"metrics", "sum(rate(traces_span_metrics_ca"}, exact: []string{"sum(rate(" + demo.CallsMetric}, noSpace: true},
		{name: "not in a selector", args: []string{"metrics", `traces_span_metrics_calls_total{service_name="`}},
		{name: "explore --metrics", args: []string{"explore", "--metrics", "traces_span_metrics_calls"}, exact: []string{demo.CallsMetric}},
		{name: "metrics --service", args: []string{"metrics", "--service", ""}, contains: services},
		{name: "flags on the line win", vars: map[string]string{"TELX_JAEGER_URL": "http://127.0.0.1:1", "TELX_COMPLETION_TIMEOUT": "10s"}, args: []string{"--jaeger", env.JaegerURL, "operations", "--jaeger-protocol", "v1", ""}, exact: services},
		{name: "the context's backends", vars: ctxVars, args: []string{"--context", "harness", "traces", "--service", "pay"}, exact: []string{"payments"}},
		{name: "the context's Loki", vars: ctxVars, args: []string{"--context", "harness", "logs", `{namespace="`}, exact: []string{`{namespace="shop"`}, noSpace: true},
		{name: "the context's Prometheus", vars: ctxVars, args: []string{"metrics", "--context", "harness", "traces_span_metrics_calls"}, exact: []string{demo.CallsMetric}},
		{name: "a context that is down", vars: ctxVars, args: []string{"--context", "nowhere", "traces", "--service", ""}},
		{name: "--jaeger over the context", vars: ctxVars, args: []string{"--context", "nowhere", "--jaeger", env.JaegerURL, "traces", "--service", "red"}, exact: []string{"redis"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := vars
			if tt.vars != nil {
				v = tt.vars
			}
			got, directive := completeIn(t, v, tt.args...)
			if directive&cobra.ShellCompDirectiveNoFileComp == 0 {
				t.Errorf("directive %d offers file names", directive)
			}
			if noSpace := directive&cobra.ShellCompDirectiveNoSpace != 0; noSpace != tt.noSpace {
				t.Errorf("no space after the candidate: %v, want %v", noSpace, tt.noSpace)
			}
			if tt.contains != nil {
				for _, w := range tt.contains {
					if !slices.Contains(got, w) {
						t.Errorf("lacks %q: %q", w, got)
					}
				}
				typed := tt.args[len(tt.args)-1]
				for _, g := range got {
					if !strings.HasPrefix(g, typed) {
						t.Errorf("%q does not start with %q", g, typed)
					}
				}
				return
			}
			if !slices.Equal(got, tt.exact) {
				t.Errorf("got %q, want %q", got, tt.exact)
			}
		})
	}
}
