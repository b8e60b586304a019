package render

import (
	"bytes"
	"encoding/json"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/telx-cli/telx/internal/fuzzcheck"
	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/tui/styles"
)

// The renderers' fuzz tests draw what the fuzzcheck generators make of
// the bytes, at a width of 1 to 300 taken from the input, plain or in
// colour: no panic, no line wider than the renderer's width (its least
// width when it keeps one), no control character that came from the data.

// widthOf maps a fuzzed number to a width of 1 to 300.
func widthOf(w uint16) int { return 1 + int(w)%300 }

// drawn draws at width, and returns the text and the width its lines may
// take: width, or for a renderer that keeps a least width of its own (an
// axis, a legend's values, a table's columns), its widest line at width 1.
func drawn(t *testing.T, width int, draw func(w io.Writer, width int) error) (string, int) {
	t.Helper()
	var narrow, out bytes.Buffer
	if err := draw(&narrow, 1); err != nil {
		t.Fatal(err)
	}
	least := 0
	for _, l := range strings.Split(narrow.String(), "\n") {
		least = max(least, ansi.StringWidth(l))
	}
	if err := draw(&out, width); err != nil {
		t.Fatal(err)
	}
	return out.String(), max(width, least)
}

// traceSeeds are the recorded traces (Jaeger UI JSON and OTLP), through
// the decoders' exported types only: the renderers import no backend.
func traceSeeds(f *testing.F) [][]byte {
	var out [][]byte
	for _, doc := range fuzzcheck.Recorded(f, "jaeger-api-trace.json") {
		out = append(out, fuzzcheck.TraceBytes(uiTrace(f, doc)))
	}
	return out
}

// uiAnswer is what the tests read of a recorded Jaeger UI JSON answer.
type uiAnswer struct {
	Data []struct {
		TraceID string `json:"traceID"`
		Spans   []struct {
			SpanID, OperationName, ProcessID string
			StartTime, Duration              int64
			References                       []struct{ SpanID string }
			Tags                             []struct {
				Key   string
				Value any
			}
		} `json:"spans"`
		Processes map[string]struct{ ServiceName string } `json:"processes"`
	} `json:"data"`
}

// uiTrace reads a recorded Jaeger UI JSON trace with encoding/json.
func uiTrace(f *testing.F, doc []byte) *sources.Trace {
	var ans uiAnswer
	if err := json.Unmarshal(doc, &ans); err != nil || len(ans.Data) == 0 {
		f.Fatalf("the recorded trace: %v", err)
	}
	t := &sources.Trace{ID: "4bf92f3577b34da6a3ce929d0e0e4736"}
	for _, s := range ans.Data[0].Spans {
		sp := sources.Span{TraceID: t.ID, SpanID: sources.SpanID(s.SpanID), Operation: s.OperationName,
			Service: ans.Data[0].Processes[s.ProcessID].ServiceName, Start: time.UnixMicro(s.StartTime).UTC(), Duration: time.Duration(s.Duration) * time.Microsecond}
		if len(s.References) > 0 {
			sp.ParentID = sources.SpanID(s.References[0].SpanID)
		}
		for _, tag := range s.Tags {
			sp.Attrs = append(sp.Attrs, sources.Attr{Key: tag.Key, Value: sources.FormatValue(tag.Value)})
			if tag.Key == "error" {
				sp.Status.Code = sources.StatusError
			}
		}
		t.Spans = append(t.Spans, sp)
	}
	return t
}

