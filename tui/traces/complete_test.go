package traces

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

func TestMatches(t *testing.T) {
	names := []string{"Charge", "GetPaymentStatus", "GetRefund", "Refund"}
	for _, c := range []struct {
		typed string
		names []string
		want  []string
	}{
		{"", names, names},
		{"Get", names, []string{"GetPaymentStatus", "GetRefund"}},
		{"get", names, []string{"GetPaymentStatus", "GetRefund"}},
		{"GetR", names, []string{"GetRefund"}},
		{"Refund", names, []string{"Refund"}},
		{"x", names, names}, // none starts so: all
		{"G", nil, nil},
		{"", nil, nil},
	} {
		if got := (completion{names: c.names, typed: c.typed}).matches(); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%q in %q: %q, want %q", c.typed, c.names, got, c.want)
		}
	}
}

// steps sends keys as keys does, and messages as they are.
func steps(m Model, script ...any) (Model, []tea.Msg) {
	var out []tea.Msg
	for _, s := range script {
		if k, ok := s.(string); ok {
			var msgs []tea.Msg
			m, msgs = keys(m, k)
			out = append(out, msgs...)
			continue
		}
		var cmd tea.Cmd
		m, cmd = m.Update(s.(tea.Msg))
		if cmd != nil {
			out = append(out, cmd())
		}
	}
	return m, out
}

// The Service and Operation fields complete and cycle alike, each from its
// names; neither value is among the names at the start.
func TestFieldCompletion(t *testing.T) {
	names := []string{"alpha", "beta", "bravo", "charlie"}
	cases := []struct {
		name   string
		names  []string
		script []string // with the field focused
		want   string   // the field's value
		hint   string   // the matches listed under the fields, "" for the field's hint
	}{
		{"tab completes", names, []string{"ctrl+u", "'b'", "tab"}, "beta", "beta"},
		{"ignoring case", names, []string{"ctrl+u", "'CH'", "tab"}, "charlie", "charlie"},
		{"tab on a whole name", names, []string{"ctrl+u", "'bravo'", "tab"}, "bravo", "bravo"},
		{"tab with no match", names, []string{"ctrl+u", "'x'", "tab"}, "x", "alpha · beta · bravo · charlie"},
		{"ctrl+n: the first", names, []string{"ctrl+n"}, "alpha", "alpha · beta · bravo · charlie"},
		{"ctrl+p: the last", names, []string{"ctrl+p"}, "charlie", "alpha · beta · bravo · charlie"},
		{"ctrl+n around", names, []string{"ctrl+n", "ctrl+n", "ctrl+n", "ctrl+n", "ctrl+n"}, "alpha", "alpha · beta · bravo · charlie"},
		{"ctrl+p around", names, []string{"ctrl+n", "ctrl+p"}, "charlie", "alpha · beta · bravo · charlie"},
		{"ctrl+n among those typed", names, []string{"ctrl+u", "'b'", "ctrl+n", "ctrl+n", "ctrl+n"}, "beta", "beta · bravo"},
		{"ctrl+p among those typed", names, []string{"ctrl+u", "'b'", "ctrl+p"}, "bravo", "beta · bravo"},
		{"after tab, among the completed", names, []string{"ctrl+u", "'b'", "tab", "shift+tab", "ctrl+n"}, "beta", "beta"},
		{"an empty list: tab", nil, []string{"ctrl+u", "'b'", "tab"}, "b", ""},
		{"an empty list: ctrl+n", nil, []string{"ctrl+u", "'b'", "ctrl+n", "ctrl+p"}, "b", ""},
	}
	for _, field := range []int{FieldService, FieldOperation} {
		for _, c := range cases {
			t.Run(fieldSpecs[field].label+"/"+c.name, func(t *testing.T) {
				m, _ := loaded(t, 200, 14, false)
				m.SetQuery(Query{Service: "payments", Operation: "zed", Lookback: time.Hour})
				services := []string{"payments"}
				if field == FieldService {
					services = c.names
				}
				m, _ = m.Update(ServicesMsg{ID: m.ID(), Services: services})
				m, _ = keys(m, "s")
				if field == FieldOperation {
					m, _ = m.Update(OperationsMsg{ID: m.ID(), Service: "payments", Operations: c.names})
					m, _ = keys(m, "tab")
				}
				m, _ = keys(m, c.script...)
				if got := m.form.value(field); got != c.want {
					t.Errorf("%s is %q, want %q", fieldSpecs[field].label, got, c.want)
				}
				m.form.focusField(field)
				hint := ansi.Strip(m.form.hint(m.st))
				if c.hint == "" {
					if !strings.Contains(hint, fieldSpecs[field].hint) {
						t.Errorf("hint %q", hint)
					}
				} else if !strings.HasSuffix(strings.TrimSpace(hint), "(tab completes): "+c.hint) {
					t.Errorf("hint %q, want the matches %q", hint, c.hint)
				}
			})
		}
	}
}

