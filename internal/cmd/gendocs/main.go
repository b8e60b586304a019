// Command gendocs writes telx's man pages, one per command, gzipped
// (telx.1.gz, telx-traces.1.gz, …), from the command tree itself with
// cobra's doc generator. `make man` and the release's before hook run it;
// it is not part of the telx binary. The pages' date is -date's, else
// SOURCE_DATE_EPOCH's (the release and make man give the commit's), so
// that the same commit gives the same pages.
//
//	go run ./internal/cmd/gendocs -out manpages -date "$(git log -1 --format=%ct)"
package main

import (
	"bytes"
	"compress/gzip"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"

	"github.com/telx-cli/telx/cmd"
)

func main() {
	out := flag.String("out", "manpages", "directory to write the pages to (emptied of old pages first)")
	date := flag.Int64("date", 0, "the pages' date, in Unix seconds (default SOURCE_DATE_EPOCH, else now)")
	flag.Parse()
	var when *time.Time
	if *date > 0 {
		t := time.Unix(*date, 0).UTC()
		when = &t
	}
	n, err := write(*out, when)
	if err != nil {
		fmt.Fprintf(os.Stderr, "gendocs: %v\n", err)
		os.Exit(1)
	}
	fmt.Fprintf(os.Stderr, "gendocs: %d man pages in %s\n", n, *out)
}

// write writes one gzipped page per available command under dir and
// returns how many.
func write(dir string, date *time.Time) (int, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return 0, err
	}
	old, _ := filepath.Glob(filepath.Join(dir, "*.1.gz"))
	for _, f := range old {
		if err := os.Remove(f); err != nil {
			return 0, err
		}
	}
	// no environment: the pages show the flags' own defaults
	io := cmd.TestIO(io.Discard, io.Discard)
	root := cmd.NewRootCmd(io, func(string) string { return "" })
	root.InitDefaultCompletionCmd()
	root.DisableAutoGenTag = true
	header := &doc.GenManHeader{Date: date, Section: "1", Source: "telx", Manual: "telx manual"}
	n := 0
	var walk func(c *cobra.Command) error
	walk = func(c *cobra.Command) error {
		for _, sub := range c.Commands() {
			if !sub.IsAvailableCommand() || sub.IsAdditionalHelpTopicCommand() {
				continue
			}
			if err := walk(sub); err != nil {
				return err
			}
		}
		// the synopsis is Markdown to cobra: <trace-id> would be read as
		// an HTML tag and dropped
		c.Use = strings.NewReplacer("<", `\<`, ">", `\>`).Replace(c.Use)
		var page bytes.Buffer
		h := *header
		if err := doc.GenMan(c, &h, &page); err != nil {
			return fmt.Errorf("%s: %w", c.CommandPath(), err)
		}
		name := strings.ReplaceAll(c.CommandPath(), " ", "-") + ".1.gz"
		if err := writeGzip(filepath.Join(dir, name), page.Bytes()); err != nil {
			return err
		}
		n++
		return nil
	}
	return n, walk(root)
}

// writeGzip writes b gzipped at its best, without a name or a time in
// the header (the same page gives the same bytes).
func writeGzip(path string, b []byte) error {
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return err
	}
	if _, err := zw.Write(b); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	return os.WriteFile(path, buf.Bytes(), 0o644)
}
