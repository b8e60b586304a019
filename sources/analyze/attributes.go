package analyze

import (
	"math"
	"sort"
	"strconv"

	"github.com/telx-cli/telx/sources"
)

// outcomeKey tells the attributes that say a span failed: among failed
// traces they are over-represented by definition, so they tell nothing.
func outcomeKey(k string) bool {
	// a switch, not a map: it is asked of every attribute of every span
	switch k {
	case "error", "otel.status_code", "otel.status_description",
		"status.code", "status.message", "internal.span.format":
		return true
	}
	return false
}

// Keys with at least manyValues values, more than half of them in one
// trace only, are IDs and the like: no value of theirs can be
// over-represented in a group of traces. Past maxValues values a key is
// dropped at once, without counting its values further.
const (
	manyValues = 10
	maxValues  = 1000
)

// scopedKey is an attribute's key where it is.
type scopedKey struct {
	scope Scope
	key   string
}

// valueKey is an attribute value: a string in s, a number or a bool in n
// (kind says which), anything else formatted in s.
type valueKey struct {
	kind uint8
	s    string
	n    uint64
}

const (
	kindString = iota
	kindInt
	kindFloat
	kindBool
)

func valueOf(v any) valueKey {
	var k valueKey
	switch v := v.(type) {
	case string:
		k.s = v
	case int64:
		k.kind, k.n = kindInt, uint64(v)
	case int:
		k.kind, k.n = kindInt, uint64(int64(v))
	case float64:
		k.kind, k.n = kindFloat, math.Float64bits(v)
	case bool:
		k.kind = kindBool
		if v {
			k.n = 1
		}
	default:
		k.s = sources.FormatValue(v)
	}
	return k
}

// String formats the value.
func (k valueKey) String() string {
	switch k.kind {
	case kindInt:
		return strconv.FormatInt(int64(k.n), 10)
	case kindFloat:
		return sources.FormatValue(math.Float64frombits(k.n))
	case kindBool:
		return strconv.FormatBool(k.n == 1)
	}
	return k.s
}

type attrCount struct {
	traces, failed, slow int
	exFailed, exSlow     Example
	// last is the last trace counted, plus 1
	last int
	of   *keyCount
}

// keyCount counts the values of one key; over is set once it has too
// many to count further.
type keyCount struct {
	values int
	over   bool
}

// attrKey is an attribute value where it is.
type attrKey struct {
	scopedKey
	valueKey
}

// attrCounter counts in how many traces of each group each value is.
type attrCounter struct {
	values map[attrKey]*attrCount
	keys   map[scopedKey]*keyCount
}

func (ac *attrCounter) count(scope Scope, a *sources.Attr, in *traceInfo, ti int, span sources.SpanID) {
	k := attrKey{scopedKey{scope, a.Key}, valueOf(a.Value)}
	c := ac.values[k]
	if c == nil {
		kc := ac.keys[k.scopedKey]
		if kc == nil {
			kc = &keyCount{}
			ac.keys[k.scopedKey] = kc
		}
		if kc.over {
			return
		}
		if kc.values++; kc.values > maxValues {
			kc.over = true
			return
		}
		c = &attrCount{of: kc}
		ac.values[k] = c
	} else if c.last == ti+1 {
		return // counted in this trace
	}
	c.last = ti + 1
	c.traces++
	id := in.tree.Trace.ID
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

// attributeDiffs compares the attribute values of the failed traces and
// of the slowest decile with those of the others. It returns the top rows
// of each comparison and the keys left out for their cardinality.
func attributeDiffs(infos []traceInfo, top int) (failed, slow []AttributeDiff, skipped []string) {
	ac := &attrCounter{values: map[attrKey]*attrCount{}, keys: map[scopedKey]*keyCount{}}
	resources := map[*sources.Attr]bool{}
	nFailed, nSlow := 0, 0
	for ti := range infos {
		in := &infos[ti]
		if in.failed {
			nFailed++
		}
		if in.slow {
			nSlow++
		}
		clear(resources)
		// in the spans' order, not the tree's: the memory is read in turn
		spans := in.tree.Trace.Spans
		for j := range spans {
			s := &spans[j]
			for i := range s.Attrs {
				if a := &s.Attrs[i]; !outcomeKey(a.Key) {
					ac.count(ScopeSpan, a, in, ti, s.SpanID)
				}
			}
			if len(s.Resource) == 0 {
				continue
			}
			// spans of one process share their resource's attributes
			if first := &s.Resource[0]; !resources[first] {
				resources[first] = true
				for i := range s.Resource {
					ac.count(ScopeResource, &s.Resource[i], in, ti, s.SpanID)
				}
			}
		}
	}
	// the keys of too many values
	single := map[*keyCount]int{}
	for _, c := range ac.values {
		if c.traces == 1 {
			single[c.of]++
		}
	}
	skip := map[scopedKey]bool{}
	for sk, kc := range ac.keys {
		if kc.over || kc.values >= manyValues && 2*single[kc] > kc.values {
			skip[sk] = true
			skipped = append(skipped, sk.key)
		}
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
		for k, c := range ac.values {
			n, ex := in(c)
			if n < least || skip[k.scopedKey] {
				continue
			}
			share := float64(n) / float64(group)
			restShare := float64(c.traces-n) / float64(rest)
			if share <= restShare {
				continue
			}
			out = append(out, AttributeDiff{Scope: k.scope, Key: k.key, Value: k.valueKey.String(), Count: n,
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
