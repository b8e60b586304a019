package otlp

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/telx-cli/telx/internal/fuzzcheck"
	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/sources/internal/jsonread"
)

func newDecoder() *decoder { return &decoder{Reader: jsonread.New(bytes.NewReader(nil))} }

// sameSpan fails t unless span reads by fastSpan as it does token by
// token, or fastSpan leaves it, having changed nothing; it reports
// whether fastSpan read it.
func sameSpan(t *testing.T, span []byte) bool {
	t.Helper()
	fast := newDecoder()
	if !fast.fastSpan(span) {
		if fast.n != 0 || len(fast.arena) != 0 || len(fast.idRefs) != 0 || len(fast.ids) != 0 || fast.traceOf != nil {
			t.Fatalf("fastSpan left %s but changed its decoder", span)
		}
		return false
	}
	slow := newDecoder()
	slow.Reset(bytes.NewBuffer(span))
	if err := slow.spanObject(); err != nil {
		t.Fatalf("fastSpan read %s, token by token: %v", span, err)
	}
	if off := slow.Dec.InputOffset(); off != int64(len(span)) {
		t.Fatalf("fastSpan read all of %s, token by token %d bytes", span, off)
	}
	fast.flushIDs()
	slow.flushIDs()
	if fast.n != 1 || slow.n != 1 {
		t.Fatalf("%d spans read fast, %d token by token", fast.n, slow.n)
	}
	if got, want := *fast.span(0), *slow.span(0); !reflect.DeepEqual(got, want) {
		t.Fatalf("%s\nfast:           %+v\ntoken by token: %+v", span, got, want)
	}
	if !reflect.DeepEqual(fast.ids, slow.ids) || !reflect.DeepEqual(fast.traceOf, slow.traceOf) {
		t.Fatalf("trace IDs %v %v, token by token %v %v", fast.ids, fast.traceOf, slow.ids, slow.traceOf)
	}
	return true
}

const plainSpan = `{"traceId":"54c3702b2571de0f473a71e6ddfbcd68","spanId":"63cb2198d43db2cd","parentSpanId":"1111111111111111",` +
	`"name":"POST /api/orders/export","kind":2,"startTimeUnixNano":"1796135246664000000","endTimeUnixNano":"1796135257905286267",` +
	`"attributes":[{"key":"http.request.method","value":{"stringValue":"POST"}},{"key":"http.response.status_code","value":{"intValue":"200"}},` +
	`{"key":"a.ratio","value":{"doubleValue":0.25}},{"key":"ok","value":{"boolValue":true}}],` +
	`"events":[{"timeUnixNano":"1796135246664000100","name":"log","attributes":[{"key":"message","value":{"stringValue":"hi"}}]},{"name":"bare"}],` +
	`"status":{"code":2,"message":"boom"}}`

