package render

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/sources/demo"
	"github.com/telx-cli/telx/sources/logpattern"
	"github.com/telx-cli/telx/tui/styles"
)

func demoScenario(t testing.TB) (*demo.Source, *demo.Scenario) {
	t.Helper()
	sc, err := demo.Load(demo.DatasetNow)
	if err != nil {
		t.Fatal(err)
	}
	return demo.NewSource(sc), sc
}

// The demo incident's volume: the errors and warnings of its last part,
// the slowest failing trace marked.
func TestLogVolumeGolden(t *testing.T) {
	src, sc := demoScenario(t)
	slow := src.SlowestFailingTrace()
	for _, width := range []int{80, 200} {
		step := sources.AutoStep(sc.Window, VolumeCells(width))
		series, err := src.LogVolume(context.Background(), sources.LogQuery{Query: `{namespace="shop"}`, Range: sc.Window}, step)
		if err != nil {
			t.Fatal(err)
		}
		for _, color := range []bool{false, true} {
			name := fmt.Sprintf("volume-%d", width)
			if color {
				name += "-color"
			}
			t.Run(name, func(t *testing.T) {
				var b bytes.Buffer
				err := LogVolume(&b, series, VolumeOptions{Width: width, Styles: styles.New(color), Range: sc.Window, Step: step,
					Mark: slow.TimeRange(), Location: time.UTC})
				if err != nil {
					t.Fatal(err)
				}
				out := b.String()
				checkWidth(t, out, width, color)
				golden(t, name, out)
			})
		}
	}
}

// The bars stack each column's levels, errors at the bottom, to the
// largest column's height, in eighths.
func TestLogVolumeBars(t *testing.T) {
	r := sources.TimeRange{From: t0, To: t0.Add(10 * time.Minute)}
	at := func(m int) time.Time { return t0.Add(time.Duration(m) * time.Minute) }
	series := []sources.Series{
		{Labels: map[string]string{"level": "error"}, Points: []sources.Point{{Time: at(1), Value: 8}, {Time: at(5), Value: 2}}},
		{Labels: map[string]string{"level": "info"}, Points: []sources.Point{{Time: at(1), Value: 8}, {Time: at(2), Value: 16}}},
		{Labels: map[string]string{"level": "fatal"}, Points: []sources.Point{{Time: at(10), Value: 1}}},
		{Labels: map[string]string{"level": "whatever"}, Points: []sources.Point{{Time: at(7), Value: 4}}},
	}
	var b bytes.Buffer
	// 10 one-minute columns (a width of 10 columns of bars and the axis)
	if err := LogVolume(&b, series, VolumeOptions{Width: 17, Height: 2, Range: r, Step: time.Minute, Location: time.UTC}); err != nil {
		t.Fatal(err)
	}
	rows := strings.Split(b.String(), "\n")
	// a point at t counts (t-1m, t]: the first minute's column holds 8
	// errors under 8 infos, the second 16 infos, the fifth 2 errors, the
	// seventh 4 unknown, the last 1 fatal (an error); without colour each
	// level has its shade, the top of a bar its eighth
	want := []string{
		"   16 ┤▒▒        ",
		"      │█▒  ▂ ▄  ▁",
	}
	for i, w := range want {
		if rows[i] != w {
			t.Errorf("row %d\n got %q\nwant %q", i, rows[i], w)
		}
	}
	if legend := rows[len(rows)-2]; !strings.HasSuffix(legend, "…") {
		t.Errorf("legend %q not cut to 17 columns", legend)
	}
	b.Reset()
	if err := LogVolume(&b, series, VolumeOptions{Width: 80, Range: r, Step: time.Minute, Location: time.UTC}); err != nil {
		t.Fatal(err)
	}
	rows = strings.Split(b.String(), "\n")
	legend := rows[len(rows)-2]
	for _, part := range []string{"█ error 11", "▒ info 24", "▚ unknown 4", "39 lines", "1m steps"} {
		if !strings.Contains(legend, part) {
			t.Errorf("legend %q lacks %q", legend, part)
		}
	}
}

