package demo

import (
	"context"
	"fmt"
	"hash/fnv"
	"strings"
	"time"

	"github.com/telx-cli/telx/sources"
)

// ReplayPeriod is how much of the scenario's end the demo's follow
// replays, over and over: after the scenario's end, a line logged
// ReplayPeriod before is logged again, as if the incident went on.
const ReplayPeriod = 10 * time.Minute

// Clock is the time the demo's follow runs by: the wall clock unless
// SetClock gives another (tests give one they move by hand).
type Clock interface {
	Now() time.Time
	// After delivers on the channel once d has passed, as time.After.
	After(d time.Duration) <-chan time.Time
}

type wallClock struct{}

func (wallClock) Now() time.Time                         { return time.Now() }
func (wallClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// SetClock makes the follow run by c; nil is the wall clock.
func (s *Source) SetClock(c Clock) { s.clock = c }

func (s *Source) now() Clock {
	if s.clock == nil {
		return wallClock{}
	}
	return s.clock
}

var _ sources.LogFollowSource = (*Source)(nil)

// FollowLogs follows a query of QueryLogs' subset: the scenario's own
// lines from q.Range.From (at most q.Limit of those already logged, the
// newest), then, past the scenario's end, its last ReplayPeriod replayed
// again and again at their own pace, each line with its time moved on (in
// its text too) by whole periods. Lines arrive when the clock reaches
// their time, so that the demo in live mode shows the incident going
// on; the pace is the scenario's (about 13 lines a minute over every
// service at its end), its lines and order always the same. It is
// connected at once and never drops a line.
func (s *Source) FollowLogs(ctx context.Context, q sources.LogQuery, o sources.FollowOptions, fn func(sources.LogEntry) error) error {
	lq, err := parseLogQL(q.Query)
	if err != nil {
		return fmt.Errorf("%w (%v)", errUnsupported("LogQL", q.Query, logQLSubset), err)
	}
	clock := s.now()
	start := q.Range.From
	if start.IsZero() {
		start = clock.Now()
	}
	if o.Notify != nil {
		o.Notify(sources.FollowEvent{Connected: true})
	}
	r := newReplay(s.sc, lq, start)
	// what is there already: at most q.Limit lines (5000 when 0, as
	// Loki's tail), the newest
	limit := q.Limit
	if limit <= 0 {
		limit = 5000
	}
	var past []sources.LogEntry
	now := clock.Now()
	r.skip(now, limit)
	for r.ok() && !r.at().After(now) {
		past = append(past, r.entry())
		r.next()
		if len(past) >= 2*limit {
			past = append(past[:0], past[len(past)-limit:]...)
		}
	}
	if len(past) > limit {
		past = past[len(past)-limit:]
	}
	for _, e := range past {
		if err := fn(e); err != nil {
			return err
		}
	}
	for r.ok() {
		if wait := r.at().Sub(clock.Now()); wait > 0 {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-clock.After(wait):
			}
			continue
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := fn(r.entry()); err != nil {
			return err
		}
		r.next()
	}
	<-ctx.Done() // no line matches: nothing ever arrives
	return ctx.Err()
}

// replay walks the lines of a query in time order: the scenario's, then
// the replays of its last period.
type replay struct {
	from  time.Time           // the start of the period replayed
	own   []*sources.LogEntry // the scenario's matching lines from the start on
	loop  []*sources.LogEntry // its matching lines of the last period
	i     int                 // into own, then len(own)+ into the loops
	round int                 // how many periods the loop is moved by
	j     int                 // into loop
}

func newReplay(sc *Scenario, lq *logQuery, start time.Time) *replay {
	loopFrom := sc.Now.Add(-ReplayPeriod)
	r := &replay{from: loopFrom, round: 1}
	for i := range sc.Logs {
		e := &sc.Logs[i]
		if lq.match(e) && !e.Time.Before(start) {
			r.own = append(r.own, e)
		}
		// the replays are of other requests: their IDs are new, so that a
		// query of a trace or a span (the Logs pane's) does not see the
		// trace's lines again
		if e.Time.After(loopFrom) && !e.Time.After(sc.Now) {
			if c := replayed(*e, 1); lq.match(&c) {
				r.loop = append(r.loop, e)
			}
		}
	}
	if len(r.loop) > 0 && start.After(sc.Now) {
		// skip the rounds and lines before the start
		r.round = max(1, int((start.Sub(loopFrom)-1)/ReplayPeriod))
		for r.ok() && r.at().Before(start) {
			r.next()
		}
	}
	return r
}

// skip moves on to the rounds that hold the keep lines before now, when
// the start is further back (a scenario loaded long ago): the lines
// before would not be passed on.
func (r *replay) skip(now time.Time, keep int) {
	if len(r.loop) == 0 {
		return
	}
	target := int((now.Sub(r.from)-1)/ReplayPeriod) - (keep/len(r.loop) + 1)
	if target > r.round {
		r.i, r.round, r.j = len(r.own), target, 0
	}
}

func (r *replay) ok() bool { return r.i < len(r.own) || len(r.loop) > 0 }

// at is the time of the current line.
func (r *replay) at() time.Time {
	if r.i < len(r.own) {
		return r.own[r.i].Time
	}
	return r.loop[r.j].Time.Add(time.Duration(r.round) * ReplayPeriod)
}

// entry is the current line, its time (in its text too) moved on.
func (r *replay) entry() sources.LogEntry {
	if r.i < len(r.own) {
		return *r.own[r.i]
	}
	e := replayed(*r.loop[r.j], r.round)
	at := r.at()
	e.Line = shiftLineTime(e.Line, e.Time, at)
	e.Time = at
	return e
}

// replayed is a line of the round-th replay: its trace and span IDs (in
// its text and metadata too) those of another request.
func replayed(e sources.LogEntry, round int) sources.LogEntry {
	if e.TraceID == "" && e.SpanID == "" {
		return e
	}
	id := func(old string, n int) string {
		h := fnv.New64a()
		fmt.Fprintf(h, "%s/%d", old, round)
		v := fmt.Sprintf("%016x", h.Sum64())
		if n == 32 {
			h.Write([]byte("2"))
			v += fmt.Sprintf("%016x", h.Sum64())
		}
		return v
	}
	meta := make(map[string]string, len(e.Metadata))
	for k, v := range e.Metadata {
		meta[k] = v
	}
	if e.TraceID != "" {
		t := sources.TraceID(id(string(e.TraceID), 32))
		e.Line = strings.ReplaceAll(e.Line, string(e.TraceID), string(t))
		if meta["trace_id"] != "" {
			meta["trace_id"] = string(t)
		}
		e.TraceID = t
	}
	if e.SpanID != "" {
		sp := sources.SpanID(id(string(e.SpanID), 16))
		e.Line = strings.ReplaceAll(e.Line, string(e.SpanID), string(sp))
		if meta["span_id"] != "" {
			meta["span_id"] = string(sp)
		}
		e.SpanID = sp
	}
	e.Metadata = meta
	return e
}

func (r *replay) next() {
	if r.i < len(r.own) {
		r.i++
		return
	}
	if r.j++; r.j == len(r.loop) {
		r.j, r.round = 0, r.round+1
	}
}
