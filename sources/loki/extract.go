package loki

import (
	"regexp"
	"strings"

	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/sources/logline"
)

// extractor fills an entry's trace ID, span ID and level from what Loki
// sent: the structured metadata first, then the stream's labels, then the
// line itself (logfmt or JSON), and for trace IDs last a configured
// pattern.
type extractor struct {
	patterns []*regexp.Regexp
}

// Keys under which trace and span IDs and levels are found, in order of
// preference.
var (
	traceKeys = []string{"trace_id", "traceID", "traceId", "traceid", "trace-id"}
	spanKeys  = []string{"span_id", "spanID", "spanId", "spanid", "span-id"}
	levelKeys = []string{"level", "detected_level", "severity", "lvl", "severity_text", "log.level"}
)

func (x *extractor) fill(e *sources.LogEntry) {
	if v := lookup(e, traceKeys); v != "" {
		if sources.IsNormalID(v, 32) {
			e.TraceID = sources.TraceID(v) // already normal: no copy
		} else if id, err := sources.ParseTraceID(v); err == nil {
			e.TraceID = id
		}
	}
	if e.TraceID == "" {
		if v := lineValue(e.Line, traceKeys); validHexID(v, 16, 32) {
			e.TraceID, _ = sources.ParseTraceID(v)
		}
	}
	for _, p := range x.patterns {
		if e.TraceID != "" {
			break
		}
		if m := p.FindStringSubmatch(e.Line); m != nil {
			v := m[0]
			if len(m) > 1 {
				v = m[1]
			}
			if id, err := sources.ParseTraceID(v); err == nil {
				e.TraceID = id
			}
		}
	}
	if v := lookup(e, spanKeys); v != "" {
		if sources.IsNormalID(v, 16) {
			e.SpanID = sources.SpanID(v)
		} else if id, err := sources.ParseSpanID(v); err == nil {
			e.SpanID = id
		}
	}
	if e.SpanID == "" {
		if v := lineValue(e.Line, spanKeys); validHexID(v, 16, 16) {
			e.SpanID, _ = sources.ParseSpanID(v)
		}
	}
	v := lookup(e, levelKeys)
	if v == "" {
		v = lineValue(e.Line, levelKeys[:1])
	}
	if e.Level = NormalizeLevel(v); e.Level == "" {
		// the line's own level, in whatever format it is written
		// (console lines: time<TAB>LEVEL<TAB>…)
		var l logline.Line
		logline.ParseInto(e.Line, &l)
		e.Level = l.Level
	}
}

// lookup returns the first non-empty value of keys in the metadata, then
// in the labels.
func lookup(e *sources.LogEntry, keys []string) string {
	for _, m := range []map[string]string{e.Metadata, e.Labels} {
		if len(m) == 0 {
			continue
		}
		for _, k := range keys {
			if v := m[k]; v != "" {
				return v
			}
		}
	}
	return ""
}

// lineValue finds key=value (logfmt) or "key":"value" (JSON) in line for
// the first of keys present, and returns the value.
func lineValue(line string, keys []string) string {
	for _, k := range keys {
		for from := 0; from < len(line); {
			i := strings.Index(line[from:], k)
			if i < 0 {
				break
			}
			i += from
			from = i + len(k)
			// the key must start a field: at the start, after a space, a
			// quote, a brace or a comma
			if i > 0 {
				switch line[i-1] {
				case ' ', '\t', '"', '{', ',':
				default:
					continue
				}
			}
			rest := line[i+len(k):]
			quotedKey := i > 0 && line[i-1] == '"'
			if quotedKey {
				if !strings.HasPrefix(rest, `"`) {
					continue
				}
				rest = strings.TrimLeft(rest[1:], " ")
				if !strings.HasPrefix(rest, ":") {
					continue
				}
				rest = strings.TrimLeft(rest[1:], " ")
			} else {
				if !strings.HasPrefix(rest, "=") {
					continue
				}
				rest = rest[1:]
			}
			rest = strings.TrimPrefix(rest, `"`)
			end := strings.IndexAny(rest, "\" ,}\t")
			if end < 0 {
				end = len(rest)
			}
			if end > 0 {
				return rest[:end]
			}
		}
	}
	return ""
}

func validHexID(s string, minLen, maxLen int) bool {
	if len(s) != minLen && len(s) != maxLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}

// NormalizeLevel maps the many spellings of a log level to error, warn,
// info, debug, trace or fatal; anything else (Loki's "unknown" too) is
// empty. It is logline.NormalizeLevel, the one normaliser of levels.
func NormalizeLevel(s string) string {
	return logline.NormalizeLevel(s)
}