// Spans of the usual shape read as token by token; the others are left to
// the token decoder, untouched.
func TestFastSpanAsTokenByToken(t *testing.T) {
	id := `"traceId":"54c3702b2571de0f473a71e6ddfbcd68","spanId":"63cb2198d43db2cd"`
	tests := []struct {
		name string
		span string
		fast bool
	}{
		{"every field", plainSpan, true},
		{"the least", `{` + id + `}`, true},
		{"white space", "{ \n\t\r" + strings.ReplaceAll(id, ",", " ,\n ") + " , \"kind\" : 3 }", true},
		{"fields in another order", `{"status":{},"kind":"SPAN_KIND_CLIENT",` + id + `,"name":"x"}`, true},
		{"an unknown kind name", `{` + id + `,"kind":"SPAN_KIND_NEW"}`, true},
		{"a kind out of range", `{` + id + `,"kind":99,"status":{"code":-4}}`, true},
		{"a kind not an integer", `{` + id + `,"kind":2.5}`, true},
		{"timestamps as numbers", `{` + id + `,"startTimeUnixNano":5,"endTimeUnixNano":3}`, true},
		{"an empty timestamp", `{` + id + `,"startTimeUnixNano":""}`, true},
		{"fields it skips", `{` + id + `,"flags":256,"traceState":"","droppedAttributesCount":0,"x":-1.5e3,"y":false}`, true},
		{"an empty parent", `{` + id + `,"parentSpanId":""}`, true},
		{"no attributes, no events", `{` + id + `,"attributes":[],"events":[]}`, true},
		{"attributes out of order", `{` + id + `,"attributes":[{"key":"b","value":{"intValue":1}},{"value":{"stringValue":"x"},"key":"a"}]}`, true},
		{"Jaeger's warnings not as a list", `{` + id + `,"attributes":[{"key":"@jaeger@warnings","value":{"stringValue":"w"}}]}`, true},
		{"DEL in a string", `{` + id + ",\"name\":\"a\x7fb\"}", true},
		// Jaeger's order (read by matching each member where it comes),
		// and the ways out of it, read member by member
		{"Jaeger's order, all of it", `{` + id + `,"parentSpanId":"1111111111111111","flags":1,"name":"n","kind":3,"startTimeUnixNano":"5","endTimeUnixNano":"7",` +
			`"attributes":[{"key":"s","value":{"stringValue":"v"}},{"key":"i","value":{"intValue":"-12"}},{"key":"e","value":{"intValue":""}},{"key":"b","value":{"boolValue":false}}],` +
			`"events":[{"name":"e"}],"status":{"code":2,"message":"m"}}`, true},
		{"Jaeger's order, the least", `{` + id + `,"name":"n","startTimeUnixNano":"5","endTimeUnixNano":"7"}`, true},
		{"Jaeger's order, then a member it skips", `{` + id + `,"name":"n","startTimeUnixNano":"5","endTimeUnixNano":"7","attributes":[{"key":"s","value":{"stringValue":"v"}}],"status":{},"x":1}`, true},
		{"Jaeger's order but one", `{` + id + `,"traceState":"","name":"n","startTimeUnixNano":"5","endTimeUnixNano":"7","attributes":[{"key":"s","value":{"stringValue":"v"}}]}`, true},
		{"Jaeger's order, then links", `{` + id + `,"name":"n","startTimeUnixNano":"5","endTimeUnixNano":"7","links":[],"status":{}}`, false},
		{"Jaeger's order, then a name again", `{` + id + `,"name":"n","startTimeUnixNano":"5","endTimeUnixNano":"7","status":{},"name":"m"}`, false},
		{"an attribute of a member more", `{` + id + `,"attributes":[{"key":"s","value":{"stringValue":"v"},"x":1}]}`, true},
		{"an attribute's key twice", `{` + id + `,"attributes":[{"key":"s","value":{"stringValue":"v"},"key":"t"}]}`, false},
		{"an attribute's value of two members", `{` + id + `,"attributes":[{"key":"s","value":{"stringValue":"v","intValue":"1"}}]}`, false},
		{"an integer attribute not a string", `{` + id + `,"attributes":[{"key":"i","value":{"intValue":7}}]}`, true},
		{"an integer attribute not decimal", `{` + id + `,"name":"n","startTimeUnixNano":"5","endTimeUnixNano":"7","attributes":[{"key":"i","value":{"intValue":"1e3"}}]}`, false},

		{"no span ID", `{"traceId":"54c3702b2571de0f473a71e6ddfbcd68"}`, false},
		{"no trace ID", `{"spanId":"63cb2198d43db2cd"}`, false},
		{"an ID in capitals", `{"traceId":"54C3702B2571DE0F473A71E6DDFBCD68","spanId":"63cb2198d43db2cd"}`, false},
		{"a zero span ID", `{"traceId":"54c3702b2571de0f473a71e6ddfbcd68","spanId":"0000000000000000"}`, false},
		{"a short span ID", `{"traceId":"54c3702b2571de0f473a71e6ddfbcd68","spanId":"0a"}`, false},
		{"an escape", `{` + id + `,"name":"a\"b"}`, false},
		{"an escaped name", `{` + id + `,"n\u0061me":"a"}`, false},
		{"a byte past ASCII", `{` + id + `,"name":"café"}`, false},
		{"a control character", `{` + id + ",\"name\":\"a\tb\"}", false},
		{"a null", `{` + id + `,"name":null}`, false},
		{"a name twice", `{` + id + `,"name":"a","name":"b"}`, false},
		{"an ID twice", `{` + id + `,"spanId":"63cb2198d43db2ce"}`, false},
		{"links", `{` + id + `,"links":[]}`, false},
		{"a list value", `{` + id + `,"attributes":[{"key":"l","value":{"arrayValue":{"values":[]}}}]}`, false},
		{"a value of two members", `{` + id + `,"attributes":[{"key":"l","value":{"intValue":1,"stringValue":"x"}}]}`, false},
		{"an empty value", `{` + id + `,"attributes":[{"key":"l","value":{}}]}`, false},
		{"no key", `{` + id + `,"attributes":[{"value":{"intValue":1}}]}`, false},
		{"an integer past 19 digits", `{` + id + `,"startTimeUnixNano":"18446744073709551615"}`, false},
		{"an integer not decimal", `{` + id + `,"attributes":[{"key":"n","value":{"intValue":"0x10"}}]}`, false},
		{"a double as a string", `{` + id + `,"attributes":[{"key":"n","value":{"doubleValue":"NaN"}}]}`, false},
		{"a double out of range", `{` + id + `,"attributes":[{"key":"n","value":{"doubleValue":1e999}}]}`, false},
		{"a boolean as a string", `{` + id + `,"attributes":[{"key":"n","value":{"boolValue":"true"}}]}`, false},
		{"a number with a leading zero", `{` + id + `,"x":01}`, false},
		{"an unknown object", `{` + id + `,"x":{}}`, false},
		{"a trailing comma", `{` + id + `,}`, false},
		{"no comma", `{` + id + ` "name":"a"}`, false},
		{"cut short", `{` + id, false},
		{"bytes after it", `{` + id + `}x`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := sameSpan(t, []byte(tt.span)); got != tt.fast {
				t.Errorf("read fast: %v, want %v", got, tt.fast)
			}
		})
	}
}

