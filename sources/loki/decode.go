package loki

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	json "github.com/goccy/go-json"

	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/sources/config"
	"github.com/telx-cli/telx/sources/internal/jsonread"
)

// The wire format of query and query_range:
//
//	{"status":"success","data":{"resultType":"streams","encodingFlags":["categorize-labels"],
//	  "result":[{"stream":{…},"values":[["<ns>","line",{"structuredMetadata":{…},"parsed":{…}}]]}]}}
//
// and for metric queries resultType "matrix" ({"metric":{…},"values":[[<s>,"v"]]}) or
// "vector" ({"metric":{…},"value":[<s>,"v"]}).
type wireResponse struct {
	Status string   `json:"status"`
	Data   wireData `json:"data"`
}

type wireData struct {
	ResultType    string       `json:"resultType"`
	EncodingFlags []string     `json:"encodingFlags"`
	Result        []wireResult `json:"result"`
}

// wireResult is a stream or a series.
type wireResult struct {
	Stream map[string]string `json:"stream"`
	Metric map[string]string `json:"metric"`
	Values wireValues        `json:"values"`
	Value  *wireValue        `json:"value"`
}

// wireValue is one ["<ns>", "line", {metadata}] of a stream, or one
// [<seconds>, "value"] of a series.
type wireValue struct {
	ns       int64
	seconds  float64
	text     string
	metadata map[string]string
	parsed   map[string]string
}

// UnmarshalJSON reads one value.
func (v *wireValue) UnmarshalJSON(b []byte) error {
	p := scanner{b: b}
	if err := v.parse(&p); err != nil {
		return err
	}
	p.space()
	if p.i != len(b) {
		return fmt.Errorf("trailing data after a value: %.40s", b[p.i:])
	}
	return nil
}

// wireValues are a stream's or a series' values, read by hand in one
// call: they are most of an answer, and the generic path through []any,
// or a call per value, costs several allocations a line.
type wireValues []wireValue

// UnmarshalJSON implements json.Unmarshaler.
func (vs *wireValues) UnmarshalJSON(b []byte) error {
	p := scanner{b: b}
	if string(b) == "null" {
		return nil
	}
	if !p.consume('[') {
		return fmt.Errorf("values are not an array: %.40s", b)
	}
	if p.consume(']') {
		return nil
	}
	out := make([]wireValue, 0, bytes.Count(b, []byte{'['})-1)
	for {
		var v wireValue
		if err := v.parse(&p); err != nil {
			return err
		}
		out = append(out, v)
		if p.consume(']') {
			*vs = out
			return nil
		}
		if !p.consume(',') {
			return fmt.Errorf("values are not separated by commas at %.40s", b[min(p.i, len(b)):])
		}
	}
}

// parse reads one ["<ns>", "line", {metadata}] or [<seconds>, "value"].
func (v *wireValue) parse(p *scanner) error {
	if !p.consume('[') {
		return fmt.Errorf("a value is not an array: %.40s", p.rest())
	}
	// the time: a string of nanoseconds (streams) or a number of seconds (series)
	p.space()
	if p.peek() == '"' {
		ns, ok := p.quotedInt()
		if !ok {
			return fmt.Errorf("bad timestamp at %.40s", p.rest())
		}
		v.ns = ns
	} else {
		num := p.number()
		f, err := strconv.ParseFloat(num, 64)
		if err != nil {
			return fmt.Errorf("bad timestamp %q", num)
		}
		v.seconds = f
		v.ns = int64(math.Round(f * 1e9))
	}
	if !p.consume(',') {
		return fmt.Errorf("a value has no second element: %.40s", p.rest())
	}
	p.space()
	s, err := p.str()
	if err != nil {
		return err
	}
	v.text = s
	if p.consume(',') {
		p.space()
		if err := v.decodeMetadata(p); err != nil {
			return fmt.Errorf("bad metadata at %.60s: %w", p.rest(), err)
		}
	}
	if !p.consume(']') {
		return fmt.Errorf("a value is not closed: %.40s", p.rest())
	}
	return nil
}

// decodeMetadata reads the third element: categorised
// ({"structuredMetadata":{…},"parsed":{…}}) when the request asked for
// categorize-labels, else a flat map of structured metadata.
func (v *wireValue) decodeMetadata(p *scanner) error {
	if !p.consume('{') {
		return errors.New("not an object")
	}
	if p.consume('}') {
		return nil
	}
	for {
		p.space()
		k, err := p.key()
		if err != nil {
			return err
		}
		if !p.consume(':') {
			return errors.New("no colon")
		}
		p.space()
		if p.peek() == '{' {
			m, err := p.stringMap()
			if err != nil {
				return err
			}
			switch k {
			case "structuredMetadata":
				v.metadata = m
			case "parsed":
				v.parsed = m
			}
		} else {
			val, err := p.str()
			if err != nil {
				return err
			}
			if v.metadata == nil {
				v.metadata = map[string]string{}
			}
			v.metadata[k] = val
		}
		if p.consume('}') {
			return nil
		}
		if !p.consume(',') {
			return errors.New("no comma")
		}
	}
}

