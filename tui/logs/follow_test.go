package logs

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/telx-cli/telx/internal/fakeclock"
	"github.com/telx-cli/telx/internal/golden"
	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/tui"
	"github.com/telx-cli/telx/tui/internal/tracetest"
	"github.com/telx-cli/telx/tui/styles"
)

// feedSource answers queries from stored lines and follows with the
// lines the test feeds it: each FollowLogs call is a feed the test gets
// from follows and drives.
type feedSource struct {
	stored  []sources.LogEntry // in time order
	follows chan *feed
	queries chan sources.LogQuery
	// fail, when set, says the error the nth FollowLogs call (from 1)
	// fails with at once (nil: it runs).
	fail  func(n int) error
	calls atomic.Int32
}

func newFeedSource(stored []sources.LogEntry) *feedSource {
	return &feedSource{stored: stored, follows: make(chan *feed, 16), queries: make(chan sources.LogQuery, 64)}
}

// feed is one FollowLogs call.
type feed struct {
	q      sources.LogQuery
	lines  chan []sources.LogEntry
	events chan sources.FollowEvent
	end    chan error    // ends the call with the error
	acked  chan struct{} // after each batch or event is passed on
	ended  chan error    // the call's end
}

func (s *feedSource) QueryLogs(ctx context.Context, q sources.LogQuery, fn func(sources.LogEntry) error) error {
	s.queries <- q
	n := 0
	for k := range s.stored {
		i := k
		if q.Direction == sources.Backward {
			i = len(s.stored) - 1 - k
		}
		e := s.stored[i]
		if (!q.Range.From.IsZero() && e.Time.Before(q.Range.From)) || (!q.Range.To.IsZero() && e.Time.After(q.Range.To)) {
			continue
		}
		if err := fn(e); err != nil {
			return err
		}
		if n++; q.Limit > 0 && n == q.Limit {
			break
		}
	}
	return ctx.Err()
}

func (s *feedSource) Labels(context.Context, sources.TimeRange) ([]string, error) { return nil, nil }
func (s *feedSource) LabelValues(context.Context, string, sources.TimeRange) ([]string, error) {
	return nil, nil
}

func (s *feedSource) FollowLogs(ctx context.Context, q sources.LogQuery, o sources.FollowOptions, fn func(sources.LogEntry) error) error {
	n := int(s.calls.Add(1))
	if s.fail != nil {
		if err := s.fail(n); err != nil {
			return err
		}
	}
	f := &feed{q: q, lines: make(chan []sources.LogEntry), events: make(chan sources.FollowEvent), end: make(chan error),
		acked: make(chan struct{}), ended: make(chan error, 1)}
	s.follows <- f
	for {
		select {
		case <-ctx.Done():
			f.ended <- ctx.Err()
			return ctx.Err()
		case b := <-f.lines:
			for _, e := range b {
				if err := fn(e); err != nil {
					return err
				}
			}
			f.acked <- struct{}{}
		case e := <-f.events:
			o.Notify(e)
			f.acked <- struct{}{}
		case err := <-f.end:
			f.ended <- err
			return err
		}
	}
}

// next is the source's next FollowLogs call.
func (s *feedSource) next(t testing.TB) *feed {
	t.Helper()
	select {
	case f := <-s.follows:
		return f
	case <-time.After(10 * time.Second):
		t.Fatal("no FollowLogs call")
		return nil
	}
}

func (f *feed) send(b ...sources.LogEntry)  { f.lines <- b; <-f.acked }
func (f *feed) event(e sources.FollowEvent) { f.events <- e; <-f.acked }

// waitEnded waits for the end of the call, and says how it ended.
func (f *feed) waitEnded(t testing.TB) error {
	t.Helper()
	select {
	case err := <-f.ended:
		return err
	case <-time.After(10 * time.Second):
		t.Fatal("the follow was not stopped")
		return nil
	}
}

// driver runs the pane as a program would: each command on a goroutine,
// its message back to the pane on the test's goroutine, when the test
// says so (until); the status bar's messages are kept.
type driver struct {
	t      testing.TB
	m      Model
	msgs   chan tea.Msg
	status []tui.StatusMsg
}

func newDriver(t testing.TB, m Model) *driver {
	return &driver{t: t, m: m, msgs: make(chan tea.Msg, 1024)}
}

