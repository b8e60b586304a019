package alerts

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/telx-cli/telx/internal/golden"
	"github.com/telx-cli/telx/internal/teasync"
	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/sources/explain"
	"github.com/telx-cli/telx/tui/internal/tracetest"
	"github.com/telx-cli/telx/tui/styles"
)

var now = time.Date(2026, 1, 15, 9, 0, 0, 0, time.UTC)

// recordingAM records the silences asked for; put answers with putErr.
// (The real Alertmanager is driven in test/alerting.)
type recordingAM struct {
	puts    []sources.Silence
	expired []string
	putErr  error
}

func (r *recordingAM) ManagedAlerts(context.Context, sources.AlertFilter) ([]sources.ManagedAlert, error) {
	return nil, errors.New("not asked here")
}
func (r *recordingAM) AlertGroups(context.Context, sources.AlertFilter) ([]sources.AlertGroup, error) {
	return nil, errors.New("not asked here")
}
func (r *recordingAM) Silences(context.Context, []sources.Matcher) ([]sources.Silence, error) {
	return nil, errors.New("not asked here")
}
func (r *recordingAM) Silence(context.Context, string) (*sources.Silence, error) {
	return nil, errors.New("not asked here")
}
func (r *recordingAM) PutSilence(_ context.Context, s sources.Silence) (string, error) {
	if r.putErr != nil {
		return "", r.putErr
	}
	r.puts = append(r.puts, s)
	return "0b5e6f4c-7d1a-4e2b-9c3d-5a6b7c8d9e0f", nil
}
func (r *recordingAM) ExpireSilence(_ context.Context, id string) error {
	r.expired = append(r.expired, id)
	return nil
}

func testAlerts() []explain.Alert {
	return explain.Merge([]sources.Alert{
		{Name: "PaymentsLatencyHigh", State: "pending", Labels: map[string]string{"alertname": "PaymentsLatencyHigh", "service_name": "payments", "severity": "warning"}, ActiveAt: now.Add(-4 * time.Minute)},
		{Name: "HighErrorRate", State: "firing", Labels: map[string]string{"alertname": "HighErrorRate", "service_name": "payments", "severity": "page"},
			Annotations: map[string]string{"summary": "payments fails 31% of charges"}, ActiveAt: now.Add(-12 * time.Minute)},
	}, []sources.ManagedAlert{
		{Name: "HighErrorRate", State: "active", Labels: map[string]string{"alertname": "HighErrorRate", "service_name": "payments", "severity": "page"},
			Annotations: map[string]string{"summary": "payments fails 31% of charges"}, StartsAt: now.Add(-10 * time.Minute)},
		{Name: "HighErrorRate", State: "suppressed", SilencedBy: []string{"5f0c1d2e-3a4b-4c5d-8e9f-0a1b2c3d4e5f"},
			Labels: map[string]string{"alertname": "HighErrorRate", "service_name": "checkout", "severity": "page"}, StartsAt: now.Add(-30 * time.Minute)},
		{Name: "HighLatency", State: "suppressed", InhibitedBy: []string{"49d5671353a156de"},
			Labels: map[string]string{"alertname": "HighLatency", "service_name": "payments", "severity": "warn"}, StartsAt: now.Add(-9 * time.Minute)},
	})
}

func newList(color bool, am sources.AlertManager, w, h int) Model {
	m := New(Options{Styles: styles.New(color), Location: time.UTC, Now: func() time.Time { return now }, AlertManager: am, Author: "alice"})
	m.SetSize(w, h)
	m.Set(testAlerts(), "")
	return m
}

func run(m Model, ks ...string) (Model, []tea.Msg) {
	var out []tea.Msg
	for _, k := range ks {
		var cmd tea.Cmd
		m, cmd = m.Update(teasync.Key(k))
		for _, msg := range teasync.Msgs(cmd) {
			switch msg.(type) {
			case silencedMsg, expiredMsg, evidenceMsg:
				var next tea.Cmd
				m, next = m.Update(msg)
				out = append(out, teasync.Msgs(next)...)
			default:
				out = append(out, msg)
			}
		}
	}
	return m, out
}

func view(m Model, h int) string { return strings.Join(m.Lines(h), "\n") + "\n" }

