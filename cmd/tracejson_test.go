package cmd

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/sources/demo"
)

// TestWriteTracesJSON checks that the streaming writer writes the bytes
// encoding/json writes for the whole document.
func TestWriteTracesJSON(t *testing.T) {
	sc := demo.Generate(1, time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC), demo.Options{Traces: 3, BigTraceBatches: 1})
	warned := *sc.Traces[0]
	warned.Warnings = []string{"2 spans have no parent <here>"}
	tests := []struct {
		name   string
		traces []*sources.Trace
	}{
		{"one trace", sc.Traces[:1]},
		{"several traces", sc.Traces},
		{"warnings", []*sources.Trace{&warned}},
		{"no spans", []*sources.Trace{{ID: "0af7651916cd43dd8448eb211c80319c", Spans: []sources.Span{}}}},
		{"nil spans", []*sources.Trace{{ID: "0af7651916cd43dd8448eb211c80319c"}}},
		{"no traces", []*sources.Trace{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var want bytes.Buffer
			enc := json.NewEncoder(&want)
			enc.SetIndent("", "  ")
			var v any = tt.traces
			if len(tt.traces) == 1 {
				v = tt.traces[0]
			}
			if err := enc.Encode(v); err != nil {
				t.Fatal(err)
			}
			var got bytes.Buffer
			if err := writeTracesJSON(&got, tt.traces); err != nil {
				t.Fatal(err)
			}
			if got.String() != want.String() {
				t.Errorf("got\n%s\nwant\n%s", clipText(got.String()), clipText(want.String()))
			}
		})
	}
}

func clipText(s string) string {
	if len(s) > 2000 {
		return s[:2000] + "…"
	}
	return s
}
