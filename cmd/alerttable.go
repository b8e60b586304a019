package cmd

import (
	"bytes"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/telx-cli/telx/tui/render"
	"github.com/telx-cli/telx/tui/styles"
)

// tableGroup is a titled run of rows of a table (the title "" for none).
type tableGroup struct {
	title string
	rows  [][]string
}

// stateTable is the table of telx alerts, silence ls and rules: the first
// column a state, coloured by paint; the last column free text (a summary,
// a comment) given the room that is left. When that leaves it too little,
// each row's last cell goes on a line of its own under the row; when the
// other columns do not fit either, the cell of column below (labels,
// matchers; -1 for none) goes on a line of its own too, above it. Rows may
// come in titled groups; the columns are as wide across all groups.
type stateTable struct {
	head   []string
	groups []tableGroup
	below  int
	paint  func(st *styles.Styles, state string) string
}

func (t stateTable) write(b *bytes.Buffer, width int, st *styles.Styles) {
	const minLast = 30
	head := t.head
	last := len(head) - 1
	widths := make([]int, len(head))
	for i, h := range head {
		widths[i] = len(h)
	}
	for _, g := range t.groups {
		for _, r := range g.rows {
			for i, c := range r[:last] {
				widths[i] = max(widths[i], ansi.StringWidth(c))
			}
		}
	}
	used := 0
	for _, w := range widths[:last] {
		used += w + 2
	}
	lastBelow := width-used < minLast
	colBelow := lastBelow && t.below >= 0 && used-2 > width
	var cols []int // the columns on the row's line
	for i := range head {
		switch {
		case i == last && lastBelow, i == t.below && colBelow:
		default:
			cols = append(cols, i)
		}
	}
	if !lastBelow {
		widths[last] = width - used
	}
	line := func(cells []string, paint func(i int, s string) string) {
		var l strings.Builder
		for n, i := range cols {
			if n > 0 {
				l.WriteString("  ")
			}
			cell := render.Fit(cells[i], widths[i])
			if n == len(cols)-1 {
				cell = strings.TrimRight(cell, " ")
			}
			l.WriteString(paint(i, cell))
		}
		b.WriteString(l.String())
		b.WriteByte('\n')
	}
	line(head, func(_ int, s string) string { return st.Header.Apply(s) })
	for gi, g := range t.groups {
		if g.title != "" {
			if gi > 0 {
				b.WriteByte('\n')
			}
			b.WriteString(st.Bold.Apply(strings.TrimRight(render.Fit(g.title, width), " ")))
			b.WriteByte('\n')
		}
		for _, r := range g.rows {
			line(r, func(i int, s string) string {
				if i == 0 {
					return t.paint(st, s)
				}
				return s
			})
			for _, c := range []int{t.below, last} {
				if c >= 0 && (c == t.below && colBelow || c == last && lastBelow) && r[c] != "" {
					b.WriteString(st.Dim.Apply(strings.TrimRight(render.Fit("  "+r[c], width), " ")))
					b.WriteByte('\n')
				}
			}
		}
	}
}

// paintAlertState colours an alert's state: firing and active alerts red,
// pending ones amber, muted ones (silenced, inhibited) and the rest dim.
func paintAlertState(st *styles.Styles, s string) string {
	switch w, _, _ := strings.Cut(strings.TrimSpace(s), " "); w {
	case "firing", "active", "err":
		return st.Error.Apply(s)
	case "pending", "unprocessed", "unknown":
		return st.Warn.Apply(s)
	case "silenced", "inhibited", "expired", "inactive":
		return st.Dim.Apply(s)
	}
	return s
}
