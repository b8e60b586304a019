package render

import (
	"strings"
	"testing"
	"time"

	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/tui/styles"
)

// A zoom window far past the trace's start (a trace whose spans lie
// centuries apart, as a Jaeger UI file can hold) draws its ruler: the
// window's offset is more than a Duration holds, and the first tick after
// it once overflowed into a loop over the whole int64 range.
func TestRulerWindowPastWhatADurationHolds(t *testing.T) {
	t0 := time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)
	late := time.Date(2600, 1, 1, 0, 0, 0, 0, time.UTC)
	tr := sources.BuildTree(&sources.Trace{ID: "4bf92f3577b34da6a3ce929d0e0e4736", Spans: []sources.Span{
		{TraceID: "4bf92f3577b34da6a3ce929d0e0e4736", SpanID: "00f067aa0ba902b7", Service: "a", Operation: "early", Start: t0, Duration: time.Second},
		{TraceID: "4bf92f3577b34da6a3ce929d0e0e4736", SpanID: "00f067aa0ba902b8", Service: "b", Operation: "late", Start: late, Duration: 730 * time.Millisecond},
	}})
	done := make(chan string, 1)
	go func() {
		done <- WaterfallRulerWindow(tr, sources.TimeRange{From: late, To: late.Add(730 * time.Millisecond)}, 80, styles.New(false))
	}()
	select {
	case ruler := <-done:
		if lines := strings.Split(ruler, "\n"); len(lines) != 2 || !strings.Contains(lines[1], "├") {
			t.Errorf("ruler:\n%s", ruler)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the ruler was not drawn in 10s")
	}
}