func (d *driver) do(cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	go func() {
		msg := cmd()
		if b, ok := msg.(tea.BatchMsg); ok {
			for _, c := range b {
				d.do(c)
			}
			return
		}
		if msg != nil {
			d.msgs <- msg
		}
	}()
}

func (d *driver) send(msg tea.Msg) {
	if st, ok := msg.(tui.StatusMsg); ok {
		d.status = append(d.status, st)
		return
	}
	p, cmd := d.m.Update(msg)
	d.m = p.(Model)
	d.do(cmd)
}

// until feeds the pane the messages of its commands until ok holds.
func (d *driver) until(what string, ok func(m Model) bool) {
	d.t.Helper()
	deadline := time.After(10 * time.Second)
	for !ok(d.m) {
		select {
		case msg := <-d.msgs:
			d.send(msg)
		case <-deadline:
			d.t.Fatalf("never %s:\n%s", what, d.m.View())
		}
	}
}

// settle feeds the pane the messages already there or coming at once.
func (d *driver) settle() {
	for {
		select {
		case msg := <-d.msgs:
			d.send(msg)
		case <-time.After(50 * time.Millisecond):
			return
		}
	}
}

// lastStatus is the last status bar message that ends a loading (the
// start and the end of a report come in any order).
func (d *driver) lastStatus() tui.StatusMsg {
	for i := len(d.status) - 1; i >= 0; i-- {
		if !d.status[i].Loading {
			return d.status[i]
		}
	}
	return tui.StatusMsg{}
}

// balanced tells whether every loading the status bar heard of ended.
func (d *driver) balanced() bool {
	n := 0
	for _, s := range d.status {
		if s.Loading {
			n++
		} else {
			n--
		}
	}
	return n == 0
}

var base = tracetest.Now.Add(-time.Hour)

// logLine is a line of payments at base+at.
func logLine(at time.Duration, level, text string) sources.LogEntry {
	t := base.Add(at)
	return sources.LogEntry{Time: t, Level: level, Labels: map[string]string{"service_name": "payments"},
		Metadata: map[string]string{"trace_id": "4bf92f3577b34da6a3ce929d0e0e4736"},
		Line:     fmt.Sprintf(`ts=%s level=%s msg=%q`, t.UTC().Format(time.RFC3339Nano), level, text)}
}

// stored is n lines a second apart, every fifth an error.
func stored(n int) []sources.LogEntry {
	out := make([]sources.LogEntry, n)
	for i := range out {
		level := "info"
		if i%5 == 4 {
			level = "error"
		}
		out[i] = logLine(time.Duration(i)*time.Second, level, fmt.Sprintf("loaded %d", i))
	}
	return out
}

const feedQuery = `{service_name="payments"}`

// livePane is a pane of h rows over src, its query's 100 lines loaded.
func livePane(t testing.TB, src *feedSource, o Options, w, h int) *driver {
	t.Helper()
	o.Source, o.Location = src, time.UTC
	if o.Now == nil {
		o.Now = func() time.Time { return base.Add(10 * time.Minute) }
	}
	if o.Styles == nil {
		o.Styles = styles.New(false)
	}
	m := New(o).SetSize(w, h).(Model)
	m, _ = run(m, tui.LogQueryMsg{Query: feedQuery, Range: sources.TimeRange{From: base, To: base.Add(100 * time.Second)}})
	if len(m.Lines()) != len(src.stored) || m.Err() != nil {
		t.Fatalf("%d lines loaded, err %v", len(m.Lines()), m.Err())
	}
	<-src.queries // the load's
	return newDriver(t, m)
}

