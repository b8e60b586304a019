package live

import (
	"context"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
)

// ticks records the ticks a Refresher schedules instead of waiting.
type ticks struct {
	got []scheduled
}

type scheduled struct {
	d   time.Duration
	msg TickMsg
}

func (t *ticks) ticker(d time.Duration, msg TickMsg) tea.Cmd {
	t.got = append(t.got, scheduled{d, msg})
	return func() tea.Msg { return msg }
}

// last is the last tick scheduled.
func (t *ticks) last(tb testing.TB) TickMsg {
	tb.Helper()
	if len(t.got) == 0 {
		tb.Fatal("no tick scheduled")
	}
	return t.got[len(t.got)-1].msg
}

func TestInterval(t *testing.T) {
	for _, tt := range []struct {
		name         string
		asked, floor time.Duration
		want         time.Duration
	}{
		{"default", 0, 0, DefaultInterval},
		{"asked", 5 * time.Second, 0, 5 * time.Second},
		{"under the floor", 5 * time.Second, 30 * time.Second, 30 * time.Second},
		{"over the floor", time.Minute, 30 * time.Second, time.Minute},
		{"never under a second", time.Millisecond, 0, MinInterval},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tk := &ticks{}
			r := New(7, tk.ticker)
			r.SetFloor(tt.floor)
			r.Start(tt.asked)
			if got := r.Interval(); got != tt.want {
				t.Errorf("Interval() = %v, want %v", got, tt.want)
			}
			if len(tk.got) != 1 || tk.got[0].d != tt.want || tk.got[0].msg.ID != 7 {
				t.Errorf("scheduled %+v, want one tick of pane 7 in %v", tk.got, tt.want)
			}
		})
	}
}

// Each step drives the Refresher and says what it must answer.
func TestRefresher(t *testing.T) {
	type state struct {
		on, inFlight, refreshing bool
	}
	type step struct {
		do string
		// for "tick": which tick (the last scheduled, or one from before
		// the last start, or another pane's); for "done": which answer
		tick string
		// what Tick or Done must say
		due, scheduled, accepted bool
		want                     state
		cancelled                bool // the query started before was cancelled
	}
	for _, tt := range []struct {
		name  string
		steps []step
	}{
		{"ticks refresh and schedule the next", []step{
			{do: "start", want: state{on: true}},
			{do: "tick", tick: "last", due: true, scheduled: true, want: state{on: true}},
			{do: "refresh", want: state{on: true, inFlight: true, refreshing: true}},
			{do: "done", tick: "last", accepted: true, want: state{on: true}},
			{do: "tick", tick: "last", due: true, scheduled: true, want: state{on: true}},
		}},
		{"a refresh in flight is not started twice", []step{
			{do: "start", want: state{on: true}},
			{do: "refresh", want: state{on: true, inFlight: true, refreshing: true}},
			{do: "tick", tick: "last", due: false, scheduled: true, want: state{on: true, inFlight: true, refreshing: true}},
			{do: "tick", tick: "last", due: false, scheduled: true, want: state{on: true, inFlight: true, refreshing: true}},
			{do: "done", tick: "last", accepted: true, want: state{on: true}},
			{do: "tick", tick: "last", due: true, scheduled: true, want: state{on: true}},
		}},
		{"nor while a load the user asked for is in flight", []step{
			{do: "start", want: state{on: true}},
			{do: "load", want: state{on: true, inFlight: true}},
			{do: "tick", tick: "last", due: false, scheduled: true, want: state{on: true, inFlight: true}},
		}},
		{"pausing drops the ticks and cancels the refresh", []step{
			{do: "start", want: state{on: true}},
			{do: "refresh", want: state{on: true, inFlight: true, refreshing: true}},
			{do: "pause", cancelled: true, want: state{}},
			{do: "tick", tick: "last", want: state{}},
			{do: "done", tick: "query", accepted: false, want: state{}},
		}},
		{"pausing keeps a load the user asked for", []step{
			{do: "start", want: state{on: true}},
			{do: "load", want: state{on: true, inFlight: true}},
			{do: "pause", want: state{inFlight: true}},
			{do: "done", tick: "last", accepted: true, want: state{}},
		}},
		{"a tick from before a restart is stale", []step{
			{do: "start", want: state{on: true}},
			{do: "start", want: state{on: true}},
			{do: "tick", tick: "before", want: state{on: true}},
			{do: "tick", tick: "last", due: true, scheduled: true, want: state{on: true}},
		}},
		{"another pane's tick is not ours", []step{
			{do: "start", want: state{on: true}},
			{do: "tick", tick: "other", want: state{on: true}},
		}},
		{"a new load makes the refresh's answer stale", []step{
			{do: "start", want: state{on: true}},
			{do: "refresh", want: state{on: true, inFlight: true, refreshing: true}},
			{do: "load", cancelled: true, want: state{on: true, inFlight: true}},
			{do: "done", tick: "previous", accepted: false, want: state{on: true, inFlight: true}},
			{do: "done", tick: "last", accepted: true, want: state{on: true}},
		}},
		{"an answer cancelled is stale", []step{
			{do: "load", want: state{inFlight: true}},
			{do: "cancel", want: state{}},
			{do: "done", tick: "query", accepted: false, want: state{}},
		}},
		{"paused, ticks are dropped", []step{
			{do: "tick", tick: "last", want: state{}},
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tk := &ticks{}
			r := New(3, tk.ticker)
			var gens []int // the generation of each start
			var seqs []int // the number of each query
			var cancelled []bool
			for i, s := range tt.steps {
				n := len(tk.got)
				switch s.do {
				case "start":
					if cmd := r.Start(10 * time.Second); cmd == nil || len(tk.got) != n+1 {
						t.Fatalf("step %d: Start scheduled no tick", i)
					}
					gens = append(gens, tk.last(t).Seq)
				case "pause":
					r.Pause()
				case "cancel":
					r.Cancel()
				case "load", "refresh":
					k := len(cancelled)
					cancelled = append(cancelled, false)
					cancel := func() { cancelled[k] = true }
					if s.do == "load" {
						seqs = append(seqs, r.Load(cancel))
					} else {
						seqs = append(seqs, r.Refresh(cancel))
					}
				case "tick":
					msg := TickMsg{ID: 3}
					switch s.tick {
					case "last":
						if len(gens) > 0 {
							msg.Seq = gens[len(gens)-1]
						}
					case "before":
						msg.Seq = gens[len(gens)-2]
					case "other":
						msg = TickMsg{ID: 4, Seq: gens[len(gens)-1]}
					}
					due, next := r.Tick(msg)
					if due != s.due {
						t.Errorf("step %d: Tick due %v, want %v", i, due, s.due)
					}
					if (next != nil) != s.scheduled || (len(tk.got) > n) != s.scheduled {
						t.Errorf("step %d: Tick scheduled %v, want %v", i, next != nil, s.scheduled)
					}
				case "done":
					seq := r.Seq()
					switch s.tick {
					case "previous":
						seq = seqs[len(seqs)-2]
					case "query":
						seq = seqs[len(seqs)-1] // the last query's, cancelled
					}
					if got := r.Done(seq); got != s.accepted {
						t.Errorf("step %d: Done(%d) = %v, want %v", i, seq, got, s.accepted)
					}
				}
				if s.cancelled != (len(cancelled) > 1 && cancelled[len(cancelled)-2]) && s.do == "load" {
					t.Errorf("step %d: the query before cancelled %v, want %v", i, !s.cancelled, s.cancelled)
				}
				if s.do == "pause" && s.cancelled != cancelled[len(cancelled)-1] {
					t.Errorf("step %d: the query in flight cancelled %v, want %v", i, cancelled[len(cancelled)-1], s.cancelled)
				}
				got := state{r.On(), r.InFlight(), r.Refreshing()}
				if got != s.want {
					t.Errorf("step %d (%s): state %+v, want %+v", i, s.do, got, s.want)
				}
			}
		})
	}
}

