package traces

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// DefaultLookback is the search window of a pane no one set another on.
const DefaultLookback = time.Hour

// Query is a trace search: a service over a window ending now, narrowed
// by filters. The pane holds the one the explorer searches with; its
// search form and the explorer's : commands both change that one.
type Query struct {
	Service   string
	Operation string // empty: any
	// Lookback is the window's length; it ends at the search.
	Lookback time.Duration
	// MinDuration and MaxDuration bound the traces' spans (0: no bound).
	MinDuration, MaxDuration time.Duration
	// Tags are key=value, in the order given; a value may hold spaces.
	Tags []string
}

// TagMap returns the tags as the trace sources take them (nil for none);
// a key given twice keeps its last value.
func (q Query) TagMap() map[string]string {
	if len(q.Tags) == 0 {
		return nil
	}
	m := make(map[string]string, len(q.Tags))
	for _, t := range q.Tags {
		k, v, _ := strings.Cut(t, "=")
		m[k] = v
	}
	return m
}

// Check tells whether the filters can match anything at all.
func (q Query) Check() error {
	if q.MinDuration > 0 && q.MaxDuration > 0 && q.MinDuration > q.MaxDuration {
		return fmt.Errorf("the min duration (%s) is more than the max duration (%s)", FormatDuration(q.MinDuration), FormatDuration(q.MaxDuration))
	}
	return nil
}

// Filters says the filters (not the service and window) for the status
// bar and the pane's title: "operation Charge, at least 500ms,
// http.route=/api", or "no filter".
func (q Query) Filters() string {
	var parts []string
	if q.Operation != "" {
		parts = append(parts, "operation "+q.Operation)
	}
	if q.MinDuration > 0 {
		parts = append(parts, "at least "+FormatDuration(q.MinDuration))
	}
	if q.MaxDuration > 0 {
		parts = append(parts, "at most "+FormatDuration(q.MaxDuration))
	}
	for _, t := range q.Tags {
		parts = append(parts, formatTag(t))
	}
	if len(parts) == 0 {
		return "no filter"
	}
	return strings.Join(parts, ", ")
}

// filtered tells whether the query has a filter.
func (q Query) filtered() bool {
	return q.Operation != "" || q.MinDuration > 0 || q.MaxDuration > 0 || len(q.Tags) > 0
}

// ParseLookback reads a search window: a Go duration ("90m", "2h30m") or
// whole days ("2d"). The error says what it needs, for the caller to
// prefix with the field or command.
func ParseLookback(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, errors.New("needs a duration, such as 30m, 2h or 1d")
	}
	d, err := time.ParseDuration(s)
	if n, ok := strings.CutSuffix(s, "d"); ok && err != nil {
		days, derr := strconv.Atoi(n)
		d, err = time.Duration(days)*24*time.Hour, derr
	}
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("needs a positive duration, such as 30m, 2h or 1d, got %q", s)
	}
	return d, nil
}

// ParseBound reads a min or max duration: a Go duration ("500ms",
// "1.5s"), or nothing for no bound (0).
func ParseBound(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("needs a duration such as 500ms, got %q", s)
	}
	return d, nil
}

// FormatDuration writes d as ParseLookback and ParseBound read it, with
// no zero units: "2h", "1h30m", "1d", "500ms".
func FormatDuration(d time.Duration) string {
	if d > 0 && d%(24*time.Hour) == 0 {
		return strconv.Itoa(int(d/(24*time.Hour))) + "d"
	}
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = s[:len(s)-2]
	}
	if strings.HasSuffix(s, "h0m") {
		s = s[:len(s)-2]
	}
	return s
}

// ParseTags reads space-separated key=value pairs, as Jaeger UI's tag
// field takes them: a value with spaces is written in double quotes
// (http.route="/api/checkout v2", Go's escapes inside).
func ParseTags(s string) ([]string, error) {
	var out []string
	rest := strings.TrimLeftFunc(s, unicode.IsSpace)
	for rest != "" {
		word := rest
		if i := strings.IndexFunc(rest, unicode.IsSpace); i >= 0 {
			word = rest[:i]
		}
		k, v, ok := strings.Cut(word, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("needs key=value, got %q", word)
		}
		rest = rest[len(k)+1:]
		if strings.HasPrefix(v, `"`) {
			quoted, err := strconv.QuotedPrefix(rest)
			if err != nil {
				return nil, fmt.Errorf("has an unclosed quote in %q", rest)
			}
			v, _ = strconv.Unquote(quoted)
			rest = rest[len(quoted):]
			if rest != "" && !unicode.IsSpace([]rune(rest)[0]) {
				return nil, fmt.Errorf("needs a space after the quoted value of %s", k)
			}
		} else {
			rest = rest[len(v):]
		}
		out = append(out, k+"="+v)
		rest = strings.TrimLeftFunc(rest, unicode.IsSpace)
	}
	return out, nil
}

// FormatTags writes tags as ParseTags reads them.
func FormatTags(tags []string) string {
	out := make([]string, len(tags))
	for i, t := range tags {
		out[i] = formatTag(t)
	}
	return strings.Join(out, " ")
}

// formatTag quotes a tag's value when it would not read back alone.
func formatTag(t string) string {
	k, v, _ := strings.Cut(t, "=")
	if strings.ContainsFunc(v, unicode.IsSpace) || strings.HasPrefix(v, `"`) || !strconv.CanBackquote(v) {
		return k + "=" + strconv.Quote(v)
	}
	return t
}