// In live mode the pane follows its query from the last line it loaded:
// what came since (the catch-up) then the tail's lines arrive at the
// bottom, but those it has; the view stays where the user is, counting
// what arrived below, until G follows the bottom.
func TestLiveFollowsTheQuery(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {200, 12}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			src := newFeedSource(stored(100))
			d := livePane(t, src, Options{}, size[0], size[1])
			last := src.stored[99]
			// more came after the load: the catch-up brings it
			src.stored = append(src.stored, logLine(100*time.Second, "info", "after the load"))
			d.send(tui.LiveMsg{On: true, Interval: 15 * time.Second})
			if !d.m.Live() || !d.m.Following() {
				t.Fatal("live mode did not start a tail")
			}
			caught := <-src.queries
			if caught.Query != feedQuery || !caught.Range.From.Equal(last.Time) || caught.Direction != sources.Backward || caught.Limit != DefaultMaxLines {
				t.Errorf("the catch-up asked %+v", caught)
			}
			f := src.next(t)
			// the catch-up saw every line up to now: the tail starts a little before
			if f.q.Query != feedQuery || !f.q.Range.From.Equal(base.Add(10*time.Minute-5*time.Second)) || f.q.Limit != 5000 {
				t.Errorf("the tail follows %q from %v (limit %d), want %q from 5s before now", f.q.Query, f.q.Range.From, f.q.Limit, feedQuery)
			}
			d.until("the catch-up's line", func(m Model) bool { return len(m.Lines()) == 101 })
			if v := d.m.View(); !strings.Contains(v, "connecting…") {
				t.Errorf("before the tail connects:\n%s", v)
			}
			f.event(sources.FollowEvent{Connected: true})
			// the tail starts with what the catch-up had, and a line loaded
			// again with its metadata among its labels, as Loki's tail sends
			again := src.stored[100]
			merged := last
			merged.Labels = map[string]string{"service_name": "payments", "trace_id": last.Metadata["trace_id"]}
			merged.Metadata = nil
			f.send(again, merged)
			for i := 0; i < 12; i++ {
				f.send(logLine(time.Duration(101+i)*time.Second, "info", fmt.Sprintf("live %d", i)))
			}
			d.until("the tail's lines", func(m Model) bool { return len(m.Lines()) == 113 })
			d.settle()
			if n := len(d.m.Lines()); n != 113 {
				t.Fatalf("%d lines, want 113: a line arrived twice", n)
			}
			for i, e := range d.m.Lines()[100:] {
				want := "after the load"
				if i > 0 {
					want = fmt.Sprintf("live %d", i-1)
				}
				if !strings.Contains(e.Line, want) {
					t.Errorf("line %d: %q, want %q", 100+i, e.Line, want)
				}
			}
			// the view stays at the top, counting what came below
			if d.m.Selected() != d.m.Lines()[0] || d.m.NewBelow() != 13 {
				t.Errorf("selected %v, %d new below; want the first line, 13", d.m.Selected(), d.m.NewBelow())
			}
			v := d.m.View()
			checkBox(t, v, size[0], size[1])
			if !strings.Contains(v, "13 new ↓") || !strings.Contains(v, "● following") || !strings.Contains(v, "loaded 0") {
				t.Errorf("the view after the lines came:\n%s", v)
			}
			golden.Check(t, v)

			// G: the last line, then the bottom follows new lines
			d.send(press("G"))
			if d.m.Selected() != d.m.Lines()[112] || d.m.NewBelow() != 0 {
				t.Errorf("G selects %q, %d new", d.m.Selected().Line, d.m.NewBelow())
			}
			f.send(logLine(200*time.Second, "error", "the newest"))
			d.until("the newest line", func(m Model) bool { return len(m.Lines()) == 114 })
			if sel := d.m.Selected(); !strings.Contains(sel.Line, "the newest") || d.m.NewBelow() != 0 {
				t.Errorf("after G, a new line: selected %q, %d new", sel.Line, d.m.NewBelow())
			}
			v = d.m.View()
			if !strings.Contains(v, "▶") || !strings.Contains(v, "the newest") || strings.Contains(v, "new ↓") {
				t.Errorf("the bottom does not follow:\n%s", v)
			}
			// up a line: new lines are counted again
			d.send(press("k"))
			f.send(logLine(201*time.Second, "info", "one more"))
			d.until("one more", func(m Model) bool { return len(m.Lines()) == 115 })
			if d.m.NewBelow() != 1 {
				t.Errorf("%d new after moving up, want 1", d.m.NewBelow())
			}
			if !d.balanced() {
				t.Errorf("the status bar's loadings do not end: %v", d.status)
			}
		})
	}
}

