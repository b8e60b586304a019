package cmd

import (
	"bufio"
	"bytes"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"

	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/sources/file"
	"github.com/telx-cli/telx/sources/logline"
	"github.com/telx-cli/telx/sources/loki"
	"github.com/telx-cli/telx/tui/render"
)

// Fixtures recorded from the real Loki by test/record-fixtures.sh loki.
const recorded = "../testdata/recorded/"

func fixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(recorded + name)
	if err != nil {
		t.Fatalf("%v (record with bash test/record-fixtures.sh loki)", err)
	}
	return b
}

// fakeLoki serves recorded answers by path and remembers the requests.
type fakeLoki struct {
	*httptest.Server
	mu       sync.Mutex
	requests []*http.Request
	// answer returns the status and body for a request.
	answer func(r *http.Request) (int, []byte)
}

func newFakeLoki(t *testing.T, answer func(r *http.Request) (int, []byte)) *fakeLoki {
	f := &fakeLoki{answer: answer}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		f.requests = append(f.requests, r.Clone(r.Context()))
		f.mu.Unlock()
		code, body := f.answer(r)
		if code == http.StatusOK {
			w.Header().Set("Content-Type", "application/json")
		}
		w.WriteHeader(code)
		w.Write(body)
	}))
	t.Cleanup(f.Close)
	return f
}

func (f *fakeLoki) queries() []url.Values {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []url.Values
	for _, r := range f.requests {
		out = append(out, r.URL.Query())
	}
	return out
}

// serveFixture answers every query_range with one recorded file.
func serveFixture(t *testing.T, name string) *fakeLoki {
	body := fixture(t, name)
	return newFakeLoki(t, func(r *http.Request) (int, []byte) { return http.StatusOK, body })
}

