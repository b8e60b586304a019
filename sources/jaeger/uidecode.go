package jaeger

import (
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/sources/internal/jsonread"
	"github.com/telx-cli/telx/sources/otlp"
)

// DecodeUIJSON reads Jaeger UI JSON: an /api/traces answer or a UI export
// ("Download JSON"), one or many traces. It reads the document as a
// stream of tokens into Jaeger's span model, whatever the order of the
// fields (processes may come after the spans); a value of the wrong type
// is an error that names it as a JSON path.
func DecodeUIJSON(r io.Reader) ([]*sources.Trace, error) {
	d := &uiDecoder{Reader: jsonread.New(r)}
	if err := d.ExpectObject(); err != nil {
		return nil, fmt.Errorf("reading Jaeger JSON: %w", err)
	}
	var out []*sources.Trace
	err := d.Object(func(name []byte) error {
		if string(name) != "data" {
			return d.Skip()
		}
		return d.Array(func() error {
			t, err := d.trace()
			if t != nil {
				out = append(out, t)
			}
			return err
		})
	})
	if err != nil {
		if jsonread.IsFieldError(err) {
			return nil, err
		}
		return nil, fmt.Errorf("reading Jaeger JSON: %w", err)
	}
	return out, nil
}

type uiDecoder struct {
	*jsonread.Reader
}

// uiProcess is a process of the UI JSON: a service and its tags.
type uiProcess struct {
	service string
	tags    []sources.Attr
}

// uiSpan is a span read, with the process it names, found once the whole
// trace is read.
type uiSpan struct {
	jspan
	processID string
	process   *uiProcess // embedded in some exports
}

