// Package teasync drives Bubble Tea models in tests without a program:
// each message, then every message its commands lead to, in order, on
// the test's goroutine.
package teasync

import tea "charm.land/bubbletea/v2"

// Run feeds msgs to m through update, then the messages of the commands
// they return, batches unpacked, until none is left, and returns the
// final model.
func Run[M any](m M, update func(M, tea.Msg) (M, tea.Cmd), msgs ...tea.Msg) M {
	queue := append([]tea.Msg(nil), msgs...)
	for len(queue) > 0 {
		msg := queue[0]
		queue = queue[1:]
		if b, ok := msg.(tea.BatchMsg); ok {
			for _, c := range b {
				if c != nil {
					queue = append(queue, c())
				}
			}
			continue
		}
		var cmd tea.Cmd
		m, cmd = update(m, msg)
		if cmd != nil {
			queue = append(queue, cmd())
		}
	}
	return m
}

// Model adapts a tea.Model's Update to Run for its concrete type M.
func Model[M tea.Model](m M, msg tea.Msg) (M, tea.Cmd) {
	next, cmd := m.Update(msg)
	return next.(M), cmd
}