// fixtureWindow is --from and --to around the lines of a recorded answer.
func fixtureWindow(t *testing.T, name string) []string {
	t.Helper()
	var lo, hi time.Time
	err := loki.DecodeStreams(bytes.NewReader(fixture(t, name)), sources.Backward, nil, func(e sources.LogEntry) error {
		if lo.IsZero() || e.Time.Before(lo) {
			lo = e.Time
		}
		if e.Time.After(hi) {
			hi = e.Time
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return []string{"--from", lo.Add(-time.Second).UTC().Format(time.RFC3339), "--to", hi.Add(time.Second).UTC().Format(time.RFC3339)}
}

func fixtureEntries(t *testing.T, name string) []sources.LogEntry {
	t.Helper()
	var out []sources.LogEntry
	if err := loki.DecodeStreams(bytes.NewReader(fixture(t, name)), sources.Backward, nil, func(e sources.LogEntry) error {
		out = append(out, e)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

const fourServices = `{service_name=~"frontend|checkout|payments|postgres"}`

func TestLogsGolden(t *testing.T) {
	f := serveFixture(t, "loki-query-range.json")
	window := fixtureWindow(t, "loki-query-range.json")
	for _, tt := range []struct {
		name  string
		width int
		args  []string
	}{
		{"default-80", 80, nil},
		{"default-200", 200, nil},
		{"labels-120", 120, []string{"--labels"}},
	} {
		for _, color := range []bool{false, true} {
			name := tt.name
			profile := colorprofile.ANSI
			if color {
				name += "-color"
				profile = colorprofile.TrueColor
			}
			t.Run(name, func(t *testing.T) {
				args := append([]string{"logs", fourServices, "--utc", "--loki", f.URL}, window...)
				env := map[string]string{}
				if !color {
					env["NO_COLOR"] = "1"
				}
				code, out, errOut := runIn(t, tt.width, profile, "", env, append(args, tt.args...)...)
				if code != ExitOK {
					t.Fatalf("exit %d: %s", code, errOut)
				}
				if !color && strings.Contains(out, "\x1b") {
					t.Error("escape sequences in uncoloured output")
				}
				if color && !strings.Contains(out, "\x1b[") {
					t.Error("no colour in coloured output")
				}
				for i, row := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
					if w := ansi.StringWidth(row); w > tt.width {
						t.Errorf("row %d is %d columns wide, more than %d: %q", i, w, tt.width, row)
					}
				}
				golden(t, "logs/"+name, out)
			})
		}
	}
}

// The hostile lines recorded (escape sequences, a bidi override, a
// newline) never reach the terminal raw, whatever the format, unless
// --unsafe-raw asks for it.
func TestLogsSanitisedInEveryFormat(t *testing.T) {
	f := serveFixture(t, "loki-query-range.json")
	entries := fixtureEntries(t, "loki-query-range.json")
	hostile := 0
	for _, e := range entries {
		if sources.Sanitize(e.Line) != e.Line {
			hostile++
		}
	}
	if hostile == 0 {
		t.Fatal("the fixture holds no hostile line")
	}
	unsafe := func(s string) bool {
		return strings.ContainsAny(s, "\x1b\x07\u202e") || strings.Contains(s, "\r")
	}
	for _, format := range []string{"default", "raw", "jsonl"} {
		code, out, errOut := runIn(t, 80, colorprofile.TrueColor, "", nil, "logs", fourServices, "--loki", f.URL, "-o", format)
		if code != ExitOK {
			t.Fatalf("%s: exit %d: %s", format, code, errOut)
		}
		plain := out
		if format == "default" {
			plain = ansi.Strip(out)
		}
		if unsafe(plain) {
			t.Errorf("-o %s lets an escape sequence through:\n%q", format, out)
		}
		if format == "default" {
			continue
		}
		rows := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
		if len(rows) != len(entries) {
			t.Errorf("-o %s: %d rows for %d entries", format, len(rows), len(entries))
		}
		if strings.Contains(out, "\x1b") {
			t.Errorf("-o %s is coloured", format)
		}
		for i, row := range rows {
			if format == "raw" && row != sources.Sanitize(entries[i].Line) {
				t.Errorf("raw row %d = %q, want %q", i, row, sources.Sanitize(entries[i].Line))
			}
			if format == "jsonl" {
				var e sources.LogEntry
				if err := json.Unmarshal([]byte(row), &e); err != nil {
					t.Fatalf("jsonl row %d: %v: %s", i, err, row)
				}
				// JSON keeps the exact text, escaped
				if e.Line != entries[i].Line || e.TraceID != entries[i].TraceID || !e.Time.Equal(entries[i].Time) {
					t.Errorf("jsonl row %d decodes to %+v, want %+v", i, e, entries[i])
				}
			}
		}
	}
	code, out, _ := runIn(t, 80, colorprofile.NoTTY, "", nil, "logs", fourServices, "--loki", f.URL, "-o", "raw", "--unsafe-raw")
	if code != ExitOK || !strings.Contains(out, "\x1b[2J") {
		t.Errorf("--unsafe-raw does not print the line as stored: %d %q", code, out)
	}
}

func TestLogsErrors(t *testing.T) {
	parse := fixture(t, "loki-error-parse.txt")
	status, _ := strconv.Atoi(strings.TrimSpace(string(fixture(t, "loki-error-parse.status"))))
	for _, tt := range []struct {
		name     string
		status   int
		body     []byte
		wantCode int
		want     []string
	}{
		{"syntax error", status, parse, ExitUsage, []string{"loki at http://127.0.0.1:", strings.TrimSpace(string(parse)), "hint: check the LogQL"}},
		{"rate limited", http.StatusTooManyRequests, []byte("too many outstanding requests"), ExitError, []string{"429 Too Many Requests: too many outstanding requests", "rate-limiting"}},
		{"server error", http.StatusInternalServerError, []byte("rpc error: code = Unavailable\x1b[31m"), ExitError, []string{"500 Internal Server Error: rpc error: code = Unavailable\\x1b[31m", "narrower time range"}},
		{"refused credentials", http.StatusUnauthorized, []byte("no org id"), ExitAuth, []string{"401 Unauthorized: no org id", "--loki-org-id"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeLoki(t, func(*http.Request) (int, []byte) { return tt.status, tt.body })
			code, _, errOut := runIn(t, 80, colorprofile.NoTTY, "", nil, "logs", `{service_name="payments"`, "--loki", f.URL)
			if code != tt.wantCode {
				t.Errorf("exit %d, want %d: %s", code, tt.wantCode, errOut)
			}
			for _, w := range tt.want {
				if !strings.Contains(errOut, w) {
					t.Errorf("stderr lacks %q:\n%s", w, errOut)
				}
			}
			if strings.Contains(errOut, "\x1b") {
				t.Errorf("an escape sequence from the body reached stderr: %q", errOut)
			}
		})
	}

	code, _, errOut := runIn(t, 80, colorprofile.NoTTY, "", nil, "logs", `{a="b"}`, "--loki", "http://127.0.0.1:1")
	if code != ExitError || !strings.Contains(errOut, "loki at http://127.0.0.1:1") || !strings.Contains(errOut, "is Loki running there?") {
		t.Errorf("unreachable: exit %d: %s", code, errOut)
	}
	for _, args := range [][]string{
		{"logs"},
		{"logs", `{a="b"}`, "--trace", "abc"},
		{"logs", "--trace", "not-hex"},
		{"logs", `{a="b"}`, "--service", "x"},
		{"logs", `{a="b"}`, "-o", "yaml"},
		{"logs", `{a="b"}`, "--limit", "-1"},
		{"logs", "rate({a=\"b\"}[1m])", "--follow"},
		{"logs", `{a="b"}`, "--trace-id-regex", "("},
		{"logs", "--trace", "abc", "--trace-query", "{{.Nope}}"},
	} {
		if code, _, errOut := runIn(t, 80, colorprofile.NoTTY, "", nil, args...); code != ExitUsage {
			t.Errorf("%q: exit %d, want 2: %s", args, code, errOut)
		}
	}
}

// logcli's variables work, after telx's own and the flags.
func TestLokiConnectionFromTheEnvironment(t *testing.T) {
	empty := fixture(t, "loki-query-range-empty.json")
	tokenFile := filepath.Join(t.TempDir(), "token")
	os.WriteFile(tokenFile, []byte("from-file\n"), 0o600)
	for _, tt := range []struct {
		name       string
		env        map[string]string
		args       []string
		wantAuth   string
		wantTenant string
	}{
		{"logcli basic auth and tenant", map[string]string{"LOKI_USERNAME": "u", "LOKI_PASSWORD": "p", "LOKI_ORG_ID": "acme"}, nil, "Basic dTpw", "acme"},
		{"logcli token file", map[string]string{"LOKI_BEARER_TOKEN_FILE": tokenFile}, nil, "Bearer from-file", ""},
		{"telx's variables first", map[string]string{"LOKI_BEARER_TOKEN": "logcli", "TELX_LOKI_TOKEN": "telx", "LOKI_ORG_ID": "a", "TELX_LOKI_ORG_ID": "b"}, nil, "Bearer telx", "b"},
		{"flags first", map[string]string{"TELX_LOKI_TOKEN": "telx", "TELX_LOKI_ORG_ID": "b"}, []string{"--loki-token", "flag", "--tenant", "c"}, "Bearer flag", "c"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeLoki(t, func(*http.Request) (int, []byte) { return http.StatusOK, empty })
			env := map[string]string{"LOKI_ADDR": f.URL}
			for k, v := range tt.env {
				env[k] = v
			}
			code, _, errOut := runIn(t, 80, colorprofile.NoTTY, "", env, append([]string{"logs", `{a="b"}`}, tt.args...)...)
			if code != ExitOK {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			r := f.requests[0]
			if got := r.Header.Get("Authorization"); got != tt.wantAuth {
				t.Errorf("Authorization %q, want %q", got, tt.wantAuth)
			}
			if got := r.Header.Get("X-Scope-OrgID"); got != tt.wantTenant {
				t.Errorf("X-Scope-OrgID %q, want %q", got, tt.wantTenant)
			}
			if r.Header.Get("X-Loki-Response-Encoding-Flags") != "categorize-labels" {
				t.Error("no categorize-labels flag")
			}
		})
	}
	// TELX_LOKI_URL wins over LOKI_ADDR
	f := newFakeLoki(t, func(*http.Request) (int, []byte) { return http.StatusOK, empty })
	code, _, errOut := runIn(t, 80, colorprofile.NoTTY, "", map[string]string{"TELX_LOKI_URL": f.URL, "LOKI_ADDR": "http://127.0.0.1:1"}, "logs", `{a="b"}`)
	if code != ExitOK || len(f.requests) != 1 {
		t.Errorf("TELX_LOKI_URL not used before LOKI_ADDR: %d %s", code, errOut)
	}
}

// --trace takes the window and services from Jaeger, filters on the
// structured metadata, and falls back to a line filter when that finds
// nothing; without Jaeger it searches --since and warns.
func TestLogsOfATrace(t *testing.T) {
	empty := fixture(t, "loki-query-range-empty.json")
	lines := fixture(t, "loki-query-range-trace.json")
	jaegerTrace := fixture(t, "jaeger-apiv3-trace.json")
	trs, err := file.ReadTraces(bytes.NewReader(jaegerTrace))
	if err != nil || len(trs) != 1 {
		t.Fatal(err)
	}
	tr := trs[0]
	id := string(tr.ID)
	jaeger := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/api/v3/traces/"+id {
			w.Write(jaegerTrace)
			return
		}
		http.Error(w, `{"error":{"message":"not found"}}`, http.StatusNotFound)
	}))
	defer jaeger.Close()

	// the metadata filter finds nothing: the line filter is tried
	f := newFakeLoki(t, func(r *http.Request) (int, []byte) {
		if strings.Contains(r.URL.Query().Get("query"), "|=") {
			return http.StatusOK, lines
		}
		return http.StatusOK, empty
	})
	code, out, errOut := runIn(t, 120, colorprofile.NoTTY, "", nil, "logs", "--trace", id, "--loki", f.URL, "--jaeger", jaeger.URL, "--utc")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	qs := f.queries()
	if len(qs) != 2 {
		t.Fatalf("%d queries, want 2: %v", len(qs), qs)
	}
	services := tr.Services()
	sel := `{service_name=~"` + strings.Join(services, "|") + `"}`
	if got := qs[0].Get("query"); got != sel+` | trace_id="`+id+`"` {
		t.Errorf("first query %s", got)
	}
	if got := qs[1].Get("query"); got != sel+` |= "`+id+`"` {
		t.Errorf("fallback query %s", got)
	}
	win := tr.TimeRange().Widen(5 * time.Minute)
	if qs[0].Get("start") != strconv.FormatInt(win.From.UnixNano(), 10) || qs[0].Get("end") != strconv.FormatInt(win.To.UnixNano()+1, 10) {
		t.Errorf("window %s..%s, want the trace's widened by 5m: %s..%s", qs[0].Get("start"), qs[0].Get("end"), win.From, win.To)
	}
	if qs[0].Get("direction") != "forward" {
		t.Errorf("direction %s", qs[0].Get("direction"))
	}
	if !strings.Contains(errOut, "trying") || len(strings.Split(strings.TrimSpace(out), "\n")) < 2 {
		t.Errorf("stdout:\n%s\nstderr:\n%s", out, errOut)
	}

	// Jaeger unreachable: --since, every service, a warning
	f = newFakeLoki(t, func(*http.Request) (int, []byte) { return http.StatusOK, lines })
	code, _, errOut = runIn(t, 120, colorprofile.NoTTY, "", nil, "logs", "--trace", id, "--loki", f.URL, "--jaeger", "http://127.0.0.1:1", "--since", "2h")
	if code != ExitOK || !strings.Contains(errOut, "warning: no window from Jaeger") {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	qs = f.queries()
	if len(qs) != 1 || qs[0].Get("query") != `{service_name=~".+"} | trace_id="`+id+`"` {
		t.Errorf("queries %v", qs)
	}
	start, _ := strconv.ParseInt(qs[0].Get("start"), 10, 64)
	end, _ := strconv.ParseInt(qs[0].Get("end"), 10, 64)
	if d := time.Duration(end - start); d < 2*time.Hour || d > 2*time.Hour+time.Second {
		t.Errorf("window %s, want 2h", d)
	}

	// given services and a template
	f = newFakeLoki(t, func(*http.Request) (int, []byte) { return http.StatusOK, lines })
	code, _, errOut = runIn(t, 120, colorprofile.NoTTY, "", nil, "logs", "--trace", id, "--loki", f.URL, "--jaeger", jaeger.URL,
		"--service", "pay.ments", "--service", "checkout", "--trace-query", `{{.Selector}} | json | traceid="{{.TraceID}}"`)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if got := f.queries()[0].Get("query"); got != `{service_name=~"pay\\.ments|checkout"} | json | traceid="`+id+`"` {
		t.Errorf("templated query %s", got)
	}
}

func TestLogsMetricQueryAndLabels(t *testing.T) {
	f := newFakeLoki(t, func(r *http.Request) (int, []byte) {
		switch {
		case strings.HasSuffix(r.URL.Path, "/labels"):
			return http.StatusOK, fixture(t, "loki-labels.json")
		case strings.HasSuffix(r.URL.Path, "/values"):
			return http.StatusOK, fixture(t, "loki-label-values.json")
		}
		return http.StatusOK, fixture(t, "loki-query-range-matrix.json")
	})
	code, out, errOut := runIn(t, 80, colorprofile.NoTTY, "", nil, "logs", `sum by (service_name) (count_over_time({namespace="shop"}[5m]))`, "--loki", f.URL, "--utc")
	if code != ExitOK || !strings.Contains(out, `{service_name="payments"}`) {
		t.Errorf("metric query: exit %d\n%s%s", code, out, errOut)
	}
	code, out, _ = runIn(t, 80, colorprofile.NoTTY, "", nil, "labels", "--loki", f.URL)
	if code != ExitOK || !strings.Contains(out, "service_name\n") || strings.Contains(out, "trace_id") {
		t.Errorf("labels: %d\n%s", code, out)
	}
	code, out, _ = runIn(t, 80, colorprofile.NoTTY, "", nil, "labels", "service_name", "--loki", f.URL, "-o", "json")
	if code != ExitOK || !strings.Contains(out, `"payments"`) || f.requests[len(f.requests)-1].URL.Path != "/loki/api/v1/label/service_name/values" {
		t.Errorf("label values: %d\n%s", code, out)
	}
}

// TLS: logcli's CA file and skip-verify variables, and telx's flags.
func TestLokiTLSFromTheEnvironment(t *testing.T) {
	empty := fixture(t, "loki-query-range-empty.json")
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(empty) }))
	defer srv.Close()
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		env  map[string]string
		args []string
		ok   bool
	}{
		{"unknown CA", nil, nil, false},
		{"LOKI_CA_CERT_PATH", map[string]string{"LOKI_CA_CERT_PATH": ca}, nil, true},
		{"--loki-ca-file", nil, []string{"--loki-ca-file", ca}, true},
		{"LOKI_TLS_SKIP_VERIFY", map[string]string{"LOKI_TLS_SKIP_VERIFY": "true"}, nil, true},
		{"--loki-insecure-skip-verify", nil, []string{"--loki-insecure-skip-verify"}, true},
	} {
		env := map[string]string{"LOKI_ADDR": srv.URL}
		for k, v := range tt.env {
			env[k] = v
		}
		code, _, errOut := runIn(t, 80, colorprofile.NoTTY, "", env, append([]string{"logs", `{a="b"}`}, tt.args...)...)
		if (code == ExitOK) != tt.ok {
			t.Errorf("%s: exit %d: %s", tt.name, code, errOut)
		}
		if !tt.ok && !strings.Contains(errOut, "certificate") {
			t.Errorf("%s: %s", tt.name, errOut)
		}
	}
}

