package jaeger

import (
	"encoding/json"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/sources/otlp"
)

// The same trace recorded from the real Jaeger through /api and /api/v3
// reads as the same domain trace.
func TestUIJSONMatchesOTLP(t *testing.T) {
	read := func(name string, decode func(*os.File) ([]*sources.Trace, error)) []*sources.Trace {
		f, err := os.Open("../../testdata/recorded/" + name)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		ts, err := decode(f)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return ts
	}
	ui := read("jaeger-api-trace.json", func(f *os.File) ([]*sources.Trace, error) { return DecodeUIJSON(f) })
	v3 := read("jaeger-apiv3-trace.json", func(f *os.File) ([]*sources.Trace, error) { return otlp.Decode(f) })
	if len(ui) != 1 || len(v3) != 1 || len(ui[0].Spans) < 5 {
		t.Fatalf("%d and %d traces", len(ui), len(v3))
	}
	if len(ui[0].Spans) != len(v3[0].Spans) {
		t.Fatalf("%d spans through /api, %d through /api/v3", len(ui[0].Spans), len(v3[0].Spans))
	}
	for i := range ui[0].Spans {
		if !reflect.DeepEqual(ui[0].Spans[i], v3[0].Spans[i]) {
			t.Fatalf("span %d:\n/api    %+v\n/api/v3 %+v", i, ui[0].Spans[i], v3[0].Spans[i])
		}
	}
}

func TestDecodeUIJSONShapes(t *testing.T) {
	const tid = "4bf92f3577b34da6a3ce929d0e0e4736"
	base := time.UnixMicro(1700000000000000).UTC()
	tests := []struct {
		name     string
		doc      string
		check    func(t *testing.T, s sources.Span)
		warnings []string
	}{
		{"processes after the spans, tags of every type, typed before or after their values",
			`{"data":[{"spans":[{"traceID":"` + tid + `","spanID":"00f067aa0ba902b7","operationName":"GET /","startTime":1700000000000000,"duration":1500,"processID":"p1",
			"tags":[{"key":"b","type":"bool","value":true},{"key":"i","value":"42","type":"int64"},{"key":"f","type":"float64","value":1.5},
			{"key":"s","type":"string","value":"v\"q"},{"key":"n","value":7},{"key":"bin","type":"binary","value":"AQI="},{"key":"span.kind","type":"string","value":"server"}]}],
			"processes":{"p1":{"serviceName":"api","tags":[{"key":"host.name","type":"string","value":"h1"}]}}}]}`,
			func(t *testing.T, s sources.Span) {
				want := sources.Attrs{{Key: "b", Value: true}, {Key: "bin", Value: "AQI="}, {Key: "f", Value: 1.5}, {Key: "i", Value: int64(42)}, {Key: "n", Value: "7"}, {Key: "s", Value: `v"q`}}
				if s.Service != "api" || s.Kind != sources.KindServer || !reflect.DeepEqual(s.Attrs, want) || s.Start != base ||
					s.Duration != 1500*time.Microsecond || s.Resource.GetString("host.name") != "h1" {
					t.Errorf("got %+v", s)
				}
			}, nil},
		{"an embedded process and an older export's parentSpanID",
			`{"data":[{"traceID":"` + tid + `","spans":[{"spanID":"00f067aa0ba902b7","parentSpanID":"00f067aa0ba902b6","operationName":"x","startTime":1700000000000000,"duration":1,
			"process":{"serviceName":"db"},"logs":[{"timestamp":1700000000000001,"fields":[{"key":"event","value":"retry"},{"key":"n","type":"int64","value":2}]}]}]}]}`,
			func(t *testing.T, s sources.Span) {
				if s.Service != "db" || s.ParentID != "00f067aa0ba902b6" || s.TraceID != tid || len(s.Events) != 1 || s.Events[0].Name != "retry" ||
					s.Events[0].Attrs.GetString("n") != "2" || !s.Events[0].Time.Equal(base.Add(time.Microsecond)) {
					t.Errorf("got %+v", s)
				}
			}, nil},
		{"a process that is not there, nulls and unknown fields",
			`{"total":1,"data":[{"traceID":"` + tid + `","spans":[{"spanID":"00f067aa0ba902b7","operationName":"x","processID":"p9","tags":null,"logs":null,"references":[],"flags":1}],
			"processes":null,"warnings":["w1"]}],"errors":null}`,
			func(t *testing.T, s sources.Span) {
				if s.Service != "" || s.Attrs != nil {
					t.Errorf("got %+v", s)
				}
			}, []string{`span 00f067aa0ba902b7: process "p9" is not in the trace`, "w1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts, err := DecodeUIJSON(strings.NewReader(tt.doc))
			if err != nil {
				t.Fatal(err)
			}
			if len(ts) != 1 || len(ts[0].Spans) != 1 {
				t.Fatalf("got %d traces", len(ts))
			}
			tt.check(t, ts[0].Spans[0])
			for _, w := range tt.warnings {
				if !strings.Contains(strings.Join(ts[0].Warnings, "\n"), w) {
					t.Errorf("warnings %q lack %q", ts[0].Warnings, w)
				}
			}
		})
	}
}

