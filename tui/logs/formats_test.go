package logs

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/telx-cli/telx/internal/golden"
	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/sources/logline"
	"github.com/telx-cli/telx/tui"
)

// recorded answers a query with lines the real programs wrote (recorded
// for the line parser's tests), as Loki would hold them: a stream per
// file, each line's Loki time a little after its own.
type recorded struct{ entries []sources.LogEntry }

func (r recorded) QueryLogs(_ context.Context, q sources.LogQuery, fn func(sources.LogEntry) error) error {
	for _, e := range r.entries {
		if err := fn(e); err != nil {
			return err
		}
	}
	return nil
}
func (recorded) Labels(context.Context, sources.TimeRange) ([]string, error) { return nil, nil }
func (recorded) LabelValues(context.Context, string, sources.TimeRange) ([]string, error) {
	return nil, nil
}

func recordedLines(t *testing.T, file string) []sources.LogEntry {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	service, _, _ := strings.Cut(strings.TrimSuffix(filepath.Base(file), ".log"), "-")
	at := time.Date(2026, 12, 1, 6, 58, 31, 700_000_000, time.UTC)
	var out []sources.LogEntry
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for n := 0; sc.Scan(); n++ {
		out = append(out, sources.LogEntry{Time: at.Add(time.Duration(n) * time.Millisecond), Line: sc.Text(),
			Labels: map[string]string{"service_name": service}})
	}
	return out
}

// The Logs pane on each format real programs write, at 80x24 and 200x50:
// the lines read for their time, level, message and fields; then the
// fields view of the first error (or the first line).
func TestLogsPaneFormatsGolden(t *testing.T) {
	files, err := filepath.Glob("../../sources/logline/testdata/lines/*.log")
	if err != nil || len(files) == 0 {
		t.Fatalf("no recorded lines: %v", err)
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".log")
		entries := recordedLines(t, file)
		for _, size := range [][2]int{{80, 24}, {200, 50}} {
			t.Run(fmt.Sprintf("%s-%dx%d", name, size[0], size[1]), func(t *testing.T) {
				m := newPane(t, recorded{entries}, size[0], size[1], false)
				r := sources.TimeRange{From: entries[0].Time, To: entries[len(entries)-1].Time}
				m, _ = run(m, tui.LogQueryMsg{Query: `{service_name="` + name + `"}`, Range: r})
				v := m.View()
				checkBox(t, v, size[0], size[1])
				if strings.Contains(v, `\t`) {
					t.Errorf("a TAB shown as \\t:\n%s", v)
				}
				for i := range m.Lines() {
					if logline.Parse(m.Lines()[i].Line).Level == "error" {
						m.MoveDown(i - m.sel)
						break
					}
				}
				m, _ = keys(m, "f")
				fv := m.View()
				checkBox(t, fv, size[0], size[1])
				golden.Check(t, v+"\n--- f ---\n"+fv)
			})
		}
	}
}
