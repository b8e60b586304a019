package integration

import (
	"bufio"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/telx-cli/telx/test/harness"
)

// The explorer with one backend at a server of faults and the others
// real: the faulty backend's pane (or the status bar) names it, its URL
// and what happened, the other panes show their data, the explorer stays
// under 200 MB and quits on q.
func TestExplorerAgainstFaults(t *testing.T) {
	env := harness.Shared(t)
	needTmux(t)
	bin := buildTelx(t)
	for _, f := range harness.Faults {
		srv := harness.StartFaultServer(t, f)
		srv.OverCap = 80 << 20 // past the caps of lists and pages
		for _, faulty := range []string{"jaeger", "prometheus", "loki"} {
			t.Run(string(f)+"/"+faulty, func(t *testing.T) {
				// the large bodies one at a time, not to measure each other
				if f != harness.FaultOverCap {
					t.Parallel()
				}
				urls := map[string]string{"jaeger": env.JaegerURL, "prometheus": env.PrometheusURL, "loki": env.LokiURL}
				urls[faulty] = srv.URL
				envs := []string{"TELX_JAEGER_URL=" + urls["jaeger"], "TELX_PROMETHEUS_URL=" + urls["prometheus"], "TELX_LOKI_URL=" + urls["loki"], "HOME=" + t.TempDir()}
				if f == harness.FaultOverCap && faulty == "jaeger" {
					// a trace search's cap is 256 MiB by default: its
					// 80 MB of spans, all decoded, are some 480 MB (as
					// with the one-shot commands' fault test, which caps
					// traces at 64 MiB; --max-answer would raise the cap
					// of lists too)
					cfg := filepath.Join(t.TempDir(), "config.yaml")
					if err := os.WriteFile(cfg, []byte("current_context: faults\ncontexts:\n  faults:\n    limits:\n      trace_answer: 64MiB\n"), 0o600); err != nil {
						t.Fatal(err)
					}
					envs = append(envs, "TELX_CONFIG="+cfg)
				}
				s := startTmux(t, "telx-fault", 160, 45, envs,
					bin, "explore", "--service", "payments", "--since", "2h", "--utc", "--timeout", "2s",
					"--logs", `{service_name=~".+"}`, "--metrics", "up")
				pid, _ := s.tmux("display-message", "-p", "#{pane_pid}")
				working := map[string]func(string) bool{
					"jaeger": func(scr string) bool { return strings.Contains(scr, "frontend POST /api/checkout") },
					"loki":   func(scr string) bool { return strings.Contains(scr, "Logs · ") && strings.Contains(scr, "line 1/") },
					"prometheus": func(scr string) bool {
						// a Prometheus just started may have no point of up in the window yet
						return strings.Contains(scr, "Metrics · up") && (strings.Contains(scr, "LAST") || strings.Contains(scr, "No series for up"))
					},
				}
				scr := s.wait("the fault named and the other panes working", func(scr string) bool {
					if !strings.Contains(scr, faulty+" at "+srv.URL) {
						return false
					}
					for b, ok := range working {
						if b != faulty && !ok(scr) {
							return false
						}
					}
					return true
				})
				for _, not := range []string{"panic", "goroutine ", `\n`} {
					if strings.Contains(scr, not) {
						t.Errorf("the screen shows %q:\n%s", not, scr)
					}
				}
				switch hwm := peakRSS(strings.TrimSpace(pid)); {
				case hwm == 0:
					t.Errorf("no peak memory for the explorer's process %q", pid)
				case hwm > 200<<20:
					t.Errorf("the explorer's peak memory is %d MB", hwm>>20)
				default:
					t.Logf("peak memory %d MB", hwm>>20)
				}
				s.quit()
			})
		}
	}
}

// peakRSS is a process's peak resident set (VmHWM), 0 when unknown.
func peakRSS(pid string) int64 {
	f, err := os.Open("/proc/" + pid + "/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}
