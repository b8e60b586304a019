package cmd

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"

	"github.com/telx-cli/telx/sources"
)

// writeTracesJSON writes traces as `-o json` documents them: one trace as
// an object, several as an array, indented by two spaces. It writes span
// by span, so that a trace of 100k spans is never held as one document in
// memory; the bytes are those json.Encoder with SetIndent("", "  ") writes.
func writeTracesJSON(w io.Writer, traces []*sources.Trace) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	e := &jsonStream{w: bw}
	if len(traces) == 1 {
		e.trace(traces[0], "")
	} else {
		if len(traces) == 0 {
			bw.WriteString("[]")
		} else {
			bw.WriteString("[\n  ")
			for i, t := range traces {
				if i > 0 {
					bw.WriteString(",\n  ")
				}
				e.trace(t, "  ")
			}
			bw.WriteString("\n]")
		}
	}
	bw.WriteByte('\n')
	if e.err != nil {
		return e.err
	}
	return bw.Flush()
}

type jsonStream struct {
	w   *bufio.Writer
	buf bytes.Buffer
	err error
}

// value writes v indented as if it sat at prefix.
func (e *jsonStream) value(v any, prefix string) {
	if e.err != nil {
		return
	}
	e.buf.Reset()
	enc := json.NewEncoder(&e.buf)
	enc.SetIndent(prefix, "  ")
	if e.err = enc.Encode(v); e.err != nil {
		return
	}
	e.w.Write(bytes.TrimSuffix(e.buf.Bytes(), []byte("\n")))
}

// trace writes one trace whose opening brace sits at prefix, following
// sources.Trace's JSON fields.
func (e *jsonStream) trace(t *sources.Trace, prefix string) {
	in := prefix + "  "
	e.w.WriteString("{\n" + in + `"traceId": `)
	e.value(t.ID, in)
	e.w.WriteString(",\n" + in + `"spans": `)
	if len(t.Spans) == 0 {
		e.value(t.Spans, in)
	} else {
		e.w.WriteString("[\n" + in + "  ")
		for i := range t.Spans {
			if i > 0 {
				e.w.WriteString(",\n" + in + "  ")
			}
			e.value(&t.Spans[i], in+"  ")
		}
		e.w.WriteString("\n" + in + "]")
	}
	if len(t.Warnings) > 0 {
		e.w.WriteString(",\n" + in + `"warnings": `)
		e.value(t.Warnings, in)
	}
	e.w.WriteString("\n" + prefix + "}")
}
