package logs

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/sources/logline"
	"github.com/telx-cli/telx/sources/logpattern"
	"github.com/telx-cli/telx/tui/pane"
	"github.com/telx-cli/telx/tui/render"
)

// Above the lines, the pane draws the volume of its query over the window
// by level, as the backend counts it (Loki's count_over_time), the open
// trace's time marked; p groups the lines into patterns, the backend's
// (Loki's pattern ingester) or a clustering of the loaded lines.

// volumeMinHeight is the least pane height that shows the volume above
// the lines (so that a dozen lines still show under it).
const volumeMinHeight = 18

// volumeBarRows is the height of the volume's bars in the pane.
const volumeBarRows = 2

// VolumeMsg brings the volume of the pane's query.
type VolumeMsg struct {
	ID, Seq int
	Series  []sources.Series
	Step    time.Duration
	Err     error
}

// PatternsMsg brings the backend's patterns of the pane's query.
type PatternsMsg struct {
	ID, Seq  int
	Patterns []sources.LogPattern
	Step     time.Duration
	Err      error
}

// patternMatch keeps (or with exclude drops) the lines of a pattern.
type patternMatch struct {
	p       sources.LogPattern
	exclude bool
	// remote: the backend's pattern, which Loki matches against the
	// whole line (<_> any text, the literal parts in order); a local one
	// is matched against the line's message, at its level
	remote bool
}

func (f patternMatch) String() string {
	op := "|> "
	if f.exclude {
		op = "!> "
	}
	return op + f.p.Pattern
}

func (f patternMatch) keeps(e *sources.LogEntry, l *logline.Line) bool {
	var in bool
	if f.remote {
		in = lokiPatternMatches(f.p.Pattern, e.Line)
	} else {
		level := e.Level
		if level == "" {
			level = l.Level
		}
		in = (f.p.Level == "" || f.p.Level == level) && logpattern.Matches(f.p.Pattern, l.Message)
	}
	return in != f.exclude
}

// lokiPatternMatches tells whether line has the shape of a pattern of
// Loki's, as its |> filter does: the literal parts in order, the first at
// the line's start and the last at its end unless <_> stands there.
func lokiPatternMatches(pattern, line string) bool {
	parts := strings.Split(pattern, logpattern.Variable)
	if !strings.HasPrefix(line, parts[0]) {
		return false
	}
	line = line[len(parts[0]):]
	last := len(parts) - 1
	for i := 1; i < last; i++ {
		j := strings.Index(line, parts[i])
		if j < 0 {
			return false
		}
		line = line[j+len(parts[i]):]
	}
	return last == 0 && line == "" || last > 0 && strings.HasSuffix(line, parts[last])
}

// window is the query's window, up to the newest line when live mode
// brought lines past it: what the volume and the patterns count when
// they are asked for.
func (m *Model) window() sources.TimeRange {
	r := m.rng
	if n := len(m.entries); n > 0 && m.entries[n-1].Time.After(r.To) {
		r.To = m.entries[n-1].Time
	}
	return r
}

// volumeShown tells whether the volume takes rows above the lines.
func (m *Model) volumeShown() bool {
	return m.showVolume && m.height >= volumeMinHeight && m.fields == nil && !m.patternsOpen &&
		(len(m.entries) > 0 || m.volErr != nil)
}

// volumeRows is how many rows the volume takes above the lines.
func (m *Model) volumeRows() int {
	if !m.volumeShown() {
		return 0
	}
	return len(m.volRows)
}

