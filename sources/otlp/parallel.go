package otlp

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"math/bits"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/sources/internal/jsonread"
)

// A trace's answer comes from the backend in one piece once the backend
// has gathered it (Jaeger writes its /api/v3 answer after building it
// whole): on loopback all of a 10,000-span answer arrives within 2 ms of
// its first byte, and reading it token by token on one core is most of
// what telx adds to the wait. So Decode reads the document with a scan
// that finds only where each span begins and ends (strings and nesting,
// no values), as it arrives, and hands the spans, a batch at a time, to a
// decoder on each other core while it reads on; once it has read all, the
// scan's goroutine decodes too.
//
// The scan reads only well-formed documents of the usual shape. On
// anything else (a value of the wrong kind, a name written with escapes,
// a span over maxSpanBytes, an error in a span) it stops, and the
// document is decoded again token by token from its first byte, which
// gives the error, or the result, that it always gave: at its first wrong
// token, having read little more of the document than that. Only the
// first inMemoryMax of a document is kept for that: past it, the scan
// reads on without keeping what the decoders are done with, and what
// stops it there is an error that says where (the byte, and the span).
var (
	// inMemoryMax is the most of a document kept in memory, to be
	// decoded again token by token if the scan cannot read it (a
	// 10,000-span trace from Jaeger is about 3.6 MB, 100,000 spans 36 MB;
	// the trace cap is 256 MiB). Past it the scan streams (see above).
	// Kept, a document costs its size beside the spans decoded from it;
	// past 8 MiB a 100,000-span trace reads no slower than with 48 kept,
	// and the explorer reading an answer over its 64 MiB cap peaked at
	// 221 MB with 48 (118 MB token by token).
	inMemoryMax = 8 << 20
	// bufferBytes is the size of the buffers the document is read into
	// once it is past its first few reads: a buffer full, the next one
	// gets only what the scan has not finished with (the span or the
	// value it is in), and the one before is kept as it is, never copied.
	bufferBytes = 4 << 20
	// queuedBatches is how many batches wait for the decoders at most;
	// past it the scan decodes a batch itself.
	queuedBatches = 16
	// batchBytes is about how much of the document's spans make a batch.
	// A document of less than one batch is decoded on one core.
	batchBytes = 128 << 10
	// maxSpanBytes is the largest span object the scan hands out.
	maxSpanBytes = 1 << 20
	// firstRead is the size of the first read of a document.
	firstRead = 64 << 10
	// fastSpans lets the decoders read spans of the usual shape without
	// the token decoder (see fastSpan); the tests turn it off to compare.
	fastSpans = true
)

// spanLoc is a span's place: its bytes in the document and the
// resourceSpans (its index among them) that it is in.
type spanLoc struct {
	start, end int
	resource   int
	list, k    int32 // the span is the kth of spans list (see spanLists)
}

// batch is spans handed to a decoder: buf is the document as read when
// the batch was made (reads after it may move the document in memory but
// never change what is read).
type batch struct {
	seq  int
	base int // the document's offset of buf[0]
	buf  []byte
	held *heldBuffer // buf, when it is to be given back once decoded
	locs []spanLoc
}

// heldBuffer is a buffer of a document that is not kept (streaming),
// held by the scan until it moves on and by each batch of spans in it
// until decoded: the last to let go gives it back for a later read.
type heldBuffer struct {
	buf  []byte
	refs atomic.Int32
}

// decoded says where a batch's spans went: decoder w's spans first to
// first+n, of the resources in runs (not the batch's spanLocs, which
// would be held to the end: 32 bytes a span).
type decoded struct {
	w, first, n int
	runs        []resourceRun
}

// resourceRun is n spans in a row of one resourceSpans.
type resourceRun struct{ n, resource int32 }

// runsOf is the resources of a batch's spans, as runs.
func runsOf(locs []spanLoc) []resourceRun {
	var runs []resourceRun
	for _, at := range locs {
		if k := len(runs) - 1; k >= 0 && runs[k].resource == int32(at.resource) {
			runs[k].n++
			continue
		}
		runs = append(runs, resourceRun{1, int32(at.resource)})
	}
	return runs
}

