package fuzzcheck

import (
	"encoding/binary"
	"fmt"
	"time"

	"github.com/telx-cli/telx/sources"
)

// A trace as fuzz bytes: one record per span, until the bytes run out,
//
//	id        1 byte: the span ID is id+1 (so IDs repeat, as duplicates)
//	parent    1 byte: 0 none, else the span ID parent (maybe missing, the
//	          span itself, or a cycle)
//	start     8 bytes, big-endian: Unix microseconds (Jaeger's unit, whose
//	          range reaches far past what a Duration spans)
//	duration  8 bytes, big-endian: nanoseconds, negative too (Jaeger's can be)
//	flags     1 byte: kind (bits 0-2, mod 6), status (bits 3-4, mod 3), an
//	          event (bit 5), a link (bit 6), a warning (bit 7)
//	service, operation, status message: each a length byte and its bytes
//	attributes: a count byte (mod 4), each a key and a value as strings
//	event:    8 bytes of Unix microseconds, and a name
//
// A record cut short ends the trace. Every field a decoder may give takes
// any value here: the tree, the critical path, the statistics and the
// renderers must cope with what Jaeger or an OTLP file can hold.
const fuzzTraceID = sources.TraceID("4bf92f3577b34da6a3ce929d0e0e4736")

// reader consumes fuzz bytes.
type reader struct {
	b  []byte
	ok bool
}

func (r *reader) byte() byte {
	if len(r.b) < 1 {
		r.ok = false
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}

func (r *reader) int64() int64 {
	if len(r.b) < 8 {
		r.ok = false
		r.b = nil
		return 0
	}
	v := int64(binary.BigEndian.Uint64(r.b))
	r.b = r.b[8:]
	return v
}

func (r *reader) str() string {
	n := int(r.byte())
	if n > len(r.b) {
		n = len(r.b)
	}
	s := string(r.b[:n])
	r.b = r.b[n:]
	return s
}

func spanID(b byte) sources.SpanID { return sources.SpanID(fmt.Sprintf("%016x", int(b)+1)) }

// TraceFrom builds a trace from fuzz bytes (see above), its spans in start
// order as every decoder gives them.
func TraceFrom(b []byte) *sources.Trace {
	t := &sources.Trace{ID: fuzzTraceID}
	r := &reader{b: b, ok: true}
	for len(r.b) > 0 {
		var s sources.Span
		s.TraceID = t.ID
		s.SpanID = spanID(r.byte())
		if p := r.byte(); p != 0 {
			s.ParentID = spanID(p - 1)
		}
		s.Start = time.UnixMicro(r.int64()).UTC()
		s.Duration = time.Duration(r.int64())
		flags := r.byte()
		s.Kind = sources.SpanKind(flags & 7 % 6)
		s.Status.Code = sources.StatusCode(flags >> 3 & 3 % 3)
		s.Service, s.Operation, s.Status.Message = r.str(), r.str(), r.str()
		for n := r.byte() % 4; n > 0 && r.ok; n-- {
			s.Attrs = append(s.Attrs, sources.Attr{Key: r.str(), Value: r.str()})
		}
		if flags&32 != 0 {
			s.Events = append(s.Events, sources.Event{Time: time.UnixMicro(r.int64()).UTC(), Name: r.str()})
		}
		if flags&64 != 0 {
			s.Links = append(s.Links, sources.SpanRef{Type: sources.RefFollowsFrom, TraceID: t.ID, SpanID: spanID(r.byte())})
		}
		if flags&128 != 0 {
			s.Warnings = append(s.Warnings, r.str())
		}
		if !r.ok {
			break
		}
		t.Spans = append(t.Spans, s)
	}
	sortByStart(t.Spans)
	return t
}

// sortByStart orders spans by start, stably (as the decoders do, by time).
func sortByStart(spans []sources.Span) {
	for i := 1; i < len(spans); i++ {
		for j := i; j > 0 && spans[j].Start.Before(spans[j-1].Start); j-- {
			spans[j], spans[j-1] = spans[j-1], spans[j]
		}
	}
}

// TraceBytes writes a trace as TraceFrom reads it, for seeds: span IDs
// become their position (mod 255), strings are cut to 255 bytes, and
// what the format has no room for (more attributes, events, links) is
// left out.
func TraceBytes(t *sources.Trace) []byte {
	pos := map[sources.SpanID]int{}
	for i := range t.Spans {
		if _, ok := pos[t.Spans[i].SpanID]; !ok {
			pos[t.Spans[i].SpanID] = i % 255
		}
	}
	var out []byte
	str := func(s string) {
		if len(s) > 255 {
			s = s[:255]
		}
		out = append(out, byte(len(s)))
		out = append(out, s...)
	}
	i64 := func(v int64) { out = binary.BigEndian.AppendUint64(out, uint64(v)) }
	for i := range t.Spans {
		s := &t.Spans[i]
		out = append(out, byte(pos[s.SpanID]))
		if p, ok := pos[s.ParentID]; ok && s.ParentID != "" {
			out = append(out, byte(p+1))
		} else if s.ParentID != "" {
			out = append(out, 255) // a parent not in the trace
		} else {
			out = append(out, 0)
		}
		i64(s.Start.UnixMicro())
		i64(int64(s.Duration))
		flags := byte(s.Kind)&7 | byte(s.Status.Code)&3<<3
		if len(s.Events) > 0 {
			flags |= 32
		}
		if len(s.Links) > 0 {
			flags |= 64
		}
		if len(s.Warnings) > 0 {
			flags |= 128
		}
		out = append(out, flags)
		str(s.Service)
		str(s.Operation)
		str(s.Status.Message)
		n := min(len(s.Attrs), 3)
		out = append(out, byte(n))
		for _, a := range s.Attrs[:n] {
			str(a.Key)
			str(a.String())
		}
		if len(s.Events) > 0 {
			i64(s.Events[0].Time.UnixMicro())
			str(s.Events[0].Name)
		}
		if len(s.Links) > 0 {
			out = append(out, byte(pos[s.Links[0].SpanID]))
		}
		if len(s.Warnings) > 0 {
			str(s.Warnings[0])
		}
	}
	return out
}

// RecordedTraces are the traces of the recorded Jaeger fixtures, as
// TraceBytes writes them, for seeds of the tree's and the renderers'
// fuzz tests; decode reads a fixture (Jaeger UI JSON, or OTLP).
func RecordedTraces(f interface {
	Helper()
	Fatal(...any)
}, decode func([]byte) ([]*sources.Trace, error), fixtures ...[]byte) [][]byte {
	f.Helper()
	var out [][]byte
	for _, b := range fixtures {
		ts, err := decode(b)
		if err != nil {
			f.Fatal(err)
		}
		for _, t := range ts {
			out = append(out, TraceBytes(t))
		}
	}
	return out
}
