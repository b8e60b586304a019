package cmd

import (
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSecretsNeverShown runs commands with secrets in a context, in flags
// and in the environment, with -v, against backends that fail in each
// way (refused connection, 401, 500, a TLS certificate telx does not
// trust, a gRPC port that does not answer) and looks for the secrets in
// everything telx prints.
func TestSecretsNeverShown(t *testing.T) {
	secrets := []string{
		"ctxPASS-7f3a", "ctxTOKEN-91bc", "ctxHEADER-55de", "fileTOKEN-0a1b", "cmdTOKEN-c3d4", "urlPASS-e5f6",
		"flagTOKEN-2b2b", "flagPASS-3c3c", "flagHEADER-4d4d", "envTOKEN-5e5e", "envPASS-6f6f",
	}
	refused := func() string {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := l.Addr().String()
		l.Close()
		return addr
	}()
	unauthorized := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "unauthorized", http.StatusUnauthorized)
	}))
	defer unauthorized.Close()
	broken := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "internal error", http.StatusInternalServerError)
	}))
	defer broken.Close()
	untrusted := newRecorder(t, true, nil)

	dir := t.TempDir()
	tokenFile := filepath.Join(dir, "token")
	os.WriteFile(tokenFile, []byte("fileTOKEN-0a1b"), 0o600)
	helperFile := filepath.Join(dir, "helper-token")
	os.WriteFile(helperFile, []byte("cmdTOKEN-c3d4\n"), 0o600)
	backends := map[string]string{
		"refused": "http://" + refused, "unauthorized": unauthorized.URL, "broken": broken.URL, "untrusted": untrusted.srv.URL,
	}
	var cfg strings.Builder
	cfg.WriteString("contexts:\n")
	for name, u := range backends {
		withPass := strings.Replace(u, "://", "://admin:urlPASS-e5f6@", 1)
		cfg.WriteString("  " + name + ":\n")
		cfg.WriteString("    jaeger:\n      url: " + u + "\n      token: ctxTOKEN-91bc\n      headers:\n        X-Api-Key: ctxHEADER-55de\n")
		cfg.WriteString("    prometheus:\n      url: " + withPass + "\n      username: admin\n      password: ctxPASS-7f3a\n")
		cfg.WriteString("    loki:\n      url: " + u + "\n      token_file: " + tokenFile + "\n")
	}
	cfg.WriteString("  grpc:\n    jaeger:\n      url: grpc://" + refused + "\n      token_command: [cat, " + helperFile + "]\n")
	// the other backends refuse too, rather than default to localhost
	cfg.WriteString("    prometheus:\n      url: http://" + refused + "\n    loki:\n      url: http://" + refused + "\n")
	path := filepath.Join(dir, "config.yaml")
	os.WriteFile(path, []byte(cfg.String()), 0o600)

	id := "4bf92f3577b34da6a3ce929d0e0e4736"
	commands := [][]string{
		{"services"}, {"operations", "frontend"}, {"trace", id}, {"traces", "--service", "frontend"},
		{"metrics", "up"}, {"metrics", "--instant", "up"}, {"metrics", "--service", "payments"}, {"alerts"},
		{"logs", `{a="b"}`}, {"logs", "--trace", id}, {"labels"},
		{"config", "view"}, {"config", "get-contexts"},
	}
	flagSets := [][]string{
		nil,
		{"--jaeger-token", "flagTOKEN-2b2b", "--prometheus-user", "u", "--prometheus-password", "flagPASS-3c3c", "--jaeger-header", "X-Api-Key=flagHEADER-4d4d"},
	}
	envs := []map[string]string{
		{"TELX_CONFIG": path},
		{"TELX_CONFIG": path, "TELX_JAEGER_TOKEN": "envTOKEN-5e5e", "TELX_PROMETHEUS_USER": "u", "TELX_PROMETHEUS_PASSWORD": "envPASS-6f6f", "TELX_LOKI_TOKEN": "envTOKEN-5e5e"},
	}
	runs, failures := 0, 0
	for _, ctxName := range []string{"refused", "unauthorized", "broken", "untrusted", "grpc"} {
		for _, c := range commands {
			for _, flags := range flagSets {
				for _, env := range envs {
					args := append(append([]string{}, c...), "-v", "--context", ctxName, "--timeout", "2s")
					switch {
					case flags == nil || c[0] == "config":
					case c[0] == "logs" || c[0] == "labels":
						args = append(args, "--loki-user", "u", "--loki-password", "flagPASS-3c3c", "--loki-header", "X-Api-Key=flagHEADER-4d4d")
					default:
						args = append(args, flags...)
					}
					code, out, errOut := runTelx(t, env, args...)
					runs++
					if code != ExitOK {
						failures++
					}
					for _, s := range secrets {
						if strings.Contains(out+errOut, s) {
							t.Errorf("telx %s: %s shows %q:\nstdout: %s\nstderr: %s", strings.Join(args, " "), ctxName, s, out, errOut)
						}
					}
				}
			}
		}
	}
	// the runs did fail as meant (only config view and get-contexts succeed)
	if want := runs - 5*2*2*2; failures != want {
		t.Errorf("%d of %d runs failed, want %d", failures, runs, want)
	}
}