func TestDecodeUIJSONErrors(t *testing.T) {
	for _, tt := range []struct{ doc, want string }{
		{`{"data":[{"traceID":"xyz","spans":[]}]}`, "data[0]: traceID: invalid trace ID"},
		{`{"data":[{"spans":[{"spanID":"01","tags":[{"key":"b","type":"bool","value":"maybe"}]}]}]}`, `data[0].spans[0].tags[0].value: value maybe is not a bool`},
		{`{"data":[{"spans":[{"spanID":"01","tags":[{"key":"i","value":"x1","type":"int64"}]}]}]}`, `data[0].spans[0].tags[0]: value x1 is not an int64`},
		{`{"data":[{"spans":[{"spanID":"01","startTime":"soon"}]}]}`, `data[0].spans[0].startTime: "soon" is not a 64-bit integer`},
		{`{"data":[{"spans":{}}]}`, "data[0].spans: want an array"},
		{`{"data":[{"spans":[`, "reading Jaeger JSON"},
		{`[]`, "not a JSON object"},
		{``, "reading Jaeger JSON"},
	} {
		_, err := DecodeUIJSON(strings.NewReader(tt.doc))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s:\nerror %v, want it to say %q", tt.doc, err, tt.want)
		}
	}
}

// Times no Duration can reach from 1970 (a start of math.MaxInt64 µs, a
// duration of 8e15 µs) are held to the range with a warning on the span,
// so that the trace renders and writes as JSON.
func TestDecodeUIJSONTimesOutOfRange(t *testing.T) {
	doc := `{"data":[{"traceID":"4bf92f3577b34da6a3ce929d0e0e4736","spans":[
{"traceID":"4bf92f3577b34da6a3ce929d0e0e4736","spanID":"00f067aa0ba902b7","operationName":"a","startTime":1764048942000000,"duration":8000000000000000,"processID":"p1"},
{"traceID":"4bf92f3577b34da6a3ce929d0e0e4736","spanID":"00f067aa0ba902b8","operationName":"b","startTime":9223372036854775807,"duration":5,"processID":"p1"},
{"traceID":"4bf92f3577b34da6a3ce929d0e0e4736","spanID":"00f067aa0ba902b9","operationName":"c","startTime":-9223372036854775808,"duration":-9223372036854775808,"processID":"p1"}],
"processes":{"p1":{"serviceName":"svc"}}}]}`
	ts, err := DecodeUIJSON(strings.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range ts[0].Spans {
		if s.Start.Before(sources.MinTime) || s.End().After(sources.MaxTime) || s.End().Before(sources.MinTime) {
			t.Errorf("%s: %s + %s is out of range", s.Operation, s.Start, s.Duration)
		}
		if len(s.Warnings) == 0 {
			t.Errorf("%s: no warning", s.Operation)
		}
		if _, err := json.Marshal(s); err != nil {
			t.Errorf("%s: %v", s.Operation, err)
		}
	}
}
