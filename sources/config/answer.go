package config

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/dustin/go-humanize"
	"go.yaml.in/yaml/v3"

	"github.com/telx-cli/telx/internal/heapwarm"
)

// AnswerKind is what a backend's answer holds, which decides the cap on
// its size.
type AnswerKind int

const (
	// PageAnswer is a page of log lines, a metric query's result, a tail
	// message or a list of alerts: the kind of a request that says none.
	PageAnswer AnswerKind = iota
	// TraceAnswer is a trace, a trace search or a trace file.
	TraceAnswer
	// SmallAnswer is a list: services, operations, labels, label values,
	// series.
	SmallAnswer
)

// The caps on an answer's size when the context and --max-answer set none.
const (
	DefaultTraceAnswer ByteSize = 256 << 20
	DefaultPageAnswer  ByteSize = 64 << 20
	DefaultSmallAnswer ByteSize = 16 << 20
)

// key is the answer kind's key under limits: in a context.
func (k AnswerKind) key() string {
	switch k {
	case TraceAnswer:
		return "trace_answer"
	case SmallAnswer:
		return "small_answer"
	}
	return "page_answer"
}

func (k AnswerKind) String() string {
	switch k {
	case TraceAnswer:
		return "a trace answer"
	case SmallAnswer:
		return "a list (labels, services, operations, series)"
	}
	return "a page of logs or metrics"
}

// ByteSize is a size in bytes. The config file and --max-answer write it
// with a unit, 256MiB or 64MB (powers of 1024 and of 1000), or as a
// number of bytes.
type ByteSize int64

// ParseByteSize reads a size such as 256MiB, 1.5GB or 1048576.
func ParseByteSize(s string) (ByteSize, error) {
	s = strings.TrimSpace(s)
	n, err := humanize.ParseBytes(s)
	if err != nil && strings.HasPrefix(err.Error(), "too large") {
		return 0, fmt.Errorf("%q is too large", s)
	}
	if err != nil || s == "" || s[0] < '0' || s[0] > '9' {
		return 0, fmt.Errorf("%q is not a size (want for example 256MiB, 64MB or a number of bytes)", s)
	}
	if n == 0 {
		return 0, fmt.Errorf("%q: a size must be more than 0", s)
	}
	if n > math.MaxInt64 {
		return 0, fmt.Errorf("%q is too large", s)
	}
	return ByteSize(n), nil
}

// String writes the size with a binary unit, 256 MiB, exactly when it is
// a whole number of KiB, MiB or GiB, else rounded ("0" for none).
func (b ByteSize) String() string {
	if b <= 0 {
		return "0"
	}
	if s, ok := b.exact(" "); ok {
		return s
	}
	return humanize.IBytes(uint64(b))
}

// exact writes b as a whole number of GiB, MiB or KiB, the number and
// the unit separated by sep.
func (b ByteSize) exact(sep string) (string, bool) {
	for _, u := range []struct {
		size ByteSize
		name string
	}{{1 << 30, "GiB"}, {1 << 20, "MiB"}, {1 << 10, "KiB"}} {
		if b >= u.size && b%u.size == 0 {
			return fmt.Sprintf("%d%s%s", b/u.size, sep, u.name), true
		}
	}
	return "", false
}

// flag writes b as --max-answer and the config file take it: 512MiB.
func (b ByteSize) flag() string {
	if s, ok := b.exact(""); ok {
		return s
	}
	return strconv.FormatInt(int64(b), 10)
}

// UnmarshalYAML reads a size written with a unit or as a number.
func (b *ByteSize) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return fmt.Errorf("line %d: want a size such as 256MiB", n.Line)
	}
	v, err := ParseByteSize(n.Value)
	if err != nil {
		return fmt.Errorf("line %d: %w", n.Line, err)
	}
	*b = v
	return nil
}

// MarshalYAML writes the size exactly: with a binary unit (512MiB) when
// it can, else as a number of bytes.
func (b ByteSize) MarshalYAML() (any, error) {
	if _, ok := b.exact(""); ok {
		return b.flag(), nil
	}
	return int64(b), nil
}

// Set implements pflag.Value.
func (b *ByteSize) Set(s string) error {
	v, err := ParseByteSize(s)
	if err != nil {
		return err
	}
	*b = v
	return nil
}

// Type implements pflag.Value.
func (b *ByteSize) Type() string { return "size" }

// Limits are the caps on the size of backends' answers (and of trace
// files), per kind of answer: limits: in a context. A zero cap is the
// default's.
type Limits struct {
	TraceAnswer ByteSize `yaml:"trace_answer,omitempty"`
	PageAnswer  ByteSize `yaml:"page_answer,omitempty"`
	SmallAnswer ByteSize `yaml:"small_answer,omitempty"`
}

