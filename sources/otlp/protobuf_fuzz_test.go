package otlp

import (
	"testing"
	"time"

	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/sources/demo"
)

// FuzzDecodeProtobuf: no message panics the decoder, and what it reads
// is well formed: normalised IDs, spans in start order, in their trace.
func FuzzDecodeProtobuf(f *testing.F) {
	sc := demo.Generate(2, time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC), demo.Options{Traces: 3, BigTraceBatches: 2})
	for _, traces := range [][]*sources.Trace{{richTrace()}, sc.Traces[:2], {sc.Traces[2]}} {
		b, err := marshalProto(toProto(traces))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, msg []byte) {
		traces, err := DecodeProtobuf(msg)
		if err != nil {
			return
		}
		for _, tr := range traces {
			if !sources.IsNormalID(tr.ID, 32) {
				t.Fatalf("trace ID %q", tr.ID)
			}
			for i := range tr.Spans {
				s := &tr.Spans[i]
				if s.TraceID != tr.ID || !sources.IsNormalID(s.SpanID, 16) || s.ParentID != "" && !sources.IsNormalID(s.ParentID, 16) {
					t.Fatalf("span %d: IDs %q %q %q in trace %q", i, s.TraceID, s.SpanID, s.ParentID, tr.ID)
				}
				if i > 0 && s.Start.Before(tr.Spans[i-1].Start) {
					t.Fatalf("span %d starts before span %d", i, i-1)
				}
				if s.Duration < 0 || s.Kind < sources.KindUnspecified || s.Kind > sources.KindConsumer || s.Status.Code < sources.StatusUnset || s.Status.Code > sources.StatusError {
					t.Fatalf("span %d: %+v", i, s)
				}
			}
		}
	})
}
