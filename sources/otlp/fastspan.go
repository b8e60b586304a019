package otlp

import (
	"encoding/binary"
	"math"
	"math/bits"
	"strconv"

	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/sources/internal/jsonread"
)

// The spans a backend sends are nearly all of one plain shape: names and
// strings of ASCII with no escapes, IDs in lower-case hex,
// timestamps and integers as decimal strings, attributes of strings,
// integers, booleans and doubles. Read token by token, most of a span's
// cost is the token decoder's bookkeeping; fastSpan reads such a span
// straight from its bytes. It reads in two steps, first every value into
// a scratch record, then the span from the record, so that on anything
// else (an escape, a byte past ASCII, a null, a name given twice, a value
// of a kind it does not read) it stops having changed nothing, and the
// span is read token by token: the same span, or the same error, as ever.

// fastAttr is an attribute as read: one of its values, by kind.
type fastAttr struct {
	key  []byte
	kind byte // 's' string, 'i' int, 'b' bool, 'd' double
	str  []byte
	num  int64
	dbl  float64
	flag bool
}

// fastEvent is an event as read; its attributes are attrs[from:to] of the
// record's eventAttrs.
type fastEvent struct {
	time     int64
	name     []byte
	from, to int
	hasAttrs bool
}

// fastRecord is a span as read, kept by its decoder between spans.
type fastRecord struct {
	traceID, spanID, parentID, name, statusMsg []byte
	kind, code                                 int
	start, end                                 int64
	attrs, eventAttrs                          []fastAttr
	events                                     []fastEvent
	hasEvents                                  bool
}

// fastReader reads a span object's bytes.
type fastReader struct {
	b []byte
	i int
}

func (r *fastReader) ws() {
	if r.i < len(r.b) && r.b[r.i] > ' ' {
		return // compact JSON: no white space at all
	}
	for r.i < len(r.b) {
		switch r.b[r.i] {
		case ' ', '\t', '\n', '\r':
			r.i++
		default:
			return
		}
	}
}

// next is the next byte that is not white space, 0 at the end.
func (r *fastReader) next() byte {
	r.ws()
	if r.i < len(r.b) {
		return r.b[r.i]
	}
	return 0
}

// eat reads c, the next byte but white space.
func (r *fastReader) eat(c byte) bool {
	if r.next() != c {
		return false
	}
	r.i++
	return true
}

// str reads a string of ASCII with no escapes and no control characters
// but DEL, which the token decoder reads as they are; its bytes are the
// object's.
func (r *fastReader) str() ([]byte, bool) {
	if !r.eat('"') {
		return nil, false
	}
	start := r.i
	for r.i+8 <= len(r.b) {
		w := binary.LittleEndian.Uint64(r.b[r.i:])
		// a quote, a backslash, a control character or a byte past ASCII
		if m := quoteOrEscape(w) | (w-ones*' ')&^w&highs | w&highs; m != 0 {
			r.i += bits.TrailingZeros64(m) / 8
			break
		}
		r.i += 8
	}
	for ; r.i < len(r.b); r.i++ {
		switch c := r.b[r.i]; {
		case c == '"':
			r.i++
			return r.b[start : r.i-1], true
		case c == '\\' || c < ' ' || c >= 0x80:
			return nil, false
		}
	}
	return nil, false
}

// number reads a JSON number, as its grammar has it.
func (r *fastReader) number() ([]byte, bool) {
	r.ws()
	b, start := r.b, r.i
	i := start
	digits := func() bool {
		from := i
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		return i > from
	}
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case !digits():
		return nil, false
	}
	if i < len(b) && b[i] == '.' {
		i++
		if !digits() {
			return nil, false
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if !digits() {
			return nil, false
		}
	}
	r.i = i
	return b[start:i], true
}

// literal reads true or false.
func (r *fastReader) literal() (bool, bool) {
	r.ws()
	rest := r.b[r.i:]
	switch {
	case len(rest) >= 4 && string(rest[:4]) == "true":
		r.i += 4
		return true, true
	case len(rest) >= 5 && string(rest[:5]) == "false":
		r.i += 5
		return false, true
	}
	return false, false
}