// The spans Jaeger sent read fast, as token by token, but for those with
// a list among their attributes (Jaeger's warnings).
func TestFastSpanReadsRecordedSpans(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join(fuzzcheck.Root(), "testdata", "recorded", "jaeger-apiv3-trace.json"))
	if err != nil {
		t.Fatal(err)
	}
	{
		spans := recordedSpans(t, doc)
		if len(spans) == 0 {
			t.Fatal("no spans in the recorded answer")
		}
		for _, s := range spans {
			if !sameSpan(t, s) && !bytes.Contains(s, []byte(`"arrayValue"`)) {
				t.Errorf("a span Jaeger sent is not read fast: %s", s)
			}
		}
	}
}

// recordedSpans are the span objects of an /api/v3 answer, as sent.
func recordedSpans(t testing.TB, doc []byte) [][]byte {
	var answer struct {
		Result struct {
			ResourceSpans []struct {
				ScopeSpans []struct {
					Spans []json.RawMessage `json:"spans"`
				} `json:"scopeSpans"`
			} `json:"resourceSpans"`
		} `json:"result"`
	}
	if err := json.Unmarshal(doc, &answer); err != nil {
		t.Fatal(err)
	}
	var out [][]byte
	for _, rs := range answer.Result.ResourceSpans {
		for _, ss := range rs.ScopeSpans {
			for _, s := range ss.Spans {
				out = append(out, s)
			}
		}
	}
	return out
}