// Pausing cancels the tail at once and drops what it sent after;
// resuming follows again from the newest line. A new selection, scope or
// query follows the new query instead.
func TestLivePausesAndRestarts(t *testing.T) {
	src := newFeedSource(stored(100))
	d := livePane(t, src, Options{}, 100, 10)
	d.send(tui.LiveMsg{On: true})
	<-src.queries
	f := src.next(t)
	f.event(sources.FollowEvent{Connected: true})
	f.send(logLine(150*time.Second, "info", "live"))
	d.until("the live line", func(m Model) bool { return len(m.Lines()) == 101 })
	seq := d.m.live.seq

	d.send(tui.LiveMsg{On: false})
	if err := f.waitEnded(t); !errors.Is(err, context.Canceled) {
		t.Errorf("pausing ended the tail with %v, want cancelled", err)
	}
	if d.m.Live() || d.m.Following() || strings.Contains(d.m.View(), "following") {
		t.Errorf("paused:\n%s", d.m.View())
	}
	// what the tail sent before it stopped is stale
	d.send(TailMsg{ID: d.m.ID(), Seq: seq, Entries: []sources.LogEntry{logLine(160*time.Second, "info", "stale")}})
	d.settle()
	if len(d.m.Lines()) != 101 {
		t.Errorf("a stale line was taken: %d lines", len(d.m.Lines()))
	}
	// an interval alone changes nothing
	d.send(tui.LiveMsg{On: false, Interval: time.Minute})
	if d.m.Following() {
		t.Error("a paused pane follows")
	}

	d.send(tui.LiveMsg{On: true})
	if caught := <-src.queries; !caught.Range.From.Equal(base.Add(150 * time.Second)) {
		t.Errorf("resumed: caught up from %v, want the newest line's time", caught.Range.From)
	}
	f = src.next(t)

	// another query: the tail follows it
	d.send(tui.LogQueryMsg{Query: `{service_name="checkout"}`, Range: sources.TimeRange{From: base, To: base.Add(time.Minute)}})
	if err := f.waitEnded(t); !errors.Is(err, context.Canceled) {
		t.Errorf("a new query ended the tail with %v, want cancelled", err)
	}
	<-src.queries // the load's
	d.until("the new query's lines", func(m Model) bool { return !m.Loading() && m.Following() })
	<-src.queries
	f = src.next(t)
	if f.q.Query != `{service_name="checkout"}` {
		t.Errorf("the tail follows %q after the query changed", f.q.Query)
	}
	if d.m.DroppedOlder() != 0 || d.m.NewBelow() != 0 {
		t.Errorf("counts of the last query kept: %d older, %d new", d.m.DroppedOlder(), d.m.NewBelow())
	}

	// a span selected: its first query, its lines kept by span
	tr, span := bigTrace(t)
	d.send(tui.SpanSelectedMsg{Trace: tr, Span: span})
	if err := f.waitEnded(t); !errors.Is(err, context.Canceled) {
		t.Errorf("a new selection ended the tail with %v, want cancelled", err)
	}
	<-src.queries
	d.until("the span's tail", func(m Model) bool { return !m.Loading() && m.Following() })
	<-src.queries
	f = src.next(t)
	if want := `{service_name=~".+"} | span_id="` + string(span.SpanID) + `"`; f.q.Query != want {
		t.Errorf("the span's tail follows %q, want %q", f.q.Query, want)
	}
	d.send(tui.LiveMsg{On: false})
	f.waitEnded(t)
}

