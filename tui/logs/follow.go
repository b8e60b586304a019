package logs

import (
	"context"
	"errors"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/sources/correlate"
	"github.com/telx-cli/telx/tui"
)

// Live mode (tui.LiveMsg): the pane follows its query through the
// source's tail (sources.LogFollowSource), from the last line it loaded.
// New lines arrive at the bottom; the view stays where the user scrolled,
// the status line counting the lines that arrived below it, until G (or
// any move to the last line) follows the bottom again. A tail that fails
// backs off, saying so on the status bar; at most Options.MaxLines lines
// are kept, the oldest dropped and counted. The volume and the patterns
// are not recounted as lines arrive: they are counted again, over the
// window up to the newest line, when asked again (H twice, p).

// Defaults of the live options.
const (
	DefaultMaxLines   = 50000
	DefaultMaxBackoff = 30 * time.Second
	// firstBackoff is the pane's first wait after its tail failed.
	firstBackoff = 500 * time.Millisecond
)

// TailMsg brings what the pane's tail received since the last one. Seq
// tells the tail running from one that was stopped or replaced.
type TailMsg struct {
	ID, Seq int
	Entries []sources.LogEntry
	Events  []sources.FollowEvent
	// Overflow counts the oldest lines the tail's buffer let go, the pane
	// being slower than the lines (they would have been over the cap).
	Overflow int
	// Skipped says the catch-up did not fetch every line since the last
	// one loaded: more came than the pane keeps (the oldest are not
	// loaded), or the last was more than an hour ago.
	Skipped bool
	// Done says the tail ended, with Err (nil: it was stopped).
	Done bool
	Err  error
}

// tailRetryMsg is the end of the wait after the tail Seq failed.
type tailRetryMsg struct{ ID, Seq int }

// liveState is the pane's live mode.
type liveState struct {
	on  bool // live mode is on
	seq int  // of the tail running or awaited

	cancel context.CancelFunc
	tail   *tailer
	q      correlate.SpanQuery // the query followed
	span   sources.SpanID      // its span, for SpanQuery.Keep

	connected   bool
	unsupported bool          // the source does not follow
	err         error         // the tail's last failure, until it connects again
	retry       time.Duration // the wait after err
	backoff     time.Duration // the pane's own, after FollowLogs failed
	reported    bool          // the status bar shows err

	newFrom int  // index into entries of the first line that arrived out of view, -1: none
	dropped int  // lines the backend dropped (Loki's dropped_entries)
	more    bool // and more than it counted
	// recovered counts the lines a catch-up fetched that the tail had
	// not passed on (dropped, counted or not)
	recovered int
	older     int  // oldest lines dropped for the cap
	skipped   bool // the catch-up left a gap (TailMsg.Skipped)
}

// tailer carries the lines of a tail from its goroutine to the pane.
type tailer struct {
	mu       sync.Mutex
	entries  []sources.LogEntry
	events   []sources.FollowEvent
	overflow int
	skipped  bool
	done     bool
	err      error
	max      int
	wake     chan struct{} // a token when there is news
}

func newTailer(max int) *tailer { return &tailer{max: max, wake: make(chan struct{}, 1)} }

func (t *tailer) signal() {
	select {
	case t.wake <- struct{}{}:
	default:
	}
}

func (t *tailer) add(e sources.LogEntry) error {
	t.mu.Lock()
	t.entries = append(t.entries, e)
	if len(t.entries) > t.max+t.max/8 {
		// the pane fell behind: keep the newest max
		k := len(t.entries) - t.max
		t.overflow += k
		t.entries = append(t.entries[:0], t.entries[k:]...)
	}
	t.mu.Unlock()
	t.signal()
	return nil
}

func (t *tailer) event(e sources.FollowEvent) {
	t.mu.Lock()
	t.events = append(t.events, e)
	t.mu.Unlock()
	t.signal()
}

func (t *tailer) finish(err error) {
	t.mu.Lock()
	t.done, t.err = true, err
	t.mu.Unlock()
	t.signal()
}

// wait is the command that brings the tail's next news.
func (t *tailer) wait(id, seq int) tea.Cmd {
	return func() tea.Msg {
		<-t.wake
		t.mu.Lock()
		defer t.mu.Unlock()
		msg := TailMsg{ID: id, Seq: seq, Entries: t.entries, Events: t.events, Overflow: t.overflow, Skipped: t.skipped, Done: t.done, Err: t.err}
		t.entries, t.events, t.overflow, t.skipped = nil, nil, 0, false
		if t.done {
			t.signal() // a wait after the end ends too
		}
		return msg
	}
}

// Live tells whether live mode is on for the pane.
func (m Model) Live() bool { return m.live.on }

// Following tells whether the pane's tail is running (or awaits its next
// attempt).
func (m Model) Following() bool { return m.live.tail != nil || (m.live.err != nil && m.live.on) }

