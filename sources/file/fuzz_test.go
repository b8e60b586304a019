package file

import (
	"bytes"
	"testing"

	"github.com/telx-cli/telx/internal/fuzzcheck"
)

// FuzzReadTraces reads any bytes as a saved trace file (Jaeger UI JSON,
// OTLP JSON or a saved /api/v3 answer, told apart by the first key): no
// panic, and what it reads is in the model's normal form.
func FuzzReadTraces(f *testing.F) {
	for _, b := range fuzzcheck.Recorded(f, "jaeger-api*.json") {
		if len(b) < 64<<10 {
			f.Add(b)
		}
	}
	for _, s := range []string{`{"data":[]}`, `{"resourceSpans":[]}`, `{"result":{}}`, `{"other":1}`, `[1]`, ` {"data"`, "\xef\xbb\xbf{\"data\":[]}"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		ts, err := ReadTraces(bytes.NewReader(doc))
		fuzzcheck.Error(t, err)
		if err == nil {
			fuzzcheck.Traces(t, ts)
		}
	})
}
