// Package alerts is the explorer's alerts list: each alert's state
// (firing or pending, and from Alertmanager active, silenced with the
// silences' IDs, or inhibited), the evidence of the chosen alert (its
// rule's series with the threshold, its service's logs and traces, one of
// which opens in the waterfall), a silence form filled with its labels
// that creates the silence only once confirmed, and the expiry of the
// silences muting it, confirmed too.
package alerts

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/sources/explain"
	"github.com/telx-cli/telx/tui/pane"
	"github.com/telx-cli/telx/tui/styles"
)

// Options configure the list.
type Options struct {
	Styles   *styles.Styles
	Location *time.Location
	Now      func() time.Time
	// AlertManager creates and expires silences; nil: none is configured.
	AlertManager sources.AlertManager
	// Evidence are the backends an alert's evidence is asked of.
	Evidence explain.Sources
	// ServiceLabels name an alert's service (explain.DefaultServiceLabels).
	ServiceLabels []string
	// Author signs the silences (the context's author, or the user).
	Author string
	// Timeout bounds each call.
	Timeout time.Duration
	// Duration is the silence form's first duration (default 2h).
	Duration string
}

// Messages to the explorer.
type (
	// ServiceMsg asks for the traces of an alert's service, over a window
	// reaching back to Since.
	ServiceMsg struct {
		Service string
		Since   time.Time
	}
	// OpenTraceMsg asks to open a trace of the evidence in the waterfall.
	OpenTraceMsg struct{ TraceID sources.TraceID }
	// ReloadMsg asks to list the alerts again (a silence changed).
	ReloadMsg struct{}
	// NoticeMsg is a word for the status bar.
	NoticeMsg struct {
		Text string
		Err  bool
	}
)

// the list's modes
type mode int

const (
	modeList mode = iota
	modeEvidence
	modeForm
	modeConfirm // a silence, before it is created
	modeExpire  // the silences to expire, before they are
)

// KeyMap are the list's keys.
type KeyMap struct {
	Up, Down, Explain, Traces, Silence, Expire key.Binding
}

// DefaultKeyMap returns the list's keys.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Up:      key.NewBinding(key.WithKeys("k", "up"), key.WithHelp("j/k", "choose")),
		Down:    key.NewBinding(key.WithKeys("j", "down")),
		Explain: key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "evidence")),
		Traces:  key.NewBinding(key.WithKeys("t"), key.WithHelp("t", "its service's traces")),
		Silence: key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "silence")),
		Expire:  key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "expire its silences")),
	}
}

// Model is the alerts list.
type Model struct {
	KeyMap KeyMap

	id            int
	o             Options
	st            *styles.Styles
	width, height int

	alerts  []explain.Alert
	loaded  bool
	warning string
	sel     int
	mode    mode

	// the evidence of the chosen alert
	ev       *explain.Evidence
	evFor    string // its fingerprint
	evSeq    int
	evSel    int
	evScroll int
	evFollow bool // the scroll follows the chosen trace (j/k), not the pages

	form    form
	expire  []string // the silences to expire
	working string   // what is being asked of Alertmanager
	result  string   // what the last silence or expiry did
}

