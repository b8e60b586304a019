package otlp

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/telx-cli/telx/internal/fuzzcheck"
	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/sources/internal/jsonread"
)

// withBatch makes batches of about n bytes of spans for the test, so that
// small documents are shared out too.
func withBatch(t testing.TB, n int) {
	old := batchBytes
	batchBytes = n
	t.Cleanup(func() { batchBytes = old })
}

// withBuffers reads documents into buffers of the given sizes for the
// test (the first read's, then the most), keeping at most keep bytes in
// memory, so that small documents move from buffer to buffer too.
func withBuffers(t testing.TB, first, most, keep int) {
	oldFirst, oldMost, oldKeep := firstRead, bufferBytes, inMemoryMax
	firstRead, bufferBytes, inMemoryMax = first, most, keep
	t.Cleanup(func() { firstRead, bufferBytes, inMemoryMax = oldFirst, oldMost, oldKeep })
}

// sameDecoding fails t unless decoding doc shared out over the cores and
// token by token give the same traces, or the same error; reading reads
// doc as the decoders get it (in reads as big as asked when nil).
func sameDecoding(t *testing.T, doc []byte, reading ...func(io.Reader) io.Reader) (shared bool) {
	t.Helper()
	read := func() io.Reader {
		var r io.Reader = bytes.NewReader(doc)
		for _, f := range reading {
			r = f(r)
		}
		return r
	}
	got, shared, err := decode(read())
	// token by token from reads as short (where jsontext's errors stop
	// depends on how much it has read)
	want, wantErr := decodeStream(read())
	if err != nil && wantErr != nil && (len(reading) > 0 && !jsonread.IsFieldError(wantErr) || len(doc) >= inMemoryMax) {
		// jsontext's message of a syntax error depends on where its
		// reads ended (the path "within" it, a character cut in two):
		// from short reads, failing alike is the same; and past
		// inMemoryMax the scan, which cannot read the document again,
		// says where it stopped in its own words
		err, wantErr = nil, nil
	}
	if fmt.Sprint(err) != fmt.Sprint(wantErr) {
		t.Fatalf("error %v, token by token %v", err, wantErr)
	}
	if !reflect.DeepEqual(got, want) && dump(got) != dump(want) { // NaN is not DeepEqual to itself
		t.Fatalf("shared out (%v):\n%s\ntoken by token:\n%s", shared, dump(got), dump(want))
	}
	return shared
}

func dump(ts []*sources.Trace) string {
	var b strings.Builder
	for _, t := range ts {
		fmt.Fprintf(&b, "%+v\n", *t)
	}
	return b.String()
}

// manySpans is an OTLP document of traces of n spans each, with every kind
// of value, written by Encode: a resourceSpans per service and instance.
func manySpans(t testing.TB, traces, n int) []byte {
	base := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	var ts []*sources.Trace
	for k := range traces {
		tr := &sources.Trace{ID: sources.TraceID(fmt.Sprintf("%032x", k+1))}
		for i := range n {
			s := sources.Span{
				TraceID:   tr.ID,
				SpanID:    sources.SpanID(fmt.Sprintf("%016x", k*n+i+1)),
				Service:   fmt.Sprintf("svc-%d", i%3),
				Operation: fmt.Sprintf("op \"%d\"\t\\", i%7),
				Kind:      sources.SpanKind(i % 6),
				Start:     base.Add(time.Duration(i%50) * time.Millisecond),
				Duration:  time.Duration(i) * time.Microsecond,
				Attrs: sources.Attrs{
					{Key: "http.status_code", Value: int64(200 + i%3)},
					{Key: "ratio", Value: float64(i) / 3},
					{Key: "ok", Value: i%2 == 0},
					{Key: "list", Value: []any{"a", int64(i)}},
					{Key: "note", Value: strings.Repeat("x{[\"", i%5)},
				},
				Resource: sources.Attrs{{Key: "host.name", Value: fmt.Sprintf("h%d", i%2)}},
			}
			if i > 0 {
				s.ParentID = sources.SpanID(fmt.Sprintf("%016x", k*n+i/2+1))
			}
			if i%10 == 0 {
				s.Status = sources.Status{Code: sources.StatusError, Message: "boom"}
				s.Events = []sources.Event{{Time: s.Start, Name: "exception", Attrs: sources.Attrs{{Key: "k", Value: "v"}}}}
				s.Links = []sources.SpanRef{{TraceID: tr.ID, SpanID: "00000000000000aa", Type: sources.RefFollowsFrom}}
			}
			tr.Spans = append(tr.Spans, s)
		}
		ts = append(ts, tr)
	}
	var b bytes.Buffer
	if err := Encode(&b, ts); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// Documents shared out to a decoder per core read as they do token by
// token: services and resources (also where "resource" comes last),
// several traces, the order of their IDs, every kind of value.
func TestDecodeSharedAsTokenByToken(t *testing.T) {
	withBatch(t, 1<<10)
	recorded, err := os.ReadFile(filepath.Join(fuzzcheck.Root(), "testdata", "recorded", "jaeger-apiv3-trace.json"))
	if err != nil {
		t.Fatal(err)
	}
	late := `{"resourceSpans":[{"scopeSpans":[{"spans":[` +
		strings.TrimSuffix(strings.Repeat(`{"traceId":"02","spanId":"0a","name":"x","startTimeUnixNano":"5"},{"traceId":"01","spanId":"0b","startTimeUnixNano":"4"},`, 40), ",") +
		`]}],"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"late"}}]},"resource":{"dropped":1}},` +
		`{"resource":null,"scopeSpans":null},{"scopeSpans":[{"scope":{"name":"s"},"spans":[{"traceId":"03","spanId":"0c"}]}]}]}`
	for _, tc := range []struct {
		name string
		doc  []byte
	}{
		{"recorded from Jaeger", recorded},
		{"one trace of 3,000 spans", manySpans(t, 1, 3000)},
		{"three traces", manySpans(t, 3, 500)},
		{"under result", []byte(`{"result":` + string(manySpans(t, 2, 100)) + `}`)},
		{"resource after the spans, several traces", []byte(late)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if !sameDecoding(t, tc.doc) {
				t.Error("the document was not shared out")
			}
		})
	}
}

