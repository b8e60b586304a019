package harness

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"time"
)

// Alertmanager names the Alertmanager backend (Options.Alertmanager, or
// among Options.Backends). It needs Prometheus, which sends it its alerts.
const Alertmanager = "alertmanager"

const alertmanagerReadyTimeout = 60 * time.Second

// AlertmanagerConfig is the config the harness's Alertmanager runs with:
// HighErrorRate's alerts (severity page) go to the receiver "pager", the
// others to "default" (receivers that notify nobody); alerts are grouped by
// alertname; and a page of a service inhibits its warnings, so that the
// demo's HighLatency alert of a failing service is inhibited.
const AlertmanagerConfig = `# written by telx's test harness
route:
  receiver: default
  group_by: [alertname]
  group_wait: 1s
  group_interval: 5s
  repeat_interval: 4h
  routes:
    - matchers: ['severity="page"']
      receiver: pager
receivers:
  - name: default
  - name: pager
inhibit_rules:
  - source_matchers: ['severity="page"']
    target_matchers: ['severity="warn"']
    equal: [service_name]
`

// startAlertmanager starts Alertmanager on port with its data under dir
// and no cluster (gossip) port, and waits until it is ready.
func startAlertmanager(ctx context.Context, bin, dir string, port int, timeout time.Duration) (*process, error) {
	cfg := filepath.Join(dir, "alertmanager.yml")
	if err := os.WriteFile(cfg, []byte(AlertmanagerConfig), 0o644); err != nil {
		return nil, err
	}
	data := filepath.Join(dir, "alertmanager")
	if err := os.MkdirAll(data, 0o755); err != nil {
		return nil, err
	}
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	p, err := startProcess(Alertmanager, addr, dir, bin,
		"--config.file="+cfg,
		"--storage.path="+data,
		"--web.listen-address="+addr,
		"--cluster.listen-address=",
		"--log.level=info",
	)
	if err != nil {
		return nil, err
	}
	if err := p.waitReady(ctx, nil, "http://"+addr+"/-/ready", timeout); err != nil {
		p.Stop()
		return nil, err
	}
	return p, nil
}

// waitAlertmanagerSeeded waits until Alertmanager holds every alert that
// Prometheus has firing, as Prometheus sends them after its first rule
// evaluations.
func (e *Env) waitAlertmanagerSeeded(ctx context.Context, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	var last string
	for {
		firing, err := e.prometheusFiring(ctx)
		if err == nil {
			var held []struct {
				Fingerprint string `json:"fingerprint"`
			}
			err = getJSON(ctx, http.DefaultClient, e.AlertmanagerURL+"/api/v2/alerts", &held)
			if err == nil && firing > 0 && len(held) >= firing {
				return nil
			}
			last = fmt.Sprintf("%d firing in prometheus, %d in alertmanager", firing, len(held))
		}
		if err != nil {
			last = err.Error()
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("alertmanager: not seeded %s after prometheus started: %s", timeout, last)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// prometheusFiring counts the alerts Prometheus has firing.
func (e *Env) prometheusFiring(ctx context.Context) (int, error) {
	var body struct {
		Data struct {
			Alerts []struct {
				State string `json:"state"`
			} `json:"alerts"`
		} `json:"data"`
	}
	if err := getJSON(ctx, e.client, e.PrometheusURL+"/api/v1/alerts", &body); err != nil {
		return 0, err
	}
	n := 0
	for _, a := range body.Data.Alerts {
		if a.State == "firing" {
			n++
		}
	}
	return n, nil
}
