package traces

import (
	"errors"
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/tui/render"
	"github.com/telx-cli/telx/tui/styles"
)

// The search form's fields, in their order on the screen and for tab.
const (
	FieldService = iota
	FieldOperation
	FieldSince
	FieldMinDuration
	FieldMaxDuration
	FieldTags
	numFields
)

// fieldSpec is a field's label, the bounds of its input's width and
// what the hint line says of it.
type fieldSpec struct {
	label       string
	min, max    int // max 0: as wide as the line allows
	placeholder string
	hint        string
	// names are what the field completes ("services"); empty: nothing
	names string
}

var fieldSpecs = [numFields]fieldSpec{
	FieldService:     {label: "Service", min: 12, max: 32, hint: "the service whose traces to list", names: "services"},
	FieldOperation:   {label: "Operation", min: 14, max: 48, placeholder: "any", hint: "only traces with a span of this operation; empty: any", names: "operations"},
	FieldSince:       {label: "Since", min: 6, max: 6, hint: "the window, back from now: 30m, 2h, 1d"},
	FieldMinDuration: {label: "Min duration", min: 7, max: 7, placeholder: "none", hint: "only traces with a span at least this long: 100ms, 1.5s; empty: no bound"},
	FieldMaxDuration: {label: "Max duration", min: 7, max: 7, placeholder: "none", hint: "only traces with a span at most this long: 100ms, 1.5s; empty: no bound"},
	FieldTags:        {label: "Tags", min: 16, placeholder: "key=value …", hint: `key=value pairs, space-separated, "quotes" around spaces: http.response.status_code=500 db.system=postgresql`},
}

// width is the cells a field takes with an input w cells wide: its mark,
// label, a space and the input in brackets.
func (f fieldSpec) width(w int) int { return 1 + len(f.label) + 1 + 1 + w + 1 }

// cell is a field on a line of the form, with its input's width.
type cell struct{ field, w int }

// formLayout flows the fields into lines of width cells, one column
// between two fields, and gives each line's spare width to its inputs
// that can grow, in turn.
func formLayout(width int) [][]cell {
	var lines [][]cell
	var line []cell
	used := 0
	flush := func() {
		for spare := width - used; spare > 0; {
			grew := false
			for i := range line {
				f := fieldSpecs[line[i].field]
				if spare > 0 && (f.max == 0 || line[i].w < f.max) {
					line[i].w++
					spare--
					grew = true
				}
			}
			if !grew {
				break
			}
		}
		lines = append(lines, line)
		line, used = nil, 0
	}
	for i, f := range fieldSpecs {
		need := f.width(f.min)
		if len(line) > 0 {
			if used+1+need > width {
				flush()
			} else {
				need++
			}
		}
		line = append(line, cell{i, f.min})
		used += need
	}
	flush()
	return lines
}

// FormKeyMap are the search form's keys, beyond editing a field.
// NextMatch and PrevMatch cycle the names a field completes (services,
// operations).
type FormKeyMap struct {
	Next, Prev, Submit, Cancel, NextMatch, PrevMatch key.Binding
}

// DefaultFormKeyMap returns the search form's keys.
func DefaultFormKeyMap() FormKeyMap {
	return FormKeyMap{
		Next:      key.NewBinding(key.WithKeys("tab", "down"), key.WithHelp("tab/shift+tab", "field")),
		Prev:      key.NewBinding(key.WithKeys("shift+tab", "up")),
		Submit:    key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "search")),
		Cancel:    key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel")),
		NextMatch: key.NewBinding(key.WithKeys("ctrl+n"), key.WithHelp("ctrl+n/p", "cycle services, operations")),
		PrevMatch: key.NewBinding(key.WithKeys("ctrl+p")),
	}
}

// form is the search form: one text input per field.
type form struct {
	open   bool
	inputs [numFields]textinput.Model
	focus  int
	// err is the last Enter's complaint, about field errField.
	err      error
	errField int
	// comp are the completions of the fields that complete (Service,
	// Operation); opsOf is the service whose operations the Operation
	// field completes.
	comp  [numFields]completion
	opsOf string
}

// completion is what a field completes: the names it knows, and what was
// typed in it, the prefix its matches go by.
type completion struct {
	names []string
	typed string
}

// matches are the names starting with what was typed (ignoring case), or
// all of them if none does.
func (c completion) matches() []string {
	var out []string
	for _, s := range c.names {
		if strings.HasPrefix(strings.ToLower(s), strings.ToLower(c.typed)) {
			out = append(out, s)
		}
	}
	if len(out) == 0 {
		return c.names
	}
	return out
}