// stringMap reads an object of strings.
func (p *scanner) stringMap() (map[string]string, error) {
	if !p.consume('{') {
		return nil, errors.New("not an object")
	}
	m := map[string]string{}
	if p.consume('}') {
		return m, nil
	}
	for {
		p.space()
		k, err := p.key()
		if err != nil {
			return nil, err
		}
		if !p.consume(':') {
			return nil, errors.New("no colon")
		}
		p.space()
		val, err := p.str()
		if err != nil {
			return nil, err
		}
		m[k] = val
		if p.consume('}') {
			return m, nil
		}
		if !p.consume(',') {
			return nil, errors.New("no comma")
		}
	}
}

// scanner reads the few JSON tokens of a value array.
type scanner struct {
	b []byte
	i int
}

func (p *scanner) space() {
	for p.i < len(p.b) && (p.b[p.i] == ' ' || p.b[p.i] == '\n' || p.b[p.i] == '\t' || p.b[p.i] == '\r') {
		p.i++
	}
}

func (p *scanner) rest() []byte {
	return p.b[min(p.i, len(p.b)):]
}

func (p *scanner) peek() byte {
	if p.i < len(p.b) {
		return p.b[p.i]
	}
	return 0
}

func (p *scanner) consume(c byte) bool {
	p.space()
	if p.peek() == c {
		p.i++
		return true
	}
	return false
}

func (p *scanner) number() string {
	start := p.i
	for p.i < len(p.b) && strings.IndexByte("+-.0123456789eE", p.b[p.i]) >= 0 {
		p.i++
	}
	return string(p.b[start:p.i])
}

// quotedInt reads a string of decimal digits as an int64.
func (p *scanner) quotedInt() (int64, bool) {
	if p.peek() != '"' {
		return 0, false
	}
	var n int64
	j := p.i + 1
	for ; j < len(p.b) && p.b[j] >= '0' && p.b[j] <= '9'; j++ {
		n = n*10 + int64(p.b[j]-'0')
	}
	if j == p.i+1 || j-p.i-1 > 19 || j >= len(p.b) || p.b[j] != '"' {
		return 0, false
	}
	p.i = j + 1
	return n, true
}

// key reads an object key, without allocating for the usual ones.
func (p *scanner) key() (string, error) {
	for _, k := range commonKeys {
		if n := len(k) + 2; p.i+n <= len(p.b) && p.b[p.i] == '"' && p.b[p.i+n-1] == '"' && string(p.b[p.i+1:p.i+n-1]) == k {
			p.i += n
			return k, nil
		}
	}
	return p.str()
}

var commonKeys = []string{"trace_id", "span_id", "detected_level", "level", "service_name", "structuredMetadata", "parsed"}

// str reads a JSON string, unescaping it only when it holds escapes.
func (p *scanner) str() (string, error) {
	if p.peek() != '"' {
		return "", fmt.Errorf("want a string at %.40s", p.b[p.i:])
	}
	start := p.i
	escaped := false
	for j := start + 1; j < len(p.b); j++ {
		switch p.b[j] {
		case '\\':
			escaped = true
			j++
		case '"':
			p.i = j + 1
			if !escaped {
				return string(p.b[start+1 : j]), nil
			}
			var s string
			if err := json.Unmarshal(p.b[start:j+1], &s); err != nil {
				return "", err
			}
			return s, nil
		}
	}
	return "", errors.New("unterminated string")
}

// page is one query_range answer of log lines, in the query's direction.
type page struct {
	entries []sources.LogEntry
	// stream[i] is the index in streams of entries[i]'s stream.
	stream  []int
	streams []map[string]string
	// requested is the number of entries the answer held before merging.
	n int
}

// decodeStreams reads a streams answer into a page, entries ordered by
// time in direction dir (ties by stream, then as Loki sent them).
func decodeStreams(r io.Reader, dir sources.Direction, ex *extractor) (*page, error) {
	// one page is at most a few megabytes: reading it whole and decoding
	// the bytes is faster than decoding from the stream
	r, err := jsonread.ObjectStart(r)
	if err != nil {
		return nil, malformed("query answer", err)
	}
	data, err := config.ReadAnswer(r, -1)
	if err != nil {
		return nil, err
	}
	var resp wireResponse
	if err := json.Unmarshal(data, &resp); err != nil {
		return nil, malformed("query answer", err)
	}
	if resp.Data.ResultType != "streams" {
		return nil, fmt.Errorf("%w: the query is a metric query (result type %q); telx shows it as series", errMetricResult, resp.Data.ResultType)
	}
	return toPage(resp.Data.Result, dir, ex), nil
}

// errMetricResult says a log query answered with series.
var errMetricResult = errors.New("not a log query")