// loadVolume asks the backend for the volume of query over the pane's
// window; a source that cannot count shows the loaded lines' instead.
func (m *Model) loadVolume(query string) tea.Cmd {
	m.volume, m.volErr, m.volLocal = nil, nil, false
	m.volRange = m.window()
	m.volStep = sources.AutoStep(m.volRange, render.VolumeCells(max(20, m.width-1)))
	vs, ok := m.o.Source.(sources.LogVolumeSource)
	if !ok {
		m.countVolume(errors.New("the log source does not count volume"))
		return nil
	}
	id, seq, r, step := m.id, m.seq, m.volRange, m.volStep
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), m.o.Timeout)
		defer cancel()
		series, err := vs.LogVolume(ctx, sources.LogQuery{Query: query, Range: r}, step)
		return VolumeMsg{ID: id, Seq: seq, Series: series, Step: step, Err: err}
	}
}

// countVolume counts the loaded lines by level instead, when the backend
// could not (why says why): the pane says so.
func (m *Model) countVolume(why error) {
	m.volErr, m.volLocal, m.volLines = why, true, len(m.entries)
	counts := sources.LevelCounts{}
	var l logline.Line
	for i := range m.entries {
		e := &m.entries[i]
		level := e.Level
		if level == "" {
			logline.ParseInto(e.Line, &l)
			level = l.Level
		}
		counts.Add(level, sources.StepEnd(e.Time, m.volStep), 1)
	}
	m.volume = counts.Series()
	m.renderVolume()
}

// renderVolume draws the volume's rows, for the pane's width.
func (m *Model) renderVolume() {
	m.volRows = nil
	if m.width <= 2 || (m.volume == nil && m.volErr == nil) {
		return
	}
	var b strings.Builder
	o := render.VolumeOptions{Width: m.width - 1, Height: volumeBarRows, Styles: m.st, Range: m.volRange, Step: m.volStep, Location: m.o.Location}
	if m.trace != nil && m.custom == "" {
		o.Mark = m.trace.TimeRange()
	}
	_ = render.LogVolume(&b, m.volume, o)
	rows := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	for i := range rows {
		rows[i] = " " + rows[i]
	}
	if m.volErr != nil {
		note := " volume of the " + strconv.Itoa(m.volLines) + " loaded lines: " + firstLine(sources.Sanitize(m.volErr.Error()))
		rows = append(rows, m.st.Warn.Apply(note))
	}
	m.volRows = rows
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// TogglePatterns shows the patterns of the lines, or the lines again.
func (m *Model) TogglePatterns() tea.Cmd {
	if m.patternsOpen {
		m.patternsOpen = false
		m.scroll()
		return nil
	}
	if len(m.entries) == 0 {
		return nil
	}
	m.patternsOpen, m.patSel, m.patOff = true, 0, 0
	m.patterns, m.patErr, m.patNote = nil, nil, ""
	m.patRange = m.window()
	m.patStep = sources.AutoStep(m.patRange, render.NewPatternColumns(max(20, m.width-1), nil).Spark)
	ps, ok := m.o.Source.(sources.LogPatternSource)
	switch {
	case !ok:
		m.clusterLines("the log source finds no patterns")
		return nil
	case !selectorOnly(m.query):
		// the backend's patterns are of whole streams, not of these lines
		m.clusterLines("Loki's patterns are of stream selectors alone, and the query filters")
		return nil
	}
	m.patLoading = true
	id, seq, r, step, query := m.id, m.seq, m.patRange, m.patStep, m.query
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), m.o.Timeout)
		defer cancel()
		pats, err := ps.LogPatterns(ctx, sources.LogQuery{Query: query, Range: r}, step)
		return PatternsMsg{ID: id, Seq: seq, Patterns: pats, Step: step, Err: err}
	}
}

// selectorOnly tells whether a LogQL query is a stream selector alone.
func selectorOnly(q string) bool {
	q = strings.TrimSpace(q)
	return strings.HasPrefix(q, "{") && strings.Index(q, "}") == len(q)-1
}

// clusterLines groups the loaded lines into patterns, saying why the
// backend's are not shown.
func (m *Model) clusterLines(why string) {
	res := logpattern.Cluster(m.entries, m.patRange, m.patStep, logpattern.Options{})
	m.patterns, m.patStep, m.patRemote, m.patLoading = res.Patterns, res.Step, false, false
	m.patNote = why + ": clustered the " + strconv.Itoa(res.Lines) + " loaded lines"
}

