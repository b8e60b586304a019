package integration

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/telx-cli/telx/cmd"
	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/test/harness"
)

// telx logs --histogram against the real Loki: the volume Loki counts is
// every seeded line, in the JSON series and in the text legend.
func TestLogsHistogramCommand(t *testing.T) {
	env := harness.Shared(t)
	args := append([]string{"logs", `{namespace="shop"}`, "--histogram", "-o", "jsonl"}, window(env)...)
	code, out, errOut := telx(t, env, args...)
	if code != cmd.ExitOK || errOut != "" {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	total := 0.0
	for _, row := range strings.Split(strings.TrimSpace(out), "\n") {
		var s sources.Series
		if err := json.Unmarshal([]byte(row), &s); err != nil {
			t.Fatalf("%v: %s", err, row)
		}
		for _, p := range s.Points {
			total += p.Value
		}
	}
	if int(total) != len(env.Scenario.Logs) {
		t.Errorf("volume of %v lines, want the %d seeded", total, len(env.Scenario.Logs))
	}
	args = append([]string{"logs", `{namespace="shop"}`, "--histogram", "--limit", "1"}, window(env)...)
	code, out, errOut = telx(t, env, args...)
	if want := strconv.Itoa(len(env.Scenario.Logs)) + " lines"; code != cmd.ExitOK || errOut != "" || !strings.Contains(out, want) {
		t.Errorf("text: exit %d %s: no %q in\n%s", code, errOut, want, out)
	}
}

// telx logs --patterns against the real Loki: its pattern ingester's
// patterns, without a note, the seeded message counted whole.
func TestLogsPatternsCommand(t *testing.T) {
	env := harness.Shared(t)
	want := int64(0)
	for _, e := range env.Scenario.Logs {
		if e.Labels["service_name"] == "checkout" && strings.Contains(e.Line, `msg="order placed"`) {
			want++
		}
	}
	args := append([]string{"logs", `{service_name="checkout"}`, "--patterns", "-o", "jsonl"}, window(env)...)
	var out, errOut string
	var code int
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(time.Second) {
		code, out, errOut = telx(t, env, args...)
		if code != cmd.ExitOK || errOut == "" || time.Now().After(deadline) {
			break // a note says telx clustered locally: Loki has no patterns yet
		}
	}
	if code != cmd.ExitOK || errOut != "" {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	found := false
	for _, row := range strings.Split(strings.TrimSpace(out), "\n") {
		var p sources.LogPattern
		if err := json.Unmarshal([]byte(row), &p); err != nil {
			t.Fatalf("%v: %s", err, row)
		}
		if strings.Contains(p.Pattern, `msg="order placed"`) {
			found = true
			if p.Count != want {
				t.Errorf("%s: %d lines, want %d", p.Pattern, p.Count, want)
			}
		}
	}
	if !found {
		t.Errorf("no pattern of the order placed lines:\n%s", out)
	}
}