// The list, the silence form and its confirmation, and the expiry's, at
// 80 and 200 columns, with and without colour.
func TestViewsGolden(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {200, 50}} {
		for _, color := range []bool{false, true} {
			name := func(what string) string {
				n := "views/" + what + "-" + itoa(size[0])
				if color {
					n += "-color"
				}
				return n
			}
			check := func(what string, m Model) {
				t.Helper()
				v := view(m, size[1])
				for _, l := range strings.Split(v, "\n") {
					if w := ansi.StringWidth(l); w > size[0] {
						t.Errorf("%s: a line of %d columns: %q", what, w, l)
					}
				}
				// without colour, only the form's cursor, in reverse video
				if !color && strings.Contains(strings.ReplaceAll(strings.ReplaceAll(v, "\x1b[7m", ""), "\x1b[m", ""), "\x1b[") {
					t.Errorf("%s: escapes without colour: %q", what, v)
				}
				golden.CheckFile(t, name(what), v)
			}
			am := &recordingAM{}
			m := newList(color, am, size[0], size[1])
			check("list", m)
			m, _ = run(m, "s")
			check("form", m)
			m, _ = run(m, "tab", "tab")
			m = typeText(m, "deploy OPS-1234")
			m, _ = run(m, "enter")
			check("confirm", m)
			m, _ = run(m, "esc", "esc", "j", "x")
			check("expire", m)
		}
	}
}

func typeText(m Model, s string) Model {
	for _, r := range s {
		m, _ = run(m, string(r))
	}
	return m
}

func itoa(n int) string { return strings.TrimSpace(strings.Repeat(" ", 0) + fmtInt(n)) }

func fmtInt(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}

// The list: firing first (Alertmanager's state and silences beside
// each), then pending; an alert both sent (Alertmanager) and known to
// Prometheus once, with Prometheus' pending time.
func TestListStates(t *testing.T) {
	m := newList(false, nil, 200, 40)
	s := view(m, 40)
	for _, want := range []string{
		"▶ ✗ firing  HighErrorRate service_name=payments severity=page since 08:48:00 · active",
		"  ✗ firing  HighErrorRate service_name=checkout severity=page since 08:30:00 · silenced by 5f0c1d2e-3a4b-4c5d-8e9f-0a1b2c3d4e5f",
		"  ✗ firing  HighLatency service_name=payments severity=warn since 08:51:00 · inhibited",
		"  ◌ pending PaymentsLatencyHigh service_name=payments severity=warning since 08:56:00",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("no %q in\n%s", want, s)
		}
	}
	if strings.Count(s, "payments fails 31% of charges") != 1 {
		t.Errorf("the alert both know is listed twice:\n%s", s)
	}
	if m.Firing() != 1 {
		t.Errorf("%d firing (not silenced nor inhibited), want 1", m.Firing())
	}
	m.Set(testAlerts(), "the alerts are Prometheus': Alertmanager failed: connection refused")
	if s := view(m, 40); !strings.Contains(s, "! the alerts are Prometheus'") {
		t.Errorf("no warning:\n%s", s)
	}
}

