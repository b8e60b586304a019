package harness

import (
	"context"
	"errors"
	"path/filepath"
	"strconv"
	"time"
)

// setLoki remembers how Loki was started, for RestartLoki.
func (e *Env) setLoki(p *process, bin string, timeout time.Duration) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.loki = p
	n := 0
	e.lokiRestart = func(ctx context.Context) (*process, error) {
		n++
		// the same config (port, data directory), a log of its own
		q, err := startProcess("loki-"+strconv.Itoa(n+1), p.addr, e.Dir, bin, "-config.file="+filepath.Join(e.Dir, "loki.yaml"), "-target=all")
		if err != nil {
			return nil, err
		}
		if err := q.waitReady(ctx, nil, "http://"+p.addr+"/ready", timeout); err != nil {
			q.Stop()
			return nil, err
		}
		return q, nil
	}
}

// RestartLoki stops the Env's Loki (SIGTERM, as an operator's restart) and
// starts it again on the same port, config and data, waiting until it is
// ready; down is called while it is stopped. Lines Loki held survive
// through its write-ahead log. Restart only a Loki of your own test's
// (StartT), never the shared one.
func (e *Env) RestartLoki(ctx context.Context, down func()) error {
	e.mu.Lock()
	p, restart := e.loki, e.lokiRestart
	e.mu.Unlock()
	if p == nil {
		return errors.New("harness: Loki is not running")
	}
	p.Stop()
	if down != nil {
		down()
	}
	q, err := restart(ctx)
	if err != nil {
		return err
	}
	e.track(q)
	e.mu.Lock()
	e.loki = q
	e.mu.Unlock()
	return nil
}
