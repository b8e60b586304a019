package otlp

import (
	"bytes"
	"encoding/base64"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/telx-cli/telx/sources"
)

// randomTrace builds a trace of the model as any of telx's decoders may
// hand one over: odd names, empty and missing IDs in links, times far from
// now, every kind of attribute value, warnings.
func randomTrace(r *rand.Rand) *sources.Trace {
	str := func() string {
		pool := []string{"", "frontend", "GET /dispatch", "ünïcödé ✓", "tab\there", "nl\nx", "\x1b[31mred", "quote\"back\\", "\xff\xfe bad utf8", strings.Repeat("long", 50)}
		return pool[r.IntN(len(pool))]
	}
	hexID := func(n int) string {
		const digits = "0123456789abcdef"
		b := make([]byte, n)
		for i := range b {
			b[i] = digits[r.IntN(16)]
		}
		if strings.Trim(string(b), "0") == "" {
			b[n-1] = '1'
		}
		return string(b)
	}
	var value func(depth int) any
	value = func(depth int) any {
		switch r.IntN(9) {
		case 0:
			return str()
		case 1:
			return r.IntN(2) == 0
		case 2:
			return r.Int64() - math.MaxInt64/2
		case 3:
			return []float64{0, -1.5, 1e300, math.NaN(), math.Inf(1), math.Inf(-1), math.SmallestNonzeroFloat64}[r.IntN(7)]
		case 4:
			return int(r.Int32())
		case 5:
			return []byte(str())
		case 6:
			if depth > 2 {
				return nil
			}
			a := make([]any, r.IntN(3))
			for i := range a {
				a[i] = value(depth + 1)
			}
			return a
		case 7:
			if depth > 2 {
				return "deep"
			}
			m := map[string]any{}
			for range r.IntN(3) {
				m[str()] = value(depth + 1)
			}
			return m
		}
		return nil
	}
	attrs := func() sources.Attrs {
		var as sources.Attrs
		for range r.IntN(4) {
			as = append(as, sources.Attr{Key: str(), Value: value(0)})
		}
		return as
	}
	times := []time.Time{
		time.Date(2026, 11, 25, 5, 35, 42, 123456789, time.UTC),
		time.Unix(0, 0).UTC(),
		time.Unix(0, 1).UTC(),
		time.Date(1969, 12, 31, 23, 59, 59, 0, time.UTC),
		time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2262, 4, 11, 23, 47, 16, 0, time.UTC),
		time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC),
	}
	durations := []time.Duration{0, time.Microsecond, 1500 * time.Millisecond, -time.Second, math.MaxInt64, 8_000_000_000_000_000 * time.Microsecond}

	tid := sources.TraceID(hexID(32))
	tr := &sources.Trace{ID: tid}
	var ids []sources.SpanID
	for range 1 + r.IntN(6) {
		s := sources.Span{
			TraceID:   tid,
			SpanID:    sources.SpanID(hexID(16)),
			Service:   str(),
			Operation: str(),
			Kind:      sources.SpanKind(r.IntN(6)),
			Start:     times[r.IntN(len(times))],
			Duration:  durations[r.IntN(len(durations))],
			Status:    sources.Status{Code: sources.StatusCode(r.IntN(3)), Message: str()},
			Attrs:     attrs(),
			Resource:  attrs(),
		}
		if len(ids) > 0 && r.IntN(4) > 0 {
			s.ParentID = ids[r.IntN(len(ids))]
		}
		for range r.IntN(3) {
			s.Events = append(s.Events, sources.Event{Time: times[r.IntN(len(times))], Name: str(), Attrs: attrs()})
		}
		for range r.IntN(3) {
			l := sources.SpanRef{Type: sources.RefFollowsFrom, Attrs: attrs()}
			switch r.IntN(4) {
			case 0: // a reference with its IDs missing
			case 1:
				l.TraceID = tid
			default:
				l.TraceID, l.SpanID = sources.TraceID(hexID(32)), sources.SpanID(hexID(16))
			}
			s.Links = append(s.Links, l)
		}
		if r.IntN(3) == 0 {
			s.Warnings = []string{str(), "clock skew adjusted"}
		}
		ids = append(ids, s.SpanID)
		tr.Spans = append(tr.Spans, s)
	}
	return tr
}

