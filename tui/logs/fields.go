package logs

import (
	"sort"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/sources/logline"
	"github.com/telx-cli/telx/tui/pane"
	"github.com/telx-cli/telx/tui/render"
)

// The fields view: the selected line's fields one per line, as the
// Details pane shows a span's attributes; enter on one keeps only the
// lines whose field has that value.

// fieldRow is one row of the fields view. A row with no key is a heading.
type fieldRow struct {
	key, value string
	// filter says enter filters by it (times are not filtered on)
	filter bool
}

// fieldMatch keeps the lines whose field key has the value.
type fieldMatch struct{ key, value string }

func (f fieldMatch) String() string { return f.key + "=" + f.value }

// Keys of the fields view that are the line's own parts, not fields.
const (
	keyMessage = "message"
	keyLevel   = "level"
)

// fieldValue is what a field match compares: the line's message or
// level, else its field of that name (render.FieldOf: the line's, its
// metadata's, its label's).
func fieldValue(e *sources.LogEntry, l *logline.Line, key string) (string, bool) {
	switch key {
	case keyMessage:
		return l.Message, true
	case keyLevel:
		v := e.Level
		if v == "" {
			v = l.Level
		}
		return v, v != ""
	}
	return render.FieldOf(e, l, key)
}

// fieldRows lists what the entry's line says of itself, then its stream
// labels and structured metadata.
func (m *Model) fieldRows(e *sources.LogEntry) []fieldRow {
	l := logline.Parse(e.Line)
	loc := m.o.Location
	rows := []fieldRow{{key: "time", value: e.Time.In(loc).Format(render.LogTimeFormat) + " (Loki)"}}
	if !l.Time.IsZero() {
		rows = append(rows, fieldRow{key: "line time", value: l.Time.In(loc).Format(render.LogTimeFormat)})
	}
	if v, ok := fieldValue(e, &l, keyLevel); ok {
		rows = append(rows, fieldRow{key: keyLevel, value: v, filter: true})
	}
	rows = append(rows, fieldRow{key: "format", value: l.Format.String()}, fieldRow{key: keyMessage, value: l.Message, filter: true})
	if len(l.Fields) > 0 {
		rows = append(rows, fieldRow{value: "Fields"})
		for _, f := range l.Fields {
			rows = append(rows, fieldRow{key: f.Key, value: f.Value, filter: true})
		}
	}
	for _, part := range []struct {
		title string
		m     map[string]string
	}{{"Labels", e.Labels}, {"Structured metadata", e.Metadata}} {
		if len(part.m) == 0 {
			continue
		}
		rows = append(rows, fieldRow{value: part.title})
		keys := make([]string, 0, len(part.m))
		for k := range part.m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			rows = append(rows, fieldRow{key: k, value: part.m[k], filter: true})
		}
	}
	return rows
}

// OpenFields shows the selected line's fields; false when no line is
// selected.
func (m *Model) OpenFields() bool {
	e := m.Selected()
	if e == nil {
		return false
	}
	m.fields = m.fieldRows(e)
	m.fieldSel, m.fieldOff = 0, 0
	m.moveField(0)
	return true
}

// CloseFields goes back to the lines.
func (m *Model) CloseFields() { m.fields = nil }

// FieldsOpen tells whether the fields view is shown.
func (m Model) FieldsOpen() bool { return m.fields != nil }

// moveField moves the selection n filterable rows down (up when n < 0).
func (m *Model) moveField(n int) {
	step := 1
	if n < 0 {
		step, n = -1, -n
	}
	sel := m.fieldSel
	if !m.fields[sel].filter {
		n = max(n, 1)
	}
	for i := sel + step; n > 0 && i >= 0 && i < len(m.fields); i += step {
		if m.fields[i].filter {
			sel = i
			n--
		}
	}
	m.fieldSel = sel
	h := m.rowsHeight()
	m.fieldOff = pane.Scroll(m.fieldSel, m.fieldOff, h, len(m.fields))
}

// FilterBySelectedField keeps the lines whose field has the value of the
// selected row, and goes back to the lines.
func (m *Model) FilterBySelectedField() {
	r := m.fields[m.fieldSel]
	if !r.filter {
		return
	}
	m.AddFieldMatch(r.key, r.value)
	m.fields = nil
}

// AddFieldMatch keeps only the lines whose field key has value, besides
// the other filters.
func (m *Model) AddFieldMatch(key, value string) {
	for _, f := range m.matches {
		if f.key == key && f.value == value {
			return
		}
	}
	m.matches = append(m.matches, fieldMatch{key, value})
	m.refilter()
}

// matchesFields tells whether e passes the field matches.
func (m *Model) matchesFields(e *sources.LogEntry) bool {
	if len(m.matches) == 0 {
		return true
	}
	logline.ParseInto(e.Line, &m.scratch)
	for _, f := range m.matches {
		if v, ok := fieldValue(e, &m.scratch, f.key); !ok || v != f.value {
			return false
		}
	}
	return true
}

// fieldsView draws the fields view's rows in view.
func (m Model) fieldsView() []string {
	kw := 4
	for _, r := range m.fields {
		kw = max(kw, min(24, len(r.key)))
	}
	h := m.rowsHeight()
	out := make([]string, 0, h)
	for i := m.fieldOff; i < len(m.fields) && len(out) < h; i++ {
		r := m.fields[i]
		if r.key == "" {
			out = append(out, " "+m.st.Bold.Apply(r.value))
			continue
		}
		mark := " "
		if i == m.fieldSel {
			mark = m.st.Selected().Apply("▶")
		}
		v := render.ExpandTabs(sources.SanitizeKeepTabs(r.value))
		avail := max(10, m.width-1-kw-1)
		for j, row := range strings.Split(ansi.Hardwrap(v, avail, true), "\n") {
			k := ""
			if j == 0 {
				k = sources.Sanitize(r.key)
			}
			line := m.st.Dim.Apply(render.Fit(k, kw)) + " " + row
			if i == m.fieldSel && m.st.Color {
				line = m.st.Selected().Apply(render.Fit(ansi.Strip(line), m.width-1))
			}
			if j > 0 {
				mark = " "
			}
			out = append(out, mark+line)
			if len(out) == h {
				break
			}
		}
	}
	return out
}