// object reads an object, calling member with each name; member gives
// the name's bit (0 for a name that may come again), and a name given
// twice (which the token decoder reads in its own way) fails.
func (r *fastReader) object(member func(name []byte) (uint32, bool)) bool {
	if !r.eat('{') {
		return false
	}
	if r.eat('}') {
		return true
	}
	var seen uint32
	for {
		name, ok := r.str()
		if !ok || !r.eat(':') {
			return false
		}
		bit, ok := member(name)
		if !ok || seen&bit != 0 {
			return false
		}
		seen |= bit
		if r.eat('}') {
			return true
		}
		if !r.eat(',') {
			return false
		}
	}
}

// array reads an array, calling elem for each element.
func (r *fastReader) array(elem func() bool) bool {
	if !r.eat('[') {
		return false
	}
	if r.eat(']') {
		return true
	}
	for {
		if !elem() {
			return false
		}
		if r.eat(']') {
			return true
		}
		if !r.eat(',') {
			return false
		}
	}
}

// int64 reads what decoder.Int64 reads without help: a decimal integer of
// at most 19 digits, as a string ("" is 0) or a number.
func (r *fastReader) int64() (int64, bool) {
	if r.next() == '"' {
		b, ok := r.str()
		if !ok {
			return 0, false
		}
		if len(b) == 0 {
			return 0, true
		}
		return jsonread.ParseDecimal(b)
	}
	b, ok := r.number()
	if !ok {
		return 0, false
	}
	return jsonread.ParseDecimal(b)
}

// enum reads what decoder.enum reads: a number (0 unless an int32 in
// decimal) or a name (0 unless known).
func (r *fastReader) enum() (int, bool) {
	if r.next() == '"' {
		b, ok := r.str()
		return enumNames[string(b)], ok
	}
	b, ok := r.number()
	if !ok {
		return 0, false
	}
	n, ok := jsonread.ParseDecimal(b)
	if !ok || n < math.MinInt32 || n > math.MaxInt32 {
		return 0, true
	}
	return int(n), true
}

// scalar reads a value that the span does not keep: a plain string, a
// number or a literal.
func (r *fastReader) scalar() bool {
	switch r.next() {
	case '"':
		_, ok := r.str()
		return ok
	case 't', 'f':
		_, ok := r.literal()
		return ok
	}
	_, ok := r.number()
	return ok
}

// keyValue reads an attribute with one value of a kind it reads.
func (r *fastReader) keyValue(a *fastAttr) bool {
	if r.shapedKeyValue(a) {
		return true
	}
	haveKey := false
	a.kind = 0
	return r.object(func(name []byte) (uint32, bool) {
		switch string(name) {
		case "key":
			var ok bool
			a.key, ok = r.str()
			haveKey = true
			return 1, ok
		case "value":
			return 2, r.anyValue(a)
		}
		return 0, r.scalar()
	}) && haveKey && a.kind != 0
}

// shapedKeyValue reads an attribute written as encoders most often write
// one, {"key":"k","value":{"stringValue":"v"}} or with "intValue":"n",
// by matching its bytes (a fifth of the time of reading its members one
// by one, as keyValue does); it reports false, having read nothing, for
// any other, which keyValue reads as it always has.
func (r *fastReader) shapedKeyValue(a *fastAttr) bool {
	at := r.i
	if r.lit(`{"key":`) {
		if key, ok := r.str(); ok && r.lit(`,"value":{"`) {
			switch {
			case r.lit(`stringValue":`):
				if v, ok := r.str(); ok && r.lit(`}}`) {
					a.key, a.kind, a.str = key, 's', v
					return true
				}
			case r.lit(`intValue":`) && r.i < len(r.b) && r.b[r.i] == '"':
				if v, ok := r.str(); ok && r.lit(`}}`) {
					n, ok := int64(0), true
					if len(v) > 0 {
						n, ok = jsonread.ParseDecimal(v)
					}
					if ok {
						a.key, a.kind, a.num = key, 'i', n
						return true
					}
				}
			}
		}
	}
	r.i = at
	return false
}

// lit reads s, the next bytes as they are (no white space before them).
func (r *fastReader) lit(s string) bool {
	if len(r.b)-r.i >= len(s) && string(r.b[r.i:r.i+len(s)]) == s {
		r.i += len(s)
		return true
	}
	return false
}

