package tui

import "time"

// LiveMsg goes to every pane when live mode starts, pauses or changes its
// interval: On with the refresh interval, or paused. A pane that follows
// (the Logs pane's tail) or refreshes (the Metrics and Traces panes, the
// alerts) starts or stops doing so; pausing cancels what is in flight.
type LiveMsg struct {
	On       bool
	Interval time.Duration
}
