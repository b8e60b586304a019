// Package live is what a refreshing pane of the explorer embeds: a
// Refresher that schedules the pane's ticks (a tea.Tick carrying the
// pane's ID and a sequence number), tells when a refresh is due, keeps
// the number of the answer awaited so that a stale one is dropped, never
// starts a refresh while one is in flight, and cancels the one in flight
// when live mode pauses.
//
// A pane calls Start when live mode turns on (and refreshes at once, to
// catch up), Pause when it pauses, Tick on each TickMsg (refreshing when
// it says so), Load or Refresh when a query starts and Done when its
// answer comes.
package live

import (
	"context"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
)

// DefaultInterval is the refresh interval when none is set.
const DefaultInterval = 15 * time.Second

// MinInterval is the shortest refresh interval telx takes.
const MinInterval = time.Second

// Format writes an interval as the --refresh flag reads it, with no zero
// units: "15s", "1m", "1m30s", "2h".
func Format(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = s[:len(s)-2]
	}
	if strings.HasSuffix(s, "h0m") {
		s = s[:len(s)-2]
	}
	return s
}

// TickMsg is a pane's refresh coming due: ID is the pane's, Seq the
// generation of ticks it belongs to (a tick of a generation since paused
// or restarted is stale and dropped).
type TickMsg struct {
	ID, Seq int
}

// UpdatedMsg tells the explorer that a pane's data was brought up to
// date in live mode, for the status bar's "updated" time.
type UpdatedMsg struct {
	ID int
}

// Ticker makes the command that delivers msg after d. Tick, the default,
// is a tea.Tick; tests give one that records msg and returns nil, and
// send the TickMsg themselves.
type Ticker func(d time.Duration, msg TickMsg) tea.Cmd

// Tick delivers msg after d.
func Tick(d time.Duration, msg TickMsg) tea.Cmd {
	return tea.Tick(d, func(time.Time) tea.Msg { return msg })
}

// Refresher is the live state of one pane: whether it refreshes, how
// often, and the query in flight. The zero value is paused with nothing
// in flight; New gives it the pane's ID.
type Refresher struct {
	id     int
	ticker Ticker

	on    bool
	asked time.Duration // the interval live mode asks for
	floor time.Duration // the pane's own minimum (a query's step)
	gen   int           // the ticks' generation

	seq        int  // the last query's number
	flight     bool // the query seq is awaited
	refreshing bool // and it is a refresh (the pane keeps what it shows)
	cancel     context.CancelFunc
}

// New returns a paused Refresher for the pane id, scheduling with t (nil:
// Tick).
func New(id int, t Ticker) Refresher {
	if t == nil {
		t = Tick
	}
	return Refresher{id: id, ticker: t}
}

// ID is the pane's ID the ticks carry.
func (r Refresher) ID() int { return r.id }

// On tells whether live mode is on for the pane.
func (r Refresher) On() bool { return r.on }

// Interval is the time between refreshes: the interval asked for, not
// under the pane's floor.
func (r Refresher) Interval() time.Duration {
	d := r.asked
	if d <= 0 {
		d = DefaultInterval
	}
	return max(d, r.floor, MinInterval)
}

// SetFloor sets the pane's shortest interval (the Metrics pane's step):
// the next tick is scheduled at Interval.
func (r *Refresher) SetFloor(d time.Duration) { r.floor = d }

// Start turns live mode on at interval (DefaultInterval if not positive)
// and returns the command of the first tick. Ticks of an earlier start
// are dropped from now on. The pane catches up itself: it refreshes at
// once when it has something to show.
func (r *Refresher) Start(interval time.Duration) tea.Cmd {
	r.on, r.asked = true, interval
	r.gen++
	return r.next()
}

// Pause turns live mode off: the ticks scheduled are dropped and a
// refresh in flight is cancelled (a query the user asked for goes on).
func (r *Refresher) Pause() {
	r.on = false
	r.gen++
	if r.flight && r.refreshing {
		r.Cancel()
	}
}

// Set starts (on) or pauses live mode, as a LiveMsg asks.
func (r *Refresher) Set(on bool, interval time.Duration) tea.Cmd {
	if !on {
		r.Pause()
		return nil
	}
	return r.Start(interval)
}

func (r *Refresher) next() tea.Cmd {
	return r.ticker(r.Interval(), TickMsg{ID: r.id, Seq: r.gen})
}

// Tick handles a TickMsg: for another pane's tick, or a stale one, it
// returns false and nil. Else it schedules the next tick and tells
// whether a refresh is due now: not while a query is in flight.
func (r *Refresher) Tick(msg TickMsg) (due bool, next tea.Cmd) {
	if msg.ID != r.id || msg.Seq != r.gen || !r.on {
		return false, nil
	}
	return !r.flight, r.next()
}

// Load starts a query the user asked for (a new selection, a new
// search): a query in flight is cancelled, its answer will be stale. It
// returns the number the answer carries. cancel (which may be nil) stops
// the query.
func (r *Refresher) Load(cancel context.CancelFunc) int { return r.begin(cancel, false) }

// Refresh starts a live refresh, as Load does; pausing cancels it.
func (r *Refresher) Refresh(cancel context.CancelFunc) int { return r.begin(cancel, true) }

func (r *Refresher) begin(cancel context.CancelFunc, refresh bool) int {
	r.Cancel()
	r.seq++
	r.flight, r.refreshing, r.cancel = true, refresh, cancel
	return r.seq
}

// InFlight tells whether a query's answer is awaited.
func (r Refresher) InFlight() bool { return r.flight }

// Refreshing tells whether the query in flight is a refresh (the pane
// keeps showing what it has until the answer).
func (r Refresher) Refreshing() bool { return r.flight && r.refreshing }

// Seq is the number of the last query started.
func (r Refresher) Seq() int { return r.seq }

// Done takes the answer numbered seq: it tells whether that is the
// answer to the last query (then nothing is in flight any more), false
// for a stale or cancelled one, which the pane drops.
func (r *Refresher) Done(seq int) bool {
	if seq != r.seq {
		return false
	}
	r.flight, r.refreshing, r.cancel = false, false, nil
	return true
}

// Cancel stops the query in flight, if any; its answer will be dropped.
func (r *Refresher) Cancel() {
	if r.cancel != nil {
		r.cancel()
	}
	if r.flight {
		r.seq++ // its answer is stale
	}
	r.flight, r.refreshing, r.cancel = false, false, nil
}
