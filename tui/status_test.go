package tui

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/tui/internal/tracetest"
)

type downMetrics struct{ sources.MetricSource }

func (downMetrics) Alerts(context.Context) ([]sources.Alert, error) {
	return nil, errors.New("prometheus at http://127.0.0.1:9: connection refused\nhint: is Prometheus running?")
}

// The status bar tells which kinds of backend answered their last call,
// and an error's first line only: its hint stays out.
func TestStatusBarHealth(t *testing.T) {
	o := demoOptions(t)
	o.Trace = tracetest.Demo(t).SlowestFailingTrace()
	o.Metrics = downMetrics{o.Metrics}
	m := start(o, 200, 50)
	bar := ansi.Strip(m.statusBar())
	for _, want := range []string{"traces ✓", "metrics ✗", "✗ alerts: prometheus at http://127.0.0.1:9: connection refused"} {
		if !strings.Contains(bar, want) {
			t.Errorf("the status bar lacks %q: %q", want, bar)
		}
	}
	for _, not := range []string{"hint", `\n`, "logs"} {
		if strings.Contains(bar, not) {
			t.Errorf("the status bar has %q: %q", not, bar)
		}
	}
	// the same call answering later turns the mark
	m = update(m, doneMsg{what: "alerts", answer: AlertsMsg{}})
	if bar := ansi.Strip(m.statusBar()); !strings.Contains(bar, "metrics ✓") {
		t.Errorf("after an answer: %q", bar)
	}
}
