package otlp

import (
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"time"

	"google.golang.org/protobuf/encoding/protowire"

	"github.com/telx-cli/telx/sources"
)

// ProtobufDecoder reads OTLP protobuf TracesData messages (what Jaeger's
// gRPC api_v3 streams) into traces, one message after another, with no
// intermediate OTLP structs: it walks the wire format with protowire and
// fills the domain model as Decode does from JSON. The traces read are the
// same as Decode gives for the same spans in OTLP JSON: IDs in hex, times
// at Precision, attributes sorted by key, bytes values in base64, spans in
// start order, Jaeger's warnings attribute as the span's warnings and its
// reference type attribute as the link's type, links without IDs as none.
//
// Each message is copied once into a string, and every string of the model
// read from it (names, keys, values) is cut from that string: a trace's
// strings cost no allocation of their own, and keep its messages alive.
type ProtobufDecoder struct {
	msg  string // the message being read
	base int    // its length: a field's offset is base - cap(field)

	spanBlocks
	traceOf []int32 // as decoder.traceOf
	ids     []sources.TraceID
	idIndex map[sources.TraceID]int // ids' indexes, once there are many
	lastRaw []byte                  // the last trace ID as sent
	last    int                     // its index in ids

	arena   sources.Attrs
	idBytes []byte
	idRefs  []idRef
	boxes   map[string]any
	hexBuf  [32]byte

	// where the reader is, for errors
	rs, ss, sp int
}

// DecodeProtobuf reads OTLP protobuf TracesData messages into traces: one
// per trace ID, in the order they first appear, spans in start order.
func DecodeProtobuf(msgs ...[]byte) ([]*sources.Trace, error) {
	var d ProtobufDecoder
	for _, m := range msgs {
		if err := d.Message(m); err != nil {
			d.Reset()
			return nil, err
		}
	}
	return d.Traces(), nil
}

// maxBoxed bounds the boxed string values a decoder shares.
const maxBoxed = 1 << 14

// maxValueDepth bounds how deep array and map values may nest.
const maxValueDepth = 64

// protoError is the error of a message that cannot be read, with where.
type protoError struct {
	path string
	err  error
}

func (e *protoError) Error() string {
	if e.path == "" {
		return "reading OTLP protobuf: " + e.err.Error()
	}
	return "reading OTLP protobuf: " + e.path + ": " + e.err.Error()
}

func (e *protoError) Unwrap() error { return e.err }

func (d *ProtobufDecoder) fail(field string, err error) error {
	return &protoError{path: fmt.Sprintf("resourceSpans[%d].scopeSpans[%d].spans[%d].%s", d.rs, d.ss, d.sp, field), err: err}
}

func wireErr(n int) error { return &protoError{err: protowire.ParseError(n)} }

// Message reads one TracesData message. It keeps nothing of b: the
// message is copied. After an error the decoder holds part of the
// message: Reset it.
func (d *ProtobufDecoder) Message(b []byte) error {
	// b is only read; the strings kept are cut from d.msg at the offsets
	// of their bytes in b
	b = b[:len(b):len(b)]
	d.msg, d.base = string(b), len(b)
	d.rs = 0
	return fields(b, func(num protowire.Number, typ protowire.Type, v []byte) error {
		if num == 1 && typ == protowire.BytesType {
			err := d.resourceSpans(v)
			d.rs++
			return err
		}
		return nil
	})
}

// str returns the string of v, a part of the message being read.
func (d *ProtobufDecoder) str(v []byte) string {
	if len(v) == 0 {
		return ""
	}
	off := d.base - cap(v)
	return d.msg[off : off+len(v)]
}

// fields calls f with each field of a message: for a length-delimited
// field v is its content, for a varint or fixed field its encoding.
func fields(b []byte, f func(num protowire.Number, typ protowire.Type, v []byte) error) error {
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return wireErr(n)
		}
		b = b[n:]
		var v []byte
		if typ == protowire.BytesType {
			v, n = protowire.ConsumeBytes(b)
		} else {
			n = protowire.ConsumeFieldValue(num, typ, b)
			if n >= 0 {
				v = b[:n]
			}
		}
		if n < 0 {
			return wireErr(n)
		}
		b = b[n:]
		if err := f(num, typ, v); err != nil {
			return err
		}
	}
	return nil
}