// FuzzWaterfall draws any trace as a waterfall (with and without details,
// filters and the critical path alone), its rows one by one, folded and
// not, its header, ruler, each span's details, the statistics and the
// trace's row in a list.
func FuzzWaterfall(f *testing.F) {
	for _, b := range traceSeeds(f) {
		f.Add(b, uint16(79), uint8(0))
		f.Add(b, uint16(19), uint8(0xff))
		f.Add(b, uint16(199), uint8(0x0f))
	}
	f.Fuzz(func(t *testing.T, b []byte, w uint16, mode uint8) {
		width := widthOf(w)
		color := mode&1 != 0
		st := styles.New(color)
		trace := fuzzcheck.TraceFrom(b)
		tr := sources.BuildTree(trace)
		o := WaterfallOptions{Width: width, Styles: st, Location: time.UTC, Details: mode&2 != 0, CriticalOnly: mode&4 != 0}
		if mode&8 != 0 && len(trace.Spans) > 0 {
			o.Service = trace.Spans[len(trace.Spans)/2].Service
			o.MaxDepth = int(mode>>4) % 4
			o.MinDuration = trace.Spans[0].Duration / 2
		}
		rowWidth := max(width, minWidth)
		var out bytes.Buffer
		if err := Waterfall(&out, tr, o); err != nil {
			t.Fatal(err)
		}
		fuzzcheck.Lines(t, out.String(), rowWidth, color)

		rows := NewWaterfallRows(tr, o)
		if rows.Len() > 0 && mode&16 != 0 {
			rows.Fold(0)
		}
		if rows.Len() > 1 && mode&32 != 0 {
			rows.FoldAll()
			rows.Toggle(rows.Len() - 1)
		}
		out.Reset()
		if err := WaterfallHeader(&out, tr, width, st, time.UTC); err != nil {
			t.Fatal(err)
		}
		if err := rows.WriteRows(&out, 0, rows.Len()); err != nil {
			t.Fatal(err)
		}
		out.WriteString(WaterfallRuler(tr, width, st) + "\n")
		if len(tr.Nodes) > 0 {
			nd := tr.Nodes[len(tr.Nodes)-1]
			r := sources.TimeRange{From: nd.Span.Start, To: nd.Span.End()}
			out.WriteString(WaterfallRulerWindow(tr, r, width, st) + "\n")
			rows.SetWindow(r)
			rows.WriteRows(&out, rows.Len()-1, rows.Len())
		}
		var b2 strings.Builder
		for i := 0; i < rows.Len(); i++ {
			rows.AppendRow(&b2, i, st)
			b2.WriteByte('\n')
		}
		out.WriteString(b2.String())
		fuzzcheck.Lines(t, strings.TrimSuffix(out.String(), "\n"), rowWidth, color)
		fuzzcheck.Lines(t, WaterfallTitle(tr, st), 0, color) // the panes cut it

		for i, nd := range tr.Nodes {
			if i > 20 {
				break
			}
			fuzzcheck.Lines(t, strings.Join(SpanDetails(tr, nd, width, st, time.UTC), "\n"), width, color)
		}

		for _, byOp := range []bool{false, true} {
			stats := tr.ServiceStats()
			if byOp {
				stats = tr.OperationStats()
			}
			text, limit := drawn(t, width, func(w io.Writer, width int) error { return Stats(w, stats, byOp, width, st) })
			fuzzcheck.Lines(t, text, limit, color)
		}

		c := NewTraceColumns(width)
		least := ansi.StringWidth(TraceHeader(NewTraceColumns(1), st))
		fuzzcheck.Lines(t, TraceHeader(c, st)+"\n"+TraceRow(Summarise(trace), c, st, time.UTC), max(width, least), color)
	})
}

// logSeeds are the recorded Loki answers' lines and the sample lines of
// every log format.
func logSeeds(f *testing.F) [][]byte {
	var out [][]byte
	for _, doc := range fuzzcheck.Recorded(f, "loki-*query-range*.json") {
		if es := fuzzcheck.RecordedLogs(doc); len(es) > 0 {
			out = append(out, fuzzcheck.LogsBytes(es[:min(len(es), 6)]))
		}
	}
	files, _ := filepath.Glob(filepath.Join(fuzzcheck.Root(), "sources", "logline", "testdata", "lines", "*.log"))
	at := time.Date(2026, 12, 1, 6, 0, 0, 0, time.UTC)
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		var es []sources.LogEntry
		for i, l := range strings.Split(string(b), "\n") {
			if i == 6 {
				break
			}
			es = append(es, sources.LogEntry{Time: at, Line: l, Labels: map[string]string{"service_name": filepath.Base(file)}})
		}
		out = append(out, fuzzcheck.LogsBytes(es))
	}
	return out
}

