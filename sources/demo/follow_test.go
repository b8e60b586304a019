package demo

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/telx-cli/telx/internal/fakeclock"
	"github.com/telx-cli/telx/sources"
)

// following runs FollowLogs on a goroutine; its lines arrive on the
// channel, its end on done.
func following(t *testing.T, s *Source, q sources.LogQuery) (lines chan sources.LogEntry, cancel func(), done chan error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	lines, done = make(chan sources.LogEntry, 10000), make(chan error, 1)
	go func() {
		done <- s.FollowLogs(ctx, q, sources.FollowOptions{}, func(e sources.LogEntry) error { lines <- e; return nil })
	}()
	t.Cleanup(cancel)
	return lines, cancel, done
}

// drain takes what is on the channel.
func drain(ch chan sources.LogEntry) []sources.LogEntry {
	var out []sources.LogEntry
	for {
		select {
		case e := <-ch:
			out = append(out, e)
		default:
			return out
		}
	}
}

// The follow replays the scenario's last ten minutes past its end, each
// line when the clock reaches its new time, its text's time moved on too;
// nothing arrives before its time.
func TestFollowReplaysTheIncident(t *testing.T) {
	sc, err := Load(time.Date(2027, 3, 1, 8, 30, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	s := NewSource(sc)
	clock := fakeclock.New(sc.Now)
	s.SetClock(clock)
	const query = `{service_name="payments"}`
	var loop []sources.LogEntry // payments' lines of the last period
	for _, e := range sc.Logs {
		if e.Labels["service_name"] == Payments && e.Time.After(sc.Now.Add(-ReplayPeriod)) {
			loop = append(loop, e)
		}
	}
	if len(loop) < 10 {
		t.Fatalf("payments logged %d lines in the last period: too few for the test", len(loop))
	}
	lines, cancel, done := following(t, s, sources.LogQuery{Query: query, Range: sources.TimeRange{From: sc.Now.Add(time.Nanosecond)}})
	<-clock.Waiting
	if got := drain(lines); len(got) != 0 {
		t.Fatalf("%d lines arrived before their time: %v", len(got), got[0])
	}
	for round := 1; round <= 2; round++ {
		// half a period: the first half of the lines, then the rest
		var got []sources.LogEntry
		for half := 0; half < 2; half++ {
			clock.Advance(ReplayPeriod / 2)
			<-clock.Waiting
			batch := drain(lines)
			for _, e := range batch {
				if e.Time.After(clock.Now()) {
					t.Errorf("round %d: a line of %v arrived at %v", round, e.Time, clock.Now())
				}
			}
			if half == 0 && (len(batch) == 0 || len(batch) == len(loop)) {
				t.Errorf("round %d: %d of %d lines in the first half period", round, len(batch), len(loop))
			}
			got = append(got, batch...)
		}
		if len(got) != len(loop) {
			t.Fatalf("round %d: %d lines, want the %d of the period", round, len(got), len(loop))
		}
		shift := time.Duration(round) * ReplayPeriod
		for i, e := range got {
			was := loop[i]
			if !e.Time.Equal(was.Time.Add(shift)) || e.Labels["service_name"] != Payments {
				t.Errorf("round %d line %d: %v %v, want %v moved by %s", round, i, e.Time, e.Labels, was.Time, shift)
			}
			// a replay is another request's: new IDs, in the text and
			// metadata too
			if was.TraceID != "" && (e.TraceID == was.TraceID || len(e.TraceID) != 32 || strings.Contains(e.Line, string(was.TraceID)) ||
				e.Metadata["trace_id"] != string(e.TraceID) || was.Metadata["trace_id"] != string(was.TraceID)) {
				t.Errorf("round %d line %d: trace %s, was %s: %q %v", round, i, e.TraceID, was.TraceID, e.Line, e.Metadata)
			}
			for _, layout := range lineTimeLayouts {
				if old := was.Time.UTC().Format(layout); strings.Contains(was.Line, old) {
					if strings.Contains(e.Line, old) || !strings.Contains(e.Line, e.Time.UTC().Format(layout)) {
						t.Errorf("round %d line %d: its text keeps its old time: %q", round, i, e.Line)
					}
					break
				}
			}
		}
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("the follow ended with %v, want cancelled", err)
	}
}

// From a time in the past, the lines already logged come first (the
// newest q.Limit of them), then the replay; from a time well past the
// scenario's end, the replay of that round.
func TestFollowFrom(t *testing.T) {
	sc, err := Load(time.Date(2027, 3, 1, 8, 30, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	s := NewSource(sc)
	var since []sources.LogEntry
	from := sc.Now.Add(-5 * time.Minute)
	for _, e := range sc.Logs {
		if e.Labels["service_name"] == Checkout && !e.Time.Before(from) {
			since = append(since, e)
		}
	}
	if len(since) < 4 {
		t.Fatalf("checkout logged %d lines in 5 minutes: too few", len(since))
	}
	tests := []struct {
		name  string
		from  time.Time
		limit int
		want  []sources.LogEntry
	}{
		{"every line since", from, 0, since},
		{"the newest 3", from, 3, since[len(since)-3:]},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := fakeclock.New(sc.Now)
			s.SetClock(clock)
			lines, cancel, _ := following(t, s, sources.LogQuery{Query: `{service_name="checkout"}`, Range: sources.TimeRange{From: tt.from}, Limit: tt.limit})
			defer cancel()
			<-clock.Waiting
			got := drain(lines)
			if len(got) != len(tt.want) {
				t.Fatalf("%d lines at once, want %d", len(got), len(tt.want))
			}
			for i := range got {
				if got[i].Line != tt.want[i].Line || !got[i].Time.Equal(tt.want[i].Time) {
					t.Errorf("line %d: %v %q, want %v %q", i, got[i].Time, got[i].Line, tt.want[i].Time, tt.want[i].Line)
				}
			}
		})
	}

	t.Run("a day on", func(t *testing.T) {
		// the newest 10 lines before the clock, as walking every round
		// since the start finds them
		now := sc.Now.Add(24 * time.Hour)
		lq, _ := parseLogQL(`{service_name="checkout"}`)
		var want []sources.LogEntry
		for r := newReplay(sc, lq, from); !r.at().After(now); r.next() {
			want = append(want, r.entry())
		}
		want = want[len(want)-10:]
		clock := fakeclock.New(now)
		s.SetClock(clock)
		lines, cancel, _ := following(t, s, sources.LogQuery{Query: `{service_name="checkout"}`, Range: sources.TimeRange{From: from}, Limit: 10})
		defer cancel()
		<-clock.Waiting
		got := drain(lines)
		if len(got) != len(want) {
			t.Fatalf("%d lines, want %d", len(got), len(want))
		}
		for i := range got {
			if got[i].Line != want[i].Line || !got[i].Time.Equal(want[i].Time) {
				t.Errorf("line %d: %v %q, want %v %q", i, got[i].Time, got[i].Line, want[i].Time, want[i].Line)
			}
		}
	})

	t.Run("well past the end", func(t *testing.T) {
		start := sc.Now.Add(25 * time.Minute)
		clock := fakeclock.New(start)
		s.SetClock(clock)
		lines, cancel, _ := following(t, s, sources.LogQuery{Query: `{service_name="checkout"}`, Range: sources.TimeRange{From: start}})
		defer cancel()
		<-clock.Waiting
		clock.Advance(ReplayPeriod)
		<-clock.Waiting
		got := drain(lines)
		if len(got) == 0 {
			t.Fatal("no line in a period")
		}
		for i, e := range got {
			if e.Time.Before(start) || e.Time.After(clock.Now()) || (i > 0 && e.Time.Before(got[i-1].Time)) {
				t.Errorf("line %d at %v, want in order within [%v, %v]", i, e.Time, start, clock.Now())
			}
			// a line of the scenario's last period, moved on by whole periods
			k := (e.Time.Sub(sc.Now) + ReplayPeriod - 1) / ReplayPeriod
			was := e.Time.Add(-k * ReplayPeriod)
			found := false
			for _, o := range sc.Logs {
				if o.Time.Equal(was) && o.Labels["service_name"] == Checkout {
					found = true
				}
			}
			if !found {
				t.Errorf("line %d at %v is no scenario line moved by %d periods", i, e.Time, k)
			}
		}
	})
}

// A query outside the subset fails at once; a query no line matches
// waits for its end.
func TestFollowErrors(t *testing.T) {
	sc, err := Load(time.Date(2027, 3, 1, 8, 30, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	s := NewSource(sc)
	s.SetClock(fakeclock.New(sc.Now))
	err = s.FollowLogs(context.Background(), sources.LogQuery{Query: `sum(rate({a="b"}[1m]))`}, sources.FollowOptions{}, nil)
	if err == nil || !strings.Contains(err.Error(), "not supported") {
		t.Errorf("a metric query: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	var events []sources.FollowEvent
	err = s.FollowLogs(ctx, sources.LogQuery{Query: `{service_name="nobody"}`},
		sources.FollowOptions{Notify: func(e sources.FollowEvent) { events = append(events, e) }},
		func(sources.LogEntry) error { t.Error("a line of nobody"); return nil })
	if !errors.Is(err, context.DeadlineExceeded) || len(events) != 1 || !events[0].Connected {
		t.Errorf("no line matches: %v, events %v", err, events)
	}
}

// A trace's query sees no replay: the replays are other requests', with
// IDs of their own.
func TestReplayIsOfOtherTraces(t *testing.T) {
	sc, err := Load(DatasetNow)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`{service_name=~".+"} | trace_id="` + string(sc.BigTraceID) + `"`,
		`{service_name="checkout"} |= "` + string(sc.BigTraceID) + `"`,
	} {
		lq, err := parseLogQL(q)
		if err != nil {
			t.Fatal(err)
		}
		if r := newReplay(sc, lq, sc.Now.Add(time.Minute)); len(r.loop) != 0 {
			t.Errorf("%s: %d lines replayed", q, len(r.loop))
		}
	}
	lq, _ := parseLogQL(`{service_name="checkout"}`)
	if r := newReplay(sc, lq, sc.Now.Add(time.Minute)); len(r.loop) == 0 {
		t.Error("the service's lines are not replayed")
	}
}
