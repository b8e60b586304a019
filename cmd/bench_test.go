package cmd

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/sources/demo"
	"github.com/telx-cli/telx/sources/file"
	"github.com/telx-cli/telx/sources/otlp"
	"github.com/telx-cli/telx/tui/render"
	"github.com/telx-cli/telx/tui/styles"
)

// bigTraceJSON returns the demo's order export grown to about n spans, as
// OTLP JSON (what Jaeger's /api/v3 sends).
func bigTraceJSON(b *testing.B, n int) []byte {
	b.Helper()
	sc := demo.Generate(1, time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC), demo.Options{Traces: 1, BigTraceBatches: n / 10})
	for _, t := range sc.Traces {
		if t.ID == sc.BigTraceID {
			// compact, as Jaeger sends it
			data, err := json.Marshal(v3Answer{Result: otlp.FromTraces([]*sources.Trace{t})})
			if err != nil {
				b.Fatal(err)
			}
			return data
		}
	}
	b.Fatal("no big trace")
	return nil
}

type v3Answer struct {
	Result *otlp.TracesData `json:"result"`
}

// BenchmarkTrace measures `telx trace` without the network: decoding the
// OTLP JSON, building the tree (critical path, self times) and rendering
// the whole waterfall, in colour (and plain, as into a pipe), at 200
// columns.
func BenchmarkTrace(b *testing.B) {
	for _, n := range []int{1_000, 10_000, 100_000} {
		data := bigTraceJSON(b, n)
		st := styles.New(true)
		b.Run(fmt.Sprintf("decode/%dk", n/1000), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				if _, err := file.ReadTraces(bytes.NewReader(data)); err != nil {
					b.Fatal(err)
				}
			}
		})
		traces, _ := file.ReadTraces(bytes.NewReader(data))
		b.Run(fmt.Sprintf("analyse/%dk", n/1000), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				sources.BuildTree(traces[0])
			}
		})
		tree := sources.BuildTree(traces[0])
		b.Run(fmt.Sprintf("render/%dk", n/1000), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := render.Waterfall(io.Discard, tree, render.WaterfallOptions{Width: 200, Styles: st, Location: time.UTC}); err != nil {
					b.Fatal(err)
				}
			}
		})
		plain := styles.New(false) // into a pipe, as the bench script's runs
		b.Run(fmt.Sprintf("render-plain/%dk", n/1000), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := render.Waterfall(io.Discard, tree, render.WaterfallOptions{Width: 200, Styles: plain, Location: time.UTC}); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("end-to-end/%dk", n/1000), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				ts, err := file.ReadTraces(bytes.NewReader(data))
				if err != nil {
					b.Fatal(err)
				}
				if err := render.Waterfall(io.Discard, sources.BuildTree(ts[0]), render.WaterfallOptions{Width: 200, Styles: st, Location: time.UTC}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
