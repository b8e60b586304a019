package render

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/tui/styles"
)

// SpanDetails returns the lines describing one span of a tree: service
// and operation, kind and IDs, timing (start, duration, self time),
// status, warnings, attributes, resource, events and links, in width
// cells (attribute values wrap, other lines are cut). Every text that came from the backend is sanitised.
func SpanDetails(tr *sources.Tree, nd *sources.Node, width int, st *styles.Styles, loc *time.Location) []string {
	if st == nil {
		st = styles.New(false)
	}
	s := nd.Span
	var lines []string
	add := func(text string) { lines = append(lines, ansi.Truncate(text, max(1, width), "…")) }
	section := func(title string) {
		lines = append(lines, "")
		add(st.Header.Apply(title))
	}
	// attribute values wrap: a statement or a message is read whole
	kv := func(k, v string) {
		text := wrap(st.Dim.Apply(sources.Sanitize(k)+" = ")+sources.Sanitize(v), max(1, width), " ,/")
		for _, l := range strings.Split(text, "\n") {
			add(l)
		}
	}

	add(st.Service(s.Service).Apply(sources.Sanitize(s.Service)) + " " + st.Bold.Apply(sources.Sanitize(s.Operation)))
	add(st.Dim.Apply(fmt.Sprintf("%s · span %s", s.Kind, s.SpanID)))
	if s.ParentID != "" {
		add(st.Dim.Apply("parent " + string(s.ParentID)))
	}
	lines = append(lines, "")
	add("start     " + Timestamp(s.Start, loc) + st.Dim.Apply(" ("+Offset(s.Start.Sub(tr.Range.From))+")"))
	add("duration  " + st.Bold.Apply(Duration(s.Duration)))
	add("self time " + Duration(nd.SelfTime))
	if nd.Critical {
		add("          " + st.Critical.Apply(MarkCritical+" on the critical path"))
	}
	if s.IsError() {
		msg := s.Status.Message
		if msg == "" {
			msg = "error"
		}
		add("status    " + st.Error.Apply(MarkError+" "+sources.Sanitize(msg)))
	} else {
		add("status    " + s.Status.Code.String())
	}
	var warns []string
	if nd.Skew {
		warns = append(warns, "starts before or ends after its parent (clock skew?)")
	}
	if nd.Orphan {
		warns = append(warns, "its parent is not in the trace")
	}
	if nd.Duplicate {
		warns = append(warns, "another span has the same ID")
	}
	warns = append(warns, s.Warnings...)
	for _, w := range warns {
		add(st.Warn.Apply(MarkWarn + " " + sources.Sanitize(w)))
	}
	if len(s.Attrs) > 0 {
		section("Attributes")
		for _, a := range s.Attrs {
			kv(a.Key, a.String())
		}
	}
	if len(s.Events) > 0 {
		section("Events")
		for _, e := range s.Events {
			add(st.Dim.Apply(Offset(e.Time.Sub(s.Start))+" ") + sources.Sanitize(e.Name))
			for _, a := range e.Attrs {
				kv("  "+a.Key, a.String())
			}
		}
	}
	if len(s.Links) > 0 {
		section("Links")
		for _, l := range s.Links {
			add(fmt.Sprintf("%s trace %s span %s", l.Type, l.TraceID, l.SpanID))
		}
	}
	if len(s.Resource) > 0 {
		section("Resource")
		for _, a := range s.Resource {
			kv(a.Key, a.String())
		}
	}
	return lines
}
