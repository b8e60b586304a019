package integration

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/telx-cli/telx/cmd"
	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/sources/jaeger"
	"github.com/telx-cli/telx/test/harness"
)

// hotrodDispatches fetches the harness's HotROD /dispatch traces from its
// Jaeger, fastest first.
func hotrodDispatches(t *testing.T, h *harness.HotROD) []*sources.Trace {
	t.Helper()
	jc, err := jaeger.New(jaeger.Options{URL: h.JaegerURL})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var out []*sources.Trace
	for _, d := range h.Dispatches {
		tr, err := jc.Trace(ctx, d.TraceID)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, tr)
	}
	if len(out) < 2 {
		t.Fatalf("%d dispatch traces", len(out))
	}
	slices.SortStableFunc(out, func(a, b *sources.Trace) int { return cmp.Compare(a.TimeRange().Duration(), b.TimeRange().Duration()) })
	return out
}

// pairing is the test's own reading of two HotROD traces, as the issue
// says it: spans are matched by their path of (service, operation) from
// the root, the k-th of the siblings with the same (service, operation),
// in start order, with the k-th in the other trace; and the difference of
// their self times.
type paired struct {
	name       string
	delta      time.Duration
	onlyA      bool
	onlyB      bool
	errA, errB bool
}

func pairSpans(a, b *sources.Trace) []paired {
	byPath := func(t *sources.Trace) map[string]*sources.Node {
		m := map[string]*sources.Node{}
		var walk func(prefix string, nodes []*sources.Node)
		walk = func(prefix string, nodes []*sources.Node) {
			nodes = slices.Clone(nodes)
			slices.SortStableFunc(nodes, func(x, y *sources.Node) int { return x.Span.Start.Compare(y.Span.Start) })
			seen := map[string]int{}
			for _, nd := range nodes {
				name := nd.Span.Service + " " + nd.Span.Operation
				k := fmt.Sprintf("%s/%s#%d", prefix, name, seen[name])
				seen[name]++
				m[k] = nd
				walk(k, nd.Children)
			}
		}
		walk("", sources.BuildTree(t).Roots)
		return m
	}
	as, bs := byPath(a), byPath(b)
	keys := slices.Sorted(maps.Keys(as))
	for k := range bs {
		if _, ok := as[k]; !ok {
			keys = append(keys, k)
		}
	}
	var out []paired
	for _, k := range keys {
		na, nb := as[k], bs[k]
		var p paired
		var sa, sb time.Duration
		if na != nil {
			p.name, sa = na.Span.Service+" "+na.Span.Operation, na.SelfTime
		} else {
			p.onlyB = true
		}
		if nb != nil {
			p.name, sb = nb.Span.Service+" "+nb.Span.Operation, nb.SelfTime
		} else {
			p.onlyA = true
		}
		p.delta = sb - sa
		out = append(out, p)
	}
	return out
}

// telx compare of HotROD's fastest and slowest /dispatch traces, from the
// real Jaeger that holds them, names the spans whose self times differ
// most, as the traces' own spans say, and the spans one trace has and the
// other lacks.
func TestCompareHotRODDispatches(t *testing.T) {
	env, h := hotrod(t)
	ds := hotrodDispatches(t, h)
	fast, slow := ds[0], ds[len(ds)-1]
	if fast.TimeRange().Duration() == slow.TimeRange().Duration() {
		t.Fatal("the fastest and the slowest dispatch take as long")
	}
	pairs := pairSpans(fast, slow)
	top := slices.Clone(pairs)
	abs := func(d time.Duration) time.Duration { return max(d, -d) }
	slices.SortStableFunc(top, func(x, y paired) int { return cmp.Compare(abs(y.delta), abs(x.delta)) })
	top = top[:5]
	onlyA, onlyB := 0, 0
	for _, p := range pairs {
		if p.onlyA {
			onlyA++
		}
		if p.onlyB {
			onlyB++
		}
	}

	args := []string{"compare", string(fast.ID), string(slow.ID), "--jaeger", h.JaegerURL}
	code, out, errOut := telx(t, env, append(args, "-o", "json")...)
	if code != cmd.ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var got struct {
		A, B struct {
			TraceID string `json:"traceId"`
			Spans   int
		}
		Both, OnlyA, OnlyB int
		Largest            []struct {
			Service, Operation string
			SelfDeltaNanos     time.Duration `json:"selfDeltaNanos"`
		}
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if got.A.TraceID != string(fast.ID) || got.B.TraceID != string(slow.ID) || got.A.Spans != len(fast.Spans) || got.B.Spans != len(slow.Spans) {
		t.Errorf("the traces: %+v %+v", got.A, got.B)
	}
	if got.OnlyA != onlyA || got.OnlyB != onlyB || got.Both+got.OnlyA != len(fast.Spans) || got.Both+got.OnlyB != len(slow.Spans) {
		t.Errorf("%d in both, %d only in A, %d only in B; the spans say %d only in A, %d only in B", got.Both, got.OnlyA, got.OnlyB, onlyA, onlyB)
	}
	var want, have []string
	for _, p := range top {
		want = append(want, fmt.Sprintf("%s %v", p.name, p.delta))
	}
	for _, l := range got.Largest {
		have = append(have, fmt.Sprintf("%s %s %v", l.Service, l.Operation, l.SelfDeltaNanos))
	}
	if !slices.Equal(want, have) {
		t.Errorf("the largest self-time differences:\n%s\nthe spans say:\n%s", strings.Join(have, "\n"), strings.Join(want, "\n"))
	}

	// the text names them, marked, and the spans on one side only
	code, text, errOut := telx(t, env, append(args, "--width", "200")...)
	if code != cmd.ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	_, largest, ok := strings.Cut(text, "Largest self-time differences\n")
	if !ok {
		t.Fatalf("no largest differences in:\n%s", text)
	}
	for i, p := range top {
		mark := "▲"
		if p.delta < 0 {
			mark = "▼"
		}
		if !strings.Contains(largest, fmt.Sprintf("%s%d ", mark, i+1)) || !strings.Contains(largest, p.name) {
			t.Errorf("%s%d %s not among the largest:\n%s", mark, i+1, p.name, largest)
		}
	}
	for _, p := range pairs {
		if p.onlyA && !strings.Contains(text, "\nA ") || p.onlyB && !strings.Contains(text, "\n B ") {
			t.Errorf("%s is on one side only, no row says so:\n%s", p.name, text)
		}
	}
	t.Logf("%s", text)

	// one trace missing
	missing := "0123456789abcdef0123456789abcdef"
	code, out, errOut = telx(t, env, "compare", string(fast.ID), missing, "--jaeger", h.JaegerURL)
	if code != cmd.ExitNotFound || out != "" || !strings.Contains(errOut, "trace B ("+missing+")") {
		t.Errorf("a missing trace: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
}
