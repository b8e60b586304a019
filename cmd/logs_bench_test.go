package cmd

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"strconv"
	"testing"
	"time"

	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/sources/demo"
	"github.com/telx-cli/telx/sources/loki"
	"github.com/telx-cli/telx/tui/render"
	"github.com/telx-cli/telx/tui/styles"
)

// lokiAnswer returns a query_range answer of n lines as Loki sends it with
// categorize-labels: the demo's log lines, repeated, one stream per
// service, structured metadata on the lines that belong to spans.
func lokiAnswer(b *testing.B, n int) []byte {
	b.Helper()
	sc := demo.Generate(1, time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC), demo.Options{})
	type stream struct {
		Stream map[string]string `json:"stream"`
		Values [][]any           `json:"values"`
	}
	streams := map[string]*stream{}
	var order []string
	for i := 0; i < n; i++ {
		e := sc.Logs[len(sc.Logs)-1-i%len(sc.Logs)]
		svc := e.Labels["service_name"]
		s, ok := streams[svc]
		if !ok {
			s = &stream{Stream: e.Labels}
			streams[svc] = s
			order = append(order, svc)
		}
		ts := e.Time.Add(-time.Duration(i/len(sc.Logs)) * time.Hour)
		v := []any{strconv.FormatInt(ts.UnixNano(), 10), e.Line}
		if len(e.Metadata) > 0 {
			v = append(v, map[string]any{"structuredMetadata": e.Metadata})
		} else {
			v = append(v, map[string]any{})
		}
		s.Values = append(s.Values, v)
	}
	var result []*stream
	for _, svc := range order {
		result = append(result, streams[svc])
	}
	data, err := json.Marshal(map[string]any{"status": "success", "data": map[string]any{
		"resultType": "streams", "encodingFlags": []string{"categorize-labels"}, "result": result}})
	if err != nil {
		b.Fatal(err)
	}
	return data
}

// BenchmarkLogs measures `telx logs` without the network on 100,000
// lines: decoding Loki's answer (IDs and levels extracted, streams merged
// by time), rendering the default output in colour at 200 columns, and
// both together for the default and raw outputs.
func BenchmarkLogs(b *testing.B) {
	const n = 100_000
	data := lokiAnswer(b, n)
	var entries []sources.LogEntry
	decode := func(fn func(sources.LogEntry) error) {
		if err := loki.DecodeStreams(bytes.NewReader(data), sources.Backward, nil, fn); err != nil {
			b.Fatal(err)
		}
	}
	decode(func(e sources.LogEntry) error { entries = append(entries, e); return nil })
	if len(entries) != n {
		b.Fatalf("%d entries", len(entries))
	}
	b.Run("decode/100k", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			decode(func(sources.LogEntry) error { return nil })
		}
	})
	ro := render.LogsOptions{Width: 200, Styles: styles.New(true), Location: time.UTC, TimeFormat: render.LogTimeFormatShort}
	b.Run("render/100k", func(b *testing.B) {
		b.ReportAllocs()
		var buf []byte
		for b.Loop() {
			for i := range entries {
				buf = render.AppendLogEntry(buf[:0], &entries[i], &ro)
			}
		}
	})
	for _, format := range []string{"default", "raw"} {
		b.Run("decode+render-"+format+"/100k", func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(data)))
			io := TestIO(io.Discard, io.Discard)
			io.Width, io.IsTTY = 200, true
			opts := &LogsOptions{IO: io, Global: &GlobalOptions{}, UTC: true}
			for b.Loop() {
				out := bufio.NewWriterSize(io.Out, 64<<10)
				p := newLogPrinter(out, format, opts, sources.TimeRange{})
				decode(func(e sources.LogEntry) error { return p.print(&e) })
				out.Flush()
			}
		})
	}
}