// NewBelow counts the lines that arrived below the view.
func (m Model) NewBelow() int {
	if m.live.newFrom < 0 || len(m.shown) == 0 {
		return 0
	}
	last := m.offset + m.rowsHeight() - 1 // the last row in view (unwrapped)
	from := max(sort.SearchInts(m.shown, m.live.newFrom), last+1)
	return max(0, len(m.shown)-from)
}

// DroppedOlder counts the oldest lines dropped for Options.MaxLines.
func (m Model) DroppedOlder() int { return m.live.older }

// Recovered counts the lines a catch-up fetched that the tail had not
// passed on.
func (m Model) Recovered() int { return m.live.recovered }

// DroppedByTail counts the lines the source's tail said it dropped, and
// tells whether it dropped more than it counted.
func (m Model) DroppedByTail() (int, bool) { return m.live.dropped, m.live.more }

// liveUpdate handles tui.LiveMsg and the tail's messages.
func (m *Model) liveUpdate(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case tui.LiveMsg:
		if msg.On == m.live.on {
			return nil // only the interval changed: a tail has none
		}
		m.live.on = msg.On
		if !msg.On {
			return m.stopTail()
		}
		return m.startTail()
	case tailRetryMsg:
		if msg.ID != m.id || msg.Seq != m.live.seq || !m.live.on || m.live.tail != nil {
			return nil
		}
		return m.startTail()
	case TailMsg:
		if msg.ID != m.id || msg.Seq != m.live.seq || m.live.tail == nil {
			return nil // stale: stopped, or replaced by another query's
		}
		return m.tailNews(msg)
	}
	return nil
}

// startTail follows the pane's query from the last line it loaded, when
// live mode is on, the query answered and the source follows.
func (m *Model) startTail() tea.Cmd {
	if !m.live.on || m.live.tail != nil || m.loading || m.err != nil || m.query == "" || m.o.Source == nil {
		return nil
	}
	fs, ok := m.o.Source.(sources.LogFollowSource)
	if !ok {
		m.live.unsupported = true
		return nil
	}
	m.live.seq++
	ctx, cancel := context.WithCancel(context.Background())
	t := newTailer(m.o.MaxLines)
	m.live.cancel, m.live.tail, m.live.connected = cancel, t, false
	from := m.rng.To
	if n := len(m.entries); n > 0 {
		from = m.entries[n-1].Time
	}
	if now := m.o.Now(); from.After(now) {
		from = now
	}
	id, seq, src := m.id, m.live.seq, m.o.Source
	q, limit, max, now, timeout := m.live.q.Query, m.o.Limit, m.o.MaxLines, m.o.Now, m.o.Timeout
	o := sources.FollowOptions{Notify: t.event, MaxBackoff: m.o.MaxBackoff}
	wait := t.wait(id, seq)
	return func() tea.Msg {
		go func() {
			t.finish(follow(ctx, src, fs, q, from, now(), limit, max, timeout, o, t))
		}()
		return wait()
	}
}

// maxCatchUp bounds how far back a tail catches up: a query's window that
// ended long ago is followed from maxCatchUp ago, the gap said.
const maxCatchUp = time.Hour

// follow catches up on the lines since from (the newest max of them, when
// more came, as after a long pause; from at most maxCatchUp ago), then
// tails from the newest.
func follow(ctx context.Context, src sources.LogSource, fs sources.LogFollowSource, query string, from, now time.Time, limit, max int,
	timeout time.Duration, o sources.FollowOptions, t *tailer) error {
	if now.Sub(from) > maxCatchUp {
		from = now.Add(-maxCatchUp)
		t.mu.Lock()
		t.skipped = true
		t.mu.Unlock()
	}
	if now.Sub(from) > 5*time.Second {
		var caught []sources.LogEntry
		qctx, cancel := context.WithTimeout(ctx, timeout)
		err := src.QueryLogs(qctx, sources.LogQuery{Query: query, Range: sources.TimeRange{From: from, To: now}, Limit: max, Direction: sources.Backward},
			func(e sources.LogEntry) error { caught = append(caught, e); return nil })
		cancel()
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err == nil {
			slices.Reverse(caught)
			if len(caught) >= max {
				t.mu.Lock()
				t.skipped = true
				t.mu.Unlock()
			}
			for _, e := range caught {
				_ = t.add(e)
			}
			// the tail from the newest, or from a little before now: the
			// catch-up saw every line up to now
			from = now.Add(-5 * time.Second)
			if n := len(caught); n > 0 && caught[n-1].Time.After(from) {
				from = caught[n-1].Time
			}
		}
		// a failed catch-up leaves it to the tail, from where it was
	}
	return fs.FollowLogs(ctx, sources.LogQuery{Query: query, Range: sources.TimeRange{From: from}, Limit: limit, Direction: sources.Forward}, o, t.add)
}

