package render

import (
	"bufio"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"

	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/sources/demo"
	"github.com/telx-cli/telx/tui/styles"
)

// formatLines are the lines of each format the log renderer is checked
// on: those the real programs wrote (HotROD, Jaeger, Loki, Prometheus,
// recorded for the line parser's tests), klog and syslog samples, and one
// line of each of the demo's services. Each entry's Loki time is a little
// after the line's own, as when a shipper reads it.
func formatLines(t *testing.T) map[string][]sources.LogEntry {
	t.Helper()
	files, err := filepath.Glob("../../sources/logline/testdata/lines/*.log")
	if err != nil || len(files) == 0 {
		t.Fatalf("no recorded lines: %v", err)
	}
	files = append(files, "testdata/lines/klog-syslog.log")
	at := time.Date(2026, 12, 1, 6, 58, 31, 700_000_000, time.UTC)
	out := map[string][]sources.LogEntry{}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".log")
		service, _, _ := strings.Cut(name, "-")
		fh, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(fh)
		sc.Buffer(nil, 1<<20)
		for n := 0; sc.Scan() && n < 24; n++ {
			out[name] = append(out[name], sources.LogEntry{
				Time: at.Add(time.Duration(n) * time.Millisecond), Line: sc.Text(),
				Labels: map[string]string{"service_name": service},
			})
		}
		fh.Close()
	}
	sc := demo.Generate(7, at, demo.Options{})
	seen := map[string]bool{}
	for _, e := range sc.Logs {
		svc := e.Labels["service_name"]
		if !seen[svc+e.Level] {
			seen[svc+e.Level] = true
			out["demo"] = append(out["demo"], e)
		}
	}
	return out
}

// Every format at 80 and 200 columns, plain and in colour: the line's own
// time, level, message and fields, TABs laid out, nothing raw.
func TestLogFormatsGolden(t *testing.T) {
	for name, entries := range formatLines(t) {
		for _, width := range []int{80, 200} {
			for _, color := range []bool{false, true} {
				t.Run(fmt.Sprintf("%s-%d-color=%v", name, width, color), func(t *testing.T) {
					var b strings.Builder
					Logs(&b, entries, LogsOptions{Width: width, Styles: styles.New(color), Location: time.UTC})
					out := b.String()
					for i, row := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
						if w := ansi.StringWidth(row); w > width {
							t.Errorf("row %d is %d wide: %q", i, w, row)
						}
						if strings.ContainsAny(ansi.Strip(row), "\t\x1b\r") {
							t.Errorf("row %d holds a TAB or a control character: %q", i, row)
						}
					}
					golden(t, "formats/"+strings.ReplaceAll(t.Name(), "/", "_"), out)
				})
			}
		}
	}
}

// Lines that would break a terminal or a parser render, neutralised, in
// every width and mode: JSON that is not, a 1 MB line, invalid UTF-8,
// escape sequences alone, and in field values (raw, or JSON-escaped).
func TestBadLinesRender(t *testing.T) {
	bad := []string{
		`{"level":"error","msg":"unterminated`,
		`{"msg": "x", "n": }`,
		strings.Repeat(`{"k":"`, 1000),
		`level=info msg="` + strings.Repeat("a", 1<<20) + `"`,
		"bad utf8 \xff\xfe\xfd in \xc3 the line",
		"\x1b[2J\x1b[H\x1b]0;pwned\x07\x1b[31m",
		"level=warn msg=\"login\" user=\"\x1b[31mred\x1b[0m\" ip=\u202e1.2.3.4",
		`{"level":"error","msg":"\u001b[2J cleared","user":"\u009b31m","path":"\u202egnp.exe"}`,
		"2026-12-01T06:15:25.318Z\tERROR\tdriver/redis.go:70\t\x1b]52;c;cHduZWQ=\x07\t{\"service\": \"\\u001b[5m\"}",
		"<34>Dec  1 06:15:28 host su: \x1b[2Jgone",
	}
	for _, raw := range []bool{false, true} {
		for _, width := range []int{0, 80, 200} {
			for _, line := range bad {
				e := sources.LogEntry{Time: time.Date(2026, 12, 1, 6, 0, 0, 0, time.UTC), Line: line, Labels: map[string]string{"service_name": "x"}}
				buf := AppendLogEntry(nil, &e, &LogsOptions{Width: width, Raw: raw, Location: time.UTC})
				out := string(buf)
				if strings.ContainsAny(out, "\x1b\x07\u009b\u202e\t\r") || !utf8.ValidString(out) {
					t.Errorf("raw %v width %d: %.80q renders %.120q", raw, width, line, out)
				}
				for _, row := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
					if width > 0 && ansi.StringWidth(row) > width {
						t.Errorf("raw %v width %d: a row of %d", raw, width, ansi.StringWidth(row))
					}
				}
			}
		}
	}
}

