package render

import (
	"strconv"
	"strings"
	"time"

	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/tui/styles"
)

// TraceSummary is one trace as a trace list shows it.
type TraceSummary struct {
	TraceID   sources.TraceID `json:"traceId"`
	Start     time.Time       `json:"start"`
	Duration  time.Duration   `json:"durationNanos"`
	Service   string          `json:"rootService"`
	Operation string          `json:"rootOperation"`
	Spans     int             `json:"spans"`
	Services  int             `json:"services"`
	Errors    int             `json:"errors"`
}

// Summarise returns a trace's summary.
func Summarise(t *sources.Trace) TraceSummary {
	r := t.TimeRange()
	s := TraceSummary{TraceID: t.ID, Start: r.From, Duration: r.Duration(), Spans: len(t.Spans), Services: len(t.Services()), Errors: t.ErrorCount()}
	if root := t.Root(); root != nil {
		s.Service, s.Operation = root.Service, root.Operation
	}
	return s
}

// TraceColumns are a trace list's columns at a width: from 110 columns the
// trace ID and the number of services, from 150 the start's date.
type TraceColumns struct {
	width          int
	date, id       bool
	start, root    int
	durW, spansW   int
	servicesW, err int
}

// NewTraceColumns lays out a trace list in width cells.
func NewTraceColumns(width int) TraceColumns {
	c := TraceColumns{width: width, date: width >= 150, id: width >= 110, durW: 8, spansW: 6, err: 6}
	c.start = 12
	if c.date {
		c.start = 23
	}
	used := c.start + 1 + c.durW + 1 + c.spansW + 1 + c.err
	if c.id {
		c.servicesW = 8
		used += 32 + 1 + c.servicesW + 1
	}
	c.root = max(16, width-used-1)
	return c
}

// TraceHeader returns the list's header line.
func TraceHeader(c TraceColumns, st *styles.Styles) string {
	var b strings.Builder
	b.WriteString(Fit("START", c.start) + " ")
	if c.id {
		b.WriteString(Fit("TRACE ID", 32) + " ")
	}
	b.WriteString(Fit("ROOT", c.root) + " " + FitRight("DURATION", c.durW) + " " + FitRight("SPANS", c.spansW) + " ")
	if c.id {
		b.WriteString(FitRight("SERVICES", c.servicesW) + " ")
	}
	b.WriteString(Fit("ERRORS", c.err))
	return st.Header.Apply(b.String())
}

// TraceRow returns a trace's row: start, ID, root service and operation,
// duration, spans, services and errors (marked ✗), sanitised.
func TraceRow(s TraceSummary, c TraceColumns, st *styles.Styles, loc *time.Location) string {
	if loc == nil {
		loc = time.Local
	}
	layout := "15:04:05.000"
	if c.date {
		layout = "2006-01-02 15:04:05.000"
	}
	var b strings.Builder
	b.WriteString(Fit(s.Start.In(loc).Format(layout), c.start) + " ")
	if c.id {
		b.WriteString(Fit(string(s.TraceID), 32) + " ")
	}
	root := st.Service(s.Service).Apply(sources.Sanitize(s.Service)) + " " + sources.Sanitize(s.Operation)
	b.WriteString(Fit(root, c.root) + " " + FitRight(Duration(s.Duration), c.durW) + " " + FitRight(strconv.Itoa(s.Spans), c.spansW) + " ")
	if c.id {
		b.WriteString(FitRight(strconv.Itoa(s.Services), c.servicesW) + " ")
	}
	errs := strconv.Itoa(s.Errors)
	if s.Errors > 0 {
		errs = st.Error.Apply(errs + " " + MarkError)
	}
	b.WriteString(Fit(errs, c.err))
	return b.String()
}