func varint(v []byte) uint64 {
	x, _ := protowire.ConsumeVarint(v)
	return x
}

func fixed64(v []byte) uint64 {
	x, _ := protowire.ConsumeFixed64(v)
	return x
}

func (d *ProtobufDecoder) resourceSpans(b []byte) error {
	first := d.n
	var attrs sources.Attrs
	d.ss = 0
	err := fields(b, func(num protowire.Number, typ protowire.Type, v []byte) error {
		if typ != protowire.BytesType {
			return nil
		}
		switch num {
		case 1: // resource
			return fields(v, func(num protowire.Number, typ protowire.Type, v []byte) error {
				if num != 1 || typ != protowire.BytesType {
					return nil
				}
				a, err := d.keyValue(v, 0)
				if err != nil {
					return &protoError{path: fmt.Sprintf("resourceSpans[%d].resource.attributes", d.rs), err: err}
				}
				attrs = append(attrs, a)
				return nil
			})
		case 2, 1000: // scope_spans, instrumentation_library_spans
			d.sp = 0
			err := fields(v, func(num protowire.Number, typ protowire.Type, v []byte) error {
				if num != 2 || typ != protowire.BytesType {
					return nil
				}
				err := d.spanMessage(v)
				d.sp++
				return err
			})
			d.ss++
			return err
		}
		return nil
	})
	if err != nil {
		return err
	}
	SortAttrs(attrs)
	service := ""
	var resource sources.Attrs
	for _, a := range attrs {
		if a.Key == "service.name" {
			if s, ok := a.Value.(string); ok {
				service = s
				continue
			}
		}
		resource = append(resource, a)
	}
	for i := first; i < d.n; i++ {
		s := d.span(i)
		s.Service, s.Resource = service, resource
	}
	return nil
}

