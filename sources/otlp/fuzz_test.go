package otlp

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"

	"github.com/telx-cli/telx/internal/fuzzcheck"
)

// FuzzDecode reads any bytes as an OTLP JSON document: no panic; what it
// reads is in the model's normal form; and what Encode writes of it reads
// back to the same document (defect 3 of #15: telx reads what it writes).
func FuzzDecode(f *testing.F) {
	for _, b := range fuzzcheck.Recorded(f, "jaeger-apiv3-*.json") {
		f.Add(b)
	}
	for _, s := range []string{
		`{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"api"}}]},"scopeSpans":[{"spans":[{"traceId":"a3ce929d0e0e4736","spanId":"00f067aa0ba902b7","name":"GET /","kind":"SPAN_KIND_SERVER","startTimeUnixNano":1700000000000000000,"endTimeUnixNano":"1700000000250000000","status":{"code":"STATUS_CODE_ERROR","message":"boom"},"attributes":[{"key":"n","value":{"intValue":42}},{"key":"r","value":{"doubleValue":"NaN"}},{"key":"l","value":{"arrayValue":{"values":[{"stringValue":"a"}]}}},{"key":"m","value":{"kvlistValue":{"values":[{"key":"k","value":{"boolValue":true}}]}}},{"key":"b","value":{"bytesValue":"AAE="}}]}]}]}]}`,
		`{"result":{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"4bf92f3577b34da6a3ce929d0e0e4736","spanId":"00f067aa0ba902b7","parentSpanId":"00f067aa0ba902b8","startTimeUnixNano":"1","endTimeUnixNano":"9223372036854775807","events":[{"timeUnixNano":"5","name":"e"}],"links":[{"traceId":"4bf92f3577b34da6a3ce929d0e0e4737","spanId":"01"}]}]}]}]}}`,
		`{"resourceSpans":[{"instrumentationLibrarySpans":[{"spans":[{"traceId":"01","spanId":"02","kind":9}]}],"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"late"}}]}}]}`,
		`{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"01","spanId":"02","links":[{},{"traceId":"03"},{"spanId":"04"}]}]}]}]}`,
		`[]`, `{}`, `{"resourceSpans":null}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		ts, err := Decode(bytes.NewReader(doc))
		if err != nil {
			return
		}
		fuzzcheck.Traces(t, ts)
		var first bytes.Buffer
		if err := Encode(&first, ts); err != nil {
			t.Fatalf("Encode of what Decode read: %v", err)
		}
		back, err := Decode(bytes.NewReader(first.Bytes()))
		if err != nil {
			t.Fatalf("Decode of what Encode wrote: %v\n%s", err, first.Bytes())
		}
		var second bytes.Buffer
		if err := Encode(&second, back); err != nil {
			t.Fatal(err)
		}
		// the same JSON values: invalid UTF-8, which JSON cannot hold, is
		// written \ufffd the first time and U+FFFD itself the second
		var a, b any
		if err := json.Unmarshal(first.Bytes(), &a); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(second.Bytes(), &b); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("written, read back and written again, the document changed:\n%s\nthen\n%s", first.Bytes(), second.Bytes())
		}
	})
}
