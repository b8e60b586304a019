// Package jsonread reads JSON documents as a stream of tokens, for the
// decoders that build telx's domain model straight from a backend's answer
// (OTLP JSON, Jaeger UI JSON) with no intermediate structs. It wraps
// go-json-experiment's jsontext.Decoder with what those decoders share:
// objects and arrays read through callbacks, null taken as empty, strings
// read without copies or interned, 64-bit numbers written as strings, and
// errors that name the field as a JSON path.
package jsonread

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/go-json-experiment/json/jsontext"
)

// Reader reads one JSON document.
type Reader struct {
	Dec *jsontext.Decoder

	buf   []byte // scratch for unquoting
	strs  map[string]string
	boxes map[string]any
}

// New reads r. Invalid UTF-8 is kept (telx's sanitiser deals with it) and
// duplicate names are not looked for.
func New(r io.Reader) *Reader {
	return &Reader{Dec: jsontext.NewDecoder(r, options...)}
}

var options = []jsontext.Options{jsontext.AllowInvalidUTF8(true), jsontext.AllowDuplicateNames(true)}

// Reset reads r afresh, keeping what the Reader has interned. A
// *bytes.Buffer is read in place.
func (d *Reader) Reset(r io.Reader) { d.Dec.Reset(r, options...) }

// Valid tells whether b is one JSON value, as a Reader reads it: invalid
// UTF-8 and duplicate names allowed.
func Valid(b []byte) bool { return jsontext.Value(b).IsValid(options...) }

// FieldError is a value that was read but is not what its field holds.
type FieldError struct {
	Path string // as a[0].b
	Err  error
}

func (e *FieldError) Error() string { return e.Path + ": " + e.Err.Error() }
func (e *FieldError) Unwrap() error { return e.Err }

// IsFieldError tells whether err is (or wraps) a FieldError: a document
// that reads as JSON but holds something wrong.
func IsFieldError(err error) bool {
	var fe *FieldError
	return errors.As(err, &fe)
}

// Fail returns a FieldError at the value just read.
func (d *Reader) Fail(err error) error {
	return &FieldError{Path: pointerPath(d.Dec.StackPointer()), Err: err}
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
		b.WriteString(Printable(tok))
	}
	return b.String()
}

// Skip skips the next value.
func (d *Reader) Skip() error { return d.Dec.SkipValue() }

// NotObjectError is a document that does not start with an object, as
// ObjectStart found at its first byte.
type NotObjectError struct{ What string }

func (e *NotObjectError) Error() string { return e.What }

// ObjectStart reads r up to its first byte that is not white space and
// fails at once, with a *NotObjectError naming what it found, when that
// byte does not open an object: a decoder that reads a document whole
// before decoding it would read all of a huge wrong one first. The reader
// it returns reads all of r.
func ObjectStart(r io.Reader) (io.Reader, error) {
	br := bufio.NewReaderSize(r, 4096)
	for {
		b, err := br.ReadByte()
		if err != nil {
			if err == io.EOF {
				return nil, &NotObjectError{"an empty answer, not a JSON object"}
			}
			return nil, err
		}
		var what string
		switch {
		case b == ' ' || b == '\t' || b == '\n' || b == '\r':
			continue
		case b == '{':
			return io.MultiReader(bytes.NewReader([]byte{'{'}), br), nil
		case b == '[':
			what = "not a JSON object but an array"
		case b == '"':
			what = "not a JSON object but a string"
		case b == '-' || (b >= '0' && b <= '9'):
			what = "not a JSON object but a number"
		case b == 't' || b == 'f':
			what = "not a JSON object but a boolean"
		case b == 'n':
			what = "not a JSON object but null"
		case b == '<':
			what = "not JSON but HTML or XML"
		default:
			what = fmt.Sprintf("not JSON (it starts with %q)", b)
		}
		return nil, &NotObjectError{what}
	}
}

// Object reads an object, calling field with each name (valid until the
// next read) positioned before its value, which field must read or skip.
// A null is an empty object.
func (d *Reader) Object(field func(name []byte) error) error {
	if ok, err := d.enter('{', "an object"); !ok {
		return err
	}
	for d.Dec.PeekKind() != '}' {
		v, err := d.Dec.ReadValue()
		if err != nil {
			return err
		}
		name, err := d.Unquote(v)
		if err != nil {
			return err
		}
		if err := field(name); err != nil {
			return err
		}
	}
	_, err := d.Dec.ReadToken()
	return err
}

// Array reads an array, calling elem before each element, which elem
// must read or skip. A null is an empty array.
func (d *Reader) Array(elem func() error) error {
	if ok, err := d.enter('[', "an array"); !ok {
		return err
	}
	for d.Dec.PeekKind() != ']' {
		if err := elem(); err != nil {
			return err
		}
	}
	_, err := d.Dec.ReadToken()
	return err
}

// enter reads the opening delimiter of an object ('{') or an array
// ('['); false, with no error, for a null; an error naming what was
// wanted for any other value.
func (d *Reader) enter(open jsontext.Kind, want string) (bool, error) {
	switch d.Dec.PeekKind() {
	case 'n':
		_, err := d.Dec.ReadToken()
		return false, err
	case open:
		_, err := d.Dec.ReadToken()
		return err == nil, err
	}
	if err := d.Wrong(); err != nil {
		return false, err
	}
	return false, d.Fail(errors.New("want " + want))
}