func newForm(color bool) form {
	var f form
	s := textinput.DefaultStyles(true)
	s.Focused.Text, s.Blurred.Text = lipgloss.NewStyle(), lipgloss.NewStyle()
	s.Focused.Prompt, s.Blurred.Prompt = lipgloss.NewStyle(), lipgloss.NewStyle()
	if !color {
		// no placeholders, whose text would read as a value
		s.Focused.Placeholder, s.Blurred.Placeholder = lipgloss.NewStyle(), lipgloss.NewStyle()
		s.Focused.Suggestion = lipgloss.NewStyle().Faint(true)
		s.Cursor.Color = nil // reverse video only
	}
	s.Cursor.Blink = false // a static cursor: no ticks while typing
	for i := range f.inputs {
		ti := textinput.New()
		ti.Prompt = ""
		if color {
			ti.Placeholder = fieldSpecs[i].placeholder
		}
		ti.SetStyles(s)
		// tab and the arrows move between fields; completion is ours
		ti.KeyMap.AcceptSuggestion = key.NewBinding()
		ti.KeyMap.NextSuggestion = key.NewBinding()
		ti.KeyMap.PrevSuggestion = key.NewBinding()
		ti.ShowSuggestions = fieldSpecs[i].names != ""
		f.inputs[i] = ti
	}
	return f
}

// fill opens the form on q, the Service field focused.
func (f *form) fill(q Query) {
	f.open, f.err = true, nil
	vals := [numFields]string{
		FieldService:   q.Service,
		FieldOperation: q.Operation,
		FieldSince:     FormatDuration(q.Lookback),
		FieldTags:      FormatTags(q.Tags),
	}
	if q.MinDuration > 0 {
		vals[FieldMinDuration] = FormatDuration(q.MinDuration)
	}
	if q.MaxDuration > 0 {
		vals[FieldMaxDuration] = FormatDuration(q.MaxDuration)
	}
	for i := range f.inputs {
		f.inputs[i].SetValue(vals[i])
		f.inputs[i].CursorStart() // a long value shows its start
		f.comp[i].typed = ""
		f.inputs[i].SetSuggestions(f.comp[i].names)
	}
	f.focusField(FieldService)
}

func (f *form) close() {
	f.open, f.err = false, nil
	for i := range f.inputs {
		f.inputs[i].Blur()
	}
}

// focusField moves the focus to field i, the cursor to its end; the
// field left shows the start of its value.
func (f *form) focusField(i int) {
	f.inputs[f.focus].Blur()
	f.inputs[f.focus].CursorStart()
	f.focus = (i + numFields) % numFields
	_ = f.inputs[f.focus].Focus() // a static cursor: no command
	f.inputs[f.focus].CursorEnd()
}

// setNames gives field i the names to complete.
func (f *form) setNames(i int, names []string) {
	c := &f.comp[i]
	c.names = make([]string, len(names))
	for j, s := range names {
		c.names[j] = sources.Sanitize(s)
	}
	f.inputs[i].SetSuggestions(c.names)
}

// setServices gives the Service field the names to complete.
func (f *form) setServices(services []string) { f.setNames(FieldService, services) }

// knows tells whether service is one the Service field completes.
func (f form) knows(service string) bool {
	return slices.Contains(f.comp[FieldService].names, service)
}

// setOperations gives the Operation field the operations of service to
// complete (none: nil).
func (f *form) setOperations(service string, ops []string) {
	f.opsOf = service
	f.setNames(FieldOperation, ops)
}

// setWidth sizes the inputs for a pane width cells wide.
func (f *form) setWidth(width int) {
	for _, line := range formLayout(width) {
		for _, c := range line {
			// an input draws one cell more than its width, for the cursor
			f.inputs[c.field].SetWidth(max(1, c.w-1))
		}
	}
}

// value returns a field's text.
func (f form) value(i int) string { return f.inputs[i].Value() }

// query reads the fields into a query, or tells which field is wrong.
func (f form) query() (Query, int, error) {
	var q Query
	var err error
	q.Service = strings.TrimSpace(f.value(FieldService))
	if q.Service == "" {
		return q, FieldService, errors.New("needs a service name")
	}
	q.Operation = strings.TrimSpace(f.value(FieldOperation))
	if q.Lookback, err = ParseLookback(f.value(FieldSince)); err != nil {
		return q, FieldSince, err
	}
	if q.MinDuration, err = ParseBound(f.value(FieldMinDuration)); err != nil {
		return q, FieldMinDuration, err
	}
	if q.MaxDuration, err = ParseBound(f.value(FieldMaxDuration)); err != nil {
		return q, FieldMaxDuration, err
	}
	if q.Check() != nil {
		return q, FieldMaxDuration, errors.New("is less than the min duration (" + FormatDuration(q.MinDuration) + ")")
	}
	if q.Tags, err = ParseTags(f.value(FieldTags)); err != nil {
		return q, FieldTags, err
	}
	return q, 0, nil
}

// cycle puts the next (dir 1) or previous (dir -1) match in the focused
// field, if it completes.
func (f *form) cycle(dir int) {
	cands := f.comp[f.focus].matches()
	if len(cands) == 0 {
		return
	}
	i := -1
	for j, s := range cands {
		if s == f.value(f.focus) {
			i = j
		}
	}
	switch {
	case i < 0 && dir > 0:
		i = 0
	case i < 0:
		i = len(cands) - 1
	default:
		i = (i + dir + len(cands)) % len(cands)
	}
	f.put(f.focus, cands[i])
}

