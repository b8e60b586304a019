package harness

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/telx-cli/telx/sources"
)

// shipBackendLogs ships to Loki, as tenant when not empty, the complete
// lines the backends (Jaeger, Loki, Prometheus; not HotROD and its Jaeger)
// have written to their log files so far, and returns them as shipped.
func (e *Env) shipBackendLogs(ctx context.Context, tenant string) ([]sources.LogEntry, error) {
	e.mu.Lock()
	procs := append([]*process(nil), e.procs...)
	e.mu.Unlock()
	var all []sources.LogEntry
	for _, p := range procs {
		if p.name != Jaeger && p.name != Loki && p.name != Prometheus {
			continue
		}
		data, err := os.ReadFile(p.logPath)
		if err != nil {
			return nil, err
		}
		all = append(all, backendEntries(p.name, completeLines(data), p.start)...)
	}
	if err := pushLogs(ctx, e.LokiURL+"/loki/api/v1/push", tenant, all); err != nil {
		return nil, fmt.Errorf("shipping the backends' logs to loki: %w", err)
	}
	return all, nil
}

// backendEntries makes Loki entries of a backend's log lines, labelled
// service_name=name and job="backends". Each takes its own time where the
// harness finds one (ownTime); a line without one takes the time of the
// line before it, or start (the process's start) for a first line.
func backendEntries(name string, lines []string, start time.Time) []sources.LogEntry {
	var out []sources.LogEntry
	var seq sequencer
	last := start
	for _, line := range lines {
		if strings.TrimSpace(line) == "" {
			continue
		}
		if t, ok := ownTime(line); ok {
			last = t
		}
		out = append(out, sources.LogEntry{
			Time:   seq.next(last),
			Line:   line,
			Labels: map[string]string{"service_name": name, "job": "backends"},
		})
	}
	return out
}

// ownTime finds the time a backend's log line was written at: a JSON
// object's "ts" or "time" (RFC 3339, or seconds since the epoch as zap's
// production encoder writes), a zap console line's first field, or a
// logfmt ts= or time= (go-kit's and slog's).
func ownTime(line string) (time.Time, bool) {
	if strings.HasPrefix(line, "{") {
		var obj map[string]any
		if json.Unmarshal([]byte(line), &obj) != nil {
			return time.Time{}, false
		}
		for _, k := range []string{"ts", "time", "timestamp"} {
			switch v := obj[k].(type) {
			case string:
				if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
					return t, true
				}
			case float64:
				sec := int64(v)
				return time.Unix(sec, int64((v-float64(sec))*1e9)), true
			}
		}
		return time.Time{}, false
	}
	first, _, _ := strings.Cut(line, "\t")
	for _, layout := range []string{time.RFC3339Nano, zapTime} {
		if t, err := time.Parse(layout, first); err == nil {
			return t, true
		}
	}
	for _, key := range []string{"ts=", "time="} {
		i := strings.Index(line, key)
		for i > 0 && line[i-1] != ' ' {
			j := strings.Index(line[i+1:], key)
			if j < 0 {
				i = -1
				break
			}
			i += 1 + j
		}
		if i < 0 {
			continue
		}
		v := line[i+len(key):]
		if strings.HasPrefix(v, `"`) {
			if q, err := strconv.QuotedPrefix(v); err == nil {
				v, _ = strconv.Unquote(q)
			}
		} else if sp := strings.IndexByte(v, ' '); sp >= 0 {
			v = v[:sp]
		}
		if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}