func TestExpandTabs(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"a\tb", "a       b"},
		{"abcdefgh\tx", "abcdefgh        x"},
		{"\t\t", "                "},
		{"日本\tx", "日本    x"},
		{"no tab", "no tab"},
	} {
		if got := ExpandTabs(tt.in); got != tt.want {
			t.Errorf("ExpandTabs(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// Spans whose times reach the ends of what a Duration holds (a Jaeger UI
// file's duration of 8e15 µs, an OTLP end of math.MaxInt64 ns) render at
// every width without a panic: the ruler's ticks stop before they overflow.
func TestWaterfallExtremeTimes(t *testing.T) {
	start := time.Date(2026, 11, 25, 5, 35, 42, 0, time.UTC)
	for _, tt := range []struct {
		name  string
		start time.Time
		d     time.Duration
	}{
		{"8e15µs", start, 8_000_000_000_000_000 * time.Microsecond},
		{"max", start, time.Duration(math.MaxInt64)},
		{"from 1970 to the end", time.Unix(0, 0).UTC(), time.Duration(math.MaxInt64)},
	} {
		tr := &sources.Trace{ID: "4bf92f3577b34da6a3ce929d0e0e4736", Spans: []sources.Span{
			{TraceID: "4bf92f3577b34da6a3ce929d0e0e4736", SpanID: "00f067aa0ba902b7", Service: "frontend", Operation: "GET /", Start: tt.start, Duration: 50 * time.Millisecond},
			{TraceID: "4bf92f3577b34da6a3ce929d0e0e4736", SpanID: "00f067aa0ba902b8", ParentID: "00f067aa0ba902b7", Service: "checkout", Operation: "Place", Start: tt.start.Add(time.Millisecond), Duration: tt.d},
		}}
		for width := 1; width <= 300; width += 7 {
			var b strings.Builder
			if err := Waterfall(&b, sources.BuildTree(tr), WaterfallOptions{Width: width, Location: time.UTC}); err != nil {
				t.Fatalf("%s at %d: %v", tt.name, width, err)
			}
			if !strings.Contains(b.String(), "checkout Place") && width >= 80 {
				t.Errorf("%s at %d: the span is not drawn:\n%s", tt.name, width, b.String())
			}
		}
	}
}

// The waterfall's header, warnings and footer are no wider than its rows,
// at any width (the rows keep a least width of their own).
func TestWaterfallHeaderFits(t *testing.T) {
	tr := &sources.Trace{ID: "4bf92f3577b34da6a3ce929d0e0e4736", Spans: []sources.Span{
		{TraceID: "4bf92f3577b34da6a3ce929d0e0e4736", SpanID: "00f067aa0ba902b7", Service: strings.Repeat("a-very-long-service-name-", 3), Operation: strings.Repeat("an operation ", 6),
			Start: time.Date(2026, 11, 25, 5, 35, 42, 0, time.UTC), Duration: 50 * time.Millisecond},
		{TraceID: "4bf92f3577b34da6a3ce929d0e0e4736", SpanID: "00f067aa0ba902b8", ParentID: "00f067aa0ba902b7", Service: "checkout", Operation: "Place",
			Start: time.Date(2026, 11, 25, 5, 35, 41, 0, time.UTC), Duration: 3 * time.Second},
	}}
	tree := sources.BuildTree(tr)
	if len(tree.Warnings) == 0 {
		t.Fatal("the trace has no warning to cut")
	}
	for _, width := range []int{1, 20, 40, 59, 60, 61, 80, 120} {
		for _, color := range []bool{false, true} {
			var b strings.Builder
			if err := Waterfall(&b, tree, WaterfallOptions{Width: width, Styles: styles.New(color), Location: time.UTC}); err != nil {
				t.Fatal(err)
			}
			limit := max(width, 60)
			for i, row := range strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n") {
				if w := ansi.StringWidth(row); w > limit {
					t.Errorf("width %d colour %v: row %d is %d wide: %q", width, color, i, w, ansi.Strip(row))
				}
			}
		}
	}
}