func (d *ProtobufDecoder) spanMessage(b []byte) error {
	s := d.newSpan()
	var start, end uint64
	var traceID, spanID []byte
	attrsAt := len(d.arena)
	err := fields(b, func(num protowire.Number, typ protowire.Type, v []byte) error {
		switch typ {
		case protowire.BytesType:
			switch num {
			case 1:
				traceID = v
			case 2:
				spanID = v
			case 4:
				return d.spanID(&s.ParentID, v, "parentSpanId")
			case 5:
				s.Operation = d.str(v)
			case 9:
				return d.spanAttr(s, v, &attrsAt)
			case 11:
				e, err := d.event(v)
				s.Events = append(s.Events, e)
				return err
			case 13:
				l, err := d.link(v)
				s.Links = append(s.Links, l)
				return err
			case 15:
				return fields(v, func(num protowire.Number, typ protowire.Type, v []byte) error {
					switch {
					case num == 2 && typ == protowire.BytesType:
						s.Status.Message = d.str(v)
					case num == 3 && typ == protowire.VarintType:
						s.Status.Code = sources.StatusCode(int32(varint(v)))
						if s.Status.Code < sources.StatusUnset || s.Status.Code > sources.StatusError {
							s.Status.Code = sources.StatusUnset
						}
					}
					return nil
				})
			}
		case protowire.VarintType:
			if num == 6 {
				s.Kind = sources.SpanKind(int32(varint(v)))
				if s.Kind < sources.KindUnspecified || s.Kind > sources.KindConsumer {
					s.Kind = sources.KindUnspecified
				}
			}
		case protowire.Fixed64Type:
			switch num {
			case 7:
				start = fixed64(v)
			case 8:
				end = fixed64(v)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if len(traceID) == 0 {
		return d.fail("traceId", errors.New("missing"))
	}
	if err := d.setTrace(traceID); err != nil {
		return err
	}
	if len(spanID) == 0 {
		return d.fail("spanId", errors.New("missing"))
	}
	if err := d.spanID(&s.SpanID, spanID, "spanId"); err != nil {
		return err
	}
	if len(d.arena) > attrsAt {
		s.Attrs = d.arena[attrsAt:len(d.arena):len(d.arena)]
		SortAttrs(s.Attrs)
	}
	s.Warnings = KeepWarnings(s.Warnings)
	s.Start = nanosTime(int64(start))
	if int64(end) > int64(start) {
		dur := time.Duration(int64(end) - int64(start))
		if dur < 0 { // from before 1970 to after it, past a Duration's reach
			dur = math.MaxInt64
		}
		s.Duration = dur.Truncate(Precision)
	}
	return nil
}

// setTrace records the trace of the span being read, from its raw ID.
func (d *ProtobufDecoder) setTrace(raw []byte) error {
	i := d.last
	if len(d.ids) == 0 || string(raw) != string(d.lastRaw) {
		id, err := sources.ParseTraceID(hex.EncodeToString(raw))
		if err != nil {
			return d.fail("traceId", err)
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

// spanID sets *p from a raw span ID. An ID of 8 bytes, not all zero, is
// written in hex into idBytes, to be cut from one string with the IDs
// around it; any other is parsed as its hex, as Decode would read it.
func (d *ProtobufDecoder) spanID(p *sources.SpanID, raw []byte, field string) error {
	if len(raw) == 0 {
		*p = ""
		return nil
	}
	if len(raw) == 8 && string(raw) != "\x00\x00\x00\x00\x00\x00\x00\x00" {
		off := len(d.idBytes)
		d.idBytes = hex.AppendEncode(d.idBytes, raw)
		d.idRefs = append(d.idRefs, idRef{p: p, off: int32(off), end: int32(len(d.idBytes))})
		if len(d.idBytes) >= 16<<10 {
			d.flushIDs()
		}
		return nil
	}
	id, err := sources.ParseSpanID(hex.EncodeToString(raw))
	if err != nil {
		return d.fail(field, err)
	}
	*p = id
	return nil
}

func (d *ProtobufDecoder) flushIDs() {
	all := string(d.idBytes)
	for _, r := range d.idRefs {
		*r.p = sources.SpanID(all[r.off:r.end])
	}
	d.idBytes, d.idRefs = d.idBytes[:0], d.idRefs[:0]
}

// spanAttr reads one of a span's attributes into the shared arena, where
// the span's attributes start at *at; Jaeger's warnings attribute becomes
// the span's warnings.
func (d *ProtobufDecoder) spanAttr(s *sources.Span, b []byte, at *int) error {
	if len(d.arena) == cap(d.arena) {
		// move this span's attributes to a new arena
		n := len(d.arena) - *at
		next := make(sources.Attrs, n, max(2*n, 4096))
		copy(next, d.arena[*at:])
		d.arena, *at = next, 0
	}
	a, err := d.keyValue(b, 0)
	if err != nil {
		return d.fail("attributes", err)
	}
	if a.Key == jaegerWarnings {
		if ws, ok := a.Value.([]any); ok {
			for _, w := range ws {
				s.Warnings = append(s.Warnings, sources.FormatValue(w))
			}
		}
		return nil
	}
	d.arena = append(d.arena, a)
	return nil
}

func (d *ProtobufDecoder) keyValue(b []byte, depth int) (sources.Attr, error) {
	var a sources.Attr
	err := fields(b, func(num protowire.Number, typ protowire.Type, v []byte) error {
		if typ != protowire.BytesType {
			return nil
		}
		switch num {
		case 1:
			a.Key = d.str(v)
		case 2:
			var err error
			a.Value, err = d.anyValue(v, depth)
			return err
		}
		return nil
	})
	return a, err
}

// attrList reads an attribute of an event or a link into *out.
func (d *ProtobufDecoder) attrList(b []byte, out *sources.Attrs) error {
	a, err := d.keyValue(b, 0)
	if err != nil {
		return err
	}
	*out = append(*out, a)
	return nil
}

// anyValue reads an AnyValue as a Go value: string, bool, int64, float64,
// []any or map[string]any; bytes in base64, as OTLP JSON writes them.
func (d *ProtobufDecoder) anyValue(b []byte, depth int) (any, error) {
	if depth > maxValueDepth {
		return nil, fmt.Errorf("values nested more than %d deep", maxValueDepth)
	}
	var v any
	err := fields(b, func(num protowire.Number, typ protowire.Type, f []byte) error {
		switch typ {
		case protowire.BytesType:
			switch num {
			case 1:
				v = d.box(f)
			case 5:
				list := []any{}
				err := fields(f, func(num protowire.Number, typ protowire.Type, f []byte) error {
					if num != 1 || typ != protowire.BytesType {
						return nil
					}
					e, err := d.anyValue(f, depth+1)
					list = append(list, e)
					return err
				})
				v = list
				return err
			case 6:
				m := map[string]any{}
				err := fields(f, func(num protowire.Number, typ protowire.Type, f []byte) error {
					if num != 1 || typ != protowire.BytesType {
						return nil
					}
					a, err := d.keyValue(f, depth+1)
					m[a.Key] = a.Value
					return err
				})
				v = m
				return err
			case 7:
				v = base64.StdEncoding.EncodeToString(f)
			}
		case protowire.VarintType:
			switch num {
			case 2:
				v = varint(f) != 0
			case 3:
				v = int64(varint(f))
			}
		case protowire.Fixed64Type:
			if num == 4 {
				v = math.Float64frombits(fixed64(f))
			}
		}
		return nil
	})
	return v, err
}

// box returns the string of v in an interface value, boxed once for the
// same short strings.
func (d *ProtobufDecoder) box(v []byte) any {
	s := d.str(v)
	if len(s) > 64 {
		return s
	}
	if b, ok := d.boxes[s]; ok {
		return b
	}
	var b any = s
	if d.boxes == nil {
		d.boxes = make(map[string]any, 256)
	}
	if len(d.boxes) < maxBoxed {
		d.boxes[s] = b
	}
	return b
}

func (d *ProtobufDecoder) event(b []byte) (sources.Event, error) {
	var e sources.Event
	var t uint64
	err := fields(b, func(num protowire.Number, typ protowire.Type, v []byte) error {
		switch {
		case num == 1 && typ == protowire.Fixed64Type:
			t = fixed64(v)
		case num == 2 && typ == protowire.BytesType:
			e.Name = d.str(v)
		case num == 3 && typ == protowire.BytesType:
			return d.attrList(v, &e.Attrs)
		}
		return nil
	})
	if err != nil {
		return e, d.fail("events", err)
	}
	SortAttrs(e.Attrs)
	e.Time = nanosTime(int64(t))
	return e, nil
}

func (d *ProtobufDecoder) link(b []byte) (sources.SpanRef, error) {
	l := sources.SpanRef{Type: sources.RefFollowsFrom}
	err := fields(b, func(num protowire.Number, typ protowire.Type, v []byte) error {
		if typ != protowire.BytesType || len(v) == 0 && num != 4 {
			return nil
		}
		var err error
		switch num {
		case 1:
			if l.TraceID, err = sources.ParseTraceID(hex.EncodeToString(v)); err != nil {
				return fmt.Errorf("traceId: %w", err)
			}
		case 2:
			if l.SpanID, err = sources.ParseSpanID(hex.EncodeToString(v)); err != nil {
				return fmt.Errorf("spanId: %w", err)
			}
		case 4:
			return d.attrList(v, &l.Attrs)
		}
		return nil
	})
	if err != nil {
		return l, d.fail("links", err)
	}
	SortAttrs(l.Attrs)
	linkRefType(&l)
	return l, nil
}

// Traces returns the traces read so far, spans in start order, each span
// copied once into a slice allocated at its trace's size, and makes the
// decoder ready for a new answer.
func (d *ProtobufDecoder) Traces() []*sources.Trace {
	d.flushIDs()
	defer d.Reset()
	if d.n == 0 {
		return nil
	}
	return gatherTraces(d.n, d.ids, d.traceOf, nil, d.span)
}

// Reset drops what was read, and gives the span blocks back for the next
// answer.
func (d *ProtobufDecoder) Reset() {
	d.releaseSpans()
	*d = ProtobufDecoder{}
}
