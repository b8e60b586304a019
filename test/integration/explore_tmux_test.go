package integration

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/telx-cli/telx/test/harness"
)

// tmuxSession is the built telx running in a detached tmux server of
// its own (a socket named for the test), 200x50.
type tmuxSession struct {
	t      *testing.T
	socket string
}

func (s *tmuxSession) tmux(args ...string) (string, error) {
	out, err := exec.Command("tmux", append([]string{"-L", s.socket}, args...)...).CombinedOutput()
	return string(out), err
}

// keys sends tmux key names (j, Enter, Tab...) one by one.
func (s *tmuxSession) keys(keys ...string) {
	s.t.Helper()
	for _, k := range keys {
		if out, err := s.tmux("send-keys", "-t", "telx", k); err != nil {
			s.t.Fatalf("send-keys %s: %v: %s", k, err, out)
		}
	}
}

func (s *tmuxSession) screen() string {
	out, err := s.tmux("capture-pane", "-p", "-t", "telx")
	if err != nil {
		return "capture-pane: " + err.Error() + ": " + out
	}
	return out
}

// wait polls the screen until ok, for at most 30 seconds, and fails
// printing the screen otherwise.
func (s *tmuxSession) wait(what string, ok func(string) bool) string {
	s.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		scr := s.screen()
		if ok(scr) {
			return scr
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("the screen never showed %s:\n%s", what, scr)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// needTmux fails (under CI) or skips the test when tmux is missing.
func needTmux(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("tmux"); err != nil {
		if harness.Required() {
			t.Fatal("tmux is missing (test/install-backends.sh installs it)")
		}
		t.Skip("skipping: no tmux")
	}
}

// startTmux runs the command (the built telx and its arguments) in a
// tmux server of the test's own, width x height, with env set (NAME=value)
// besides NO_COLOR and TERM; the server goes with the test.
func startTmux(t *testing.T, name string, width, height int, env []string, command ...string) *tmuxSession {
	t.Helper()
	s := &tmuxSession{t: t, socket: name + "-" + strconv.Itoa(os.Getpid()) + "-" + strconv.FormatInt(time.Now().UnixNano(), 36)}
	var socketPath string
	t.Cleanup(func() {
		_, _ = s.tmux("kill-server")
		if socketPath != "" {
			_ = os.Remove(socketPath) // tmux leaves it behind
		}
	})
	args := []string{"new-session", "-d", "-s", "telx", "-x", strconv.Itoa(width), "-y", strconv.Itoa(height)}
	for _, e := range append(env, "NO_COLOR=1", "TERM=xterm-256color") {
		args = append(args, "-e", e)
	}
	if out, err := s.tmux(append(args, command...)...); err != nil {
		t.Fatalf("tmux new-session: %v: %s", err, out)
	}
	if out, err := s.tmux("display-message", "-p", "#{socket_path}"); err == nil {
		socketPath = strings.TrimSpace(out)
	}
	return s
}

// quit presses q and waits, 10 seconds at most, for telx to end.
func (s *tmuxSession) quit() {
	s.t.Helper()
	s.keys("q")
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, err := s.tmux("has-session", "-t", "telx"); err != nil {
			return
		} else if time.Now().After(deadline) {
			s.t.Fatalf("q did not quit:\n%s", s.screen())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// buildTelx builds the telx binary into a temporary directory.
func buildTelx(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "telx")
	out, err := exec.Command("go", "build", "-o", bin, "github.com/telx-cli/telx/cmd/telx").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// The explorer in a real terminal (tmux) against the real backends:
// telx explore --service payments, down the list to a failing trace,
// Enter opens it, e goes to its first failed span; the Logs pane shows
// that span's error line from Loki and the Metrics pane its service's
// RED view from Prometheus.
func TestExplorerInTmux(t *testing.T) {
	env := harness.Shared(t)
	needTmux(t)
	bin := buildTelx(t)
	s := startTmux(t, "telx-test", 200, 50,
		[]string{"TELX_JAEGER_URL=" + env.JaegerURL, "TELX_PROMETHEUS_URL=" + env.PrometheusURL, "TELX_LOKI_URL=" + env.LokiURL},
		bin, "explore", "--service", "payments", "--since", "2h", "--utc")
	s.wait("payments' traces", func(scr string) bool {
		return strings.Contains(scr, "Traces · payments (") && strings.Contains(scr, "frontend POST /api/checkout")
	})
	// down to the first failing trace (its row ends with ✗)
	selected := regexp.MustCompile(`(?m)^▶\d\d:\d\d:\d\d\.\d{3} ([0-9a-f]{32}) .*$`)
	var trace string
	for i := 0; ; i++ {
		scr := s.screen()
		if m := selected.FindStringSubmatch(scr); m != nil && strings.Contains(strings.SplitN(m[0], "│", 2)[0], "✗") {
			trace = m[1]
			break
		}
		if i == 50 {
			t.Fatalf("no failing trace among payments' first 50:\n%s", scr)
		}
		before := scr
		s.keys("j")
		s.wait("the selection to move", func(scr string) bool { return scr != before })
	}
	s.keys("Enter")
	s.wait("the trace", func(scr string) bool {
		return strings.Contains(scr, "▶ Waterfall") && strings.Contains(scr, trace+" ") && strings.Contains(scr, "span 1/")
	})
	s.keys("e")
	title := regexp.MustCompile(`Logs · span (\S+) `)
	scr := s.wait("the failed span's logs and metrics", func(scr string) bool {
		m := title.FindStringSubmatch(scr)
		if m == nil || strings.Contains(scr, "span 1/") {
			return false
		}
		svc := m[1]
		return regexp.MustCompile(`\d\d:\d\d:\d\d\.\d{3} ERROR `+regexp.QuoteMeta(svc)+` `).MatchString(scr) &&
			strings.Contains(scr, "Metrics · "+svc) && strings.Contains(scr, strings.ToUpper(svc)) &&
			regexp.MustCompile(`(?m)│rate +[▁▂▃▄▅▆▇█ ]*[▁▂▃▄▅▆▇█]`).MatchString(scr) && !strings.Contains(scr, "loading")
	})
	if strings.Contains(scr, "✗ logs") || strings.Contains(scr, "✗ metrics") {
		t.Errorf("a pane failed:\n%s", scr)
	}
	s.keys("q")
	deadline := time.Now().Add(10 * time.Second)
	for {
		if out, err := s.tmux("has-session", "-t", "telx"); err != nil {
			break // telx quit, the session ended
		} else if time.Now().After(deadline) {
			t.Fatalf("q did not quit: %s\n%s", out, s.screen())
		}
		time.Sleep(100 * time.Millisecond)
	}
}