// A document read into many buffers, each read as short as a reader may
// make it, and one over the most kept in memory read as it always is.
func TestDecodeAcrossBuffers(t *testing.T) {
	withBatch(t, 1<<10)
	span := `{"traceId":"01","spanId":"02","name":"` + strings.Repeat("n", 300) + `"}`
	docs := map[string][]byte{
		"three traces": manySpans(t, 3, 200),
		"a span over a buffer": []byte(`{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"` +
			strings.Repeat("s", 500) + `"}}]},"scopeSpans":[{"spans":[` + span + `,` + span + `]}]}]}`),
		"an error past the first buffers": []byte(`{"resourceSpans":[{"scopeSpans":[{"spans":[` +
			strings.Repeat(span+",", 20) + `{"traceId":"01","spanId":""}]}]}]}`),
	}
	for name, doc := range docs {
		for _, keep := range []int{8 << 20, len(doc) / 2} {
			for _, reading := range []struct {
				name string
				f    func(io.Reader) io.Reader
			}{
				{"whole reads", func(r io.Reader) io.Reader { return r }},
				{"half reads", iotest.HalfReader},
				{"one byte a read", iotest.OneByteReader},
			} {
				t.Run(fmt.Sprintf("%s/keep %d/%s", name, keep, reading.name), func(t *testing.T) {
					withBuffers(t, 16, 256, keep)
					sameDecoding(t, doc, reading.f)
				})
			}
		}
	}
}

// What the scan does not read is decoded token by token, with the same
// error or result.
func TestDecodeNotSharedAsTokenByToken(t *testing.T) {
	withBatch(t, 1)
	span := `{"traceId":"01","spanId":"02"}`
	for _, doc := range []string{
		`{"resourceSpans":[{"scopeSpans":[{"spans":[` + span + `,` + span + `,{"traceId":"01","spanId":""}]}]}]}`,  // an error in a span
		`{"resourceSpans":[{"scopeSpans":[{"spans":[` + span + `,` + span + `,7]}]}]}`,                             // a span not an object
		`{"resourceSpans":[{"scopeSpans":[{"spans":[` + span + `,` + span + `]}]}],"x":[1,}`,                       // invalid after the spans
		`{"resourceSpans":[{"scopeSpans":[{"spa\u006es":[` + span + `,` + span + `]}]}]}`,                          // an escaped name
		`{"resourceSpans":[{"resource":{"attributes":{}},"scopeSpans":[{"spans":[` + span + `,` + span + `]}]}]}`,  // a resource of the wrong shape
		`{"resourceSpans":[{"scopeSpans":[{"spans":[` + span + ` ` + span + `]}]}]}`,                               // no comma
		`{"resourceSpans":[{"scopeSpans":[{"spans":[` + span + `,{"traceId":"01","spanId":"03","name":"a\"}]}]}]}`, // a string with no end
		`{"resourceSpans":[{"scopeSpans":[{"spans":[` + span + `,{"traceId":"01","spanId":"03","name":"\\"}]}]}]}`, // an escaped backslash
		`{"resourceSpans":[{"scopeSpans":[{"spans":[` + span + `,{"traceId":"01","spanId":"03","x":[}]}]}]}`,       // bad nesting in a span
		`  {"resourceSpans":[{"scopeSpans":[{"spans":[` + span + `,` + span + `]}]}]} trailing`,                    // white space, trailing bytes
		`{"resourceSpans":[{"scopeSpans":[{"spans":[` + span + `,` + span + `]}]}]`,                                // cut short
	} {
		sameDecoding(t, []byte(doc))
	}
}

