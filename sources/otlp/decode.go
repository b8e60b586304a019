package otlp

import (
	"errors"
	"fmt"
	"io"
	"math"
	"sync"
	"time"

	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/sources/internal/jsonread"
)

// decodeStream decodes r one token after another, on one core.
func decodeStream(r io.Reader) ([]*sources.Trace, error) {
	d := &decoder{Reader: jsonread.New(r)}
	if err := d.document(); err != nil {
		if jsonread.IsFieldError(err) {
			return nil, err
		}
		return nil, fmt.Errorf("reading OTLP JSON: %w", err)
	}
	return d.traces(), nil
}

var enumNames = map[string]int{
	"SPAN_KIND_UNSPECIFIED": 0, "SPAN_KIND_INTERNAL": 1, "SPAN_KIND_SERVER": 2,
	"SPAN_KIND_CLIENT": 3, "SPAN_KIND_PRODUCER": 4, "SPAN_KIND_CONSUMER": 5,
	"STATUS_CODE_UNSET": 0, "STATUS_CODE_OK": 1, "STATUS_CODE_ERROR": 2,
}

// chunkSize is how many spans each block of the decoder's span store
// holds: blocks never move, so pointers into them stay valid.
const chunkSize = 1024

type decoder struct {
	*jsonread.Reader
	spanBlocks
	// traceOf holds each span's trace when the document holds more than
	// one; nil while every span has the first span's trace.
	traceOf []int32
	ids     []sources.TraceID       // distinct trace IDs, in order of appearance
	idIndex map[sources.TraceID]int // ids' indexes, once there are many
	lastRaw []byte                  // the last trace ID as written
	last    int                     // its index in ids
	// traceRaw is the trace ID of the span being read, as written
	traceRaw []byte

	arena   sources.Attrs
	idBytes []byte
	idRefs  []idRef

	fast fastRecord // fastSpan's scratch
}

// idRef is a span ID waiting in idBytes for the string it will be cut
// from.
type idRef struct {
	p        *sources.SpanID
	off, end int32
}

// spanBlocks is a decoder's store of spans: blocks of chunkSize spans,
// which never move, so that pointers into them stay valid.
type spanBlocks struct {
	chunks [][]sources.Span
	n      int
}

func (b *spanBlocks) span(i int) *sources.Span { return &b.chunks[i/chunkSize][i%chunkSize] }

// usedChunks keeps the blocks of spans between documents (the explorer
// opens trace after trace) as they were left: a block is cleared when it
// is taken again, so that a process that reads one document (a one-shot
// command) clears none.
var usedChunks sync.Pool

func (b *spanBlocks) newSpan() *sources.Span {
	if b.n%chunkSize == 0 {
		c, ok := usedChunks.Get().(*[chunkSize]sources.Span)
		if ok {
			clear(c[:])
		} else {
			c = new([chunkSize]sources.Span)
		}
		b.chunks = append(b.chunks, c[:])
	}
	b.n++
	return b.span(b.n - 1)
}

// releaseSpans gives the blocks back, once their spans are copied out.
func (b *spanBlocks) releaseSpans() {
	for _, c := range b.chunks {
		usedChunks.Put((*[chunkSize]sources.Span)(c))
	}
	b.chunks = nil
}

// nanos reads a timestamp in nanoseconds.
func (d *decoder) nanos() (int64, error) {
	n, err := d.Int64()
	if err != nil {
		var fe *jsonread.FieldError
		if errors.As(err, &fe) {
			fe.Err = errors.New("not an integer number of nanoseconds")
		}
	}
	return n, err
}

// enum reads an OTLP enum, a number or its name; an unknown name is 0.
func (d *decoder) enum() (int, error) {
	v, err := d.Dec.ReadValue()
	if err != nil {
		return 0, err
	}
	switch v.Kind() {
	case '0':
		n, ok := jsonread.ParseDecimal(v)
		if !ok || n < math.MinInt32 || n > math.MaxInt32 {
			return 0, nil
		}
		return int(n), nil
	case '"':
		b, err := d.Unquote(v)
		if err != nil {
			return 0, err
		}
		return enumNames[string(b)], nil
	}
	return 0, nil
}

// --- the document ---

