package integration

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
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
	if _, err := exec.LookPath("tmux"); err != nil {
		if harness.Required() {
			t.Fatal("tmux is missing (test/install-backends.sh installs it)")
		}
		t.Skip("skipping: no tmux")
	}
	job := fmt.Sprintf("tmux-follow-%d", time.Now().UnixNano())
	if err := env.PushLogs(context.Background(), jobLines(job, "already there", 3, time.Now().Add(-time.Minute))); err != nil {
		t.Fatal(err)
	}
	bin := buildTelx(t)
	s := &tmuxSession{t: t, socket: "telx-follow-" + strconv.Itoa(os.Getpid()) + "-" + strconv.FormatInt(time.Now().UnixNano(), 36)}
	var socketPath string
	t.Cleanup(func() {
		_, _ = s.tmux("kill-server")
		if socketPath != "" {
			_ = os.Remove(socketPath)
		}
	})
	cmdline := []string{"new-session", "-d", "-s", "telx", "-x", "200", "-y", "50",
		"-e", "TELX_JAEGER_URL=" + env.JaegerURL, "-e", "TELX_PROMETHEUS_URL=" + env.PrometheusURL,
		"-e", "TELX_LOKI_URL=" + env.LokiURL,
		"-e", "NO_COLOR=1", "-e", "TERM=xterm-256color",
		bin, "explore", "--service", "payments", "--since", "2h", "--utc", "--logs", `{job="` + job + `"}`, "--follow", "--max-lines", "1000"}
	if out, err := s.tmux(cmdline...); err != nil {
		t.Fatalf("tmux new-session: %v: %s", err, out)
	}
	if out, err := s.tmux("display-message", "-p", "#{socket_path}"); err == nil {
		socketPath = strings.TrimSpace(out)
	}
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
	s.keys("q")
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, err := s.tmux("has-session", "-t", "telx"); err != nil {
			break
		} else if time.Now().After(deadline) {
			t.Fatalf("q did not quit:\n%s", s.screen())
		}
		time.Sleep(100 * time.Millisecond)
	}
}
