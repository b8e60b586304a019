package loki

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	json "github.com/goccy/go-json"

	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/sources/config"
	"github.com/telx-cli/telx/sources/internal/jsonread"
)

// IsMetricQuery tells whether a LogQL query computes series rather than
// selecting lines: every log query starts with its stream selector.
func IsMetricQuery(q string) bool {
	return !strings.HasPrefix(strings.TrimSpace(q), "{")
}

func nanos(t time.Time) string { return strconv.FormatInt(t.UnixNano(), 10) }

// QueryLogs implements sources.LogSource. It asks query_range for pages
// of at most PageSize lines and moves the time cursor to the last
// timestamp of each page, inclusively: lines at that timestamp come again
// in the next page and are recognised (by stream, metadata and text) and
// skipped, so that no line is lost or repeated at a page boundary even
// when many share a timestamp. Only one page is held in memory.
func (c *Client) QueryLogs(ctx context.Context, q sources.LogQuery, fn func(sources.LogEntry) error) error {
	if IsMetricQuery(q.Query) {
		return c.wrap(fmt.Errorf("%q is a metric query: %w", q.Query, errMetricResult))
	}
	from, to := q.Range.From.UnixNano(), q.Range.To.UnixNano()+1 // Loki's end is exclusive
	remaining := q.Limit
	var boundary int64 // the timestamp of the last line emitted
	var seen map[string]bool
	dir := "backward"
	if q.Direction == sources.Forward {
		dir = "forward"
	}
	for {
		limit := c.pageSize
		if q.Limit > 0 && remaining+len(seen) < limit {
			limit = remaining + len(seen)
		}
		params := url.Values{
			"query":     {q.Query},
			"start":     {strconv.FormatInt(from, 10)},
			"end":       {strconv.FormatInt(to, 10)},
			"limit":     {strconv.Itoa(limit)},
			"direction": {dir},
		}
		var p *page
		err := c.get(ctx, "/loki/api/v1/query_range", params, !q.LinesOnly, config.PageAnswer, func(r io.Reader) (err error) {
			p, err = decodeStreams(r, q.Direction, &c.ex)
			return err
		})
		if err != nil {
			return err
		}
		emitted := 0
		for i := range p.entries {
			e := &p.entries[i]
			if seen != nil && e.Time.UnixNano() == boundary && seen[entryKey(p.streams[p.stream[i]], e)] {
				continue
			}
			if err := fn(*e); err != nil {
				return err
			}
			emitted++
			if q.Limit > 0 {
				if remaining--; remaining == 0 {
					return nil
				}
			}
		}
		if p.n < limit || len(p.entries) == 0 {
			return nil // the last page
		}
		last := p.entries[len(p.entries)-1].Time.UnixNano()
		if emitted == 0 && last == boundary {
			// A whole page of lines at one timestamp, all passed on
			// already: fetch the rest of that timestamp stream by
			// stream, then move past it.
			n, err := c.drainTimestamp(ctx, q, boundary, seen, remaining, fn)
			if err != nil {
				return err
			}
			if q.Limit > 0 {
				if remaining -= n; remaining <= 0 {
					return nil
				}
			}
			seen = nil
			if q.Direction == sources.Forward {
				from = boundary + 1
			} else {
				to = boundary
			}
			continue
		}
		// the next page starts at the last timestamp, inclusively
		if last != boundary || seen == nil { // nil: drained, or a server that answered past the range
			seen = map[string]bool{}
			boundary = last
		}
		for i := len(p.entries) - 1; i >= 0 && p.entries[i].Time.UnixNano() == last; i-- {
			seen[entryKey(p.streams[p.stream[i]], &p.entries[i])] = true
		}
		if q.Direction == sources.Forward {
			from = last
		} else {
			to = last + 1
		}
	}
}