// A tail that fails backs off, doubling its wait up to MaxBackoff, and
// says so on the status bar and the pane's status line; once connected,
// the status bar forgets it. A loss the source reconnects from itself is
// shown too; refused credentials are not tried again.
func TestLiveTailBacksOff(t *testing.T) {
	src := newFeedSource(stored(20))
	refused := errors.New("loki at http://127.0.0.1:1: dial tcp 127.0.0.1:1: connection refused\nhint: is Loki running there?")
	src.fail = func(n int) error {
		if n <= 5 {
			return refused
		}
		return nil
	}
	d := livePane(t, src, Options{MaxBackoff: 4 * time.Second}, 120, 8)
	d.send(tui.LiveMsg{On: true})
	for i, want := range []time.Duration{500 * time.Millisecond, time.Second, 2 * time.Second, 4 * time.Second, 4 * time.Second} {
		<-src.queries // its catch-up
		d.until(fmt.Sprintf("failure %d reported", i+1), func(m Model) bool { return m.live.reported && m.live.tail == nil })
		if d.m.live.retry != want {
			t.Errorf("failure %d: waits %s, want %s", i+1, d.m.live.retry, want)
		}
		d.settle()
		st := d.lastStatus()
		if st.Source != "logs" || st.Err == nil || !strings.Contains(st.Err.Error(), "following: loki at http://127.0.0.1:1: dial tcp 127.0.0.1:1: connection refused; again in "+want.String()) {
			t.Errorf("failure %d: the status bar hears %v", i+1, st)
		}
		if v := d.m.View(); !strings.Contains(v, "tail lost, again in "+want.String()) || !strings.Contains(v, "loaded 0") {
			t.Errorf("failure %d: the pane says\n%s", i+1, v)
		}
		// the wait ends (sent here rather than awaited)
		d.send(tailRetryMsg{ID: d.m.ID(), Seq: d.m.live.seq})
	}
	<-src.queries
	f := src.next(t)
	f.event(sources.FollowEvent{Connected: true})
	d.until("connected", func(m Model) bool { return m.live.connected })
	d.settle()
	if st := d.lastStatus(); st.Err != nil || st.Loading || !d.balanced() {
		t.Errorf("connected: the status bar hears %v (balanced %v)", st, d.balanced())
	}
	if v := d.m.View(); !strings.Contains(v, "● following") {
		t.Errorf("connected:\n%s", v)
	}
	// a retry that comes late, the tail running, does nothing
	d.send(tailRetryMsg{ID: d.m.ID(), Seq: d.m.live.seq})
	if n := src.calls.Load(); n != 6 {
		t.Errorf("%d FollowLogs calls, want 6", n)
	}

	// the source loses the connection and says when it tries again
	f.event(sources.FollowEvent{Err: errors.New("closed by the server"), Retry: 2 * time.Second})
	d.until("the loss", func(m Model) bool { return m.live.err != nil })
	d.settle()
	if st := d.lastStatus(); st.Err == nil || !strings.Contains(st.Err.Error(), "closed by the server; again in 2s") {
		t.Errorf("a loss: the status bar hears %v", st)
	}
	f.event(sources.FollowEvent{Connected: true})
	d.until("connected again", func(m Model) bool { return m.live.err == nil })
	d.settle()
	if st := d.lastStatus(); st.Err != nil || !d.balanced() {
		t.Errorf("connected again: %v", d.status)
	}
	// Loki's dropped entries are counted and shown
	f.event(sources.FollowEvent{Dropped: 200})
	f.event(sources.FollowEvent{Dropped: 4})
	d.until("the drops", func(m Model) bool { n, _ := m.DroppedByTail(); return n == 204 })
	if v := d.m.View(); !strings.Contains(v, "204 dropped by the tail") {
		t.Errorf("drops:\n%s", v)
	}
	// more than counted (Loki lists at most 1,000 a message)
	f.event(sources.FollowEvent{Dropped: 1000, DroppedMore: true})
	d.until("the drops", func(m Model) bool { n, _ := m.DroppedByTail(); return n == 1204 })
	if v := d.m.View(); !strings.Contains(v, "1,204+ dropped by the tail") {
		t.Errorf("drops:\n%s", v)
	}
	// the lines a catch-up fetched again are counted beside
	f.event(sources.FollowEvent{Recovered: 1500})
	d.until("the recovered", func(m Model) bool { return m.Recovered() == 1500 })
	if v := d.m.View(); !strings.Contains(v, "1,204+ dropped by the tail · 1,500 fetched again") {
		t.Errorf("recovered:\n%s", v)
	}

	// refused credentials: said, and not tried again
	f.end <- fmt.Errorf("loki: %w", sources.ErrAuth)
	d.until("the refusal", func(m Model) bool { return m.live.err != nil && m.live.tail == nil })
	d.settle()
	if d.m.live.retry != 0 || !strings.Contains(d.m.View(), "tail failed") {
		t.Errorf("refused: retry %s\n%s", d.m.live.retry, d.m.View())
	}
	if st := d.lastStatus(); st.Err == nil || !errors.Is(st.Err, sources.ErrAuth) {
		t.Errorf("refused: the status bar hears %v", st)
	}
	// pausing clears the status bar
	d.send(tui.LiveMsg{On: false})
	d.settle()
	if st := d.lastStatus(); st.Err != nil || !d.balanced() {
		t.Errorf("paused: the status bar hears %v", st)
	}
}

