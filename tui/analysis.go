package tui

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/telx-cli/telx/sources"
	tuianalyze "github.com/telx-cli/telx/tui/analyze"
)

// The analysis of the Traces pane's search (A): the report of telx
// analyze over the screen, whose rows open their example trace at its
// span in the waterfall.

func analyzeBinding() key.Binding {
	return key.NewBinding(key.WithKeys("A"), key.WithHelp("A", "analyse the search (Traces pane)"))
}

func newAnalysis(o Options) tuianalyze.Model {
	return tuianalyze.New(tuianalyze.Options{Styles: o.Styles, Location: o.Location, Now: o.Now,
		Traces: o.Traces, Metrics: o.Metrics, Timeout: o.Timeout})
}

// openAnalysis shows the analysis of the Traces pane's current search.
func (m *Model) openAnalysis() tea.Cmd {
	q := m.traces.Query()
	if q.Service == "" {
		m.notice, m.noticeErr = "no search to analyse: choose a service first", true
		return nil
	}
	m.showAnalysis = true
	m.analysis.SetSize(m.width, max(0, m.height-2))
	return m.analysis.Analyse(tuianalyze.Query{Service: q.Service, Operation: q.Operation, Lookback: q.Lookback,
		MinDuration: q.MinDuration, MaxDuration: q.MaxDuration, Tags: q.TagMap()})
}

// updateAnalysis handles the analysis' messages, and its keys while it
// is shown; ok tells that msg was one of them.
func (m *Model) updateAnalysis(msg tea.Msg) (tea.Cmd, bool) {
	switch msg := msg.(type) {
	case tuianalyze.ResultMsg:
		var cmd tea.Cmd
		m.analysis, cmd = m.analysis.Update(msg)
		if msg.ID == m.analysis.ID() && msg.Err != nil {
			m.errs["analysis"] = msg.Err
		} else if msg.ID == m.analysis.ID() {
			delete(m.errs, "analysis")
		}
		return cmd, true
	case tuianalyze.CloseMsg:
		m.showAnalysis = false
		return nil, true
	case tuianalyze.OpenSpanMsg:
		m.showAnalysis = false
		m.waterfall.SetTrace(msg.Trace)
		m.waterfall.SelectSpan(msg.SpanID)
		m.traces.Select(msg.Trace.ID)
		m.setFocus(focusWaterfall)
		m.notice = "an example of the analysis: span " + sources.Sanitize(string(msg.SpanID))
		return m.syncSelection(), true
	case tea.KeyPressMsg:
		if !m.showAnalysis || msg.String() == "ctrl+c" {
			return nil, false
		}
		var cmd tea.Cmd
		m.analysis, cmd = m.analysis.Update(msg)
		return cmd, true
	}
	return nil, false
}
