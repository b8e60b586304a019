package cmd

import (
	"encoding/csv"
	"encoding/json"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/charmbracelet/colorprofile"

	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/tui/render"
)

// Fixtures recorded from the real Prometheus by test/record-prometheus-fixtures.sh.
const (
	promRange   = "../testdata/recorded/prometheus-query-range.json"
	promInstant = "../testdata/recorded/prometheus-query.json"
	promAlerts  = "../testdata/recorded/prometheus-alerts.json"
	promBadData = "../testdata/recorded/prometheus-bad-data.json"
	promEmpty   = "../testdata/recorded/prometheus-empty.json"
)

// fakeProm serves recorded answers by API path and remembers the requests.
type fakeProm struct {
	t      *testing.T
	srv    *httptest.Server
	mu     sync.Mutex
	reqs   []*http.Request
	forms  []url.Values
	bodies map[string][]byte
	status map[string]int
}

func newFakeProm(t *testing.T) *fakeProm {
	f := &fakeProm{t: t, bodies: map[string][]byte{}, status: map[string]int{}}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		f.mu.Lock()
		f.reqs = append(f.reqs, r)
		f.forms = append(f.forms, r.Form)
		body, ok := f.bodies[r.URL.Path]
		code := f.status[r.URL.Path]
		f.mu.Unlock()
		if !ok {
			t.Errorf("unexpected request %s %s", r.Method, r.URL)
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		if code != 0 {
			w.WriteHeader(code)
		}
		w.Write(body)
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeProm) serveFile(path, file string, code int) {
	b, err := os.ReadFile(file)
	if err != nil {
		f.t.Fatal(err)
	}
	f.serve(path, b, code)
}

func (f *fakeProm) serve(path string, body []byte, code int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.bodies[path] = body
	f.status[path] = code
}

func (f *fakeProm) run(width int, profile colorprofile.Profile, env map[string]string, args ...string) (int, string, string) {
	f.t.Helper()
	vars := map[string]string{"TELX_PROMETHEUS_URL": f.srv.URL}
	for k, v := range env {
		vars[k] = v
	}
	return runIn(f.t, width, profile, "", vars, args...)
}

// recordedMatrix decodes a recorded range answer independently of telx.
type recordedMatrix struct {
	Data struct {
		Result []struct {
			Metric map[string]string `json:"metric"`
			Values [][2]any          `json:"values"`
		} `json:"result"`
	} `json:"data"`
}

func readMatrix(t *testing.T) (recordedMatrix, time.Time, time.Time) {
	t.Helper()
	b, err := os.ReadFile(promRange)
	if err != nil {
		t.Fatal(err)
	}
	var m recordedMatrix
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	vals := m.Data.Result[0].Values
	first, last := vals[0][0].(float64), vals[len(vals)-1][0].(float64)
	return m, time.Unix(int64(first), 0), time.Unix(int64(last), 0)
}

func value(t *testing.T, v [2]any) float64 {
	f, err := strconv.ParseFloat(v[1].(string), 64)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

const promQuery = `sum by (service_name) (rate(traces_span_metrics_calls_total[1m]))`

func TestMetricsRangeRows(t *testing.T) {
	m, from, to := readMatrix(t)
	f := newFakeProm(t)
	f.serveFile("/api/v1/query_range", promRange, 0)
	code, out, errOut := f.run(120, colorprofile.NoTTY, nil, "metrics", promQuery,
		"--from", from.Format(time.RFC3339), "--to", to.Format(time.RFC3339))
	if code != ExitOK || errOut != "" {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if strings.Contains(out, "\x1b") {
		t.Error("escape sequences in piped output")
	}
	// the request: the query, the range, and a step that gives the
	// sparkline about a point per column
	form := f.forms[0]
	if form.Get("query") != promQuery || form.Get("start") != strconv.FormatInt(from.Unix(), 10) || form.Get("end") != strconv.FormatInt(to.Unix(), 10) {
		t.Errorf("request %v", form)
	}
	step, err := strconv.ParseFloat(form.Get("step"), 64)
	if err != nil {
		t.Fatal(err)
	}
	cells := render.SparkCells(120)
	if pts := to.Sub(from).Seconds() / step; pts > float64(cells) || pts < float64(cells)/3 {
		t.Errorf("step %vs gives %.0f points for %d columns", step, pts, cells)
	}

	// one row per series, in descending order of the last value, showing
	// the recorded last value
	type row struct {
		service string
		last    float64
	}
	var want []row
	for _, s := range m.Data.Result {
		want = append(want, row{s.Metric["service_name"], value(t, s.Values[len(s.Values)-1])})
	}
	sort.Slice(want, func(i, j int) bool { return want[i].last > want[j].last })
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	var rows []string
	for _, l := range lines {
		if strings.HasPrefix(l, "service_name=") {
			rows = append(rows, l)
		}
	}
	if len(rows) != len(want) {
		t.Fatalf("%d rows, want %d:\n%s", len(rows), len(want), out)
	}
	for i, w := range want {
		fields := strings.Fields(rows[i])
		if fields[0] != "service_name="+w.service || fields[len(fields)-1] != render.FormatValue(w.last, render.UnitNone) {
			t.Errorf("row %d = %q, want %s last %s", i, rows[i], w.service, render.FormatValue(w.last, render.UnitNone))
		}
	}
	if !strings.Contains(out, "7 series") {
		t.Errorf("no series count in the header:\n%s", out)
	}

	// --top and --sort name
	code, out, _ = f.run(120, colorprofile.NoTTY, nil, "metrics", promQuery, "--from", from.Format(time.RFC3339), "--to", to.Format(time.RFC3339), "--sort", "name", "--top", "2")
	if code != ExitOK || strings.Count(out, "service_name=") != 2 || !strings.Contains(out, "service_name=checkout") || !strings.Contains(out, "service_name=frontend") {
		t.Errorf("--sort name --top 2: exit %d\n%s", code, out)
	}

	// on a terminal: colour, and the same rows
	code, out, _ = f.run(120, colorprofile.TrueColor, nil, "metrics", promQuery, "--from", from.Format(time.RFC3339), "--to", to.Format(time.RFC3339))
	if code != ExitOK || !strings.Contains(out, "\x1b[") {
		t.Errorf("no colour on a terminal: exit %d", code)
	}
	code, out, _ = f.run(120, colorprofile.TrueColor, map[string]string{"NO_COLOR": "1"}, "metrics", promQuery, "--from", from.Format(time.RFC3339), "--to", to.Format(time.RFC3339))
	if code != ExitOK || strings.Contains(out, "\x1b") {
		t.Errorf("colour with NO_COLOR: exit %d", code)
	}
}

func TestMetricsJSONAndCSV(t *testing.T) {
	m, from, to := readMatrix(t)
	f := newFakeProm(t)
	f.serveFile("/api/v1/query_range", promRange, 0)
	args := []string{"metrics", promQuery, "--from", from.Format(time.RFC3339), "--to", to.Format(time.RFC3339), "--sort", "name"}
	code, out, errOut := f.run(80, colorprofile.NoTTY, nil, append(args, "-o", "json")...)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var got []struct {
		Labels map[string]string
		Points []struct {
			Time  time.Time
			Value float64
		}
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("%v:\n%s", err, out)
	}
	if len(got) != len(m.Data.Result) {
		t.Fatalf("%d series, want %d", len(got), len(m.Data.Result))
	}
	recorded := map[string][][2]any{}
	total := 0
	for _, s := range m.Data.Result {
		recorded[s.Metric["service_name"]] = s.Values
		total += len(s.Values)
	}
	for i, s := range got {
		if i > 0 && got[i-1].Labels["service_name"] >= s.Labels["service_name"] {
			t.Errorf("not sorted by name: %s after %s", s.Labels["service_name"], got[i-1].Labels["service_name"])
		}
		want := recorded[s.Labels["service_name"]]
		if len(s.Points) != len(want) {
			t.Fatalf("%s: %d points, want %d", s.Labels["service_name"], len(s.Points), len(want))
		}
		for k, p := range s.Points {
			if p.Value != value(t, want[k]) || p.Time.Unix() != int64(want[k][0].(float64)) {
				t.Errorf("%s point %d = %v, want %v", s.Labels["service_name"], k, p, want[k])
			}
		}
	}

	code, out, errOut = f.run(80, colorprofile.NoTTY, nil, append(args, "-o", "csv")...)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(recs[0], ",") != "service_name,time,value" || len(recs) != total+1 {
		t.Errorf("csv: header %v, %d records, want %d", recs[0], len(recs), total+1)
	}
	v, _ := strconv.ParseFloat(recs[1][2], 64)
	if first := m.Data.Result[0]; recs[1][0] != "checkout" || first.Metric["service_name"] != "checkout" || v != value(t, first.Values[0]) {
		t.Errorf("first csv record %v, recorded %v", recs[1], m.Data.Result[0].Values[0])
	}
}

func TestJSONFloat(t *testing.T) {
	for v, want := range map[float64]string{1.5: "1.5", math.NaN(): `"NaN"`, math.Inf(1): `"+Inf"`, math.Inf(-1): `"-Inf"`, 0: "0"} {
		b, err := json.Marshal(jsonFloat(v))
		if err != nil || string(b) != want {
			t.Errorf("%v: %s %v, want %s", v, b, err, want)
		}
	}
}

func TestMetricsWarningsShown(t *testing.T) {
	_, from, to := readMatrix(t)
	// the recorded answer with a warning and an info added, as Prometheus
	// sends them for a partial answer or a dubious query (2.42 raises none
	// for this query, and has no infos)
	b, err := os.ReadFile(promRange)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	doc["warnings"] = []string{"remote read: store eu-1 unavailable \x1b[31m"}
	doc["infos"] = []string{"PromQL info: metric might not be a counter"}
	b, _ = json.Marshal(doc)
	f := newFakeProm(t)
	f.serve("/api/v1/query_range", b, 0)
	code, out, errOut := f.run(80, colorprofile.NoTTY, nil, "metrics", promQuery, "--from", from.Format(time.RFC3339), "--to", to.Format(time.RFC3339))
	if code != ExitOK || !strings.Contains(out, "service_name=payments") {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if want := `prometheus warning: remote read: store eu-1 unavailable \x1b[31m`; !strings.Contains(errOut, want) {
		t.Errorf("stderr %q lacks %q", errOut, want)
	}
	if want := "prometheus info: PromQL info: metric might not be a counter"; !strings.Contains(errOut, want) {
		t.Errorf("stderr %q lacks %q", errOut, want)
	}
}

func TestMetricsBadInput(t *testing.T) {
	f := newFakeProm(t)
	f.serveFile("/api/v1/query_range", promBadData, http.StatusBadRequest)
	code, _, errOut := f.run(80, colorprofile.NoTTY, nil, "metrics", "sum(rate(traces_span_metrics_calls_total[5m])")
	if code != ExitError || !strings.Contains(errOut, "bad_data") || !strings.Contains(errOut, "unclosed left parenthesis") ||
		!strings.Contains(errOut, f.srv.URL) || !strings.Contains(errOut, "hint:") {
		t.Errorf("PromQL error: exit %d, %q", code, errOut)
	}

	f.serveFile("/api/v1/query_range", promEmpty, 0)
	code, out, errOut := f.run(80, colorprofile.NoTTY, nil, "metrics", `traces_span_metrics_calls_total{service_name="nope"}`)
	if code != ExitOK || out != "" || !strings.Contains(errOut, "no series") {
		t.Errorf("empty: exit %d, out %q, err %q", code, out, errOut)
	}
	code, out, _ = f.run(80, colorprofile.NoTTY, nil, "metrics", `traces_span_metrics_calls_total{service_name="nope"}`, "-o", "json")
	if code != ExitOK || strings.TrimSpace(out) != "[]" {
		t.Errorf("empty json: exit %d, %q", code, out)
	}

	// a range too long for the step: a coarser step, said on stderr
	f.serveFile("/api/v1/query_range", promEmpty, 0)
	code, _, errOut = f.run(80, colorprofile.NoTTY, nil, "metrics", "up", "--since", "24h", "--step", "1s")
	last := f.forms[len(f.forms)-1]
	step, _ := strconv.ParseFloat(last.Get("step"), 64)
	if code != ExitOK || step < 86400.0/10999 || !strings.Contains(errOut, "over Prometheus' limit of 11000") {
		t.Errorf("coarsened: exit %d, step %v, %q", code, step, errOut)
	}

	// nobody listening
	code, _, errOut = runIn(t, 80, colorprofile.NoTTY, "", nil, "metrics", "up", "--prometheus", "http://127.0.0.1:1")
	if code != ExitError || !strings.Contains(errOut, "http://127.0.0.1:1") || !strings.Contains(errOut, "hint: is Prometheus running") {
		t.Errorf("unreachable: exit %d, %q", code, errOut)
	}

	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"metrics"}, "give a PromQL query, or --service"},
		{[]string{"metrics", "up", "--service", "x"}, "not both"},
		{[]string{"metrics", "up", "--sort", "avg"}, `--sort "avg"`},
		{[]string{"metrics", "up", "--unit", "parsecs"}, `unknown unit "parsecs"`},
		{[]string{"metrics", "up", "-o", "yaml"}, `unsupported output format "yaml"`},
		{[]string{"metrics", "--service", "x", "--preset", "grpc"}, `--preset "grpc"`},
		{[]string{"metrics", "--service", "x", "--rate-query", "{{.Nope}}"}, "--rate-query"},
		{[]string{"metrics", "up", "--prometheus", "grpc://x:1"}, "prometheus URL"},
		{[]string{"alerts", "--state", "resolved"}, `--state "resolved"`},
	} {
		code, _, errOut := f.run(80, colorprofile.NoTTY, nil, tt.args...)
		if code != ExitUsage || !strings.Contains(errOut, tt.want) {
			t.Errorf("%v: exit %d, %q; want usage error with %q", tt.args, code, errOut, tt.want)
		}
	}
}

func TestPrometheusAuthAndVerbose(t *testing.T) {
	f := newFakeProm(t)
	f.serveFile("/api/v1/query", promInstant, 0)
	check := func(name string, env map[string]string, args []string, header, want string) {
		t.Helper()
		n := len(f.reqs)
		code, _, errOut := f.run(80, colorprofile.NoTTY, env, append([]string{"metrics", "--instant", "up"}, args...)...)
		if code != ExitOK {
			t.Fatalf("%s: exit %d: %s", name, code, errOut)
		}
		if got := f.reqs[n].Header.Get(header); got != want {
			t.Errorf("%s: %s = %q, want %q", name, header, got, want)
		}
	}
	check("token", nil, []string{"--prometheus-token", "s3cret"}, "Authorization", "Bearer s3cret")
	check("token from env", map[string]string{"TELX_PROMETHEUS_TOKEN": "envtok"}, nil, "Authorization", "Bearer envtok")
	check("basic", nil, []string{"--prometheus-user", "u", "--prometheus-password", "p"}, "Authorization", "Basic dTpw")
	check("tenant", nil, []string{"--prometheus-header", "X-Scope-OrgID=team-a"}, "X-Scope-Orgid", "team-a")
	check("tenant from env", map[string]string{"TELX_PROMETHEUS_HEADERS": "X-Scope-OrgID=team-b"}, nil, "X-Scope-OrgID", "team-b")

	code, _, errOut := f.run(80, colorprofile.NoTTY, nil, "metrics", "--instant", "up", "-v", "--prometheus-token", "s3cret")
	if code != ExitOK || !strings.Contains(errOut, "prometheus: POST "+f.srv.URL+"/api/v1/query -> 200 OK") || strings.Contains(errOut, "s3cret") {
		t.Errorf("verbose: exit %d, %q", code, errOut)
	}

	code, _, errOut = f.run(80, colorprofile.NoTTY, nil, "metrics", "up", "--prometheus-ca-file", "/nonexistent/ca.pem")
	if code != ExitUsage || !strings.Contains(errOut, "ca.pem") {
		t.Errorf("missing CA file: exit %d, %q", code, errOut)
	}

	f.serve("/api/v1/query", []byte(`{"status":"error","errorType":"unauthorized","error":"no"}`), http.StatusUnauthorized)
	code, _, errOut = f.run(80, colorprofile.NoTTY, nil, "metrics", "--instant", "up")
	if code != ExitAuth || !strings.Contains(errOut, "401") {
		t.Errorf("refused: exit %d, %q", code, errOut)
	}
}

func TestMetricsInstant(t *testing.T) {
	b, err := os.ReadFile(promInstant)
	if err != nil {
		t.Fatal(err)
	}
	var rec struct {
		Data struct {
			Result []struct {
				Metric map[string]string
				Value  [2]any
			}
		}
	}
	if err := json.Unmarshal(b, &rec); err != nil {
		t.Fatal(err)
	}
	f := newFakeProm(t)
	f.serveFile("/api/v1/query", promInstant, 0)
	code, out, errOut := f.run(100, colorprofile.NoTTY, nil, "metrics", "--instant", "sum by (service_name, status_code) (traces_span_metrics_calls_total)")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.Contains(out, "SERVICE_NAME") || !strings.Contains(out, "STATUS_CODE") || !strings.Contains(out, "VALUE") {
		t.Errorf("no header:\n%s", out)
	}
	for _, r := range rec.Data.Result {
		want := render.FormatValue(value(t, r.Value), render.UnitNone)
		found := false
		for _, l := range strings.Split(out, "\n") {
			f := strings.Fields(l)
			if len(f) == 3 && f[0] == r.Metric["service_name"] && f[1] == r.Metric["status_code"] && f[2] == want {
				found = true
			}
		}
		if !found {
			t.Errorf("no row %s %s %s in\n%s", r.Metric["service_name"], r.Metric["status_code"], want, out)
		}
	}
}

func TestAlertsCommand(t *testing.T) {
	b, err := os.ReadFile(promAlerts)
	if err != nil {
		t.Fatal(err)
	}
	var rec struct {
		Data struct {
			Alerts []sources.Alert
		}
	}
	if err := json.Unmarshal(b, &rec); err != nil {
		t.Fatal(err)
	}
	f := newFakeProm(t)
	f.serveFile("/api/v1/alerts", promAlerts, 0)
	code, out, errOut := f.run(200, colorprofile.NoTTY, nil, "alerts")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	if len(lines) != len(rec.Data.Alerts) {
		t.Fatalf("%d lines, want %d:\n%s", len(lines), len(rec.Data.Alerts), out)
	}
	var prev time.Time
	for i, l := range lines {
		f := strings.Split(l, "\t")
		at, err := time.Parse(time.RFC3339, f[3])
		if err != nil || len(f) != 6 {
			t.Fatalf("line %q: %v", l, err)
		}
		if i > 0 && at.After(prev) {
			t.Errorf("line %d is more recent than the one before", i)
		}
		prev = at
	}
	if !strings.Contains(out, "firing\tHighErrorRate\tservice_name=payments,severity=page\t") {
		t.Errorf("no firing HighErrorRate for payments:\n%s", out)
	}

	code, out, _ = f.run(200, colorprofile.TrueColor, nil, "alerts")
	if code != ExitOK || !strings.Contains(out, "ACTIVE SINCE") || !strings.Contains(out, "payments fails") {
		t.Errorf("terminal: exit %d\n%s", code, out)
	}
	// at 80 columns the summaries go under their alerts, and nothing is wider
	code, out, _ = f.run(80, colorprofile.TrueColor, map[string]string{"NO_COLOR": "1"}, "alerts")
	if code != ExitOK || !strings.Contains(out, "\n  payments fails ") {
		t.Errorf("80 columns: exit %d\n%s", code, out)
	}
	for _, l := range strings.Split(out, "\n") {
		if n := len([]rune(l)); n > 80 {
			t.Errorf("line of %d columns: %q", n, l)
		}
	}
	code, out, _ = f.run(80, colorprofile.NoTTY, nil, "alerts", "-o", "json")
	var got []sources.Alert
	if err := json.Unmarshal([]byte(out), &got); code != ExitOK || err != nil || len(got) != len(rec.Data.Alerts) {
		t.Errorf("json: exit %d, %v, %d alerts", code, err, len(got))
	}
	code, _, errOut = f.run(80, colorprofile.NoTTY, nil, "alerts", "--state", "pending")
	if code != ExitOK || !strings.Contains(errOut, "no alerts are pending") {
		t.Errorf("no pending: exit %d, %q", code, errOut)
	}
}

// The recorded answer rendered end to end, as rows and as a chart, at 80
// and 200 columns, with and without colour.
func TestMetricsGolden(t *testing.T) {
	_, from, to := readMatrix(t)
	for _, mode := range []string{"rows", "chart"} {
		for _, width := range []int{80, 200} {
			for _, color := range []bool{false, true} {
				name := "metrics/" + mode + "-" + strconv.Itoa(width)
				profile := colorprofile.NoTTY
				if color {
					name += "-color"
					profile = colorprofile.TrueColor
				}
				t.Run(name, func(t *testing.T) {
					f := newFakeProm(t)
					f.serveFile("/api/v1/query_range", promRange, 0)
					// the step the fixture was recorded at
					args := []string{"metrics", promQuery, "--utc", "--from", from.Format(time.RFC3339), "--to", to.Format(time.RFC3339), "--step", "1m"}
					if mode == "chart" {
						args = append(args, "--chart", "--top", "3", "--height", "10")
					}
					code, out, errOut := f.run(width, profile, nil, args...)
					if code != ExitOK || errOut != "" {
						t.Fatalf("exit %d: %s", code, errOut)
					}
					if !color && strings.Contains(out, "\x1b") {
						t.Error("escape sequences in uncoloured output")
					}
					golden(t, name, out)
				})
			}
		}
	}
}