// New returns the list.
func New(o Options) Model {
	if o.Styles == nil {
		o.Styles = styles.New(false)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Timeout <= 0 {
		o.Timeout = 30 * time.Second
	}
	if o.Duration == "" {
		o.Duration = "2h"
	}
	if len(o.ServiceLabels) == 0 {
		o.ServiceLabels = explain.DefaultServiceLabels
	}
	return Model{KeyMap: DefaultKeyMap(), id: pane.NextID(), o: o, st: o.Styles}
}

// ID tells the list's answers from the others'.
func (m Model) ID() int { return m.id }

// SetSize sets the box the list is drawn in.
func (m *Model) SetSize(w, h int) { m.width, m.height = w, h }

// Capturing tells whether the list takes every key (the evidence, the
// form or a confirmation is open): esc then goes back to the list.
func (m Model) Capturing() bool { return m.mode != modeList }

// Alerts are the listed alerts in the list's order: firing, then
// pending, the most severe first.
func (m Model) Alerts() []explain.Alert { return m.alerts }

// Chosen is the chosen alert, or nil.
func (m Model) Chosen() *explain.Alert {
	if m.sel < len(m.alerts) {
		return &m.alerts[m.sel]
	}
	return nil
}

// Firing counts the firing alerts that are not silenced or inhibited.
func (m Model) Firing() int {
	n := 0
	for _, a := range m.alerts {
		if a.State == "firing" && (a.Status == "" || a.Status == sources.AlertActive) {
			n++
		}
	}
	return n
}

// Warning is what went wrong with the last load (Alertmanager
// unreachable, say), or "".
func (m Model) Warning() string { return m.warning }

// Set lists alerts, the choice staying on the same alert when it is still
// there.
func (m *Model) Set(alerts []explain.Alert, warning string) {
	var chosen string
	if c := m.Chosen(); c != nil {
		chosen = c.Fingerprint
	}
	m.alerts = order(alerts)
	m.loaded = true
	m.warning = sources.Sanitize(warning)
	for i, a := range m.alerts {
		if a.Fingerprint == chosen {
			m.sel = i
			return
		}
	}
	m.sel = min(m.sel, max(0, len(m.alerts)-1))
}

// order sorts alerts: firing, then pending; within each the most severe
// first, else in the sources' order.
func order(in []explain.Alert) []explain.Alert {
	var out []explain.Alert
	for _, state := range []string{"firing", "pending"} {
		from := len(out)
		for _, a := range in {
			if a.State == state {
				out = append(out, a)
			}
		}
		slices.SortStableFunc(out[from:], func(a, b explain.Alert) int {
			return severityRank(a.Labels["severity"]) - severityRank(b.Labels["severity"])
		})
	}
	return out
}

// severityRank orders the usual values of an alert's severity label.
func severityRank(s string) int {
	switch strings.ToLower(s) {
	case "critical", "page", "error", "high":
		return 0
	case "warning", "warn", "medium":
		return 1
	}
	return 2
}

// Load asks for the alerts: Prometheus' (ms), and Alertmanager's in
// every state when am is set, to merge (explain.Merge); with Alertmanager
// unreachable while Prometheus answers, Prometheus' with a warning (and
// the other way round). The error is when neither answered.
func Load(ctx context.Context, am sources.AlertManager, ms sources.MetricSource) (prom []sources.Alert, managed []sources.ManagedAlert, warning string, err error) {
	var promErr error
	if ms != nil {
		prom, promErr = ms.Alerts(ctx)
	}
	if am == nil {
		return prom, nil, "", promErr
	}
	managed, amErr := am.ManagedAlerts(ctx, sources.AlertFilter{Active: true, Silenced: true, Inhibited: true, Unprocessed: true})
	switch {
	case amErr != nil && (promErr != nil || ms == nil):
		return nil, nil, "", errors.Join(amErr, promErr)
	case amErr != nil:
		return prom, nil, "the alerts are Prometheus': Alertmanager failed: " + firstLine(amErr), nil
	case promErr != nil:
		return nil, managed, "no pending alerts: Prometheus failed: " + firstLine(promErr), nil
	}
	return prom, managed, "", nil
}

func firstLine(err error) string {
	s, _, _ := strings.Cut(err.Error(), "\n")
	return sources.Sanitize(pane.OneLine(s))
}

// answers from the backends, carrying the list's ID
type (
	evidenceMsg struct {
		id, seq int
		ev      *explain.Evidence
	}
	silencedMsg struct {
		id  int
		sid string
		err error
	}
	expiredMsg struct {
		id  int
		ids []string
		err error
	}
)

// Update handles keys (while the list is open) and the list's answers.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	switch msg := msg.(type) {
	case evidenceMsg:
		if msg.id == m.id && msg.seq == m.evSeq {
			if m.ev == nil {
				m.evSel, m.evScroll = 0, 0
			}
			m.ev = msg.ev
			m.evSel = min(m.evSel, max(0, len(m.ev.Traces())-1))
		}
		return m, nil
	case silencedMsg:
		if msg.id != m.id {
			return m, nil
		}
		m.working = ""
		if msg.err != nil {
			m.mode = modeForm
			m.form.err = firstLine(msg.err)
			return m, nil
		}
		m.mode = modeList
		m.result = "created silence " + sources.Sanitize(msg.sid)
		return m, tea.Batch(notice(m.result, false), reload)
	case expiredMsg:
		if msg.id != m.id {
			return m, nil
		}
		m.working = ""
		m.mode = modeList
		if msg.err != nil {
			m.result = "expiring: " + firstLine(msg.err)
			return m, tea.Batch(notice(m.result, true), reload)
		}
		m.result = "expired silence " + sources.Sanitize(strings.Join(msg.ids, ", "))
		return m, tea.Batch(notice(m.result, false), reload)
	case tea.PasteMsg:
		if m.mode == modeForm {
			return m, m.form.update(msg)
		}
	case tea.KeyPressMsg:
		return m.key(msg)
	}
	return m, nil
}

