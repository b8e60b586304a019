package metrics

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/telx-cli/telx/internal/golden"
	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/tui"
	"github.com/telx-cli/telx/tui/render"
	"github.com/telx-cli/telx/tui/styles"
)

// recordedExemplars answers with what the real Prometheus answered for
// HotROD's /dispatch latency and its exemplars
// (test/record-exemplar-fixtures.sh), read here independently of telx's
// Prometheus client.
type recordedExemplars struct {
	series []sources.Series
	ex     []sources.Exemplar
	asked  []string
}

func (r *recordedExemplars) QueryRange(context.Context, sources.MetricQuery) (*sources.MetricResult, error) {
	return &sources.MetricResult{Type: "matrix", Series: r.series, Step: 3 * time.Second}, nil
}

func (r *recordedExemplars) Query(context.Context, string, time.Time) (*sources.MetricResult, error) {
	return &sources.MetricResult{}, nil
}

func (r *recordedExemplars) Alerts(context.Context) ([]sources.Alert, error) { return nil, nil }

func (r *recordedExemplars) Exemplars(_ context.Context, q string, _ sources.TimeRange) ([]sources.Exemplar, error) {
	r.asked = append(r.asked, q)
	return r.ex, nil
}

func readRecorded(t *testing.T) (*recordedExemplars, sources.TimeRange) {
	t.Helper()
	var lat struct {
		Data struct {
			Result []struct {
				Values [][2]any `json:"values"`
			} `json:"result"`
		} `json:"data"`
	}
	var ex struct {
		Data []struct {
			SeriesLabels map[string]string `json:"seriesLabels"`
			Exemplars    []struct {
				Labels    map[string]string `json:"labels"`
				Value     string            `json:"value"`
				Timestamp float64           `json:"timestamp"`
			} `json:"exemplars"`
		} `json:"data"`
	}
	for file, v := range map[string]any{"prometheus-hotrod-latency.json": &lat, "prometheus-hotrod-exemplars.json": &ex} {
		b, err := os.ReadFile("../../testdata/recorded/" + file)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, v); err != nil {
			t.Fatal(err)
		}
	}
	r := &recordedExemplars{}
	s := sources.Series{Labels: map[string]string{}}
	for _, v := range lat.Data.Result[0].Values {
		f, _ := strconv.ParseFloat(v[1].(string), 64)
		s.Points = append(s.Points, sources.Point{Time: time.Unix(int64(v[0].(float64)), 0), Value: f})
	}
	r.series = []sources.Series{s}
	for _, d := range ex.Data {
		for _, e := range d.Exemplars {
			f, _ := strconv.ParseFloat(e.Value, 64)
			r.ex = append(r.ex, sources.Exemplar{Time: time.UnixMilli(int64(e.Timestamp * 1000)), Value: f,
				TraceID: sources.TraceID(e.Labels["trace_id"]), SpanID: sources.SpanID(e.Labels["span_id"]), Labels: e.Labels, Series: d.SeriesLabels})
		}
	}
	// oldest first, as the source gives them
	for i := 1; i < len(r.ex); i++ {
		for j := i; j > 0 && r.ex[j].Time.Before(r.ex[j-1].Time); j-- {
			r.ex[j], r.ex[j-1] = r.ex[j-1], r.ex[j]
		}
	}
	pts := s.Points
	return r, sources.TimeRange{From: pts[0].Time, To: pts[len(pts)-1].Time}
}

const hotrodLatency = `histogram_quantile(0.9, sum by (le) (rate(jaeger_traces_span_metrics_duration_milliseconds_bucket{service_name="frontend",span_name="/dispatch"}[15s])))`

// cellOf is the cell column of the first rune of s in line, -1 if none.
func cellOf(line, s string) int {
	i := strings.Index(line, s)
	if i < 0 {
		return -1
	}
	return ansi.StringWidth(line[:i])
}

// cells returns the first and last cell columns of line that hold one of
// the runes of set (-1, -1 for none).
func cells(line, set string) (first, last int) {
	first, last = -1, -1
	col := 0
	for _, r := range line {
		if strings.ContainsRune(set, r) {
			if first < 0 {
				first = col
			}
			last = col
		}
		col += ansi.StringWidth(string(r))
	}
	return first, last
}

func lineWith(v, prefix string) string {
	for _, l := range strings.Split(ansi.Strip(v), "\n") {
		if strings.HasPrefix(l, prefix) {
			return l
		}
	}
	return ""
}