// Wrong reads as little of a value of the wrong kind as names it in an
// error: an object's or an array's opening delimiter alone (the rest of
// it, which may be most of a huge document, is not read), a scalar
// whole.
func (d *Reader) Wrong() error {
	switch d.Dec.PeekKind() {
	case '{', '[':
		_, err := d.Dec.ReadToken()
		return err
	}
	_, err := d.Dec.ReadValue()
	return err
}

// KindName names a JSON value's kind for an error: "an array", "a
// string".
func KindName(k jsontext.Kind) string {
	switch k {
	case '{':
		return "an object"
	case '[':
		return "an array"
	case '"':
		return "a string"
	case '0':
		return "a number"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return "not JSON"
}

// ExpectObject checks that the document starts with an object, reading no
// further than its first token when it does not (then the error says
// what it is).
func (d *Reader) ExpectObject() error {
	k := d.Dec.PeekKind()
	if k == '{' {
		return nil
	}
	if err := d.Wrong(); err != nil {
		return err
	}
	return fmt.Errorf("not a JSON object but %s", KindName(k))
}

// Unquote returns a string value's contents, valid until the next read.
func (d *Reader) Unquote(v jsontext.Value) ([]byte, error) {
	if len(v) < 2 || v[0] != '"' {
		return nil, d.Fail(fmt.Errorf("want a string, not %s", Clip(v)))
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

// Clip shortens a raw value for an error message, cut between runes,
// with what a terminal would not print as itself escaped (Printable).
func Clip(v []byte) string {
	if len(v) > 40 {
		n := 40
		for n > 36 && !utf8.RuneStart(v[n]) {
			n--
		}
		return Printable(string(v[:n])) + "…"
	}
	return Printable(string(v))
}

// Printable is s with its bytes that are not UTF-8 written \xNN and its
// runes that do not print as themselves (control and format characters,
// such as the bidirectional ones) written \uNNNN, so that a message that
// quotes a backend's bytes holds no escape sequence.
func Printable(s string) string {
	clean := true
	for _, r := range s {
		if r == utf8.RuneError || !unicode.IsPrint(r) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == utf8.RuneError && n == 3 && s[i:i+3] == "\uFFFD":
			b.WriteString(s[i : i+3]) // U+FFFD itself, as written
		case !unicode.IsPrint(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

// RawString reads a string value (null is empty), valid until the next
// read.
func (d *Reader) RawString() ([]byte, error) {
	v, err := d.Dec.ReadValue()
	if err != nil {
		return nil, err
	}
	if v.Kind() == 'n' {
		return nil, nil
	}
	return d.Unquote(v)
}

// String reads a string value, interned when short.
func (d *Reader) String() (string, error) {
	b, err := d.RawString()
	if err != nil {
		return "", err
	}
	return d.Intern(b), nil
}

// maxInterned bounds the strings and boxed values a Reader shares.
const maxInterned = 1 << 14

// Intern returns b as a string, the same string as for the same short
// bytes read before: names, keys and values repeat across spans.
func (d *Reader) Intern(b []byte) string {
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

// Box returns b as a string in an interface value, boxed once for the
// same short bytes.
func (d *Reader) Box(b []byte) any {
	if len(b) > 64 {
		return string(b)
	}
	if v, ok := d.boxes[string(b)]; ok {
		return v
	}
	var v any = d.Intern(b)
	if d.boxes == nil {
		d.boxes = map[string]any{}
	}
	if len(d.boxes) < maxInterned {
		d.boxes[string(b)] = v
	}
	return v
}

// Int64 reads a 64-bit integer written as a string or a number (null and
// "" are 0); unsigned values past int64 wrap, as some encoders write
// nanoseconds so.
func (d *Reader) Int64() (int64, error) {
	v, err := d.Dec.ReadValue()
	if err != nil {
		return 0, err
	}
	b := []byte(v)
	switch v.Kind() {
	case 'n':
		return 0, nil
	case '"':
		if b, err = d.Unquote(v); err != nil {
			return 0, err
		}
	case '0':
	default:
		return 0, d.Fail(fmt.Errorf("%s is not an integer", Clip(v)))
	}
	if len(b) == 0 {
		return 0, nil
	}
	if n, ok := ParseDecimal(b); ok {
		return n, nil
	}
	if n, err := strconv.ParseInt(string(b), 10, 64); err == nil {
		return n, nil
	}
	if u, err := strconv.ParseUint(string(b), 10, 64); err == nil {
		return int64(u), nil
	}
	return 0, d.Fail(fmt.Errorf("%s is not a 64-bit integer", Clip(v)))
}

// Float64 reads a float written as a number, a numeric string, or "NaN",
// "Infinity" or "-Infinity".
func (d *Reader) Float64() (float64, error) {
	v, err := d.Dec.ReadValue()
	if err != nil {
		return 0, err
	}
	b := []byte(v)
	if v.Kind() == '"' {
		if b, err = d.Unquote(v); err != nil {
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
		return 0, d.Fail(fmt.Errorf("%s is not a number", Clip(v)))
	}
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		return 0, d.Fail(fmt.Errorf("%q is not a number", b))
	}
	return f, nil
}

// ParseDecimal reads a plain decimal integer of at most 19 digits, with an
// optional minus sign, without allocating; anything else (and overflow) is
// left to strconv.
func ParseDecimal(b []byte) (int64, bool) {
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