func (d *uiDecoder) trace() (*sources.Trace, error) {
	var (
		id string
		// the spans, in blocks that never move: a slice that grows would
		// hold the spans up to three times over as it is copied
		spans     [][]uiSpan
		n         int
		processes = map[string]*uiProcess{}
		warnings  []string
	)
	err := d.Object(func(name []byte) error {
		var err error
		switch string(name) {
		case "traceID":
			id, err = d.String()
		case "spans":
			err = d.Array(func() error {
				s, err := d.span()
				if n%uiBlock == 0 {
					spans = append(spans, make([]uiSpan, 0, uiBlock))
				}
				spans[len(spans)-1] = append(spans[len(spans)-1], s)
				n++
				return err
			})
		case "processes":
			err = d.Object(func(name []byte) error {
				key := string(name)
				p, err := d.process()
				processes[key] = p
				return err
			})
		case "warnings":
			warnings, err = d.strings()
		default:
			err = d.Skip()
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	if id == "" && n > 0 {
		id = spans[0][0].traceID
	}
	tid, err := sources.ParseTraceID(id)
	if err != nil {
		return nil, d.Fail(fmt.Errorf("traceID: %w", err))
	}
	var notes, leftOut []string
	t := &sources.Trace{ID: tid, Spans: make([]sources.Span, 0, n)}
	i := 0
	for b, block := range spans {
		for k := range block {
			s := &block[k]
			p := s.process
			if p == nil {
				p = processes[s.processID]
			}
			if p == nil {
				notes = append(notes, fmt.Sprintf("span %s: process %q is not in the trace", s.spanID, s.processID))
				p = &uiProcess{}
			}
			s.service, s.jspan.process = p.service, p.tags
			if s.traceID == "" {
				s.traceID = id
			}
			for r := range s.refs {
				if s.refs[r].traceID == "" { // a reference within the trace
					s.refs[r].traceID = s.traceID
				}
			}
			// as toTrace does, block by block
			ds, err := s.toDomain()
			if err == nil && ds.TraceID != tid { // listed under another trace
				err = fmt.Errorf("of trace %s", ds.TraceID)
			}
			if err != nil {
				leftOut = append(leftOut, fmt.Sprintf("span %d (%q) left out: %v", i, s.spanID, err))
			} else {
				t.Spans = append(t.Spans, ds)
			}
			i++
		}
		spans[b] = nil // done with: the collector may take it
	}
	t.Warnings = append(append(notes, warnings...), leftOut...)
	otlp.SortSpans(t.Spans)
	return t, nil
}

// uiBlock is how many spans a block of the decoder holds.
const uiBlock = 1024

func (d *uiDecoder) span() (uiSpan, error) {
	var s uiSpan
	var parent string
	var start, dur int64
	err := d.Object(func(name []byte) error {
		var err error
		switch string(name) {
		case "traceID":
			s.traceID, err = d.String()
		case "spanID":
			var b []byte
			b, err = d.RawString()
			s.spanID = string(b)
		case "parentSpanID": // older exports
			parent, err = d.String()
		case "operationName":
			s.operation, err = d.String()
		case "references":
			err = d.Array(func() error {
				var r jref
				err := d.Object(func(name []byte) error {
					var err error
					switch string(name) {
					case "refType":
						r.typ, err = d.String()
					case "traceID":
						r.traceID, err = d.String()
					case "spanID":
						r.spanID, err = d.String()
					default:
						err = d.Skip()
					}
					return err
				})
				s.refs = append(s.refs, r)
				return err
			})
		case "startTime": // µs
			start, err = d.Int64()
		case "duration": // µs
			dur, err = d.Int64()
		case "tags":
			s.tags, err = d.keyValues()
		case "logs":
			err = d.Array(func() error {
				var l jlog
				err := d.Object(func(name []byte) error {
					var err error
					switch string(name) {
					case "timestamp":
						var ts int64
						ts, err = d.Int64()
						l.time, _ = sources.MicrosTime(ts)
					case "fields":
						l.fields, err = d.keyValues()
					default:
						err = d.Skip()
					}
					return err
				})
				s.logs = append(s.logs, l)
				return err
			})
		case "processID":
			s.processID, err = d.String()
		case "process":
			s.process, err = d.process()
		case "warnings":
			s.warnings, err = d.strings()
		default:
			err = d.Skip()
		}
		return err
	})
	var inRange bool
	if s.start, inRange = sources.MicrosTime(start); !inRange {
		s.warnings = append(s.warnings, fmt.Sprintf("startTime %d µs is out of range: the span is placed at %s", start, s.start.Format(time.RFC3339)))
	}
	if s.duration, inRange = sources.MicrosDuration(dur); !inRange {
		s.warnings = append(s.warnings, fmt.Sprintf("duration %d µs is out of range: it is taken as %s", dur, s.duration))
	}
	if s.duration < 0 {
		s.duration = 0
		s.warnings = append(s.warnings, fmt.Sprintf("duration %d µs is negative: it is taken as 0", dur))
	}
	if end := s.start.Add(s.duration); s.duration > 0 && end.After(sources.MaxTime) {
		s.duration = sources.MaxTime.Sub(s.start)
		s.warnings = append(s.warnings, fmt.Sprintf("the span would end after %s: it is cut there", sources.MaxTime.Format(time.RFC3339)))
	}
	if len(s.refs) == 0 && parent != "" && parent != "0" {
		s.refs = []jref{{typ: "CHILD_OF", traceID: s.traceID, spanID: parent}}
	}
	return s, err
}

func (d *uiDecoder) process() (*uiProcess, error) {
	p := &uiProcess{}
	err := d.Object(func(name []byte) error {
		var err error
		switch string(name) {
		case "serviceName":
			p.service, err = d.String()
		case "tags":
			p.tags, err = d.keyValues()
		default:
			err = d.Skip()
		}
		return err
	})
	return p, err
}

func (d *uiDecoder) strings() ([]string, error) {
	var out []string
	err := d.Array(func() error {
		s, err := d.String()
		out = append(out, s)
		return err
	})
	return out, err
}

// keyValues reads typed key-values ({"key", "type", "value"}); each value
// is read as its type says.
func (d *uiDecoder) keyValues() ([]sources.Attr, error) {
	var out []sources.Attr
	err := d.Array(func() error {
		a, err := d.keyValue()
		out = append(out, a)
		return err
	})
	return out, err
}

func (d *uiDecoder) keyValue() (sources.Attr, error) {
	var a sources.Attr
	var typ string
	// the value as written, kept when it comes before its type
	var raw []byte
	var quoted, haveRaw bool
	err := d.Object(func(name []byte) error {
		var err error
		switch string(name) {
		case "key":
			a.Key, err = d.String()
		case "type":
			typ, err = d.String()
		case "value":
			var v []byte
			if v, err = d.Dec.ReadValue(); err != nil {
				return err
			}
			b := v
			if quoted = v[0] == '"'; quoted {
				if b, err = d.Unquote(v); err != nil {
					return err
				}
			}
			if typ != "" {
				a.Value, err = d.typed(typ, b, quoted)
				return err
			}
			raw, haveRaw = append([]byte(nil), b...), true
		default:
			err = d.Skip()
		}
		return err
	})
	if err == nil && haveRaw {
		a.Value, err = d.typed(typ, raw, quoted)
	}
	return a, err
}

// typed converts a value (unquoted when it was a JSON string) as its
// Jaeger type says; strings and unknown types stay text.
func (d *uiDecoder) typed(typ string, b []byte, quoted bool) (any, error) {
	fail := func(what string) (any, error) {
		return nil, d.Fail(fmt.Errorf("value %s is not %s", jsonread.Clip(b), what))
	}
	switch typ {
	case "bool":
		v, err := strconv.ParseBool(string(b))
		if err != nil {
			return fail("a bool")
		}
		return v, nil
	case "int64":
		if v, ok := jsonread.ParseDecimal(b); ok {
			return v, nil
		}
		v, err := strconv.ParseInt(string(b), 10, 64)
		if err != nil {
			return fail("an int64")
		}
		return v, nil
	case "float64":
		v, err := strconv.ParseFloat(string(b), 64)
		if err != nil {
			return fail("a float64")
		}
		return v, nil
	}
	// "string", "binary" (base64, as sent), or missing
	if !quoted {
		return string(b), nil
	}
	return d.Box(b), nil
}
