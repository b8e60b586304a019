package traces

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/telx-cli/telx/internal/golden"
	"github.com/telx-cli/telx/internal/teasync"
)

// Every line of the form fills its width exactly, and wider panes take
// fewer lines.
func TestFormLayout(t *testing.T) {
	for _, c := range []struct{ width, lines int }{{200, 1}, {133, 2}, {80, 2}, {60, 3}, {30, 6}} {
		layout := formLayout(c.width)
		if len(layout) != c.lines {
			t.Errorf("%d columns: %d lines, want %d", c.width, len(layout), c.lines)
		}
		n := 0
		for _, line := range layout {
			w := len(line) - 1
			for _, cell := range line {
				w += fieldSpecs[cell.field].width(cell.w)
				if cell.w < fieldSpecs[cell.field].min {
					t.Errorf("%d columns: %s is %d wide", c.width, fieldSpecs[cell.field].label, cell.w)
				}
				if cell.field != n {
					t.Errorf("%d columns: field %d out of order", c.width, cell.field)
				}
				n++
			}
			if hasTags := line[len(line)-1].field == FieldTags; w > c.width || (hasTags && w != c.width) {
				t.Errorf("%d columns: a line %d wide: %+v", c.width, w, line)
			}
		}
	}
}

// kp is the press of a key (teasync.Key).
var kp = teasync.Key

// keys sends a script to the pane: words are keys ("tab", "enter"), or
// text to type when quoted ('Charge').
func keys(m Model, script ...string) (Model, []tea.Msg) {
	var out []tea.Msg
	for _, k := range script {
		var ks []tea.KeyPressMsg
		if text, ok := strings.CutPrefix(k, "'"); ok {
			for _, r := range strings.TrimSuffix(text, "'") {
				if r == ' ' {
					ks = append(ks, kp("space"))
				} else {
					ks = append(ks, kp(string(r)))
				}
			}
		} else {
			ks = append(ks, kp(k))
		}
		for _, kp := range ks {
			var cmd tea.Cmd
			m, cmd = m.Update(kp)
			if cmd != nil {
				out = append(out, cmd())
			}
		}
	}
	return m, out
}

// withQuery is a loaded pane at 100x14 searching q, which knows the demo's
// services.
func withQuery(t *testing.T, q Query) Model {
	m, _ := loaded(t, 100, 14, false)
	m.SetQuery(q)
	m, _ = m.Update(ServicesMsg{ID: m.ID(), Services: []string{"checkout", "frontend", "payments", "postgres"}})
	return m
}

var paymentsCharge = Query{Service: "payments", Operation: "Charge", Lookback: 2 * time.Hour, MinDuration: 100 * time.Millisecond,
	Tags: []string{"error=true"}}

