package analyze

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/telx-cli/telx/internal/fuzzcheck"
	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/sources/jaeger"
)

// SampleFrom reads fuzz bytes as a few traces: the first byte says how
// many (1 to 8), the rest is cut into that many parts, each read as
// fuzzcheck.TraceFrom reads a trace.
func sampleFrom(b []byte) []*sources.Trace {
	if len(b) == 0 {
		return nil
	}
	n := int(b[0]%8) + 1
	b = b[1:]
	size := (len(b) + n - 1) / n
	var out []*sources.Trace
	for i := 0; i < n && len(b) > 0; i++ {
		part := b[:min(size, len(b))]
		b = b[len(part):]
		t := fuzzcheck.TraceFrom(part)
		t.ID = sources.TraceID(fmt.Sprintf("%032x", i+1))
		for j := range t.Spans {
			t.Spans[j].TraceID = t.ID
		}
		out = append(out, t)
	}
	return out
}

// FuzzAnalyze analyses any sample (duplicate IDs, cycles, negative
// durations, times at the ends of the range) and checks the report adds
// up: the histogram counts every trace, the self times every span, each
// origin is a failing span of its example trace, every share is a share.
func FuzzAnalyze(f *testing.F) {
	for _, b := range fuzzcheck.Recorded(f, "jaeger-api-trace.json") {
		ts, err := jaeger.DecodeUIJSON(bytes.NewReader(b))
		if err != nil {
			f.Fatal(err)
		}
		for _, t := range ts {
			f.Add(append([]byte{2}, append(fuzzcheck.TraceBytes(t), fuzzcheck.TraceBytes(t)...)...))
		}
	}
	f.Add([]byte{0})
	f.Fuzz(func(t *testing.T, b []byte) {
		ts := sampleFrom(b)
		byID := map[sources.TraceID]*sources.Trace{}
		spans, errSpans := 0, 0
		for _, tr := range ts {
			byID[tr.ID] = tr
			if len(tr.Spans) > 0 {
				spans += len(tr.Spans)
				errSpans += tr.ErrorCount()
			}
		}
		r := Analyze(ts, Options{Service: "s", Buckets: 1 + len(b)%20, TopAttributes: 1 + len(b)%7})
		if r.Spans != spans || r.Failed > r.Traces || r.Slow > r.Traces || (r.Traces >= 2) != (r.Slow > 0) {
			t.Fatalf("traces %d spans %d (of %d) failed %d slow %d", r.Traces, r.Spans, spans, r.Failed, r.Slow)
		}
		sum := 0.0
		for i, bk := range r.Latency.Buckets {
			sum += bk.Count
			if i > 0 && bk.Upper <= r.Latency.Buckets[i-1].Upper {
				t.Errorf("bars out of order: %+v", r.Latency.Buckets)
			}
		}
		if int(sum) != r.Traces || r.Latency.P50 > r.Latency.P90 || r.Latency.P90 > r.Latency.P99 || r.Latency.P50 < 0 {
			t.Errorf("latency %+v of %d traces", r.Latency, r.Traces)
		}
		opSpans := 0
		for _, o := range r.Operations {
			opSpans += o.Spans
			if o.Self < 0 || o.SlowCritical < 0 || o.SlowCritical > 1 || o.RestCritical < 0 || o.RestCritical > 1 {
				t.Errorf("operation %+v", o)
			}
		}
		if opSpans != spans {
			t.Errorf("the operations count %d spans of %d", opSpans, spans)
		}
		origins := 0
		for _, o := range r.ErrorOrigins {
			origins += o.Count
			tr := byID[o.Example.TraceID]
			if o.Traces < 1 || o.Traces > o.Count || tr == nil {
				t.Fatalf("origin %+v", o)
			}
			// a span ID may repeat: one of the spans of that ID is it
			found := false
			for i := range tr.Spans {
				s := &tr.Spans[i]
				found = found || s.SpanID == o.Example.SpanID && s.IsError() && s.Service == o.Service && s.Operation == o.Operation
			}
			if !found {
				t.Errorf("origin %+v: its example is not such a failing span", o)
			}
		}
		if origins > errSpans || (errSpans > 0) != (origins > 0) {
			t.Errorf("%d origins of %d failing spans", origins, errSpans)
		}
		for _, list := range [][]AttributeDiff{r.FailedAttributes, r.SlowAttributes} {
			for _, a := range list {
				if a.Share <= a.RestShare || a.Share > 1 || a.RestShare < 0 || a.Count < 1 || byID[a.Example.TraceID] == nil {
					t.Errorf("attribute %+v", a)
				}
			}
		}
		calls := 0
		for _, e := range r.Graph.Edges {
			calls += e.Calls
			if e.Parent == e.Child || e.Errors > e.Calls {
				t.Errorf("edge %+v", e)
			}
		}
		if calls > spans {
			t.Errorf("%d calls among %d spans", calls, spans)
		}
	})
}