// stopTail cancels the tail, at once; its messages are stale from now.
func (m *Model) stopTail() tea.Cmd {
	if m.live.cancel != nil {
		m.live.cancel()
	}
	m.live.seq++
	m.live.cancel, m.live.tail, m.live.connected, m.live.backoff = nil, nil, false, 0
	m.live.err, m.live.retry = nil, 0
	return m.report(nil)
}

// resetLive forgets what the tail of the last query brought: a new query
// is loading. Its status is the query's.
func (m *Model) resetLive() {
	_ = m.stopTail()
	m.live.reported, m.live.unsupported = false, false
	m.live.newFrom, m.live.dropped, m.live.more, m.live.older, m.live.skipped = -1, 0, false, 0, false
}

// followQuery picks the query to follow among those of the load: the one
// that answered, unless it asks for the span's own time only (a span's
// service while it ran), then the first.
func followQuery(queries []correlate.SpanQuery, answered string) correlate.SpanQuery {
	for _, q := range queries {
		if q.Query == answered && !q.DuringSpan {
			return q
		}
	}
	return queries[0]
}

// tailError is the tail's failure as the status bar says it.
type tailError struct {
	err   error
	retry time.Duration
}

func (e tailError) Error() string {
	msg, _, _ := strings.Cut(e.err.Error(), "\n")
	if e.retry <= 0 {
		return "following: " + msg
	}
	return "following: " + msg + "; again in " + e.retry.Round(100*time.Millisecond).String()
}

func (e tailError) Unwrap() error { return e.err }

// report tells the status bar of the tail's failure, or that it is over
// (err nil), when it told of one. A start and an end, as a call's, so
// that the status bar's count of what is loading stays right.
func (m *Model) report(err error) tea.Cmd {
	if err == nil && !m.live.reported {
		return nil
	}
	m.live.reported = err != nil
	if err != nil {
		err = tailError{err, m.live.retry}
	}
	return tea.Batch(
		func() tea.Msg { return tui.StatusMsg{Source: "logs", Loading: true} },
		func() tea.Msg { return tui.StatusMsg{Source: "logs", Err: err} })
}

// tailNews takes a TailMsg of the running tail.
func (m *Model) tailNews(msg TailMsg) tea.Cmd {
	var cmds []tea.Cmd
	for _, e := range msg.Events {
		switch {
		case e.Connected:
			m.live.connected, m.live.backoff = true, 0
			if m.live.err != nil {
				m.live.err, m.live.retry = nil, 0
				cmds = append(cmds, m.report(nil))
			}
		case e.Err != nil:
			m.live.connected, m.live.err, m.live.retry = false, e.Err, e.Retry
			cmds = append(cmds, m.report(e.Err))
		case e.Dropped > 0:
			m.live.dropped += e.Dropped
			m.live.more = m.live.more || e.DroppedMore
		case e.Recovered > 0:
			m.live.recovered += e.Recovered
		}
	}
	m.live.older += msg.Overflow
	m.live.skipped = m.live.skipped || msg.Skipped
	m.addLines(msg.Entries)
	if !msg.Done {
		return tea.Batch(append(cmds, m.live.tail.wait(m.id, m.live.seq))...)
	}
	// the tail ended by itself: try again after a while, unless the
	// backend refused the credentials
	m.live.cancel()
	m.live.cancel, m.live.tail, m.live.connected = nil, nil, false
	err := msg.Err
	if err == nil {
		err = errors.New("the tail ended")
	}
	m.live.err = err
	if errors.Is(err, sources.ErrAuth) {
		m.live.retry = 0
		return tea.Batch(append(cmds, m.report(err))...)
	}
	m.live.backoff = min(max(firstBackoff, 2*m.live.backoff), m.o.MaxBackoff)
	m.live.retry = m.live.backoff
	id, seq := m.id, m.live.seq
	cmds = append(cmds, m.report(err), tea.Tick(m.live.retry, func(time.Time) tea.Msg { return tailRetryMsg{ID: id, Seq: seq} }))
	return tea.Batch(cmds...)
}

// atBottom tells whether the selection is on the last line, where new
// lines move it along.
func (m *Model) atBottom() bool {
	return len(m.shown) == 0 || m.sel >= len(m.shown)-1
}