// FuzzLogs draws any log entries in every mode: parsed or raw, with
// labels, columns and a match marked, in wide and short time formats.
func FuzzLogs(f *testing.F) {
	for _, b := range logSeeds(f) {
		f.Add(b, uint16(79), uint8(0))
		f.Add(b, uint16(29), uint8(0xff))
		f.Add(b, uint16(199), uint8(0x06))
	}
	match := regexp.MustCompile(`(?i)err\w*`)
	f.Fuzz(func(t *testing.T, b []byte, w uint16, mode uint8) {
		width := widthOf(w)
		if mode&64 != 0 {
			width = 0 // piped: no wrapping
		}
		color := mode&1 != 0
		o := LogsOptions{Width: width, Styles: styles.New(color), Location: time.UTC, Raw: mode&2 != 0, Labels: mode&4 != 0, LokiTime: mode&8 != 0}
		if mode&16 != 0 {
			o.Columns = []string{"caller", "status"}
		}
		if mode&32 != 0 {
			o.Match = match
		}
		if mode&128 != 0 {
			o.TimeFormat = LogTimeFormatShort
		}
		entries := fuzzcheck.LogsFrom(b)
		// the rows keep room for their time, level, service and columns
		text, limit := drawn(t, width, func(w io.Writer, width int) error {
			o.Width = width
			io.WriteString(w, LogsHeader(&o)+"\n")
			return Logs(w, entries, o)
		})
		if width == 0 {
			limit = 0
		}
		fuzzcheck.Lines(t, text, limit, color)
	})
}

// metricSeeds are the recorded Prometheus and Loki matrix answers.
func metricSeeds(f *testing.F) [][]byte {
	var out [][]byte
	for _, glob := range []string{"prometheus-query-range.json", "loki-volume.json", "loki-query-range-matrix.json"} {
		for _, doc := range fuzzcheck.Recorded(f, glob) {
			r, step, series := fuzzcheck.RecordedSeries(doc)
			// small seeds: the fuzzer minimises every input that finds new
			// code, and a large one takes it long
			series = series[:min(len(series), 4)]
			for i := range series {
				series[i].Points = series[i].Points[:min(len(series[i].Points), 30)]
			}
			out = append(out, fuzzcheck.SeriesBytes(r, step, series))
		}
	}
	return out
}

// FuzzMetrics draws any series as the metrics table (with its marker row
// and header), a chart, sparklines and a log volume histogram, with the
// values in any unit.
func FuzzMetrics(f *testing.F) {
	for _, b := range metricSeeds(f) {
		f.Add(b, uint16(79), uint8(0))
		f.Add(b, uint16(199), uint8(0xff))
		f.Add(b, uint16(9), uint8(0x11))
	}
	units := []Unit{UnitNone, UnitPerSecond, UnitSeconds, UnitMilliseconds, UnitBytes, UnitRatio, UnitPercent}
	f.Fuzz(func(t *testing.T, b []byte, w uint16, mode uint8) {
		width := widthOf(w)
		color := mode&1 != 0
		st := styles.New(color)
		r, step, series := fuzzcheck.SeriesFrom(b)
		unit := units[int(mode>>1)%len(units)]
		header, rows := MetricRows(series, unit)
		SortRows(rows, []string{SortLast, SortMax, SortName}[int(mode>>4)%3])
		var out bytes.Buffer
		o := MetricTableOptions{Width: width, Styles: st, Range: r, Step: step}
		if mode&128 != 0 {
			o.Cursor = r.From.Add(r.Duration() / 3)
		}
		if err := MetricTable(&out, rows, o); err != nil {
			t.Fatal(err)
		}
		out.WriteString(MetricMarker(rows, o, sources.TimeRange{From: r.From.Add(r.Duration() / 2), To: r.To}, "trace") + "\n")
		// the table keeps room for its name, a sparkline and four values
		fuzzcheck.Lines(t, out.String(), max(width, minNameWidth+1+minSparkCells+statCols*(statWidth+1)), color)

		out.Reset()
		MetricHeader(&out, "sum(rate(x[1m]))", header, r, step, len(rows), len(series), st, time.UTC)
		fuzzcheck.Lines(t, out.String(), 0, color)

		co := ChartOptions{Height: 1 + int(mode)%12, Styles: st, Range: r, Step: step, Location: time.UTC}
		text, limit := drawn(t, width, func(w io.Writer, width int) error { co.Width = width; return Chart(w, rows, co) })
		fuzzcheck.Lines(t, text, limit, color)

		for _, s := range series {
			if sp := Sparkline(s.Points, r, step, width); ansi.StringWidth(sp) > width {
				t.Errorf("a sparkline of %d cells is %d wide", width, ansi.StringWidth(sp))
			}
			for _, p := range s.Points {
				for _, s := range []string{FormatValue(p.Value, unit), SI(p.Value)} {
					if strings.ContainsAny(s, "\n\x1b") || (!math.IsNaN(p.Value) && s == "") {
						t.Errorf("value %v formats as %q", p.Value, s)
					}
				}
			}
		}

		vo := VolumeOptions{Height: 1 + int(mode>>3)%6, Styles: st, Range: r, Step: step, Location: time.UTC}
		if mode&4 != 0 {
			vo.Mark = sources.TimeRange{From: r.To.Add(-step), To: r.To.Add(step)}
		}
		text, limit = drawn(t, width, func(w io.Writer, width int) error { vo.Width = width; return LogVolume(w, series, vo) })
		fuzzcheck.Lines(t, text, limit, color)
	})
}