// scanner reads an OTLP JSON document (or an /api/v3 answer around one)
// from r as it needs it, finding its spans.
type scanner struct {
	r    io.Reader
	buf  []byte // the document from base on, as read
	i    int    // the scan's place in buf
	base int    // the document's offset of buf[0]
	// mark is the document's offset of the value that skip is in, whose
	// bytes a new buffer gets; -1 when there is none
	mark int
	kept [][]byte // the document before buf, in the buffers it was read into
	// streaming: the document went past inMemoryMax, and is not kept
	streaming bool
	held      *heldBuffer // buf, once streaming
	freeMu    sync.Mutex
	free      [][]byte // buffers given back
	err       error    // r's, other than io.EOF
	eof       bool

	res      *decoder     // reads the resources
	services []resourceOf // each resourceSpans' resource
	pending  []spanLoc    // spans found and not yet handed out
	// lastBatch is how many spans the last batch had
	lastBatch int
	pendSize  int

	work    chan batch
	seq     int
	failed  atomic.Bool // a span the decoders could not read
	spanErr error       // why, of the first such span in the document
	spanAt  int         // where that span begins
	// under is the path of the object whose members tracesData reads;
	// spanLists where each "spans" list is (errors give a span's path as
	// the token decoder does)
	under     string
	spanLists []spanList
	scanErr   error       // a resource that could not be read, with its path
	dropped   atomic.Bool // the scan gave up: the decoders' work is not wanted
	wg        sync.WaitGroup
	mu        sync.Mutex
	done      []decoded
	workers   []*decoder
	own       int // the scan's own decoder's index in workers; -1 before it has one
}

// resourceOf is what a resourceSpans' "resource" gives its spans.
type resourceOf struct {
	service string
	attrs   sources.Attrs
}

// fill reads more of the document; false at its end or at an error of
// r's. Past inMemoryMax it keeps no more (see streaming). It may move the scan's place to a new buffer (see
// move): callers keep offsets in the document (base+i) across it.
func (s *scanner) fill() bool {
	if s.eof || s.err != nil {
		return false
	}
	if !s.streaming && s.base+len(s.buf) >= inMemoryMax {
		s.streaming, s.kept = true, nil
	}
	if len(s.buf) == cap(s.buf) {
		if cap(s.buf) < bufferBytes {
			// eight times bigger, not grown by append's quarter for big
			// slices: each growth clears the new buffer and copies the
			// old one, and a 10,000-span answer (3.6 MB) then takes two,
			// of 512 KiB and 4 MiB (doubling took six, which cleared and
			// copied twice as much)
			s.buf = slices.Grow(s.buf[:len(s.buf):len(s.buf)], min(8*cap(s.buf), bufferBytes)-len(s.buf))
		} else {
			s.move()
		}
	}
	end := cap(s.buf)
	if !s.streaming {
		end = min(end, inMemoryMax-s.base)
	}
	n, err := s.r.Read(s.buf[len(s.buf):end])
	s.buf = s.buf[:len(s.buf)+n]
	if err == io.EOF {
		s.eof = true
	} else if err != nil {
		s.err = err
	}
	return n > 0 || (!s.eof && s.err == nil)
}

// move starts a buffer for what is read next, with the bytes that the
// scan has not finished with moved to it: from the mark, or else from the
// scan's place. The spans found in the full buffer are handed out first,
// as batches of it; it is kept for decoding again, unless streaming.
func (s *scanner) move() {
	s.handOut()
	from := s.i
	if s.mark >= 0 {
		from = min(from, s.mark-s.base)
	}
	rest := s.buf[from:]
	var buf []byte
	if s.streaming && len(rest) <= bufferBytes/2 {
		// one given back (with room to read into: a value as long as
		// the buffer gets a bigger one), taken before this one is let
		// go: what the scan read from this one stays as it was until the
		// next move
		s.freeMu.Lock()
		if k := len(s.free) - 1; k >= 0 {
			buf, s.free = s.free[k][:len(rest)], s.free[:k]
		}
		s.freeMu.Unlock()
	}
	if buf == nil {
		buf = make([]byte, len(rest), max(bufferBytes, 2*len(rest)))
	}
	copy(buf, rest)
	if !s.streaming {
		s.kept = append(s.kept, s.buf[:from:from])
	}
	if s.held != nil {
		s.letGo(s.held)
		s.held = nil
	}
	if s.streaming && cap(buf) == bufferBytes {
		s.held = &heldBuffer{buf: buf}
		s.held.refs.Store(1)
	}
	s.base += from
	s.i -= from
	s.buf = buf
}