// FuzzDecodeShared: any document decodes shared out over the cores as it
// does token by token: the same traces or the same error.
func FuzzDecodeShared(f *testing.F) {
	for _, b := range fuzzcheck.Recorded(f, "jaeger-apiv3-*.json") {
		f.Add(b)
	}
	f.Add(manySpans(f, 2, 20))
	f.Add([]byte(`{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"02","spanId":"0a"},{"traceId":"01","spanId":"0b"}]}],"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"late"}}]}}]}`))
	f.Fuzz(func(t *testing.T, doc []byte) {
		withBatch(t, 1)
		sameDecoding(t, doc)
		// in small buffers, read in short reads, some of it kept
		withBuffers(t, 8, 32, max(64, len(doc)/2))
		sameDecoding(t, doc, iotest.HalfReader)
	})
}

// BenchmarkDecode: 10,000 spans with every kind of value and escapes in
// their names (15 MB, over inMemoryMax), and 10,000 spans of the plain
// shape Jaeger sends (read by fastSpan).
func BenchmarkDecode(b *testing.B) {
	docs := map[string][]byte{"varied": manySpans(b, 1, 10_000), "plain": plainDoc(10_000)}
	for _, tc := range []struct {
		name   string
		doc    string
		decode func([]byte) error
	}{
		{"varied/shared", "varied", func(doc []byte) error { _, err := Decode(bytes.NewReader(doc)); return err }},
		{"varied/token-by-token", "varied", func(doc []byte) error { _, err := decodeStream(bytes.NewReader(doc)); return err }},
		{"plain/shared", "plain", func(doc []byte) error { _, err := Decode(bytes.NewReader(doc)); return err }},
		{"plain/token-by-token", "plain", func(doc []byte) error { _, err := decodeStream(bytes.NewReader(doc)); return err }},
	} {
		doc := docs[tc.doc]
		b.Run(tc.name, func(b *testing.B) {
			b.SetBytes(int64(len(doc)))
			for b.Loop() {
				if err := tc.decode(doc); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// Past what is kept, the scan's errors say where: a span's or a
// resource's field error by its whole path, as token by token, anything
// else by its byte; and a valid document reads as it does token by token,
// its big spans and values too.
func TestStreamedErrorsSayWhere(t *testing.T) {
	withBatch(t, 1)
	withBuffers(t, 16, 64, 128)
	span := `{"traceId":"01","spanId":"02","name":"` + strings.Repeat("n", 60) + `"}`
	head := `{"result":{"resourceSpans":[{"scopeSpans":[{"spans":[` + strings.Repeat(span+",", 4)
	tests := []struct {
		name, doc, want string
	}{
		{"a span's field", head + `{"traceId":"01","spanId":7}]}]}]}}`,
			"result.resourceSpans[0].scopeSpans[0].spans[4].spanId: want a string, not 7"},
		{"a resource's field", head + span + `]}],"resource":{"attributes":{}}}]}}`,
			"result.resourceSpans[0].resource.attributes: want an array"},
		{"the shape", head + span + `]}]},7]}}`,
			`reading OTLP JSON: at byte 562: unexpected "7]}}": not OTLP's shape (or a member name written with escapes, which telx reads only in the first 0 MiB)`},
		{"the end", head + span,
			"reading OTLP JSON: the document ends at byte 557, unfinished"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := decode(strings.NewReader(tt.doc))
			if fmt.Sprint(err) != tt.want {
				t.Errorf("error %v, want %s", err, tt.want)
			}
		})
	}
	for name, doc := range map[string]string{
		"big spans":      head + `{"traceId":"01","spanId":"03","name":"` + strings.Repeat("b", 1000) + `"}]}]}]}}`,
		"a big value":    `{"x":"` + strings.Repeat("v", 1000) + `",` + head[1:] + span + `]}]}]}}`,
		"a big resource": head + span + `]}],"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"` + strings.Repeat("s", 1000) + `"}}]}}]}}`,
	} {
		t.Run(name, func(t *testing.T) {
			withBuffers(t, 16, 64, 128)
			if !sameDecoding(t, []byte(doc)) {
				t.Error("the document was not shared out")
			}
		})
	}
}
