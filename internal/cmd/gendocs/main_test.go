package main

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/telx-cli/telx/cmd"
)

func readPage(t *testing.T, path string) string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// One page per command that a user can run, the completion commands
// included; the synopsis keeps its <placeholders>; the same date gives
// the same bytes.
func TestManPages(t *testing.T) {
	date := time.Date(2026, 3, 14, 0, 0, 0, 0, time.UTC)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "telx-gone.1.gz"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	n, err := write(dir, &date)
	if err != nil {
		t.Fatal(err)
	}
	root := cmd.NewRootCmd(cmd.TestIO(io.Discard, io.Discard), func(string) string { return "" })
	root.InitDefaultCompletionCmd()
	var want []string
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		want = append(want, strings.ReplaceAll(c.CommandPath(), " ", "-")+".1.gz")
		for _, sub := range c.Commands() {
			if sub.IsAvailableCommand() && !sub.IsAdditionalHelpTopicCommand() {
				walk(sub)
			}
		}
	}
	walk(root)
	got, _ := filepath.Glob(filepath.Join(dir, "*.1.gz"))
	if n != len(want) || len(got) != len(want) {
		t.Fatalf("%d pages written, %d in the directory, want %d (%v)", n, len(got), len(want), want)
	}
	for _, name := range append(want[:0:0], "telx.1.gz", "telx-completion-bash.1.gz", "telx-silence-expire.1.gz") {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Errorf("no %s", name)
		}
	}
	tests := []struct{ page, want string }{
		{"telx.1.gz", `.TH "TELX" "1" "Mar 2026" "telx" "telx manual"`},
		{"telx-trace.1.gz", `telx trace <trace-id> [flags]`},
		{"telx-logs.1.gz", `telx logs ['<LogQL>\&'] [--trace ID [--span ID]] [flags]`}, // \& is roff's zero-width escape
		{"telx-silence-add.1.gz", `telx silence add <matcher>\&... [flags]`},
		{"telx-logs.1.gz", `.SH SEE ALSO`},
	}
	for _, tt := range tests {
		if p := readPage(t, filepath.Join(dir, tt.page)); !strings.Contains(p, tt.want) {
			t.Errorf("%s lacks %q:\n%s", tt.page, tt.want, p[:min(len(p), 600)])
		}
	}
	again := t.TempDir()
	if _, err := write(again, &date); err != nil {
		t.Fatal(err)
	}
	for _, name := range want {
		a, _ := os.ReadFile(filepath.Join(dir, name))
		b, _ := os.ReadFile(filepath.Join(again, name))
		if !bytes.Equal(a, b) {
			t.Errorf("%s differs between two runs", name)
		}
	}
}
