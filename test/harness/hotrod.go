package harness

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/telx-cli/telx/sources"
)

// HotRODSelector selects the lines of HotROD in the harness's Loki.
const HotRODSelector = `{job="hotrod"}`

// hotrodCustomers are the customers HotROD's database knows; the harness's
// dispatch requests go to them in turn.
var hotrodCustomers = []string{"123", "392", "731", "567"}

// Default number of /dispatch requests (Options.HotRODRequests). Each
// makes about 56 log lines; the failing GetDriver calls (HotROD fails the
// first and then every fifth) about 2.5 "redis timeout" lines a request.
const defaultHotRODRequests = 12

// hotrodConcurrency is how many dispatch requests are in flight at once:
// HotROD's customer database serves one query at a time, so the others
// wait behind its lock and log that they do, as in HotROD's own tutorial.
const hotrodConcurrency = 3

// HotROD is the harness's run of Jaeger's HotROD demo application
// (examples/hotrod of the pinned Jaeger module, `hotrod all`): real
// services, whose traces are in a Jaeger of their own (HotROD's service
// names, frontend among them, would mix with the demo scenario's in the
// shared Jaeger) and whose zap console lines the harness shipped to the
// harness's Loki, byte for byte, labelled job="hotrod" and service_name=
// the line's "service" field ("hotrod" for the lines without one), with
// the lines' trace_id and span_id fields as structured metadata.
type HotROD struct {
	// URL is HotROD's frontend, http://127.0.0.1:port (GET
	// /dispatch?customer=123). HotROD keeps running until Env.Stop, but
	// only the lines written during the harness's start were shipped.
	URL string
	// JaegerURL and JaegerGRPC are the query APIs of the Jaeger that holds
	// HotROD's traces, and only them.
	JaegerURL  string
	JaegerGRPC string
	// Dispatches are the /dispatch requests the harness sent, in order.
	// Jaeger holds each one's whole trace.
	Dispatches []Dispatch
	// Entries are the lines shipped to Loki, as shipped (Time, Line,
	// Labels, Metadata; TraceID and SpanID repeat the metadata), in the
	// order HotROD wrote them. Time is the line's own time (HotROD writes
	// milliseconds) plus n nanoseconds for the n-th earlier line written in
	// the same millisecond, so that every line has its own time and Loki
	// returns them in HotROD's order.
	Entries []sources.LogEntry
	// RedisTimeout is the first failed GetDriver span of service
	// redis-manual, and its "redis timeout" line, logged under the service
	// name driver (HotROD's redis simulator logs through the driver's
	// logger) with the span's ID.
	RedisTimeout SpanLine
	// LogPath is the file HotROD's output (stderr: zap's development
	// logger) went to.
	LogPath string
}

// Dispatch is one GET /dispatch request sent to HotROD.
type Dispatch struct {
	Customer string
	TraceID  sources.TraceID
	// SpanID is the trace's root: the frontend's /dispatch server span
	// (HotROD's traceresponse header).
	SpanID sources.SpanID
}

// SpanLine is a span and a line logged with its ID.
type SpanLine struct {
	TraceID   sources.TraceID
	SpanID    sources.SpanID
	Service   string // the span's service in Jaeger
	Operation string
	Entry     sources.LogEntry
}

// Window is the time range of the shipped lines: from the first line's
// time to just after the last one's.
func (h *HotROD) Window() sources.TimeRange {
	var r sources.TimeRange
	for i, e := range h.Entries {
		if i == 0 || e.Time.Before(r.From) {
			r.From = e.Time
		}
		if e.Time.After(r.To) {
			r.To = e.Time
		}
	}
	r.To = r.To.Add(time.Millisecond)
	return r
}

// Lines returns the shipped lines whose service_name is service.
func (h *HotROD) Lines(service string) []sources.LogEntry {
	var out []sources.LogEntry
	for _, e := range h.Entries {
		if e.Labels["service_name"] == service {
			out = append(out, e)
		}
	}
	return out
}