func (d *decoder) document() error {
	if err := d.ExpectObject(); err != nil {
		return err
	}
	return d.Object(d.tracesData)
}

// tracesData reads the fields of a TracesData object, or of an /api/v3
// answer around one.
func (d *decoder) tracesData(name []byte) error {
	switch string(name) {
	case "resourceSpans":
		return d.Array(d.resourceSpans)
	case "result":
		return d.Object(d.tracesData)
	}
	return d.Skip()
}

func (d *decoder) resourceSpans() error {
	first := d.n
	service := ""
	var resource sources.Attrs
	err := d.Object(func(name []byte) error {
		switch string(name) {
		case "resource":
			return d.resourceObject(&service, &resource)
		case "scopeSpans", "instrumentationLibrarySpans":
			return d.Array(func() error {
				return d.Object(func(name []byte) error {
					if string(name) != "spans" {
						return d.Skip()
					}
					return d.Array(d.spanObject)
				})
			})
		}
		return d.Skip()
	})
	if err != nil {
		return err
	}
	for i := first; i < d.n; i++ {
		s := d.span(i)
		s.Service, s.Resource = service, resource
	}
	return nil
}

// resourceObject reads a resource: its service.name into *service, its
// other attributes, sorted, into *attrs.
func (d *decoder) resourceObject(service *string, attrs *sources.Attrs) error {
	return d.Object(func(name []byte) error {
		if string(name) != "attributes" {
			return d.Skip()
		}
		list, err := d.attrList()
		if err != nil {
			return err
		}
		*service, *attrs = "", nil
		for _, a := range list {
			if a.Key == "service.name" {
				if s, ok := a.Value.(string); ok {
					*service = s
					continue
				}
			}
			*attrs = append(*attrs, a)
		}
		SortAttrs(*attrs)
		return nil
	})
}

func (d *decoder) spanObject() error {
	s := d.newSpan()
	var start, end int64
	var raw []byte
	haveTrace, haveSpan := false, false
	err := d.Object(func(name []byte) error {
		var err error
		switch string(name) {
		case "traceId":
			if raw, err = d.RawString(); err != nil {
				return err
			}
			if len(d.ids) == 0 || string(raw) != string(d.lastRaw) {
				// checked here, to fail at it; kept once the span is read
				// (a second traceId replaces the first, as with fastSpan)
				if _, err := sources.ParseTraceID(string(raw)); err != nil {
					return d.Fail(err)
				}
			}
			d.traceRaw = append(d.traceRaw[:0], raw...)
			haveTrace = true
			return nil
		case "spanId":
			haveSpan = true
			return d.spanID(&s.SpanID, true)
		case "parentSpanId":
			return d.spanID(&s.ParentID, false)
		case "name":
			s.Operation, err = d.String()
		case "kind":
			var k int
			k, err = d.enum()
			s.Kind = spanKind(k)
		case "startTimeUnixNano":
			start, err = d.nanos()
		case "endTimeUnixNano":
			end, err = d.nanos()
		case "attributes":
			s.Attrs, err = d.spanAttrs(s)
		case "events":
			err = d.Array(func() error {
				e, err := d.event()
				s.Events = append(s.Events, e)
				return err
			})
		case "links":
			err = d.Array(func() error {
				l, err := d.link()
				s.Links = append(s.Links, l) // with its IDs, or without (as sent)
				return err
			})
		case "status":
			err = d.Object(func(name []byte) error {
				var err error
				switch string(name) {
				case "code":
					var c int
					c, err = d.enum()
					s.Status.Code = statusCode(c)
				case "message":
					s.Status.Message, err = d.String()
				default:
					err = d.Skip()
				}
				return err
			})
		default:
			err = d.Skip()
		}
		return err
	})
	if err != nil {
		return err
	}
	if !haveTrace {
		return d.Fail(errors.New("traceId: missing"))
	}
	if !haveSpan {
		return d.Fail(errors.New("spanId: missing"))
	}
	_ = d.setTrace(d.traceRaw) // which cannot fail now
	setTimes(s, start, end)
	return nil
}

// spanKind is an OTLP span kind, unspecified when unknown.
func spanKind(k int) sources.SpanKind {
	if kind := sources.SpanKind(k); kind >= sources.KindUnspecified && kind <= sources.KindConsumer {
		return kind
	}
	return sources.KindUnspecified
}