// The form: matchers from the alert's labels, counted as they change;
// bad input refused in the form; the silence created only on y, with the
// form's fields; n goes back; Alertmanager's refusal shown, sanitised.
func TestSilenceForm(t *testing.T) {
	am := &recordingAM{}
	m := newList(false, am, 120, 30)
	m, _ = run(m, "s")
	s := view(m, 30)
	if !strings.Contains(s, `matchers  alertname="HighErrorRate", service_name="payments", severity="page"`) || !strings.Contains(s, "it would silence 1 alert of the 4 listed now") {
		t.Fatalf("form:\n%s", s)
	}
	// widening the matchers: counted at once
	m, _ = run(m, "ctrl+u")
	m = typeText(m, `alertname="HighErrorRate"`)
	if s := view(m, 30); !strings.Contains(s, "it would silence 2 alerts of the 4 listed now") {
		t.Errorf("after editing:\n%s", s)
	}
	m, _ = run(m, "ctrl+u")
	m = typeText(m, `alertname=~"(`)
	if s := view(m, 30); !strings.Contains(s, "the matchers do not parse yet") {
		t.Errorf("bad matchers:\n%s", s)
	}
	for _, tt := range []struct {
		matchers, duration, comment, want string
	}{
		{`alertname=~"("`, "2h", "x", "bad matcher"},
		{`alertname=~".*"`, "2h", "x", "all match the empty string"},
		{`alertname="HighErrorRate"`, "soon", "x", `duration "soon"`},
		{`alertname="HighErrorRate"`, "-1h", "x", `duration "-1h"`},
		{`alertname="HighErrorRate"`, "2h", " ", "needs a comment"},
	} {
		m.form.inputs[fieldMatchers].SetValue(tt.matchers)
		m.form.inputs[fieldDuration].SetValue(tt.duration)
		m.form.inputs[fieldComment].SetValue(tt.comment)
		m, _ = run(m, "enter")
		if s := view(m, 30); !strings.Contains(s, tt.want) || m.mode != modeForm {
			t.Errorf("%+v: not refused in the form:\n%s", tt, s)
		}
	}
	m.form.inputs[fieldMatchers].SetValue(`alertname="HighErrorRate", service_name="payments"`)
	m.form.inputs[fieldDuration].SetValue("90m")
	m.form.inputs[fieldComment].SetValue("deploy")
	m, _ = run(m, "enter")
	if s := view(m, 30); !strings.Contains(s, "Create this silence?") || !strings.Contains(s, "it silences 1 alert of the 4 listed now:") {
		t.Fatalf("confirmation:\n%s", s)
	}
	m, _ = run(m, "n")
	if len(am.puts) != 0 || m.mode != modeForm {
		t.Fatalf("n: %d silences, mode %d", len(am.puts), m.mode)
	}
	m, msgs := run(m, "enter", "y")
	if len(am.puts) != 1 {
		t.Fatalf("%d silences after y", len(am.puts))
	}
	got := am.puts[0]
	if sources.FormatMatchers(got.Matchers, " ") != `alertname="HighErrorRate" service_name="payments"` || got.CreatedBy != "alice" ||
		got.Comment != "deploy" || !got.StartsAt.Equal(now) || got.EndsAt.Sub(got.StartsAt) != 90*time.Minute {
		t.Errorf("silence %+v", got)
	}
	if !hasMsg(msgs, ReloadMsg{}) || m.mode != modeList || !strings.Contains(view(m, 30), "created silence 0b5e6f4c-7d1a-4e2b-9c3d-5a6b7c8d9e0f") {
		t.Errorf("after the silence: %v, mode %d\n%s", msgs, m.mode, view(m, 30))
	}

	// refused: Alertmanager's message in the form, escapes made visible
	am.putErr = errors.New("alertmanager at http://am: 400 Bad Request: silence invalid: \x1b[31mend time must not be in the past\nhint: x")
	m, _ = run(m, "s", "tab", "tab")
	m = typeText(m, "again")
	m, _ = run(m, "enter", "y")
	s = view(m, 30)
	if m.mode != modeForm || !strings.Contains(s, `silence invalid: \x1b[31mend time must not be in the past`) || strings.Contains(s, "\x1b[31m") || strings.Contains(s, "hint: x") {
		t.Errorf("refusal:\n%q", s)
	}
}

// x expires the chosen alert's silences once confirmed; an alert that is
// not silenced, or no Alertmanager, says so.
func TestExpire(t *testing.T) {
	am := &recordingAM{}
	m := newList(false, am, 120, 30)
	_, msgs := run(m, "x")
	if !hasNotice(msgs, "alert HighErrorRate is not silenced") {
		t.Errorf("not silenced: %v", msgs)
	}
	m, _ = run(m, "j", "x")
	if s := view(m, 30); !strings.Contains(s, "Expire the silences of HighErrorRate?") || !strings.Contains(s, "5f0c1d2e-3a4b-4c5d-8e9f-0a1b2c3d4e5f") {
		t.Fatalf("confirmation:\n%s", s)
	}
	m, _ = run(m, "esc")
	if len(am.expired) != 0 {
		t.Fatal("esc expired")
	}
	m, msgs = run(m, "x", "y")
	if len(am.expired) != 1 || am.expired[0] != "5f0c1d2e-3a4b-4c5d-8e9f-0a1b2c3d4e5f" || !hasMsg(msgs, ReloadMsg{}) {
		t.Errorf("expired %v, %v", am.expired, msgs)
	}
	// no Alertmanager
	m = newList(false, nil, 120, 30)
	for _, k := range []string{"s", "x"} {
		_, msgs := run(m, "j", k)
		if !hasNotice(msgs, "silences need an Alertmanager") {
			t.Errorf("%s without Alertmanager: %v", k, msgs)
		}
	}
}