// runHotROD starts a Jaeger for HotROD (serving span metrics on port
// metrics unless 0) and HotROD itself, sends it
// requests and waits until that Jaeger holds their traces. Then, once
// lokiReady is closed (Loki is up and e.LokiURL set, or Loki failed), it
// ships HotROD's lines to Loki as lokiTenant (when not empty). It sends
// the requests once promReady is closed (nil: at once).
func (e *Env) runHotROD(ctx context.Context, bins Binaries, requests, metrics int, timeout time.Duration, promReady, lokiReady <-chan struct{}, lokiTenant string) (*HotROD, error) {
	start := time.Now()
	if requests <= 0 {
		requests = defaultHotRODRequests
	}
	jp, ja, err := startJaeger(ctx, "jaeger-hotrod", bins.Jaeger, e.Dir, timeout, nil, metrics)
	if err != nil {
		return nil, err
	}
	e.track(jp)
	h := &HotROD{
		JaegerURL:  fmt.Sprintf("http://127.0.0.1:%d", ja.HTTP),
		JaegerGRPC: fmt.Sprintf("127.0.0.1:%d", ja.GRPC),
	}
	ports, err := freePorts(4)
	if err != nil {
		return nil, err
	}
	frontend := fmt.Sprintf("127.0.0.1:%d", ports[0])
	h.URL = "http://" + frontend
	args := []string{"all",
		"--frontend-service-hostname", "127.0.0.1", "--frontend-service-port", strconv.Itoa(ports[0]),
		"--customer-service-hostname", "127.0.0.1", "--customer-service-port", strconv.Itoa(ports[1]),
		"--driver-service-hostname", "127.0.0.1", "--driver-service-port", strconv.Itoa(ports[2]),
		"--route-service-hostname", "127.0.0.1", "--route-service-port", strconv.Itoa(ports[3]),
		"--jaeger-ui", h.JaegerURL,
	}
	otlp := fmt.Sprintf("http://127.0.0.1:%d", ja.OTLP)
	env := []string{
		"OTEL_EXPORTER_OTLP_ENDPOINT=" + otlp,
		"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT=" + otlp + "/v1/traces",
	}
	// run through a link in the run's directory, so that HotROD's command
	// line names it, as the backends' do (check-no-backends-left.sh)
	bin := e.Dir + "/hotrod"
	if err := os.Symlink(bins.HotROD, bin); err != nil {
		return nil, err
	}
	p, err := startProcessEnv("hotrod", frontend, e.Dir, env, bin, args...)
	if err != nil {
		return nil, err
	}
	e.track(p)
	h.LogPath = p.logPath
	var addrs []string
	for _, port := range ports {
		addrs = append(addrs, fmt.Sprintf("127.0.0.1:%d", port))
	}
	if err := p.waitListening(ctx, addrs, timeout); err != nil {
		return nil, err
	}

	// Prometheus keeps the requests' exemplars only if it scrapes HotROD's
	// Jaeger within 10s of their spans' arrival
	if err := waitClosed(ctx, promReady); err != nil {
		return nil, err
	}
	if h.Dispatches, err = dispatch(ctx, h.URL, requests); err != nil {
		return nil, p.failure(err.Error())
	}
	sent := time.Now()

	// zap writes each line as it is logged, before the answer is sent
	data, err := os.ReadFile(h.LogPath)
	if err != nil {
		return nil, err
	}
	h.Entries = hotrodEntries(completeLines(data), p.start)

	spans, err := h.waitTraces(ctx, e.client, sent)
	if err != nil {
		return nil, err
	}
	e.mu.Lock()
	e.Timings["hotrod-traces"] = time.Since(start).Round(time.Millisecond)
	e.mu.Unlock()
	for _, en := range h.Entries {
		if en.Labels["service_name"] != "driver" || message(en.Line) != "redis timeout" {
			continue
		}
		s := spans[en.SpanID]
		h.RedisTimeout = SpanLine{TraceID: en.TraceID, SpanID: en.SpanID, Service: s.service, Operation: s.operation, Entry: en}
		break
	}
	if h.RedisTimeout.SpanID == "" {
		return nil, fmt.Errorf("hotrod: no \"redis timeout\" line among the %d lines of %d requests", len(h.Entries), len(h.Dispatches))
	}

	select {
	case <-lokiReady:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if e.LokiURL == "" {
		return nil, fmt.Errorf("hotrod: Loki did not start; HotROD's lines are in %s", h.LogPath)
	}
	if err := pushLogs(ctx, e.LokiURL+"/loki/api/v1/push", lokiTenant, h.Entries); err != nil {
		return nil, fmt.Errorf("shipping HotROD's lines to loki: %w", err)
	}
	return h, nil
}

// waitListening waits until every one of addrs accepts TCP connections
// (HotROD's four services start at once; asking one over HTTP would make
// a trace), the process exits, or timeout passes.
func (p *process) waitListening(ctx context.Context, addrs []string, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		var down []string
		for _, a := range addrs {
			c, err := net.DialTimeout("tcp", a, time.Second)
			if err != nil {
				down = append(down, a)
				continue
			}
			c.Close()
		}
		if len(down) == 0 {
			return nil
		}
		select {
		case <-p.done:
			return p.failure(fmt.Sprintf("exited before it was ready (%v)", p.err))
		case <-ctx.Done():
			return p.failure(fmt.Sprintf("did not listen on %s within %s", strings.Join(down, ", "), timeout))
		case <-tick.C:
		}
	}
}