// FuzzRoundTrip: what telx writes with -o otlp, it reads back, to the
// same trace up to what OTLP JSON cannot say (see wantBack).
func FuzzRoundTrip(f *testing.F) {
	for i := range uint64(64) {
		f.Add(i, i*7919)
	}
	f.Fuzz(func(t *testing.T, a, b uint64) {
		in := randomTrace(rand.New(rand.NewPCG(a, b)))
		want := wantBack(in)
		var buf bytes.Buffer
		if err := Encode(&buf, []*sources.Trace{in}); err != nil {
			t.Fatalf("encode: %v", err)
		}
		doc := buf.String()
		got, err := Decode(&buf)
		if err != nil {
			t.Fatalf("telx does not read what it wrote: %v\n%s", err, doc)
		}
		if len(got) != 1 {
			t.Fatalf("%d traces back, want 1", len(got))
		}
		if len(got[0].Spans) != len(want.Spans) {
			t.Fatalf("%d spans back, want %d", len(got[0].Spans), len(want.Spans))
		}
		for i := range want.Spans {
			if !reflect.DeepEqual(normalised(got[0].Spans[i]), want.Spans[i]) {
				t.Fatalf("span %d:\n got %#v\nwant %#v\n%s", i, normalised(got[0].Spans[i]), want.Spans[i], doc)
			}
		}
	})
}

// wantBack is the trace that reading in's OTLP document should give,
// which is in itself but for what OTLP JSON cannot say or telx does not
// keep:
//   - text is valid UTF-8 (JSON's strings are; a bad byte becomes U+FFFD);
//   - times are kept to Precision and held to OTLP's range (1677 to 2262);
//     a negative duration is none;
//   - int values are int64s, nil is "", bytes are their base64 text;
//   - attributes are in key order, the resource's service.name is the
//     span's Service, and a reference of no type follows from;
//   - Jaeger's notes that it did not adjust clock skew are dropped;
//   - the spans are in start order.
func wantBack(in *sources.Trace) *sources.Trace {
	out := &sources.Trace{ID: in.ID}
	for _, s := range in.Spans {
		w := sources.Span{
			TraceID:   s.TraceID,
			SpanID:    s.SpanID,
			ParentID:  s.ParentID,
			Service:   validUTF8(s.Service),
			Operation: validUTF8(s.Operation),
			Kind:      s.Kind,
			Start:     otlpTime(s.Start),
			Status:    sources.Status{Code: s.Status.Code, Message: validUTF8(s.Status.Message)},
			Attrs:     wantAttrs(s.Attrs),
		}
		if s.Duration > 0 {
			w.Duration = otlpTime(s.End()).Sub(otlpTime(s.Start))
		}
		var res sources.Attrs
		for _, a := range wantAttrs(s.Resource) {
			if a.Key != "service.name" {
				res = append(res, a)
			}
		}
		w.Resource = res
		for _, e := range s.Events {
			w.Events = append(w.Events, sources.Event{Time: otlpTime(e.Time), Name: validUTF8(e.Name), Attrs: wantAttrs(e.Attrs)})
		}
		for _, l := range s.Links {
			l.Type = cmpOr(l.Type, sources.RefFollowsFrom)
			l.Attrs = wantAttrs(l.Attrs)
			w.Links = append(w.Links, l)
		}
		for _, warn := range s.Warnings {
			w.Warnings = append(w.Warnings, validUTF8(warn))
		}
		w.Warnings = KeepWarnings(w.Warnings)
		if len(w.Warnings) == 0 {
			w.Warnings = nil
		}
		out.Spans = append(out.Spans, normalised(w))
	}
	SortSpans(out.Spans)
	return out
}

func cmpOr(t, def sources.RefType) sources.RefType {
	if t == "" {
		return def
	}
	return t
}

// otlpTime is t as an OTLP timestamp says it.
func otlpTime(t time.Time) time.Time {
	lo, hi := time.Unix(0, math.MinInt64), time.Unix(0, math.MaxInt64)
	switch {
	case t.Before(lo):
		t = lo
	case t.After(hi):
		t = hi
	}
	return t.UTC().Truncate(Precision)
}

func validUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		b.WriteRune(r) // RuneError for each bad byte
		i += size
	}
	return b.String()
}

func wantAttrs(as sources.Attrs) sources.Attrs {
	if len(as) == 0 {
		return nil
	}
	out := make(sources.Attrs, len(as))
	for i, a := range as {
		out[i] = sources.Attr{Key: validUTF8(a.Key), Value: wantValue(a.Value)}
	}
	SortAttrs(out)
	return out
}

func wantValue(v any) any {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return validUTF8(x)
	case int:
		return int64(x)
	case []byte:
		return base64.StdEncoding.EncodeToString(x)
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = wantValue(e)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[validUTF8(k)] = wantValue(e)
		}
		return out
	}
	return v
}

