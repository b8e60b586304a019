package otlp

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/telx-cli/telx/sources"
)

// Decode reads an OTLP JSON document, or a saved /api/v3 answer (the same
// document under "result"), into traces: one per trace ID, in the order
// they first appear, spans in start order.
//
// It reads the document as a stream of tokens straight into the domain
// model, with no intermediate OTLP structs: span IDs are cut from shared
// strings, names, keys and short values are interned, and the spans of a
// resource get its service whether "resource" comes before "scopeSpans" or
// after. A field of the wrong type or an unreadable ID or timestamp is an
// error that names the field, as a JSON path.
func Decode(r io.Reader) ([]*sources.Trace, error) {
	d := &decoder{dec: jsontext.NewDecoder(r, jsontext.AllowInvalidUTF8(true), jsontext.AllowDuplicateNames(true))}
	if err := d.document(); err != nil {
		var fe *fieldError
		if errors.As(err, &fe) {
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

// parseDecimal reads a plain decimal integer of at most 19 digits, with an
// optional minus sign, without allocating; anything else (and overflow) is
// left to strconv.
func parseDecimal(b []byte) (int64, bool) {
	neg := false
	if len(b) > 0 && b[0] == '-' {
		neg, b = true, b[1:]
	}
	if len(b) == 0 || len(b) > 19 {
		return 0, false
	}
	var u uint64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		u = u*10 + uint64(c-'0')
	}
	if u > math.MaxInt64 {
		return 0, false
	}
	if neg {
		return -int64(u), true
	}
	return int64(u), true
}

// fieldError is a value that was read but is not what its field holds.
type fieldError struct {
	path string
	err  error
}

func (e *fieldError) Error() string { return e.path + ": " + e.err.Error() }
func (e *fieldError) Unwrap() error { return e.err }

// chunkSize is how many spans each block of the decoder's span store
// holds: blocks never move, so pointers into them stay valid.
const chunkSize = 1024

// maxInterned bounds the strings and boxed values a decoder shares.
const maxInterned = 1 << 14

type decoder struct {
	dec *jsontext.Decoder
	buf []byte // scratch for unquoting

	chunks [][]sources.Span
	n      int
	// traceOf holds each span's trace when the document holds more than
	// one; nil while every span has the first span's trace.
	traceOf []int32
	ids     []sources.TraceID // distinct trace IDs, in order of appearance
	lastRaw []byte            // the last trace ID as written

	arena   sources.Attrs
	strs    map[string]string
	boxes   map[string]any
	idBytes []byte
	idRefs  []idRef
}

// idRef is a span ID waiting in idBytes for the string it will be cut
// from.
type idRef struct {
	p        *sources.SpanID
	off, end int32
}

func (d *decoder) span(i int) *sources.Span { return &d.chunks[i/chunkSize][i%chunkSize] }

func (d *decoder) newSpan() *sources.Span {
	if d.n%chunkSize == 0 {
		d.chunks = append(d.chunks, make([]sources.Span, chunkSize))
	}
	d.n++
	return d.span(d.n - 1)
}

// fail returns a fieldError at the value just read.
func (d *decoder) fail(err error) error {
	return &fieldError{path: pointerPath(d.dec.StackPointer()), err: err}
}

// pointerPath writes a JSON pointer as a path: /a/0/b is a[0].b.
func pointerPath(p jsontext.Pointer) string {
	var b strings.Builder
	for tok := range p.Tokens() {
		if _, err := strconv.Atoi(tok); err == nil {
			b.WriteString("[" + tok + "]")
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(tok)
	}
	return b.String()
}

// --- tokens ---

// object reads an object, calling field with each name (valid until the
// next read) positioned before its value. A null is an empty object.
func (d *decoder) object(field func(name []byte) error) error {
	if ok, err := d.enter('{', "an object"); !ok {
		return err
	}
	for d.dec.PeekKind() != '}' {
		v, err := d.dec.ReadValue()
		if err != nil {
			return err
		}
		name, err := d.unquote(v)
		if err != nil {
			return err
		}
		if err := field(name); err != nil {
			return err
		}
	}
	_, err := d.dec.ReadToken()
	return err
}

// array reads an array, calling elem before each element. A null is an
// empty array.
func (d *decoder) array(elem func() error) error {
	if ok, err := d.enter('[', "an array"); !ok {
		return err
	}
	for d.dec.PeekKind() != ']' {
		if err := elem(); err != nil {
			return err
		}
	}
	_, err := d.dec.ReadToken()
	return err
}

// enter reads the opening delimiter of an object ('{') or an array
// ('['); false, with no error, for a null; an error naming what was
// wanted for any other value.
func (d *decoder) enter(open jsontext.Kind, want string) (bool, error) {
	switch d.dec.PeekKind() {
	case 'n':
		_, err := d.dec.ReadToken()
		return false, err
	case open:
		_, err := d.dec.ReadToken()
		return err == nil, err
	}
	if _, err := d.dec.ReadValue(); err != nil {
		return false, err
	}
	return false, d.fail(errors.New("want " + want))
}

// unquote returns a string value's contents, valid until the next read.
func (d *decoder) unquote(v jsontext.Value) ([]byte, error) {
	if len(v) < 2 || v[0] != '"' {
		return nil, d.fail(fmt.Errorf("want a string, not %s", clip(v)))
	}
	body := v[1 : len(v)-1]
	if bytes.IndexByte(body, '\\') < 0 {
		return body, nil
	}
	// the decoder has checked the syntax; the only error left is invalid
	// UTF-8, which is kept as U+FFFD
	d.buf, _ = jsontext.AppendUnquote(d.buf[:0], v)
	return d.buf, nil
}

// clip shortens a raw value for an error message.
func clip(v []byte) string {
	if len(v) > 40 {
		return string(v[:40]) + "…"
	}
	return string(v)
}

// rawString reads a string value (null is empty), valid until the next
// read.
func (d *decoder) rawString() ([]byte, error) {
	v, err := d.dec.ReadValue()
	if err != nil {
		return nil, err
	}
	if v.Kind() == 'n' {
		return nil, nil
	}
	return d.unquote(v)
}

// str reads a string value, interned when short.
func (d *decoder) str() (string, error) {
	b, err := d.rawString()
	if err != nil {
		return "", err
	}
	return d.intern(b), nil
}

func (d *decoder) intern(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	if len(b) > 64 {
		return string(b)
	}
	if s, ok := d.strs[string(b)]; ok {
		return s
	}
	s := string(b)
	if d.strs == nil {
		d.strs = map[string]string{}
	}
	if len(d.strs) < maxInterned {
		d.strs[s] = s
	}
	return s
}

// box returns a short string as an interface value, boxed once.
func (d *decoder) box(b []byte) any {
	if len(b) > 64 {
		return string(b)
	}
	if v, ok := d.boxes[string(b)]; ok {
		return v
	}
	var v any = d.intern(b)
	if d.boxes == nil {
		d.boxes = map[string]any{}
	}
	if len(d.boxes) < maxInterned {
		d.boxes[string(b)] = v
	}
	return v
}

// integer reads a 64-bit integer written as a string or a number.
func (d *decoder) integer() (int64, error) {
	v, err := d.dec.ReadValue()
	if err != nil {
		return 0, err
	}
	b := []byte(v)
	switch v.Kind() {
	case 'n':
		return 0, nil
	case '"':
		if b, err = d.unquote(v); err != nil {
			return 0, err
		}
	case '0':
	default:
		return 0, d.fail(fmt.Errorf("%s is not an integer", clip(v)))
	}
	if len(b) == 0 {
		return 0, nil
	}
	if n, ok := parseDecimal(b); ok {
		return n, nil
	}
	if n, err := strconv.ParseInt(string(b), 10, 64); err == nil {
		return n, nil
	}
	// some encoders write unsigned nanoseconds past int64
	if u, err := strconv.ParseUint(string(b), 10, 64); err == nil {
		return int64(u), nil
	}
	return 0, d.fail(fmt.Errorf("%s is not a 64-bit integer", clip(v)))
}

// nanos reads a timestamp in nanoseconds.
func (d *decoder) nanos() (int64, error) {
	n, err := d.integer()
	var fe *fieldError
	if errors.As(err, &fe) {
		fe.err = errors.New("not an integer number of nanoseconds")
	}
	return n, err
}

// enum reads an OTLP enum, a number or its name; an unknown name is 0.
func (d *decoder) enum() (int, error) {
	v, err := d.dec.ReadValue()
	if err != nil {
		return 0, err
	}
	switch v.Kind() {
	case '0':
		n, ok := parseDecimal(v)
		if !ok || n < math.MinInt32 || n > math.MaxInt32 {
			return 0, nil
		}
		return int(n), nil
	case '"':
		b, err := d.unquote(v)
		if err != nil {
			return 0, err
		}
		return enumNames[string(b)], nil
	}
	return 0, nil
}

// double reads a float written as a number, a numeric string, or "NaN",
// "Infinity" or "-Infinity".
func (d *decoder) double() (float64, error) {
	v, err := d.dec.ReadValue()
	if err != nil {
		return 0, err
	}
	b := []byte(v)
	if v.Kind() == '"' {
		if b, err = d.unquote(v); err != nil {
			return 0, err
		}
		switch string(b) {
		case "NaN":
			return math.NaN(), nil
		case "Infinity":
			return math.Inf(1), nil
		case "-Infinity":
			return math.Inf(-1), nil
		}
	} else if v.Kind() != '0' {
		return 0, d.fail(fmt.Errorf("%s is not a number", clip(v)))
	}
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		return 0, d.fail(fmt.Errorf("%q is not a number", b))
	}
	return f, nil
}

// --- the document ---

func (d *decoder) document() error {
	if k := d.dec.PeekKind(); k != '{' {
		if _, err := d.dec.ReadValue(); err != nil {
			return err
		}
		return errors.New("not a JSON object")
	}
	return d.object(d.tracesData)
}

// tracesData reads the fields of a TracesData object, or of an /api/v3
// answer around one.
func (d *decoder) tracesData(name []byte) error {
	switch string(name) {
	case "resourceSpans":
		return d.array(d.resourceSpans)
	case "result":
		return d.object(d.tracesData)
	}
	return d.dec.SkipValue()
}

func (d *decoder) resourceSpans() error {
	first := d.n
	service := ""
	var resource sources.Attrs
	err := d.object(func(name []byte) error {
		switch string(name) {
		case "resource":
			return d.object(func(name []byte) error {
				if string(name) != "attributes" {
					return d.dec.SkipValue()
				}
				attrs, err := d.attrList()
				if err != nil {
					return err
				}
				service, resource = "", nil
				for _, a := range attrs {
					if a.Key == "service.name" {
						if s, ok := a.Value.(string); ok {
							service = s
							continue
						}
					}
					resource = append(resource, a)
				}
				SortAttrs(resource)
				return nil
			})
		case "scopeSpans", "instrumentationLibrarySpans":
			return d.array(func() error {
				return d.object(func(name []byte) error {
					if string(name) != "spans" {
						return d.dec.SkipValue()
					}
					return d.array(d.spanObject)
				})
			})
		}
		return d.dec.SkipValue()
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

func (d *decoder) spanObject() error {
	s := d.newSpan()
	var start, end int64
	var raw []byte
	haveTrace, haveSpan := false, false
	err := d.object(func(name []byte) error {
		var err error
		switch string(name) {
		case "traceId":
			if raw, err = d.rawString(); err != nil {
				return err
			}
			haveTrace = true
			return d.setTrace(raw)
		case "spanId":
			haveSpan = true
			return d.spanID(&s.SpanID)
		case "parentSpanId":
			return d.spanID(&s.ParentID)
		case "name":
			s.Operation, err = d.str()
		case "kind":
			var k int
			k, err = d.enum()
			s.Kind = sources.SpanKind(k)
			if s.Kind < sources.KindUnspecified || s.Kind > sources.KindConsumer {
				s.Kind = sources.KindUnspecified
			}
		case "startTimeUnixNano":
			start, err = d.nanos()
		case "endTimeUnixNano":
			end, err = d.nanos()
		case "attributes":
			s.Attrs, err = d.spanAttrs(s)
		case "events":
			err = d.array(func() error {
				e, err := d.event()
				s.Events = append(s.Events, e)
				return err
			})
		case "links":
			err = d.array(func() error {
				l, err := d.link()
				s.Links = append(s.Links, l)
				return err
			})
		case "status":
			err = d.object(func(name []byte) error {
				var err error
				switch string(name) {
				case "code":
					var c int
					c, err = d.enum()
					s.Status.Code = sources.StatusCode(c)
					if s.Status.Code < sources.StatusUnset || s.Status.Code > sources.StatusError {
						s.Status.Code = sources.StatusUnset
					}
				case "message":
					s.Status.Message, err = d.str()
				default:
					err = d.dec.SkipValue()
				}
				return err
			})
		default:
			err = d.dec.SkipValue()
		}
		return err
	})
	if err != nil {
		return err
	}
	if !haveTrace {
		return d.fail(errors.New("traceId: missing"))
	}
	if !haveSpan {
		return d.fail(errors.New("spanId: missing"))
	}
	s.Start = nanosTime(start)
	if dur := time.Duration(end - start); dur > 0 {
		s.Duration = dur.Truncate(Precision)
	}
	return nil
}

// setTrace records the trace of the span being read.
func (d *decoder) setTrace(raw []byte) error {
	i := len(d.ids) - 1
	if i < 0 || string(raw) != string(d.lastRaw) {
		id, err := sources.ParseTraceID(string(raw))
		if err != nil {
			return d.fail(err)
		}
		d.lastRaw = append(d.lastRaw[:0], raw...)
		i = -1
		for j, known := range d.ids {
			if known == id {
				i = j
				break
			}
		}
		if i < 0 {
			d.ids = append(d.ids, id)
			i = len(d.ids) - 1
		}
	}
	if i > 0 && d.traceOf == nil {
		d.traceOf = make([]int32, d.n-1, max(d.n, 64))
	}
	if d.traceOf != nil {
		d.traceOf = append(d.traceOf[:d.n-1], int32(i))
	}
	return nil
}

// spanID reads a span ID into p. A normalised ID waits in idBytes, to be
// cut from one string with the IDs around it.
func (d *decoder) spanID(p *sources.SpanID) error {
	raw, err := d.rawString()
	if err != nil {
		return err
	}
	if len(raw) == 0 {
		*p = ""
		return nil
	}
	if sources.IsNormalID(raw, 16) {
		off := len(d.idBytes)
		d.idBytes = append(d.idBytes, raw...)
		d.idRefs = append(d.idRefs, idRef{p: p, off: int32(off), end: int32(len(d.idBytes))})
		if len(d.idBytes) >= 16<<10 {
			d.flushIDs()
		}
		return nil
	}
	id, err := sources.ParseSpanID(string(raw))
	if err != nil {
		return d.fail(err)
	}
	*p = id
	return nil
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
	err := d.array(func() error {
		if len(d.arena) == cap(d.arena) {
			// move this span's attributes to a new arena
			n := len(d.arena) - start
			next := make(sources.Attrs, n, max(2*n, 4096))
			copy(next, d.arena[start:])
			d.arena, start = next, 0
		}
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

// attrList reads a list of attributes into their own slice.
func (d *decoder) attrList() (sources.Attrs, error) {
	var out sources.Attrs
	err := d.array(func() error {
		a, err := d.keyValue()
		out = append(out, a)
		return err
	})
	SortAttrs(out)
	return out, err
}

func (d *decoder) keyValue() (sources.Attr, error) {
	var a sources.Attr
	err := d.object(func(name []byte) error {
		var err error
		switch string(name) {
		case "key":
			a.Key, err = d.str()
		case "value":
			a.Value, err = d.anyValue()
		default:
			err = d.dec.SkipValue()
		}
		return err
	})
	return a, err
}

// anyValue reads an AnyValue as a Go value: string, bool, int64, float64,
// []any or map[string]any; bytes stay base64, as sent.
func (d *decoder) anyValue() (any, error) {
	var v any
	err := d.object(func(name []byte) error {
		switch string(name) {
		case "stringValue":
			b, err := d.rawString()
			if err != nil {
				return err
			}
			v = d.box(b)
			return nil
		case "bytesValue":
			s, err := d.rawString()
			v = string(s)
			return err
		case "boolValue":
			t, err := d.dec.ReadValue()
			if err != nil {
				return err
			}
			switch string(t) {
			case "true", `"true"`:
				v = true
			case "false", `"false"`, "null":
				v = false
			default:
				return d.fail(fmt.Errorf("%s is not a boolean", clip(t)))
			}
			return nil
		case "intValue":
			n, err := d.integer()
			v = n
			return err
		case "doubleValue":
			f, err := d.double()
			v = f
			return err
		case "arrayValue":
			list := []any{}
			err := d.object(func(name []byte) error {
				if string(name) != "values" {
					return d.dec.SkipValue()
				}
				return d.array(func() error {
					e, err := d.anyValue()
					list = append(list, e)
					return err
				})
			})
			v = list
			return err
		case "kvlistValue":
			m := map[string]any{}
			err := d.object(func(name []byte) error {
				if string(name) != "values" {
					return d.dec.SkipValue()
				}
				return d.array(func() error {
					a, err := d.keyValue()
					m[a.Key] = a.Value
					return err
				})
			})
			v = m
			return err
		}
		return d.dec.SkipValue()
	})
	return v, err
}

func (d *decoder) event() (sources.Event, error) {
	e := sources.Event{Time: nanosTime(0)}
	err := d.object(func(name []byte) error {
		var err error
		switch string(name) {
		case "timeUnixNano":
			var n int64
			n, err = d.nanos()
			e.Time = nanosTime(n)
		case "name":
			e.Name, err = d.str()
		case "attributes":
			e.Attrs, err = d.attrList()
		default:
			err = d.dec.SkipValue()
		}
		return err
	})
	return e, err
}

func (d *decoder) link() (sources.SpanRef, error) {
	l := sources.SpanRef{Type: sources.RefFollowsFrom}
	err := d.object(func(name []byte) error {
		switch string(name) {
		case "traceId":
			raw, err := d.rawString()
			if err != nil {
				return err
			}
			if l.TraceID, err = sources.ParseTraceID(string(raw)); err != nil {
				return d.fail(err)
			}
			return nil
		case "spanId":
			raw, err := d.rawString()
			if err != nil {
				return err
			}
			if l.SpanID, err = sources.ParseSpanID(string(raw)); err != nil {
				return d.fail(err)
			}
			return nil
		case "attributes":
			var err error
			l.Attrs, err = d.attrList()
			return err
		}
		return d.dec.SkipValue()
	})
	return l, err
}

// traces gathers the spans read into traces, spans in start order, each
// span copied once into a slice allocated at its trace's size.
func (d *decoder) traces() []*sources.Trace {
	d.flushIDs()
	if d.n == 0 {
		return nil
	}
	out := make([]*sources.Trace, len(d.ids))
	counts := make([]int, len(d.ids))
	if d.traceOf == nil {
		counts[0] = d.n
	} else {
		for _, t := range d.traceOf {
			counts[t]++
		}
	}
	for i, id := range d.ids {
		out[i] = &sources.Trace{ID: id, Spans: make([]sources.Span, 0, counts[i])}
	}
	order := sortedOrder(d.n, d.span)
	for k := 0; k < d.n; k++ {
		i := k
		if order != nil {
			i = int(order[k])
		}
		t := 0
		if d.traceOf != nil {
			t = int(d.traceOf[i])
		}
		s := d.span(i)
		s.TraceID = d.ids[t]
		out[t].Spans = append(out[t].Spans, *s)
	}
	d.chunks = nil
	return out
}

func nanosTime(n int64) time.Time {
	return time.Unix(0, n).UTC().Truncate(Precision)
}
