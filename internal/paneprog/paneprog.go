// Package paneprog runs one explorer pane in a real Bubble Tea program
// (teatest), for tests and benchmarks against real backends: what the
// pane shows and holds after each message, and what it told the status
// bar, read from the test's goroutine.
package paneprog

import (
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/tui"
)

// State is the pane after a message.
type State struct {
	View string
	// Lines are the lines it shows, for a pane that lists log lines.
	Lines []string
	// Status is every status bar message it sent, in order.
	Status []tui.StatusMsg
	// At is when the message was taken.
	At time.Time
}

// Program is the running pane.
type Program struct {
	tm      *teatest.TestModel
	mu      sync.Mutex
	state   State
	pane    tui.Pane      // as of the last message
	updated chan struct{} // a token after each message
}

type model struct {
	p    tui.Pane
	prog *Program
}

func (m model) Init() tea.Cmd { return nil }

func (m model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	var cmd tea.Cmd
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.p = m.p.SetSize(msg.Width, msg.Height)
	case tui.StatusMsg:
		m.prog.mu.Lock()
		m.prog.state.Status = append(m.prog.state.Status, msg)
		m.prog.mu.Unlock()
	default:
		m.p, cmd = m.p.Update(msg)
	}
	s := State{View: m.p.View(), At: time.Now()}
	if l, ok := m.p.(interface{ Lines() []*sources.LogEntry }); ok {
		for _, e := range l.Lines() {
			s.Lines = append(s.Lines, e.Line)
		}
	}
	m.prog.mu.Lock()
	s.Status = m.prog.state.Status
	m.prog.state, m.prog.pane = s, m.p
	m.prog.mu.Unlock()
	select {
	case m.prog.updated <- struct{}{}:
	default:
	}
	return m, cmd
}

func (m model) View() tea.View { return tea.NewView(m.p.View()) }

// Start runs p in a program of w x h cells until the test ends.
func Start(tb testing.TB, p tui.Pane, w, h int) *Program {
	tb.Helper()
	prog := &Program{updated: make(chan struct{}, 1), pane: p}
	prog.tm = teatest.NewTestModel(tb, model{p: p, prog: prog}, teatest.WithInitialTermSize(w, h))
	tb.Cleanup(func() {
		_ = prog.tm.Quit()
		prog.mu.Lock()
		last := prog.pane
		prog.mu.Unlock()
		if c, ok := last.(interface{ Cancel() }); ok {
			c.Cancel() // what runs in the background, as the explorer does when it quits
		}
	})
	return prog
}

// Send gives the pane a message.
func (p *Program) Send(msg tea.Msg) { p.tm.Send(msg) }

// State is the pane as of its last message.
func (p *Program) State() State {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.state
}

// Wait waits until ok holds of the pane (asked after each message, and
// every 100ms), for at most timeout, and ends the test otherwise, showing
// the pane.
func (p *Program) Wait(tb testing.TB, what string, timeout time.Duration, ok func(State) bool) State {
	tb.Helper()
	deadline := time.After(timeout)
	tick := time.NewTicker(100 * time.Millisecond) // ok may hold of time too
	defer tick.Stop()
	for {
		if s := p.State(); ok(s) {
			return s
		}
		select {
		case <-p.updated:
		case <-tick.C:
		case <-deadline:
			tb.Fatalf("after %s, the pane never showed %s:\n%s", timeout, what, p.State().View)
		}
	}
}