// letGo drops a hold on a buffer; the last gives it back.
func (s *scanner) letGo(h *heldBuffer) {
	if h.refs.Add(-1) == 0 {
		s.freeMu.Lock()
		s.free = append(s.free, h.buf[:0])
		s.freeMu.Unlock()
	}
}

// document reads the document as read so far, then the rest of it from r.
func (s *scanner) document() io.Reader {
	rs := make([]io.Reader, 0, len(s.kept)+2)
	for _, b := range s.kept {
		rs = append(rs, bytes.NewReader(b))
	}
	rs = append(rs, bytes.NewReader(s.buf), s.r)
	// the scan lets go of its copy, which the token decoder drops once
	// read past it
	s.kept, s.buf = nil, nil
	return io.MultiReader(rs...)
}

// peek is the next byte that is not white space, 0 at the end.
func (s *scanner) peek() byte {
	for {
		for s.i < len(s.buf) {
			switch c := s.buf[s.i]; c {
			case ' ', '\t', '\n', '\r':
				s.i++
			default:
				return c
			}
		}
		if !s.fill() {
			return 0
		}
	}
}

// have makes sure n bytes from the scan's place are read.
func (s *scanner) have(n int) bool {
	for len(s.buf)-s.i < n {
		if !s.fill() {
			return false
		}
	}
	return true
}

// indexQuote is the index of the next '"' from j, reading on as needed;
// -1 when there is none.
func (s *scanner) indexQuote(j int) int {
	for {
		if k := bytes.IndexByte(s.buf[j:], '"'); k >= 0 {
			return j + k
		}
		at := s.base + len(s.buf)
		if !s.fill() {
			return -1
		}
		j = at - s.base
	}
}

// null reads a null in place of an object or an array; it reports
// whether there was one.
func (s *scanner) null() bool {
	if s.peek() == 'n' && s.have(4) && string(s.buf[s.i:s.i+4]) == "null" {
		s.i += 4
		return true
	}
	return false
}

// name reads an object's member name, valid until the next read; false
// when it has an escape (the token decoder reads those; the scan does
// not) or a control character.
func (s *scanner) name() ([]byte, bool) {
	if s.peek() != '"' {
		return nil, false
	}
	q := s.indexQuote(s.i + 1)
	if q < 0 {
		return nil, false
	}
	v := s.buf[s.i+1 : q]
	for _, c := range v {
		if c == '\\' || c < ' ' { // an escape; a control character, not JSON
			return nil, false
		}
	}
	s.i = q + 1
	return v, true
}

// structural marks the bytes that the scan of a value looks for.
var structural = [256]bool{'"': true, '{': true, '}': true, '[': true, ']': true}

// skip moves past one value without reading it (strings, with their
// escapes, and nesting only), giving up past about limit bytes from where
// it starts. It reports false where the document ends first or the value
// is longer; what the value holds is not checked.
func (s *scanner) skip(limit int) bool {
	c := s.peek()
	outer := s.mark
	s.mark = s.base + s.i
	ok := s.skipFrom(c, limit)
	s.mark = outer
	return ok
}

