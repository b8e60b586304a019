package jsonread

import (
	"io"
	"strings"
	"testing"
)

// endless is a reader that never ends: ObjectStart must not need its end.
type endless struct{ head string }

func (e *endless) Read(p []byte) (int, error) {
	if e.head != "" {
		n := copy(p, e.head)
		e.head = e.head[n:]
		return n, nil
	}
	for i := range p {
		p[i] = '1'
	}
	return len(p), nil
}

func TestObjectStart(t *testing.T) {
	for _, tc := range []struct{ in, err string }{
		{`{"a":1}`, ""},
		{" \n\t\r{}", ""},
		{`[1,2]`, "not a JSON object but an array"},
		{`"x"`, "not a JSON object but a string"},
		{`-1`, "not a JSON object but a number"},
		{`true`, "not a JSON object but a boolean"},
		{`null`, "not a JSON object but null"},
		{`<html>`, "not JSON but HTML or XML"},
		{`hello`, `not JSON (it starts with 'h')`},
		{``, "an empty answer, not a JSON object"},
		{"   ", "an empty answer, not a JSON object"},
	} {
		r, err := ObjectStart(strings.NewReader(tc.in))
		if tc.err != "" {
			if err == nil || err.Error() != tc.err {
				t.Errorf("%q: %v, want %q", tc.in, err, tc.err)
			}
			continue
		}
		b, _ := io.ReadAll(r)
		if err != nil || string(b) != strings.TrimLeft(tc.in, " \n\t\r") {
			t.Errorf("%q: %q, %v", tc.in, b, err)
		}
	}
	if _, err := ObjectStart(&endless{head: "["}); err == nil {
		t.Error("an endless array taken for an object")
	}
}
