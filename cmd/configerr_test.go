package cmd

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/telx-cli/telx/test/harness"
)

// A CA file that cannot be used is a mistake in how telx was set up,
// refused before any call with the same exit code for every backend
// (ExitUsage), whether the flag or the context names it.
func TestBadCAFileExitsTheSameForEveryBackend(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty.pem")
	os.WriteFile(empty, []byte("not a certificate\n"), 0o600)
	missing := filepath.Join(dir, "missing.pem")
	cfg := writeConfig(t, "contexts:\n  ctx:\n    jaeger:\n      tls:\n        ca_file: "+missing+"\n    prometheus:\n      tls:\n        ca_file: "+missing+"\n    loki:\n      tls:\n        ca_file: "+missing+"\n")
	commands := map[string][][]string{
		"jaeger":     {{"trace", "0af7651916cd43dd8448eb211c80319c"}, {"services"}, {"traces", "--service", "a"}, {"trace", "0af7651916cd43dd8448eb211c80319c", "--jaeger", "grpc://127.0.0.1:1"}},
		"prometheus": {{"metrics", "up"}, {"alerts"}},
		"loki":       {{"logs", `{a="b"}`}, {"labels"}, {"logs", `{a="b"}`, "--follow"}},
	}
	for backend, cmds := range commands {
		for _, args := range cmds {
			for _, ca := range []struct{ name, file, want string }{
				{"missing", missing, "missing.pem: no such file"},
				{"no certificate", empty, "the CA file " + empty + " holds no PEM certificate"},
				{"the context's", "", "missing.pem: no such file"},
			} {
				t.Run(backend+"/"+strings.Join(args, " ")+"/"+ca.name, func(t *testing.T) {
					full := append([]string{"--" + backend, "http://127.0.0.1:1"}, args...)
					if strings.HasPrefix(args[len(args)-1], "grpc://") {
						full = args
					}
					env := map[string]string{}
					if ca.file != "" {
						full = append(full, "--"+backend+"-ca-file", ca.file)
					} else {
						full = append(full, "--context", "ctx")
						env["TELX_CONFIG"] = cfg
					}
					code, _, errOut := runTelx(t, env, full...)
					if code != ExitUsage {
						t.Errorf("exit %d, want %d: %s", code, ExitUsage, errOut)
					}
					if !strings.Contains(errOut, "telx: "+backend+": ") || !strings.Contains(errOut, ca.want) {
						t.Errorf("stderr does not name %s and say %q:\n%s", backend, ca.want, errOut)
					}
				})
			}
		}
	}
}

// --follow against a server that does not upgrade the tail to a
// WebSocket (a proxy, a URL that is not Loki's) says so, with a hint,
// not just "200 OK: <body>".
func TestFollowWithoutWebSocket(t *testing.T) {
	srv := harness.StartFaultServer(t, harness.FaultNotWebSocket)
	code, _, errOut := runTelx(t, nil, "logs", `{a="b"}`, "--follow", "--loki", srv.URL, "--timeout", "5s")
	if code != ExitError {
		t.Errorf("exit %d", code)
	}
	for _, want := range []string{"loki at " + srv.URL + ": /loki/api/v1/tail: the WebSocket upgrade was refused: the server answered 200 OK: an HTML page: Welcome to the corporate gateway",
		"hint: following needs a WebSocket to Loki: is a proxy in between", "Is --loki Loki's own URL?"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr does not say %q:\n%s", want, errOut)
		}
	}
}