func TestFormKeys(t *testing.T) {
	for _, c := range []struct {
		name   string
		script []string
		want   Query // the search Enter asks for
	}{
		{"enter searches the same", []string{"s", "enter"}, paymentsCharge},
		{"slash opens it too", []string{"/", "enter"}, paymentsCharge},
		{"tab to the operation", []string{"s", "tab", "ctrl+u", "'POST /api/checkout'", "enter"},
			Query{Service: "payments", Operation: "POST /api/checkout", Lookback: 2 * time.Hour, MinDuration: 100 * time.Millisecond, Tags: []string{"error=true"}}},
		{"down and up move too", []string{"s", "down", "down", "down", "up", "ctrl+u", "'30m'", "enter"},
			Query{Service: "payments", Operation: "Charge", Lookback: 30 * time.Minute, MinDuration: 100 * time.Millisecond, Tags: []string{"error=true"}}},
		{"shift+tab wraps to the tags", []string{"s", "shift+tab", "space", "'http.route=\"/api/a b\"'", "enter"},
			Query{Service: "payments", Operation: "Charge", Lookback: 2 * time.Hour, MinDuration: 100 * time.Millisecond, Tags: []string{"error=true", "http.route=/api/a b"}}},
		{"every field", []string{"s", "ctrl+u", "'checkout'", "tab", "ctrl+u", "tab", "ctrl+u", "'1d'", "tab", "ctrl+u", "tab", "'2s'", "tab", "ctrl+u", "enter"},
			Query{Service: "checkout", Lookback: 24 * time.Hour, MaxDuration: 2 * time.Second}},
		{"keys of the pane are text", []string{"s", "tab", "ctrl+u", "'jkgGrq[]s/'", "enter"},
			Query{Service: "payments", Operation: "jkgGrq[]s/", Lookback: 2 * time.Hour, MinDuration: 100 * time.Millisecond, Tags: []string{"error=true"}}},
		{"tab completes the service", []string{"s", "ctrl+u", "'pa'", "tab", "enter"}, paymentsCharge},
		{"ctrl+n cycles the services", []string{"s", "ctrl+n", "enter"}, withService(paymentsCharge, "postgres")},
		{"ctrl+p back", []string{"s", "ctrl+p", "ctrl+p", "enter"}, withService(paymentsCharge, "checkout")},
		{"ctrl+n among those typed", []string{"s", "ctrl+u", "'p'", "ctrl+n", "ctrl+n", "ctrl+n", "enter"}, paymentsCharge},
		{"an error is mended", []string{"s", "tab", "tab", "tab", "ctrl+u", "'soon'", "enter", "backspace", "backspace", "backspace", "backspace", "'1s'", "enter"},
			Query{Service: "payments", Operation: "Charge", Lookback: 2 * time.Hour, MinDuration: time.Second, Tags: []string{"error=true"}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			m := withQuery(t, paymentsCharge)
			m, msgs := keys(m, c.script...)
			var searches []SearchMsg
			for _, msg := range msgs {
				if s, ok := msg.(SearchMsg); ok {
					searches = append(searches, s)
				}
			}
			if len(searches) != 1 {
				t.Fatalf("searched %d times, want once: %v", len(searches), msgs)
			}
			s := searches[0]
			if !reflect.DeepEqual(s.Query, c.want) || !s.Edited || s.ID != m.ID() {
				t.Errorf("searched %+v (edited %v), want %+v", s.Query, s.Edited, c.want)
			}
			if m.Typing() {
				t.Error("the form is still open")
			}
			if !reflect.DeepEqual(m.Query(), c.want) {
				t.Errorf("the pane's query is %+v", m.Query())
			}
			// the answer to that search is shown, one to an older one is not
			m, _ = m.Update(ResultMsg{ID: m.ID(), Seq: s.Seq - 1, Service: s.Service})
			if len(m.rows) == 0 {
				t.Error("an older search's answer shown")
			}
			m, _ = m.Update(ResultMsg{ID: m.ID(), Seq: s.Seq, Service: s.Service})
			if len(m.rows) != 0 {
				t.Error("the search's answer not shown")
			}
		})
	}
}

func withService(q Query, s string) Query {
	q.Service = s
	return q
}

// Esc closes the form and changes nothing, and the next opening shows
// the search again, not what was typed.
func TestFormEsc(t *testing.T) {
	m := withQuery(t, paymentsCharge)
	before := m.View()
	m, msgs := keys(m, "s", "ctrl+u", "'checkout'", "tab", "'x'", "esc")
	for _, msg := range msgs {
		if _, ok := msg.(LoadOperationsMsg); !ok {
			t.Errorf("esc: message %#v", msg)
		}
	}
	if m.Typing() {
		t.Error("esc: the form is still open")
	}
	if !reflect.DeepEqual(m.Query(), paymentsCharge) {
		t.Errorf("the query is %+v", m.Query())
	}
	if m.View() != before {
		t.Errorf("the pane changed:\n%s\nwas\n%s", m.View(), before)
	}
	m, _ = keys(m, "s")
	if v := m.form.value(FieldService); v != "payments" {
		t.Errorf("opened again, Service is %q", v)
	}
	if v := m.form.value(FieldOperation); v != "Charge" {
		t.Errorf("opened again, Operation is %q", v)
	}
}