// t asks for the service's traces since the alert became active; an
// alert with none of the labels says so.
func TestServiceKey(t *testing.T) {
	m := newList(false, nil, 120, 30)
	_, msgs := run(m, "t")
	if !hasMsg(msgs, ServiceMsg{Service: "payments", Since: now.Add(-12 * time.Minute)}) {
		t.Errorf("%v", msgs)
	}
	m.o.ServiceLabels = []string{"team"}
	_, msgs = run(m, "t")
	if !hasNotice(msgs, "names no service (labels team)") {
		t.Errorf("%v", msgs)
	}
}

func hasMsg(msgs []tea.Msg, want tea.Msg) bool {
	for _, m := range msgs {
		if m == want {
			return true
		}
	}
	return false
}

func hasNotice(msgs []tea.Msg, text string) bool {
	for _, m := range msgs {
		if n, ok := m.(NoticeMsg); ok && strings.Contains(n.Text, text) {
			return true
		}
	}
	return false
}

// enter shows the chosen alert's evidence (on the demo): the rule's
// series with the threshold and the crossing, the logs, the traces; j
// and enter open a trace in the waterfall; esc goes back to the list.
func TestEvidence(t *testing.T) {
	src := tracetest.Demo(t)
	prom, err := src.Alerts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, size := range [][2]int{{80, 24}, {200, 50}} {
		for _, color := range []bool{false, true} {
			m := New(Options{Styles: styles.New(color), Location: time.UTC, Now: func() time.Time { return tracetest.Now },
				Evidence: explain.Sources{Metrics: src, Rules: src, Logs: src, Traces: src}})
			m.SetSize(size[0], size[1])
			m.Set(explain.Merge(prom, nil), "")
			m, _ = run(m, "enter")
			if !m.Capturing() {
				t.Fatal("enter did not open the evidence")
			}
			v := view(m, size[1])
			plain := ansi.Strip(v)
			for _, want := range []string{"Evidence", "PaymentsHighErrorRate", "threshold > 0.05"} {
				if !strings.Contains(plain, want) {
					t.Errorf("%v: no %q in\n%s", size, want, plain)
				}
			}
			n := "views/evidence-" + itoa(size[0])
			if color {
				n += "-color"
			}
			golden.CheckFile(t, n, v)
			// down to the traces: the view follows the choice
			m, _ = run(m, "j")
			if !strings.Contains(ansi.Strip(view(m, size[1])), "▶ ") {
				t.Errorf("the chosen trace is not on the screen:\n%s", view(m, size[1]))
			}
			tr := m.ev.Traces()[1]
			_, msgs := run(m, "enter")
			if !hasMsg(msgs, OpenTraceMsg{TraceID: tr.ID}) {
				t.Errorf("enter: %v, want to open %s", msgs, tr.ID)
			}
			m, _ = run(m, "esc")
			if m.Capturing() {
				t.Error("esc did not go back to the list")
			}
		}
	}
}

// At any size, in every mode, nothing panics and no line is wider than
// the box.
func TestAnySize(t *testing.T) {
	src := tracetest.Demo(t)
	prom, _ := src.Alerts(context.Background())
	for _, size := range [][2]int{{1, 1}, {10, 3}, {30, 8}, {80, 24}, {300, 80}} {
		m := New(Options{Styles: styles.New(true), Location: time.UTC, Now: func() time.Time { return tracetest.Now }, AlertManager: &recordingAM{},
			Evidence: explain.Sources{Metrics: src, Rules: src, Logs: src, Traces: src}})
		m.SetSize(size[0], size[1])
		m.Set(explain.Merge(prom, nil), "a warning \x1b[31m")
		for _, k := range []string{"enter", "j", "pgdown", "pgdown", "g", "esc", "s", "tab", "x", "tab", "enter", "enter", "n", "esc", "j", "x", "esc", "t"} {
			m, _ = run(m, k)
			lines := m.Lines(size[1])
			if len(lines) > size[1] {
				t.Errorf("%v after %s: %d lines", size, k, len(lines))
			}
			for _, l := range lines {
				if w := ansi.StringWidth(l); w > max(size[0], 1) {
					t.Errorf("%v after %s: a line of %d columns: %q", size, k, w, l)
				}
				if strings.Contains(l, "\x1b[31m") {
					t.Errorf("the warning's escape reached the screen: %q", l)
				}
			}
		}
	}
}