// put sets field i to the name s.
func (f *form) put(i int, s string) {
	in := &f.inputs[i]
	in.SetValue(s)
	in.CursorEnd()
	in.SetSuggestions(f.comp[i].names) // matches the new value
}

// complete puts the shown completion of field i in it.
func (f *form) complete(i int) {
	in := &f.inputs[i]
	if s := in.CurrentSuggestion(); s != "" && in.Value() != "" && len(s) > len(in.Value()) &&
		strings.HasPrefix(strings.ToLower(s), strings.ToLower(in.Value())) {
		f.put(i, s)
		f.comp[i].typed = s
	}
}

// key handles a key while the form is open. It returns the query to
// search when Enter found every field good.
func (f *form) key(km FormKeyMap, k tea.KeyPressMsg) (q *Query, cmd tea.Cmd) {
	switch {
	case key.Matches(k, km.Cancel):
		f.close()
	case key.Matches(k, km.Submit):
		got, field, err := f.query()
		if err != nil {
			f.err, f.errField = err, field
			f.focusField(field)
			return nil, nil
		}
		f.close()
		return &got, nil
	case key.Matches(k, km.Next):
		if k.String() == "tab" {
			f.complete(f.focus)
		}
		f.focusField(f.focus + 1)
	case key.Matches(k, km.Prev):
		f.focusField(f.focus - 1)
	case fieldSpecs[f.focus].names != "" && key.Matches(k, km.NextMatch):
		f.cycle(1)
	case fieldSpecs[f.focus].names != "" && key.Matches(k, km.PrevMatch):
		f.cycle(-1)
	default:
		before := f.value(f.focus)
		f.inputs[f.focus], cmd = f.inputs[f.focus].Update(k)
		f.edited(before)
	}
	return nil, cmd
}

// paste puts pasted text in the focused field.
func (f *form) paste(p tea.PasteMsg) tea.Cmd {
	before := f.value(f.focus)
	var cmd tea.Cmd
	f.inputs[f.focus], cmd = f.inputs[f.focus].Update(p)
	f.edited(before)
	return cmd
}

// edited notes a change of the focused field: what it completes, and an
// error about the field is forgotten.
func (f *form) edited(before string) {
	now := f.value(f.focus)
	if now == before {
		return
	}
	f.comp[f.focus].typed = now
	if f.err != nil && f.errField == f.focus {
		f.err = nil
	}
}

// lines draws the form at most height lines high in width cells: its
// fields' lines, then a line of hint or error. Short of height, the
// focused field's line comes first.
func (f form) lines(st *styles.Styles, width, height int) []string {
	layout := formLayout(width)
	var out []string
	at := 0
	for i, line := range layout {
		var b strings.Builder
		for j, c := range line {
			if j > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(f.cell(st, c))
			if c.field == f.focus {
				at = i
			}
		}
		out = append(out, render.Fit(b.String(), width))
	}
	out = append(out, render.Fit(f.hint(st), width))
	if len(out) > height {
		out = out[min(at, max(0, len(out)-height)):]
		out = out[:max(0, height)]
	}
	return out
}

// height is how many lines the form takes in a pane of width and height.
func formHeight(width, height int) int { return min(height, len(formLayout(width))+1) }

func (f form) cell(st *styles.Styles, c cell) string {
	spec := fieldSpecs[c.field]
	mark, label := " ", st.Dim.Apply(spec.label)
	if c.field == f.focus {
		mark, label = "▶", st.Bold.Apply(spec.label)
	}
	if f.err != nil && c.field == f.errField {
		mark = st.Error.Apply(render.MarkError)
	}
	return mark + label + " " + st.Dim.Apply("[") + fitInput(f.inputs[c.field].View(), c.w) + st.Dim.Apply("]")
}

// fitInput cuts or pads an input's view to w cells, without the ellipsis
// of a cut line: a completion longer than the input is cut short.
func fitInput(v string, w int) string {
	return render.Fit(ansi.Truncate(v, w, ""), w)
}

// hint is the form's last line: the error of the last Enter, else what
// the focused field takes (for Service and Operation, the names it
// completes).
func (f form) hint(st *styles.Styles) string {
	if f.err != nil {
		return st.Error.Apply(render.MarkError + " " + fieldSpecs[f.errField].label + " " + sources.Sanitize(f.err.Error()))
	}
	if c := f.comp[f.focus]; len(c.names) > 0 {
		cands := c.matches()
		head := fieldSpecs[f.focus].names
		if f.focus == FieldOperation {
			head += " of " + sources.Sanitize(f.opsOf)
		}
		if len(cands) < len(c.names) {
			head += " starting " + sources.Sanitize(c.typed)
		}
		return " " + st.Dim.Apply(head+" (tab completes): ") + strings.Join(cands, " · ")
	}
	return " " + st.Dim.Apply(fieldSpecs[f.focus].hint)
}
