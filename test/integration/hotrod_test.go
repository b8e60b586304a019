package integration

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/sources/demo"
	"github.com/telx-cli/telx/test/harness"
)

func hotrod(t *testing.T) (*harness.Env, *harness.HotROD) {
	t.Helper()
	env := harness.Shared(t)
	if env.HotROD == nil {
		t.Fatal("the harness ran without HotROD (Options.HotROD)")
	}
	return env, env.HotROD
}

// lokiLine is a line as Loki returns it with categorize-labels: its
// stream's labels and its structured metadata apart.
type lokiLine struct {
	Time     string
	Line     string
	Labels   map[string]string
	Metadata map[string]string
}

// queryLoki asks Loki's query_range for the lines of query in r, oldest
// first, with categorize-labels.
func queryLoki(t *testing.T, env *harness.Env, query string, r sources.TimeRange, limit int) []lokiLine {
	t.Helper()
	u := harness.Query(env.LokiURL, "/loki/api/v1/query_range", "query", query, "direction", "forward",
		"start", strconv.FormatInt(r.From.UnixNano(), 10), "end", strconv.FormatInt(r.To.UnixNano(), 10),
		"limit", strconv.Itoa(limit))
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	req.Header.Set("X-Loki-Response-Encoding-Flags", "categorize-labels")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 1000))
		t.Fatalf("GET %s: %s: %s", u, resp.Status, msg)
	}
	var body struct {
		Data struct {
			Result []struct {
				Stream map[string]string
				Values [][]json.RawMessage
			}
		}
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	var out []lokiLine
	for _, s := range body.Data.Result {
		for _, v := range s.Values {
			var l lokiLine
			var meta struct {
				StructuredMetadata map[string]string `json:"structuredMetadata"`
			}
			if len(v) < 2 || json.Unmarshal(v[0], &l.Time) != nil || json.Unmarshal(v[1], &l.Line) != nil {
				t.Fatalf("bad value %s", v)
			}
			if len(v) > 2 {
				if err := json.Unmarshal(v[2], &meta); err != nil {
					t.Fatal(err)
				}
			}
			l.Labels, l.Metadata = s.Stream, meta.StructuredMetadata
			out = append(out, l)
		}
	}
	slices.SortFunc(out, func(a, b lokiLine) int {
		x, _ := strconv.ParseInt(a.Time, 10, 64)
		y, _ := strconv.ParseInt(b.Time, 10, 64)
		return int(x - y)
	})
	return out
}

// byTime returns es oldest first.
func byTime(es []sources.LogEntry) []sources.LogEntry {
	es = slices.Clone(es)
	slices.SortStableFunc(es, func(a, b sources.LogEntry) int { return a.Time.Compare(b.Time) })
	return es
}

// checkShipped checks that Loki holds exactly the entries shipped (oldest
// first, each with its own time): the lines byte for byte, the labels, the
// structured metadata, and Loki's detected_level.
func checkShipped(t *testing.T, got []lokiLine, want []sources.LogEntry, level func(string) string) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("Loki holds %d lines, %d were shipped", len(got), len(want))
	}
	for i := range min(len(got), len(want)) {
		g, w := got[i], want[i]
		if g.Line != w.Line || g.Time != strconv.FormatInt(w.Time.UnixNano(), 10) {
			t.Fatalf("line %d in Loki:\n%s %q\nshipped:\n%d %q", i, g.Time, g.Line, w.Time.UnixNano(), w.Line)
		}
		if fmt.Sprint(g.Labels) != fmt.Sprint(w.Labels) {
			t.Errorf("line %d: labels %v, shipped %v", i, g.Labels, w.Labels)
		}
		md := map[string]string{}
		for k, v := range g.Metadata {
			if k != "detected_level" {
				md[k] = v
			}
		}
		if len(md) != len(w.Metadata) || (len(md) > 0 && fmt.Sprint(md) != fmt.Sprint(w.Metadata)) {
			t.Errorf("line %d: structured metadata %v, shipped %v", i, g.Metadata, w.Metadata)
		}
		if want := level(w.Line); want != "" && g.Metadata["detected_level"] != want {
			t.Errorf("line %d: detected_level %q, want %q: %q", i, g.Metadata["detected_level"], want, w.Line)
		}
	}
}

// zapLevel is the level of a zap console line, as Loki names it.
func zapLevel(line string) string {
	f := strings.Split(line, "\t")
	if len(f) < 4 {
		return ""
	}
	return strings.ToLower(f[1])
}