// normalised makes a span comparable with reflect.DeepEqual: a NaN is
// not equal to itself.
func normalised(s sources.Span) sources.Span {
	fix := func(as sources.Attrs) sources.Attrs {
		if as == nil {
			return nil
		}
		out := make(sources.Attrs, len(as))
		for i, a := range as {
			out[i] = sources.Attr{Key: a.Key, Value: nanFree(a.Value)}
		}
		return out
	}
	s.Attrs, s.Resource = fix(s.Attrs), fix(s.Resource)
	s.Events = slices.Clone(s.Events)
	for i := range s.Events {
		s.Events[i].Attrs = fix(s.Events[i].Attrs)
	}
	s.Links = slices.Clone(s.Links)
	for i := range s.Links {
		s.Links[i].Attrs = fix(s.Links[i].Attrs)
	}
	return s
}

func nanFree(v any) any {
	switch x := v.(type) {
	case float64:
		if math.IsNaN(x) {
			return "NaN (a float)"
		}
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = nanFree(e)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = nanFree(e)
		}
		return out
	}
	return v
}

// The cases that telx once wrote and could not read, or read back as
// another trace.
func TestRoundTripCases(t *testing.T) {
	start := time.Date(2026, 11, 25, 5, 35, 42, 0, time.UTC)
	span := func(id string, mod func(*sources.Span)) sources.Span {
		s := sources.Span{TraceID: "4bf92f3577b34da6a3ce929d0e0e4736", SpanID: sources.SpanID(id), Service: "checkout", Operation: "Place", Start: start, Duration: time.Millisecond}
		mod(&s)
		return s
	}
	tests := []struct {
		name  string
		spans []sources.Span
	}{
		{"a link with empty IDs", []sources.Span{span("00f067aa0ba902b7", func(s *sources.Span) {
			s.Links = []sources.SpanRef{{Type: sources.RefFollowsFrom}, {Type: sources.RefFollowsFrom, TraceID: "4bf92f3577b34da6a3ce929d0e0e4736"}}
		})}},
		{"a child_of reference besides the parent", []sources.Span{span("00f067aa0ba902b7", func(s *sources.Span) {
			s.Links = []sources.SpanRef{{Type: sources.RefChildOf, TraceID: "4bf92f3577b34da6a3ce929d0e0e4736", SpanID: "00f067aa0ba902b8"}}
		})}},
		{"two instances of a service", []sources.Span{
			span("00f067aa0ba902b7", func(s *sources.Span) { s.Resource = sources.Attrs{{Key: "host.name", Value: "pod-a"}} }),
			span("00f067aa0ba902b8", func(s *sources.Span) {
				s.ParentID = "00f067aa0ba902b7"
				s.Resource = sources.Attrs{{Key: "host.name", Value: "pod-b"}}
			}),
		}},
		{"warnings", []sources.Span{span("00f067aa0ba902b7", func(s *sources.Span) { s.Warnings = []string{"clock skew adjusted by 2ms"} })}},
		{"from year 1 for ever", []sources.Span{span("00f067aa0ba902b7", func(s *sources.Span) {
			s.Start, s.Duration = time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC), math.MaxInt64
		})}},
		{"ends past 2262", []sources.Span{span("00f067aa0ba902b7", func(s *sources.Span) { s.Duration = 8_000_000_000_000_000 * time.Microsecond })}},
		{"a negative duration", []sources.Span{span("00f067aa0ba902b7", func(s *sources.Span) { s.Duration = -time.Second })}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := &sources.Trace{ID: "4bf92f3577b34da6a3ce929d0e0e4736", Spans: tt.spans}
			var buf bytes.Buffer
			if err := Encode(&buf, []*sources.Trace{in}); err != nil {
				t.Fatal(err)
			}
			doc := buf.String()
			got, err := Decode(&buf)
			if err != nil {
				t.Fatalf("telx does not read what it wrote: %v\n%s", err, doc)
			}
			want := wantBack(in)
			if len(got) != 1 || len(got[0].Spans) != len(want.Spans) {
				t.Fatalf("got %d traces back:\n%s", len(got), doc)
			}
			for i := range want.Spans {
				if g := normalised(got[0].Spans[i]); !reflect.DeepEqual(g, want.Spans[i]) {
					t.Errorf("span %d:\n got %+v\nwant %+v\n%s", i, g, want.Spans[i], doc)
				}
			}
		})
	}
}
