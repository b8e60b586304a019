package demo

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode"

	"github.com/telx-cli/telx/sources"
)

// logQLSubset says what QueryLogs accepts, for its errors.
const logQLSubset = `a stream selector of = and =~ matchers ({service_name="payments", env=~"demo|prod"}) ` +
	`followed by line filters (|= "text", != "text") and label filters (| trace_id="…", | level="error", | detected_level=~"error|warn")`

// logQuery is a parsed query of the subset.
type logQuery struct {
	stream   map[string]string         // selector: label = value
	streamRE map[string]*regexp.Regexp // selector: label =~ regex, anchored
	contains []string                  // |= text
	excludes []string                  // != text
	labels   map[string]string         // | key="value": a label, metadata, trace_id, span_id or level
	labelsRE map[string]*regexp.Regexp // | key=~"regex", anchored
}

// parseLogQL parses the subset of LogQL the demo answers:
//
//	{label="value", label=~"regex", ...} [|= "text"] [!= "text"] [| key="value"] ...
//
// Strings are double-quoted (with Go escapes) or back-quoted. Anything
// else (regex matchers, parsers such as | json, metric queries) is refused.
func parseLogQL(q string) (*logQuery, error) {
	p := &lexer{s: q}
	lq := &logQuery{stream: map[string]string{}, streamRE: map[string]*regexp.Regexp{}, labels: map[string]string{}, labelsRE: map[string]*regexp.Regexp{}}
	p.space()
	if !p.eat("{") {
		return nil, errors.New("want a stream selector {label=\"value\"}")
	}
	for {
		p.space()
		if p.eat("}") {
			break
		}
		name := p.ident()
		if name == "" {
			return nil, fmt.Errorf("want a label name at %d", p.i)
		}
		p.space()
		if !p.eat("=") {
			return nil, fmt.Errorf("label %s: only = and =~ matchers", name)
		}
		isRE := p.eat("~")
		p.space()
		v, err := p.str()
		if err != nil {
			return nil, err
		}
		if isRE {
			re, err := regexp.Compile("^(?:" + v + ")$")
			if err != nil {
				return nil, fmt.Errorf("label %s: %w", name, err)
			}
			lq.streamRE[name] = re
		} else {
			lq.stream[name] = v
		}
		p.space()
		if p.eat(",") {
			continue
		}
		if !p.eat("}") {
			return nil, fmt.Errorf("want , or } at %d", p.i)
		}
		break
	}
	if len(lq.stream)+len(lq.streamRE) == 0 {
		return nil, errors.New("the stream selector needs at least one matcher")
	}
	for {
		p.space()
		switch {
		case p.done():
			return lq, nil
		case p.eat("|="):
			p.space()
			v, err := p.str()
			if err != nil {
				return nil, err
			}
			lq.contains = append(lq.contains, v)
		case p.eat("!="):
			p.space()
			v, err := p.str()
			if err != nil {
				return nil, err
			}
			lq.excludes = append(lq.excludes, v)
		case p.eat("|"):
			p.space()
			name := p.ident()
			p.space()
			if name == "" || !p.eat("=") || p.peek("=") {
				return nil, fmt.Errorf("at %d: only | label=\"value\" and label=~\"regex\" filters", p.i)
			}
			isRE := p.eat("~")
			p.space()
			v, err := p.str()
			if err != nil {
				return nil, err
			}
			if isRE {
				re, err := regexp.Compile("^(?:" + v + ")$")
				if err != nil {
					return nil, fmt.Errorf("label %s: %w", name, err)
				}
				lq.labelsRE[name] = re
				continue
			}
			lq.labels[name] = v
		default:
			return nil, fmt.Errorf("unexpected %q at %d", p.s[p.i:], p.i)
		}
	}
}

type lexer struct {
	s string
	i int
}

func (p *lexer) done() bool         { return p.i >= len(p.s) }
func (p *lexer) peek(t string) bool { return strings.HasPrefix(p.s[p.i:], t) }

func (p *lexer) space() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\t' || p.s[p.i] == '\n') {
		p.i++
	}
}

func (p *lexer) eat(t string) bool {
	if p.peek(t) {
		p.i += len(t)
		return true
	}
	return false
}

