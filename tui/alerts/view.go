package alerts

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/sources/explain"
	"github.com/telx-cli/telx/tui/render"
)

func (m Model) location() *time.Location {
	if m.o.Location != nil {
		return m.o.Location
	}
	return time.Local
}

// Lines draws what is open, in height lines at most.
func (m Model) Lines(height int) []string {
	var lines []string
	switch m.mode {
	case modeEvidence:
		lines = m.evidenceLines(height)
	case modeForm:
		lines = m.formLines()
	case modeConfirm:
		lines = m.confirmLines()
	case modeExpire:
		lines = m.expireLines()
	default:
		lines = m.listLines(height)
	}
	for i, l := range lines {
		if ansi.StringWidth(l) > m.width && m.width > 0 {
			lines[i] = ansi.Truncate(l, m.width-1, "") + "…"
		}
	}
	if len(lines) > height {
		lines = lines[:height]
	}
	return lines
}

// statusText is an alert's Alertmanager state, for the list.
func (m Model) statusText(a explain.Alert) string {
	switch a.Status {
	case sources.AlertSilenced:
		return m.st.Dim.Apply(" · silenced by " + sources.Sanitize(strings.Join(a.SilencedBy, ", ")))
	case sources.AlertInhibited:
		return m.st.Dim.Apply(" · inhibited")
	case sources.AlertActive:
		return m.st.Dim.Apply(" · active")
	case "":
		return ""
	}
	return m.st.Dim.Apply(" · " + sources.Sanitize(a.Status))
}

// listLines lists the alerts, firing first, the chosen one marked; the
// list scrolls to show the chosen alert whole. An alert's labels go on a
// line of their own when they do not fit beside its name.
func (m Model) listLines(height int) []string {
	lines := []string{m.st.Bold.Apply("Alerts") + " " + m.st.Dim.Apply("(enter evidence, t traces, s silence, x expire; esc closes)")}
	if m.warning != "" {
		lines = append(lines, m.st.Warn.Apply("! "+m.warning))
	}
	if m.result != "" {
		lines = append(lines, m.st.Info.Apply(m.result))
	}
	lines = append(lines, "")
	if len(m.alerts) == 0 {
		if !m.loaded {
			return append(lines, m.st.Dim.Apply("Loading the alerts…"))
		}
		return append(lines, m.st.Dim.Apply("No active alerts."))
	}
	var list []string
	chosenEnd := 0
	for i, a := range m.alerts {
		mark := m.st.Warn.Apply("◌ pending")
		if a.State == "firing" {
			mark = m.st.Error.Apply(render.MarkError + " firing ")
		}
		sel := "  "
		if i == m.sel {
			sel = "▶ "
		}
		head := sel + mark + " " + m.st.Bold.Apply(sources.Sanitize(a.Name))
		since := ""
		if t := a.Since(); !t.IsZero() {
			since = m.st.Dim.Apply(" since " + t.In(m.location()).Format("15:04:05"))
		}
		since += m.statusText(a)
		labels := render.AlertLabels(a.Labels)
		lbl := m.st.Dim.Apply(labels)
		if line := head + " " + lbl + since; ansi.StringWidth(line) <= m.width || labels == "" {
			list = append(list, line)
		} else {
			list = append(list, head+since, "    "+lbl)
		}
		if s := a.Annotations["summary"]; s != "" {
			list = append(list, "    "+sources.Sanitize(s))
		}
		if i == m.sel {
			chosenEnd = len(list)
		}
	}
	if over := chosenEnd - (height - len(lines)); over > 0 {
		list = list[over:]
	}
	return append(lines, list...)
}

func (m Model) evidenceLines(height int) []string {
	a := m.Chosen()
	name := ""
	if a != nil {
		name = sources.Sanitize(a.Name)
	}
	if m.ev == nil {
		return []string{m.st.Bold.Apply("Evidence of "+name) + " " + m.st.Dim.Apply("(esc: back)"), "", m.st.Dim.Apply("Gathering the rule's series, the service's logs and traces…")}
	}
	head := m.st.Bold.Apply("Evidence") + " " + m.st.Dim.Apply("(j/k choose a trace, enter opens it in the waterfall, pgdn/pgup scroll, s: silence, esc: back)")
	body, traceLines := render.Evidence(m.ev, render.EvidenceOptions{Width: m.width, Styles: m.st, Location: m.location(), Now: m.o.Now(), Selected: m.evSel})
	room := max(1, height-1)
	scroll := m.evScroll
	if m.evFollow && m.evSel < len(traceLines) {
		at := traceLines[m.evSel]
		if at < scroll {
			scroll = at
		} else if at >= scroll+room {
			scroll = at - room + 1
		}
	}
	scroll = max(0, min(scroll, len(body)-room))
	return append([]string{head}, body[scroll:]...)
}