// FuzzPatterns draws any log patterns as their table, and in piped
// output (no width).
func FuzzPatterns(f *testing.F) {
	for _, doc := range fuzzcheck.Recorded(f, "loki-*patterns*.json") {
		pats := fuzzcheck.RecordedPatterns(doc)
		r := sources.TimeRange{From: time.Unix(1796104500, 0).UTC(), To: time.Unix(1796108100, 0).UTC()}
		b := fuzzcheck.PatternsBytes(r, 5*time.Minute, pats)
		f.Add(b, uint16(79), uint8(0))
		f.Add(b, uint16(29), uint8(1))
	}
	f.Fuzz(func(t *testing.T, b []byte, w uint16, mode uint8) {
		width := widthOf(w)
		if mode&2 != 0 {
			width = 0
		}
		color := mode&1 != 0
		r, step, pats := fuzzcheck.PatternsFrom(b)
		o := PatternsOptions{Styles: styles.New(color), Range: r, Step: step}
		text, limit := drawn(t, width, func(w io.Writer, width int) error { o.Width = width; return Patterns(w, pats, o) })
		if width == 0 {
			limit = 0 // piped: the patterns whole
			var out bytes.Buffer
			o.Width = 0
			if err := Patterns(&out, pats, o); err != nil {
				t.Fatal(err)
			}
			text = out.String()
		}
		fuzzcheck.Lines(t, text, limit, color)
	})
}

// FuzzUnits reads any --unit value and guesses the unit of any PromQL
// query from its metric names: no panic; a unit read by name is one of
// the known ones and formats every value on one line.
func FuzzUnits(f *testing.F) {
	for _, s := range []string{"seconds", " MS ", "%", "/s", "bytes", "nope",
		`histogram_quantile(0.9, sum by (le) (rate(http_server_duration_seconds_bucket{job="x"}[5m])))`,
		`rate(process_cpu_seconds_total[1m])`, `sum(node_memory_MemFree_bytes) / sum(node_memory_MemTotal_bytes)`, `up{a="_seconds"}`} {
		f.Add(s, 1.5)
	}
	f.Fuzz(func(t *testing.T, s string, v float64) {
		units := []Unit{GuessUnit(s), NameUnit(s)}
		if u, err := ParseUnit(s); err == nil {
			units = append(units, u)
		}
		for _, u := range units {
			if u < UnitNone || u > UnitPerSecond {
				t.Fatalf("unit %d for %q", u, s)
			}
			if out := FormatValue(v, u); strings.ContainsAny(out, "\n\x1b") || out == "" {
				t.Errorf("FormatValue(%v, %d) = %q", v, u, out)
			}
		}
	})
}
