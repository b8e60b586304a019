package tui_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/telx-cli/telx/internal/golden"
	"github.com/telx-cli/telx/tui"
)

var ctrlU = tea.KeyPressMsg{Code: 'u', Mod: tea.ModCtrl}

// typeText types text key by key.
func typeText(m tui.Model, text string) tui.Model {
	for _, r := range text {
		if r == ' ' {
			m = syncUpdate(m, tea.KeyPressMsg{Code: tea.KeySpace, Text: " "})
			continue
		}
		m = syncUpdate(m, key(string(r)))
	}
	return m
}

// replace empties the focused field of the form and types text.
func replace(m tui.Model, text string) tui.Model {
	return typeText(syncUpdate(m, ctrlU), text)
}

// The search form and the : commands change one search: each shows and
// keeps what the other set.
func TestSearchFormSharesTheCommandsSearch(t *testing.T) {
	m, rec, _ := cmdExplorer(t)
	m = typeLine(m, "operation Charge", "enter")
	m = syncUpdate(m, key("s"))
	screenHas(t, m, "▶Service [payments", "Operation [Charge", "Since [1h")

	// tab moves between the fields, not the panes
	m = syncUpdate(m, key("tab"))
	m = syncUpdate(m, key("tab"))
	screenHas(t, m, "▶ Traces", "▶Since [")
	m = replace(m, "2h")
	m = syncUpdate(m, key("tab"))
	m = replace(m, "250ms")
	n := len(rec.asks)
	m = syncUpdate(m, key("enter"))
	if len(rec.asks) != n+1 {
		t.Fatalf("enter searched %d times", len(rec.asks)-n)
	}
	q := rec.last()
	if q.Service != "payments" || q.Operation != "Charge" || q.MinDuration != 250*time.Millisecond || q.MaxDuration != 0 ||
		q.Tags != nil || q.Range.Duration() != 2*time.Hour || !q.Range.To.Equal(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)) {
		t.Errorf("searched %+v, want payments' Charge of at least 250ms over the last 2h", q)
	}
	if s := statusLine(m); !strings.Contains(s, "searching payments over the last 2h with operation Charge, at least 250ms") {
		t.Errorf("status bar %q", s)
	}
	screenHas(t, m, "Traces · payments (", ") · last 2h, operation Charge, at least 250ms")
	if strings.Contains(m.Render(), "Since [") {
		t.Error("the form stays open after enter")
	}

	// the commands start from what the form set
	m = typeLine(m, "tag error=true", "enter")
	q = rec.last()
	if q.Operation != "Charge" || q.MinDuration != 250*time.Millisecond || q.Range.Duration() != 2*time.Hour || q.Tags["error"] != "true" {
		t.Errorf(":tag searched %+v", q)
	}
	if s := statusLine(m); !strings.Contains(s, "searching with operation Charge, at least 250ms, error=true") {
		t.Errorf("status bar %q", s)
	}
	m = typeLine(m, "max-duration 2s", "enter")
	m = syncUpdate(m, key("/"))
	screenHas(t, m, "Since [2h", "Min duration [250ms", "Max duration [2s", "Tags [error=true")
}

// Esc closes the form: no search, nothing changed on the screen.
func TestSearchFormEsc(t *testing.T) {
	m, rec, _ := cmdExplorer(t)
	m = syncUpdate(m, key("tab"))
	m = syncUpdate(m, key("tab"))
	m = syncUpdate(m, key("tab"))
	m = syncUpdate(m, key("tab")) // around to the Traces pane
	before, n := m.Render(), len(rec.asks)
	m = syncUpdate(m, key("s"))
	m = replace(m, "checkout")
	m = syncUpdate(m, key("tab"))
	m = typeText(m, "x")
	m = syncUpdate(m, tea.KeyPressMsg{Code: tea.KeyEscape})
	if len(rec.asks) != n {
		t.Errorf("esc searched %+v", rec.last())
	}
	if after := m.Render(); after != before {
		t.Errorf("the screen changed:\n%s\nwas\n%s", after, before)
	}
}

// A bad value keeps the form open, with what was typed; the global keys
// are text in it.
func TestSearchFormError(t *testing.T) {
	m, rec, _ := cmdExplorer(t)
	m = typeLine(m, "service payments", "enter")
	n := len(rec.asks)
	m = syncUpdate(m, key("s"))
	m = syncUpdate(m, key("tab"))
	m = replace(m, "Charge")
	m = syncUpdate(m, key("tab"))
	m = syncUpdate(m, key("tab"))
	m = replace(m, "soon")
	m = syncUpdate(m, key("enter"))
	if len(rec.asks) != n {
		t.Errorf("a bad min duration searched %+v", rec.last())
	}
	screenHas(t, m, "▶ Traces", "Operation [Charge", "Min duration [soon", `✗ Min duration needs a duration such as 500ms, got "soon"`)

	// q, ?, a, : and y are text here, and the help line says the form's keys
	if _, cmd := m.Update(key("q")); cmd != nil {
		if _, ok := cmd().(tea.QuitMsg); ok {
			t.Error("q quit from the form")
		}
	}
	m = typeText(m, "q?a:y")
	screenHas(t, m, "▶ Traces", "▶Min duration [", "nq?a:y") // soon, scrolled
	lines := strings.Split(m.Render(), "\n")
	if h := lines[len(lines)-1]; !strings.Contains(h, "enter search") || !strings.Contains(h, "esc cancel") || strings.Contains(h, "quit") {
		t.Errorf("help line %q", h)
	}
	for range "soonq?a:y" {
		m = syncUpdate(m, tea.KeyPressMsg{Code: tea.KeyBackspace})
	}
	m = typeText(m, "400ms")
	m = syncUpdate(m, key("enter"))
	if q := rec.last(); len(rec.asks) != n+1 || q.Operation != "Charge" || q.MinDuration != 400*time.Millisecond {
		t.Errorf("searched %+v after mending", q)
	}
}