// The typed query's exemplars are marked under its sparkline; x and X
// choose one (its time, value and trace shown) and enter opens its trace.
func TestExemplarsPane(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {200, 50}} {
		for _, color := range []bool{false, true} {
			name := fmt.Sprintf("%dx%d", size[0], size[1])
			if color {
				name += "-color"
			}
			t.Run(name, func(t *testing.T) {
				src, r := readRecorded(t)
				m := New(Options{Source: src, Styles: styles.New(color), Location: time.UTC, Before: time.Nanosecond, After: time.Nanosecond})
				m = m.SetSize(size[0], size[1]).(Model)
				m, _ = run(m, tui.MetricQueryMsg{Query: hotrodLatency, Range: r})
				if len(src.asked) != 1 || src.asked[0] != hotrodLatency {
					t.Fatalf("exemplars asked for %q", src.asked)
				}
				ex, sel := m.Exemplars()
				if len(ex) != len(src.ex) || sel != -1 {
					t.Fatalf("%d exemplars (of %d), chosen %d", len(ex), len(src.ex), sel)
				}
				v := m.View()
				marks := lineWith(v, "exemplar ")
				spark := lineWith(v, "query ")
				if marks == "" || spark == "" || !strings.Contains(ansi.Strip(v), strconv.Itoa(len(ex))+" exemplars · x/X") {
					t.Fatalf("no exemplar marks:\n%s", ansi.Strip(v))
				}
				// the oldest and newest marks under the sparkline's columns of
				// their times
				first, last := cells(marks, render.MarkExemplar)
				sparkFirst, sparkLast := cells(spark, "▁▂▃▄▅▆▇█")
				col := func(at time.Time) int {
					n := sparkLast - sparkFirst + 1
					return sparkFirst + int(float64(at.Sub(r.From))/float64(r.Duration())*float64(n))
				}
				want0, want1 := col(ex[0].Time), col(ex[len(ex)-1].Time)
				if first < want0-1 || first > want0+1 || last < want1-1 || last > want1+1 {
					t.Errorf("marks %d..%d, want %d..%d: %q under %q", first, last, want0, want1, marks, spark)
				}
				golden.Check(t, v)

				// x: the oldest; X from there: the newest, around
				m, _ = run(m, tea.KeyPressMsg{Code: 'x', Text: "x"})
				if _, sel := m.Exemplars(); sel != 0 {
					t.Fatalf("x chose %d", sel)
				}
				golden.CheckFile(t, strings.ReplaceAll(t.Name(), "/", "_")+"-chosen", m.View())
				v = ansi.Strip(m.View())
				oldest := ex[0]
				if !strings.Contains(v, "▲ "+oldest.Time.UTC().Format("15:04:05.000")) || !strings.Contains(v, string(oldest.TraceID)) {
					t.Errorf("the chosen exemplar is not shown:\n%s", v)
				}
				if c := cellOf(lineWith(v, "exemplar "), render.MarkExemplarSelected); c != first {
					t.Errorf("▲ at column %d, the first mark at %d", c, first)
				}
				m, _ = run(m, tea.KeyPressMsg{Code: 'X', Text: "X"})
				m, _ = run(m, tea.KeyPressMsg{Code: 'X', Text: "X"})
				if _, sel := m.Exemplars(); sel != len(ex)-2 {
					t.Fatalf("X X from the oldest chose %d of %d", sel, len(ex))
				}
				_, cmd := m.Update(tea.KeyPressMsg{Code: tea.KeyEnter})
				if cmd == nil {
					t.Fatal("enter does nothing")
				}
				if msg, ok := cmd().(tui.OpenTraceMsg); !ok || msg.TraceID != ex[len(ex)-2].TraceID {
					t.Errorf("enter: %#v, want the trace %s", msg, ex[len(ex)-2].TraceID)
				}
			})
		}
	}
}

// A source without exemplars, or none chosen: enter and x do nothing.
func TestExemplarKeysWithoutExemplars(t *testing.T) {
	src, r := readRecorded(t)
	src.ex = nil
	m := New(Options{Source: src, Styles: styles.New(false), Location: time.UTC, Before: time.Nanosecond, After: time.Nanosecond})
	m = m.SetSize(80, 24).(Model)
	m, _ = run(m, tui.MetricQueryMsg{Query: hotrodLatency, Range: r})
	for _, k := range []tea.KeyPressMsg{{Code: 'x', Text: "x"}, {Code: tea.KeyEnter}} {
		if _, cmd := m.Update(k); cmd != nil {
			t.Errorf("%v: a command without exemplars", k)
		}
	}
	if strings.Contains(m.View(), "exemplars") {
		t.Errorf("exemplars mentioned:\n%s", m.View())
	}
}

// Only a query of a histogram's buckets is asked for exemplars, after its
// rows came (one answer read at a time).
func TestExemplarsAskedOfBucketsOnly(t *testing.T) {
	src, r := readRecorded(t)
	m := New(Options{Source: src, Styles: styles.New(false), Location: time.UTC, Before: time.Nanosecond, After: time.Nanosecond})
	m = m.SetSize(80, 24).(Model)
	m, _ = run(m, tui.MetricQueryMsg{Query: "sum(up)", Range: r})
	if len(src.asked) != 0 || strings.Contains(m.View(), "exemplar") {
		t.Errorf("exemplars asked for %q", src.asked)
	}
	m, _ = run(m, tui.MetricQueryMsg{Query: hotrodLatency, Range: r})
	if len(src.asked) != 1 {
		t.Errorf("exemplars asked for %q", src.asked)
	}
}
