// Package file reads traces saved to files: a Jaeger UI JSON export (one
// or many traces), an OTLP JSON document, or a saved /api/v3 answer, told
// apart by their first key.
package file

import (
	"bufio"
	"bytes"
	"errors"
	"io"

	json "github.com/goccy/go-json"

	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/sources/jaeger"
	"github.com/telx-cli/telx/sources/otlp"
)

// ReadTraces reads every trace in r, streaming: the first key is peeked,
// then the document is decoded as it is read, never copied whole first.
func ReadTraces(r io.Reader) ([]*sources.Trace, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	head, err := br.Peek(64 << 10)
	if err != nil && err != io.EOF && err != bufio.ErrBufferFull {
		return nil, err
	}
	key, err := firstKey(head)
	if err != nil {
		return nil, err
	}
	switch key {
	case "data":
		return jaeger.DecodeUIJSON(br)
	case "resourceSpans", "result": // "result": a saved /api/v3 answer
		return otlp.Decode(br)
	}
	return nil, errors.New("neither Jaeger UI JSON (\"data\") nor OTLP JSON (\"resourceSpans\")")
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