func TestLogsJSONLTimeZone(t *testing.T) {
	tokyo := time.FixedZone("JST", 9*3600)
	e := sources.LogEntry{Time: time.Date(2026, 11, 25, 12, 0, 0, 5, time.UTC), Line: "charge failed"}
	for _, tt := range []struct {
		loc  *time.Location
		want string
	}{
		{time.UTC, `"2026-11-25T12:00:00.000000005Z"`},
		{tokyo, `"2026-11-25T21:00:00.000000005+09:00"`},
	} {
		var b bytes.Buffer
		w := bufio.NewWriter(&b)
		p := &logPrinter{out: w, format: "jsonl", ro: render.LogsOptions{Location: tt.loc}}
		if err := p.print(&e); err != nil {
			t.Fatal(err)
		}
		w.Flush()
		if !strings.Contains(b.String(), tt.want) {
			t.Errorf("in %s: %s, want the time %s", tt.loc, b.String(), tt.want)
		}
	}
}

// HotROD's console lines, as the real Loki answered them (recorded): -o
// raw keeps their TABs (cut -f4 gives the message), -o jsonl escapes
// them as JSON does and gives them back, the default output lays them
// out and reads the lines' fields.
func TestLogsTabsOfConsoleLines(t *testing.T) {
	const name = "loki-hotrod-query-range.json"
	f := serveFixture(t, name)
	entries := fixtureEntries(t, name)
	args := append([]string{"logs", `{job="hotrod"}`, "--loki", f.URL}, fixtureWindow(t, name)...)
	code, out, errOut := runIn(t, 200, colorprofile.NoTTY, "", nil, append(args, "-o", "raw")...)
	if code != ExitOK {
		t.Fatalf("raw: exit %d: %s", code, errOut)
	}
	rows := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(rows) != len(entries) {
		t.Fatalf("raw: %d rows for %d entries", len(rows), len(entries))
	}
	tabs := 0
	for i, row := range rows {
		if row != sources.SanitizeKeepTabs(entries[i].Line) {
			t.Errorf("raw row %d = %q, want %q", i, row, entries[i].Line)
		}
		if f := strings.Split(row, "\t"); len(f) >= 5 {
			tabs++
			if want := logline.Parse(entries[i].Line).Message; f[3] != want {
				t.Errorf("row %d: cut -f4 gives %q, the message is %q", i, f[3], want)
			}
		}
	}
	if tabs == 0 {
		t.Error("no TAB-separated line in the raw output")
	}

	code, out, _ = runIn(t, 200, colorprofile.NoTTY, "", nil, append(args, "-o", "jsonl")...)
	for i, row := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		var e struct{ Line, Message, Format string }
		if err := json.Unmarshal([]byte(row), &e); err != nil || e.Line != entries[i].Line || e.Format != "console" || e.Message == "" {
			t.Errorf("jsonl row %d: %v %+v", i, err, e)
		}
		if strings.Contains(row, "\t") {
			t.Errorf("jsonl row %d holds a raw TAB", i)
		}
	}
	if code != ExitOK {
		t.Errorf("jsonl: exit %d", code)
	}

	code, out, _ = runIn(t, 200, colorprofile.NoTTY, "", nil, args...)
	if code != ExitOK || strings.Contains(out, "\t") || strings.Contains(out, `\t`) {
		t.Errorf("default: exit %d, a TAB shown:\n%s", code, out)
	}
	if !strings.Contains(out, "ERROR driver     redis timeout caller=driver/redis.go:") {
		t.Errorf("default: the redis timeout line not read:\n%s", out)
	}
}