// dispatch sends n GET /dispatch requests to HotROD's frontend at base, a
// few at a time, the customers in turn, and returns them with the trace
// each made.
func dispatch(ctx context.Context, base string, n int) ([]Dispatch, error) {
	out := make([]Dispatch, n)
	errs := make([]error, n)
	next := make(chan int)
	var wg sync.WaitGroup
	client := &http.Client{Timeout: 30 * time.Second}
	for range hotrodConcurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				out[i], errs[i] = dispatchOne(ctx, client, base, hotrodCustomers[i%len(hotrodCustomers)], i)
			}
		}()
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

func dispatchOne(ctx context.Context, client *http.Client, base, customer string, i int) (Dispatch, error) {
	// nonse, as HotROD's own page sends it, makes each request's URL unique
	u := Query(base, "/dispatch", "customer", customer, "nonse", fmt.Sprintf("0.%d", i+1))
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return Dispatch{}, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return Dispatch{}, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return Dispatch{}, fmt.Errorf("GET %s: %s", u, resp.Status)
	}
	// traceresponse: 00-<trace ID>-<span ID>-01 (W3C trace context)
	parts := strings.Split(resp.Header.Get("traceresponse"), "-")
	if len(parts) != 4 || len(parts[1]) != 32 || len(parts[2]) != 16 {
		return Dispatch{}, fmt.Errorf("GET %s: traceresponse %q is no W3C trace context", u, resp.Header.Get("traceresponse"))
	}
	return Dispatch{Customer: customer, TraceID: sources.TraceID(parts[1]), SpanID: sources.SpanID(parts[2])}, nil
}

// completeLines splits data into its lines, without a last one not yet
// ended by a newline.
func completeLines(data []byte) []string {
	end := bytes.LastIndexByte(data, '\n')
	if end < 0 {
		return nil
	}
	return strings.Split(string(data[:end]), "\n")
}

// hotrodEntries makes Loki entries of HotROD's lines: zap console lines,
// time<TAB>LEVEL<TAB>caller<TAB>message[<TAB>{json}], and the odd line of
// Go's standard logger (the OpenTelemetry SDK's errors), which takes the
// time of the line before it (or start, HotROD's start, for a first line).
func hotrodEntries(lines []string, start time.Time) []sources.LogEntry {
	var out []sources.LogEntry
	var seq sequencer
	last := start
	for _, line := range lines {
		if line == "" {
			continue
		}
		e := sources.LogEntry{Line: line, Labels: map[string]string{"service_name": "hotrod", "job": "hotrod"}}
		f := strings.SplitN(line, "\t", 5)
		if t, err := time.Parse(zapTime, f[0]); err == nil && len(f) >= 4 {
			last = t
			if len(f) == 5 {
				var fields map[string]any
				if json.Unmarshal([]byte(f[4]), &fields) == nil {
					if s, ok := fields["service"].(string); ok && s != "" {
						e.Labels["service_name"] = s
					}
					md := map[string]string{}
					for _, k := range []string{"trace_id", "span_id"} {
						if s, ok := fields[k].(string); ok && s != "" {
							md[k] = s
						}
					}
					if len(md) > 0 {
						e.Metadata = md
						e.TraceID, e.SpanID = sources.TraceID(md["trace_id"]), sources.SpanID(md["span_id"])
					}
				}
			}
		}
		e.Time = seq.next(last)
		out = append(out, e)
	}
	return out
}

