package compare_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/telx-cli/telx/internal/fuzzcheck"
	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/sources/compare"
	"github.com/telx-cli/telx/sources/jaeger"
)

// BenchmarkCompareBigTrace aligns the recorded big trace (1,202 spans)
// with a copy whose every span is 10% slower.
func BenchmarkCompareBigTrace(b *testing.B) {
	doc, err := os.ReadFile(filepath.Join(fuzzcheck.Root(), "testdata", "recorded", "jaeger-api-big-trace.json"))
	if err != nil {
		b.Fatal(err)
	}
	ts, err := jaeger.DecodeUIJSON(bytes.NewReader(doc))
	if err != nil || len(ts) != 1 {
		b.Fatal(err)
	}
	slow := &sources.Trace{ID: ts[0].ID, Spans: append([]sources.Span(nil), ts[0].Spans...)}
	for i := range slow.Spans {
		slow.Spans[i].Duration += slow.Spans[i].Duration / 10
	}
	ta, tb := sources.BuildTree(ts[0]), sources.BuildTree(slow)
	b.ReportAllocs()
	for b.Loop() {
		c := compare.Compare(ta, tb, compare.Options{})
		c.Visible(time.Millisecond)
	}
}
