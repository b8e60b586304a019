package alerts

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/prometheus/common/model"

	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/sources/explain"
)

// the silence form's fields
const (
	fieldMatchers = iota
	fieldDuration
	fieldComment
	numFields
)

var fieldNames = [numFields]string{"matchers", "duration", "comment"}

// form is the silence form: matchers (filled with the alert's labels),
// duration and comment; the author is the context's, or the user's.
type form struct {
	inputs [numFields]textinput.Model
	focus  int
	author string
	alert  string // the alert's name, for the title
	err    string // what is wrong, or what Alertmanager said
}

func newForm(a explain.Alert, duration, author string, color bool) form {
	f := form{author: author, alert: a.Name}
	s := textinput.DefaultStyles(true)
	s.Focused.Text, s.Blurred.Text = lipgloss.NewStyle(), lipgloss.NewStyle()
	s.Focused.Prompt, s.Blurred.Prompt = lipgloss.NewStyle(), lipgloss.NewStyle()
	if !color {
		s.Focused.Placeholder, s.Blurred.Placeholder = lipgloss.NewStyle(), lipgloss.NewStyle()
		s.Cursor.Color = nil
	}
	s.Cursor.Blink = false
	for i := range f.inputs {
		ti := textinput.New()
		ti.Prompt = ""
		ti.SetStyles(s)
		ti.CharLimit = 4096
		f.inputs[i] = ti
	}
	f.inputs[fieldMatchers].SetValue(alertMatchers(a.Labels))
	f.inputs[fieldDuration].SetValue(duration)
	_ = f.inputs[fieldMatchers].Focus()
	return f
}

// alertMatchers writes an alert's labels as matchers, alertname first.
func alertMatchers(labels map[string]string) string {
	keys := make([]string, 0, len(labels))
	for k := range labels {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if (keys[i] == "alertname") != (keys[j] == "alertname") {
			return keys[i] == "alertname"
		}
		return keys[i] < keys[j]
	})
	ms := make([]sources.Matcher, len(keys))
	for i, k := range keys {
		ms[i] = sources.Matcher{Name: k, Op: sources.MatchEqual, Value: labels[k]}
	}
	return sources.FormatMatchers(ms, ", ")
}

// matchers reads the matchers field.
func (f form) matchers() ([]sources.Matcher, error) {
	v := strings.TrimSpace(f.inputs[fieldMatchers].Value())
	if v == "" {
		return nil, errors.New("a silence needs matchers")
	}
	return sources.ParseMatchers([]string{v})
}

// silence is the silence the form describes, from now; an error says
// what is wrong with a field.
func (f form) silence(now time.Time) (sources.Silence, error) {
	ms, err := f.matchers()
	if err != nil {
		return sources.Silence{}, err
	}
	if allEmptyMatching(ms) {
		return sources.Silence{}, errors.New("these matchers all match the empty string: Alertmanager refuses such a silence")
	}
	dv := strings.TrimSpace(f.inputs[fieldDuration].Value())
	d, err := model.ParseDuration(dv)
	if err != nil || d <= 0 {
		return sources.Silence{}, fmt.Errorf("duration %q: want a positive duration such as 2h, 90m or 1d", dv)
	}
	comment := strings.TrimSpace(f.inputs[fieldComment].Value())
	if comment == "" {
		return sources.Silence{}, errors.New("a silence needs a comment: who reads it later wants to know why")
	}
	return sources.Silence{Matchers: ms, StartsAt: now, EndsAt: now.Add(time.Duration(d)), CreatedBy: f.author, Comment: comment}, nil
}

func allEmptyMatching(ms []sources.Matcher) bool {
	for _, m := range ms {
		if !m.Matches("") {
			return false
		}
	}
	return true
}

// matching counts the alerts the form's matchers select (-1 while they
// do not parse).
func (f form) matching(alerts []explain.Alert) int {
	ms, err := f.matchers()
	if err != nil {
		return -1
	}
	n := 0
	for _, a := range alerts {
		if sources.MatchersMatch(ms, a.Labels) {
			n++
		}
	}
	return n
}

func (f *form) move(d int) {
	f.inputs[f.focus].Blur()
	f.focus = (f.focus + d + numFields) % numFields
	_ = f.inputs[f.focus].Focus()
}

// update gives a key or pasted text to the focused field.
func (f *form) update(msg tea.Msg) tea.Cmd {
	var cmd tea.Cmd
	f.inputs[f.focus], cmd = f.inputs[f.focus].Update(msg)
	return cmd
}

var (
	nextField = key.NewBinding(key.WithKeys("tab", "down"))
	prevField = key.NewBinding(key.WithKeys("shift+tab", "up"))
)

func (m Model) formKey(k tea.KeyPressMsg) (Model, tea.Cmd) {
	switch {
	case k.String() == "esc":
		m.mode = modeList
		return m, nil
	case key.Matches(k, nextField):
		m.form.move(1)
		return m, nil
	case key.Matches(k, prevField):
		m.form.move(-1)
		return m, nil
	case k.String() == "enter":
		if _, err := m.form.silence(m.o.Now()); err != nil {
			m.form.err = err.Error()
			return m, nil
		}
		m.form.err = ""
		m.mode = modeConfirm
		return m, nil
	}
	m.form.err = ""
	return m, m.form.update(k)
}
