package integration

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/telx-cli/telx/cmd"
	"github.com/telx-cli/telx/test/harness"
)

// blockWriter collects a watch's piped output, each block one write,
// and ends the watch (as Ctrl-C would) once it has n blocks.
type blockWriter struct {
	mu     sync.Mutex
	blocks []string
	n      int
	cancel context.CancelFunc
}

func (w *blockWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.blocks = append(w.blocks, string(p))
	if len(w.blocks) == w.n {
		w.cancel()
	}
	return len(p), nil
}

// watchTelx runs telx with --watch against the harness's backends, as a
// pipe, until n blocks came or a minute passed.
func watchTelx(t *testing.T, env *harness.Env, n int, args ...string) (int, []string, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out := &blockWriter{n: n, cancel: cancel}
	var errOut bytes.Buffer
	io := cmd.TestIO(out, &errOut)
	vars := map[string]string{"TELX_PROMETHEUS_URL": env.PrometheusURL}
	root := cmd.NewRootCmd(io, func(k string) string { return vars[k] })
	code := cmd.Run(ctx, root, io, args)
	if ctx.Err() == context.DeadlineExceeded {
		t.Fatalf("%v: %d blocks after a minute, want %d:\n%s", args, len(out.blocks), n, strings.Join(out.blocks, ""))
	}
	return code, out.blocks, errOut.String()
}

var watchStamp = regexp.MustCompile(`^# (\S+) · every (\S+)\n`)

// Piped, against the real Prometheus: telx metrics --watch appends a
// block per refresh, its range ending at the refresh's time; telx alerts
// --watch the alerts' lines.
func TestWatchPipedAgainstPrometheus(t *testing.T) {
	env := harness.Shared(t)
	code, blocks, errOut := watchTelx(t, env, 2, "metrics", "--service", "payments", "--since", "2m", "--step", "1s", "--watch=1s", "--utc")
	if code != cmd.ExitOK || errOut != "" {
		t.Fatalf("metrics: exit %d: %s", code, errOut)
	}
	var at [2]time.Time
	for i, b := range blocks {
		m := watchStamp.FindStringSubmatch(b)
		if m == nil || m[2] != "1s" {
			t.Fatalf("block %d does not start with its stamp:\n%s", i, b)
		}
		var err error
		if at[i], err = time.Parse(time.RFC3339, m[1]); err != nil {
			t.Fatal(err)
		}
		to := at[i].UTC().Format("15:04:05")
		for _, want := range []string{"payments · rate, errors, latency", "→ " + to + " UTC · step 1s", "\nrate ", "\nerrors ", "\np99 "} {
			if !strings.Contains(b, want) {
				t.Errorf("block %d lacks %q:\n%s", i, want, b)
			}
		}
	}
	if d := at[1].Sub(at[0]); d < time.Second || d > 10*time.Second {
		t.Errorf("the refreshes are %s apart, want about 1s", d)
	}

	code, blocks, errOut = watchTelx(t, env, 2, "alerts", "--watch=1s")
	if code != cmd.ExitOK {
		t.Fatalf("alerts: exit %d: %s", code, errOut)
	}
	for i, b := range blocks {
		if m := watchStamp.FindStringSubmatch(b); m == nil {
			t.Errorf("alerts block %d does not start with its stamp:\n%s", i, b)
		}
		// the seeded rules fire for payments within a minute: until then
		// a block may be its stamp alone ("no alerts" on stderr)
		for _, l := range strings.Split(strings.TrimSuffix(watchStamp.ReplaceAllString(b, ""), "\n"), "\n") {
			if l != "" && len(strings.Split(l, "\t")) != 6 {
				t.Errorf("alerts block %d: a line that is not an alert's: %q", i, l)
			}
		}
	}
}

// On a real terminal (tmux, 80x24 and 200x50) against the real
// Prometheus: the RED view redraws in place, one header on the screen
// whose time moves on; Ctrl-C exits 0 leaving the last block and the
// prompt under it.
func TestWatchInTmux(t *testing.T) {
	env := harness.Shared(t)
	if _, err := exec.LookPath("tmux"); err != nil {
		if harness.Required() {
			t.Fatal("tmux is missing (test/install-backends.sh installs it)")
		}
		t.Skip("skipping: no tmux")
	}
	bin := buildTelx(t)
	for _, size := range [][2]int{{80, 24}, {200, 50}} {
		w, h := strconv.Itoa(size[0]), strconv.Itoa(size[1])
		t.Run(w+"x"+h, func(t *testing.T) {
			s := &tmuxSession{t: t, socket: "telx-watch-" + strconv.Itoa(os.Getpid()) + "-" + strconv.FormatInt(time.Now().UnixNano(), 36)}
			var socketPath string
			t.Cleanup(func() {
				_, _ = s.tmux("kill-server")
				if socketPath != "" {
					_ = os.Remove(socketPath)
				}
			})
			// the shell outlives the Ctrl-C (a trap, not an ignore, which
			// telx would inherit) to print telx's exit code
			script := "trap : INT; " + bin + " metrics --service payments --since 2m --step 1s --watch=1s --utc; echo exit=$?; sleep 60"
			if out, err := s.tmux("new-session", "-d", "-s", "telx", "-x", w, "-y", h,
				"-e", "TELX_PROMETHEUS_URL="+env.PrometheusURL, "-e", "NO_COLOR=1", "-e", "TERM=xterm-256color",
				"sh", "-c", script); err != nil {
				t.Fatalf("tmux new-session: %v: %s", err, out)
			}
			if out, err := s.tmux("display-message", "-p", "#{socket_path}"); err == nil {
				socketPath = strings.TrimSpace(out)
			}
			header := regexp.MustCompile(`(?m)^every 1s · (\d\d:\d\d:\d\d) · ctrl\+c stops`)
			var first string
			s.wait("the RED view", func(scr string) bool {
				m := header.FindStringSubmatch(scr)
				if m == nil || !strings.Contains(scr, "\np99 ") {
					return false
				}
				first = m[1]
				return true
			})
			scr := s.wait("a refresh", func(scr string) bool {
				m := header.FindStringSubmatch(scr)
				return m != nil && m[1] != first && strings.Contains(scr, "\np99 ")
			})
			for _, l := range []string{"every 1s · ", "payments · rate, errors, latency", "\nrate "} {
				if n := strings.Count(scr, l); n != 1 {
					t.Errorf("%q %d times on the screen, want once (redrawn in place):\n%s", l, n, scr)
				}
			}
			if !strings.HasPrefix(scr, "every 1s · ") {
				t.Errorf("the block does not start at the top of the screen:\n%s", scr)
			}
			s.keys("C-c")
			scr = s.wait("the exit", func(scr string) bool { return strings.Contains(scr, "exit=0") })
			if !strings.Contains(scr, "\np99 ") || strings.Contains(scr, "^C") || !regexp.MustCompile(`(?m)^p99 .*\nexit=0$`).MatchString(scr) {
				t.Errorf("after Ctrl-C, want the last block and the exit under it:\n%s", scr)
			}
		})
	}
}