func TestHotRODLinesAreInLoki(t *testing.T) {
	env, h := hotrod(t)
	if len(h.Dispatches) == 0 || len(h.Entries) < 40*len(h.Dispatches) {
		t.Fatalf("%d lines for %d requests", len(h.Entries), len(h.Dispatches))
	}
	services := map[string]int{}
	for _, e := range h.Entries {
		services[e.Labels["service_name"]]++
		if strings.Count(e.Line, "\t") < 3 {
			t.Errorf("not a zap console line: %q", e.Line)
		}
	}
	for _, s := range []string{"frontend", "customer", "driver", "route"} {
		if services[s] < len(h.Dispatches) {
			t.Errorf("%d lines of %s for %d requests (%v)", services[s], s, len(h.Dispatches), services)
		}
	}
	for _, d := range h.Dispatches {
		n := 0
		for _, e := range h.Entries {
			if e.TraceID == d.TraceID && e.Metadata["trace_id"] == string(d.TraceID) {
				n++
			}
		}
		if n < 40 {
			t.Errorf("request for customer %s: %d lines with its trace ID %s", d.Customer, n, d.TraceID)
		}
	}

	want := byTime(h.Entries)
	got := queryLoki(t, env, harness.HotRODSelector, h.Window(), 5000)
	checkShipped(t, got, want, zapLevel)

	// logcli prints the lines as shipped, TABs and all
	bins, err := harness.FindBinaries(harness.Loki)
	if err != nil {
		t.Fatal(err)
	}
	r := h.Window()
	cmd := exec.Command(bins.LogCLI, "query", harness.HotRODSelector, "--addr", env.LokiURL,
		"--from", r.From.UTC().Format(time.RFC3339Nano), "--to", r.To.UTC().Format(time.RFC3339Nano),
		"--limit", "5000", "--forward", "-o", "raw", "--quiet")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("logcli: %v", err)
	}
	var b strings.Builder
	for _, e := range want {
		b.WriteString(e.Line + "\n")
	}
	if string(out) != b.String() {
		t.Errorf("logcli -o raw printed %d bytes (%d lines), shipped %d bytes (%d lines)",
			len(out), strings.Count(string(out), "\n"), b.Len(), len(want))
	}
}

// HotROD's redis simulator logs its "redis timeout" under the service name
// driver, with the ID of its own failed span: the line is found by span ID
// under any service name, and Jaeger holds that span as redis-manual's.
func TestHotRODRedisTimeoutBySpanID(t *testing.T) {
	env, h := hotrod(t)
	rt := h.RedisTimeout
	if rt.Service != "redis-manual" || rt.Operation != "GetDriver" || rt.Entry.Labels["service_name"] != "driver" {
		t.Fatalf("the harness's redis timeout: %+v", rt)
	}
	var want []sources.LogEntry
	for _, e := range h.Entries {
		if e.SpanID == rt.SpanID {
			want = append(want, e)
		}
	}
	got := queryLoki(t, env, fmt.Sprintf(`{service_name=~".+"} | span_id=%q`, rt.SpanID), h.Window(), 1000)
	checkShipped(t, got, byTime(want), zapLevel)
	if len(got) != 1 || !strings.Contains(got[0].Line, "\tERROR\tdriver/redis.go:") || !strings.Contains(got[0].Line, "\tredis timeout\t") || got[0].Line != rt.Entry.Line {
		t.Errorf("lines of span %s: %+v", rt.SpanID, got)
	}

	var tr struct {
		Data []struct {
			Spans []struct {
				SpanID        string `json:"spanID"`
				OperationName string `json:"operationName"`
				ProcessID     string `json:"processID"`
				Tags          []struct {
					Key   string `json:"key"`
					Value any    `json:"value"`
				} `json:"tags"`
				Logs []struct {
					Fields []struct {
						Key   string `json:"key"`
						Value any    `json:"value"`
					} `json:"fields"`
				} `json:"logs"`
			} `json:"spans"`
			Processes map[string]struct {
				ServiceName string `json:"serviceName"`
			} `json:"processes"`
		} `json:"data"`
	}
	get(t, h.JaegerURL+"/api/traces/"+string(rt.TraceID), &tr)
	if len(tr.Data) != 1 {
		t.Fatalf("Jaeger has no trace %s", rt.TraceID)
	}
	found := false
	for _, s := range tr.Data[0].Spans {
		if s.SpanID != string(rt.SpanID) {
			continue
		}
		found = true
		if svc := tr.Data[0].Processes[s.ProcessID].ServiceName; svc != "redis-manual" || s.OperationName != "GetDriver" {
			t.Errorf("span %s is %s %s in Jaeger, want redis-manual GetDriver", rt.SpanID, svc, s.OperationName)
		}
		failed, event := false, false
		for _, tag := range s.Tags {
			failed = failed || tag.Key == "error" && tag.Value == true
		}
		for _, l := range s.Logs {
			for _, f := range l.Fields {
				event = event || f.Key == "event" && f.Value == "redis timeout"
			}
		}
		if !failed || !event {
			t.Errorf("span %s: error tag %v, redis timeout event %v", rt.SpanID, failed, event)
		}
	}
	if !found {
		t.Errorf("trace %s has no span %s", rt.TraceID, rt.SpanID)
	}
}

