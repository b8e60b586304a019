// Package golden compares tests' rendered output with golden files under
// testdata/; go test -update rewrites them.
package golden

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/charmbracelet/x/exp/golden" // defines -update
)

// updating tells whether -update was given. The flag is the one
// github.com/charmbracelet/x/exp/golden defines (teatest uses it), so that
// both can sit in one test binary.
func updating() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// Check compares got with testdata/<test name>.golden.
func Check(t *testing.T, got string) {
	t.Helper()
	CheckFile(t, strings.ReplaceAll(t.Name(), "/", "_"), got)
}

// CheckFile compares got with testdata/<name>.golden; name may hold
// slashes, for subdirectories.
func CheckFile(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if updating() {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -run %s -update)", err, t.Name())
	}
	if got != string(want) {
		t.Errorf("output differs from %s (run with -update to accept):\n--- got ---\n%s\n--- want ---\n%s", path, got, want)
	}
}