// skipFrom is skip from the value's first byte c, at the mark.
func (s *scanner) skipFrom(c byte, limit int) bool {
	if c != '{' && c != '[' && c != '"' {
		// a scalar, up to what ends it
		for {
			for ; s.i < len(s.buf); s.i++ {
				switch s.buf[s.i] {
				case ',', '}', ']', ' ', '\t', '\n', '\r':
					return s.base+s.i > s.mark
				}
			}
			if !s.fill() {
				return s.base+s.i > s.mark && s.eof
			}
		}
	}
	// the index in buf past which the value is too long; buf changes only
	// in a fill (also in skipString's)
	past := func() int {
		if s.streaming {
			return math.MaxInt
		}
		return s.mark - s.base + limit
	}
	end := past()
	depth := 0
	for {
		i, buf := s.i, s.buf
		for i < len(buf) && !structural[buf[i]] {
			i++
		}
		s.i = i
		if i == len(buf) {
			if !s.fill() {
				return false
			}
			end = past()
			continue
		}
		if i > end {
			return false
		}
		switch buf[i] {
		case '"':
			if !s.skipString() {
				return false
			}
			end = past()
		case '{', '[':
			depth++
			s.i++
		default:
			depth--
			s.i++
		}
		if depth == 0 {
			return true
		}
	}
}

// skipString moves past the string that starts at the scan's place,
// eight bytes at a time where it can.
func (s *scanner) skipString() bool {
	j := s.i + 1
	for {
		buf := s.buf
		for j < len(buf) {
			if j+8 <= len(buf) {
				m := quoteOrEscape(binary.LittleEndian.Uint64(buf[j:]))
				if m == 0 {
					j += 8
					continue
				}
				j += bits.TrailingZeros64(m) / 8
			}
			switch buf[j] {
			case '"':
				s.i = j + 1
				return true
			case '\\':
				j += 2 // past the escaped byte
			default:
				j++
			}
		}
		at := s.base + j
		if !s.fill() {
			return false
		}
		j = at - s.base
	}
}

const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
)

// quoteOrEscape has the high bit set of the first byte of w (in memory
// order) that is '"' or '\\', and maybe of bytes after it; 0 when there
// is none. (A byte b of w^(ones*c) is 0 where w's byte is c, and then
// b-1 has its high bit set and b has not; a borrow can only set the bit
// of bytes after the first such.)
func quoteOrEscape(w uint64) uint64 {
	q := w ^ (ones * '"')
	e := w ^ (ones * '\\')
	return ((q-ones)&^q | (e-ones)&^e) & highs
}

// value skips a value that the scan does not read, and checks it as the
// token decoder would, so that a document the scan reads is one that
// decoder reads too; it returns the value's bytes.
func (s *scanner) value() ([]byte, bool) {
	s.peek()
	start := s.base + s.i
	if !s.skip(s.most(inMemoryMax)) {
		return nil, false
	}
	v := s.buf[start-s.base : s.i]
	return v, jsonread.Valid(v)
}

// object reads an object's members (a null has none), calling member
// before each value, which member must read.
func (s *scanner) object(member func(name []byte) bool) bool {
	if s.null() {
		return true
	}
	if s.peek() != '{' {
		return false
	}
	s.i++
	if s.peek() == '}' {
		s.i++
		return true
	}
	for {
		name, ok := s.name()
		if !ok || s.peek() != ':' {
			return false
		}
		s.i++
		if !member(name) {
			return false
		}
		switch s.peek() {
		case ',':
			s.i++
		case '}':
			s.i++
			return true
		default:
			return false
		}
	}
}

// array reads an array (a null is empty), calling elem before each
// element, which elem must read.
func (s *scanner) array(elem func() bool) bool {
	if s.null() {
		return true
	}
	if s.peek() != '[' {
		return false
	}
	s.i++
	if s.peek() == ']' {
		s.i++
		return true
	}
	for {
		if !elem() {
			return false
		}
		switch s.peek() {
		case ',':
			s.i++
		case ']':
			s.i++
			return true
		default:
			return false
		}
	}
}

func (s *scanner) tracesData(name []byte) bool {
	switch string(name) {
	case "resourceSpans":
		i := 0
		return s.array(func() bool {
			i++
			return s.resourceSpans(i - 1)
		})
	case "result":
		under := s.under
		s.under += "result."
		ok := s.object(s.tracesData)
		s.under = under
		return ok
	}
	_, ok := s.value()
	return ok
}

