// Package correlate builds the queries that tie a trace to its logs:
// the LogQL of `telx logs --trace` and of the explorer's Logs pane. Pure
// functions, no I/O.
package correlate

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"text/template"
	"time"

	"github.com/telx-cli/telx/sources"
)

// Defaults of the trace log queries: the structured-metadata filter, and
// the line filter tried when it finds nothing.
const (
	DefaultTraceQuery         = `{{.Selector}} | trace_id="{{.TraceID}}"`
	DefaultTraceFallbackQuery = `{{.Selector}} |= "{{.TraceID}}"`
	DefaultServiceLabel       = "service_name"
)

// Defaults of a span's log queries: the lines carrying the span's ID in
// their structured metadata, then in their text, from the streams of any
// service: a span's lines may be labelled with another service than the
// span's (HotROD's redis-manual spans log under driver).
const (
	DefaultSpanQuery         = `{{.AnySelector}} | span_id="{{.SpanID}}"`
	DefaultSpanFallbackQuery = `{{.AnySelector}} |= "{{.SpanID}}"`
)

// Template is a query template and the name its errors carry (a flag).
// The text "-" means no query; empty means Default.
type Template struct {
	Name, Text, Default string
}

// DefaultTraceTemplates are the trace query and its fallback, with no
// text of their own.
func DefaultTraceTemplates() []Template {
	return []Template{
		{Name: "--trace-query", Default: DefaultTraceQuery},
		{Name: "--trace-fallback-query", Default: DefaultTraceFallbackQuery},
	}
}

// Selector returns the stream selector of services by label: one
// service exactly, several by an alternation, none as any value.
func Selector(label string, services []string) string {
	if label == "" {
		label = DefaultServiceLabel
	}
	switch len(services) {
	case 0:
		return "{" + label + `=~".+"}`
	case 1:
		return "{" + label + "=" + strconv.Quote(services[0]) + "}"
	}
	quoted := make([]string, len(services))
	for i, s := range services {
		quoted[i] = regexp.QuoteMeta(s)
	}
	return "{" + label + "=~" + strconv.Quote(strings.Join(quoted, "|")) + "}"
}

// TraceQueries fills the templates with the selector of services and
// the trace ID ({{.Selector}}, {{.TraceID}}, {{.ServiceLabel}}), in
// order, skipping those whose text is "-". An error names the template.
func TraceQueries(label string, services []string, id sources.TraceID, templates []Template) ([]string, error) {
	return fill(label, services, id, "", templates)
}

// SpanQuery is one of a span's log queries.
type SpanQuery struct {
	Query string
	// BySpan says its lines are the span's by their span ID.
	BySpan bool
	// DuringSpan says it asks for the lines of the span's service while
	// the span ran (SpanWindow): those that carry no trace or span ID,
	// for logs that never do.
	DuringSpan bool
}

// Keep tells whether a line q found is the span's: every line of a query
// by span ID; of a trace query in the span's service, those without
// another span's ID; of the service's lines during the span, those that
// carry no ID at all.
func (q SpanQuery) Keep(e *sources.LogEntry, span sources.SpanID) bool {
	switch {
	case q.BySpan:
		return true
	case q.DuringSpan:
		return e.TraceID == "" && e.SpanID == ""
	}
	return e.SpanID == "" || e.SpanID == span
}

// SpanWindow is the window of a DuringSpan query: the span's own time,
// with a second's slack on each side for a line logged as it ends.
func SpanWindow(s *sources.Span) sources.TimeRange {
	return sources.TimeRange{From: s.Start, To: s.End()}.Widen(time.Second)
}

// SpanQueries are the queries of one span's lines, to try in order until
// one finds lines: those carrying the span's ID (DefaultSpanQuery, then
// DefaultSpanFallbackQuery), then, for logs that carry no span IDs, the
// trace queries of templates over the span's own service, and last that
// service's lines while the span ran, for logs that carry no IDs at all
// (a database's own log). ({{.SpanID}} and {{.AnySelector}}, the
// selector of every service, are there for the templates too.) With no
// service, only the queries by span ID.
func SpanQueries(label, service string, id sources.TraceID, span sources.SpanID, templates []Template) ([]SpanQuery, error) {
	bySpan, err := fill(label, nil, id, span, []Template{
		{Name: "span query", Text: DefaultSpanQuery},
		{Name: "span fallback query", Text: DefaultSpanFallbackQuery},
	})
	if err != nil {
		return nil, err
	}
	out := make([]SpanQuery, 0, len(bySpan)+3)
	for _, q := range bySpan {
		out = append(out, SpanQuery{Query: q, BySpan: true})
	}
	if service == "" {
		return out, nil
	}
	byService, err := fill(label, []string{service}, id, span, templates)
	if err != nil {
		return nil, err
	}
	for _, q := range byService {
		out = append(out, SpanQuery{Query: q})
	}
	return append(out, SpanQuery{Query: Selector(label, []string{service}), DuringSpan: true}), nil
}

func fill(label string, services []string, id sources.TraceID, span sources.SpanID, templates []Template) ([]string, error) {
	if label == "" {
		label = DefaultServiceLabel
	}
	vars := struct{ Selector, AnySelector, TraceID, SpanID, ServiceLabel string }{
		Selector(label, services), Selector(label, nil), string(id), string(span), label}
	var queries []string
	for _, t := range templates {
		text := t.Text
		if text == "" {
			text = t.Default
		}
		if text == "-" {
			continue
		}
		tmpl, err := template.New(t.Name).Option("missingkey=error").Parse(text)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", t.Name, err)
		}
		var b strings.Builder
		if err := tmpl.Execute(&b, vars); err != nil {
			return nil, fmt.Errorf("%s: %w", t.Name, err)
		}
		queries = append(queries, b.String())
	}
	if len(queries) == 0 {
		return nil, errors.New("--trace-query: no query")
	}
	return queries, nil
}

// PatternFilter is the line filter that keeps the lines of a pattern Loki
// found (|> "…"), or with exclude drops them (!> "…"), to append to a log
// query. Loki matches its <_> against any text, and the pattern's literal
// parts in order from the line's start.
func PatternFilter(pattern string, exclude bool) string {
	op := "|> "
	if exclude {
		op = "!> "
	}
	// a raw string cannot hold a backquote, and Go's strconv.Unquote drops
	// the carriage returns of one: such a pattern is quoted with escapes
	if !strings.ContainsAny(pattern, "`\r") {
		return op + "`" + pattern + "`"
	}
	return op + strconv.Quote(pattern)
}