// A query cancelled by a pause sees its context done.
func TestPauseCancelsTheContext(t *testing.T) {
	r := New(1, (&ticks{}).ticker)
	r.Start(time.Second)
	ctx, cancel := context.WithCancel(context.Background())
	seq := r.Refresh(cancel)
	r.Pause()
	if ctx.Err() == nil {
		t.Fatal("the refresh's context is still live after Pause")
	}
	if r.Done(seq) {
		t.Fatal("the cancelled refresh's answer was taken")
	}
}

// Set is Start or Pause.
func TestSet(t *testing.T) {
	tk := &ticks{}
	r := New(1, tk.ticker)
	if cmd := r.Set(true, 2*time.Second); cmd == nil || !r.On() || r.Interval() != 2*time.Second {
		t.Fatalf("Set(true): on %v, interval %v", r.On(), r.Interval())
	}
	if cmd := r.Set(false, 2*time.Second); cmd != nil || r.On() {
		t.Fatalf("Set(false): on %v", r.On())
	}
}

// The default Ticker is a tea.Tick: its command waits, then brings the
// message.
func TestDefaultTicker(t *testing.T) {
	r := New(9, nil)
	cmd := r.Start(time.Millisecond) // under MinInterval: a second
	if r.Interval() != MinInterval {
		t.Fatalf("interval %v", r.Interval())
	}
	if msg, ok := cmd().(TickMsg); !ok || msg.ID != 9 || msg.Seq != 1 {
		t.Fatalf("the tick brought %#v", msg)
	}
}

func TestFormat(t *testing.T) {
	for _, tt := range []struct {
		d    time.Duration
		want string
	}{{15 * time.Second, "15s"}, {time.Minute, "1m"}, {90 * time.Second, "1m30s"}, {2 * time.Hour, "2h"}, {1500 * time.Millisecond, "1.5s"}} {
		if got := Format(tt.d); got != tt.want {
			t.Errorf("Format(%v) = %q, want %q", tt.d, got, tt.want)
		}
		if back, err := time.ParseDuration(Format(tt.d)); err != nil || back != tt.d {
			t.Errorf("Format(%v) reads back as %v, %v", tt.d, back, err)
		}
	}
}
