package loki

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/telx-cli/telx/sources"
)

// Fixtures recorded from the real Loki by test/record-fixtures.sh loki.
func recorded(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("../../testdata/recorded/" + name)
	if err != nil {
		t.Fatalf("%v (record with bash test/record-fixtures.sh loki)", err)
	}
	return b
}

func decodeFixture(t *testing.T, name string, dir sources.Direction) *page {
	t.Helper()
	p, err := decodeStreams(bytes.NewReader(recorded(t, name)), dir, &extractor{})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestDecodeCategorisedStreams(t *testing.T) {
	p := decodeFixture(t, "loki-query-range.json", sources.Backward)
	if len(p.entries) != 40 || p.n != 40 {
		t.Fatalf("%d entries (%d sent), want 40", len(p.entries), p.n)
	}
	if len(p.streams) < 2 {
		t.Fatalf("%d streams: the fixture should mix services", len(p.streams))
	}
	formats := map[string]bool{}
	for i, e := range p.entries {
		if i > 0 && e.Time.After(p.entries[i-1].Time) {
			t.Errorf("entry %d is newer than the one before", i)
		}
		svc := e.Labels["service_name"]
		if svc == "" || e.Labels["namespace"] != "shop" {
			t.Errorf("entry %d: labels %v", i, e.Labels)
		}
		for _, k := range []string{"trace_id", "span_id"} {
			if _, in := e.Labels[k]; in {
				t.Errorf("entry %d: structured metadata %s among the labels", i, k)
			}
		}
		md := e.Metadata["trace_id"]
		switch {
		case strings.HasPrefix(e.Line, "{"):
			formats["json"] = true
		case strings.HasPrefix(e.Line, "level="):
			formats["logfmt"] = true
		case svc == "postgres":
			formats["postgres"] = true
		default:
			formats["text"] = true
		}
		if md != "" && string(e.TraceID) != md {
			t.Errorf("entry %d: trace ID %q, metadata says %q", i, e.TraceID, md)
		}
		if md == "" && strings.Contains(e.Line, "trace_id") && e.TraceID == "" {
			t.Errorf("entry %d: no trace ID from the line %q", i, e.Line)
		}
		if (strings.Contains(e.Line, `level=error`) || strings.Contains(e.Line, `"level":"error"`)) && e.Level != "error" {
			t.Errorf("entry %d: level %q for %q", i, e.Level, e.Line)
		}
	}
	for _, f := range []string{"json", "logfmt", "text", "postgres"} {
		if !formats[f] {
			t.Errorf("no %s line in the fixture: re-record it", f)
		}
	}

	// forward is the same entries, reversed in time
	fw := decodeFixture(t, "loki-query-range.json", sources.Forward)
	for i := 1; i < len(fw.entries); i++ {
		if fw.entries[i].Time.Before(fw.entries[i-1].Time) {
			t.Fatalf("forward entry %d is older than the one before", i)
		}
	}
}

// Without categorize-labels, Loki merges structured metadata into the
// stream labels; the IDs are still found there.
func TestDecodeMergedStreams(t *testing.T) {
	p := decodeFixture(t, "loki-query-range-merged.json", sources.Backward)
	if len(p.entries) == 0 {
		t.Fatal("no entries")
	}
	for _, e := range p.entries {
		if e.Labels["trace_id"] == "" || string(e.TraceID) != e.Labels["trace_id"] || e.SpanID == "" {
			t.Errorf("merged labels %v: trace %q span %q", e.Labels, e.TraceID, e.SpanID)
		}
	}
}

// A parser's labels join the entry's labels, not its structured metadata,
// and the stream's own labels are not changed for the other entries.
func TestDecodeParsedLabels(t *testing.T) {
	p := decodeFixture(t, "loki-query-range-logfmt.json", sources.Backward)
	if len(p.entries) == 0 {
		t.Fatal("no entries")
	}
	for _, e := range p.entries {
		if e.Labels["msg"] == "" || e.Labels["service_name"] != "checkout" {
			t.Errorf("parsed labels missing: %v", e.Labels)
		}
		if _, in := e.Metadata["msg"]; in {
			t.Errorf("a parsed label among the metadata: %v", e.Metadata)
		}
	}
	for _, s := range p.streams {
		if _, in := s["msg"]; in {
			t.Errorf("the stream's labels were changed: %v", s)
		}
	}
}

func TestDecodeSeries(t *testing.T) {
	series, err := decodeSeries(bytes.NewReader(recorded(t, "loki-query-range-matrix.json")))
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, s := range series {
		if s.Labels["service_name"] == "payments" {
			found = len(s.Points) > 0
		}
		for i := 1; i < len(s.Points); i++ {
			if !s.Points[i].Time.After(s.Points[i-1].Time) || s.Points[i].Value < 0 {
				t.Errorf("%v: point %d: %v after %v", s.Labels, i, s.Points[i], s.Points[i-1])
			}
		}
	}
	if !found {
		t.Errorf("no payments series in %v", series)
	}
	// a streams answer is not series, and the reverse
	if _, err := decodeSeries(bytes.NewReader(recorded(t, "loki-query-range.json"))); !errors.Is(err, errLogResult) {
		t.Errorf("streams as series: %v", err)
	}
	if _, err := decodeStreams(bytes.NewReader(recorded(t, "loki-query-range-matrix.json")), sources.Backward, &extractor{}); !errors.Is(err, errMetricResult) {
		t.Errorf("series as streams: %v", err)
	}
}

func TestDecodeMalformed(t *testing.T) {
	for _, body := range []string{
		`{"data":{"resultType":"streams","result":[{"stream":{},"values":[["12x","a"]]}]}}`,
		`{"data":{"resultType":"streams","result":[{"stream":{},"values":[["12","a"`,
		`{"data":{"resultType":"streams","result":[{"stream":{},"values":[["12"]]}]}}`,
		`{"data":{"resultType":"streams","result":[{"stream":{},"values":[["12","a",{"k":1}]]}]}}`,
	} {
		if _, err := decodeStreams(strings.NewReader(body), sources.Backward, &extractor{}); err == nil {
			t.Errorf("no error for %s", body)
		}
	}
}

func TestSplitSelector(t *testing.T) {
	for q, want := range map[string][2]string{
		`{a="b"} |= "x"`:            {`{a="b"}`, ` |= "x"`},
		`{a="}", b=~"x\"}"} | json`: {`{a="}", b=~"x\"}"}`, ` | json`},
		"{a=`}`}":                   {"{a=`}`}", ""},
	} {
		sel, rest, ok := splitSelector(q)
		if !ok || sel != want[0] || rest != want[1] {
			t.Errorf("splitSelector(%s) = %q %q %v", q, sel, rest, ok)
		}
	}
	if got := streamSelector(map[string]string{"b": "2", "a": `x"y`}, `{a=~".+"}`); got != `{a="x\"y", b="2", a=~".+"}` {
		t.Errorf("streamSelector: %s", got)
	}
}

// A broken answer's bytes are quoted in the error, made safe to print.
func TestDecodeErrorIsSanitised(t *testing.T) {
	_, err := decodeStreams(strings.NewReader("{\"data\":{\"resultType\":\"streams\",\"result\":[{\"values\":[[\"1\x1b[2J\"]]}]}}"), sources.Backward, &extractor{})
	if err == nil || strings.Contains(err.Error(), "\x1b") || !strings.Contains(err.Error(), `\x1b`) {
		t.Errorf("error %q", err)
	}
}