// resourceSpans reads the ith element of a resourceSpans list.
func (s *scanner) resourceSpans(i int) bool {
	r := len(s.services)
	s.services = append(s.services, resourceOf{})
	return s.object(func(name []byte) bool {
		switch string(name) {
		case "resource":
			v, ok := s.value()
			if !ok {
				return false
			}
			// each "resource" read replaces what the one before said, as
			// with the token decoder
			s.res.Reset(bytes.NewBuffer(v))
			err := s.res.resourceObject(&s.services[r].service, &s.services[r].attrs)
			s.res.Reset(bytes.NewBuffer(nil))
			if err != nil {
				s.scanErr = within(fmt.Sprintf("%sresourceSpans[%d].resource", s.under, i), err)
			}
			return err == nil
		case "scopeSpans", "instrumentationLibrarySpans":
			scopes := "scopeSpans"
			if string(name) != scopes {
				scopes = "instrumentationLibrarySpans"
			}
			j := 0
			return s.array(func() bool {
				j++
				return s.object(func(name []byte) bool {
					if string(name) != "spans" {
						_, ok := s.value()
						return ok
					}
					s.mu.Lock() // the decoders read it (pathOf)
					s.spanLists = append(s.spanLists, spanList{s.under, scopes, i, j - 1})
					list, k := len(s.spanLists)-1, 0
					s.mu.Unlock()
					return s.array(func() bool {
						k++
						return s.span(spanLoc{resource: r, list: int32(list), k: int32(k - 1)})
					})
				})
			})
		}
		_, ok := s.value()
		return ok
	})
}

// most is the longest value the scan reads, limit while the document is
// kept; once it is not, there is no reading it again token by token, and
// any value is read.
func (s *scanner) most(limit int) int {
	if s.streaming {
		return math.MaxInt
	}
	return limit
}

// span finds a span's object and hands it out with the ones before it
// once they make a batch.
func (s *scanner) span(loc spanLoc) bool {
	if s.peek() != '{' || s.failed.Load() {
		return false
	}
	start := s.base + s.i
	if !s.skip(s.most(maxSpanBytes)) {
		return false
	}
	loc.start, loc.end = start-s.base, s.i
	s.pending = append(s.pending, loc)
	s.pendSize += s.base + s.i - start
	if s.pendSize >= batchBytes {
		s.handOut()
	}
	return true
}

// handOut gives the pending spans to the decoders, a batch at a time,
// starting the decoders first.
func (s *scanner) handOut() {
	if len(s.pending) == 0 {
		return
	}
	if s.work == nil {
		// a decoder per core but the scan's, which decodes too once it
		// has read all (and meanwhile when queuedBatches wait)
		n := max(1, min(runtime.GOMAXPROCS(0), 4)-1)
		s.work = make(chan batch, queuedBatches)
		for range n {
			d := &decoder{Reader: jsonread.New(bytes.NewReader(nil))}
			s.workers = append(s.workers, d)
			w := len(s.workers) - 1
			s.wg.Go(func() { s.decode(w, d) })
		}
	}
	for len(s.pending) > 0 {
		k, size := 0, 0
		for k < len(s.pending) && size < batchBytes {
			size += s.pending[k].end - s.pending[k].start
			k++
		}
		s.lastBatch = k
		b := batch{seq: s.seq, base: s.base, buf: s.buf, held: s.held, locs: s.pending[:k:k]}
		if b.held != nil {
			b.held.refs.Add(1)
		}
		select {
		case s.work <- b:
		default:
			// the decoders are behind: the scan decodes this one itself
			// (so that the batches waiting, and the document's buffers
			// they hold, stay few)
			w, d := s.ownDecoder()
			s.decodeBatch(w, d, b)
		}
		s.seq++
		s.pending = s.pending[k:]
	}
	// room for as many spans as the last batch had, and a quarter more:
	// appended one by one, a batch's spans took twice their size
	s.pending, s.pendSize = make([]spanLoc, 0, s.lastBatch+s.lastBatch/4), 0
}

