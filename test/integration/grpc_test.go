package integration

import (
	"strings"
	"testing"

	"github.com/telx-cli/telx/cmd"
	"github.com/telx-cli/telx/test/harness"
)

// --verbose names each gRPC call, as it does each HTTP request.
func TestVerboseGRPC(t *testing.T) {
	env := harness.Shared(t)
	u := "grpc://" + env.JaegerGRPC
	code, _, errOut := telx(t, env, "trace", string(env.Scenario.Traces[5].ID), "--jaeger", u, "-v")
	if code != cmd.ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if want := "jaeger: gRPC jaeger.api_v3.QueryService/GetTrace " + u + " -> OK ("; !strings.Contains(errOut, want) {
		t.Errorf("stderr %q lacks %q", errOut, want)
	}
	code, _, errOut = telx(t, env, "services", "--jaeger", u, "--jaeger-protocol", "grpc-v2", "--verbose")
	if want := "jaeger: gRPC jaeger.api_v2.QueryService/GetServices " + u + " -> OK ("; code != cmd.ExitOK || !strings.Contains(errOut, want) {
		t.Errorf("exit %d, stderr %q lacks %q", code, errOut, want)
	}
}
