package render

import (
	"cmp"
	"io"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/sources/logline"
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
	// Match, when set, marks what it matches in each line (instead of the
	// trace ID).
	Match *regexp.Regexp
	// Raw shows each line as stored (TABs at tab stops, escapes made
	// visible) instead of its message and fields.
	Raw bool
	// LokiTime shows the time the backend holds for each line even when
	// the line has a time of its own.
	LokiTime bool
	// Columns are fields shown as columns between the service and the
	// message (see FieldOf), each ColumnWidth cells wide.
	Columns []string

	line logline.Line // scratch
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

// ColumnWidth is the width of a --fields column; FieldValueWidth is the
// most a field's value takes after the message before it is cut.
const (
	ColumnWidth     = 16
	FieldValueWidth = 40
)

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

// FieldOf returns the value of an entry's field key: the line's own
// field (l, parsed from e.Line), else its structured metadata, else its
// stream label.
func FieldOf(e *sources.LogEntry, l *logline.Line, key string) (string, bool) {
	if v, ok := l.Field(key); ok {
		return v, true
	}
	if v, ok := e.Metadata[key]; ok {
		return v, true
	}
	v, ok := e.Labels[key]
	return v, ok
}

// LogsHeader returns the header row of entries drawn with o: the names
// of the columns over them.
func LogsHeader(o *LogsOptions) string {
	tf := cmp.Or(o.TimeFormat, LogTimeFormat)
	b := []byte(Fit("TIME", len(tf)) + " LEVEL " + Fit("SERVICE", serviceWidth) + " ")
	for _, c := range o.Columns {
		b = append(b, Fit(strings.ToUpper(sources.Sanitize(c)), ColumnWidth)...)
		b = append(b, ' ')
	}
	b = append(b, "MESSAGE"...)
	return string(b)
}

// AppendLogEntry appends the rows of one entry, each ending in a newline,
// to buf: the time (the line's own, when it has one), the level
// (coloured), the service (in its colour), then the line's message and
// its other fields dimmed as key=value (or the whole line, with Raw),
// sanitised, with the entry's trace ID highlighted in it.
func AppendLogEntry(buf []byte, e *sources.LogEntry, o *LogsOptions) []byte {
	st := o.Styles
	if st == nil {
		st = &styles.Styles{}
	}
	loc := o.Location
	if loc == nil {
		loc = time.Local
	}
	tf := cmp.Or(o.TimeFormat, LogTimeFormat)
	svcLabels := o.ServiceLabels
	if svcLabels == nil {
		svcLabels = DefaultServiceLabels
	}
	l := &o.line
	if o.Raw {
		*l = logline.Line{Message: e.Line, Fields: l.Fields[:0]}
	} else {
		logline.ParseInto(e.Line, l)
	}

	// the prefix: time, level, service
	at := LineTime(e, l)
	if o.LokiTime {
		at = e.Time
	}
	buf = append(buf, st.Dim.On...)
	buf = at.In(loc).AppendFormat(buf, tf)
	buf = append(buf, st.Dim.Off...)
	buf = append(buf, ' ')
	level := cmp.Or(e.Level, l.Level)
	name, ok := levelNames[level]
	if !ok {
		name = "     "
	}
	lp := levelPaint(st, level)
	buf = append(buf, lp.On...)
	buf = append(buf, name...)
	buf = append(buf, lp.Off...)
	buf = append(buf, ' ')
	rawSvc := ServiceOf(e, svcLabels)
	svc := sources.Sanitize(rawSvc)
	sp := st.Service(svc)
	buf = append(buf, sp.On...)
	buf = append(buf, Fit(svc, serviceWidth)...)
	buf = append(buf, sp.Off...)
	buf = append(buf, ' ')
	indent := len(tf) + 1 + 5 + 1 + serviceWidth + 1
	for _, c := range o.Columns {
		v, _ := FieldOf(e, l, c)
		buf = append(buf, Fit(sources.Sanitize(v), ColumnWidth)...)
		buf = append(buf, ' ')
		indent += ColumnWidth + 1
	}

	text := ExpandTabs(sources.SanitizeKeepTabs(l.Message))
	if len(l.Fields) > 0 {
		text += fieldsText(l.Fields, rawSvc, st)
	}
	if o.Match != nil {
		text = markMatches(text, o.Match, st.Match())
	} else {
		text = highlight(text, e.TraceID, st.Highlight)
	}
	buf = appendWrapped(buf, text, indent, o.Width)
	if o.Labels {
		buf = append(buf, strings.Repeat(" ", indent)...)
		buf = appendWrapped(buf, st.Dim.Apply(labelText(e)), indent, o.Width)
	}
	return buf
}

// LineTime is the time to show of an entry whose line says l: the line's
// own, unless it has none, or only whole seconds that Loki's time (with
// its fraction) falls in: an access log's time is no news then, and
// would put the line out of order among the others.
func LineTime(e *sources.LogEntry, l *logline.Line) time.Time {
	if l.Time.IsZero() || (l.Time.Nanosecond() == 0 && e.Time.Truncate(time.Second).Equal(l.Time)) {
		return e.Time
	}
	return l.Time
}

// fieldsText is a line's fields after its message: dimmed key=value
// pairs, each value sanitised and cut at FieldValueWidth, quoted when it
// holds a space (but for JSON objects and arrays); a service field that only repeats the service column is
// left out.
func fieldsText(fields []logline.Field, service string, st *styles.Styles) string {
	var b strings.Builder
	for _, f := range fields {
		if f.Value == service && service != "" && (f.Key == "service" || f.Key == "service_name" || f.Key == "service.name") {
			continue
		}
		v := sources.Sanitize(f.Value)
		if Width(v) > FieldValueWidth {
			v = ansi.Truncate(v, FieldValueWidth, "…")
		}
		if v == "" || (v[0] != '{' && v[0] != '[' && strings.ContainsAny(v, " \"=")) {
			v = strconv.Quote(v) // JSON objects and arrays read as they are
		}
		b.WriteByte(' ')
		b.WriteString(st.Dim.On)
		b.WriteString(sources.Sanitize(f.Key))
		b.WriteByte('=')
		b.WriteString(v)
		b.WriteString(st.Dim.Off)
	}
	return b.String()
}

// ExpandTabs replaces each TAB in s (text without escape sequences) with
// the spaces up to the next tab stop, every 8 columns from the start of
// s, as a terminal shows a line printed at its left edge.
func ExpandTabs(s string) string {
	i := strings.IndexByte(s, '\t')
	if i < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	col := 0
	for i >= 0 {
		seg := s[:i]
		b.WriteString(seg)
		col += Width(seg)
		n := 8 - col%8
		b.WriteString(blanks[:n])
		col += n
		s = s[i+1:]
		i = strings.IndexByte(s, '\t')
	}
	b.WriteString(s)
	return b.String()
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
	wrapped := wrap(s, avail, ",") // JSON has no spaces to break at
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

// markMatches paints what re matches in line (no empty matches).
func markMatches(line string, re *regexp.Regexp, p styles.Paint) string {
	if p.On == "" {
		return line
	}
	locs := re.FindAllStringIndex(line, -1)
	if len(locs) == 0 {
		return line
	}
	var b strings.Builder
	last := 0
	for _, l := range locs {
		if l[0] == l[1] {
			continue
		}
		b.WriteString(line[last:l[0]])
		b.WriteString(p.Apply(line[l[0]:l[1]]))
		last = l[1]
	}
	b.WriteString(line[last:])
	return b.String()
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
