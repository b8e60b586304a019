package loki

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	json "github.com/goccy/go-json"

	"github.com/telx-cli/telx/sources"
)

func TestLogQLDuration(t *testing.T) {
	for _, tt := range []struct {
		d    time.Duration
		want string
	}{
		{time.Second, "1s"}, {90 * time.Second, "90s"}, {5 * time.Minute, "5m"}, {2 * time.Hour, "2h"},
		{90 * time.Minute, "90m"}, {500 * time.Millisecond, "500ms"}, {0, "1s"}, {time.Microsecond, "1ms"},
	} {
		if got := logqlDuration(tt.d); got != tt.want {
			t.Errorf("logqlDuration(%s) = %q, want %q", tt.d, got, tt.want)
		}
	}
}

func TestAlignedRange(t *testing.T) {
	at := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, tt := range []struct {
		from, to       string
		step           time.Duration
		wantFrom, want string
	}{
		// points end the steps holding From and To
		{"2026-01-15T11:00:30Z", "2026-01-15T12:00:10Z", time.Minute, "2026-01-15T11:01:00Z", "2026-01-15T12:01:00Z"},
		// an aligned end is its own step's end
		{"2026-01-15T11:00:00Z", "2026-01-15T12:00:00Z", 5 * time.Minute, "2026-01-15T11:05:00Z", "2026-01-15T12:00:00Z"},
		// a window within one step still has one point
		{"2026-01-15T11:00:01Z", "2026-01-15T11:00:02Z", time.Hour, "2026-01-15T12:00:00Z", "2026-01-15T12:00:00Z"},
		// before the epoch too
		{"1969-12-31T23:59:30Z", "1970-01-01T00:00:30Z", time.Minute, "1970-01-01T00:00:00Z", "1970-01-01T00:01:00Z"},
	} {
		got := alignedRange(sources.TimeRange{From: at(tt.from), To: at(tt.to)}, tt.step)
		if !got.From.Equal(at(tt.wantFrom)) || !got.To.Equal(at(tt.want)) {
			t.Errorf("alignedRange(%s..%s, %s) = %s..%s, want %s..%s", tt.from, tt.to, tt.step,
				got.From.UTC().Format(time.RFC3339), got.To.UTC().Format(time.RFC3339), tt.wantFrom, tt.want)
		}
	}
}

func TestVolumeQuery(t *testing.T) {
	for _, tt := range []struct {
		query string
		step  time.Duration
		want  string
		err   bool
	}{
		{`{service_name="checkout"}`, time.Minute,
			`sum by (detected_level, level) (count_over_time({service_name="checkout"} | drop __error__, __error_details__ [1m]))`, false},
		{`  {app="x"} |= "timeout" | logfmt | duration > 1s ` + "\n", 30 * time.Second,
			`sum by (detected_level, level) (count_over_time({app="x"} |= "timeout" | logfmt | duration > 1s | drop __error__, __error_details__ [30s]))`, false},
		{`sum(rate({app="x"}[5m]))`, time.Minute, "", true},
		{`{app="x"`, time.Minute, "", true},
		{``, time.Minute, "", true},
	} {
		got, err := VolumeQuery(tt.query, tt.step)
		if (err != nil) != tt.err || got != tt.want {
			t.Errorf("VolumeQuery(%q) = %q, %v; want %q (error %v)", tt.query, got, err, tt.want, tt.err)
		}
		if err != nil && !errors.Is(err, ErrBadQuery) {
			t.Errorf("VolumeQuery(%q): %v is not ErrBadQuery", tt.query, err)
		}
	}
}

// The recorded volume answer (series by detected_level) becomes one
// series per normalised level, "unknown" as "", with every count kept.
func TestMergeLevelsOfARecordedAnswer(t *testing.T) {
	raw, err := decodeSeries(bytes.NewReader(recorded(t, "loki-volume.json")))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]float64{}
	var total float64
	for _, s := range raw {
		for _, p := range s.Points {
			want[NormalizeLevel(s.Labels["detected_level"])] += p.Value
			total += p.Value
		}
	}
	if want[""] == 0 || want["error"] == 0 {
		t.Fatalf("the fixture should hold unknown and error lines: %v", want)
	}
	// a level label (a parser's, or the stream's) counts when Loki
	// detected none; two spellings of a level make one series
	raw = append(raw,
		sources.Series{Labels: map[string]string{"level": "WARNING"}, Points: []sources.Point{{Time: time.Unix(1796104800, 0), Value: 2}}},
		sources.Series{Labels: map[string]string{"detected_level": "warn", "level": "whatever"}, Points: []sources.Point{{Time: time.Unix(1796104800, 0), Value: 3}}},
	)
	want["warn"] += 5
	total += 5
	got := mergeLevels(raw)
	var sum float64
	for i, s := range got {
		if i > 0 && sources.LevelRank(got[i-1].Labels["level"]) >= sources.LevelRank(s.Labels["level"]) {
			t.Errorf("series %d: not ordered by level", i)
		}
		var n float64
		for j, p := range s.Points {
			if j > 0 && !p.Time.After(s.Points[j-1].Time) {
				t.Errorf("level %q: points out of order", s.Labels["level"])
			}
			n += p.Value
		}
		if n != want[s.Labels["level"]] {
			t.Errorf("level %q: %v lines, want %v", s.Labels["level"], n, want[s.Labels["level"]])
		}
		sum += n
	}
	if len(got) != len(want) || sum != total {
		t.Errorf("%d series of %v lines, want %d of %v", len(got), sum, len(want), total)
	}
}