// ownDecoder is the scan's own decoder (and its index in workers), which
// decodes batches when the others are behind and once the scan is done.
// Only the scan's goroutine calls it, the only one that adds to workers.
func (s *scanner) ownDecoder() (int, *decoder) {
	if s.own < 0 {
		s.workers = append(s.workers, &decoder{Reader: jsonread.New(bytes.NewReader(nil))})
		s.own = len(s.workers) - 1
	}
	return s.own, s.workers[s.own]
}

// decode is decoder w's loop: each batch's spans, each from its own bytes.
func (s *scanner) decode(w int, d *decoder) {
	for b := range s.work {
		s.decodeBatch(w, d, b)
	}
	d.flushIDs()
}

// decodeBatch decodes batch b with decoder d, the wth.
func (s *scanner) decodeBatch(w int, d *decoder, b batch) {
	if b.held != nil {
		defer s.letGo(b.held)
	}
	if s.failed.Load() || s.dropped.Load() {
		return
	}
	first := d.n
	for _, at := range b.locs {
		span := b.buf[at.start:at.end:at.end]
		if fastSpans && d.fastSpan(span) {
			continue
		}
		d.Reset(bytes.NewBuffer(span))
		err := d.spanObject()
		if err == nil && d.Dec.InputOffset() != int64(len(span)) {
			err = errors.New("more than one value") // not found by the scan, which ends the span at its '}'
		}
		if err != nil {
			s.failSpan(b.base+at.start, within(fmt.Sprintf("%s[%d]", s.pathOf(at.list), at.k), err))
			break
		}
	}
	// let go of the document as it was then: reading on may have
	// moved it
	d.Reset(bytes.NewBuffer(nil))
	s.mu.Lock()
	if len(s.done) <= b.seq {
		s.done = append(s.done, make([]decoded, b.seq+1-len(s.done))...)
	}
	s.done[b.seq] = decoded{w, first, len(b.locs), runsOf(b.locs)}
	s.mu.Unlock()
}

// spanList is where a "spans" list is: in the jth element of the scopes
// list of resourceSpans[r], in the object at under.
type spanList struct {
	under, scopes string
	r, j          int
}

// pathOf is the path of spans list i, as the token decoder's errors write
// it.
func (s *scanner) pathOf(i int32) string {
	s.mu.Lock()
	l := s.spanLists[i]
	s.mu.Unlock()
	return fmt.Sprintf("%sresourceSpans[%d].%s[%d].spans", l.under, l.r, l.scopes, l.j)
}

// within is err of the value at path: a field error's path is made
// whole; another error says where.
func within(path string, err error) error {
	var fe *jsonread.FieldError
	if errors.As(err, &fe) {
		p := path
		if fe.Path != "" {
			p += "." + fe.Path
		}
		return &jsonread.FieldError{Path: p, Err: fe.Err}
	}
	return fmt.Errorf("reading OTLP JSON: %s: %w", path, err)
}

// failSpan records that the span at the document's offset at could not
// be read, for err: the first such span is the one an error names.
func (s *scanner) failSpan(at int, err error) {
	s.mu.Lock()
	if s.spanErr == nil || at < s.spanAt {
		s.spanErr, s.spanAt = err, at
	}
	s.mu.Unlock()
	s.failed.Store(true)
}

// streamErr is why the scan stopped in a document it does not keep.
func (s *scanner) streamErr() error {
	if s.failed.Load() {
		return s.spanErr
	}
	if s.scanErr != nil {
		return s.scanErr
	}
	at := s.base + s.i
	if s.i >= len(s.buf) {
		return fmt.Errorf("reading OTLP JSON: the document ends at byte %d, unfinished", at)
	}
	next := s.buf[s.i:min(len(s.buf), s.i+16)]
	return fmt.Errorf("reading OTLP JSON: at byte %d: unexpected %q: not OTLP's shape (or a member name written with escapes, which telx reads only in the first %d MiB)",
		at, next, inMemoryMax>>20)
}

// stop ends the decoders' work and waits for them.
func (s *scanner) stop() {
	if s.work == nil {
		return
	}
	close(s.work)
	if !s.failed.Load() {
		// the scan's goroutine decodes the batches left, beside the others
		s.decode(s.ownDecoder())
	}
	s.wg.Wait()
}