func (p *lexer) ident() string {
	start := p.i
	for p.i < len(p.s) {
		r := rune(p.s[p.i])
		if r == '_' || unicode.IsLetter(r) || (p.i > start && unicode.IsDigit(r)) {
			p.i++
			continue
		}
		break
	}
	return p.s[start:p.i]
}

// str reads a quoted string.
func (p *lexer) str() (string, error) {
	if p.done() || (p.s[p.i] != '"' && p.s[p.i] != '`') {
		return "", fmt.Errorf("want a quoted string at %d", p.i)
	}
	q := p.s[p.i]
	for j := p.i + 1; j < len(p.s); j++ {
		if q == '"' && p.s[j] == '\\' {
			j++
			continue
		}
		if p.s[j] == q {
			v, err := strconv.Unquote(p.s[p.i : j+1])
			if err != nil {
				return "", fmt.Errorf("bad string at %d: %w", p.i, err)
			}
			p.i = j + 1
			return v, nil
		}
	}
	return "", fmt.Errorf("unterminated string at %d", p.i)
}

// label is the value of a label filter's key for e: a stream label,
// structured metadata, else for level (or Loki's detected_level) the
// entry's level.
func (*logQuery) label(e *sources.LogEntry, k string) string {
	got, ok := e.Labels[k]
	if !ok {
		got, ok = e.Metadata[k]
	}
	if !ok && (k == "level" || k == "detected_level") {
		got = e.Level
	}
	return got
}

func (lq *logQuery) match(e *sources.LogEntry) bool {
	for k, v := range lq.stream {
		if e.Labels[k] != v {
			return false
		}
	}
	for k, re := range lq.streamRE {
		if !re.MatchString(e.Labels[k]) {
			return false
		}
	}
	for _, t := range lq.contains {
		if !strings.Contains(e.Line, t) {
			return false
		}
	}
	for _, t := range lq.excludes {
		if strings.Contains(e.Line, t) {
			return false
		}
	}
	for k, v := range lq.labels {
		if lq.label(e, k) != v {
			return false
		}
	}
	for k, re := range lq.labelsRE {
		if !re.MatchString(lq.label(e, k)) {
			return false
		}
	}
	return true
}

// QueryLogs answers a subset of LogQL: a stream selector of = matchers,
// then any number of line filters (|= "text", != "text") and label
// filters (| name="value", where name is a stream label, structured
// metadata such as trace_id and span_id, or level). Other queries are
// refused with an error that says what the demo answers.
func (s *Source) QueryLogs(ctx context.Context, q sources.LogQuery, fn func(sources.LogEntry) error) error {
	lq, err := parseLogQL(q.Query)
	if err != nil {
		return fmt.Errorf("%w (%v)", errUnsupported("LogQL", q.Query, logQLSubset), err)
	}
	logs := s.sc.Logs // oldest first
	n := 0
	for k := range logs {
		i := k
		if q.Direction == sources.Backward {
			i = len(logs) - 1 - k
		}
		e := &logs[i]
		if !q.Range.From.IsZero() && !q.Range.Contains(e.Time) {
			continue
		}
		if !lq.match(e) {
			continue
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := fn(*e); err != nil {
			return err
		}
		n++
		if q.Limit > 0 && n >= q.Limit {
			return nil
		}
	}
	return nil
}

// Labels returns the stream label names of the entries in r, sorted.
func (s *Source) Labels(ctx context.Context, r sources.TimeRange) ([]string, error) {
	seen := map[string]bool{}
	for i := range s.sc.Logs {
		if r.From.IsZero() || r.Contains(s.sc.Logs[i].Time) {
			for k := range s.sc.Logs[i].Labels {
				seen[k] = true
			}
		}
	}
	return sortedSet(seen), ctx.Err()
}

// LabelValues returns the values of a stream label in r, sorted.
func (s *Source) LabelValues(ctx context.Context, name string, r sources.TimeRange) ([]string, error) {
	seen := map[string]bool{}
	for i := range s.sc.Logs {
		if r.From.IsZero() || r.Contains(s.sc.Logs[i].Time) {
			if v, ok := s.sc.Logs[i].Labels[name]; ok {
				seen[v] = true
			}
		}
	}
	return sortedSet(seen), ctx.Err()
}
