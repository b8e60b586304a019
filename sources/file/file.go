// Package file reads traces saved to files: a Jaeger UI JSON export (one
// or many traces) or an OTLP JSON document, told apart by their content.
package file

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/sources/jaeger"
	"github.com/telx-cli/telx/sources/otlp"
)

// ReadTraces reads every trace in r.
func ReadTraces(r io.Reader) ([]*sources.Trace, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	var probe map[string]json.RawMessage
	if err := json.Unmarshal(data, &probe); err != nil {
		return nil, fmt.Errorf("not a JSON object: %w", err)
	}
	switch {
	case probe["data"] != nil:
		return jaeger.DecodeUIJSON(bytes.NewReader(data))
	case probe["resourceSpans"] != nil:
		return otlp.Decode(bytes.NewReader(data))
	case probe["result"] != nil: // a saved /api/v3 answer
		return otlp.Decode(bytes.NewReader(probe["result"]))
	}
	return nil, errors.New("neither Jaeger UI JSON (\"data\") nor OTLP JSON (\"resourceSpans\")")
}