func (s *scanner) release() {
	for _, d := range s.workers {
		d.release()
	}
}

// Decode reads an OTLP JSON document, or a saved /api/v3 answer (the same
// document under "result"), into traces: one per trace ID, in the order
// they first appear, spans in start order.
//
// It reads the document straight into the domain model, with no
// intermediate OTLP structs, on every core (see above): span IDs are cut
// from shared strings, names, keys and short values are interned, and the
// spans of a resource get its service whether "resource" comes before
// "scopeSpans" or after. A field of the wrong type or an unreadable ID or
// timestamp is an error that names the field, as a JSON path.
func Decode(r io.Reader) ([]*sources.Trace, error) {
	ts, _, err := decode(r)
	return ts, err
}

// decode is Decode, which also reports whether the spans were shared out
// to decoders on every core (else they were read token by token).
func decode(r io.Reader) ([]*sources.Trace, bool, error) {
	s := &scanner{r: r, buf: make([]byte, 0, firstRead), mark: -1, own: -1}
	s.res = &decoder{Reader: jsonread.New(bytes.NewReader(nil))}
	ok := s.peek() == '{' && s.object(s.tracesData)
	if ok && s.work == nil && s.pendSize < batchBytes && !s.streaming {
		// a document of less than one batch: on one core
		ts, err := decodeStream(s.document())
		return ts, false, err
	}
	if ok {
		s.handOut()
	} else {
		// what was decoded is dropped: the batches not decoded yet are
		// skipped
		s.dropped.Store(true)
	}
	s.stop()
	if ok && !s.failed.Load() {
		return s.traces(), true, nil
	}
	s.release()
	if s.err != nil && !s.failed.Load() {
		// The scan stopped where reading did (a cap, a timeout, a reset).
		// Token by token, the decoder would read on to the same error,
		// unless it found something wrong in the spans not decoded yet
		// first: the reading error says more (as the sources' readers
		// say too), and reading all again to find out costs the
		// document's size in memory once more.
		return nil, false, fmt.Errorf("reading OTLP JSON: %w", s.err)
	}
	if s.streaming {
		return nil, false, s.streamErr()
	}
	ts, err := decodeStream(s.document())
	return ts, false, err
}

// traces gathers the decoders' spans into traces, in the document's order,
// as one decoder reading it all would have.
func (s *scanner) traces() []*sources.Trace {
	type place struct{ w, i int32 }
	n := 0
	for _, b := range s.done {
		n += b.n
	}
	at := make([]place, 0, n)
	var ids []sources.TraceID
	var index map[sources.TraceID]int
	traceOf := make([]int32, 0, n)
	starts := make([]int64, 0, n)             // for the sort, read here while each span is at hand
	global := make([][]int32, len(s.workers)) // each decoder's trace indexes in ids
	for w, d := range s.workers {
		global[w] = make([]int32, len(d.ids))
		for j := range global[w] {
			global[w][j] = -1
		}
	}
	for _, b := range s.done {
		if b.n == 0 {
			continue
		}
		d := s.workers[b.w]
		k, run := 0, 0
		for left := b.runs[0].n; k < b.n; k++ {
			if left == 0 {
				run++
				left = b.runs[run].n
			}
			left--
			i := b.first + k
			at = append(at, place{int32(b.w), int32(i)})
			t := 0
			if d.traceOf != nil {
				t = int(d.traceOf[i])
			}
			if global[b.w][t] < 0 {
				global[b.w][t] = int32(traceIndex(&ids, &index, d.ids[t]))
			}
			traceOf = append(traceOf, global[b.w][t])
			sp := d.span(i)
			res := s.services[b.runs[run].resource]
			sp.Service, sp.Resource = res.service, res.attrs
			starts = append(starts, sp.Start.UnixNano())
		}
	}
	if len(ids) == 1 {
		traceOf = nil
	}
	out := gatherTraces(n, ids, traceOf, starts, func(i int) *sources.Span {
		return s.workers[at[i].w].span(int(at[i].i))
	})
	s.release()
	return out
}

// release gives a decoder's blocks of spans back.
func (d *decoder) release() { d.releaseSpans() }
