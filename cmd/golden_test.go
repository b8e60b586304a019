package cmd

import (
	"testing"

	goldenfile "github.com/telx-cli/telx/internal/golden"
)

// golden compares got with testdata/<name>.golden, or rewrites the file
// with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	goldenfile.CheckFile(t, name, got)
}
