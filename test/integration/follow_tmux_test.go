package integration

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/telx-cli/telx/test/harness"
)

// The explorer in a real terminal (tmux) against the real Loki, opened
// with --logs on a query and --follow: a line pushed to Loki after the
// explorer opened appears, once, within the tail's delay.
func TestExplorerFollowsInTmux(t *testing.T) {
	env := harness.Shared(t)
	needTmux(t)
	job := fmt.Sprintf("tmux-follow-%d", time.Now().UnixNano())
	if err := env.PushLogs(context.Background(), jobLines(job, "already there", 3, time.Now().Add(-time.Minute))); err != nil {
		t.Fatal(err)
	}
	bin := buildTelx(t)
	s := startTmux(t, "telx-follow", 200, 50,
		[]string{"TELX_JAEGER_URL=" + env.JaegerURL, "TELX_PROMETHEUS_URL=" + env.PrometheusURL, "TELX_LOKI_URL=" + env.LokiURL},
		bin, "explore", "--service", "payments", "--since", "2h", "--utc", "--logs", `{job="`+job+`"}`, "--follow", "--max-lines", "1000")
	s.wait("the query's lines, followed", func(scr string) bool {
		return strings.Contains(scr, "already there 2") && strings.Contains(scr, "● following")
	})
	pushed := time.Now()
	if err := env.PushLogs(context.Background(), jobLines(job, "pushed after the explorer opened", 1, pushed)); err != nil {
		t.Fatal(err)
	}
	scr := s.wait("the pushed line", func(scr string) bool { return strings.Contains(scr, "pushed after the explorer opened 0") })
	t.Logf("the pushed line was on the screen %s after its push (the screen read every 100ms)", time.Since(pushed).Round(10*time.Millisecond))
	if n := strings.Count(scr, "pushed after the explorer opened 0"); n != 1 || !strings.Contains(scr, "line 1/4") {
		t.Errorf("the line shows %d times, or the pane does not count 4 lines:\n%s", n, scr)
	}
	if strings.Contains(scr, "✗ logs") {
		t.Errorf("the Logs pane failed:\n%s", scr)
	}
	s.quit()
}