// Opening the form asks the trace source for the operations of its
// service, which tab completes in the Operation field; another service
// typed in the Service field brings its own.
func TestSearchFormCompletesOperations(t *testing.T) {
	m, rec, _ := cmdExplorer(t)
	m = typeLine(m, "service payments", "enter")
	if got := rec.operationsAsked(); len(got) != 0 {
		t.Errorf("operations asked for before the form opened: %q", got)
	}
	m = syncUpdate(m, key("s"))
	if got := rec.operationsAsked(); !reflect.DeepEqual(got, []string{"payments"}) {
		t.Errorf("opening asked for the operations of %q, want payments'", got)
	}
	m = syncUpdate(m, key("tab"))
	screenHas(t, m, "▶Operation [", "operations of payments (tab completes): Charge · GetPaymentStatus",
		"ctrl+n/p cycle operations")
	m = replace(m, "g")
	m = syncUpdate(m, key("tab"))
	screenHas(t, m, "Operation [GetPaymentStatus", "▶Since [")
	m = syncUpdate(m, key("enter"))
	if q := rec.last(); q.Service != "payments" || q.Operation != "GetPaymentStatus" {
		t.Errorf("searched %+v, want payments' GetPaymentStatus", q)
	}

	m = syncUpdate(m, key("s"))
	m = replace(m, "check")
	if got := rec.operationsAsked(); len(got) != 2 {
		t.Errorf("asked for the operations of %q, want payments' twice (a form opened twice), no more", got)
	}
	m = typeText(m, "out")
	m = syncUpdate(m, key("tab"))
	m = replace(m, "p")
	m = syncUpdate(m, key("tab"))
	screenHas(t, m, "Operation [PlaceOrder")
	if got := rec.operationsAsked(); !reflect.DeepEqual(got, []string{"payments", "payments", "checkout"}) {
		t.Errorf("asked for the operations of %q", got)
	}
}

// The operations failing to come is said on the status bar; the form
// works on without completion.
func TestSearchFormOperationsFail(t *testing.T) {
	m, rec, _ := cmdExplorer(t)
	rec.opsErr = errors.New("jaeger: connection refused")
	m = typeLine(m, "service payments", "enter")
	m = syncUpdate(m, key("s"))
	m = syncUpdate(m, key("tab"))
	if s := statusLine(m); !strings.Contains(s, "✗ operations of payments: jaeger: connection refused") {
		t.Errorf("status bar %q", s)
	}
	screenHas(t, m, "▶Operation [", "only traces with a span of this operation; empty: any")
	m = replace(m, "Ch")
	m = syncUpdate(m, key("tab"))
	m = syncUpdate(m, key("enter"))
	if q := rec.last(); q.Service != "payments" || q.Operation != "Ch" {
		t.Errorf("searched %+v, want payments' Ch as typed", q)
	}
}

// Pasted text goes to the focused field, and to the command line.
func TestPaste(t *testing.T) {
	m, rec, _ := cmdExplorer(t)
	m = typeLine(m, "service payments", "enter")
	m = syncUpdate(m, key("s"))
	m = syncUpdate(m, tea.KeyPressMsg{Code: tea.KeyTab, Mod: tea.ModShift})
	m = syncUpdate(m, tea.PasteMsg{Content: "http.route=/api/checkout"})
	m = syncUpdate(m, key("enter"))
	if q := rec.last(); q.Tags["http.route"] != "/api/checkout" {
		t.Errorf("searched %+v", q)
	}
	m = syncUpdate(m, key(":"))
	m = syncUpdate(m, tea.PasteMsg{Content: "since 3h"})
	m = syncUpdate(m, key("enter"))
	if q := rec.last(); q.Range.Duration() != 3*time.Hour {
		t.Errorf("searched over %v", q.Range.Duration())
	}
}

// The form on the screen, in 80 and 200 columns.
func TestSearchFormScreen(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {200, 50}} {
		t.Run(itoa(size[0])+"x"+itoa(size[1]), func(t *testing.T) {
			m, _, _ := cmdExplorer(t)
			m = syncUpdate(m, tea.WindowSizeMsg{Width: size[0], Height: size[1]})
			m = typeLine(m, "min-duration 400ms", "enter")
			m = syncUpdate(m, key("s"))
			m = syncUpdate(m, key("tab"))
			m = replace(m, "Charge")
			screen := m.Render()
			lines := strings.Split(screen, "\n")
			if len(lines) != size[1] {
				t.Errorf("%d lines", len(lines))
			}
			screenHas(t, m, "▶ Traces", "▶Operation [Charge", "Min duration [400ms", "ERRORS")
			golden.Check(t, screen)
		})
	}
}
