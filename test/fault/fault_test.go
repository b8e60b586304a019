// Package fault runs telx's one-shot commands, as the built binary,
// against a server of faults (harness.FaultServer) on loopback: each must
// exit with the right code and a message naming the backend, its URL and
// what happened, within its --timeout, in less than 200 MB.
package fault

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/telx-cli/telx/test/harness"
)

var telxBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "telx-fault-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	telxBin = filepath.Join(dir, "telx")
	if out, err := exec.Command("go", "build", "-o", telxBin, "github.com/telx-cli/telx/cmd/telx").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "building telx: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// command is a one-shot command of one backend.
type command struct {
	backend string
	args    []string
}

var commands = []command{
	{"jaeger", []string{"trace", "0af7651916cd43dd8448eb211c80319c"}},
	{"jaeger", []string{"trace", "0af7651916cd43dd8448eb211c80319c", "--jaeger-protocol", "v1"}},
	{"jaeger", []string{"traces", "--service", "checkout"}},
	{"jaeger", []string{"services"}},
	{"jaeger", []string{"operations", "checkout"}},
	{"prometheus", []string{"metrics", "up"}},
	{"prometheus", []string{"metrics", "up", "--instant"}},
	{"prometheus", []string{"alerts"}},
	{"loki", []string{"logs", `{service_name="checkout"}`}},
	{"loki", []string{"labels"}},
	{"loki", []string{"labels", "service_name"}},
	{"loki", []string{"logs", `{service_name="checkout"}`, "--follow"}},
}

const (
	timeout   = 2 * time.Second
	maxMemory = 200 << 20
)

// what a fault's message must say, besides the backend and its URL; the
// follow's first connection is a WebSocket handshake, which some faults
// meet otherwise.
func expect(f harness.Fault, c command) (code int, says []string) {
	follow := strings.Contains(strings.Join(c.args, " "), "--follow")
	switch f {
	case harness.FaultHTML500:
		return 1, []string{"500 Internal Server Error"}
	case harness.FaultHTML200:
		if follow {
			return 1, []string{"the WebSocket upgrade was refused"}
		}
		return 1, []string{"not JSON but HTML"}
	case harness.FaultEmpty502:
		return 1, []string{"502 Bad Gateway"}
	case harness.FaultTruncated, harness.FaultReset:
		if follow {
			return 1, []string{"the WebSocket upgrade was refused"}
		}
		if f == harness.FaultReset {
			return 1, []string{"connection reset", "hint: the connection broke while the answer came"}
		}
		return 1, []string{"truncated"}
	case harness.FaultWrongShape:
		if follow {
			return 1, []string{"the WebSocket upgrade was refused"}
		}
		return 1, []string{"malformed"}
	case harness.FaultNeverEnds, harness.FaultStall:
		if follow {
			return 1, []string{"the WebSocket upgrade was refused"}
		}
		return 1, []string{"timed out after 2s"}
	case harness.FaultNoAnswer:
		return 1, []string{"timed out after 2s", "--timeout 4s"}
	case harness.FaultRedirectLoop:
		return 1, []string{"stopped after 10 redirects", "hint: the server sends telx round in redirects"}
	case harness.Fault401:
		return 4, []string{"401 Unauthorized"}
	case harness.Fault403:
		return 4, []string{"403 Forbidden"}
	case harness.FaultOverCap:
		if follow {
			return 1, []string{"a message of the tail is larger than", "--max-answer"}
		}
		return 1, []string{"is larger than", "--max-answer"}
	}
	return 1, nil
}

// run runs the built telx with args and returns its exit code, stderr,
// peak memory (its maximum resident set) and time taken.
func run(t *testing.T, args ...string) (int, string, int64, time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, telxBin, args...)
	cmd.Env = []string{"HOME=" + t.TempDir(), "PATH=" + os.Getenv("PATH")}
	var errOut bytes.Buffer
	cmd.Stderr = &errOut
	start := time.Now()
	err := cmd.Run()
	took := time.Since(start)
	if ctx.Err() != nil {
		t.Fatalf("telx %s: still running after 30s", strings.Join(args, " "))
	}
	code := 0
	if err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok {
			t.Fatal(err)
		}
		code = ee.ExitCode()
	}
	var rss int64
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		rss = ru.Maxrss << 10 // kilobytes on Linux
	}
	return code, errOut.String(), rss, took
}

func TestOneShotCommandsAgainstFaults(t *testing.T) {
	for _, f := range harness.Faults {
		srv := harness.StartFaultServer(t, f)
		srv.OverCap = 80 << 20 // past the default caps of lists and pages
		// the faults that make telx wait run side by side; the others
		// (the large bodies) one at a time, not to measure each other
		waits := f == harness.FaultNeverEnds || f == harness.FaultStall || f == harness.FaultNoAnswer
		t.Run(string(f), func(t *testing.T) {
			for _, c := range commands {
				runCase(t, f, srv, c, waits)
			}
		})
	}
}

func runCase(t *testing.T, f harness.Fault, srv *harness.FaultServer, c command, parallel bool) {
	t.Run(strings.Join(c.args, " "), func(t *testing.T) {
		if parallel {
			t.Parallel()
		}
		args := append([]string{"--" + c.backend, srv.URL, "--timeout", timeout.String()}, c.args...)
		if f == harness.FaultOverCap && c.backend == "jaeger" && (c.args[0] == "trace" || c.args[0] == "traces") {
			// a trace answer's cap is 256 MiB by default: as much
			// decoded is more than 200 MB
			args = append(args, "--max-answer", "64MiB")
		}
		code, errOut, rss, took := run(t, args...)
		wantCode, says := expect(f, c)
		if code != wantCode {
			t.Errorf("exit %d, want %d", code, wantCode)
		}
		for _, s := range append([]string{"telx: " + c.backend + " at " + srv.URL}, says...) {
			if !strings.Contains(errOut, s) {
				t.Errorf("stderr does not say %q", s)
			}
		}
		// the server is there: never "is it running?"; and nothing of
		// the machinery beneath
		for _, not := range []string{"running there", "deadline exceeded", "Client.Timeout", "request canceled", "jsontext:"} {
			if strings.Contains(errOut, not) {
				t.Errorf("stderr says %q", not)
			}
		}
		if strings.Count(errOut, "\n") > 4 || len(errOut) > 1000 {
			t.Errorf("a long message (%d bytes)", len(errOut))
		}
		if rss > maxMemory {
			t.Errorf("peak memory %d MB", rss>>20)
		}
		if took > timeout+5*time.Second {
			t.Errorf("took %s with --timeout %s", took, timeout)
		}
		t.Logf("exit %d, %s, %d MB:\n%s", code, took.Round(time.Millisecond), rss>>20, errOut)
	})
}