func reload() tea.Msg { return ReloadMsg{} }

func notice(s string, isErr bool) tea.Cmd {
	return func() tea.Msg { return NoticeMsg{Text: s, Err: isErr} }
}

func (m Model) key(k tea.KeyPressMsg) (Model, tea.Cmd) {
	switch m.mode {
	case modeEvidence:
		return m.evidenceKey(k)
	case modeForm:
		return m.formKey(k)
	case modeConfirm:
		switch k.String() {
		case "y", "Y":
			return m, m.createSilence()
		case "n", "N", "esc":
			m.mode = modeForm
		}
		return m, nil
	case modeExpire:
		switch k.String() {
		case "y", "Y":
			return m, m.expireSilences()
		case "n", "N", "esc":
			m.mode = modeList
		}
		return m, nil
	}
	m.result = ""
	switch {
	case key.Matches(k, m.KeyMap.Down):
		m.sel = min(m.sel+1, max(0, len(m.alerts)-1))
	case key.Matches(k, m.KeyMap.Up):
		m.sel = max(m.sel-1, 0)
	case key.Matches(k, m.KeyMap.Explain):
		return m, m.explain()
	case key.Matches(k, m.KeyMap.Traces):
		a := m.Chosen()
		if a == nil {
			return m, nil
		}
		svc, _ := a.Service(m.o.ServiceLabels)
		if svc == "" {
			return m, notice("alert "+sources.Sanitize(a.Name)+" names no service (labels "+strings.Join(m.o.ServiceLabels, ", ")+")", true)
		}
		return m, func() tea.Msg { return ServiceMsg{Service: svc, Since: a.Since()} }
	case key.Matches(k, m.KeyMap.Silence):
		a := m.Chosen()
		switch {
		case a == nil:
		case m.o.AlertManager == nil:
			return m, notice("silences need an Alertmanager: give --alertmanager, set TELX_ALERTMANAGER_URL, or add one to the context", true)
		default:
			m.form = newForm(*a, m.o.Duration, m.o.Author, m.o.Styles.Color)
			m.mode = modeForm
		}
	case key.Matches(k, m.KeyMap.Expire):
		a := m.Chosen()
		switch {
		case a == nil:
		case m.o.AlertManager == nil:
			return m, notice("silences need an Alertmanager: give --alertmanager, set TELX_ALERTMANAGER_URL, or add one to the context", true)
		case len(a.SilencedBy) == 0:
			return m, notice("alert "+sources.Sanitize(a.Name)+" is not silenced", true)
		default:
			m.expire = append([]string{}, a.SilencedBy...)
			m.mode = modeExpire
		}
	}
	return m, nil
}

