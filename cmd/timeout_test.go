package cmd

import (
	"strings"
	"testing"
	"time"

	"github.com/telx-cli/telx/test/harness"
)

// A command whose backend does not answer in time says it timed out,
// after how long, and how to wait longer: not that the answer was
// malformed, nor that the backend may not be running. Every backend, and
// the follow.
func TestTimeoutsSayTheyTimedOut(t *testing.T) {
	commands := []struct {
		backend string
		args    []string
	}{
		{"jaeger", []string{"trace", "0af7651916cd43dd8448eb211c80319c"}},
		{"jaeger", []string{"trace", "0af7651916cd43dd8448eb211c80319c", "--jaeger-protocol", "v1"}},
		{"jaeger", []string{"traces", "--service", "checkout"}},
		{"jaeger", []string{"services"}},
		{"prometheus", []string{"metrics", "up"}},
		{"prometheus", []string{"alerts"}},
		{"loki", []string{"logs", `{service_name="checkout"}`}},
		{"loki", []string{"labels"}},
		{"loki", []string{"logs", `{service_name="checkout"}`, "--follow"}},
	}
	for _, fault := range []harness.Fault{harness.FaultNoAnswer, harness.FaultStall, harness.FaultNeverEnds} {
		srv := harness.StartFaultServer(t, fault)
		for _, c := range commands {
			if fault != harness.FaultNoAnswer && strings.Contains(strings.Join(c.args, " "), "--follow") {
				continue // the tail's handshake has no body to stall in
			}
			name := string(fault) + "/" + strings.Join(c.args, " ")
			t.Run(name, func(t *testing.T) {
				args := append([]string{"--" + c.backend, srv.URL, "--timeout", "500ms"}, c.args...)
				start := time.Now()
				code, _, errOut := runTelx(t, nil, args...)
				if took := time.Since(start); took > 10*time.Second {
					t.Errorf("took %s with --timeout 500ms", took)
				}
				if code != ExitError {
					t.Errorf("exit %d", code)
				}
				for _, want := range []string{c.backend + " at " + srv.URL, "timed out after 500ms", "hint: wait longer with --timeout 1s, or set timeout under " + c.backend + " in the context"} {
					if !strings.Contains(errOut, want) {
						t.Errorf("stderr does not say %q:\n%s", want, errOut)
					}
				}
				for _, not := range []string{"malformed", "running there", "deadline exceeded", "canceled", "Client.Timeout"} {
					if strings.Contains(errOut, not) {
						t.Errorf("stderr says %q:\n%s", not, errOut)
					}
				}
			})
		}
	}
}
