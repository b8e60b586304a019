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
	if label == "" {
		label = DefaultServiceLabel
	}
	vars := struct{ Selector, TraceID, ServiceLabel string }{Selector(label, services), string(id), label}
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