// explain opens the chosen alert's evidence, asking for it.
func (m *Model) explain() tea.Cmd {
	a := m.Chosen()
	if a == nil {
		return nil
	}
	m.mode = modeEvidence
	if m.evFor != a.Fingerprint {
		m.ev, m.evFor = nil, a.Fingerprint
	} // else the last evidence shows until the new one comes
	m.evSeq++
	id, seq, src, timeout := m.id, m.evSeq, m.o.Evidence, m.o.Timeout
	opts := explain.Options{ServiceLabels: m.o.ServiceLabels, Now: m.o.Now()}
	alert := *a
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		return evidenceMsg{id, seq, explain.Gather(ctx, src, alert, opts)}
	}
}

func (m Model) evidenceKey(k tea.KeyPressMsg) (Model, tea.Cmd) {
	var traces []*sources.Trace
	if m.ev != nil {
		traces = m.ev.Traces()
	}
	switch k.String() {
	case "esc", "q", "backspace":
		m.mode = modeList
	case "j", "down":
		m.evSel = min(m.evSel+1, max(0, len(traces)-1))
		m.evFollow = true
	case "k", "up":
		m.evSel = max(m.evSel-1, 0)
		m.evFollow = true
	case "pgdown", "space", "f":
		m.evScroll += max(1, m.height-4)
		m.evFollow = false
	case "pgup", "b":
		m.evScroll = max(0, m.evScroll-max(1, m.height-4))
		m.evFollow = false
	case "g", "home":
		m.evScroll, m.evFollow = 0, false
	case "enter":
		if m.evSel < len(traces) {
			id := traces[m.evSel].ID
			m.mode = modeList
			return m, func() tea.Msg { return OpenTraceMsg{TraceID: id} }
		}
	case "s":
		m.mode = modeList
		return m.key(tea.KeyPressMsg{Code: 's', Text: "s"})
	}
	m.evScroll = max(0, m.evScroll)
	return m, nil
}

// createSilence creates the form's silence (confirmed).
func (m *Model) createSilence() tea.Cmd {
	s, err := m.form.silence(m.o.Now())
	if err != nil {
		m.mode = modeForm
		m.form.err = err.Error()
		return nil
	}
	m.working = "creating the silence…"
	id, am, timeout := m.id, m.o.AlertManager, m.o.Timeout
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		sid, err := am.PutSilence(ctx, s)
		return silencedMsg{id, sid, err}
	}
}

// expireSilences expires the silences muting the chosen alert
// (confirmed).
func (m *Model) expireSilences() tea.Cmd {
	m.working = "expiring…"
	id, am, timeout, ids := m.id, m.o.AlertManager, m.o.Timeout, m.expire
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		var errs []error
		var done []string
		for _, sid := range ids {
			if err := am.ExpireSilence(ctx, sid); err != nil {
				errs = append(errs, err)
				continue
			}
			done = append(done, sid)
		}
		return expiredMsg{id, done, errors.Join(errs...)}
	}
}

// ShortHelp are the keys of the list, or of what is open in it.
func (m Model) ShortHelp() []key.Binding {
	b := func(k, h string) key.Binding { return key.NewBinding(key.WithKeys(k), key.WithHelp(k, h)) }
	switch m.mode {
	case modeEvidence:
		return []key.Binding{b("j/k", "choose a trace"), b("enter", "open it"), b("pgdn/pgup", "scroll"), b("s", "silence"), b("esc", "back")}
	case modeForm:
		return []key.Binding{b("tab", "next field"), b("enter", "review"), b("esc", "cancel")}
	case modeConfirm:
		return []key.Binding{b("y", "create the silence"), b("n/esc", "back to the form")}
	case modeExpire:
		return []key.Binding{b("y", "expire"), b("n/esc", "keep")}
	}
	return []key.Binding{m.KeyMap.Up, m.KeyMap.Explain, m.KeyMap.Traces, m.KeyMap.Silence, m.KeyMap.Expire, b("a/esc", "close")}
}

// FullHelp is ShortHelp in one column.
func (m Model) FullHelp() [][]key.Binding { return [][]key.Binding{m.ShortHelp()} }
