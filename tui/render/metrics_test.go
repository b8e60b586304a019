package render

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	goldenfile "github.com/telx-cli/telx/internal/golden"
	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/tui/styles"
)

// golden compares got with testdata/<name>.golden, or rewrites it with
// -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	goldenfile.CheckFile(t, name, got)
}

var t0 = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

// points returns n points a step apart from t0 with values f(i).
func points(n int, step time.Duration, f func(i int) float64) []sources.Point {
	pts := make([]sources.Point, n)
	for i := range pts {
		pts[i] = sources.Point{Time: t0.Add(time.Duration(i) * step), Value: f(i)}
	}
	return pts
}

func TestSparklineLevels(t *testing.T) {
	r := sources.TimeRange{From: t0, To: t0.Add(8 * time.Minute)}
	// one point per column, rising from 0 to 7: every level once
	pts := points(8, time.Minute, func(i int) float64 { return float64(i) })
	if got, want := Sparkline(pts, r, time.Minute, 8), "▁▂▃▄▅▆▇█"; got != want {
		t.Errorf("rising: %q, want %q", got, want)
	}
	// a flat series sits on the floor
	flat := points(4, time.Minute, func(int) float64 { return 5 })
	if got, want := Sparkline(flat, sources.TimeRange{From: t0, To: t0.Add(4 * time.Minute)}, time.Minute, 4), "▁▁▁▁"; got != want {
		t.Errorf("flat: %q, want %q", got, want)
	}
}

func TestSparklineGapsNaNInf(t *testing.T) {
	r := sources.TimeRange{From: t0, To: t0.Add(10 * time.Minute)}
	vals := []float64{0, 10, math.NaN(), 10, math.Inf(1), 0, math.Inf(-1), 5, 10, 0}
	var pts []sources.Point
	for i, v := range vals {
		if i == 5 { // missing sample: a gap
			continue
		}
		pts = append(pts, sources.Point{Time: t0.Add(time.Duration(i) * time.Minute), Value: v})
	}
	got := Sparkline(pts, r, time.Minute, 10)
	if want := "▁█ █↑ ↓▅█▁"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	st := SeriesStats(pts)
	if st.Min != 0 || st.Max != 10 || st.N != 6 || st.Last != 0 || math.Abs(st.Avg-35.0/6) > 1e-12 {
		t.Errorf("stats %+v", st)
	}
	if st := SeriesStats([]sources.Point{{Time: t0, Value: math.NaN()}}); st.N != 0 || !math.IsNaN(st.Max) || !math.IsNaN(st.Last) {
		t.Errorf("stats of NaN only: %+v", st)
	}
}

func TestSparklineResampling(t *testing.T) {
	r := sources.TimeRange{From: t0, To: t0.Add(4 * time.Minute)}
	// two points per column are averaged: (0+2)/2, (4+6)/2, ...
	pts := points(8, 30*time.Second, func(i int) float64 { return float64(i * 2) })
	cells := resample(nil, pts, r, 30*time.Second, 4)
	for i, want := range []float64{1, 5, 9, 13} {
		if v, ok := cells[i].value(); !ok || v != want {
			t.Errorf("column %d = %v, %v; want %v", i, v, ok, want)
		}
	}
	// columns narrower than the step carry a sample over for a step; then a gap
	sparse := []sources.Point{{Time: t0, Value: 1}, {Time: t0.Add(2 * time.Minute), Value: 3}}
	if got, want := Sparkline(sparse, r, time.Minute, 8), "▁▁  ██  "; got != want {
		t.Errorf("carried: %q, want %q", got, want)
	}
	// points outside the range are not drawn (they would halve the first
	// and last columns), the end belongs to the last column
	edge := []sources.Point{{Time: t0.Add(-time.Minute), Value: 1}, {Time: t0, Value: 0}, {Time: r.To, Value: 1}, {Time: r.To.Add(time.Second), Value: 0}}
	if got, want := Sparkline(edge, r, time.Second, 4), "▁  █"; got != want {
		t.Errorf("edges: %q, want %q", got, want)
	}
}

