package integration

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/telx-cli/telx/test/harness"
)

// A test binary killed by its -timeout takes its backends with it: the
// harness's processes die with the test process even though no cleanup
// runs. The test runs itself as a child that starts Jaeger and hangs.
func TestBackendsDieWithATimedOutTest(t *testing.T) {
	if dir := os.Getenv("TELX_HARNESS_CHILD_DIR"); dir != "" {
		ctx := context.Background()
		if _, err := harness.Start(ctx, harness.Options{Backends: []string{harness.Jaeger}, Dir: dir}); err != nil {
			t.Fatal(err)
		}
		os.WriteFile(dir+"/started", nil, 0o644)
		select {} // hang until the test timeout kills the binary
	}
	harness.Shared(t) // the binaries are installed
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestBackendsDieWithATimedOutTest$", "-test.timeout=10s")
	cmd.Env = append(os.Environ(), "TELX_HARNESS_CHILD_DIR="+dir, "TELX_HARNESS_BACKENDS=jaeger")
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("the child test did not time out:\n%s", out)
	}
	if _, err := os.Stat(dir + "/started"); err != nil {
		t.Fatalf("the child never started Jaeger:\n%s", out)
	}
	if !strings.Contains(string(out), "test timed out") {
		t.Fatalf("the child failed another way:\n%s", out)
	}
	deadline := time.Now().Add(5 * time.Second)
	for len(processesUnder(t, dir)) > 0 {
		if time.Now().After(deadline) {
			t.Fatalf("backends outlived the timed-out test: %v", processesUnder(t, dir))
		}
		time.Sleep(100 * time.Millisecond)
	}
}
