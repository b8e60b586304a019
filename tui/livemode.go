package tui

import (
	"context"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/sources/explain"
	"github.com/telx-cli/telx/tui/alerts"
	"github.com/telx-cli/telx/tui/live"
	"github.com/telx-cli/telx/tui/pane"
)

// liveState is the explorer's side of live mode: on or paused, the
// interval, when the panes were last brought up to date, and the refresh
// of the alerts (the status bar's count and the alerts list).
type liveState struct {
	interval time.Duration
	on       bool
	started  bool // on at least once: the status bar says "paused"
	updated  time.Time
	alerts   live.Refresher
}

// alertsAnswer is an alerts call's answer, numbered: a stale one (of a
// call since superseded or cancelled) is dropped.
type alertsAnswer struct {
	seq int
	AlertsMsg
}

func newLiveState(o Options) liveState {
	iv := o.Refresh
	if iv <= 0 {
		iv = live.DefaultInterval
	}
	return liveState{interval: iv, alerts: live.New(pane.NextID(), o.Ticker)}
}

// Live tells whether live mode is on, and its interval.
func (m Model) Live() (on bool, interval time.Duration) { return m.live.on, m.live.interval }

// SetLive turns live mode on or pauses it: every pane gets a LiveMsg
// (the Traces pane and the alerts are the explorer's own). Turning it on
// refreshes at once what has been shown (catching up); pausing cancels
// what is in flight.
func (m *Model) SetLive(on bool) tea.Cmd {
	m.live.on = on
	m.live.started = m.live.started || on
	msg := LiveMsg{On: on, Interval: m.live.interval}
	cmds := []tea.Cmd{m.traces.SetLive(on, m.live.interval), m.toPanes(msg)}
	if m.o.Metrics != nil {
		cmds = append(cmds, m.live.alerts.Set(on, m.live.interval))
		if on && !m.live.alerts.InFlight() && m.called["metrics"] {
			cmds = append(cmds, m.loadAlerts(true))
		}
	}
	return tea.Batch(cmds...)
}

// toggleLive is the live key: on, or paused.
func (m *Model) toggleLive() tea.Cmd { return m.SetLive(!m.live.on) }

// loadAlerts asks the metric source for the active alerts: at start and
// at each live tick (refresh).
func (m *Model) loadAlerts(refresh bool) tea.Cmd {
	ctx, cancel := context.WithCancel(context.Background())
	var seq int
	if refresh {
		seq = m.live.alerts.Refresh(cancel)
	} else {
		seq = m.live.alerts.Load(cancel)
	}
	src := m.o.Metrics
	am := m.o.AlertManager
	return m.callIn(ctx, "alerts", func(ctx context.Context) tea.Msg {
		prom, managed, warning, err := alerts.Load(ctx, am, src)
		return alertsAnswer{seq, AlertsMsg{Alerts: prom, Managed: managed, Warning: warning, Err: err}}
	}, func(msg tea.Msg) error { return msg.(alertsAnswer).Err })
}

// updateLive handles live mode's messages that are the explorer's own:
// the alerts' ticks and answers, and the panes' word that they were
// brought up to date. It tells whether msg was one of them.
func (m *Model) updateLive(msg tea.Msg) (tea.Cmd, bool) {
	switch msg := msg.(type) {
	case live.TickMsg:
		if msg.ID != m.live.alerts.ID() {
			return nil, false
		}
		due, next := m.live.alerts.Tick(msg)
		if due {
			return tea.Batch(next, m.loadAlerts(true)), true
		}
		return next, true
	case alertsAnswer:
		if !m.live.alerts.Done(msg.seq) {
			return nil, true
		}
		if msg.Err == nil {
			m.setAlerts(msg.AlertsMsg)
			if m.live.on {
				m.live.updated = m.o.Now()
			}
		}
		return nil, true
	case live.UpdatedMsg:
		m.live.updated = m.o.Now()
		return nil, true
	}
	return nil, false
}

// setAlerts shows the alerts, the alerts list's choice staying on the
// same alert when it is still active.
func (m *Model) setAlerts(msg AlertsMsg) {
	m.alerts.Set(explain.Merge(msg.Alerts, msg.Managed), msg.Warning)
}

// liveStatus is live mode on the status bar: "live 15s · updated
// 07:31:02" (short: "live 15s 07:31:02"), "paused", or nothing before
// live mode was first turned on.
func (m Model) liveStatus(short bool) string {
	switch {
	case m.live.on:
		s := m.st.Info.Apply("live " + live.Format(m.live.interval))
		if !m.live.updated.IsZero() {
			at := m.live.updated.In(m.location()).Format("15:04:05")
			if short {
				return s + " " + m.st.Dim.Apply(at)
			}
			s += m.st.Dim.Apply(" · updated " + at)
		}
		return s
	case m.live.started:
		return m.st.Warn.Apply("paused")
	}
	return ""
}

// withLive puts live mode's status before head, the status bar's first
// part (the sources, their health, the alerts): the long form if it
// fits the width, else the short one, then with the sources named by
// their first word only ("demo", "jaeger").
func (m Model) withLive(head string) string {
	long := m.liveStatus(false)
	if long == "" {
		return head
	}
	if s := long + " · " + head; ansi.StringWidth(s) <= m.width {
		return s
	}
	short := m.liveStatus(true) + " · "
	if s := short + head; ansi.StringWidth(s) <= m.width {
		return s
	}
	full := m.st.Bold.Apply(sources.Sanitize(m.o.Sources))
	first, _, _ := strings.Cut(sources.Sanitize(m.o.Sources), " ")
	return short + m.st.Bold.Apply(first) + strings.TrimPrefix(head, full)
}

// chosenAlert is the name of the alert chosen in the alerts list.
func (m Model) chosenAlert() string {
	if a := m.alerts.Chosen(); a != nil {
		return a.Name
	}
	return ""
}
