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

// SpanQuery is one of a span's log queries. BySpan says its lines are the
// span's by their span ID; the others are its trace's lines in its
// service, of which a line carrying another span's ID is not the span's.
type SpanQuery struct {
	Query  string
	BySpan bool
}

// SpanQueries are the queries of one span's lines, to try in order until
// one finds lines: those carrying the span's ID (DefaultSpanQuery, then
// DefaultSpanFallbackQuery), and last, for logs that carry no span IDs,
// the trace queries of templates over the span's own service.
// ({{.SpanID}} and {{.AnySelector}}, the selector of every service, are
// there for the templates too.)
func SpanQueries(label, service string, id sources.TraceID, span sources.SpanID, templates []Template) ([]SpanQuery, error) {
	bySpan, err := fill(label, nil, id, span, []Template{
		{Name: "span query", Text: DefaultSpanQuery},
		{Name: "span fallback query", Text: DefaultSpanFallbackQuery},
	})
	if err != nil {
		return nil, err
	}
	byService, err := fill(label, []string{service}, id, span, templates)
	if err != nil {
		return nil, err
	}
	out := make([]SpanQuery, 0, len(bySpan)+len(byService))
	for _, q := range bySpan {
		out = append(out, SpanQuery{Query: q, BySpan: true})
	}
	for _, q := range byService {
		out = append(out, SpanQuery{Query: q})
	}
	return out, nil
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
	if !strings.Contains(pattern, "`") {
		return op + "`" + pattern + "`"
	}
	return op + strconv.Quote(pattern)
}