// The arriving lines pass the filters; the selection and the view stay
// on their line while the oldest go for the cap, counted.
func TestLiveFiltersAndCap(t *testing.T) {
	src := newFeedSource(stored(100))
	d := livePane(t, src, Options{Limit: 100, MaxLines: 150}, 120, 10)
	d.send(press("l"))
	d.send(press("l")) // errors only
	if n := len(d.m.Lines()); n != 20 {
		t.Fatalf("%d error lines loaded, want 20", n)
	}
	d.send(press("j"))
	d.send(press("j"))
	sel := d.m.Selected()
	d.send(tui.LiveMsg{On: true})
	<-src.queries
	f := src.next(t)
	var batch []sources.LogEntry
	for i := 0; i < 100; i++ {
		level := "info"
		if i%2 == 0 {
			level = "error"
		}
		batch = append(batch, logLine(time.Duration(200+i)*time.Second, level, fmt.Sprintf("live %d", i)))
	}
	f.send(batch...)
	d.until("the lines", func(m Model) bool { return m.DroppedOlder() > 0 })
	// 200 lines is over 150: the oldest go, down to a hundredth below
	if n := len(d.m.entries); n != 149 || d.m.DroppedOlder() != 51 {
		t.Errorf("%d lines kept, %d dropped; want 149 and 51", n, d.m.DroppedOlder())
	}
	for _, e := range d.m.Lines() {
		if e.Level != "error" {
			t.Fatalf("a %s line passed the error filter", e.Level)
		}
	}
	if n := len(d.m.Lines()); n != 10+50 {
		t.Errorf("%d error lines, want the 10 kept and the 50 new", n)
	}
	// the selected line was among the oldest, dropped: the first kept is
	if !strings.Contains(sel.Line, "loaded 14") || !strings.Contains(d.m.Selected().Line, "loaded 54") {
		t.Errorf("selected %q, then %q", sel.Line, d.m.Selected().Line)
	}
	v := d.m.View()
	checkBox(t, v, 120, 10)
	if !strings.Contains(v, "51 older dropped") || !strings.Contains(v, "50 new ↓") || d.m.NewBelow() != 50 {
		t.Errorf("the counts (%d new):\n%s", d.m.NewBelow(), v)
	}
	d.send(tui.LiveMsg{On: false})
	f.waitEnded(t)
}

// The volume and the patterns keep working as lines arrive: as loaded
// until asked again, then over the window up to the newest line.
func TestLiveVolumeAndPatterns(t *testing.T) {
	src := newFeedSource(stored(100))
	d := livePane(t, src, Options{}, 120, 30)
	v := d.m.View()
	if !strings.Contains(v, "volume of the 100 loaded lines") {
		t.Fatalf("no volume:\n%s", v)
	}
	loaded := d.m.volRange
	d.send(tui.LiveMsg{On: true})
	<-src.queries
	f := src.next(t)
	for i := 0; i < 30; i++ {
		f.send(logLine(time.Duration(400+i)*time.Second, "warn", fmt.Sprintf("slow query %d took %dms", i, 100+i)))
	}
	d.until("the lines", func(m Model) bool { return len(m.Lines()) == 130 })
	v = d.m.View()
	checkBox(t, v, 120, 30)
	if d.m.volRange != loaded || !strings.Contains(v, "volume of the 100 loaded lines") {
		t.Errorf("the volume changed before it was asked again:\n%s", v)
	}
	d.send(press("H"))
	d.send(press("H"))
	if newest := base.Add(429 * time.Second); !d.m.volRange.To.Equal(newest) || !strings.Contains(d.m.View(), "volume of the 130 loaded lines") {
		t.Errorf("asked again, the volume counts up to %v:\n%s", d.m.volRange.To, d.m.View())
	}
	d.send(press("p"))
	v = d.m.View()
	checkBox(t, v, 120, 30)
	if !strings.Contains(v, "clustered the 130 loaded lines") || !strings.Contains(v, "slow query <_> took <_>") {
		t.Errorf("the patterns of the lines as they are:\n%s", v)
	}
	f.send(logLine(500*time.Second, "warn", "slow query 99 took 1ms"))
	d.until("a line in the patterns view", func(m Model) bool { return len(m.Lines()) == 131 })
	checkBox(t, d.m.View(), 120, 30)
	d.send(press("p"))
	d.send(press("f")) // the fields of the selected line, while lines come
	f.send(logLine(501*time.Second, "warn", "one more"))
	d.until("a line in the fields view", func(m Model) bool { return len(m.Lines()) == 132 })
	if !d.m.FieldsOpen() || !strings.Contains(d.m.View(), "loaded 0") {
		t.Errorf("the fields view of the selected line:\n%s", d.m.View())
	}
	d.send(tui.LiveMsg{On: false})
	f.waitEnded(t)
}

