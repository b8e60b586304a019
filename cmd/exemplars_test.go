package cmd

import (
	"encoding/json"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"
)

// Recorded from the real Prometheus of the harness by
// test/record-exemplar-fixtures.sh: HotROD's /dispatch p90 latency and the
// exemplars of its histogram, from HotROD's Jaeger's span metrics.
const (
	promHotRODLatency   = "../testdata/recorded/prometheus-hotrod-latency.json"
	promHotRODExemplars = "../testdata/recorded/prometheus-hotrod-exemplars.json"
	hotrodQuery         = `histogram_quantile(0.9, sum by (le) (rate(jaeger_traces_span_metrics_duration_milliseconds_bucket{service_name="frontend",span_name="/dispatch"}[15s])))`
)

type recordedExemplar struct {
	trace string
	value float64
	at    time.Time
}

// readExemplars decodes the recorded exemplars independently of telx, and
// the latency's range.
func readExemplars(t *testing.T) ([]recordedExemplar, time.Time, time.Time) {
	t.Helper()
	var ex struct {
		Data []struct {
			Exemplars []struct {
				Labels    map[string]string `json:"labels"`
				Value     string            `json:"value"`
				Timestamp float64           `json:"timestamp"`
			} `json:"exemplars"`
		} `json:"data"`
	}
	b, err := os.ReadFile(promHotRODExemplars)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &ex); err != nil {
		t.Fatal(err)
	}
	var out []recordedExemplar
	for _, d := range ex.Data {
		for _, e := range d.Exemplars {
			v, _ := strconv.ParseFloat(e.Value, 64)
			out = append(out, recordedExemplar{e.Labels["trace_id"], v, time.UnixMilli(int64(e.Timestamp * 1000))})
		}
	}
	var lat recordedMatrix
	b, err = os.ReadFile(promHotRODLatency)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &lat); err != nil {
		t.Fatal(err)
	}
	vals := lat.Data.Result[0].Values
	return out, time.Unix(int64(vals[0][0].(float64)), 0), time.Unix(int64(vals[len(vals)-1][0].(float64)), 0)
}

func exemplarProm(t *testing.T) *fakeProm {
	f := newFakeProm(t)
	f.serveFile("/api/v1/query_range", promHotRODLatency, 0)
	f.serveFile("/api/v1/query_exemplars", promHotRODExemplars, 0)
	return f
}

func TestMetricsExemplarsGolden(t *testing.T) {
	ex, from, to := readExemplars(t)
	for _, width := range []int{80, 200} {
		for _, color := range []bool{false, true} {
			name := "metrics/exemplars-" + strconv.Itoa(width)
			profile := colorprofile.NoTTY
			if color {
				name += "-color"
				profile = colorprofile.TrueColor
			}
			t.Run(name, func(t *testing.T) {
				f := exemplarProm(t)
				code, out, errOut := f.run(width, profile, nil, "metrics", hotrodQuery, "--exemplars", "--utc",
					"--from", from.Format(time.RFC3339), "--to", to.Format(time.RFC3339), "--step", "3s")
				if code != ExitOK || errOut != "" {
					t.Fatalf("exit %d: %s", code, errOut)
				}
				// the exemplars asked for with the query, over its range
				var asked bool
				for i, r := range f.reqs {
					if r.URL.Path == "/api/v1/query_exemplars" {
						asked = f.forms[i].Get("query") == hotrodQuery && f.forms[i].Get("start") != "" && f.forms[i].Get("end") != ""
					}
				}
				if !asked {
					t.Errorf("no query_exemplars request with the query and range: %v", f.forms)
				}
				plain := ansi.Strip(out)
				if !color && plain != out {
					t.Error("escape sequences in uncoloured output")
				}
				// every exemplar listed: its time, value and trace
				for _, e := range ex {
					if !strings.Contains(plain, e.at.UTC().Format("15:04:05.000")) || !strings.Contains(plain, e.trace) {
						t.Errorf("exemplar %s at %s not listed", e.trace, e.at.UTC())
					}
				}
				if !strings.Contains(plain, strconv.Itoa(len(ex))+" exemplars") {
					t.Errorf("no count of %d:\n%s", len(ex), plain)
				}
				var marks string
				for _, l := range strings.Split(plain, "\n") {
					if strings.HasPrefix(l, "exemplar ") {
						marks = l
					}
				}
				if strings.Count(marks, "◆") < min(len(ex), width/8) {
					t.Errorf("marks %q", marks)
				}
				golden(t, name, out)
			})
		}
	}
}

