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

// namedKeys are the keys Key knows by name.
var namedKeys = map[string]tea.KeyPressMsg{
	"enter":     {Code: tea.KeyEnter},
	"esc":       {Code: tea.KeyEscape},
	"tab":       {Code: tea.KeyTab},
	"shift+tab": {Code: tea.KeyTab, Mod: tea.ModShift},
	"up":        {Code: tea.KeyUp},
	"down":      {Code: tea.KeyDown},
	"left":      {Code: tea.KeyLeft},
	"right":     {Code: tea.KeyRight},
	"pgup":      {Code: tea.KeyPgUp},
	"pgdown":    {Code: tea.KeyPgDown},
	"home":      {Code: tea.KeyHome},
	"end":       {Code: tea.KeyEnd},
	"backspace": {Code: tea.KeyBackspace},
	"space":     {Code: tea.KeySpace, Text: " "},
}

// Key returns the press of a key as Bubble Tea reports it: a name ("enter",
// "shift+tab", "pgdown", "space"…), ctrl+ a letter ("ctrl+u"), or the text
// typed ("j", "G", "/").
func Key(k string) tea.KeyPressMsg {
	if m, ok := namedKeys[k]; ok {
		return m
	}
	if len(k) == 6 && k[:5] == "ctrl+" {
		return tea.KeyPressMsg{Code: rune(k[5]), Mod: tea.ModCtrl}
	}
	return tea.KeyPressMsg{Code: []rune(k)[0], Text: k}
}

// Msgs runs cmd and returns its messages, batches unpacked, without
// feeding them to a model (nor running the commands they would lead to).
func Msgs(cmd tea.Cmd) []tea.Msg {
	if cmd == nil {
		return nil
	}
	var out []tea.Msg
	queue := []tea.Msg{cmd()}
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
		out = append(out, msg)
	}
	return out
}