func TestSplitLabels(t *testing.T) {
	series := []sources.Series{
		{Labels: map[string]string{"__name__": "up", "job": "api", "instance": "a:1"}},
		{Labels: map[string]string{"__name__": "up", "job": "api", "instance": "b:1", "zone": "eu"}},
	}
	common, distinct := SplitLabels(series)
	if strings.Join(common, ",") != "__name__,job" || strings.Join(distinct, ",") != "instance,zone" {
		t.Errorf("common %v, distinct %v", common, distinct)
	}
	if got := FormatLabels(series[0].Labels, common); got != "up job=api" {
		t.Errorf("common labels %q", got)
	}
	if got := FormatLabels(series[1].Labels, distinct); got != "instance=b:1 zone=eu" {
		t.Errorf("distinct labels %q", got)
	}
	// one series: nothing is common, everything tells it apart
	common, distinct = SplitLabels(series[:1])
	if len(common) != 0 || len(distinct) != 3 {
		t.Errorf("one series: common %v, distinct %v", common, distinct)
	}
	// label values from the backend are sanitised
	if got := FormatLabels(map[string]string{"ua": "x\x1b[31my"}, []string{"ua"}); got != `ua=x\x1b[31my` {
		t.Errorf("unsanitised %q", got)
	}
}

func TestSortRows(t *testing.T) {
	mk := func(name string, last, mx float64) MetricRow {
		return MetricRow{Name: name, Stats: SeriesSummary{Last: last, Max: mx}}
	}
	rows := []MetricRow{mk("b", 1, 9), mk("a", 3, 3), mk("c", math.NaN(), math.NaN()), mk("d", 2, 5)}
	names := func() string {
		var s []string
		for _, r := range rows {
			s = append(s, r.Name)
		}
		return strings.Join(s, "")
	}
	for _, tt := range []struct{ by, want string }{{SortLast, "adbc"}, {SortMax, "bdac"}, {SortName, "abcd"}} {
		SortRows(rows, tt.by)
		if got := names(); got != tt.want {
			t.Errorf("by %s: %s, want %s", tt.by, got, tt.want)
		}
	}
}

// incident returns series shaped like the demo's RED view: a steady rate,
// an error ratio that climbs, a latency with a gap and a NaN.
func incident() ([]sources.Series, sources.TimeRange, time.Duration) {
	step := 30 * time.Second
	n := 121
	r := sources.TimeRange{From: t0, To: t0.Add(time.Duration(n-1) * step)}
	climb := func(i int) float64 { return math.Max(0, float64(i-80)) / 40 }
	series := []sources.Series{
		{Labels: map[string]string{"__name__": "calls", "job": "otel", "service_name": "frontend"},
			Points: points(n, step, func(i int) float64 { return 10 + 2*math.Sin(float64(i)/6) })},
		{Labels: map[string]string{"__name__": "calls", "job": "otel", "service_name": "payments"},
			Points: points(n, step, func(i int) float64 { return 3 + 0.3*climb(i) + 0.2*math.Cos(float64(i)/4) })},
		{Labels: map[string]string{"__name__": "calls", "job": "otel", "service_name": "postgres", "db": "accounts"},
			Points: points(n, step, func(i int) float64 { return 0.5 + 9*climb(i) })},
	}
	// postgres: ten minutes missing, then a NaN
	pts := series[2].Points
	series[2].Points = append(append([]sources.Point{}, pts[:30]...), pts[50:]...)
	series[2].Points[40].Value = math.NaN()
	return series, r, step
}

func TestMetricTableGolden(t *testing.T) {
	series, r, step := incident()
	for _, width := range []int{80, 200} {
		for _, color := range []bool{false, true} {
			name := fmt.Sprintf("table-%d", width)
			if color {
				name += "-color"
			}
			t.Run(name, func(t *testing.T) {
				st := styles.New(color)
				header, rows := MetricRows(series, UnitPerSecond)
				SortRows(rows, SortLast)
				var b bytes.Buffer
				MetricHeader(&b, `sum by (service_name) (rate(calls[1m]))`, header, r, step, len(rows), len(rows), st, time.UTC)
				if err := MetricTable(&b, rows, MetricTableOptions{Width: width, Styles: st, Range: r, Step: step}); err != nil {
					t.Fatal(err)
				}
				got := b.String()
				checkWidth(t, got, width, color)
				golden(t, name, got)
			})
		}
	}
}