func (m Model) field(i int, label string) string {
	mark := "  "
	if m.form.focus == i {
		mark = m.st.Bold.Apply("▶ ")
	}
	return mark + m.st.Header.Apply(fmt.Sprintf("%-9s", label)) + " " + m.form.inputs[i].View()
}

func (m Model) formLines() []string {
	f := &m.form
	w := max(10, m.width-14)
	for i := range f.inputs {
		f.inputs[i].SetWidth(w)
	}
	lines := []string{
		m.st.Bold.Apply("Silence "+sources.Sanitize(f.alert)) + " " + m.st.Dim.Apply("(tab: next field, enter: review, esc: cancel)"),
		"",
		m.field(fieldMatchers, fieldNames[fieldMatchers]),
		m.field(fieldDuration, fieldNames[fieldDuration]),
		m.field(fieldComment, fieldNames[fieldComment]),
		"  " + m.st.Header.Apply(fmt.Sprintf("%-9s", "author")) + " " + sources.Sanitize(f.author),
		"",
	}
	switch n := f.matching(m.alerts); {
	case n < 0:
		lines = append(lines, m.st.Dim.Apply("  the matchers do not parse yet"))
	default:
		lines = append(lines, fmt.Sprintf("  it would silence %s of the %d listed now", countAlerts(n), len(m.alerts)))
	}
	if f.err != "" {
		lines = append(lines, "", m.st.Error.Apply(render.MarkError+" "+sources.Sanitize(f.err)))
	}
	lines = append(lines, "", m.st.Dim.Apply("  matchers as amtool writes them: name=\"value\", name!=\"value\", name=~\"regex\", name!~\"regex\", separated by commas"))
	return lines
}

func (m Model) confirmLines() []string {
	now := m.o.Now()
	s, err := m.form.silence(now)
	if err != nil {
		return []string{m.st.Error.Apply(render.MarkError + " " + sources.Sanitize(err.Error()))}
	}
	loc := m.location()
	lines := []string{
		m.st.Bold.Apply("Create this silence?"),
		"",
		"  matchers    " + sources.Sanitize(sources.FormatMatchers(s.Matchers, " ")),
		"  from        " + s.StartsAt.In(loc).Format("2006-01-02 15:04:05"),
		"  until       " + s.EndsAt.In(loc).Format("2006-01-02 15:04:05") + " (" + strings.TrimSpace(m.form.inputs[fieldDuration].Value()) + ")",
		"  created by  " + sources.Sanitize(s.CreatedBy),
		"  comment     " + sources.Sanitize(s.Comment),
		"",
	}
	var matched []explain.Alert
	for _, a := range m.alerts {
		if sources.MatchersMatch(s.Matchers, a.Labels) {
			matched = append(matched, a)
		}
	}
	lines = append(lines, fmt.Sprintf("  it silences %s of the %d listed now%s", countAlerts(len(matched)), len(m.alerts), colon(len(matched) > 0)))
	for _, a := range matched {
		lines = append(lines, "    "+sources.Sanitize(a.Name)+" "+m.st.Dim.Apply(render.AlertLabels(a.Labels)))
	}
	lines = append(lines, "")
	if m.working != "" {
		return append(lines, m.st.Dim.Apply("  "+m.working))
	}
	return append(lines, "  "+m.st.Bold.Apply("y")+": create it · "+m.st.Bold.Apply("n")+" or esc: back to the form")
}

func (m Model) expireLines() []string {
	name := ""
	if a := m.Chosen(); a != nil {
		name = sources.Sanitize(a.Name)
	}
	lines := []string{m.st.Bold.Apply("Expire the silences of " + name + "?"), ""}
	for _, id := range m.expire {
		lines = append(lines, "  "+sources.Sanitize(id))
	}
	lines = append(lines, "")
	if m.working != "" {
		return append(lines, m.st.Dim.Apply("  "+m.working))
	}
	return append(lines, "  "+m.st.Bold.Apply("y")+": expire "+pluralIt(len(m.expire))+" now · "+m.st.Bold.Apply("n")+" or esc: keep "+pluralIt(len(m.expire)))
}

func pluralIt(n int) string {
	if n == 1 {
		return "it"
	}
	return "them"
}

func countAlerts(n int) string {
	if n == 1 {
		return "1 alert"
	}
	return fmt.Sprintf("%d alerts", n)
}

func colon(b bool) string {
	if b {
		return ":"
	}
	return ""
}