// QueryMetrics runs a metric LogQL query (rate, count_over_time, …) over
// a range with a step (Loki picks one when step is 0).
func (c *Client) QueryMetrics(ctx context.Context, query string, r sources.TimeRange, step time.Duration) ([]sources.Series, error) {
	params := url.Values{"query": {query}, "start": {nanos(r.From)}, "end": {nanos(r.To)}}
	if step > 0 {
		params.Set("step", strconv.FormatFloat(step.Seconds(), 'f', -1, 64))
	}
	var out []sources.Series
	err := c.get(ctx, "/loki/api/v1/query_range", params, true, config.PageAnswer, func(rd io.Reader) (err error) {
		out, err = decodeSeries(rd)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

type wireStrings struct {
	Status string   `json:"status"`
	Data   []string `json:"data"`
}

func (c *Client) strings(ctx context.Context, path string, params url.Values) ([]string, error) {
	var res wireStrings
	err := c.get(ctx, path, params, true, config.SmallAnswer, func(r io.Reader) error {
		r, err := jsonread.ObjectStart(r)
		if err != nil {
			return malformed("answer", err)
		}
		if err := json.NewDecoder(r).Decode(&res); err != nil {
			return malformed("answer", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.Strings(res.Data)
	return res.Data, nil
}

func rangeParams(r sources.TimeRange) url.Values {
	v := url.Values{}
	if !r.From.IsZero() {
		v.Set("start", nanos(r.From))
	}
	if !r.To.IsZero() {
		v.Set("end", nanos(r.To))
	}
	return v
}

// Labels implements sources.LogSource: the label names of the streams in r,
// sorted.
func (c *Client) Labels(ctx context.Context, r sources.TimeRange) ([]string, error) {
	return c.strings(ctx, "/loki/api/v1/labels", rangeParams(r))
}

// LabelValues implements sources.LogSource: the values of one label in r,
// sorted.
func (c *Client) LabelValues(ctx context.Context, name string, r sources.TimeRange) ([]string, error) {
	return c.strings(ctx, "/loki/api/v1/label/"+url.PathEscape(name)+"/values", rangeParams(r))
}

// Series returns the label sets of the streams matching any of the
// selectors in r.
func (c *Client) Series(ctx context.Context, selectors []string, r sources.TimeRange) ([]map[string]string, error) {
	params := rangeParams(r)
	for _, s := range selectors {
		params.Add("match[]", s)
	}
	var res struct {
		Data []map[string]string `json:"data"`
	}
	err := c.get(ctx, "/loki/api/v1/series", params, true, config.SmallAnswer, func(rd io.Reader) error {
		rd, err := jsonread.ObjectStart(rd)
		if err != nil {
			return malformed("answer", err)
		}
		if err := json.NewDecoder(rd).Decode(&res); err != nil {
			return malformed("answer", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return res.Data, nil
}

// drainTimestamp passes on the lines at exactly ts not yet seen, when more
// lines share ts than fit in a page: it lists the streams with lines there
// and asks for each stream's lines at ts alone. It returns how many lines
// it passed on (at most remaining when q.Limit is set).
func (c *Client) drainTimestamp(ctx context.Context, q sources.LogQuery, ts int64, seen map[string]bool, remaining int, fn func(sources.LogEntry) error) (int, error) {
	sel, rest, ok := splitSelector(q.Query)
	if !ok {
		return 0, c.wrap(fmt.Errorf("%w: no stream selector at the start of %q", ErrBadQuery, q.Query))
	}
	at := sources.TimeRange{From: time.Unix(0, ts), To: time.Unix(0, ts)}
	streams, err := c.Series(ctx, []string{sel}, sources.TimeRange{From: at.From, To: time.Unix(0, ts+1)})
	if err != nil {
		return 0, err
	}
	// the pages may be small by choice; Loki serves up to 5,000 lines
	limit := max(c.pageSize, DefaultPageSize)
	n := 0
	for _, labels := range streams {
		query := streamSelector(labels, sel) + rest
		params := url.Values{
			"query": {query}, "start": {strconv.FormatInt(ts, 10)}, "end": {strconv.FormatInt(ts+1, 10)},
			"limit": {strconv.Itoa(limit)}, "direction": {"forward"},
		}
		var p *page
		err := c.get(ctx, "/loki/api/v1/query_range", params, !q.LinesOnly, config.PageAnswer, func(r io.Reader) (err error) {
			p, err = decodeStreams(r, sources.Forward, &c.ex)
			return err
		})
		if err != nil {
			return n, err
		}
		if p.n >= limit {
			return n, c.wrap(fmt.Errorf("more than %d lines of one stream share the timestamp %s: Loki cannot page past them (raise its max_entries_limit_per_query)",
				limit, time.Unix(0, ts).UTC().Format(time.RFC3339Nano)))
		}
		for i := range p.entries {
			e := &p.entries[i]
			if seen[entryKey(p.streams[p.stream[i]], e)] {
				continue
			}
			if err := fn(*e); err != nil {
				return n, err
			}
			n++
			if q.Limit > 0 && n == remaining {
				return n, nil
			}
		}
	}
	return n, nil
}

// SplitSelector cuts a log query into its stream selector ({…}) and the
// pipeline after it; ok is false when it does not start with a selector.
func SplitSelector(q string) (selector, pipeline string, ok bool) { return splitSelector(q) }

// splitSelector cuts a log query into its stream selector ({…}) and the
// pipeline after it.
func splitSelector(q string) (sel, rest string, ok bool) {
	q = strings.TrimSpace(q)
	if !strings.HasPrefix(q, "{") {
		return "", "", false
	}
	quote := byte(0)
	for i := 1; i < len(q); i++ {
		c := q[i]
		switch {
		case quote != 0 && c == '\\' && quote == '"':
			i++
		case quote != 0 && c == quote:
			quote = 0
		case quote != 0:
		case c == '"' || c == '`':
			quote = c
		case c == '}':
			return q[:i+1], q[i+1:], true
		}
	}
	return "", "", false
}

// streamSelector narrows selector sel to one stream: its labels as exact
// matchers, then sel's own matchers.
func streamSelector(labels map[string]string, sel string) string {
	keys := make([]string, 0, len(labels))
	for k := range labels {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteByte('{')
	for _, k := range keys {
		b.WriteString(k)
		b.WriteByte('=')
		b.WriteString(strconv.Quote(labels[k]))
		b.WriteString(", ")
	}
	inner := strings.TrimSpace(sel[1 : len(sel)-1])
	if inner == "" {
		return strings.TrimSuffix(b.String(), ", ") + "}"
	}
	b.WriteString(inner)
	b.WriteByte('}')
	return b.String()
}
