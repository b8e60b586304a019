package cmd

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"

	"github.com/telx-cli/telx/internal/teasync"
	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/sources/demo"
	"github.com/telx-cli/telx/tui"
)

// countingSource answers Trace with a trace of the asked ID, once release
// is closed, and counts the calls.
type countingSource struct {
	sources.TraceSource
	mu      sync.Mutex
	calls   []sources.TraceID
	release chan struct{}
}

func (c *countingSource) Trace(ctx context.Context, id sources.TraceID) (*sources.Trace, error) {
	c.mu.Lock()
	c.calls = append(c.calls, id)
	c.mu.Unlock()
	select {
	case <-c.release:
		return &sources.Trace{ID: id}, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (c *countingSource) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.calls)
}

func TestPrefetch(t *testing.T) {
	const id, other = sources.TraceID("0af7651916cd43dd8448eb211c80319c"), sources.TraceID("1af7651916cd43dd8448eb211c80319c")
	src := &countingSource{release: make(chan struct{})}
	p := prefetch(context.Background(), src, id)
	for src.count() == 0 {
		time.Sleep(time.Millisecond) // the fetch starts at once, before anyone asks
	}

	// asked for while the fetch is running: the caller may give up
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := p.Trace(ctx, id); !errors.Is(err, context.Canceled) {
		t.Fatalf("a cancelled wait: %v", err)
	}

	close(src.release)
	src2 := &countingSource{release: src.release}
	p = prefetch(context.Background(), src2, id)
	if tr, err := p.Trace(context.Background(), id); err != nil || tr.ID != id {
		t.Fatalf("first call: %v, %v", tr, err)
	}
	if n := src2.count(); n != 1 {
		t.Errorf("the prefetched trace was fetched %d times, want once", n)
	}
	// later calls, and other traces, go to the backend
	if tr, err := p.Trace(context.Background(), id); err != nil || tr.ID != id || src2.count() != 2 {
		t.Errorf("second call: %v, %v, %d calls", tr, err, src2.count())
	}
	if tr, err := p.Trace(context.Background(), other); err != nil || tr.ID != other || src2.count() != 3 {
		t.Errorf("another trace: %v, %v, %d calls", tr, err, src2.count())
	}
}

// --logs and --metrics: a query that cannot be one is a usage error,
// before the terminal is asked for; a good one reaches the explorer.
func TestExploreQueryFlagsUsage(t *testing.T) {
	for _, tt := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"explore", "--demo", "--logs", `service_name="payments"`}, ExitUsage, "--logs needs a LogQL query starting with a stream selector"},
		{[]string{"demo", "--logs", "error"}, ExitUsage, "--logs needs a LogQL query"},
		{[]string{"explore", "--demo", "--metrics", " "}, ExitUsage, "--metrics needs a PromQL query"},
		// good queries: on to the explorer, which needs a terminal
		{[]string{"explore", "--demo", "--logs", ` {service_name="payments"}`}, ExitUsage, "needs a terminal"},
		{[]string{"explore", "--demo", "--metrics", "up", "--logs", `{service_name="payments"}`}, ExitUsage, "needs a terminal"},
	} {
		code, _, errOut := runIn(t, 80, colorprofile.NoTTY, "", noBackends, tt.args...)
		if code != tt.code || !strings.Contains(errOut, tt.want) {
			t.Errorf("%q: exit %d, %q; want %d, %q", tt.args, code, errOut, tt.code, tt.want)
		}
	}
}

// telx explore --logs Q opens on the Logs pane focused on Q's lines,
// --metrics Q on the Metrics pane focused on Q's series; with both, the
// Logs pane is focused.
func TestExploreQueryFlags(t *testing.T) {
	lq := `{service_name="payments"} | level="error"`
	mq := `sum(rate(` + demo.CallsMetric + `{service_name="payments",span_kind="SPAN_KIND_SERVER"}[5m]))`
	for _, tt := range []struct {
		name       string
		logs, prom string
		want       []string
	}{
		{"logs", lq, "", []string{"▶ Logs · " + lq, "ERROR payments", "  Metrics ─"}},
		{"metrics", "", mq, []string{"▶ Metrics · sum(rate(", "QUERY", "\nquery "}},
		{"both", lq, mq, []string{"▶ Logs · " + lq, "ERROR payments", "  Metrics · sum(rate("}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var buf strings.Builder
			io := TestIO(&buf, &buf)
			g := &GlobalOptions{now: time.Now, Timeout: 5 * time.Second, Demo: true}
			var got tui.Model
			opts := &ExploreOptions{IO: io, Global: g, Lookback: time.Hour, Limit: 10, LogQuery: tt.logs, MetricQuery: tt.prom,
				Source: func() (sources.TraceSource, error) { return g.demoSource() },
				Run:    func(m tea.Model) error { got = m.(tui.Model); return nil }}
			if err := exploreRun(context.Background(), opts); err != nil {
				t.Fatal(err)
			}
			m := teasync.Run(got, teasync.Model[tui.Model], tea.WindowSizeMsg{Width: 80, Height: 24})
			m = teasync.Run(m, teasync.Model[tui.Model], m.Init()())
			screen := ansi.Strip(m.Render())
			for _, w := range tt.want {
				if !strings.Contains(screen, w) {
					t.Errorf("screen lacks %q:\n%s", w, screen)
				}
			}
		})
	}
}
