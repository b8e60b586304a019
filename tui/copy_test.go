package tui_test

import (
	"encoding/base64"
	"io"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/tui"
	"github.com/telx-cli/telx/tui/internal/tracetest"
	"github.com/telx-cli/telx/tui/logs"
	"github.com/telx-cli/telx/tui/metrics"
	"github.com/telx-cli/telx/tui/styles"
)

// osc52 is the OSC 52 sequence that sets the clipboard to text, written
// out here rather than taken from the code under test.
func osc52(text string) string {
	return "\x1b]52;c;" + base64.StdEncoding.EncodeToString([]byte(text))
}

// y in a real program: in the waterfall it writes the open trace's ID to
// the terminal as OSC 52, in the Logs pane the selected line; the status
// bar says what was copied; in the Metrics pane there is nothing to copy.
func TestCopy(t *testing.T) {
	src := tracetest.Demo(t)
	tr := src.SlowestFailingTrace()
	st := styles.New(false)
	lp := logs.New(logs.Options{Source: src, Styles: st, Location: time.UTC})
	o := tui.Options{Traces: src, Logs: src, Metrics: src, Sources: "demo", Trace: tr,
		Now: func() time.Time { return tracetest.Now }, Location: time.UTC, Styles: st, Limit: 30,
		Extra: []tui.Pane{lp, metrics.New(metrics.Options{Source: src, Styles: st, Location: time.UTC})}}
	screen := &atomic.Value{}
	tm := teatest.NewTestModel(t, probe{tui.New(o), screen}, teatest.WithInitialTermSize(200, 50))
	waitScreen(t, screen, "the trace's logs", func(s string) bool {
		return strings.Contains(s, string(tr.ID)) && strings.Contains(s, "line 1/")
	})
	tm.Send(key("y"))
	waitScreen(t, screen, "the copy's notice", func(s string) bool {
		return strings.Contains(s, "copied the trace ID "+string(tr.ID)+" to the clipboard")
	})
	tm.Send(key("tab")) // details
	tm.Send(key("tab")) // logs
	waitScreen(t, screen, "the Logs pane focused", func(s string) bool { return strings.Contains(s, "▶ Logs") })
	tm.Send(key("y"))
	waitScreen(t, screen, "the line's notice", func(s string) bool { return strings.Contains(s, "copied the log line ") })
	tm.Send(key("tab")) // metrics
	tm.Send(key("y"))
	waitScreen(t, screen, "nothing to copy", func(s string) bool { return strings.Contains(s, "✗ nothing to copy here") })
	tm.Send(key("q"))
	out, err := io.ReadAll(tm.FinalOutput(t, teatest.WithFinalTimeout(5*time.Second)))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(out), osc52(string(tr.ID))) {
		t.Error("no OSC 52 sequence of the trace ID in the output")
	}
	// the line selected when y was pressed: the Logs pane's first line of
	// the span shown, as the explorer had it
	line := firstLogLine(t, tr)
	if !strings.Contains(string(out), osc52(line)) {
		t.Errorf("no OSC 52 sequence of the log line %q in the output", line)
	}
	if n := strings.Count(string(out), "\x1b]52;"); n != 2 {
		t.Errorf("%d OSC 52 sequences, want 2 (nothing copied in the Metrics pane)", n)
	}
}

// firstLogLine is the first line the Logs pane shows for the root span
// of tr.
func firstLogLine(t *testing.T, tr *sources.Trace) string {
	t.Helper()
	lp := logs.New(logs.Options{Source: tracetest.Demo(t), Location: time.UTC})
	lp = drive(lp, tui.SpanSelectedMsg{Trace: tr, Span: tr.Root()})
	e := lp.Selected()
	if e == nil {
		t.Fatal("no line for the root span")
	}
	return e.Line
}
