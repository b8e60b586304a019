package render

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/tui/styles"
)

// Stats writes per-service or per-operation statistics as a table: count,
// total and self time, the longest span and errors.
func Stats(w io.Writer, stats []sources.Stat, byOperation bool, width int, st *styles.Styles) error {
	if st == nil {
		st = styles.New(false)
	}
	head := []string{"SERVICE", "SPANS", "TOTAL", "SELF", "MAX", "ERRORS"}
	if byOperation {
		head[0] = "SERVICE / OPERATION"
	}
	rows := make([][]string, 0, len(stats))
	for _, s := range stats {
		name := sources.Sanitize(s.Service)
		if byOperation {
			name += " " + sources.Sanitize(s.Operation)
		}
		rows = append(rows, []string{name, strconv.Itoa(s.Count), Duration(s.Total), Duration(s.SelfTotal), Duration(s.Max), strconv.Itoa(s.Errors)})
	}
	widths := make([]int, len(head))
	for i, h := range head {
		widths[i] = len(h)
	}
	for _, r := range rows {
		for i, c := range r {
			widths[i] = max(widths[i], ansi.StringWidth(c))
		}
	}
	// the name column gives way to fit the width
	rest := 0
	for _, wd := range widths[1:] {
		rest += wd + 2
	}
	if width > 0 && widths[0]+rest > width {
		widths[0] = max(12, width-rest)
	}
	var b strings.Builder
	line := func(cells []string, paint func(i int, s string) string) {
		for i, c := range cells {
			if i > 0 {
				b.WriteString("  ")
			}
			if i == 0 {
				b.WriteString(paint(i, Fit(c, widths[0])))
			} else {
				b.WriteString(paint(i, FitRight(c, widths[i])))
			}
		}
		b.WriteString("\n")
	}
	line(head, func(_ int, s string) string { return st.Header.Apply(s) })
	for k, r := range rows {
		errs := stats[k].Errors
		line(r, func(i int, s string) string {
			switch {
			case i == 0:
				return st.Service(stats[k].Service).Apply(s)
			case i == 5 && errs > 0:
				return st.Error.Apply(s)
			}
			return s
		})
	}
	_, err := fmt.Fprint(w, b.String())
	return err
}