// HotROD's traces are in a Jaeger of their own, whole.
func TestHotRODTracesAreInItsJaeger(t *testing.T) {
	_, h := hotrod(t)
	var services struct{ Data []string }
	get(t, h.JaegerURL+"/api/services", &services)
	for _, s := range []string{"frontend", "customer", "driver", "redis-manual", "route"} {
		if !slices.Contains(services.Data, s) {
			t.Errorf("HotROD's Jaeger has no service %s: %v", s, services.Data)
		}
	}
	for _, s := range demo.Services {
		if s != demo.Frontend && slices.Contains(services.Data, s) {
			t.Errorf("the demo's service %s is in HotROD's Jaeger", s)
		}
	}
	for _, d := range h.Dispatches {
		var tr struct {
			Data []struct {
				Spans []struct {
					SpanID     string     `json:"spanID"`
					References []struct{} `json:"references"`
					ProcessID  string     `json:"processID"`
				} `json:"spans"`
				Processes map[string]struct {
					ServiceName string `json:"serviceName"`
				} `json:"processes"`
			} `json:"data"`
		}
		get(t, h.JaegerURL+"/api/traces/"+string(d.TraceID), &tr)
		if len(tr.Data) != 1 {
			t.Fatalf("no trace %s", d.TraceID)
		}
		roots, of := 0, map[string]bool{}
		for _, s := range tr.Data[0].Spans {
			of[tr.Data[0].Processes[s.ProcessID].ServiceName] = true
			if len(s.References) == 0 {
				roots++
				if s.SpanID != string(d.SpanID) {
					t.Errorf("trace %s: root %s, traceresponse said %s", d.TraceID, s.SpanID, d.SpanID)
				}
			}
		}
		if roots != 1 || len(of) < 5 {
			t.Errorf("trace %s: %d roots, services %v", d.TraceID, roots, of)
		}
	}
}

// Loki's pattern ingester finds HotROD's patterns, counting every line.
func TestLokiPatternsOfHotROD(t *testing.T) {
	env, h := hotrod(t)
	want := 0
	for _, e := range h.Lines("driver") {
		if strings.Contains(e.Line, "\tGot driver's ID\t") {
			want++
		}
	}
	r := h.Window().Widen(time.Minute)
	u := harness.Query(env.LokiURL, "/loki/api/v1/patterns", "query", `{service_name="driver", job="hotrod"}`,
		"start", strconv.FormatInt(r.From.UnixNano(), 10), "end", strconv.FormatInt(r.To.UnixNano(), 10))
	deadline := time.Now().Add(30 * time.Second)
	for {
		var body struct {
			Status string
			Data   []struct {
				Pattern string
				Level   string
				Samples [][2]int64
			}
		}
		get(t, u, &body)
		for _, p := range body.Data {
			if !strings.Contains(p.Pattern, "driver's ID") {
				continue
			}
			n := int64(0)
			for _, s := range p.Samples {
				n += s[1]
			}
			if n != int64(want) || p.Level != "info" || !strings.Contains(p.Pattern, "<_>") {
				t.Errorf("pattern %q (%s) counts %d lines, %d were shipped", p.Pattern, p.Level, n, want)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("no \"Got driver's ID\" pattern after 30s: %+v", body)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// A metric query by Loki's detected_level counts HotROD's lines by their
// own level.
func TestLokiCountsHotRODByLevel(t *testing.T) {
	env, h := hotrod(t)
	want := map[string]int{}
	for _, e := range h.Lines("driver") {
		want[zapLevel(e.Line)]++
	}
	if want["error"] == 0 || want["info"] == 0 {
		t.Fatalf("driver's lines by level: %v", want)
	}
	var res lokiResult
	get(t, harness.Query(env.LokiURL, "/loki/api/v1/query",
		"query", `sum by (detected_level) (count_over_time({service_name="driver", job="hotrod"}[1h]))`,
		"time", strconv.FormatInt(h.Window().To.UnixNano(), 10)), &res)
	got := map[string]int{}
	for _, s := range res.Data.Result {
		n, _ := strconv.Atoi(s.Value[1].(string))
		got[s.Metric["detected_level"]] = n
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("driver's lines by detected_level = %v, want %v", got, want)
	}
}

// The backends' own logs are in Loki, as they wrote them.
func TestBackendLogsAreInLoki(t *testing.T) {
	env := harness.Shared(t)
	if len(env.BackendLogs) == 0 {
		t.Fatal("the harness shipped no backend logs (Options.BackendLogs)")
	}
	for _, b := range []string{harness.Jaeger, harness.Loki, harness.Prometheus} {
		var want []sources.LogEntry
		for _, e := range env.BackendLogs {
			if e.Labels["service_name"] == b {
				want = append(want, e)
			}
		}
		if len(want) < 5 {
			t.Errorf("%d lines of %s", len(want), b)
			continue
		}
		r := sources.TimeRange{From: want[0].Time, To: want[0].Time}
		for _, e := range want {
			r.From, r.To = minTime(r.From, e.Time), maxTime(r.To, e.Time)
		}
		r.To = r.To.Add(time.Millisecond)
		got := queryLoki(t, env, fmt.Sprintf(`{job="backends", service_name=%q}`, b), r, 5000)
		checkShipped(t, got, byTime(want), func(line string) string {
			// Loki and Prometheus write logfmt with level=, Jaeger zap console
			if _, rest, ok := strings.Cut(line, "level="); ok {
				l, _, _ := strings.Cut(rest, " ")
				return l
			}
			return zapLevel(line)
		})
	}
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
