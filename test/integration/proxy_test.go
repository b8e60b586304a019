package integration

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/telx-cli/telx/cmd"
	"github.com/telx-cli/telx/internal/testproxy"
	"github.com/telx-cli/telx/test/harness"
)

// A context's proxy_url carries Jaeger's gRPC API too: the trace comes
// through the proxy and reads as it does directly.
func TestJaegerGRPCThroughTheContextsProxy(t *testing.T) {
	env := harness.Shared(t)
	p := &testproxy.Proxy{}
	srv := testproxy.Start(p)
	defer srv.Close()
	cfg := filepath.Join(t.TempDir(), "config.yaml")
	yaml := "current_context: proxied\ncontexts:\n  proxied:\n    jaeger:\n      url: grpc://" + env.JaegerGRPC + "\n      proxy_url: " + srv.URL + "\n"
	if err := os.WriteFile(cfg, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	id := string(env.Scenario.BigTraceID)
	args := []string{"trace", id, "--utc", "--width", "120", "--min-duration", "50ms"}
	var out, errOut bytes.Buffer
	io := cmd.TestIO(&out, &errOut)
	root := cmd.NewRootCmd(io, func(k string) string {
		if k == "TELX_CONFIG" {
			return cfg
		}
		return ""
	})
	if code := cmd.Run(context.Background(), root, io, args); code != cmd.ExitOK {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	seen := p.Seen()
	if len(seen) == 0 || !strings.HasPrefix(seen[0], env.JaegerGRPC+" ") {
		t.Errorf("the proxy saw %q, want a tunnel to %s", seen, env.JaegerGRPC)
	}
	_, direct, _ := telx(t, env, append(args, "--jaeger", "grpc://"+env.JaegerGRPC)...)
	if out.String() != direct {
		t.Errorf("through the proxy:\n%s\ndirect:\n%s", out.String(), direct)
	}
}
