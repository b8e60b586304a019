package fuzzcheck

import (
	"encoding/binary"
	"encoding/json"
	"math"
	"sort"
	"strconv"
	"time"

	"github.com/telx-cli/telx/sources"
)

// Series, log entries and patterns as fuzz bytes, for the renderers,
// read as the trace is (see TraceFrom): lengths in a byte, times and
// values in 8 bytes, big-endian; a record cut short ends the list.

// lstr is a string of up to 65535 bytes: a log line is long at times.
func (r *reader) lstr() string {
	if len(r.b) < 2 {
		r.ok = false
		r.b = nil
		return ""
	}
	n := int(binary.BigEndian.Uint16(r.b))
	r.b = r.b[2:]
	n = min(n, len(r.b))
	s := string(r.b[:n])
	r.b = r.b[n:]
	return s
}

func (r *reader) labels() map[string]string {
	m := map[string]string{}
	for n := r.byte() % 5; n > 0 && r.ok; n-- {
		k := r.str()
		m[k] = r.str()
	}
	return m
}

func (r *reader) points() []sources.Point {
	var pts []sources.Point
	for n := int(r.byte()); n > 0 && r.ok; n-- {
		t := time.UnixMicro(r.int64()).UTC()
		v := math.Float64frombits(uint64(r.int64()))
		if r.ok {
			pts = append(pts, sources.Point{Time: t, Value: v})
		}
	}
	return pts
}

// maxMicros is the last microsecond of the year 9999, the latest time the
// time flags take.
const maxMicros = 253402300799_999999

// Window reads a query's window and step as the commands pass them on:
// a range within the years 1970 to 9999 that starts before it ends (most
// up to a year long, some to the end of 9999), and a
// step coarsened by sources.LimitStep as the clients do.
func (r *reader) window() (sources.TimeRange, time.Duration) {
	from := r.int64() % maxMicros
	if from < 0 {
		from = -from
	}
	length := r.int64()
	rg := sources.TimeRange{From: time.UnixMicro(from).UTC()}
	last := time.UnixMicro(maxMicros).UTC()
	switch {
	case length&3 == 0 || length < 0:
		rg.To = last // --to 253402300799: longer than a Duration holds
	default:
		// mostly a window of up to a year or so, as one is asked for
		rg.To = rg.From.Add(1 + time.Duration(length>>2)%(400*24*time.Hour))
	}
	if rg.To.After(last) {
		rg.To = last
	}
	if !rg.From.Before(rg.To) {
		rg.From = rg.To.Add(-time.Second)
	}
	step := time.Duration(r.int64())
	if step <= 0 {
		step = time.Minute
	}
	step, _ = sources.LimitStep(rg, step)
	return rg, step
}

// SeriesFrom reads a window, a step and series: labels (a count byte mod
// 5, keys and values), then a count byte of points, each a time in Unix
// microseconds and a float64's bits (NaN and the infinities too).
func SeriesFrom(b []byte) (sources.TimeRange, time.Duration, []sources.Series) {
	r := &reader{b: b, ok: true}
	rg, step := r.window()
	var out []sources.Series
	for len(r.b) > 0 {
		s := sources.Series{Labels: r.labels(), Points: r.points()}
		if !r.ok {
			break
		}
		out = append(out, s)
	}
	return rg, step, out
}

// PatternsFrom reads a window, a step and patterns: the pattern, its
// level, its count (8 bytes) and samples (as SeriesFrom's points).
func PatternsFrom(b []byte) (sources.TimeRange, time.Duration, []sources.LogPattern) {
	r := &reader{b: b, ok: true}
	rg, step := r.window()
	var out []sources.LogPattern
	for len(r.b) > 0 {
		p := sources.LogPattern{Pattern: r.lstr(), Level: r.str(), Count: r.int64(), Samples: r.points()}
		if !r.ok {
			break
		}
		out = append(out, p)
	}
	return rg, step, out
}

// LogsFrom reads log entries: a time in Unix nanoseconds (Loki's, so
// within the years 1677 to 2262), the line
// (2-byte length), labels, metadata, a level, and a flag byte giving a
// trace ID (bit 0) and a span ID (bit 1).
func LogsFrom(b []byte) []sources.LogEntry {
	r := &reader{b: b, ok: true}
	var out []sources.LogEntry
	for len(r.b) > 0 {
		e := sources.LogEntry{Time: time.Unix(0, r.int64()).UTC(), Line: r.lstr(), Labels: r.labels(), Metadata: r.labels(), Level: r.str()}
		flags := r.byte()
		if flags&1 != 0 {
			e.TraceID = fuzzTraceID
		}
		if flags&2 != 0 {
			e.SpanID = "00f067aa0ba902b7"
		}
		if !r.ok {
			break
		}
		out = append(out, e)
	}
	return out
}

// writer writes what reader reads, for seeds.
type writer struct{ b []byte }

