package cmd

import (
	"context"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/spf13/cobra"

	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/sources/config"
	"github.com/telx-cli/telx/tui"
)

// --live and --refresh, with and without a context's refresh.
func TestLiveFlags(t *testing.T) {
	for _, tt := range []struct {
		name    string
		args    []string
		context time.Duration
		on      bool
		every   time.Duration
		err     string
	}{
		{"none", nil, 0, false, 15 * time.Second, ""},
		{"live", []string{"--live"}, 0, true, 15 * time.Second, ""},
		{"refresh implies live", []string{"--refresh", "5s"}, 0, true, 5 * time.Second, ""},
		{"refresh, paused", []string{"--refresh", "5s", "--live=false"}, 0, false, 5 * time.Second, ""},
		{"the context's interval", []string{"--live"}, 30 * time.Second, true, 30 * time.Second, ""},
		{"the context's interval, not on", nil, 30 * time.Second, false, 30 * time.Second, ""},
		{"the flag wins", []string{"--refresh", "1m"}, 30 * time.Second, true, time.Minute, ""},
		{"too fast", []string{"--refresh", "100ms"}, 0, false, 0, "--refresh 100ms: want a second or more"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := &cobra.Command{Use: "x", RunE: func(*cobra.Command, []string) error { return nil }}
			var lf liveFlags
			addLiveFlags(c, &lf)
			if err := c.ParseFlags(tt.args); err != nil {
				t.Fatal(err)
			}
			g := &GlobalOptions{}
			if tt.context > 0 {
				g.Context = &config.Context{Refresh: tt.context}
			}
			opts := &ExploreOptions{}
			err := lf.apply(c, g, opts)
			switch {
			case tt.err != "":
				if err == nil || !strings.Contains(err.Error(), tt.err) || exitCode(err) != ExitUsage {
					t.Fatalf("error %v, want a usage error with %q", err, tt.err)
				}
			case err != nil:
				t.Fatal(err)
			case opts.Live != tt.on || opts.Refresh != tt.every:
				t.Errorf("live %v every %v, want %v every %v", opts.Live, opts.Refresh, tt.on, tt.every)
			}
		})
	}
}

// The flags reach the explorer; a bad one is a usage error before the
// terminal is asked for; telx trace takes them with -i only.
func TestLiveFlagsReachTheExplorer(t *testing.T) {
	var buf strings.Builder
	io := TestIO(&buf, &buf)
	g := &GlobalOptions{now: time.Now, Timeout: time.Second, Demo: true}
	var got tui.Model
	opts := &ExploreOptions{IO: io, Global: g, Demo: true, Lookback: time.Hour, Limit: 10, Live: true, Refresh: 5 * time.Second,
		Source: func() (sources.TraceSource, error) { return g.demoSource() },
		Run:    func(m tea.Model) error { got = m.(tui.Model); return nil }}
	if err := exploreRun(context.Background(), opts); err != nil {
		t.Fatal(err)
	}
	if on, every := got.Live(); !on || every != 5*time.Second {
		t.Errorf("the explorer is live %v every %v", on, every)
	}

	for _, args := range [][]string{{"demo", "--refresh", "10ms"}, {"explore", "--demo", "--refresh", "0s"}, {"trace", "-i", "--demo", "--refresh", "1ms"}} {
		code, _, errOut := runIn(t, 80, colorprofile.NoTTY, "", noBackends, args...)
		if code != ExitUsage || !strings.Contains(errOut, "want a second or more") {
			t.Errorf("%v: exit %d, %q", args, code, errOut)
		}
	}
	code, _, errOut := runIn(t, 80, colorprofile.NoTTY, "", noBackends, "trace", "--demo", "--live")
	if code != ExitUsage || !strings.Contains(errOut, "add -i") {
		t.Errorf("trace --live without -i: exit %d, %q", code, errOut)
	}
}