// Nothing to count, a step finer than the columns, a mark outside the
// window, and bad values: it draws, without panicking.
func TestLogVolumeEdges(t *testing.T) {
	r := sources.TimeRange{From: t0, To: t0.Add(time.Hour)}
	five := func(n float64) []sources.Series {
		var out []sources.Series
		for _, lv := range []string{"error", "warn", "info", "debug", ""} {
			out = append(out, sources.Series{Labels: map[string]string{"level": lv}, Points: []sources.Point{{Time: t0.Add(time.Minute), Value: n}}})
		}
		return out
	}
	for _, tt := range []struct {
		name   string
		series []sources.Series
		o      VolumeOptions
		want   string
	}{
		{"the sum and the step when they fit", five(9)[:2], VolumeOptions{Range: r, Step: time.Minute}, "▓ warn 9  18 lines · 1m steps\n"},
		{"the sum without the step", five(9), VolumeOptions{Range: r, Step: time.Minute}, "▚ unknown 9  45 lines\n"},
		{"the levels first", five(12345), VolumeOptions{Range: r, Step: time.Minute}, "▚ unknown 12345\n"},
		{"no series", nil, VolumeOptions{Range: r, Step: time.Minute}, "no lines"},
		{"fine steps are averaged", []sources.Series{{Labels: map[string]string{"level": "info"},
			Points: points(3600, time.Second, func(int) float64 { return 2 })}}, VolumeOptions{Range: r, Step: time.Second}, "7200 lines"},
		{"a mark past the end", nil, VolumeOptions{Range: r, Step: time.Minute, Mark: sources.TimeRange{From: t0.Add(2 * time.Hour), To: t0.Add(3 * time.Hour)}}, "▼"},
		{"no step, zero window", []sources.Series{{Labels: map[string]string{}, Points: []sources.Point{{Time: t0, Value: 3}}}},
			VolumeOptions{Range: sources.TimeRange{From: t0, To: t0}}, "3 lines"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := LogVolume(&b, tt.series, tt.o); err != nil {
				t.Fatal(err)
			}
			checkWidth(t, b.String(), 80, false)
			if !strings.Contains(b.String(), tt.want) {
				t.Errorf("no %q in\n%s", tt.want, b.String())
			}
		})
	}
}

// The demo's patterns, clustered locally, and Loki-like ones with
// hostile text.
func TestPatternsGolden(t *testing.T) {
	_, sc := demoScenario(t)
	for _, width := range []int{80, 200} {
		c := NewPatternColumns(width, nil)
		step := sources.AutoStep(sc.Window, c.Spark)
		res := logpattern.Cluster(sc.Logs, sc.Window, step, logpattern.Options{})
		pats := append(res.Patterns, sources.LogPattern{
			Pattern: "evil \x1b[2J\x1b]0;pwned\x07 <_> \u202egnp.exe " + strings.Repeat("long ", 60), Count: 1, Level: "error",
			Samples: []sources.Point{{Time: sc.Window.To.Add(-time.Minute).Truncate(res.Step), Value: 1}},
		}, sources.LogPattern{Pattern: "", Count: 0})
		for _, color := range []bool{false, true} {
			name := fmt.Sprintf("patterns-%d", width)
			if color {
				name += "-color"
			}
			t.Run(name, func(t *testing.T) {
				var b bytes.Buffer
				if err := Patterns(&b, pats, PatternsOptions{Width: width, Styles: styles.New(color), Range: sc.Window, Step: res.Step}); err != nil {
					t.Fatal(err)
				}
				out := b.String()
				checkWidth(t, out, width, color)
				if strings.Contains(out, "\x1b[2J") || strings.Contains(out, "\x07") || strings.Contains(out, "\u202e") {
					t.Error("escape sequences reach the terminal")
				}
				golden(t, name, out)
			})
		}
	}
}

func TestPatternRowSparkline(t *testing.T) {
	r := sources.TimeRange{From: t0, To: t0.Add(10 * time.Minute)}
	p := sources.LogPattern{Pattern: "a <_> b", Count: 12, Level: "warn", Samples: points(10, time.Minute, func(i int) float64 {
		return []float64{0, 1, 8, 0, 0, 3, 0, 0, 0, 0}[i]
	})}
	c := PatternColumns{Count: 5, Level: 5, Spark: 10}
	got := string(AppendPatternRow(nil, &p, c, &PatternsOptions{Range: r, Step: time.Minute}))
	// a sample at t counts [t, t+1m): one column each; zero is blank
	if want := "   12 WARN   ▁█  ▃     a <_> b"; got != want {
		t.Errorf("\n got %q\nwant %q", got, want)
	}
	// piped: the pattern whole
	long := sources.LogPattern{Pattern: strings.Repeat("x", 300), Count: 1}
	c = NewPatternColumns(0, []sources.LogPattern{long})
	if row := string(AppendPatternRow(nil, &long, c, &PatternsOptions{Range: r, Step: time.Minute})); !strings.HasSuffix(row, strings.Repeat("x", 300)) {
		t.Errorf("piped row cut: %q", row)
	}
}

func BenchmarkLogVolume200(b *testing.B) {
	src, sc := demoScenario(b)
	step := sources.AutoStep(sc.Window, VolumeCells(200))
	series, err := src.LogVolume(context.Background(), sources.LogQuery{Query: `{namespace="shop"}`, Range: sc.Window}, step)
	if err != nil {
		b.Fatal(err)
	}
	st := styles.New(true)
	var buf bytes.Buffer
	b.ReportAllocs()
	for range b.N {
		buf.Reset()
		LogVolume(&buf, series, VolumeOptions{Width: 200, Styles: st, Range: sc.Window, Step: step, Location: time.UTC})
	}
}
