package cmd

import (
	"bufio"
	"context"
	"encoding/json"
	"math"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"

	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/sources/demo"
)

// demoCount is how many of the demo's lines query selects in its hour.
func demoCount(t *testing.T, query string) int {
	t.Helper()
	sc, err := demo.Load(demo.DatasetNow)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	err = demo.NewSource(sc).QueryLogs(context.Background(), sources.LogQuery{Query: query, Range: sc.Window}, func(sources.LogEntry) error {
		n++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func checkRows(t *testing.T, out string, width int) {
	t.Helper()
	for i, l := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		if w := ansi.StringWidth(l); w > width {
			t.Errorf("line %d is %d cells wide, over %d: %q", i, w, width, l)
		}
	}
}

var insightProfiles = []struct {
	suffix  string
	width   int
	profile colorprofile.Profile
}{
	{"80", 80, colorprofile.Ascii},
	{"80-color", 80, colorprofile.TrueColor},
	{"200", 200, colorprofile.Ascii},
	{"200-color", 200, colorprofile.TrueColor},
	{"piped", 120, colorprofile.NoTTY},
}

// telx logs --histogram --demo draws the volume the demo counts, then the
// lines as usual.
func TestLogsHistogramDemo(t *testing.T) {
	query := `{namespace="shop"}`
	for _, tt := range insightProfiles {
		t.Run(tt.suffix, func(t *testing.T) {
			code, out, errOut := demoRunAt(t, demo.DatasetNow, tt.width, tt.profile, "logs", query, "--histogram", "--limit", "3", "--utc")
			if code != ExitOK || errOut != "" {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			if tt.profile != colorprofile.TrueColor && strings.Contains(out, "\x1b") {
				t.Error("escape sequences in uncoloured output")
			}
			width := tt.width
			if tt.profile == colorprofile.NoTTY {
				width = 80 // piped: the histogram at 80 columns
			}
			hist, lines, ok := strings.Cut(out, "\n\n")
			if !ok {
				t.Fatalf("no blank line between the histogram and the lines:\n%s", out)
			}
			checkRows(t, hist, width)
			plain := ansi.Strip(hist)
			if want := "lines · "; !strings.Contains(plain, strings.TrimSpace(itoa(demoCount(t, query)))+" "+want) {
				t.Errorf("the legend does not total the %d lines:\n%s", demoCount(t, query), plain)
			}
			n := 0 // the entries, without the rows a wrapped line takes
			for _, row := range strings.Split(strings.TrimSuffix(ansi.Strip(lines), "\n"), "\n") {
				if !strings.HasPrefix(row, " ") {
					n++
				}
			}
			if n != 3 {
				t.Errorf("%d lines after the histogram, want 3:\n%s", n, lines)
			}
			golden(t, "logs-insight/histogram-"+tt.suffix, out)
		})
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// patternsWindow is --from and --to around the samples of a recorded
// patterns answer.
func patternsWindow(t *testing.T, name string) []string {
	t.Helper()
	var res struct {
		Data []struct {
			Samples [][2]int64 `json:"samples"`
		} `json:"data"`
	}
	if err := json.Unmarshal(fixture(t, name), &res); err != nil {
		t.Fatal(err)
	}
	lo, hi := int64(math.MaxInt64), int64(0)
	for _, d := range res.Data {
		for _, s := range d.Samples {
			lo, hi = min(lo, s[0]), max(hi, s[0])
		}
	}
	return []string{"--from", strconv.FormatInt(lo, 10), "--to", strconv.FormatInt(hi+300, 10)}
}

// With -o jsonl (or raw) --histogram prints the volume alone: a series per
// level whose points sum to the lines.
func TestLogsHistogramData(t *testing.T) {
	query := `{service_name=~"payments|postgres"}`
	want := demoCount(t, query)
	code, out, errOut := demoRunAt(t, demo.DatasetNow, 80, colorprofile.NoTTY, "logs", query, "--histogram", "-o", "jsonl")
	if code != ExitOK || errOut != "" {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	total := 0.0
	levels := map[string]bool{}
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		var s sources.Series
		if err := json.Unmarshal(sc.Bytes(), &s); err != nil {
			t.Fatalf("%v: %s", err, sc.Text())
		}
		levels[s.Labels["level"]] = true
		for _, p := range s.Points {
			total += p.Value
		}
	}
	if int(total) != want || !levels["error"] || !levels["warn"] {
		t.Errorf("%v lines in levels %v, want %d with errors and warnings", total, levels, want)
	}
	code, out, _ = demoRunAt(t, demo.DatasetNow, 80, colorprofile.NoTTY, "logs", query, "--histogram", "-o", "raw")
	if code != ExitOK || !strings.Contains(out, "\t{level=\"error\"}\n") {
		t.Errorf("raw: exit %d\n%s", code, out)
	}
}

// telx logs --patterns --demo: the demo has no pattern ingester, so telx
// clusters the lines it loads, and says so.
func TestLogsPatternsDemo(t *testing.T) {
	query := `{namespace="shop"}`
	n := demoCount(t, query)
	for _, tt := range insightProfiles {
		t.Run(tt.suffix, func(t *testing.T) {
			code, out, errOut := demoRunAt(t, demo.DatasetNow, tt.width, tt.profile, "logs", query, "--patterns", "--limit", "0", "--utc")
			if code != ExitOK {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			if want := "telx: the demo has no pattern ingester: clustered " + itoa(n) + " loaded lines locally\n"; errOut != want {
				t.Errorf("stderr %q, want %q", errOut, want)
			}
			if tt.profile != colorprofile.NoTTY {
				checkRows(t, out, tt.width)
			}
			if tt.profile != colorprofile.TrueColor && strings.Contains(out, "\x1b") {
				t.Error("escape sequences in uncoloured output")
			}
			golden(t, "logs-insight/patterns-"+tt.suffix, out)
		})
	}

	// a limit below the lines: the newest, and the note says so
	code, _, errOut := demoRunAt(t, demo.DatasetNow, 80, colorprofile.NoTTY, "logs", query, "--patterns", "--limit", "100")
	if code != ExitOK || !strings.Contains(errOut, "clustered 100 loaded lines locally (the newest; --limit sets how many)") {
		t.Errorf("exit %d: %s", code, errOut)
	}

	// one JSON object a pattern, counting every line once
	code, out, _ := demoRunAt(t, demo.DatasetNow, 80, colorprofile.NoTTY, "logs", query, "--patterns", "--limit", "0", "-o", "jsonl")
	var total int64
	prev := int64(-1)
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		var p sources.LogPattern
		if err := json.Unmarshal(sc.Bytes(), &p); err != nil || p.Pattern == "" {
			t.Fatalf("%v: %s", err, sc.Text())
		}
		if prev >= 0 && p.Count > prev {
			t.Errorf("not largest first: %d after %d", p.Count, prev)
		}
		prev = p.Count
		var sum float64
		for _, s := range p.Samples {
			sum += s.Value
		}
		if int64(sum) != p.Count {
			t.Errorf("%s: %d lines, samples sum to %v", p.Pattern, p.Count, sum)
		}
		total += p.Count
	}
	if code != ExitOK || total != int64(n) {
		t.Errorf("jsonl: exit %d, %d lines in patterns, want %d", code, total, n)
	}
	code, out, _ = demoRunAt(t, demo.DatasetNow, 80, colorprofile.NoTTY, "logs", `{service_name="checkout"}`, "--patterns", "-o", "raw")
	if code != ExitOK || !strings.HasPrefix(out, itoa(demoCount(t, `{service_name="checkout"} |= "order placed"`))+"\torder placed\n") {
		t.Errorf("raw: exit %d\n%s", code, out)
	}
}

// Against Loki: its patterns when its pattern ingester has them (the
// recorded answer), else the loaded lines clustered, with the reason.
func TestLogsPatternsLoki(t *testing.T) {
	patterns := fixture(t, "loki-patterns.json")
	lines := fixture(t, "loki-query-range.json")
	window := fixtureWindow(t, "loki-query-range.json")
	for _, tt := range []struct {
		name     string
		query    string
		patterns func() (int, []byte)
		window   []string
		wantNote string
		paths    []string
	}{
		{"from Loki", `{service_name="checkout"}`, func() (int, []byte) { return http.StatusOK, patterns }, patternsWindow(t, "loki-patterns.json"), "",
			[]string{"/loki/api/v1/patterns"}},
		{"pattern ingester off", `{service_name="checkout"}`, func() (int, []byte) { return http.StatusNotFound, nil }, window,
			"telx: Loki's pattern ingester is off: clustered 40 loaded lines locally\n",
			[]string{"/loki/api/v1/patterns", "/loki/api/v1/query_range"}},
		{"no patterns", `{service_name="checkout"}`, func() (int, []byte) { return http.StatusOK, []byte(`{"status":"success","data":[]}`) }, window,
			"telx: Loki has no patterns of {service_name=\"checkout\"} in the window (its pattern ingester keeps a few hours, and only patterns of many lines): clustered 40 loaded lines locally\n",
			[]string{"/loki/api/v1/patterns", "/loki/api/v1/query_range"}},
		{"a filtered query", `{service_name="checkout"} |= "order"`, func() (int, []byte) { return http.StatusOK, patterns }, window,
			"telx: Loki's patterns are of stream selectors alone, and the query filters {service_name=\"checkout\"}'s lines: clustered 40 loaded lines locally\n",
			[]string{"/loki/api/v1/patterns", "/loki/api/v1/query_range"}},
		{"a filtered query, pattern ingester off", `{service_name="checkout"} |= "order"`, func() (int, []byte) { return http.StatusNotFound, nil }, window,
			"telx: Loki's pattern ingester is off: clustered 40 loaded lines locally\n",
			[]string{"/loki/api/v1/patterns", "/loki/api/v1/query_range"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var paths []string
			f := newFakeLoki(t, func(r *http.Request) (int, []byte) {
				paths = append(paths, r.URL.Path)
				if r.URL.Path == "/loki/api/v1/patterns" {
					return tt.patterns()
				}
				return http.StatusOK, lines
			})
			args := append([]string{"logs", tt.query, "--patterns", "--utc", "--loki", f.URL}, tt.window...)
			code, out, errOut := runIn(t, 120, colorprofile.Ascii, "", map[string]string{"NO_COLOR": "1"}, args...)
			if code != ExitOK || errOut != tt.wantNote {
				t.Fatalf("exit %d, stderr %q, want %q", code, errOut, tt.wantNote)
			}
			if strings.Join(paths, " ") != strings.Join(tt.paths, " ") {
				t.Errorf("asked %v, want %v", paths, tt.paths)
			}
			checkRows(t, out, 120)
			golden(t, "logs-insight/loki-patterns-"+strings.NewReplacer(" ", "-", ",", "").Replace(tt.name), out)
		})
	}
}

// When Loki cannot count the volume, telx says so and prints the lines;
// the data formats, which print the volume alone, fail.
func TestLogsHistogramLokiFails(t *testing.T) {
	lines := fixture(t, "loki-query-range.json")
	volume := fixture(t, "loki-volume.json")
	window := fixtureWindow(t, "loki-query-range.json")
	for _, tt := range []struct {
		name     string
		status   int
		format   string
		wantCode int
		wantErr  string
	}{
		{"volume", http.StatusOK, "", ExitOK, ""},
		{"server error", http.StatusInternalServerError, "", ExitOK, "telx: warning: no volume histogram: loki at http://127.0.0.1:"},
		{"server error, jsonl", http.StatusInternalServerError, "jsonl", ExitError, "500 Internal Server Error: too many series"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeLoki(t, func(r *http.Request) (int, []byte) {
				if strings.Contains(r.URL.Query().Get("query"), "count_over_time") {
					if tt.status != http.StatusOK {
						return tt.status, []byte("too many series")
					}
					return http.StatusOK, volume
				}
				return http.StatusOK, lines
			})
			args := append([]string{"logs", fourServices, "--histogram", "--utc", "--loki", f.URL}, window...)
			if tt.format != "" {
				args = append(args, "-o", tt.format)
			}
			code, out, errOut := runIn(t, 100, colorprofile.Ascii, "", map[string]string{"NO_COLOR": "1"}, args...)
			if code != tt.wantCode || !strings.Contains(errOut, tt.wantErr) || (tt.wantErr == "" && errOut != "") {
				t.Fatalf("exit %d, stderr %q; want %d, %q", code, errOut, tt.wantCode, tt.wantErr)
			}
			if tt.wantCode != ExitOK {
				return
			}
			if n := strings.Count(out, "frontend"); n == 0 {
				t.Errorf("no lines printed:\n%s", out)
			}
			hasHist := strings.Contains(out, " lines · ")
			if hasHist != (tt.status == http.StatusOK) {
				t.Errorf("histogram drawn: %v\n%s", hasHist, out)
			}
			if tt.status == http.StatusOK {
				checkRows(t, out, 100)
			}
		})
	}
}

func TestLogsInsightUsage(t *testing.T) {
	for _, args := range [][]string{
		{"logs", `{a="b"}`, "--histogram", "--patterns"},
		{"logs", `sum(rate({a="b"}[1m]))`, "--histogram"},
		{"logs", `sum(rate({a="b"}[1m]))`, "--patterns"},
		{"logs", `{a="b"}`, "--patterns", "--follow"},
	} {
		if code, _, errOut := runIn(t, 80, colorprofile.NoTTY, "", noBackends, args...); code != ExitUsage {
			t.Errorf("%q: exit %d, want 2: %s", args, code, errOut)
		}
	}
}
