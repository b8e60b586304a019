package render

import (
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// wrap is ansi.Wrap, s wrapped at limit cells breaking at spaces and the
// breakpoints, with every row kept within limit: ansi.Wrap (v0.11) lets a
// word exactly limit wide keep the breakpoint after it, a row one cell too
// wide (charmbracelet/x#785). Such a row is cut hard.
func wrap(s string, limit int, breakpoints string) string {
	wrapped := ansi.Wrap(s, limit, breakpoints)
	if limit < 1 {
		return wrapped
	}
	rows := strings.Split(wrapped, "\n")
	over := false
	for i, row := range rows {
		if ansi.StringWidth(row) > limit {
			rows[i] = ansi.Hardwrap(row, limit, true)
			over = true
		}
	}
	if !over {
		return wrapped
	}
	return strings.Join(rows, "\n")
}

// Wrap is wrap for the other packages: ansi.Wrap with every row within
// limit.
func Wrap(s string, limit int, breakpoints string) string { return wrap(s, limit, breakpoints) }
