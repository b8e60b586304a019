package metrics

import (
	"strconv"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/sources/correlate"
	"github.com/telx-cli/telx/tui"
	"github.com/telx-cli/telx/tui/render"
)

// exemplars are the exemplars the pane marks on its time axis: those of
// the latency histogram of the RED view (or of the typed query's series)
// in the window, oldest first, when the source keeps them.
type exemplars struct {
	list []sources.Exemplar
	sel  int // the chosen one's index; -1: none
	err  error
	unit render.Unit // of the values
}

// update takes a new answer, keeping the chosen exemplar chosen when it
// is still among them (a live refresh).
func (e exemplars) update(list []sources.Exemplar, err error, unit render.Unit) exemplars {
	sel := -1
	if e.sel >= 0 && e.sel < len(e.list) {
		old := e.list[e.sel]
		for i, x := range list {
			if x.TraceID == old.TraceID && x.SpanID == old.SpanID && x.Time.Equal(old.Time) {
				sel = i
			}
		}
	}
	return exemplars{list: list, sel: sel, err: err, unit: unit}
}

// exemplarQuery is the query whose exemplars the pane asks for: a typed
// query's own, else the first latency quantile's (the quantiles share
// the histogram's buckets, which hold the exemplars), and its unit; only
// a query of a histogram's buckets (…_bucket), where writers such as the
// span-metrics connector put exemplars, is asked.
func exemplarQuery(queries []correlate.REDQuery, units []render.Unit, custom bool) (string, render.Unit) {
	for i, q := range queries {
		u := units[i]
		if !strings.Contains(q.Query, "_bucket") {
			continue
		}
		if custom || u == render.UnitMilliseconds || u == render.UnitSeconds {
			return q.Query, u
		}
	}
	return "", render.UnitNone
}

// Exemplars returns the exemplars marked, oldest first, and the chosen
// one's index (-1 for none).
func (m Model) Exemplars() ([]sources.Exemplar, int) { return m.ex.list, m.ex.sel }

// NextExemplar chooses the next exemplar in time (the first when none
// is), or with back the previous one (the last when none is), around.
func (m *Model) NextExemplar(back bool) {
	n := len(m.ex.list)
	switch {
	case n == 0:
	case m.ex.sel < 0 && back:
		m.ex.sel = n - 1
	case m.ex.sel < 0:
		m.ex.sel = 0
	case back:
		m.ex.sel = (m.ex.sel - 1 + n) % n
	default:
		m.ex.sel = (m.ex.sel + 1) % n
	}
}

// exemplarKey handles the exemplar keys.
func (m Model) exemplarKey(msg tea.KeyPressMsg) (tui.Pane, tea.Cmd) {
	switch {
	case key.Matches(msg, m.KeyMap.NextExemplar):
		m.NextExemplar(false)
	case key.Matches(msg, m.KeyMap.PrevExemplar):
		m.NextExemplar(true)
	case key.Matches(msg, m.KeyMap.OpenExemplar):
		if m.ex.sel >= 0 && m.ex.sel < len(m.ex.list) {
			if id := m.ex.list[m.ex.sel].TraceID; id != "" {
				return m, func() tea.Msg { return tui.OpenTraceMsg{TraceID: id} }
			}
		}
	}
	return m, nil
}

// exemplarLines are the lines under the rows: the exemplars' marks on the
// time axis, and what the chosen one is (or how to choose one); a line
// saying why there are none when asking for them failed.
func (m Model) exemplarLines(o render.MetricTableOptions) []string {
	e := m.ex
	if len(e.list) == 0 {
		if e.err == nil {
			return nil
		}
		msg, _, _ := strings.Cut(sources.Sanitize(e.err.Error()), "\n")
		return []string{m.st.Dim.Apply(render.Fit("exemplars: "+msg, m.width))}
	}
	marker := render.ExemplarMarker(m.rows, o, e.list, e.sel, "exemplar")
	var info string
	if e.sel >= 0 && e.sel < len(e.list) {
		x := e.list[e.sel]
		trace := "no trace ID"
		if x.TraceID != "" {
			trace = "trace " + string(x.TraceID) + " · enter opens it"
		}
		info = render.MarkExemplarSelected + " " + x.Time.In(m.o.Location).Format("15:04:05.000") + " · " +
			render.FormatValue(x.Value, e.unit) + " · " + trace
		return []string{marker, m.st.Highlight.Apply(render.Fit(info, m.width))}
	}
	info = render.MarkExemplar + " " + strconv.Itoa(len(e.list)) + " exemplars · x/X choose one, enter opens its trace"
	return []string{marker, m.st.Dim.Apply(render.Fit(info, m.width))}
}