func toPage(result []wireResult, dir sources.Direction, ex *extractor) *page {
	n := 0
	for i := range result {
		n += len(result[i].Values)
	}
	p := &page{entries: make([]sources.LogEntry, 0, n), stream: make([]int, 0, n), n: n}
	for si := range result {
		res := &result[si]
		p.streams = append(p.streams, res.Stream)
		for vi := range res.Values {
			v := &res.Values[vi]
			labels := res.Stream
			if len(v.parsed) > 0 {
				labels = make(map[string]string, len(res.Stream)+len(v.parsed))
				for k, x := range res.Stream {
					labels[k] = x
				}
				for k, x := range v.parsed {
					labels[k] = x
				}
			}
			e := sources.LogEntry{Time: time.Unix(0, v.ns), Line: v.text, Labels: labels, Metadata: v.metadata}
			ex.fill(&e)
			p.entries = append(p.entries, e)
			p.stream = append(p.stream, si)
		}
	}
	if len(result) > 1 {
		sort.Stable(byTime{p, dir})
	}
	return p
}

type byTime struct {
	p   *page
	dir sources.Direction
}

func (b byTime) Len() int { return len(b.p.entries) }
func (b byTime) Less(i, j int) bool {
	ti, tj := b.p.entries[i].Time, b.p.entries[j].Time
	if !ti.Equal(tj) {
		if b.dir == sources.Forward {
			return ti.Before(tj)
		}
		return ti.After(tj)
	}
	return b.p.stream[i] < b.p.stream[j]
}
func (b byTime) Swap(i, j int) {
	b.p.entries[i], b.p.entries[j] = b.p.entries[j], b.p.entries[i]
	b.p.stream[i], b.p.stream[j] = b.p.stream[j], b.p.stream[i]
}

// entryKey identifies a line among those of the same timestamp: its
// stream, its text and its structured metadata.
func entryKey(labels map[string]string, e *sources.LogEntry) string {
	var b strings.Builder
	writeSorted(&b, labels)
	b.WriteByte(0)
	writeSorted(&b, e.Metadata)
	b.WriteByte(0)
	b.WriteString(strconv.FormatInt(e.Time.UnixNano(), 10))
	b.WriteByte(0)
	b.WriteString(e.Line)
	return b.String()
}

func writeSorted(b *strings.Builder, m map[string]string) {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		b.WriteString(k)
		b.WriteByte('=')
		b.WriteString(strconv.Quote(m[k]))
		b.WriteByte(',')
	}
}

// decodeSeries reads a matrix or vector answer.
func decodeSeries(r io.Reader) ([]sources.Series, error) {
	r, err := jsonread.ObjectStart(r)
	if err != nil {
		return nil, malformed("query answer", err)
	}
	var resp wireResponse
	if err := json.NewDecoder(r).Decode(&resp); err != nil {
		return nil, malformed("query answer", err)
	}
	switch resp.Data.ResultType {
	case "matrix", "vector":
	default:
		return nil, fmt.Errorf("%w: the query is a log query (result type %q)", errLogResult, resp.Data.ResultType)
	}
	out := make([]sources.Series, 0, len(resp.Data.Result))
	for _, res := range resp.Data.Result {
		s := sources.Series{Labels: res.Metric}
		if s.Labels == nil {
			s.Labels = map[string]string{}
		}
		vals := res.Values
		if res.Value != nil {
			vals = []wireValue{*res.Value}
		}
		for _, v := range vals {
			f, err := strconv.ParseFloat(v.text, 64)
			if err != nil {
				return nil, fmt.Errorf("malformed sample %q", v.text)
			}
			s.Points = append(s.Points, sources.Point{Time: time.Unix(0, v.ns), Value: f})
		}
		out = append(out, s)
	}
	return out, nil
}

// errLogResult says a metric query answered with log lines.
var errLogResult = errors.New("not a metric query")

// DecodeStreams reads a saved query_range answer of log lines and calls fn
// with each entry, in direction dir, as QueryLogs would, trace IDs found
// as Options.TraceIDPatterns says.
func DecodeStreams(r io.Reader, dir sources.Direction, traceIDPatterns []*regexp.Regexp, fn func(sources.LogEntry) error) error {
	p, err := decodeStreams(r, dir, &extractor{patterns: traceIDPatterns})
	if err != nil {
		return err
	}
	for i := range p.entries {
		if err := fn(p.entries[i]); err != nil {
			return err
		}
	}
	return nil
}

// malformed reports an answer that cannot be decoded. The decoder's
// message quotes the answer, which may hold escape sequences: it is
// sanitised.
func malformed(what string, err error) error {
	return &malformedError{msg: fmt.Sprintf("malformed %s: %s", what, sources.Sanitize(err.Error())), err: err}
}

// malformedError is an answer that cannot be decoded: a sanitised
// message, and the decoder's error beneath it (a timeout, say).
type malformedError struct {
	msg string
	err error
}

func (e *malformedError) Error() string { return e.msg }
func (e *malformedError) Unwrap() error { return e.err }