// Cap is the cap on an answer of kind k, in bytes.
func (l Limits) Cap(k AnswerKind) int64 {
	switch k {
	case TraceAnswer:
		return int64(orDefault(l.TraceAnswer, DefaultTraceAnswer))
	case SmallAnswer:
		return int64(orDefault(l.SmallAnswer, DefaultSmallAnswer))
	}
	return int64(orDefault(l.PageAnswer, DefaultPageAnswer))
}

func orDefault(v, d ByteSize) ByteSize {
	if v > 0 {
		return v
	}
	return d
}

// AllAnswers is a cap of every kind of answer (--max-answer).
func AllAnswers(b ByteSize) Limits { return Limits{TraceAnswer: b, PageAnswer: b, SmallAnswer: b} }

type answerKey struct{}

// answerInfo is what a request's context says of its answer, and where
// the transport leaves the body it caps.
type answerInfo struct {
	kind AnswerKind
	mu   sync.Mutex
	body *capped
}

// WithAnswerKind says what the answers of requests made with ctx hold,
// which decides the cap on their size (PageAnswer by default).
func WithAnswerKind(ctx context.Context, k AnswerKind) context.Context {
	return context.WithValue(ctx, answerKey{}, &answerInfo{kind: k})
}

// Answer follows the reading of the answer to one request (see
// TrackAnswer).
type Answer struct{ info *answerInfo }

// TrackAnswer is WithAnswerKind for one request, whose answer's reading
// the Answer then tells of.
func TrackAnswer(ctx context.Context, k AnswerKind) (context.Context, Answer) {
	info := &answerInfo{kind: k}
	return context.WithValue(ctx, answerKey{}, info), Answer{info}
}