// anyValue reads an AnyValue of one member: a string, an integer, a
// boolean or a double.
func (r *fastReader) anyValue(a *fastAttr) bool {
	a.kind = 0
	return r.object(func(name []byte) (uint32, bool) {
		// one member only: with more, the token decoder's last one wins
		var ok bool
		switch string(name) {
		case "stringValue":
			a.kind = 's'
			a.str, ok = r.str()
		case "intValue":
			a.kind = 'i'
			a.num, ok = r.int64()
		case "boolValue":
			a.kind = 'b'
			a.flag, ok = r.literal()
		case "doubleValue":
			a.kind = 'd'
			var b []byte
			if b, ok = r.number(); ok {
				var err error
				a.dbl, err = strconv.ParseFloat(string(b), 64)
				ok = err == nil
			}
		}
		return 1, ok
	})
}

// attrs reads a list of attributes, appended to *to.
func (r *fastReader) attrs(to *[]fastAttr) bool {
	return r.array(func() bool {
		*to = append(*to, fastAttr{})
		return r.keyValue(&(*to)[len(*to)-1])
	})
}

// reset empties f, keeping its lists' room.
func (f *fastRecord) reset() {
	*f = fastRecord{attrs: f.attrs[:0], eventAttrs: f.eventAttrs[:0], events: f.events[:0]}
}

// read reads the span object that is all of r's bytes into f.
func (r *fastReader) read(f *fastRecord) bool {
	f.reset()
	if r.shapedSpan(f) {
		return true
	}
	r.i = 0
	f.reset()
	haveTrace, haveSpan := false, false
	ok := r.object(func(name []byte) (uint32, bool) {
		var ok bool
		switch string(name) {
		case "traceId":
			f.traceID, ok = r.str()
			haveTrace = true
			return 1 << 0, ok && sources.IsNormalID(f.traceID, 32)
		case "spanId":
			f.spanID, ok = r.str()
			haveSpan = true
			return 1 << 1, ok && sources.IsNormalID(f.spanID, 16)
		case "parentSpanId":
			f.parentID, ok = r.str()
			return 1 << 2, ok && (len(f.parentID) == 0 || sources.IsNormalID(f.parentID, 16))
		case "name":
			f.name, ok = r.str()
			return 1 << 3, ok
		case "kind":
			f.kind, ok = r.enum()
			return 1 << 4, ok
		case "startTimeUnixNano":
			f.start, ok = r.int64()
			return 1 << 5, ok
		case "endTimeUnixNano":
			f.end, ok = r.int64()
			return 1 << 6, ok
		case "attributes":
			return 1 << 7, r.attrs(&f.attrs)
		case "events":
			f.hasEvents = true
			return 1 << 8, r.array(func() bool { return r.event(f) })
		case "status":
			return 1 << 9, r.status(f)
		case "links":
			return 0, false
		}
		return 0, r.scalar()
	})
	r.ws()
	return ok && haveTrace && haveSpan && r.i == len(r.b)
}

// shapedSpan reads a span written as Jaeger writes one (its members in
// the order of OTLP's protocol, from traceId to status, those it has
// none of left out) by matching each member's name where it comes, not
// reading it and looking it up (a fifth less time for the spans of a
// 10,000-span trace); it reports false for any other, which read then
// reads member by member, from the start.
func (r *fastReader) shapedSpan(f *fastRecord) bool {
	var ok bool
	if !r.lit(`{"traceId":`) {
		return false
	}
	if f.traceID, ok = r.str(); !ok || !sources.IsNormalID(f.traceID, 32) || !r.lit(`,"spanId":`) {
		return false
	}
	if f.spanID, ok = r.str(); !ok || !sources.IsNormalID(f.spanID, 16) {
		return false
	}
	if r.lit(`,"parentSpanId":`) {
		if f.parentID, ok = r.str(); !ok || (len(f.parentID) != 0 && !sources.IsNormalID(f.parentID, 16)) {
			return false
		}
	}
	if r.lit(`,"flags":`) && !r.scalar() {
		return false
	}
	if !r.lit(`,"name":`) {
		return false
	}
	if f.name, ok = r.str(); !ok {
		return false
	}
	if r.lit(`,"kind":`) {
		if f.kind, ok = r.enum(); !ok {
			return false
		}
	}
	if !r.lit(`,"startTimeUnixNano":`) {
		return false
	}
	if f.start, ok = r.int64(); !ok || !r.lit(`,"endTimeUnixNano":`) {
		return false
	}
	if f.end, ok = r.int64(); !ok {
		return false
	}
	if r.lit(`,"attributes":`) && !r.attrs(&f.attrs) {
		return false
	}
	if r.lit(`,"events":`) {
		f.hasEvents = true
		if !r.array(func() bool { return r.event(f) }) {
			return false
		}
	}
	if r.lit(`,"status":`) && !r.status(f) {
		return false
	}
	return r.lit("}") && r.i == len(r.b)
}

