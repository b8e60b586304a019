package render

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/telx-cli/telx/tui/styles"
)

func TestTable(t *testing.T) {
	rows := [][]string{
		{"checkout", "PlaceOrder with a long name", "51.1ms"},
		{"payments", "Charge", "36.0ms"},
	}
	tests := []struct {
		name  string
		table Table
		want  string
	}{
		{"room to spare", Table{Head: []string{"SERVICE", "OPERATION", "TIME"}, Rows: rows, Right: []bool{false, false, true}, Width: 80},
			"SERVICE   OPERATION                      TIME\n" +
				"checkout  PlaceOrder with a long name  51.1ms\n" +
				"payments  Charge                       36.0ms\n"},
		{"the flex column gives way", Table{Head: []string{"SERVICE", "OPERATION", "TIME"}, Rows: rows, Right: []bool{false, false, true}, Width: 30, Flex: []int{1}},
			"SERVICE   OPERATION       TIME\n" +
				"checkout  PlaceOrder …  51.1ms\n" +
				"payments  Charge        36.0ms\n"},
		{"no narrower than its header", Table{Head: []string{"SERVICE", "OPERATION", "TIME"}, Rows: rows, Width: 10, Flex: []int{1}},
			"SERVICE   OPERATION  TIME\n" +
				"checkout  PlaceOrd…  51.1ms\n" +
				"payments  Charge     36.0ms\n"},
		{"without flex the widest gives way", Table{Head: []string{"A", "B", "C"}, Rows: rows, Width: 30},
			"A         B             C\n" +
				"checkout  PlaceOrder …  51.1ms\n" +
				"payments  Charge        36.0ms\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b strings.Builder
			if err := tt.table.Write(&b); err != nil {
				t.Fatal(err)
			}
			if b.String() != tt.want {
				t.Errorf("got\n%s\nwant\n%s", b.String(), tt.want)
			}
		})
	}
}

func TestTablePaintsAfterFitting(t *testing.T) {
	st := styles.New(true)
	tb := Table{Head: []string{"NAME", "N"}, Rows: [][]string{{"alpha", "1"}, {"be", "22"}}, Right: []bool{false, true}, Styles: st,
		Paint: func(row, col int) styles.Paint {
			if col == 0 {
				return st.Error
			}
			return styles.Paint{}
		}}
	var b strings.Builder
	if err := tb.Write(&b); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	for i, l := range lines {
		if w := ansi.StringWidth(l); w != 9 {
			t.Errorf("line %d is %d cells wide, want 9: %q", i, w, l)
		}
	}
	if !strings.Contains(lines[1], st.Error.Apply("alpha")) {
		t.Errorf("the name is not painted: %q", lines[1])
	}
}
