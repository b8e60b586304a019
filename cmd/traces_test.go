package cmd

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/telx-cli/telx/sources/demo"
	"github.com/telx-cli/telx/tui/render"
	"github.com/telx-cli/telx/tui/styles"
)

func TestTracesTableGolden(t *testing.T) {
	sc := demo.Generate(1, time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC), demo.Options{Traces: 6})
	rows := make([]render.TraceSummary, 0, len(sc.Traces))
	for _, tr := range sc.Traces[:6] {
		rows = append(rows, render.Summarise(tr))
	}
	for _, width := range []int{80, 120, 200} {
		for _, color := range []bool{false, true} {
			name := fmt.Sprintf("traces/table-%d", width)
			if color {
				name += "-color"
			}
			t.Run(name, func(t *testing.T) {
				var b strings.Builder
				if err := tracesTable(rows, time.UTC, width, styles.New(color)).Write(&b); err != nil {
					t.Fatal(err)
				}
				out := b.String()
				for i, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
					if w := ansi.StringWidth(line); w > width {
						t.Errorf("line %d is %d cells wide, over %d: %q", i, w, width, line)
					}
				}
				for _, r := range rows {
					if !strings.Contains(out, string(r.TraceID)) {
						t.Errorf("trace ID %s is not shown whole", r.TraceID)
					}
				}
				if !color && strings.Contains(out, "\x1b") {
					t.Error("escape sequences in uncoloured output")
				}
				golden(t, name, out)
			})
		}
	}
}