// asked lists the services whose operations the messages ask for.
func asked(t *testing.T, m Model, msgs []tea.Msg) []string {
	t.Helper()
	var out []string
	for _, msg := range msgs {
		if a, ok := msg.(LoadOperationsMsg); ok {
			if a.ID != m.ID() {
				t.Errorf("asked with ID %d, the pane's is %d", a.ID, m.ID())
			}
			out = append(out, a.Service)
		}
	}
	return out
}

func opsOf(m Model, service string, ops ...string) OperationsMsg {
	return OperationsMsg{ID: m.ID(), Service: service, Operations: ops}
}

// The form asks for the operations of the service in the Service field as
// it opens, and when the field comes to a known service whose operations
// are not kept; never for a partial name, nor twice at once.
func TestOperationsAsked(t *testing.T) {
	failed := errors.New("no answer")
	for _, c := range []struct {
		name   string
		script func(m Model) []any
		want   []string
	}{
		{"opening", func(m Model) []any { return []any{"s"} }, []string{"payments"}},
		{"opening again", func(m Model) []any { return []any{"s", opsOf(m, "payments", "Charge"), "esc", "s"} },
			[]string{"payments", "payments"}},
		{"not twice at once", func(m Model) []any { return []any{"s", "esc", "s"} }, []string{"payments"}},
		{"a known service typed", func(m Model) []any { return []any{"s", "ctrl+u", "'check'", "'out'"} },
			[]string{"payments", "checkout"}},
		{"an unknown one", func(m Model) []any { return []any{"s", "ctrl+u", "'shipping'"} }, []string{"payments"}},
		{"completed", func(m Model) []any { return []any{"s", "ctrl+u", "'c'", "tab"} }, []string{"payments", "checkout"}},
		{"cycled", func(m Model) []any { return []any{"s", "ctrl+n", "ctrl+n"} }, []string{"payments", "postgres", "checkout"}},
		{"pasted", func(m Model) []any { return []any{"s", "ctrl+u", tea.PasteMsg{Content: "frontend"}} },
			[]string{"payments", "frontend"}},
		{"kept", func(m Model) []any {
			return []any{"s", opsOf(m, "payments", "Charge"), "ctrl+u", "'checkout'", opsOf(m, "checkout"), "ctrl+u", "'payments'", "ctrl+u", "'checkout'"}
		}, []string{"payments", "checkout"}},
		{"a failure is not kept", func(m Model) []any {
			return []any{"s", "ctrl+u", "'checkout'", OperationsMsg{ID: m.ID(), Service: "checkout", Err: failed}, "ctrl+u", "'checkout'"}
		}, []string{"payments", "checkout", "checkout"}},
		{"another pane's answer", func(m Model) []any {
			return []any{"s", "ctrl+u", "'checkout'", OperationsMsg{ID: m.ID() + 1, Service: "checkout"}, "ctrl+u", "'checkout'"}
		}, []string{"payments", "checkout"}},
		{"the services come", func(m Model) []any {
			return []any{"s", "ctrl+u", "'shipping'", ServicesMsg{ID: m.ID(), Services: []string{"payments", "shipping"}}}
		}, []string{"payments", "shipping"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			m := withQuery(t, paymentsCharge)
			m, msgs := steps(m, c.script(m)...)
			if got := asked(t, m, msgs); !reflect.DeepEqual(got, c.want) {
				t.Errorf("asked for the operations of %q, want %q", got, c.want)
			}
		})
	}
}

