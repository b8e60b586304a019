package render

import (
	"io"
	"sort"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/tui/styles"
)

// LogsOptions say how to draw log entries.
type LogsOptions struct {
	// Width in columns: a line longer than what is left after the time,
	// level and service wraps under itself. 0 means no wrapping.
	Width  int
	Styles *styles.Styles
	// Location of the times (time.Local when nil).
	Location *time.Location
	// TimeFormat of the first column (default LogTimeFormat).
	TimeFormat string
	// Labels adds a row under each entry with its labels and structured
	// metadata.
	Labels bool
	// ServiceLabels name the service of an entry, first found wins
	// (default DefaultServiceLabels).
	ServiceLabels []string
}

// Log time formats: with the date, and without it for a window within
// one day.
const (
	LogTimeFormat      = "2006-01-02 15:04:05.000"
	LogTimeFormatShort = "15:04:05.000"
)

// DefaultServiceLabels are the labels that usually name a service.
var DefaultServiceLabels = []string{"service_name", "service", "app", "job", "container"}

// serviceWidth is the width of the service column.
const serviceWidth = 10

// Logs writes entries, one per row (more when a line wraps).
func Logs(w io.Writer, entries []sources.LogEntry, o LogsOptions) error {
	var buf []byte
	for i := range entries {
		buf = AppendLogEntry(buf[:0], &entries[i], &o)
		if _, err := w.Write(buf); err != nil {
			return err
		}
	}
	return nil
}

var levelNames = map[string]string{
	"error": "ERROR", "warn": "WARN ", "info": "INFO ", "debug": "DEBUG", "trace": "TRACE", "fatal": "FATAL",
}

func levelPaint(st *styles.Styles, level string) styles.Paint {
	switch level {
	case "error", "fatal":
		return st.Error
	case "warn":
		return st.Warn
	case "info":
		return st.Info
	case "debug", "trace":
		return st.Dim
	}
	return styles.Paint{}
}

// ServiceOf returns the service an entry belongs to, by the first of
// labels found in its stream labels or structured metadata.
func ServiceOf(e *sources.LogEntry, labels []string) string {
	for _, k := range labels {
		if v := e.Labels[k]; v != "" {
			return v
		}
	}
	for _, k := range labels {
		if v := e.Metadata[k]; v != "" {
			return v
		}
	}
	return ""
}

// AppendLogEntry appends the rows of one entry, each ending in a newline,
// to buf: the time, the level (coloured), the service (in its colour) and
// the line, sanitised, with the entry's trace ID highlighted in it.
func AppendLogEntry(buf []byte, e *sources.LogEntry, o *LogsOptions) []byte {
	st := o.Styles
	if st == nil {
		st = &styles.Styles{}
	}
	loc := o.Location
	if loc == nil {
		loc = time.Local
	}
	tf := o.TimeFormat
	if tf == "" {
		tf = LogTimeFormat
	}
	svcLabels := o.ServiceLabels
	if svcLabels == nil {
		svcLabels = DefaultServiceLabels
	}

	// the prefix: time, level, service
	buf = append(buf, st.Dim.On...)
	buf = e.Time.In(loc).AppendFormat(buf, tf)
	buf = append(buf, st.Dim.Off...)
	buf = append(buf, ' ')
	name, ok := levelNames[e.Level]
	if !ok {
		name = "     "
	}
	lp := levelPaint(st, e.Level)
	buf = append(buf, lp.On...)
	buf = append(buf, name...)
	buf = append(buf, lp.Off...)
	buf = append(buf, ' ')
	svc := sources.Sanitize(ServiceOf(e, svcLabels))
	sp := st.Service(svc)
	buf = append(buf, sp.On...)
	buf = append(buf, Fit(svc, serviceWidth)...)
	buf = append(buf, sp.Off...)
	buf = append(buf, ' ')
	indent := len(tf) + 1 + 5 + 1 + serviceWidth + 1

	line := highlight(sources.Sanitize(e.Line), e.TraceID, st.Highlight)
	buf = appendWrapped(buf, line, indent, o.Width)
	if o.Labels {
		buf = append(buf, strings.Repeat(" ", indent)...)
		buf = appendWrapped(buf, st.Dim.Apply(labelText(e)), indent, o.Width)
	}
	return buf
}

// appendWrapped appends s (which already sits at column indent) and a
// newline, wrapping it at width under column indent.
func appendWrapped(buf []byte, s string, indent, width int) []byte {
	avail := width - indent
	// bytes never undercount cells, so a short line needs no measuring
	if width <= 0 || len(s) <= avail || ansi.StringWidth(s) <= avail {
		buf = append(buf, s...)
		return append(buf, '\n')
	}
	if avail < 20 {
		// too narrow to wrap under the line's column: wrap under the start
		buf = append(buf, '\n')
		indent, avail = 0, width
	}
	wrapped := ansi.Wrap(s, avail, ",") // JSON has no spaces to break at
	pad := strings.Repeat(" ", indent)
	for i, row := range strings.Split(wrapped, "\n") {
		if i > 0 {
			buf = append(buf, pad...)
		}
		buf = append(buf, row...)
		buf = append(buf, '\n')
	}
	return buf
}

// highlight paints each occurrence of the trace ID in line (also its
// 16-character form when the ID is a padded 64-bit one).
func highlight(line string, id sources.TraceID, p styles.Paint) string {
	if id == "" || p.On == "" {
		return line
	}
	s := string(id)
	if !strings.Contains(line, s) {
		if short := strings.TrimPrefix(s, "0000000000000000"); len(short) == 16 && strings.Contains(line, short) {
			s = short
		} else {
			return line
		}
	}
	return strings.ReplaceAll(line, s, p.Apply(s))
}

// labelText formats the stream labels as {k="v", …} and then the
// structured metadata as k=v, sanitised.
func labelText(e *sources.LogEntry) string {
	var b strings.Builder
	b.WriteByte('{')
	for i, k := range sortedKeys(e.Labels) {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(sources.Sanitize(k))
		b.WriteString(`="`)
		b.WriteString(sources.Sanitize(e.Labels[k]))
		b.WriteByte('"')
	}
	b.WriteByte('}')
	for _, k := range sortedKeys(e.Metadata) {
		b.WriteByte(' ')
		b.WriteString(sources.Sanitize(k))
		b.WriteByte('=')
		b.WriteString(sources.Sanitize(e.Metadata[k]))
	}
	return b.String()
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
