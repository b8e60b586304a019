// Package integration checks that the harness's real backends hold what
// the demo scenario put there, and what HotROD and the backends' own logs
// did, through each backend's own HTTP API.
package integration

import (
	"os"
	"testing"

	"github.com/telx-cli/telx/test/harness"
)

func TestMain(m *testing.M) {
	os.Exit(harness.Main(m, harness.Options{Seed: 1, HotROD: true, BackendLogs: true}))
}
