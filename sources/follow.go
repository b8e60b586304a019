package sources

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// LogFollowSource is a log source that follows a query live (Loki's
// tail, the demo's replay): the Logs pane's live mode and telx logs
// --follow.
type LogFollowSource interface {
	// FollowLogs calls fn with the lines of q from q.Range.From on (at
	// most q.Limit of those already there when it starts) as they arrive,
	// oldest first but for lines the source finds late (Loki's, a few
	// seconds after a connection opens), until ctx ends (it then returns
	// ctx's error), fn fails (its error) or the backend fails for good. A
	// connection that drops is opened again from the last line passed on,
	// and no line is passed on twice by one call; the first connection
	// failing is an error at once, not awaited. Lines at q.Range.From
	// itself may be passed on: a caller that loaded them already skips
	// them. fn is not called concurrently.
	FollowLogs(ctx context.Context, q LogQuery, o FollowOptions, fn func(LogEntry) error) error
}

// FollowOptions tune FollowLogs.
type FollowOptions struct {
	// Notify, when set, hears what befalls the follow besides its lines
	// (on the follow's goroutine, between lines).
	Notify func(FollowEvent)
	// MaxBackoff caps the wait between reconnection attempts (0: the
	// source's default).
	MaxBackoff time.Duration
}

// FollowEvent is news of a follow other than a line: one of Connected,
// Err (with Retry), Dropped or Recovered.
type FollowEvent struct {
	// Connected says the follow is connected, and live from now on.
	Connected bool
	// Err is why the connection ended or could not be opened; the next
	// attempt starts in Retry.
	Err   error
	Retry time.Duration
	// Dropped is a count of lines the backend dropped without sending
	// them (Loki's dropped_entries, when it cannot keep up); DroppedMore
	// says it dropped more than it counted (Loki lists at most 1,000 in a
	// message).
	Dropped     int
	DroppedMore bool
	// Recovered is a count of lines a catch-up query fetched that the
	// tail had not passed on: lines it dropped, counted or not.
	Recovered int
}

func (e FollowEvent) String() string {
	switch {
	case e.Err != nil:
		msg, _, _ := strings.Cut(e.Err.Error(), "\n")
		return fmt.Sprintf("the tail connection ended (%s); reconnecting in %s", msg, e.Retry)
	case e.Dropped > 0 && e.DroppedMore:
		return fmt.Sprintf("the tail dropped at least %d lines (the backend could not keep up)", e.Dropped)
	case e.Dropped > 0:
		return fmt.Sprintf("the tail dropped %d lines (the backend could not keep up)", e.Dropped)
	case e.Recovered > 0:
		return fmt.Sprintf("fetched %d lines the tail missed", e.Recovered)
	case e.Connected:
		return "the tail is connected"
	}
	return "nothing"
}
