package render

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/tui/styles"
)

func logEntry(line, level string) sources.LogEntry {
	return sources.LogEntry{
		Time:     time.Date(2026, 11, 25, 5, 35, 42, 589_000_000, time.UTC),
		Line:     line,
		Labels:   map[string]string{"service_name": "payments", "env": "demo"},
		Metadata: map[string]string{"trace_id": "4bf92f3577b34da6a3ce929d0e0e4736"},
		TraceID:  "4bf92f3577b34da6a3ce929d0e0e4736",
		Level:    level,
	}
}

func TestLogRows(t *testing.T) {
	long := `level=error msg="card declined by the issuer after three retries" trace_id=4bf92f3577b34da6a3ce929d0e0e4736 span_id=00f067aa0ba902b7`
	entries := []sources.LogEntry{logEntry(long, "error"), logEntry("short", ""), logEntry("\x1b[31mred\x1b[0m \u202eevil", "warn")}
	var b bytes.Buffer
	if err := Logs(&b, entries, LogsOptions{Width: 80, Location: time.UTC, Styles: styles.New(false)}); err != nil {
		t.Fatal(err)
	}
	rows := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	want := []string{
		"2026-11-25 05:35:42.589 ERROR payments   card declined by the issuer after three",
		"                                         retries",
		"                                         trace_id=4bf92f3577b34da6a3ce929d0e0e47",
		"                                         36 span_id=00f067aa0ba902b7",
		"2026-11-25 05:35:42.589       payments   short",
		`2026-11-25 05:35:42.589 WARN  payments   \x1b[31mred\x1b[0m \u202eevil`,
	}
	if strings.Join(rows, "\n") != strings.Join(want, "\n") {
		t.Errorf("rows:\n%s\nwant:\n%s", strings.Join(rows, "\n"), strings.Join(want, "\n"))
	}

	// unwrapped when no width is given, as for a pipe
	b.Reset()
	Logs(&b, entries[:1], LogsOptions{Location: time.UTC, TimeFormat: LogTimeFormatShort})
	if got := b.String(); got != "05:35:42.589 ERROR payments   card declined by the issuer after three retries trace_id=4bf92f3577b34da6a3ce929d0e0e4736 span_id=00f067aa0ba902b7\n" {
		t.Errorf("unwrapped: %q", got)
	}
}

func TestLogRowsInColour(t *testing.T) {
	st := styles.New(true)
	e := logEntry(`msg=x trace_id=4bf92f3577b34da6a3ce929d0e0e4736`, "error")
	var b bytes.Buffer
	Logs(&b, []sources.LogEntry{e}, LogsOptions{Width: 200, Location: time.UTC, Styles: st, Labels: true})
	out := b.String()
	for _, want := range []string{st.Error.Apply("ERROR"), st.Highlight.Apply(string(e.TraceID)), st.Service("payments").Apply("payments  ")} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in %q", want, out)
		}
	}
	plain := ansi.Strip(out)
	if !strings.Contains(plain, `{env="demo", service_name="payments"} trace_id=4bf92f3577b34da6a3ce929d0e0e4736`) {
		t.Errorf("labels row missing: %q", plain)
	}
}

// every row fits the width, colour or not
func TestLogRowsFit(t *testing.T) {
	line := strings.Repeat("日本語のログ行 trace_id=4bf92f3577b34da6a3ce929d0e0e4736 ", 8)
	for _, width := range []int{60, 80, 123, 200} {
		for _, color := range []bool{false, true} {
			var b bytes.Buffer
			Logs(&b, []sources.LogEntry{logEntry(line, "info")}, LogsOptions{Width: width, Location: time.UTC, Styles: styles.New(color), Labels: true})
			for _, row := range strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n") {
				if w := ansi.StringWidth(row); w > width {
					t.Errorf("width %d colour %v: a row of %d: %q", width, color, w, row)
				}
			}
		}
	}
}