// A window that ended over an hour ago is followed from an hour ago, and
// the pane says there is a gap.
func TestLiveGap(t *testing.T) {
	src := newFeedSource(stored(10))
	now := base.Add(3 * time.Hour)
	d := livePane(t, src, Options{Now: func() time.Time { return now }}, 120, 8)
	d.send(tui.LiveMsg{On: true})
	if caught := <-src.queries; !caught.Range.From.Equal(now.Add(-time.Hour)) || !caught.Range.To.Equal(now) {
		t.Errorf("the catch-up asked %v", caught.Range)
	}
	f := src.next(t)
	if !f.q.Range.From.Equal(now.Add(-5 * time.Second)) {
		t.Errorf("the tail follows from %v, want 5s before now", f.q.Range.From)
	}
	f.send(logLine(3*time.Hour, "info", "now"))
	d.until("the line", func(m Model) bool { return len(m.Lines()) == 11 })
	if v := d.m.View(); !strings.Contains(v, "a gap before the new lines") {
		t.Errorf("the gap is not said:\n%s", v)
	}
	d.send(tui.LiveMsg{On: false})
	f.waitEnded(t)
}

// A source that cannot follow: live mode says so, and loads as before.
func TestLiveWithoutFollow(t *testing.T) {
	tr, span := bigTrace(t)
	m := newPane(t, onlyQueries{tracetest.Demo(t)}, 120, 8, false)
	m, _ = run(m, tui.LiveMsg{On: true})
	m, _ = selectSpan(m, tr, span)
	if v := m.View(); !strings.Contains(v, "the log source does not follow") || !strings.Contains(v, "ERROR payments") {
		t.Errorf("live without follow:\n%s", v)
	}
}

type onlyQueries struct{ sources.LogSource }

// Options.Live starts the pane in live mode: the first answer is
// followed.
func TestLiveFromTheStart(t *testing.T) {
	src := newFeedSource(stored(10))
	m := New(Options{Source: src, Location: time.UTC, Live: true, Now: func() time.Time { return base.Add(time.Hour) }}).SetSize(80, 8).(Model)
	d := newDriver(t, m)
	d.send(tui.LogQueryMsg{Query: feedQuery, Range: sources.TimeRange{From: base, To: base.Add(time.Minute)}})
	<-src.queries
	d.until("the tail", func(m Model) bool { return m.Following() })
	<-src.queries
	f := src.next(t)
	f.send(logLine(time.Hour, "info", "later"))
	d.until("the line", func(m Model) bool { return len(m.Lines()) == 11 })
	d.m.Cancel() // the explorer quits
	if err := f.waitEnded(t); !errors.Is(err, context.Canceled) {
		t.Errorf("Cancel ended the tail with %v", err)
	}
}

// The demo in live mode: its replay arrives as its clock moves.
func TestLiveOnTheDemo(t *testing.T) {
	src := tracetest.Demo(t)
	clock := fakeclock.New(tracetest.Now)
	src.SetClock(clock)
	m := New(Options{Source: src, Location: time.UTC, Live: true, Now: clock.Now}).SetSize(120, 10).(Model)
	d := newDriver(t, m)
	d.send(tui.LogQueryMsg{Query: `{service_name="payments"}`, Range: sources.Last(5*time.Minute, tracetest.Now)})
	d.until("the demo's tail", func(m Model) bool { return m.Following() && !m.Loading() })
	<-clock.Waiting
	d.settle()
	loaded := len(d.m.Lines())
	clock.Advance(10 * time.Minute)
	<-clock.Waiting
	d.until("replayed lines", func(m Model) bool { return len(m.Lines()) > loaded })
	d.settle()
	lines := d.m.Lines()
	for i := loaded; i < len(lines); i++ {
		if e := lines[i]; e.Labels["service_name"] != "payments" || e.Time.After(clock.Now()) || !e.Time.After(tracetest.Now) {
			t.Errorf("line %d: %v %v, want a payments line between %v and %v", i, e.Time, e.Labels, tracetest.Now, clock.Now())
		}
	}
	d.m.Cancel()
}

