package analyze

import (
	"sort"
	"strings"

	"github.com/telx-cli/telx/sources"
)

// outcomeKeys are the attributes that say a span failed: among failed
// traces they are over-represented by definition, so they tell nothing.
var outcomeKeys = map[string]bool{
	"error": true, "otel.status_code": true, "otel.status_description": true,
	"status.code": true, "status.message": true, "internal.span.format": true,
}

// Keys with at least manyValues values, more than half of them in one
// trace only, are IDs and the like: no value of theirs can be
// over-represented in a group of traces.
const manyValues = 10

type attrKey struct {
	scope Scope
	key   string
	value string
}

type attrCount struct {
	traces, failed, slow int
	exFailed, exSlow     Example
}

// attributeDiffs compares the attribute values of the failed traces and
// of the slowest decile with those of the others. It returns the top rows
// of each comparison and the keys left out for their cardinality.
func attributeDiffs(infos []traceInfo, top int) (failed, slow []AttributeDiff, skipped []string) {
	counts := map[attrKey]*attrCount{}
	seen := map[attrKey]bool{}
	resources := map[*sources.Attr]bool{}
	nFailed, nSlow := 0, 0
	for _, in := range infos {
		if in.failed {
			nFailed++
		}
		if in.slow {
			nSlow++
		}
		clear(seen)
		clear(resources)
		id := in.tree.Trace.ID
		add := func(k attrKey, span sources.SpanID) {
			if seen[k] {
				return
			}
			seen[k] = true
			c := counts[k]
			if c == nil {
				c = &attrCount{}
				counts[k] = c
			}
			c.traces++
			if in.failed {
				if c.failed == 0 {
					c.exFailed = Example{TraceID: id, SpanID: span}
				}
				c.failed++
			}
			if in.slow {
				if c.slow == 0 {
					c.exSlow = Example{TraceID: id, SpanID: span}
				}
				c.slow++
			}
		}
		for _, nd := range in.tree.Nodes {
			s := nd.Span
			for _, a := range s.Attrs {
				if !outcomeKeys[a.Key] {
					add(attrKey{ScopeSpan, a.Key, sources.FormatValue(a.Value)}, s.SpanID)
				}
			}
			if len(s.Resource) == 0 {
				continue
			}
			// spans of one process share their resource's attributes
			if first := &s.Resource[0]; !resources[first] {
				resources[first] = true
				for _, a := range s.Resource {
					add(attrKey{ScopeResource, a.Key, sources.FormatValue(a.Value)}, s.SpanID)
				}
			}
		}
	}
	// the keys of too many values
	type keyOf struct {
		scope Scope
		key   string
	}
	type card struct{ values, single int }
	cards := map[keyOf]*card{}
	for k, c := range counts {
		kc := cards[keyOf{k.scope, k.key}]
		if kc == nil {
			kc = &card{}
			cards[keyOf{k.scope, k.key}] = kc
		}
		kc.values++
		if c.traces == 1 {
			kc.single++
		}
	}
	skip := map[keyOf]bool{}
	for k, c := range cards {
		if c.values >= manyValues && 2*c.single > c.values {
			skip[k] = true
			skipped = append(skipped, string(k.scope)+":"+k.key)
		}
	}
	sort.Strings(skipped)
	for i, s := range skipped {
		skipped[i] = strings.TrimPrefix(strings.TrimPrefix(s, string(ScopeSpan)+":"), string(ScopeResource)+":")
	}
	skipped = dedupSorted(skipped)

	total := len(infos)
	diff := func(group int, in func(*attrCount) (int, Example)) []AttributeDiff {
		rest := total - group
		if group == 0 || rest == 0 {
			return nil
		}
		least := min(2, group)
		var out []AttributeDiff
		for k, c := range counts {
			n, ex := in(c)
			if n < least || skip[keyOf{k.scope, k.key}] {
				continue
			}
			share := float64(n) / float64(group)
			restShare := float64(c.traces-n) / float64(rest)
			if share <= restShare {
				continue
			}
			out = append(out, AttributeDiff{Scope: k.scope, Key: k.key, Value: k.value, Count: n,
				Share: share, RestShare: restShare, Diff: share - restShare, Example: ex})
		}
		sort.Slice(out, func(i, j int) bool {
			a, b := out[i], out[j]
			switch {
			case a.Diff != b.Diff:
				return a.Diff > b.Diff
			case a.Count != b.Count:
				return a.Count > b.Count
			case a.Scope != b.Scope:
				return a.Scope > b.Scope // span before resource
			case a.Key != b.Key:
				return a.Key < b.Key
			}
			return a.Value < b.Value
		})
		if len(out) > top {
			out = out[:top]
		}
		return out
	}
	failed = diff(nFailed, func(c *attrCount) (int, Example) { return c.failed, c.exFailed })
	slow = diff(nSlow, func(c *attrCount) (int, Example) { return c.slow, c.exSlow })
	return failed, slow, skipped
}

func dedupSorted(ss []string) []string {
	sort.Strings(ss)
	out := ss[:0]
	for i, s := range ss {
		if i == 0 || s != ss[i-1] {
			out = append(out, s)
		}
	}
	return out
}
