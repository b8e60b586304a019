package cmd

import (
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/telx-cli/telx/tui/live"
)

// liveFlags are the explorer's live mode flags: --live and --refresh.
type liveFlags struct {
	live    bool
	refresh time.Duration
}

func addLiveFlags(c *cobra.Command, lf *liveFlags) {
	f := c.Flags()
	f.BoolVar(&lf.live, "live", false, "start in live mode: the panes refresh, the alerts too (L pauses)")
	f.DurationVar(&lf.refresh, "refresh", 0, "live mode's refresh interval, a second at least (default: the context's refresh, else 15s); implies --live")
}

// resolve gives live mode's start and interval: --refresh, else the
// context's refresh, else live.DefaultInterval. Live mode starts with
// --live, or with --refresh unless --live=false says otherwise.
func (lf liveFlags) resolve(c *cobra.Command, g *GlobalOptions) (on bool, interval time.Duration, err error) {
	interval = live.DefaultInterval
	if g.Context != nil && g.Context.Refresh > 0 {
		interval = g.Context.Refresh
	}
	refresh := c.Flags().Changed("refresh")
	if refresh {
		if lf.refresh < live.MinInterval {
			return false, 0, UsageError(fmt.Errorf("--refresh %s: want a second or more, such as 15s", lf.refresh))
		}
		interval = lf.refresh
	}
	on = lf.live || (refresh && !c.Flags().Changed("live"))
	return on, interval, nil
}

// apply fills the explorer's live options from the flags.
func (lf liveFlags) apply(c *cobra.Command, g *GlobalOptions, opts *ExploreOptions) error {
	on, interval, err := lf.resolve(c, g)
	opts.Live, opts.Refresh = on, interval
	return err
}

// explorerOnly refuses the flags where no explorer opens (telx trace
// without -i).
func (lf liveFlags) explorerOnly(c *cobra.Command) error {
	if c.Flags().Changed("live") || c.Flags().Changed("refresh") {
		return UsageError(errors.New("--live and --refresh are the explorer's: add -i"))
	}
	return nil
}