// status reads a span's status into f.
func (r *fastReader) status(f *fastRecord) bool {
	return r.object(func(name []byte) (uint32, bool) {
		var ok bool
		switch string(name) {
		case "code":
			f.code, ok = r.enum()
			return 1, ok
		case "message":
			f.statusMsg, ok = r.str()
			return 2, ok
		}
		return 0, r.scalar()
	})
}

// event reads an event into f's events.
func (r *fastReader) event(f *fastRecord) bool {
	f.events = append(f.events, fastEvent{from: len(f.eventAttrs)})
	e := &f.events[len(f.events)-1]
	ok := r.object(func(name []byte) (uint32, bool) {
		var ok bool
		switch string(name) {
		case "timeUnixNano":
			e.time, ok = r.int64()
			return 1, ok
		case "name":
			e.name, ok = r.str()
			return 2, ok
		case "attributes":
			e.hasAttrs = true
			return 4, r.attrs(&f.eventAttrs)
		}
		return 0, r.scalar()
	})
	e.to = len(f.eventAttrs)
	return ok
}

// fastSpan reads the span object b if it is of the plain shape (see
// above), as spanObject would; false, having changed nothing, if not.
func (d *decoder) fastSpan(b []byte) bool {
	r := fastReader{b: b}
	f := &d.fast
	if !r.read(f) {
		return false
	}
	if len(d.ids) == 0 || string(f.traceID) != string(d.lastRaw) {
		// a trace ID setTrace has not seen last: checked before any change
		if _, err := sources.ParseTraceID(string(f.traceID)); err != nil {
			return false
		}
	}
	s := d.newSpan()
	_ = d.setTrace(f.traceID) // which cannot fail now
	d.fastID(&s.SpanID, f.spanID)
	d.fastID(&s.ParentID, f.parentID)
	s.Operation = d.Intern(f.name)
	s.Kind = spanKind(f.kind)
	s.Attrs = d.fastSpanAttrs(f.attrs)
	if f.hasEvents {
		s.Events = make([]sources.Event, 0, len(f.events))
		for _, e := range f.events {
			ev := sources.Event{Time: nanosTime(e.time), Name: d.Intern(e.name)}
			if e.hasAttrs && e.to > e.from {
				ev.Attrs = make(sources.Attrs, 0, e.to-e.from)
				for _, a := range f.eventAttrs[e.from:e.to] {
					ev.Attrs = append(ev.Attrs, d.fastAttr(a))
				}
				sortAttrsASCII(ev.Attrs)
			}
			s.Events = append(s.Events, ev)
		}
		if len(s.Events) == 0 {
			s.Events = nil
		}
	}
	s.Status.Code = statusCode(f.code)
	s.Status.Message = d.Intern(f.statusMsg)
	setTimes(s, f.start, f.end)
	return true
}

// fastID keeps a normal span ID (or none) as spanID does.
func (d *decoder) fastID(p *sources.SpanID, raw []byte) {
	if len(raw) == 0 {
		*p = ""
		return
	}
	d.keepID(p, raw)
}

func (d *decoder) fastAttr(a fastAttr) sources.Attr {
	out := sources.Attr{Key: d.Intern(a.key)}
	switch a.kind {
	case 's':
		out.Value = d.Box(a.str)
	case 'i':
		out.Value = a.num
	case 'b':
		out.Value = a.flag
	case 'd':
		out.Value = a.dbl
	}
	return out
}

// fastSpanAttrs keeps a span's attributes in the shared arena, as
// spanAttrs does.
func (d *decoder) fastSpanAttrs(attrs []fastAttr) sources.Attrs {
	start := len(d.arena)
	for _, a := range attrs {
		if string(a.key) == jaegerWarnings {
			continue // warnings come as a list, which the fast read leaves
		}
		start = d.arenaRoom(start)
		d.arena = append(d.arena, d.fastAttr(a))
	}
	if len(d.arena) == start {
		return nil
	}
	out := d.arena[start:len(d.arena):len(d.arena)]
	sortAttrsASCII(out) // str reads no byte past ASCII
	return out
}
