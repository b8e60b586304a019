package otlp

import (
	"runtime"
	"slices"
	"sync"

	"github.com/telx-cli/telx/sources"
)

// traceIndex returns the index of id in *ids, appended if new: by a scan
// while there are few, by *index past that, so that a document of many
// traces costs no scan of them all for each.
func traceIndex(ids *[]sources.TraceID, index *map[sources.TraceID]int, id sources.TraceID) int {
	if *index == nil {
		for j, known := range *ids {
			if known == id {
				return j
			}
		}
		if len(*ids) >= 16 {
			*index = make(map[sources.TraceID]int, 2*len(*ids))
			for j, known := range *ids {
				(*index)[known] = j
			}
		}
	} else if j, ok := (*index)[id]; ok {
		return j
	}
	*ids = append(*ids, id)
	if *index != nil {
		(*index)[id] = len(*ids) - 1
	}
	return len(*ids) - 1
}

// inHalves is how many spans make it worth sorting and copying them in
// two halves at once (the tests lower it).
var inHalves = 4096

// gatherTraces copies n spans read into their traces (traceOf holds each
// span's index into ids, nil while all are of ids[0]; starts their starts,
// or nil, as sortedOrder takes them), in start order,
// each trace's slice allocated at its size and each span copied once.
func gatherTraces(n int, ids []sources.TraceID, traceOf []int32, starts []int64, span func(int) *sources.Span) []*sources.Trace {
	out := make([]*sources.Trace, len(ids))
	counts := make([]int, len(ids))
	if traceOf == nil {
		counts[0] = n
	} else {
		for _, t := range traceOf {
			counts[t]++
		}
	}
	for i, id := range ids {
		out[i] = &sources.Trace{ID: id, Spans: make([]sources.Span, 0, counts[i])}
	}
	order := sortedOrder(n, starts, span)
	if traceOf == nil && n >= inHalves && runtime.GOMAXPROCS(0) > 1 {
		// one trace, many spans: each half copied on a core of its own
		spans := out[0].Spans[:n]
		copyOut := func(from, to int) {
			for k := from; k < to; k++ {
				i := k
				if order != nil {
					i = int(order[k])
				}
				s := span(i)
				s.TraceID = ids[0]
				spans[k] = *s
			}
		}
		var wg sync.WaitGroup
		wg.Go(func() { copyOut(n/2, n) })
		copyOut(0, n/2)
		wg.Wait()
		out[0].Spans = spans
		return out
	}
	for k := 0; k < n; k++ {
		i := k
		if order != nil {
			i = int(order[k])
		}
		t := 0
		if traceOf != nil {
			t = int(traceOf[i])
		}
		s := span(i)
		s.TraceID = ids[t]
		out[t].Spans = append(out[t].Spans, *s)
	}
	return out
}

// linkRefType takes a Jaeger reference's type out of the link's
// attribute that keeps it (as both decoders read it).
func linkRefType(l *sources.SpanRef) {
	for i, a := range l.Attrs {
		if a.Key == refType {
			if t, ok := a.Value.(string); ok && t != "" {
				l.Type = sources.RefType(t)
				l.Attrs = slices.Delete(l.Attrs, i, i+1)
				if len(l.Attrs) == 0 {
					l.Attrs = nil
				}
			}
			return
		}
	}
}