// statusCode is an OTLP status code, unset when unknown.
func statusCode(c int) sources.StatusCode {
	if code := sources.StatusCode(c); code >= sources.StatusUnset && code <= sources.StatusError {
		return code
	}
	return sources.StatusUnset
}

// setTimes gives s its start and duration from its timestamps in
// nanoseconds.
func setTimes(s *sources.Span, start, end int64) {
	s.Start = nanosTime(start)
	if end > start {
		dur := time.Duration(end - start)
		if dur < 0 { // from before 1970 to after it, past a Duration's reach
			dur = math.MaxInt64
		}
		s.Duration = dur.Truncate(Precision)
	}
}

// setTrace records the trace of the span being read.
func (d *decoder) setTrace(raw []byte) error {
	i := d.last
	if len(d.ids) == 0 || string(raw) != string(d.lastRaw) {
		id, err := sources.ParseTraceID(string(raw))
		if err != nil {
			return d.Fail(err)
		}
		d.lastRaw = append(d.lastRaw[:0], raw...)
		i = traceIndex(&d.ids, &d.idIndex, id)
		d.last = i
	}
	if i > 0 && d.traceOf == nil {
		d.traceOf = make([]int32, d.n-1, max(d.n, 64))
	}
	if d.traceOf != nil {
		d.traceOf = append(d.traceOf[:d.n-1], int32(i))
	}
	return nil
}

// spanID reads a span ID into p; empty is no ID (no parent), unless the ID
// is required (a span's own). A normalised ID waits in idBytes, to be cut
// from one string with the IDs around it.
func (d *decoder) spanID(p *sources.SpanID, required bool) error {
	raw, err := d.RawString()
	if err != nil {
		return err
	}
	if len(raw) == 0 {
		if required {
			_, err := sources.ParseSpanID("")
			return d.Fail(err)
		}
		*p = ""
		return nil
	}
	if sources.IsNormalID(raw, 16) {
		d.keepID(p, raw)
		return nil
	}
	id, err := sources.ParseSpanID(string(raw))
	if err != nil {
		return d.Fail(err)
	}
	*p = id
	return nil
}

// keepID queues a normalised ID for p in idBytes, to be cut from one
// string with the IDs around it.
func (d *decoder) keepID(p *sources.SpanID, raw []byte) {
	off := len(d.idBytes)
	d.idBytes = append(d.idBytes, raw...)
	d.idRefs = append(d.idRefs, idRef{p: p, off: int32(off), end: int32(len(d.idBytes))})
	if len(d.idBytes) >= 16<<10 {
		d.flushIDs()
	}
}

func (d *decoder) flushIDs() {
	all := string(d.idBytes)
	for _, r := range d.idRefs {
		*r.p = sources.SpanID(all[r.off:r.end])
	}
	d.idBytes, d.idRefs = d.idBytes[:0], d.idRefs[:0]
}

// spanAttrs reads a span's attributes into the shared arena; Jaeger's
// warnings attribute becomes the span's warnings.
func (d *decoder) spanAttrs(s *sources.Span) (sources.Attrs, error) {
	start := len(d.arena)
	err := d.Array(func() error {
		start = d.arenaRoom(start)
		a, err := d.keyValue()
		if err != nil {
			return err
		}
		if a.Key == jaegerWarnings {
			if ws, ok := a.Value.([]any); ok {
				for _, w := range ws {
					s.Warnings = append(s.Warnings, sources.FormatValue(w))
				}
				s.Warnings = KeepWarnings(s.Warnings)
			}
			return nil
		}
		d.arena = append(d.arena, a)
		return nil
	})
	if err != nil || len(d.arena) == start {
		return nil, err
	}
	out := d.arena[start:len(d.arena):len(d.arena)]
	SortAttrs(out)
	return out, nil
}

// arenaRoom makes room in the arena for one more attribute of the span
// whose attributes begin at start, moving them to a new arena when it is
// full; it returns where they begin then.
func (d *decoder) arenaRoom(start int) int {
	if len(d.arena) < cap(d.arena) {
		return start
	}
	n := len(d.arena) - start
	next := make(sources.Attrs, n, max(2*n, 4096))
	copy(next, d.arena[start:])
	d.arena = next
	return 0
}