// An answer for a service no longer in the Service field is not what the
// Operation field completes; it is kept for when the field comes back to
// that service.
func TestOperationsStaleAnswer(t *testing.T) {
	m := withQuery(t, paymentsCharge)
	m, _ = keys(m, "s", "ctrl+u", "'checkout'", "tab", "ctrl+u", "'G'")
	// payments' answer comes while checkout's operation is typed
	m, _ = m.Update(opsOf(m, "payments", "Charge", "GetPaymentStatus"))
	if v := ansi.Strip(m.form.hint(m.st)); strings.Contains(v, "payments") || strings.Contains(v, "GetPaymentStatus") {
		t.Errorf("payments' operations listed in checkout: %q", v)
	}
	m, _ = keys(m, "tab")
	if v := m.form.value(FieldOperation); v != "G" {
		t.Errorf("completed %q from payments' operations in checkout", v)
	}
	// checkout's answer comes while its operation is typed
	m, _ = keys(m, "shift+tab", "ctrl+u", "'P'")
	m, _ = m.Update(opsOf(m, "checkout", "GetCart", "PlaceOrder"))
	m, _ = keys(m, "tab")
	if v := m.form.value(FieldOperation); v != "PlaceOrder" {
		t.Errorf("Operation %q, want checkout's PlaceOrder", v)
	}
	// back to payments: its answer was kept, nothing asked
	m, msgs := keys(m, "shift+tab", "shift+tab", "ctrl+u", "'payments'", "tab", "ctrl+u", "'G'", "tab")
	if got := asked(t, m, msgs); len(got) != 0 {
		t.Errorf("asked again for %q", got)
	}
	if v := m.form.value(FieldOperation); v != "GetPaymentStatus" {
		t.Errorf("Operation %q, want payments' GetPaymentStatus", v)
	}
}

// The pane keeps the operations of the last opsCached services.
func TestOpsCache(t *testing.T) {
	c := newOpsCache()
	for i := range opsCached + 1 {
		c.put(string(rune('a'+i)), []string{"op"})
	}
	c.put("b", []string{"op2"}) // again: stays where it was
	if _, ok := c.of["a"]; ok || len(c.of) != opsCached || len(c.order) != opsCached {
		t.Errorf("kept %d services (%q), the first too: %v", len(c.of), c.order, ok)
	}
	if got := c.of["b"]; !reflect.DeepEqual(got, []string{"op2"}) {
		t.Errorf("b's operations %q", got)
	}
}

// The services coming while the form is open, before any search: the
// first service's traces are searched, and the operations of the service
// typed asked for.
func TestServicesComeWithTheFormOpen(t *testing.T) {
	m := New(nil, time.UTC, "")
	m.SetSize(100, 14)
	m, msgs := steps(m, "s", "'shipping'", ServicesMsg{ID: m.ID(), Services: []string{"payments", "shipping"}})
	for _, msg := range msgs {
		if b, ok := msg.(tea.BatchMsg); ok {
			for _, c := range b {
				msgs = append(msgs, c())
			}
		}
	}
	if got := asked(t, m, msgs); !reflect.DeepEqual(got, []string{"shipping"}) {
		t.Errorf("asked for the operations of %q", got)
	}
	var searched []string
	for _, msg := range msgs {
		if s, ok := msg.(SearchMsg); ok {
			searched = append(searched, s.Service)
		}
	}
	if !reflect.DeepEqual(searched, []string{"payments"}) {
		t.Errorf("searched %q, want payments", searched)
	}
}
