package otlp

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/telx-cli/telx/sources"
)

// The radix sort orders spans as comparing them does: by start, then ID,
// then position, ties and all, over starts close together, far apart (past
// what fits beside the positions) and at the ends of time.
func TestSortedOrderAsComparing(t *testing.T) {
	base := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	tests := []struct {
		name  string
		n     int
		start func(r *rand.Rand, i int) time.Time
		ids   int // how many distinct span IDs (0: each its own)
	}{
		{"within a second", 5000, func(r *rand.Rand, i int) time.Time { return base.Add(time.Duration(r.Int64N(int64(time.Second)))) }, 0},
		{"few starts, IDs repeat", 3000, func(r *rand.Rand, i int) time.Time { return base.Add(time.Duration(r.IntN(7)) * time.Millisecond) }, 11},
		{"one start", 700, func(r *rand.Rand, i int) time.Time { return base }, 50},
		{"nearly in order", 4000, func(r *rand.Rand, i int) time.Time {
			return base.Add(time.Duration(i)*time.Microsecond - time.Duration(r.IntN(3))*time.Microsecond)
		}, 0},
		{"a year apart", 2000, func(r *rand.Rand, i int) time.Time {
			return base.Add(time.Duration(r.Int64N(int64(365 * 24 * time.Hour))))
		}, 0},
		{"across the whole range", 2000, func(r *rand.Rand, i int) time.Time {
			switch i % 5 {
			case 0:
				return time.Unix(0, math.MinInt64)
			case 1:
				return time.Unix(0, math.MaxInt64)
			}
			return time.Unix(0, r.Int64()-r.Int64())
		}, 5},
		{"two spans", 2, func(r *rand.Rand, i int) time.Time { return base.Add(-time.Duration(i)) }, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(1, uint64(tt.n)))
			spans := make([]sources.Span, tt.n)
			for i := range spans {
				id := i
				if tt.ids > 0 {
					id = r.IntN(tt.ids)
				}
				spans[i] = sources.Span{SpanID: sources.SpanID(fmt.Sprintf("%016x", id)), Start: tt.start(r, i)}
			}
			want := make([]int32, tt.n)
			for i := range want {
				want[i] = int32(i)
			}
			slices.SortFunc(want, func(a, b int32) int {
				sa, sb := &spans[a], &spans[b]
				return cmp.Or(cmp.Compare(sa.Start.UnixNano(), sb.Start.UnixNano()),
					strings.Compare(string(sa.SpanID), string(sb.SpanID)), cmp.Compare(a, b))
			})
			got := sortedOrder(tt.n, nil, func(i int) *sources.Span { return &spans[i] })
			if got == nil {
				got = want[:0]
				for i := range tt.n {
					got = append(got, int32(i))
				}
			}
			if !slices.Equal(got, want) {
				t.Fatalf("order %v…, want %v…", got[:min(8, len(got))], want[:min(8, len(want))])
			}
		})
	}
}

// Keys of invalid UTF-8 sort as they are written (each such byte as
// U+FFFD), so that a trace written and read back keeps its attributes'
// order: found by FuzzDecode (testdata/fuzz/FuzzDecode/0be2b27e60c8c323).
func TestSortAttrsAsWritten(t *testing.T) {
	tests := []struct {
		name string
		keys []string
		want []string
	}{
		{"ASCII", []string{"b", "a", "c"}, []string{"a", "b", "c"}},
		{"invalid bytes", []string{"a\x80\x80", "a\xff.", "a"}, []string{"a", "a\xff.", "a\x80\x80"}},
		{"a cut sequence", []string{"a\xe2\x82b", "a\xe2\x82\xacb", "a."}, []string{"a.", "a\xe2\x82\xacb", "a\xe2\x82b"}},
		{"equal when written", []string{"k\xff", "k\xfe", "k\xef\xbf\xbd"}, []string{"k\xff", "k\xfe", "k\xef\xbf\xbd"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var as sources.Attrs
			for _, k := range tt.keys {
				as = append(as, sources.Attr{Key: k, Value: "v"})
			}
			SortAttrs(as)
			var got []string
			for _, a := range as {
				got = append(got, a.Key)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("order %q, want %q", got, tt.want)
			}
		})
	}
}