func (w *writer) i64(v int64) { w.b = binary.BigEndian.AppendUint64(w.b, uint64(v)) }
func (w *writer) str(s string) {
	s = s[:min(len(s), 255)]
	w.b = append(append(w.b, byte(len(s))), s...)
}
func (w *writer) lstr(s string) {
	s = s[:min(len(s), 65535)]
	w.b = append(binary.BigEndian.AppendUint16(w.b, uint16(len(s))), s...)
}
func (w *writer) labels(m map[string]string) {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	keys = keys[:min(len(keys), 4)]
	w.b = append(w.b, byte(len(keys)))
	for _, k := range keys {
		w.str(k)
		w.str(m[k])
	}
}
func (w *writer) points(pts []sources.Point) {
	pts = pts[:min(len(pts), 255)]
	w.b = append(w.b, byte(len(pts)))
	for _, p := range pts {
		w.i64(p.Time.UnixMicro())
		w.i64(int64(math.Float64bits(p.Value)))
	}
}
func (w *writer) window(r sources.TimeRange, step time.Duration) {
	w.i64(r.From.UnixMicro())
	w.i64(int64(r.Duration()-1)<<2 | 1) // a window of its length (see window)
	w.i64(int64(step))
}

// SeriesBytes writes series as SeriesFrom reads them.
func SeriesBytes(r sources.TimeRange, step time.Duration, series []sources.Series) []byte {
	w := &writer{}
	w.window(r, step)
	for _, s := range series {
		w.labels(s.Labels)
		w.points(s.Points)
	}
	return w.b
}

// PatternsBytes writes patterns as PatternsFrom reads them.
func PatternsBytes(r sources.TimeRange, step time.Duration, pats []sources.LogPattern) []byte {
	w := &writer{}
	w.window(r, step)
	for _, p := range pats {
		w.lstr(p.Pattern)
		w.str(p.Level)
		w.i64(p.Count)
		w.points(p.Samples)
	}
	return w.b
}

// LogsBytes writes entries as LogsFrom reads them.
func LogsBytes(entries []sources.LogEntry) []byte {
	w := &writer{}
	for _, e := range entries {
		w.i64(e.Time.UnixNano())
		w.lstr(e.Line)
		w.labels(e.Labels)
		w.labels(e.Metadata)
		w.str(e.Level)
		var flags byte
		if e.TraceID != "" {
			flags |= 1
		}
		if e.SpanID != "" {
			flags |= 2
		}
		w.b = append(w.b, flags)
	}
	return w.b
}

// RecordedLogs reads the log lines of a recorded Loki streams answer,
// without package loki (the renderers' tests do not import a backend).
func RecordedLogs(doc []byte) []sources.LogEntry {
	var ans struct {
		Data struct {
			Result []struct {
				Stream map[string]string `json:"stream"`
				Values [][]json.RawMessage
			} `json:"result"`
		} `json:"data"`
	}
	if json.Unmarshal(doc, &ans) != nil {
		return nil
	}
	var out []sources.LogEntry
	for _, res := range ans.Data.Result {
		for _, v := range res.Values {
			if len(v) < 2 {
				continue
			}
			var ts, line string
			json.Unmarshal(v[0], &ts)
			json.Unmarshal(v[1], &line)
			ns, _ := strconv.ParseInt(ts, 10, 64)
			e := sources.LogEntry{Time: time.Unix(0, ns).UTC(), Line: line, Labels: res.Stream}
			if len(v) > 2 {
				var meta struct {
					StructuredMetadata map[string]string `json:"structuredMetadata"`
				}
				json.Unmarshal(v[2], &meta)
				e.Metadata = meta.StructuredMetadata
				e.Level = meta.StructuredMetadata["detected_level"]
			}
			out = append(out, e)
		}
	}
	return out
}

// RecordedSeries reads the series of a recorded matrix answer (of
// Prometheus or Loki), and its window and step as the points say.
func RecordedSeries(doc []byte) (sources.TimeRange, time.Duration, []sources.Series) {
	var ans struct {
		Data struct {
			Result []struct {
				Metric map[string]string `json:"metric"`
				Values [][2]any          `json:"values"`
			} `json:"result"`
		} `json:"data"`
	}
	json.Unmarshal(doc, &ans)
	var out []sources.Series
	var rg sources.TimeRange
	for _, res := range ans.Data.Result {
		s := sources.Series{Labels: res.Metric}
		for _, v := range res.Values {
			sec, _ := v[0].(float64)
			str, _ := v[1].(string)
			f, _ := strconv.ParseFloat(str, 64)
			t := time.Unix(0, int64(sec*1e9)).UTC()
			s.Points = append(s.Points, sources.Point{Time: t, Value: f})
			if rg.From.IsZero() || t.Before(rg.From) {
				rg.From = t
			}
			if t.After(rg.To) {
				rg.To = t
			}
		}
		out = append(out, s)
	}
	step := time.Minute
	if len(out) > 0 && len(out[0].Points) > 1 {
		step = out[0].Points[1].Time.Sub(out[0].Points[0].Time)
	}
	return rg, step, out
}

// RecordedPatterns reads the patterns of a recorded Loki patterns answer.
func RecordedPatterns(doc []byte) []sources.LogPattern {
	var ans struct {
		Data []struct {
			Pattern string       `json:"pattern"`
			Level   string       `json:"level"`
			Samples [][2]float64 `json:"samples"`
		} `json:"data"`
	}
	json.Unmarshal(doc, &ans)
	var out []sources.LogPattern
	for _, d := range ans.Data {
		p := sources.LogPattern{Pattern: d.Pattern, Level: d.Level}
		for _, s := range d.Samples {
			p.Samples = append(p.Samples, sources.Point{Time: time.Unix(int64(s[0]), 0).UTC(), Value: s[1]})
			p.Count += int64(s[1])
		}
		out = append(out, p)
	}
	return out
}
