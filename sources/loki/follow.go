package loki

import (
	"context"

	"github.com/telx-cli/telx/sources"
)

var _ sources.LogFollowSource = (*Client)(nil)

// FollowLogs is Follow behind sources.LogFollowSource: the Logs pane's
// live mode. Its events are Follow's (FollowOptions.Event).
func (c *Client) FollowLogs(ctx context.Context, q sources.LogQuery, o sources.FollowOptions, fn func(sources.LogEntry) error) error {
	return c.Follow(ctx, q, FollowOptions{Event: o.Notify, MaxBackoff: o.MaxBackoff}, fn)
}
