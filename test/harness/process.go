package harness

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"
)

// process is one backend server started by the harness.
type process struct {
	name    string
	addr    string // host:port of its main HTTP endpoint
	logPath string
	start   time.Time // when it was started
	cmd     *exec.Cmd
	done    chan struct{}
	err     error // the process's exit, once done is closed
	stop    sync.Once
}

// startProcess starts bin with args in its own process group, its output
// (stdout and stderr) going to the log file <dir>/<name>.log. The process
// dies with the test binary (Pdeathsig), even when the binary is killed by a
// test timeout.
func startProcess(name, addr, dir, bin string, args ...string) (*process, error) {
	return startProcessEnv(name, addr, dir, nil, bin, args...)
}

// startProcessEnv is startProcess with env added to the harness's own
// environment.
func startProcessEnv(name, addr, dir string, env []string, bin string, args ...string) (*process, error) {
	logPath := dir + "/" + name + ".log"
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	defer logFile.Close()
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	if env != nil {
		cmd.Env = append(os.Environ(), env...)
	}
	cmd.Stdout = logFile
	cmd.Stderr = logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("%s: starting %s: %w", name, bin, err)
	}
	p := &process{name: name, addr: addr, logPath: logPath, start: start, cmd: cmd, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	return p, nil
}

// waitReady polls url until it answers 200, the process exits, or timeout
// passes. Its error names the backend, its address and the tail of its log.
// client sends the requests (a plain one when nil).
func (p *process) waitReady(ctx context.Context, client *http.Client, url string, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if client == nil || client == http.DefaultClient {
		client = &http.Client{Timeout: 2 * time.Second}
	}
	last := "no answer yet"
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		resp, err := client.Do(req)
		if err == nil {
			body := make([]byte, 200)
			n, _ := resp.Body.Read(body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			last = fmt.Sprintf("%s: %s", resp.Status, strings.TrimSpace(string(body[:n])))
		} else {
			last = err.Error()
		}
		select {
		case <-p.done:
			return p.failure(fmt.Sprintf("exited before it was ready (%v)", p.err))
		case <-ctx.Done():
			return p.failure(fmt.Sprintf("did not become ready within %s (last answer from %s: %s)", timeout, url, last))
		case <-tick.C:
		}
	}
}

func (p *process) failure(what string) error {
	return fmt.Errorf("%s on %s %s\n--- last lines of %s ---\n%s", p.name, p.addr, what, p.logPath, tail(p.logPath, 25))
}

// Stop ends the process group: SIGTERM, then SIGKILL after a grace period.
// It is safe to call more than once.
func (p *process) Stop() {
	p.stop.Do(func() {
		pgid := -p.cmd.Process.Pid
		_ = syscall.Kill(pgid, syscall.SIGTERM)
		select {
		case <-p.done:
		case <-time.After(10 * time.Second):
			_ = syscall.Kill(pgid, syscall.SIGKILL)
			<-p.done
		}
	})
}

// tail returns the last n lines of a file.
func tail(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return err.Error()
	}
	lines := bytes.Split(bytes.TrimRight(b, "\n"), []byte("\n"))
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return string(bytes.Join(lines, []byte("\n")))
}

// freePorts returns n distinct free TCP ports on 127.0.0.1.
func freePorts(n int) ([]int, error) {
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	ports := make([]int, 0, n)
	for i := 0; i < n; i++ {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("finding a free port: %w", err)
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

// errMissing says a backend binary is not installed.
var errMissing = errors.New("backend binaries are not installed; run `make backends` (test/install-backends.sh)")
