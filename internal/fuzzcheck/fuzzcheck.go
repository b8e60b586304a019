// Package fuzzcheck holds the properties the fuzz tests check of what
// telx decodes and draws, and the seeds they start from: the decoders'
// output is in the model's normal form, the renderers' lines fit their
// width and carry no control character from a backend.
package fuzzcheck

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"

	"github.com/telx-cli/telx/sources"
)

// Root is the repository's root directory, found from this file.
func Root() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// Recorded returns the contents of the recorded fixtures (answers of the
// real backends, in testdata/recorded) whose names match glob.
func Recorded(f *testing.F, glob string) [][]byte {
	f.Helper()
	files, err := filepath.Glob(filepath.Join(Root(), "testdata", "recorded", glob))
	if err != nil || len(files) == 0 {
		f.Fatalf("no recorded fixture matches %s (%v)", glob, err)
	}
	var out [][]byte
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		out = append(out, b)
	}
	return out
}

// Traces checks decoded traces: IDs in their normal form (32 and 16
// lowercase hex characters, never all zeros), kinds and status codes
// among the known ones, spans of their trace and in start order.
func Traces(t *testing.T, ts []*sources.Trace) {
	t.Helper()
	for i, tr := range ts {
		if tr == nil {
			t.Fatalf("trace %d is nil", i)
		}
		if !sources.IsNormalID(tr.ID, 32) {
			t.Errorf("trace %d: ID %q is not in normal form", i, tr.ID)
		}
		for j := range tr.Spans {
			s := &tr.Spans[j]
			if s.TraceID != tr.ID {
				t.Errorf("trace %s span %d: of trace %q", tr.ID, j, s.TraceID)
			}
			if !sources.IsNormalID(s.SpanID, 16) {
				t.Errorf("trace %s span %d: span ID %q is not in normal form", tr.ID, j, s.SpanID)
			}
			if s.ParentID != "" && !sources.IsNormalID(s.ParentID, 16) {
				t.Errorf("trace %s span %s: parent ID %q is not in normal form", tr.ID, s.SpanID, s.ParentID)
			}
			for _, l := range s.Links {
				if l.TraceID != "" && !sources.IsNormalID(l.TraceID, 32) || l.SpanID != "" && !sources.IsNormalID(l.SpanID, 16) {
					t.Errorf("trace %s span %s: link to %q/%q not in normal form", tr.ID, s.SpanID, l.TraceID, l.SpanID)
				}
			}
			if s.Kind < sources.KindUnspecified || s.Kind > sources.KindConsumer {
				t.Errorf("trace %s span %s: kind %d", tr.ID, s.SpanID, s.Kind)
			}
			if s.Status.Code < sources.StatusUnset || s.Status.Code > sources.StatusError {
				t.Errorf("trace %s span %s: status %d", tr.ID, s.SpanID, s.Status.Code)
			}
			if j > 0 && s.Start.Before(tr.Spans[j-1].Start) {
				t.Errorf("trace %s: span %d (%v) starts before span %d (%v)", tr.ID, j, s.Start, j-1, tr.Spans[j-1].Start)
			}
		}
	}
}

// Lines checks rendered text: valid UTF-8, each line no wider than width
// cells (when width > 0), and no control character but the newlines
// between lines: none at all when color is false, none but the SGR
// sequences (ESC [ … m) of the styles when it is true.
func Lines(t *testing.T, out string, width int, color bool) {
	t.Helper()
	if !utf8.ValidString(out) {
		t.Errorf("invalid UTF-8 in the output: %q", out)
	}
	for i, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		if width > 0 {
			if w := ansi.StringWidth(line); w > width {
				t.Errorf("line %d is %d cells wide, more than %d: %q", i, w, width, line)
			}
		}
		bare := line
		if color {
			bare = StripSGR(line)
		}
		if j := Unsafe(bare); j >= 0 {
			t.Errorf("line %d holds a control character at byte %d: %q", i, j, line)
		}
	}
}

// StripSGR removes the SGR sequences (ESC [ parameters m) from s, and
// nothing else: any other escape stays, for Unsafe to find.
func StripSGR(s string) string {
	if !strings.Contains(s, "\x1b[") {
		return s
	}
	var b strings.Builder
	for {
		i := strings.Index(s, "\x1b[")
		if i < 0 {
			break
		}
		j := i + 2
		for j < len(s) && (s[j] >= '0' && s[j] <= '9' || s[j] == ';' || s[j] == ':') {
			j++
		}
		if j < len(s) && s[j] == 'm' {
			b.WriteString(s[:i])
			s = s[j+1:]
			continue
		}
		b.WriteString(s[:i+1])
		s = s[i+1:]
	}
	b.WriteString(s)
	return b.String()
}

// Unsafe returns the index of the first byte of s that sources.Sanitize
// would have made visible (a control character, an escape sequence's
// start, a bidirectional override, invalid UTF-8), or -1.
func Unsafe(s string) int {
	for i, r := range s {
		if r == utf8.RuneError || r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f) ||
			(r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) || r == 0x200e || r == 0x200f || r == 0x061c {
			if r == utf8.RuneError && strings.HasPrefix(s[i:], "\uFFFD") {
				continue // U+FFFD itself, as written
			}
			return i
		}
	}
	return -1
}

// Answer is an http.RoundTripper that answers every request with Status
// and Body, in memory: a backend's answer for a client under fuzzing.
type Answer struct {
	Status int
	Body   []byte
	// Calls counts the requests; past MaxCalls they fail, so that a client
	// that would ask again and again for ever is found.
	Calls int
}

// MaxCalls is how many requests an Answer answers.
const MaxCalls = 500

func (a *Answer) RoundTrip(req *http.Request) (*http.Response, error) {
	if a.Calls++; a.Calls > MaxCalls {
		return nil, errors.New("fuzzcheck: too many requests")
	}
	status := a.Status
	if status < 100 || status > 999 {
		status = http.StatusOK
	}
	return &http.Response{
		Status:     strconv.Itoa(status) + " " + http.StatusText(status),
		StatusCode: status,
		Proto:      "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header:        http.Header{"Content-Type": {"application/json"}},
		Body:          io.NopCloser(bytes.NewReader(a.Body)),
		ContentLength: int64(len(a.Body)),
		Request:       req,
	}, nil
}

// Client is an http.Client whose every request a answers.
func (a *Answer) Client() *http.Client { return &http.Client{Transport: a} }

// StatusOf picks an HTTP status for a fuzzed answer from one byte: mostly
// 200, else among those backends send.
func StatusOf(b byte) int {
	codes := []int{200, 200, 200, 200, 204, 206, 301, 400, 401, 403, 404, 413, 422, 429, 500, 502, 503, 504}
	return codes[int(b)%len(codes)]
}

// Error checks an error a client returns for a backend's answer: its
// message carries no control character from the answer (a newline
// between lines aside).
func Error(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		return
	}
	msg := strings.ReplaceAll(err.Error(), "\n", " ")
	if i := Unsafe(msg); i >= 0 {
		t.Errorf("the error holds a control character at byte %d: %q", i, err.Error())
	}
}
