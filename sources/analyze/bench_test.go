package analyze

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/telx-cli/telx/sources"
)

// genSample makes n traces of spans spans each, as a service mesh would:
// 8 services with their resources (shared by their spans, as decoders
// share them), 32 operations, six attributes a span (one an ID), a tenth
// of the traces failing deep down, a tenth slower.
func genSample(n, spans int) []*sources.Trace {
	rng := rand.New(rand.NewPCG(1, 2))
	services := make([]string, 8)
	resources := make([]sources.Attrs, 8)
	for i := range services {
		services[i] = fmt.Sprint("svc-", i)
		resources[i] = sources.Attrs{{Key: "service.name", Value: services[i]}, {Key: "host.name", Value: fmt.Sprint("host-", i)},
			{Key: "cloud.region", Value: []string{"eu-west-1", "us-east-1"}[i%2]}, {Key: "service.version", Value: "1.4.2"}}
	}
	base := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	out := make([]*sources.Trace, n)
	for ti := range out {
		t := &sources.Trace{ID: sources.TraceID(fmt.Sprintf("%032x", ti+1)), Spans: make([]sources.Span, spans)}
		slow := ti%10 == 3
		failing := ti%10 == 7
		start := base.Add(time.Duration(ti) * time.Second)
		for i := range t.Spans {
			s := &t.Spans[i]
			s.TraceID, s.SpanID = t.ID, sources.SpanID(fmt.Sprintf("%016x", i+1))
			svc := rng.IntN(len(services))
			if i == 0 {
				svc = 0
			}
			s.Service, s.Resource = services[svc], resources[svc]
			s.Operation = fmt.Sprint("op-", svc*4+rng.IntN(4))
			s.Kind = sources.KindServer
			s.Attrs = sources.Attrs{{Key: "http.method", Value: "GET"}, {Key: "http.status_code", Value: int64(200)},
				{Key: "http.route", Value: fmt.Sprint("/r/", rng.IntN(6))}, {Key: "request.id", Value: fmt.Sprint(ti*spans + i)},
				{Key: "peer.service", Value: services[rng.IntN(len(services))]}, {Key: "retry", Value: rng.IntN(3) == 0}}
			if i == 0 {
				s.Start, s.Duration = start, time.Duration(spans)*time.Millisecond
				if slow {
					s.Duration *= 3
				}
				continue
			}
			// a parent among the earlier spans, inside it
			p := &t.Spans[rng.IntN(i)]
			s.ParentID = p.SpanID
			off := time.Duration(rng.Int64N(int64(p.Duration)/2 + 1))
			s.Start, s.Duration = p.Start.Add(off), time.Duration(rng.Int64N(int64(p.Duration-off)+1))
			if failing && i == spans-1 {
				s.Service, s.Resource, s.Operation = services[7], resources[7], "GetDriver"
				s.Status = sources.Status{Code: sources.StatusError, Message: "redis timeout"}
			}
		}
		out[ti] = t
	}
	return out
}

func benchAnalyze(b *testing.B, n, spans int) {
	ts := genSample(n, spans)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		r := Analyze(ts, Options{Service: "svc-0"})
		if r.Traces != n {
			b.Fatalf("%d traces analysed", r.Traces)
		}
	}
}

// The analysis of `telx analyze`'s default sample of a mesh's traces.
func BenchmarkAnalyze200x40(b *testing.B) { benchAnalyze(b, 200, 40) }

// The analysis of a few huge traces.
func BenchmarkAnalyze20x10000(b *testing.B) { benchAnalyze(b, 20, 10000) }

func TestGeneratedSample(t *testing.T) {
	r := Analyze(genSample(200, 40), Options{Service: "svc-0"})
	if r.Traces != 200 || r.Spans != 8000 || r.Failed != 20 || r.Slow != 20 {
		t.Fatalf("traces %d spans %d failed %d slow %d", r.Traces, r.Spans, r.Failed, r.Slow)
	}
	if len(r.ErrorOrigins) != 1 || r.ErrorOrigins[0].Count != 20 || r.ErrorOrigins[0].Message != "redis timeout" {
		t.Errorf("origins %+v", r.ErrorOrigins)
	}
	if len(r.SkippedKeys) != 1 || r.SkippedKeys[0] != "request.id" {
		t.Errorf("skipped %v", r.SkippedKeys)
	}
}

// The trees alone (sources.BuildTree, one after the other), to tell the
// analysis' own part on a loaded machine.
func BenchmarkBuildTrees20x10000(b *testing.B) {
	ts := genSample(20, 10000)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		for _, t := range ts {
			sources.BuildTree(t)
		}
	}
}