// Err is the first error met reading the answer (a cap reached, a
// timeout, a connection reset), when its client is one LimitAnswers
// made; nil otherwise. A decoder's error may hide it, or not say it: a
// source reports it instead.
func (a Answer) Err() error {
	if a.info == nil {
		return nil
	}
	a.info.mu.Lock()
	b := a.info.body
	a.info.mu.Unlock()
	if b == nil {
		return nil
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.err
}

func answerOf(ctx context.Context) *answerInfo {
	info, _ := ctx.Value(answerKey{}).(*answerInfo)
	if info == nil {
		return &answerInfo{}
	}
	return info
}

// AnswerTooLargeError is an answer (or a file) larger than its cap.
type AnswerTooLargeError struct {
	// What was read: "the answer to /api/v3/traces/…", "the file t.json".
	What  string
	Kind  AnswerKind
	Limit int64
}

func (e *AnswerTooLargeError) Error() string {
	return fmt.Sprintf("%s is larger than %s, telx's cap on %s", e.What, ByteSize(e.Limit), e.Kind)
}

// Hint says how to raise the cap.
func (e *AnswerTooLargeError) Hint() string {
	return fmt.Sprintf("read larger answers with --max-answer %s, or set limits.%s in the context (docs/config.md)",
		ByteSize(e.Limit*2).flag(), e.Kind.key())
}

// TooLargeHint is the hint of an error wrapping an AnswerTooLargeError,
// "" for other errors.
func TooLargeHint(err error) string {
	var tl *AnswerTooLargeError
	if errors.As(err, &tl) {
		return tl.Hint()
	}
	return ""
}

// CapReader returns a reader of r that fails with tooLarge once r holds
// more than tooLarge.Limit bytes; a reader that knows its size beforehand
// (size >= 0) past the cap fails at its first read.
func CapReader(r io.Reader, size int64, tooLarge *AnswerTooLargeError) io.Reader {
	return newCapped(io.NopCloser(r), size, tooLarge)
}

// capped is a body read under a cap. It remembers the first error its
// reads met, for Answer.Err.
type capped struct {
	rc   io.ReadCloser
	left int64
	cap  *AnswerTooLargeError

	mu  sync.Mutex
	err error
}

func newCapped(rc io.ReadCloser, size int64, tooLarge *AnswerTooLargeError) *capped {
	c := &capped{rc: rc, left: tooLarge.Limit, cap: tooLarge}
	if size > tooLarge.Limit {
		c.err = tooLarge
	}
	return c
}

func (c *capped) Read(p []byte) (int, error) {
	c.mu.Lock()
	err := c.err
	c.mu.Unlock()
	if err != nil {
		return 0, err
	}
	if int64(len(p)) > c.left+1 {
		p = p[:c.left+1]
	}
	n, err := c.rc.Read(p)
	if int64(n) > c.left {
		n, err = int(c.left), c.cap
	}
	c.left -= int64(n)
	if err != nil && err != io.EOF {
		c.mu.Lock()
		if c.err == nil {
			c.err = err
		}
		c.mu.Unlock()
	}
	return n, err
}

func (c *capped) Close() error { return c.rc.Close() }

// capTransport reads each answer under the cap of its request's kind.
type capTransport struct {
	base   http.RoundTripper
	limits Limits
}

func (t *capTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	base := t.base
	if base == nil {
		base = http.DefaultTransport
	}
	info := answerOf(req.Context())
	// the wait for the answer readies the memory it will fill (in a
	// one-shot command's first call)
	stopWarming := heapwarm.Start(info.kind == TraceAnswer)
	resp, err := base.RoundTrip(req)
	stopWarming()
	if err != nil || resp.Body == nil || resp.StatusCode == http.StatusSwitchingProtocols {
		return resp, err
	}
	body := newCapped(resp.Body, resp.ContentLength, &AnswerTooLargeError{
		What: "the answer to " + req.URL.EscapedPath(), Kind: info.kind, Limit: t.limits.Cap(info.kind),
	})
	info.mu.Lock()
	info.body = body
	info.mu.Unlock()
	resp.Body = body
	return resp, nil
}

// LimitAnswers returns a copy of c (http.DefaultClient when nil) whose
// answers are read under l's caps: reading past its cap, an answer's body
// fails with an AnswerTooLargeError (at once when its Content-Length is
// over the cap). A request's context says its kind (WithAnswerKind). A
// client LimitAnswers made already gets l's caps instead of its own.
func LimitAnswers(c *http.Client, l Limits) *http.Client {
	if c == nil {
		c = http.DefaultClient
	}
	cc := *c
	base := c.Transport
	if ct, ok := base.(*capTransport); ok {
		base = ct.base
	}
	cc.Transport = &capTransport{base: base, limits: l}
	return &cc
}

// ReadAnswer reads all of an answer, for a decoder that wants it whole,
// with no more than one copy: io.ReadAll's growing buffer may hold three
// times an answer at once, garbage included, as it nears its cap. size
// is the answer's length when known (Content-Length), else -1.
func ReadAnswer(r io.Reader, size int64) ([]byte, error) {
	if size >= 0 && size <= 1<<30 {
		buf := make([]byte, 0, size+1) // +1: to see EOF without growing
		for {
			n, err := r.Read(buf[len(buf):cap(buf)])
			buf = buf[:len(buf)+n]
			if err == io.EOF {
				return buf, nil
			}
			if err != nil {
				return nil, err
			}
			if len(buf) == cap(buf) { // longer than it said: go on in blocks
				rest, err := ReadAnswer(r, -1)
				if err != nil {
					return nil, err
				}
				return append(buf, rest...), nil
			}
		}
	}
	var blocks [][]byte
	total, next := 0, 64<<10
	for done := false; !done; {
		b := make([]byte, next)
		n := 0
		for n < len(b) {
			m, err := r.Read(b[n:])
			n += m
			if err == io.EOF {
				done = true
				break
			}
			if err != nil {
				return nil, err
			}
		}
		blocks = append(blocks, b[:n])
		total += n
		next = min(2*next, 8<<20)
	}
	if len(blocks) == 1 {
		return blocks[0], nil
	}
	out := make([]byte, 0, total)
	for i, b := range blocks {
		out = append(out, b...)
		blocks[i] = nil
	}
	return out, nil
}

// ErrTruncated is an answer whose JSON ends in the middle, the
// connection having ended cleanly.
var ErrTruncated = errors.New("the answer is truncated: its JSON ends in the middle")

// IsTruncated tells whether a decoder's error says its document ended
// in the middle.
func IsTruncated(err error) bool {
	if err == nil {
		return false
	}
	msg := err.Error()
	return errors.Is(err, io.ErrUnexpectedEOF) || strings.Contains(msg, "unexpected EOF") || strings.Contains(msg, "unexpected end of JSON input")
}

// ReadingError is an answer whose reading failed part way (a connection
// reset, a proxy that cut it): the backend was reached and answered.
type ReadingError struct{ Err error }

func (e *ReadingError) Error() string { return "reading the answer: " + e.Err.Error() }
func (e *ReadingError) Unwrap() error { return e.Err }

// AnswerHint is the hint, "" when none, for an error that any backend's
// answer may meet: a cap reached, an answer cut part way, a redirect
// loop.
func AnswerHint(err error) string {
	var re *ReadingError
	switch {
	case TooLargeHint(err) != "":
		return TooLargeHint(err)
	case errors.As(err, &re):
		return "the connection broke while the answer came: try again; if it keeps breaking, a proxy in between may cut long answers"
	case err != nil && strings.Contains(err.Error(), "stopped after 10 redirects"):
		return "the server sends telx round in redirects: check the URL (a proxy redirecting to a login page?)"
	}
	return ""
}