// A bad value keeps the form open with every field as typed, says what is
// wrong and focuses the field.
func TestFormErrors(t *testing.T) {
	for _, c := range []struct {
		name   string
		script []string
		field  int
		says   string
	}{
		{"since", []string{"tab", "tab", "ctrl+u", "'soon'"}, FieldSince, `Since needs a positive duration, such as 30m, 2h or 1d, got "soon"`},
		{"since empty", []string{"tab", "tab", "ctrl+u"}, FieldSince, "Since needs a duration"},
		{"min", []string{"tab", "tab", "tab", "ctrl+u", "'5 s'"}, FieldMinDuration, `Min duration needs a duration such as 500ms, got "5 s"`},
		{"max", []string{"shift+tab", "shift+tab", "'-1s'"}, FieldMaxDuration, `Max duration needs a duration such as 500ms, got "-1s"`},
		{"max under min", []string{"shift+tab", "shift+tab", "'50ms'"}, FieldMaxDuration, "Max duration is less than the min duration (100ms)"},
		{"tag", []string{"shift+tab", "space", "'status'"}, FieldTags, `Tags needs key=value, got "status"`},
		{"service", []string{"ctrl+u"}, FieldService, "Service needs a service name"},
	} {
		t.Run(c.name, func(t *testing.T) {
			m := withQuery(t, paymentsCharge)
			m, _ = keys(m, "s", "tab", "ctrl+u", "'Typed op'", "shift+tab")
			m, _ = keys(m, c.script...)
			var typed [numFields]string
			for i := range typed {
				typed[i] = m.form.value(i)
			}
			// the focus elsewhere, to see it go to the field
			m, _ = keys(m, "tab")
			m, msgs := keys(m, "enter")
			if len(msgs) != 0 || !m.Typing() {
				t.Fatalf("enter: messages %v, typing %v", msgs, m.Typing())
			}
			for i := range typed {
				if got := m.form.value(i); got != typed[i] {
					t.Errorf("%s is %q after the error, was %q", fieldSpecs[i].label, got, typed[i])
				}
			}
			if m.form.focus != c.field {
				t.Errorf("the focus is on %s", fieldSpecs[m.form.focus].label)
			}
			v := m.View()
			if !strings.Contains(v, "✗ "+c.says) {
				t.Errorf("the pane does not say %q:\n%s", c.says, v)
			}
			if !reflect.DeepEqual(m.Query(), paymentsCharge) {
				t.Errorf("the query changed to %+v", m.Query())
			}
			// editing the field forgets the error
			m, _ = keys(m, "'x'")
			if strings.Contains(m.View(), c.says) {
				t.Error("the error stays after an edit")
			}
		})
	}
}

func TestFormPaste(t *testing.T) {
	m := withQuery(t, paymentsCharge)
	m, _ = keys(m, "s", "shift+tab")
	m, _ = m.Update(tea.PasteMsg{Content: " http.method=POST\n"})
	if v := m.form.value(FieldTags); v != "error=true http.method=POST " {
		t.Errorf("tags %q after the paste", v)
	}
	// pasted text goes nowhere with the form closed
	m, _ = keys(m, "esc")
	before := m.View()
	m, _ = m.Update(tea.PasteMsg{Content: "x"})
	if m.View() != before {
		t.Error("a paste changed the closed pane")
	}
}

// The pane with the form open, in 80 and 200 columns, with and without
// colour; the list below the form keeps the selection in view.
func TestFormGolden(t *testing.T) {
	for _, size := range [][2]int{{80, 12}, {200, 12}} {
		for _, color := range []bool{false, true} {
			t.Run(fmt.Sprintf("%dx%d-color=%v", size[0], size[1], color), func(t *testing.T) {
				m, _ := loaded(t, size[0], size[1], color)
				m.SetQuery(Query{Service: "payments", Operation: "Charge", Lookback: time.Hour, Tags: []string{"http.route=/api/checkout"}})
				m, _ = m.Update(ServicesMsg{ID: m.ID(), Services: []string{"checkout", "frontend", "payments", "postgres"}})
				m, _ = keys(m, "G", "s", "ctrl+u", "'p'")
				v := m.View()
				lines := strings.Split(v, "\n")
				if len(lines) != size[1] {
					t.Errorf("%d lines", len(lines))
				}
				for _, l := range lines {
					if ansi.StringWidth(l) != size[0] {
						t.Errorf("line %d cells wide: %q", ansi.StringWidth(l), l)
					}
				}
				if m.Selected() != m.rows[len(m.rows)-1].trace || !strings.HasPrefix(ansi.Strip(lines[len(lines)-1]), "▶") {
					t.Errorf("the selected last row is out of view:\n%s", ansi.Strip(v))
				}
				golden.Check(t, v)

				// an error, on the field and under the fields
				m, _ = keys(m, "tab", "tab", "tab", "'soon'", "enter")
				golden.CheckFile(t, strings.ReplaceAll(t.Name(), "/", "_")+"-error", m.View())
			})
		}
	}
}

// Too low for the form, the pane shows the focused field's line first.
func TestFormLow(t *testing.T) {
	m, _ := loaded(t, 80, 1, false)
	m, _ = keys(m, "s", "shift+tab")
	if v := m.View(); !strings.Contains(v, "▶Tags [") || strings.Count(v, "\n") != 0 {
		t.Errorf("one line:\n%s", v)
	}
	m.SetSize(80, 2)
	if v := m.View(); !strings.Contains(v, "▶Tags [") || !strings.Contains(v, "key=value pairs") {
		t.Errorf("two lines:\n%s", v)
	}
}
