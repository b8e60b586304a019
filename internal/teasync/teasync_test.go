package teasync

import (
	"testing"

	tea "charm.land/bubbletea/v2"
)

type step int

// counter counts steps; a step below 3 leads to the next, two at a time in
// a batch on even steps.
type counter struct{ seen []int }

func (c counter) Init() tea.Cmd  { return nil }
func (c counter) View() tea.View { return tea.NewView("") }
func (c counter) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	s, ok := msg.(step)
	if !ok {
		return c, nil
	}
	c.seen = append(c.seen, int(s))
	if s >= 3 {
		return c, nil
	}
	next := func() tea.Msg { return s + 1 }
	if s%2 == 0 {
		return c, tea.Batch(next, nil, func() tea.Msg { return step(10) })
	}
	return c, next
}

func TestRun(t *testing.T) {
	got := Run(counter{}, Model[counter], step(0)).seen
	want := []int{0, 1, 10, 2, 3, 10}
	if len(got) != len(want) {
		t.Fatalf("steps %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("steps %v, want %v", got, want)
		}
	}
}

func TestKey(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"enter", "enter"}, {"esc", "esc"}, {"shift+tab", "shift+tab"}, {"pgdown", "pgdown"}, {"space", "space"},
		{"ctrl+u", "ctrl+u"}, {"j", "j"}, {"G", "G"}, {"/", "/"},
	} {
		if got := Key(tt.in).String(); got != tt.want {
			t.Errorf("Key(%q) is %q", tt.in, got)
		}
	}
}
