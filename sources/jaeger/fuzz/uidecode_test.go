package fuzz

import (
	"strings"
	"testing"

	"github.com/telx-cli/telx/sources/jaeger"
)

// A span listed under a trace but of another trace ID (a UI file merged or
// edited by hand) is left out with a warning: the trace's spans are of its
// trace, and -o otlp writes one trace back. Found by FuzzHTTPAnswer.
func TestUIJSONSpanOfAnotherTrace(t *testing.T) {
	doc := `{"data":[{"traceID":"d4ad2528a37b24efa426f26e5ab38b47","spans":[
	  {"traceID":"d4ad2528a37b24efa426f26e5ab38b47","spanID":"842c0c3eea08f3dd","operationName":"a","startTime":1,"duration":2,"processID":"p1"},
	  {"traceID":"d4ad2528a34b24efa426f26e5ab38b47","spanID":"428ac97cd10c6e67","operationName":"b","startTime":1,"duration":2,"processID":"p1"}],
	  "processes":{"p1":{"serviceName":"svc"}}}]}`
	ts, err := jaeger.DecodeUIJSON(strings.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	if len(ts) != 1 || len(ts[0].Spans) != 1 || ts[0].Spans[0].Operation != "a" {
		t.Fatalf("traces %+v", ts)
	}
	if w := strings.Join(ts[0].Warnings, "\n"); !strings.Contains(w, `span 1 ("428ac97cd10c6e67") left out: of trace d4ad2528a34b24efa426f26e5ab38b47`) {
		t.Errorf("warnings: %s", w)
	}
}