// addLines adds the lines a tail brought, but those the pane has, in
// time order; the oldest beyond the cap are dropped.
func (m *Model) addLines(batch []sources.LogEntry) {
	if len(batch) == 0 {
		return
	}
	stick := m.atBottom() && m.fields == nil && !m.patternsOpen
	n0, inserted := len(m.entries), false
	for i := range batch {
		e := &batch[i]
		if !m.live.q.Keep(e, m.live.span) || m.has(e) {
			continue
		}
		n := len(m.entries)
		if n == 0 || !e.Time.Before(m.entries[n-1].Time) {
			m.entries = append(m.entries, *e)
			continue
		}
		// a line later than its time (a late writer): in its place
		at := sort.Search(n, func(j int) bool { return m.entries[j].Time.After(e.Time) })
		m.entries = slices.Insert(m.entries, at, *e)
		inserted = true
		if at < n0 {
			n0++
		}
		if m.live.newFrom >= at {
			m.live.newFrom++
		}
	}
	if inserted {
		m.refilter()
	} else {
		for k := n0; k < len(m.entries); k++ {
			if m.passes(&m.entries[k]) {
				m.shown = append(m.shown, k)
			}
		}
	}
	if len(m.entries) > n0 && !stick && m.live.newFrom < 0 {
		m.live.newFrom = n0
	}
	m.dropOldest()
	if stick {
		m.sel = len(m.shown) - 1
		m.live.newFrom = -1
	}
	m.scroll()
}

// dropOldest keeps at most MaxLines lines: past it, the oldest go, a
// hundredth more than needed so that it happens once in a while.
func (m *Model) dropOldest() {
	if len(m.entries) <= m.o.MaxLines {
		return
	}
	k := len(m.entries) - m.o.MaxLines + m.o.MaxLines/100
	clear(m.entries[:k]) // let the lines go now
	m.entries = m.entries[k:]
	j := sort.SearchInts(m.shown, k)
	if m.sel < j {
		m.fields = nil // its line is gone
	}
	m.shown = m.shown[j:]
	for i := range m.shown {
		m.shown[i] -= k
	}
	m.sel, m.offset = max(0, m.sel-j), max(0, m.offset-j)
	if m.live.newFrom >= 0 {
		m.live.newFrom = max(0, m.live.newFrom-k)
	}
	m.live.older += k
}

// has tells whether the pane has e already: a line of the same time,
// text, and labels and metadata taken together (a tail may merge
// metadata into the labels where a query keeps them apart).
func (m *Model) has(e *sources.LogEntry) bool {
	n := len(m.entries)
	if n == 0 || e.Time.After(m.entries[n-1].Time) {
		return false
	}
	i := sort.Search(n, func(j int) bool { return !m.entries[j].Time.Before(e.Time) })
	for ; i < n && m.entries[i].Time.Equal(e.Time); i++ {
		if m.entries[i].Line == e.Line && sameLabels(&m.entries[i], e) {
			return true
		}
	}
	return false
}

func sameLabels(a, b *sources.LogEntry) bool {
	get := func(e *sources.LogEntry, k string) (string, bool) {
		if v, ok := e.Labels[k]; ok {
			return v, true
		}
		v, ok := e.Metadata[k]
		return v, ok
	}
	within := func(a, b *sources.LogEntry) bool {
		for _, m := range []map[string]string{a.Labels, a.Metadata} {
			for k, v := range m {
				if w, ok := get(b, k); !ok || w != v {
					return false
				}
			}
		}
		return true
	}
	return within(a, b) && within(b, a)
}

// liveStatus is what the status line says of live mode.
func (m Model) liveStatus() []string {
	if !m.live.on {
		return nil
	}
	var parts []string
	switch {
	case m.live.unsupported:
		parts = append(parts, m.st.Warn.Apply("the log source does not follow"))
	case m.live.err != nil && m.live.retry > 0:
		parts = append(parts, m.st.Warn.Apply("tail lost, again in "+m.live.retry.Round(100*time.Millisecond).String()))
	case m.live.err != nil:
		parts = append(parts, m.st.Error.Apply("tail failed"))
	case m.live.connected:
		parts = append(parts, m.st.Info.Apply("● following"))
	case m.live.tail != nil:
		parts = append(parts, "connecting…")
	}
	if n := m.NewBelow(); n > 0 {
		parts = append(parts, m.st.Highlight.Apply(count(n)+" new ↓")+" (G)")
	}
	if m.live.dropped > 0 {
		n := count(m.live.dropped)
		if m.live.more {
			n += "+" // the backend dropped more than it counted
		}
		parts = append(parts, m.st.Warn.Apply(n+" dropped by the tail"))
	}
	if m.live.recovered > 0 {
		parts = append(parts, m.st.Dim.Apply(count(m.live.recovered)+" fetched again"))
	}
	if m.live.older > 0 {
		parts = append(parts, m.st.Dim.Apply(count(m.live.older)+" older dropped"))
	}
	if m.live.skipped {
		parts = append(parts, m.st.Warn.Apply("a gap before the new lines"))
	}
	return parts
}

// count writes n with thousands separated: 1,204.
func count(n int) string {
	s := strconv.Itoa(n)
	if n < 0 {
		return s
	}
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}