// zapTime is the layout of zap's ISO 8601 time encoder (its development
// config's).
const zapTime = "2006-01-02T15:04:05.000Z0700"

// message is the message of a zap console line.
func message(line string) string {
	f := strings.SplitN(line, "\t", 5)
	if len(f) < 4 {
		return ""
	}
	return f[3]
}

// sequencer gives lines that share a time distinct times, in order: the
// n-th line at t gets t+n ns.
type sequencer map[int64]int

func (s *sequencer) next(t time.Time) time.Time {
	if *s == nil {
		*s = sequencer{}
	}
	k := t.UnixNano()
	n := (*s)[k]
	(*s)[k] = n + 1
	return t.Add(time.Duration(n))
}

// hotrodSpan is what the harness needs of a span in Jaeger.
type hotrodSpan struct {
	service, operation string
}

// waitTraces waits until HotROD's Jaeger holds every dispatch request's
// whole trace: its root, every span a line was logged under, and every
// span another refers to. HotROD's services export their ended spans every
// second, so it first waits a second and a bit after the last answer
// (sent). It returns the spans of those traces by ID.
func (h *HotROD) waitTraces(ctx context.Context, client *http.Client, sent time.Time) (map[sources.SpanID]hotrodSpan, error) {
	logged := map[sources.TraceID][]sources.SpanID{}
	for _, e := range h.Entries {
		if e.SpanID != "" {
			logged[e.TraceID] = append(logged[e.TraceID], e.SpanID)
		}
	}
	select {
	case <-time.After(time.Until(sent.Add(1200 * time.Millisecond))):
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		spans, missing, err := h.traces(ctx, client, logged)
		if err == nil && missing == "" {
			return spans, nil
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("hotrod: Jaeger (%s) lacks %s 30s after the requests (%v)", h.JaegerURL, missing, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// traces reads the dispatch requests' traces and says what is missing.
func (h *HotROD) traces(ctx context.Context, client *http.Client, logged map[sources.TraceID][]sources.SpanID) (map[sources.SpanID]hotrodSpan, string, error) {
	spans := map[sources.SpanID]hotrodSpan{}
	for _, d := range h.Dispatches {
		var body struct {
			Data []struct {
				Spans []struct {
					SpanID        sources.SpanID `json:"spanID"`
					OperationName string         `json:"operationName"`
					ProcessID     string         `json:"processID"`
					References    []struct {
						SpanID sources.SpanID `json:"spanID"`
					} `json:"references"`
				} `json:"spans"`
				Processes map[string]struct {
					ServiceName string `json:"serviceName"`
				} `json:"processes"`
			} `json:"data"`
		}
		if err := getJSON(ctx, client, h.JaegerURL+"/api/traces/"+string(d.TraceID), &body); err != nil {
			return nil, "trace " + string(d.TraceID), err
		}
		if len(body.Data) != 1 {
			return nil, "trace " + string(d.TraceID), nil
		}
		t := body.Data[0]
		for _, s := range t.Spans {
			spans[s.SpanID] = hotrodSpan{service: t.Processes[s.ProcessID].ServiceName, operation: s.OperationName}
		}
		want := append([]sources.SpanID{d.SpanID}, logged[d.TraceID]...)
		for _, s := range t.Spans {
			for _, r := range s.References {
				want = append(want, r.SpanID)
			}
		}
		for _, id := range want {
			if _, ok := spans[id]; !ok {
				return nil, fmt.Sprintf("span %s of trace %s", id, d.TraceID), nil
			}
		}
	}
	return spans, "", nil
}