func TestChartGolden(t *testing.T) {
	series, r, step := incident()
	for _, width := range []int{80, 200} {
		for _, color := range []bool{false, true} {
			name := fmt.Sprintf("chart-%d", width)
			if color {
				name += "-color"
			}
			t.Run(name, func(t *testing.T) {
				st := styles.New(color)
				_, rows := MetricRows(series, UnitMilliseconds)
				var b bytes.Buffer
				if err := Chart(&b, rows, ChartOptions{Width: width, Height: 10, Styles: st, Range: r, Step: step, Location: time.UTC}); err != nil {
					t.Fatal(err)
				}
				got := b.String()
				checkWidth(t, got, width, color)
				golden(t, name, got)
			})
		}
	}
}

// checkWidth fails when a line is wider than width, or when uncoloured
// output holds escape sequences.
func checkWidth(t *testing.T, out string, width int, color bool) {
	t.Helper()
	if !color && strings.Contains(out, "\x1b") {
		t.Error("escape sequences in uncoloured output")
	}
	if color && !strings.Contains(out, "\x1b[") {
		t.Error("no colour in coloured output")
	}
	for i, line := range strings.Split(out, "\n") {
		if w := ansi.StringWidth(line); w > width {
			t.Errorf("line %d is %d wide, more than %d: %q", i+1, w, width, line)
		}
	}
}

// BenchmarkMetricTable renders 1,000 series of 1,000 points at 200 columns.
func BenchmarkMetricTable(b *testing.B) {
	step := 15 * time.Second
	r := sources.TimeRange{From: t0, To: t0.Add(999 * step)}
	series := make([]sources.Series, 1000)
	for i := range series {
		series[i] = sources.Series{
			Labels: map[string]string{"__name__": "calls", "job": "otel", "pod": fmt.Sprintf("pod-%04d", i)},
			Points: points(1000, step, func(k int) float64 { return float64(i) + math.Sin(float64(k+i)/10) }),
		}
	}
	st := styles.New(true)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		_, rows := MetricRows(series, UnitSeconds)
		SortRows(rows, SortLast)
		if err := MetricTable(io.Discard, rows, MetricTableOptions{Width: 200, Styles: st, Range: r, Step: step}); err != nil {
			b.Fatal(err)
		}
	}
}

// A long name is cut to keep the legend within the width; the values stay.
func TestChartLegendFits(t *testing.T) {
	series, r, step := incident()
	series[0].Labels["pod"] = strings.Repeat("checkout-7d9f8-", 12)
	_, rows := MetricRows(series, UnitNone)
	var b bytes.Buffer
	if err := Chart(&b, rows, ChartOptions{Width: 80, Height: 6, Range: r, Step: step, Location: time.UTC}); err != nil {
		t.Fatal(err)
	}
	checkWidth(t, b.String(), 80, false)
	if !strings.Contains(b.String(), "last 11.8 · max 12.0  pod=checkout-7d9f8-") || !strings.Contains(b.String(), "…") {
		t.Errorf("legend:\n%s", b.String())
	}
}

// The marker row: the trace's ▼ over its columns, the cursor ┃ at its
// column, a ▼ under the cursor staying ▼; a cursor outside the range is
// not drawn.
func TestMetricMarkerCursor(t *testing.T) {
	r := sources.TimeRange{From: t0, To: t0.Add(40 * time.Minute)}
	rows := []MetricRow{{Name: "rate", Points: points(40, time.Minute, func(i int) float64 { return float64(i) })}}
	o := MetricTableOptions{Width: 80, Range: r, Step: time.Minute}
	trace := sources.TimeRange{From: t0.Add(20 * time.Minute), To: t0.Add(20*time.Minute + time.Second)}
	name, spark := tableLayout(rows, o)
	col := func(at time.Time) int { return int(float64(at.Sub(r.From)) / float64(r.Duration()) * float64(spark)) }
	for _, tt := range []struct {
		cursor time.Time
		want   map[int]string
	}{
		{time.Time{}, map[int]string{col(trace.From): "▼"}},
		{t0.Add(5 * time.Minute), map[int]string{col(trace.From): "▼", col(t0.Add(5 * time.Minute)): MarkCursor}},
		{trace.From, map[int]string{col(trace.From): "▼"}},
		{t0.Add(2 * time.Hour), map[int]string{col(trace.From): "▼"}},
	} {
		o.Cursor = tt.cursor
		got := []rune(MetricMarker(rows, o, trace, "trace"))
		cells := got[name+1:]
		for i, c := range cells {
			want, ok := tt.want[i]
			if !ok {
				want = " "
			}
			if string(c) != want {
				t.Errorf("cursor %v: cell %d is %q, want %q: %q", tt.cursor, i, string(c), want, string(got))
			}
		}
	}
}