// plainDoc is an /api/v3 answer of n spans of the usual shape in two
// resources, with every seventh span of another shape (an escape, links,
// a list value) among them.
func plainDoc(n int) []byte {
	var b strings.Builder
	b.WriteString(`{"result":{"resourceSpans":[`)
	for r := range 2 {
		if r > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"svc-%d"}}]},"scopeSpans":[{"spans":[`, r)
		for i := range n / 2 {
			if i > 0 {
				b.WriteString(",")
			}
			k := r*n + i + 1
			span := strings.Replace(plainSpan, `"63cb2198d43db2cd"`, fmt.Sprintf(`"%016x"`, k), 1)
			span = strings.Replace(span, `"1796135246664000000"`, fmt.Sprintf(`"%d"`, 1796135246664000000-int64(k%97)*1000), 1)
			switch k % 21 {
			case 7:
				span = strings.Replace(span, `"name":"POST`, `"name":"POST`, 1)
			case 14:
				span = strings.Replace(span, `"status"`, `"links":[{"traceId":"54c3702b2571de0f473a71e6ddfbcd68","spanId":"00000000000000aa"}],"status"`, 1)
			case 0:
				span = strings.Replace(span, `{"boolValue":true}`, `{"arrayValue":{"values":[{"intValue":"1"}]}}`, 1)
			}
			b.WriteString(span)
		}
		b.WriteString(`]}]}`)
	}
	b.WriteString(`]}}`)
	return []byte(b.String())
}

// A document of spans read fast, and others among them, decodes shared
// out as it does token by token.
func TestDecodeFastSpansAsTokenByToken(t *testing.T) {
	withBatch(t, 4<<10)
	spans := recordedSpans(t, plainDoc(3000))
	read := 0
	for _, s := range spans {
		if sameSpan(t, s) {
			read++
		}
	}
	if want := len(spans) * 6 / 7; read < want {
		t.Fatalf("%d of %d spans read fast, want at least %d", read, len(spans), want)
	}
	for _, fast := range []bool{true, false} {
		fastSpans = fast
		if !sameDecoding(t, plainDoc(3000)) {
			t.Error("the document was not shared out")
		}
	}
	fastSpans = true
}

// FuzzFastSpan: whatever fastSpan reads, it reads as the token decoder
// does; what it does not read, it leaves untouched.
func FuzzFastSpan(f *testing.F) {
	f.Add([]byte(plainSpan))
	for _, doc := range fuzzcheck.Recorded(f, "jaeger-apiv3-trace.json") {
		for _, s := range recordedSpans(f, doc) {
			f.Add(s)
		}
	}
	f.Fuzz(func(t *testing.T, span []byte) {
		sameSpan(t, span)
	})
}

// The scans that look at eight bytes at a time stop where a byte-by-byte
// look does, wherever the byte they stop at falls.
func TestEightAtATime(t *testing.T) {
	for n := range 20 {
		for _, c := range []byte{'"', '\\', 0x00, 0x1f, ' ', 0x7f, 0x80, 0xff, 'a'} {
			body := []byte(strings.Repeat("x", n) + string([]byte{c}) + `yz"`)
			// fastReader.str: the string up to the first quote, unless a
			// backslash, a control character or a byte past ASCII comes first
			wantStr, wantOK := body[:n], true
			switch {
			case c == '"':
			case c == '\\' || c < ' ' || c >= 0x80:
				wantOK = false
			default:
				wantStr = body[:n+3]
			}
			r := fastReader{b: append([]byte{'"'}, body...)}
			got, ok := r.str()
			if ok != wantOK || ok && string(got) != string(wantStr) {
				t.Errorf("str of %q: %q %v, want %q %v", body, got, ok, wantStr, wantOK)
			}
			// scanner.skipString: past the first quote not escaped
			want := n + 2 // the opening quote, the body up to the quote
			switch c {
			case '"':
			case '\\':
				want = n + 5 // the backslash escapes y
			default:
				want = n + 5
			}
			s := &scanner{buf: append([]byte{'"'}, body...), eof: true}
			if !s.skipString() || s.i != want {
				t.Errorf("skipString of %q ends at %d, want %d", body, s.i, want)
			}
		}
	}
}

// The blocks of spans one document leaves are cleared when the next takes
// them: nothing of a span read before shows in one read after.
func TestSpanBlocksAreClearedWhenTakenAgain(t *testing.T) {
	withBatch(t, 4<<10)
	plain := `{"resourceSpans":[{"scopeSpans":[{"spans":[` +
		strings.TrimSuffix(strings.Repeat(`{"traceId":"54c3702b2571de0f473a71e6ddfbcd68","spanId":"63cb2198d43db2cd"},`, 3000), ",") + `]}]}]}`
	want, err := decodeStream(strings.NewReader(plain))
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if _, err := Decode(bytes.NewReader(plainDoc(3000))); err != nil { // spans with every field
			t.Fatal(err)
		}
		got, err := Decode(strings.NewReader(plain))
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("a bare span after a full one: %+v, want %+v", got[0].Spans[0], want[0].Spans[0])
		}
	}
}

// Spans sorted and copied out in two halves at once come out as one pass
// gives them: by start, then ID, then position, ties and all.
func TestGatherInHalvesAsInOne(t *testing.T) {
	base := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	newSpans := func() []sources.Span {
		var spans []sources.Span
		for i := range 5001 {
			spans = append(spans, sources.Span{
				SpanID:    sources.SpanID(fmt.Sprintf("%016x", (i*7919)%97)), // IDs repeat
				Start:     base.Add(time.Duration((i*31)%50) * time.Millisecond),
				Operation: fmt.Sprint(i),
			})
		}
		return spans
	}
	gather := func(halves int) []*sources.Trace {
		old := inHalves
		inHalves = halves
		defer func() { inHalves = old }()
		spans := newSpans()
		return gatherTraces(len(spans), []sources.TraceID{"01"}, nil, nil, func(i int) *sources.Span { return &spans[i] })
	}
	one, two := gather(1<<30), gather(2)
	if !reflect.DeepEqual(one, two) {
		t.Fatal("in two halves, the spans come out in another order")
	}
	if !slices.IsSortedFunc(one[0].Spans, func(a, b sources.Span) int { return a.Start.Compare(b.Start) }) {
		t.Fatal("not in start order")
	}
}