// servePatterns answers the patterns endpoint with a status and body, and
// records the query asked.
func servePatterns(t *testing.T, code int, body []byte) (*Client, *url.Values) {
	t.Helper()
	var asked url.Values
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/loki/api/v1/patterns" {
			t.Errorf("asked %s", r.URL.Path)
		}
		asked = r.URL.Query()
		if code == http.StatusOK {
			w.Header().Set("Content-Type", "application/json")
		}
		w.WriteHeader(code)
		w.Write(body)
	}))
	t.Cleanup(srv.Close)
	return client(t, srv.URL, 0), &asked
}

func TestLogPatternsOfARecordedAnswer(t *testing.T) {
	body := recorded(t, "loki-patterns.json")
	var wire wirePatterns
	if err := json.Unmarshal(body, &wire); err != nil || len(wire.Data) < 2 {
		t.Fatalf("fixture: %v, %d patterns", err, len(wire.Data))
	}
	c, asked := servePatterns(t, http.StatusOK, body)
	r := sources.TimeRange{From: time.Unix(1796104500, 0), To: time.Unix(1796108200, 0)}
	pats, err := c.LogPatterns(context.Background(), sources.LogQuery{Query: `{service_name="checkout"} |= "order" | logfmt`, Range: r}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if q := asked.Get("query"); q != `{service_name="checkout"}` {
		t.Errorf("asked for %q, want the stream selector alone", q)
	}
	if s := asked.Get("step"); s != "60" {
		t.Errorf("step %q, want 60 (about %d steps over an hour)", s, VolumeBuckets)
	}
	if len(pats) != len(wire.Data) {
		t.Fatalf("%d patterns, want %d", len(pats), len(wire.Data))
	}
	for i, p := range pats {
		if i > 0 && pats[i-1].Count < p.Count {
			t.Errorf("not largest first at %d", i)
		}
		if strings.Contains(p.Pattern, `\u003c`) || p.Level == "unknown" {
			t.Errorf("pattern %q of level %q: not decoded", p.Pattern, p.Level)
		}
		for _, d := range wire.Data {
			if d.Pattern != p.Pattern {
				continue
			}
			var n int64
			for _, s := range d.Samples {
				n += int64(s[1])
			}
			if n != p.Count || len(d.Samples) != len(p.Samples) {
				t.Errorf("%q: count %d of %d samples, want %d of %d", p.Pattern, p.Count, len(p.Samples), n, len(d.Samples))
			}
		}
	}
}

// What the real Loki answers with its pattern ingester off (as recorded:
// 404 with an empty body), and other failures.
func TestLogPatternsErrors(t *testing.T) {
	r := sources.Last(time.Hour, time.Now())
	for _, tt := range []struct {
		name        string
		code        int
		body        string
		query       string
		unsupported bool
		bad         bool
	}{
		{"pattern ingester off", http.StatusNotFound, "", `{a="b"}`, true, false},
		{"Loki 2: no such endpoint", http.StatusNotFound, "404 page not found\n", `{a="b"}`, true, false},
		{"a bad selector", http.StatusBadRequest, "parse error at line 1, col 18: syntax error", `{a="b"}`, false, true},
		{"a server failure", http.StatusInternalServerError, "rpc error", `{a="b"}`, false, false},
		{"a metric query", http.StatusOK, "", `count_over_time({a="b"}[1m])`, false, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, _ := servePatterns(t, tt.code, []byte(tt.body))
			_, err := c.LogPatterns(context.Background(), sources.LogQuery{Query: tt.query, Range: r}, 0)
			if err == nil {
				t.Fatal("no error")
			}
			if errors.Is(err, errors.ErrUnsupported) != tt.unsupported || errors.Is(err, ErrBadQuery) != tt.bad {
				t.Errorf("err = %v: unsupported %v, bad query %v; want %v, %v", err, errors.Is(err, errors.ErrUnsupported), errors.Is(err, ErrBadQuery), tt.unsupported, tt.bad)
			}
			var be *sources.BackendError
			if !errors.As(err, &be) {
				t.Errorf("err = %v, not a BackendError", err)
			}
		})
	}
}