// Keys, live mode and tail messages in any order: no panic, the view
// keeps its box, the cap holds.
func TestLiveAnyOrder(t *testing.T) {
	ks := []string{"j", "k", "g", "G", "w", "l", "f", "esc", "p", "esc", "H", "pgdown", "pgup"}
	for seed := 0; seed < 20; seed++ {
		r := newRand(seed)
		src := newFeedSource(stored(50))
		m := New(Options{Source: src, Location: time.UTC, Styles: styles.New(seed%2 == 0), Limit: 50, MaxLines: 80}).SetSize(1+r.intn(120), 1+r.intn(30)).(Model)
		m, _ = run(m, tui.LogQueryMsg{Query: feedQuery, Range: sources.TimeRange{From: base, To: base.Add(time.Minute)}})
		at := 100 * time.Second
		for step := 0; step < 80; step++ {
			var p tui.Pane
			switch r.intn(6) {
			case 0:
				p, _ = m.Update(tui.LiveMsg{On: r.intn(3) > 0}) // its commands not run: no tail goroutine
			case 1, 2:
				var batch []sources.LogEntry
				for i := r.intn(40); i > 0; i-- {
					at += time.Duration(r.intn(3)-1) * time.Second // late lines too
					batch = append(batch, logLine(at, []string{"info", "error", "warn"}[r.intn(3)], fmt.Sprintf("line %d", step)))
				}
				p, _ = m.Update(TailMsg{ID: m.ID(), Seq: m.live.seq, Entries: batch, Events: []sources.FollowEvent{{Dropped: r.intn(2), DroppedMore: r.intn(9) == 0}}})
			case 3:
				p = m.SetSize(1+r.intn(120), 1+r.intn(30))
			default:
				p, _ = m.Update(press(ks[r.intn(len(ks))]))
			}
			m = p.(Model)
			v := m.View()
			if n := strings.Count(v, "\n") + 1; m.height > 0 && n != m.height {
				t.Fatalf("seed %d step %d: %d lines, want %d", seed, step, n, m.height)
			}
			if len(m.entries) > 80 {
				t.Fatalf("seed %d step %d: %d lines kept over the cap", seed, step, len(m.entries))
			}
			for i := 1; i < len(m.entries); i++ {
				if m.entries[i].Time.Before(m.entries[i-1].Time) {
					t.Fatalf("seed %d step %d: line %d out of order", seed, step, i)
				}
			}
		}
		m.Cancel()
	}
}

// Under a steady 200 lines a second for ten minutes (simulated: batches
// of 20, ten a second), the pane keeps at most MaxLines lines and its
// memory stops growing once the cap is reached.
func TestLiveMemoryBounded(t *testing.T) {
	src := newFeedSource(stored(10))
	d := livePane(t, src, Options{MaxLines: 50000}, 200, 50)
	m := d.m
	m.live.on = true
	m.live.tail = newTailer(m.o.MaxLines) // as startTail, without a goroutine
	heap := func() uint64 {
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return ms.HeapAlloc
	}
	var atCap uint64
	peak := uint64(0)
	for s := 0; s < 600; s++ {
		for b := 0; b < 10; b++ {
			batch := make([]sources.LogEntry, 20)
			for i := range batch {
				at := time.Duration(s)*time.Second + time.Duration(b*20+i)*5*time.Millisecond
				batch[i] = logLine(time.Hour+at, "info", fmt.Sprintf("request %d handled in %dms", s*200+b*20+i, i))
			}
			p, _ := m.Update(TailMsg{ID: m.ID(), Seq: m.live.seq, Entries: batch})
			m = p.(Model)
		}
		if len(m.entries) > 50000 {
			t.Fatalf("after %ds, %d lines kept", s, len(m.entries))
		}
		if s%60 == 59 {
			h := heap()
			if atCap == 0 && m.DroppedOlder() > 0 {
				atCap = h
			}
			peak = max(peak, h)
		}
	}
	if m.DroppedOlder() != 10+120000-len(m.entries) {
		t.Errorf("%d dropped, want %d", m.DroppedOlder(), 10+120000-len(m.entries))
	}
	t.Logf("heap at the cap %.1f MB, peak %.1f MB, %d lines kept", float64(atCap)/1e6, float64(peak)/1e6, len(m.entries))
	if atCap == 0 || peak > atCap*3/2 {
		t.Errorf("the heap grew from %d at the cap to %d", atCap, peak)
	}
}
