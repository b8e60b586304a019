// Package file reads traces saved to files: a Jaeger UI JSON export (one
// or many traces), an OTLP JSON document, or a saved /api/v3 answer, told
// apart by their first key.
package file

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"

	json "github.com/goccy/go-json"

	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/sources/jaeger"
	"github.com/telx-cli/telx/sources/otlp"
)

// ReadTraces reads every trace in r.
func ReadTraces(r io.Reader) ([]*sources.Trace, error) {
	data, err := readAll(r)
	if err != nil {
		return nil, err
	}
	key, err := firstKey(data)
	if err != nil {
		return nil, err
	}
	switch key {
	case "data":
		return jaeger.DecodeUIJSON(bytes.NewReader(data))
	case "resourceSpans":
		return otlp.DecodeBytes(data)
	case "result": // a saved /api/v3 answer
		var v3 struct {
			Result otlp.TracesData `json:"result"`
		}
		if err := json.Unmarshal(data, &v3); err != nil {
			return nil, fmt.Errorf("reading OTLP JSON: %w", err)
		}
		return otlp.ToTraces(&v3.Result)
	}
	return nil, errors.New("neither Jaeger UI JSON (\"data\") nor OTLP JSON (\"resourceSpans\")")
}

// readAll reads r whole into a buffer sized once when r's size is known
// (a file, a bytes.Reader), rather than grown by doubling: trace files run
// to tens of megabytes.
func readAll(r io.Reader) ([]byte, error) {
	size := 0
	switch v := r.(type) {
	case interface{ Len() int }:
		size = v.Len()
	case *os.File:
		if fi, err := v.Stat(); err == nil && fi.Mode().IsRegular() {
			size = int(fi.Size())
		}
	}
	var buf bytes.Buffer
	buf.Grow(size + bytes.MinRead)
	_, err := buf.ReadFrom(r)
	return buf.Bytes(), err
}

// firstKey returns the first key of the JSON object in data.
func firstKey(data []byte) (string, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	tok, err := dec.Token()
	if err != nil || tok != json.Delim('{') {
		return "", errors.New("not a JSON object")
	}
	tok, err = dec.Token()
	if err != nil {
		return "", errors.New("not a JSON object")
	}
	key, _ := tok.(string)
	return key, nil
}