func TestMetricsExemplarsJSON(t *testing.T) {
	ex, from, to := readExemplars(t)
	f := exemplarProm(t)
	code, out, errOut := f.run(80, colorprofile.NoTTY, nil, "metrics", hotrodQuery, "--exemplars", "-o", "json",
		"--from", from.Format(time.RFC3339), "--to", to.Format(time.RFC3339), "--step", "3s")
	if code != ExitOK || errOut != "" {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var got struct {
		Series []struct {
			Points []struct{} `json:"points"`
		} `json:"series"`
		Exemplars []struct {
			Time    time.Time         `json:"time"`
			Value   float64           `json:"value"`
			TraceID string            `json:"traceID"`
			SpanID  string            `json:"spanID"`
			Series  map[string]string `json:"series"`
		} `json:"exemplars"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("%v:\n%s", err, out)
	}
	if len(got.Series) != 1 || len(got.Series[0].Points) < 40 || len(got.Exemplars) != len(ex) {
		t.Fatalf("%d series, %d exemplars (want %d)", len(got.Series), len(got.Exemplars), len(ex))
	}
	want := map[string]recordedExemplar{}
	for _, e := range ex {
		want[e.trace] = e
	}
	for i, e := range got.Exemplars {
		w, ok := want[e.TraceID]
		if !ok || !e.Time.Equal(w.at) || e.Value != w.value || len(e.SpanID) != 16 || e.Series["span_name"] != "/dispatch" {
			t.Errorf("exemplar %d: %+v, recorded %+v", i, e, w)
		}
		if i > 0 && e.Time.Before(got.Exemplars[i-1].Time) {
			t.Errorf("exemplar %d before the one before it", i)
		}
	}
}

func TestMetricsExemplarsUsage(t *testing.T) {
	for _, args := range [][]string{
		{"metrics", "up", "--exemplars", "--instant"},
		{"metrics", "up", "--exemplars", "-o", "csv"},
	} {
		f := newFakeProm(t)
		code, _, errOut := f.run(80, colorprofile.NoTTY, nil, args...)
		if code != ExitUsage || !strings.Contains(errOut, "--exemplars") {
			t.Errorf("%v: exit %d: %s", args, code, errOut)
		}
	}
	// none kept: said on stderr, the series still shown
	f := newFakeProm(t)
	f.serveFile("/api/v1/query_range", promHotRODLatency, 0)
	f.serve("/api/v1/query_exemplars", []byte(`{"status":"success","data":[]}`), 0)
	_, from, to := readExemplars(t)
	code, out, errOut := f.run(80, colorprofile.NoTTY, nil, "metrics", hotrodQuery, "--exemplars",
		"--from", from.Format(time.RFC3339), "--to", to.Format(time.RFC3339), "--step", "3s")
	if code != ExitOK || !strings.Contains(errOut, "no exemplars") || !strings.Contains(errOut, "exemplar-storage") || !strings.Contains(out, "▁") {
		t.Errorf("exit %d: %s\n%s", code, errOut, out)
	}
}

// A query with no series in the range still lists its exemplars.
func TestMetricsExemplarsWithoutSeries(t *testing.T) {
	ex, from, to := readExemplars(t)
	f := newFakeProm(t)
	f.serveFile("/api/v1/query_range", promEmpty, 0)
	f.serveFile("/api/v1/query_exemplars", promHotRODExemplars, 0)
	code, out, errOut := f.run(120, colorprofile.NoTTY, nil, "metrics", hotrodQuery, "--exemplars", "--utc",
		"--from", from.Format(time.RFC3339), "--to", to.Format(time.RFC3339), "--step", "3s")
	if code != ExitOK || !strings.Contains(errOut, "no series") || !strings.HasPrefix(out, strconv.Itoa(len(ex))+" exemplars") ||
		!strings.Contains(out, ex[0].trace) || strings.Contains(out, "exemplar  ") {
		t.Errorf("exit %d: %s\n%s", code, errOut, out)
	}
}