// attrList reads a list of attributes into their own slice.
func (d *decoder) attrList() (sources.Attrs, error) {
	var out sources.Attrs
	err := d.Array(func() error {
		a, err := d.keyValue()
		out = append(out, a)
		return err
	})
	SortAttrs(out)
	return out, err
}

func (d *decoder) keyValue() (sources.Attr, error) {
	var a sources.Attr
	err := d.Object(func(name []byte) error {
		var err error
		switch string(name) {
		case "key":
			a.Key, err = d.String()
		case "value":
			a.Value, err = d.anyValue()
		default:
			err = d.Skip()
		}
		return err
	})
	return a, err
}

// anyValue reads an AnyValue as a Go value: string, bool, int64, float64,
// []any or map[string]any; bytes stay base64, as sent.
func (d *decoder) anyValue() (any, error) {
	var v any
	err := d.Object(func(name []byte) error {
		switch string(name) {
		case "stringValue":
			b, err := d.RawString()
			if err != nil {
				return err
			}
			v = d.Box(b)
			return nil
		case "bytesValue":
			s, err := d.RawString()
			v = string(s)
			return err
		case "boolValue":
			t, err := d.Dec.ReadValue()
			if err != nil {
				return err
			}
			switch string(t) {
			case "true", `"true"`:
				v = true
			case "false", `"false"`, "null":
				v = false
			default:
				return d.Fail(fmt.Errorf("%s is not a boolean", jsonread.Clip(t)))
			}
			return nil
		case "intValue":
			n, err := d.Int64()
			v = n
			return err
		case "doubleValue":
			f, err := d.Float64()
			v = f
			return err
		case "arrayValue":
			list := []any{}
			err := d.Object(func(name []byte) error {
				if string(name) != "values" {
					return d.Skip()
				}
				return d.Array(func() error {
					e, err := d.anyValue()
					list = append(list, e)
					return err
				})
			})
			v = list
			return err
		case "kvlistValue":
			m := map[string]any{}
			err := d.Object(func(name []byte) error {
				if string(name) != "values" {
					return d.Skip()
				}
				return d.Array(func() error {
					a, err := d.keyValue()
					m[a.Key] = a.Value
					return err
				})
			})
			v = m
			return err
		}
		return d.Skip()
	})
	return v, err
}

func (d *decoder) event() (sources.Event, error) {
	e := sources.Event{Time: nanosTime(0)}
	err := d.Object(func(name []byte) error {
		var err error
		switch string(name) {
		case "timeUnixNano":
			var n int64
			n, err = d.nanos()
			e.Time = nanosTime(n)
		case "name":
			e.Name, err = d.String()
		case "attributes":
			e.Attrs, err = d.attrList()
		default:
			err = d.Skip()
		}
		return err
	})
	return e, err
}

func (d *decoder) link() (sources.SpanRef, error) {
	l := sources.SpanRef{Type: sources.RefFollowsFrom}
	err := d.Object(func(name []byte) error {
		switch string(name) {
		case "traceId":
			raw, err := d.RawString()
			if err != nil || len(raw) == 0 { // empty, as proto3 JSON writes no ID
				return err
			}
			if l.TraceID, err = sources.ParseTraceID(string(raw)); err != nil {
				return d.Fail(err)
			}
			return nil
		case "spanId":
			raw, err := d.RawString()
			if err != nil || len(raw) == 0 {
				return err
			}
			if l.SpanID, err = sources.ParseSpanID(string(raw)); err != nil {
				return d.Fail(err)
			}
			return nil
		case "attributes":
			var err error
			l.Attrs, err = d.attrList()
			return err
		}
		return d.Skip()
	})
	linkRefType(&l)
	return l, err
}

// traces gathers the spans read into traces, spans in start order, each
// span copied once into a slice allocated at its trace's size.
func (d *decoder) traces() []*sources.Trace {
	d.flushIDs()
	if d.n == 0 {
		return nil
	}
	out := gatherTraces(d.n, d.ids, d.traceOf, nil, d.span)
	// the spans are copied out: their blocks serve the next document (the
	// explorer opens trace after trace)
	d.release()
	return out
}

func nanosTime(n int64) time.Time {
	return time.Unix(0, n).UTC().Truncate(Precision)
}
