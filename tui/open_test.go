package tui_test

import (
	"regexp"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/telx-cli/telx/sources/demo"
	"github.com/telx-cli/telx/tui"
	"github.com/telx-cli/telx/tui/internal/tracetest"
	"github.com/telx-cli/telx/tui/logs"
	"github.com/telx-cli/telx/tui/metrics"
	"github.com/telx-cli/telx/tui/styles"
)

// openOffer is the Logs pane's offer to open the selected line's trace.
var openOffer = regexp.MustCompile(`enter: open trace ([0-9a-f]{8,})`)

// queryExplorer is the demo's explorer as telx explore opens it (no
// trace), with o's queries, at w x h.
func queryExplorer(t *testing.T, w, h int, logQuery, metricQuery string, extra bool) tui.Model {
	t.Helper()
	return queryExplorerStyled(t, w, h, logQuery, metricQuery, extra, false)
}

func queryExplorerStyled(t *testing.T, w, h int, logQuery, metricQuery string, extra, color bool) tui.Model {
	t.Helper()
	src := tracetest.Demo(t)
	st := styles.New(color)
	o := tui.Options{Traces: src, Logs: src, Metrics: src, Sources: "demo", Service: "frontend",
		Now: func() time.Time { return tracetest.Now }, Location: time.UTC, Styles: st, Limit: 30,
		LogQuery: logQuery, MetricQuery: metricQuery}
	if extra {
		o.Extra = []tui.Pane{
			logs.New(logs.Options{Source: src, Styles: st, Location: time.UTC}),
			metrics.New(metrics.Options{Source: src, Styles: st, Location: time.UTC}),
		}
	}
	m := tui.New(o)
	m = syncUpdate(m, tea.WindowSizeMsg{Width: w, Height: h})
	return syncUpdate(m, m.Init()())
}

// Opened with a LogQL query (telx explore --logs), the Logs pane is
// focused on the query's lines, over the search window; Enter on a line
// opens its trace in the waterfall, the panes following its span as
// when the trace is opened from the list.
func TestOpenOnLogQuery(t *testing.T) {
	q := `{service_name="payments"} | level="error"`
	for _, size := range [][2]int{{80, 24}, {200, 50}} {
		t.Run(itoa(size[0])+"x"+itoa(size[1]), func(t *testing.T) {
			m := queryExplorer(t, size[0], size[1], q, "", true)
			s := ansi.Strip(m.Render())
			tracetest.CheckScreen(t, s, size[0], size[1])
			if !strings.Contains(s, "▶ Logs · "+q) {
				t.Fatalf("the Logs pane is not focused on the query:\n%s", s)
			}
			if n := strings.Count(s, "ERROR payments"); n < 3 || strings.Contains(s, "INFO ") {
				t.Errorf("%d error lines of payments, want only the query's:\n%s", n, s)
			}
			// the line's trace
			offer := openOffer.FindStringSubmatch(s)
			if offer == nil {
				t.Fatalf("the line's trace is not offered:\n%s", s)
			}
			m = syncUpdate(m, key("enter"))
			s = ansi.Strip(m.Render())
			if !strings.Contains(s, "▶ Waterfall") || !strings.Contains(s, "\n"+offer[1]) ||
				!strings.Contains(s, "Logs · span ") || !strings.Contains(s, "Metrics · ") {
				t.Errorf("enter on a line of %s…: not its trace's waterfall with the span's logs and metrics:\n%s", offer[1], s)
			}
		})
	}
}

// Opened with a PromQL query (--metrics), the Metrics pane is focused on
// its series; with both, the Logs pane is focused and the Metrics pane
// shows its query too.
func TestOpenOnMetricQuery(t *testing.T) {
	pq := `sum(rate(` + demo.CallsMetric + `{service_name="checkout",span_kind="SPAN_KIND_SERVER"}[5m]))`
	m := queryExplorer(t, 80, 24, "", pq, true)
	s := ansi.Strip(m.Render())
	if !strings.Contains(s, "▶ Metrics · sum(rate(") || !strings.Contains(s, "QUERY") || !strings.Contains(s, "\nquery ") {
		t.Errorf("the Metrics pane is not focused on the query:\n%s", s)
	}
	lq := `{service_name="checkout"}`
	m = queryExplorer(t, 200, 50, lq, pq, true)
	s = ansi.Strip(m.Render())
	if !strings.Contains(s, "▶ Logs · "+lq) || !strings.Contains(s, "  Metrics · sum(rate(") || !strings.Contains(s, "\nquery ") && !strings.Contains(s, "│query ") {
		t.Errorf("with both queries:\n%s", s)
	}
}

// A query the command line refuses, or a pane that is not there, is
// said on the status bar; the explorer opens as usual.
func TestOpenOnBadQuery(t *testing.T) {
	for _, tt := range []struct {
		logs, metrics string
		extra         bool
		want          string
	}{
		{`service_name="payments"`, "", true, ":logs needs a LogQL query starting with a stream selector"},
		{`{service_name="payments"}`, "", false, "no Logs pane"},
		{"", "up", false, "no Metrics pane"},
	} {
		m := queryExplorer(t, 80, 24, tt.logs, tt.metrics, tt.extra)
		if st := statusLine(m); !strings.Contains(st, tt.want) {
			t.Errorf("%q %q: status %q, want %q", tt.logs, tt.metrics, st, tt.want)
		}
		if s := ansi.Strip(m.Render()); !strings.Contains(s, "▶ Traces") {
			t.Errorf("%q %q: the traces are not focused:\n%s", tt.logs, tt.metrics, s)
		}
	}
}
