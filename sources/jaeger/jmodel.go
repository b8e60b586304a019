package jaeger

import (
	"fmt"
	"strings"
	"time"

	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/sources/otlp"
)

// jspan is a span in Jaeger's own model, as both the UI JSON (/api) and
// the gRPC api_v2 give it; toDomain converts it in one place.
type jspan struct {
	traceID, spanID string
	operation       string
	refs            []jref
	start           time.Time
	duration        time.Duration
	tags            []sources.Attr
	logs            []jlog
	service         string
	process         []sources.Attr
	warnings        []string
}

type jref struct {
	typ             string // CHILD_OF or FOLLOWS_FROM
	traceID, spanID string
}

type jlog struct {
	time   time.Time
	fields []sources.Attr
}

// Tags that Jaeger derives from OTLP fields; they become the domain's
// Kind and Status, or are dropped, so that a span reads the same through
// /api, /api/v3 and gRPC.
const (
	tagSpanKind      = "span.kind"
	tagStatusCode    = "otel.status_code"
	tagStatusMessage = "otel.status_description"
	tagError         = "error"
	tagScopeName     = "otel.scope.name"
	tagScopeVersion  = "otel.scope.version"
	logEventField    = "event"
)

func (j *jspan) toDomain() (sources.Span, error) {
	tid, err := sources.ParseTraceID(j.traceID)
	if err != nil {
		return sources.Span{}, fmt.Errorf("traceID: %w", err)
	}
	sid, err := sources.ParseSpanID(j.spanID)
	if err != nil {
		return sources.Span{}, fmt.Errorf("spanID: %w", err)
	}
	s := sources.Span{
		TraceID:   tid,
		SpanID:    sid,
		Service:   j.service,
		Operation: j.operation,
		Start:     j.start.UTC().Truncate(otlp.Precision),
		Duration:  j.duration.Truncate(otlp.Precision),
	}
	errorTag := false
	for _, t := range j.tags {
		switch t.Key {
		case tagSpanKind:
			s.Kind = sources.ParseSpanKind(sources.FormatValue(t.Value))
		case tagStatusCode:
			switch strings.ToUpper(sources.FormatValue(t.Value)) {
			case "ERROR":
				s.Status.Code = sources.StatusError
			case "OK":
				s.Status.Code = sources.StatusOK
			}
		case tagStatusMessage:
			s.Status.Message = sources.FormatValue(t.Value)
		case tagError:
			errorTag = sources.FormatValue(t.Value) == "true"
			if !errorTag {
				s.Attrs = append(s.Attrs, t)
			}
		case tagScopeName, tagScopeVersion:
		default:
			s.Attrs = append(s.Attrs, t)
		}
	}
	if errorTag && s.Status.Code == sources.StatusUnset {
		s.Status.Code = sources.StatusError
	}
	otlp.SortAttrs(s.Attrs)
	for _, p := range j.process {
		if p.Key != "service.name" {
			s.Resource = append(s.Resource, p)
		}
	}
	otlp.SortAttrs(s.Resource)

	parentSet := false
	for i, r := range j.refs {
		rtid, err := sources.ParseTraceID(r.traceID)
		if err != nil {
			return sources.Span{}, fmt.Errorf("references[%d].traceID: %w", i, err)
		}
		rsid, err := sources.ParseSpanID(r.spanID)
		if err != nil {
			return sources.Span{}, fmt.Errorf("references[%d].spanID: %w", i, err)
		}
		// the parent: the first CHILD_OF reference within the trace
		if !parentSet && r.typ == "CHILD_OF" && rtid == tid {
			s.ParentID, parentSet = rsid, true
			continue
		}
		typ := sources.RefFollowsFrom
		if r.typ == "CHILD_OF" {
			typ = sources.RefChildOf
		}
		s.Links = append(s.Links, sources.SpanRef{Type: typ, TraceID: rtid, SpanID: rsid})
	}
	if !parentSet && len(s.Links) > 0 && s.Links[0].TraceID == tid {
		// as Jaeger UI: with no CHILD_OF, the first reference is the parent
		s.ParentID, s.Links = s.Links[0].SpanID, s.Links[1:]
	}
	if len(s.Links) == 0 {
		s.Links = nil
	}

	for _, l := range j.logs {
		e := sources.Event{Time: l.time.UTC().Truncate(otlp.Precision)}
		for _, f := range l.fields {
			if f.Key == logEventField && e.Name == "" {
				e.Name = sources.FormatValue(f.Value)
				continue
			}
			e.Attrs = append(e.Attrs, f)
		}
		otlp.SortAttrs(e.Attrs)
		s.Events = append(s.Events, e)
	}
	s.Warnings = otlp.KeepWarnings(j.warnings)
	return s, nil
}

// toTrace converts the spans of one trace, in start order. A span that
// cannot be read, or of another trace, is left out with a warning, so the
// rest still shows.
func toTrace(id sources.TraceID, spans []jspan, warnings []string) *sources.Trace {
	t := &sources.Trace{ID: id, Spans: make([]sources.Span, 0, len(spans))}
	t.Warnings = append(t.Warnings, warnings...)
	for i := range spans {
		s, err := spans[i].toDomain()
		if err == nil && s.TraceID != id { // listed under another trace in a UI file
			err = fmt.Errorf("of trace %s", s.TraceID)
		}
		if err != nil {
			t.Warnings = append(t.Warnings, fmt.Sprintf("span %d (%q) left out: %v", i, spans[i].spanID, err))
			continue
		}
		t.Spans = append(t.Spans, s)
	}
	otlp.SortSpans(t.Spans)
	return t
}
