package render

import (
	"bytes"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/telx-cli/telx/internal/fuzzcheck"
	"github.com/telx-cli/telx/tui/styles"
)

func TestFlameGolden(t *testing.T) {
	for _, tc := range []struct{ name, file string }{
		{"hotrod", "jaeger-hotrod-dispatch-slow.json"},
		{"checkout", "jaeger-checkout-failed.json"},
		{"skewed", "jaeger-api-trace.json"},
	} {
		tr := recorded(t, tc.file)
		for _, width := range []int{80, 200} {
			for _, color := range []bool{false, true} {
				name := "flame-" + tc.name + "-" + map[int]string{80: "80", 200: "200"}[width]
				if color {
					name += "-color"
				}
				t.Run(name, func(t *testing.T) {
					var b bytes.Buffer
					if err := Flame(&b, tr, FlameOptions{Width: width, Styles: styles.New(color)}); err != nil {
						t.Fatal(err)
					}
					fuzzcheck.Lines(t, b.String(), width, color)
					golden(t, name, b.String())
				})
			}
		}
	}
}

// Each row of the graph is one depth: a frame starts where its parent
// does, the widest child first, and no frame runs past its parent's end.
func TestFlameRowsNest(t *testing.T) {
	lines := FlameLines(recorded(t, "jaeger-hotrod-dispatch-slow.json"), FlameOptions{Width: 120})
	rows := lines[3:7]
	if !strings.HasPrefix(rows[0], "[frontend /dispatch") || ansi.StringWidth(rows[0]) != 120 {
		t.Errorf("the root takes the whole width: %q", rows[0])
	}
	if !strings.HasPrefix(rows[1], "[frontend HTTP GET") || !strings.HasPrefix(rows[2], "[customer /customer") || !strings.HasPrefix(rows[3], "[mysql SQL SELECT") {
		t.Errorf("the widest stack first, down the rows:\n%s", strings.Join(rows, "\n"))
	}
	// every frame lies within a frame of the row above
	frames := func(row string) [][2]int {
		var out [][2]int
		start := -1
		for i, r := range []rune(row) {
			switch r {
			case '[':
				start = i
			case ']':
				out = append(out, [2]int{start, i})
			case '▏':
				out = append(out, [2]int{i, i})
			}
		}
		return out
	}
	for d := 1; d < len(rows); d++ {
		for _, f := range frames(rows[d]) {
			inside := false
			for _, p := range frames(rows[d-1]) {
				inside = inside || p[0] <= f[0] && f[1] <= p[1]
			}
			if !inside {
				t.Errorf("row %d: the frame at columns %v is under no frame:\n%s", d, f, strings.Join(rows, "\n"))
			}
		}
	}
	if !strings.Contains(strings.Join(lines, "\n"), "mysql SQL SELECT under frontend /dispatch › frontend HTTP GET › customer /customer") {
		t.Errorf("the hottest frame with its stack:\n%s", strings.Join(lines, "\n"))
	}
}
