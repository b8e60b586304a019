package integration

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/telx-cli/telx/cmd"
	"github.com/telx-cli/telx/sources/config"
	"github.com/telx-cli/telx/test/harness"
)

// telxWith runs the command tree with only the given environment.
func telxWith(env map[string]string, args ...string) (int, string, string) {
	var out, errOut bytes.Buffer
	io := cmd.TestIO(&out, &errOut)
	root := cmd.NewRootCmd(io, func(k string) string { return env[k] })
	code := cmd.Run(context.Background(), root, io, args)
	return code, out.String(), errOut.String()
}

// TestBackendsBehindTLSAndAuth starts Jaeger with its query servers on
// TLS and Prometheus on TLS with basic auth (a CA and server certificate
// made here, the password's bcrypt hash in Prometheus' web config), and
// reaches them through a context, then with what is wrong in turn: the
// password, the CA, the server name.
func TestBackendsBehindTLSAndAuth(t *testing.T) {
	dir := t.TempDir()
	pki, err := harness.NewPKI(dir, "good")
	if err != nil {
		t.Fatal(err)
	}
	other, err := harness.NewPKI(dir, "other")
	if err != nil {
		t.Fatal(err)
	}
	pw := make([]byte, 12)
	rand.Read(pw)
	password := "pw-" + hex.EncodeToString(pw)
	env := harness.StartT(t, harness.Options{
		Backends: []string{harness.Jaeger, harness.Prometheus},
		Seed:     1,
		Secure:   &harness.Secure{CAFile: pki.CAFile, CertFile: pki.CertFile, KeyFile: pki.KeyFile, User: "telx", Password: password},
	})
	if !strings.HasPrefix(env.PrometheusURL, "https://") || !strings.HasPrefix(env.JaegerURL, "https://") {
		t.Fatalf("not on TLS: %s %s", env.PrometheusURL, env.JaegerURL)
	}
	cfg := filepath.Join(dir, "config.yaml")
	err = os.WriteFile(cfg, []byte(`current_context: secure
contexts:
  secure:
    prometheus:
      url: `+env.PrometheusURL+`
      username: telx
      password: `+password+`
      tls:
        ca_file: `+pki.CAFile+`
    jaeger:
      url: `+env.JaegerURL+`
      tls:
        ca_file: `+pki.CAFile+`
  grpc:
    jaeger:
      url: grpcs://`+env.JaegerGRPC+`
      tls:
        ca_file: `+pki.CAFile+`
  wrong-name:
    prometheus:
      url: `+env.PrometheusURL+`
      username: telx
      password: `+password+`
      tls:
        ca_file: `+pki.CAFile+`
        server_name: prometheus.example.com
`), 0o600)
	if err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{"TELX_CONFIG": cfg}
	var printed []string
	run := func(args ...string) (int, string, string) {
		t.Helper()
		code, out, errOut := telxWith(vars, args...)
		printed = append(printed, out, errOut)
		return code, out, errOut
	}
	id := string(env.Scenario.BigTraceID)

	t.Run("prometheus with basic auth and the CA", func(t *testing.T) {
		code, out, errOut := run("metrics", "--instant", `count by (service_name) (traces_span_metrics_calls_total)`, "-v")
		if code != cmd.ExitOK || !strings.Contains(out, "payments") {
			t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
		}
		if !strings.Contains(errOut, "prometheus: POST "+env.PrometheusURL+"/api/v1/query -> 200 OK") {
			t.Errorf("-v does not show the request: %s", errOut)
		}
		code, out, errOut = run("metrics", "--service", "payments", "--since", "30m")
		if code != cmd.ExitOK || !strings.Contains(out, "payments") {
			t.Errorf("RED view: exit %d\n%s\n%s", code, out, errOut)
		}
	})
	t.Run("jaeger over HTTPS and gRPC with TLS", func(t *testing.T) {
		var outs []string
		for _, args := range [][]string{
			{"trace", id},
			{"trace", id, "--jaeger-protocol", "v1"},
			{"trace", id, "--context", "grpc"},
		} {
			code, out, errOut := run(append(args, "--utc", "--width", "120", "--min-duration", "50ms")...)
			if code != cmd.ExitOK {
				t.Fatalf("%v: exit %d: %s", args, code, errOut)
			}
			outs = append(outs, out)
		}
		if !strings.Contains(outs[0], "Trace "+id) || outs[0] != outs[1] || outs[0] != outs[2] {
			t.Errorf("the waterfalls differ or lack the trace:\n%s\n---\n%s\n---\n%s", outs[0], outs[1], outs[2])
		}
	})
	t.Run("a wrong password is exit 4", func(t *testing.T) {
		code, _, errOut := run("metrics", "--instant", "up", "--prometheus-user", "telx", "--prometheus-password", "not-"+password)
		if code != cmd.ExitAuth || !strings.Contains(errOut, "prometheus at "+env.PrometheusURL) || !strings.Contains(errOut, "401") {
			t.Errorf("exit %d: %s", code, errOut)
		}
		code, _, errOut = run("metrics", "--instant", "up", "--prometheus-token", "a-token-prometheus-does-not-take")
		if code != cmd.ExitAuth {
			t.Errorf("a token instead: exit %d: %s", code, errOut)
		}
	})
	t.Run("another CA: unknown authority", func(t *testing.T) {
		code, _, errOut := run("metrics", "--instant", "up", "--prometheus-ca-file", other.CAFile)
		if code != cmd.ExitError || !strings.Contains(errOut, "prometheus at "+env.PrometheusURL) || !strings.Contains(errOut, "unknown authority") {
			t.Errorf("prometheus: exit %d: %s", code, errOut)
		}
		code, _, errOut = run("services", "--jaeger-ca-file", other.CAFile)
		if code != cmd.ExitError || !strings.Contains(errOut, "jaeger at "+env.JaegerURL) || !strings.Contains(errOut, "unknown authority") {
			t.Errorf("jaeger: exit %d: %s", code, errOut)
		}
		code, _, errOut = run("services", "--context", "grpc", "--jaeger-ca-file", other.CAFile)
		if code != cmd.ExitError || !strings.Contains(errOut, "jaeger at grpcs://"+env.JaegerGRPC) || !strings.Contains(errOut, "unknown authority") {
			t.Errorf("jaeger gRPC: exit %d: %s", code, errOut)
		}
		// and no CA at all: the system's roots do not know the test CA
		code, _, errOut = telxWith(map[string]string{}, "metrics", "--instant", "up", "--prometheus", env.PrometheusURL)
		if code != cmd.ExitError || !strings.Contains(errOut, "unknown authority") {
			t.Errorf("no CA: exit %d: %s", code, errOut)
		}
	})
	t.Run("a name the certificate lacks: name mismatch", func(t *testing.T) {
		code, _, errOut := run("metrics", "--instant", "up", "--context", "wrong-name")
		if code != cmd.ExitError || !strings.Contains(errOut, "prometheus at "+env.PrometheusURL) || !strings.Contains(errOut, "name mismatch") ||
			!strings.Contains(errOut, "prometheus.example.com") {
			t.Errorf("exit %d: %s", code, errOut)
		}
	})
	t.Run("insecure-skip-verify works and is said", func(t *testing.T) {
		code, _, errOut := run("metrics", "--instant", "up", "--prometheus-ca-file", other.CAFile, "--prometheus-insecure-skip-verify")
		if code != cmd.ExitOK || strings.Count(errOut, "TLS certificates of prometheus are not verified") != 1 {
			t.Errorf("exit %d: %s", code, errOut)
		}
	})
	if testing.Verbose() {
		t.Logf("what telx printed:\n%s", strings.Join(printed, "\n"))
	}
	for _, s := range printed {
		if strings.Contains(s, password) {
			t.Errorf("telx printed the password:\n%s", s)
		}
	}
}

