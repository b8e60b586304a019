package render

import (
	"io"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/telx-cli/telx/tui/styles"
)

// Table is a header and rows of plain-text cells, laid out in columns two
// spaces apart. Widths are measured in terminal cells, so colour never
// shifts a column; colour is added by Paint after the cells are fitted.
type Table struct {
	Head []string
	Rows [][]string
	// Right marks the right-aligned columns.
	Right []bool
	// Flex lists the columns that give way, in order, when the table is
	// wider than Width; each keeps at least its header's width (and
	// MinFlex cells). With none, the widest columns give way.
	Flex    []int
	MinFlex int
	// Width is the room in cells; 0 means no limit.
	Width int
	// Paint colours a body cell; nil paints nothing.
	Paint  func(row, col int) styles.Paint
	Styles *styles.Styles
}

// Widths returns each column's width once fitted to t.Width.
func (t *Table) Widths() []int {
	widths := make([]int, len(t.Head))
	for i, h := range t.Head {
		widths[i] = ansi.StringWidth(h)
	}
	for _, r := range t.Rows {
		for i, c := range r {
			if i < len(widths) {
				widths[i] = max(widths[i], ansi.StringWidth(c))
			}
		}
	}
	if t.Width <= 0 {
		return widths
	}
	over := 2*(len(widths)-1) - t.Width
	for _, w := range widths {
		over += w
	}
	floor := func(i int) int { return max(ansi.StringWidth(t.Head[i]), t.MinFlex, 1) }
	for _, i := range t.Flex {
		if over <= 0 {
			break
		}
		give := min(over, widths[i]-floor(i))
		if give > 0 {
			widths[i] -= give
			over -= give
		}
	}
	if len(t.Flex) == 0 {
		for over > 0 {
			widest := 0
			for i := range widths {
				if widths[i] > widths[widest] {
					widest = i
				}
			}
			if widths[widest] <= floor(widest) {
				break
			}
			widths[widest]--
			over--
		}
	}
	return widths
}

// Fits tells whether the table, once fitted, is no wider than Width.
func (t *Table) Fits() bool {
	total := 2 * (len(t.Head) - 1)
	for _, w := range t.Widths() {
		total += w
	}
	return t.Width <= 0 || total <= t.Width
}

// Write writes the table; the last column carries no trailing spaces.
func (t *Table) Write(w io.Writer) error {
	st := t.Styles
	if st == nil {
		st = styles.New(false)
	}
	widths := t.Widths()
	var b strings.Builder
	line := func(cells []string, paint func(col int) styles.Paint) {
		for i := range widths {
			c := ""
			if i < len(cells) {
				c = cells[i]
			}
			if i > 0 {
				b.WriteString("  ")
			}
			var cell string
			if i < len(t.Right) && t.Right[i] {
				cell = FitRight(c, widths[i])
			} else {
				cell = Fit(c, widths[i])
				if i == len(widths)-1 {
					cell = strings.TrimRight(cell, " ")
				}
			}
			b.WriteString(paint(i).Apply(cell))
		}
		b.WriteByte('\n')
	}
	line(t.Head, func(int) styles.Paint { return st.Header })
	for r, cells := range t.Rows {
		line(cells, func(col int) styles.Paint {
			if t.Paint == nil {
				return styles.Paint{}
			}
			return t.Paint(r, col)
		})
	}
	_, err := io.WriteString(w, b.String())
	return err
}
