package render

import (
	"io"
	"strconv"

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
	t := &Table{Head: head, Rows: rows, Right: []bool{false, true, true, true, true, true},
		Flex: []int{0}, MinFlex: 12, Width: width, Styles: st}
	t.Paint = func(row, col int) styles.Paint {
		switch {
		case col == 0:
			return st.Service(stats[row].Service)
		case col == 5 && stats[row].Errors > 0:
			return st.Error
		}
		return styles.Paint{}
	}
	return t.Write(w)
}
