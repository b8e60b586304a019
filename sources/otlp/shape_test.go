package otlp

import (
	"io"
	"strings"
	"testing"
)

// countingReader counts what a decoder reads of a document.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// hugeDoc is a document of about 64 MB: head, then many copies of elem,
// then tail.
func hugeDoc(head, elem, tail string) io.Reader {
	n := 64 << 20 / len(elem)
	return io.MultiReader(strings.NewReader(head), strings.NewReader(strings.Repeat(elem, n)), strings.NewReader(tail))
}

// A document of the wrong shape is refused at its first wrong token, not
// once it is read whole: a huge one would take its size in memory and
// time first.
func TestDecodeRefusesAHugeWrongShapeAtOnce(t *testing.T) {
	for _, tc := range []struct {
		name             string
		head, elem, tail string
		want             string
	}{
		{"an array", `[`, `{"a":1},`, `{}]`, "not a JSON object but an array"},
		{"resourceSpans an object", `{"resourceSpans":{"x":[`, `1,`, `1]}}`, "resourceSpans: want an array"},
		{"spans an object", `{"resourceSpans":[{"scopeSpans":[{"spans":{"a":[`, `1,`, `1]}}]}]}`, "resourceSpans[0].scopeSpans[0].spans: want an array"},
		{"the second span an array", `{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"01","spanId":"01"},[`, `1,`, `1]]}]}]}`, "spans[1]: want an object"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := &countingReader{r: hugeDoc(tc.head, tc.elem, tc.tail)}
			_, err := Decode(r)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want it to say %q", err, tc.want)
			}
			if r.n > 1<<20 {
				t.Errorf("read %d bytes of the document before refusing it", r.n)
			}
		})
	}
}