// patternsResult takes the backend's answer, or falls back on the loaded
// lines.
func (m *Model) patternsResult(msg PatternsMsg) {
	m.patLoading = false
	switch {
	case errors.Is(msg.Err, errors.ErrUnsupported):
		m.clusterLines(sources.UnsupportedReason(msg.Err))
	case msg.Err != nil:
		m.patErr = msg.Err
		m.clusterLines("Loki's patterns failed")
	case len(msg.Patterns) == 0:
		m.clusterLines("Loki has no patterns of these streams in the window")
	default:
		m.patterns, m.patStep, m.patRemote = msg.Patterns, msg.Step, true
		m.patNote = "Loki's pattern ingester"
	}
}

// AddPatternMatch keeps only the lines of the selected pattern, or with
// exclude drops them, and goes back to the lines.
func (m *Model) AddPatternMatch(exclude bool) {
	if m.patSel >= len(m.patterns) {
		return
	}
	m.pmatches = append(m.pmatches, patternMatch{p: m.patterns[m.patSel], exclude: exclude, remote: m.patRemote})
	m.patternsOpen = false
	m.refilter()
}

// matchesPatterns tells whether e passes the pattern filters.
func (m *Model) matchesPatterns(e *sources.LogEntry) bool {
	if len(m.pmatches) == 0 {
		return true
	}
	logline.ParseInto(e.Line, &m.scratch)
	for _, f := range m.pmatches {
		if !f.keeps(e, &m.scratch) {
			return false
		}
	}
	return true
}

// movePattern moves the selected pattern n down (up when n < 0).
func (m *Model) movePattern(n int) {
	m.patSel = pane.Clamp(m.patSel+n, len(m.patterns))
	m.patOff = pane.Scroll(m.patSel, m.patOff, m.rowsHeight()-2, len(m.patterns))
}

// patternsView draws the patterns table: a note of where the patterns
// come from, the header, and the rows in view.
func (m Model) patternsView() []string {
	if m.patLoading {
		return []string{m.spin.View() + " " + m.st.Dim.Apply("asking Loki for the patterns…")}
	}
	note := m.st.Dim.Apply(" " + sources.Sanitize(m.patNote))
	if m.patErr != nil {
		note = m.st.Warn.Apply(" " + firstLine(sources.Sanitize(m.patErr.Error())) + "; " + sources.Sanitize(m.patNote))
	}
	if len(m.patterns) == 0 {
		return []string{note, m.st.Dim.Apply(" No patterns.")}
	}
	cols := render.NewPatternColumns(m.width-1, m.patterns)
	o := &render.PatternsOptions{Width: m.width - 1, Styles: m.st, Range: m.patRange, Step: m.patStep}
	out := []string{note, " " + render.PatternHeader(cols, m.st)}
	h := m.rowsHeight()
	var buf []byte
	for i := m.patOff; i < len(m.patterns) && len(out) < h; i++ {
		buf = render.AppendPatternRow(buf[:0], &m.patterns[i], cols, o)
		row := strings.TrimSuffix(string(buf), "\n")
		mark := " "
		if i == m.patSel {
			mark = m.st.Selected().Apply("▶")
			if m.st.Color {
				plain := *o
				plain.Styles = m.plain
				buf = render.AppendPatternRow(buf[:0], &m.patterns[i], cols, &plain)
				row = m.st.Selected().Apply(render.Fit(strings.TrimSuffix(string(buf), "\n"), m.width-1))
			}
		}
		out = append(out, mark+row)
	}
	return out
}

// cut shortens s to at most n cells, with an ellipsis.
func cut(s string, n int) string {
	if render.Width(s) <= n {
		return s
	}
	return render.Fit(s, n)
}