// TestLokiTenantThroughContext starts Loki with auth_enabled (every request
// needs a tenant) and reads its labels with the HTTP client telx builds
// from a context's loki settings: its tenant sees the logs, another tenant
// sees none, and no tenant is refused.
func TestLokiTenantThroughContext(t *testing.T) {
	env := harness.StartT(t, harness.Options{
		Backends: []string{harness.Loki},
		Seed:     1,
		Secure:   &harness.Secure{LokiTenant: "team-a"},
	})
	f, err := config.Parse("config.yaml", []byte(`contexts:
  a:
    loki:
      url: `+env.LokiURL+`
      tenant: team-a
      timeout: 20s
  b:
    loki:
      url: `+env.LokiURL+`
      headers:
        X-Scope-OrgID: team-b
  none:
    loki:
      url: `+env.LokiURL+`
`))
	if err != nil {
		t.Fatal(err)
	}
	labels := func(ctxName string) (int, []string) {
		t.Helper()
		b := f.Contexts[ctxName].Loki
		a, err := b.Auth().Resolve(context.Background(), func(string) string { return "" })
		if err != nil {
			t.Fatal(err)
		}
		var verbose bytes.Buffer
		hc, err := config.HTTPClient("loki", b.Timeout, a, &verbose)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := hc.Get(b.URL + "/loki/api/v1/labels?since=3h")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var body struct {
			Data []string `json:"data"`
		}
		if resp.StatusCode == http.StatusOK {
			if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
				t.Fatal(err)
			}
		}
		if !strings.Contains(verbose.String(), "loki: GET "+b.URL+"/loki/api/v1/labels") {
			t.Errorf("the request was not logged: %q", verbose.String())
		}
		return resp.StatusCode, body.Data
	}
	if code, got := labels("a"); code != http.StatusOK || !slices.Contains(got, "service_name") {
		t.Errorf("tenant team-a: %d %v", code, got)
	}
	if code, got := labels("b"); code != http.StatusOK || slices.Contains(got, "service_name") {
		t.Errorf("tenant team-b sees team-a's logs: %d %v", code, got)
	}
	if code, _ := labels("none"); code != http.StatusUnauthorized {
		t.Errorf("no tenant: %d, want 401", code)
	}

	// and telx labels and telx logs through the same contexts
	cfg := filepath.Join(t.TempDir(), "config.yaml")
	data, err := f.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cfg, data, 0o600); err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{"TELX_CONFIG": cfg}
	code, out, errOut := telxWith(vars, "labels", "--context", "a", "--since", "3h")
	if code != cmd.ExitOK || !strings.Contains(out, "service_name") {
		t.Errorf("labels as team-a: exit %d\n%s\n%s", code, out, errOut)
	}
	code, out, errOut = telxWith(vars, "logs", `{service_name="payments"}`, "--context", "a", "--since", "3h", "--limit", "5", "-o", "raw")
	if code != cmd.ExitOK || len(strings.Split(strings.TrimSpace(out), "\n")) != 5 {
		t.Errorf("logs as team-a: exit %d\n%s\n%s", code, out, errOut)
	}
	code, out, _ = telxWith(vars, "logs", `{service_name="payments"}`, "--context", "b", "--since", "3h", "--limit", "5", "-o", "raw")
	if code != cmd.ExitOK || out != "" {
		t.Errorf("logs as team-b: exit %d\n%s", code, out)
	}
	code, _, errOut = telxWith(vars, "logs", `{service_name="payments"}`, "--context", "none", "--since", "3h")
	if code != cmd.ExitAuth || !strings.Contains(errOut, env.LokiURL) {
		t.Errorf("logs without a tenant: exit %d, %s", code, errOut)
	}
}
