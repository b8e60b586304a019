package heapwarm

import (
	"runtime/metrics"
	"slices"
	"sync/atomic"
	"testing"
	"time"
)

func forcedCollections() uint64 {
	m := []metrics.Sample{{Name: "/gc/cycles/forced:gc-cycles"}}
	metrics.Read(m)
	return m[0].Value.Uint64()
}

// reset makes the process new again, as to warming, and reports each
// warming's size on the channel returned.
func reset(t *testing.T) chan int {
	t.Helper()
	got := make(chan int, 4)
	warmed = func(n int) { got <- n }
	begun.Store(false)
	oldLower := lower
	lower = func() {}
	t.Cleanup(func() { warmed, lower = nil, oldLower; Disable(); begun.Store(false) })
	return got
}

// until waits for done to hold, a minute at most (the caller checks).
func until(done func() bool) {
	for deadline := time.Now().Add(time.Minute); !done() && time.Now().Before(deadline); {
		time.Sleep(100 * time.Microsecond)
	}
}

func wait(t *testing.T, got chan int) int {
	t.Helper()
	select {
	case n := <-got:
		return n
	case <-time.After(60 * time.Second):
		t.Fatal("the warming did not end")
	}
	return 0
}

func TestWarmsUntilStoppedThenCollects(t *testing.T) {
	tests := []struct {
		name    string
		delay   time.Duration
		stop    string // "at once", "while warming", "never"
		least   int
		most    int
		collect bool
	}{
		{"an answer before the delay", time.Hour, "at once", 0, 0, false},
		{"an answer while warming", 0, "while warming", block, Max, true},
		{"no answer", 0, "never", Max, Max, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := reset(t)
			old := delay
			delay = tt.delay
			defer func() { delay = old }()
			progress.Store(0)
			Enable(nil)
			before := forcedCollections()
			stop := Start(false)
			var n int
			switch tt.stop {
			case "at once":
				stop()
				stop() // twice is fine
				n = wait(t, got)
			case "while warming":
				until(func() bool { return progress.Load() > 0 })
				stop()
				n = wait(t, got)
			default:
				n = wait(t, got)
				stop()
			}
			if n < tt.least || n > tt.most || n%block != 0 {
				t.Errorf("warmed %d bytes, want whole blocks from %d to %d", n, tt.least, tt.most)
			}
			if collected := forcedCollections() != before; collected != tt.collect {
				t.Errorf("a collection after warming: %v, want %v", collected, tt.collect)
			}
		})
	}
}

func TestWarmsOncePerProcessAndOnlyWhenEnabled(t *testing.T) {
	got := reset(t)
	old := delay
	delay = 0
	defer func() { delay = old }()
	var count atomic.Int32
	warmed = func(n int) { count.Add(1); got <- n }
	Start(false)() // not enabled
	Enable(nil)
	Start(false)()
	wait(t, got)
	Start(false)() // the second wait of the process
	Disable()
	begun.Store(false)
	Start(false)()
	time.Sleep(50 * time.Millisecond)
	if c := count.Load(); c != 1 {
		t.Errorf("%d warmings, want 1: the first wait of an enabled process only", c)
	}
}

// A wait for an answer that can be big warms past Max as it goes on, up
// to MaxLong, once the floor has made room; a small answer's wait, or a
// floor that cannot make room, stops at Max.
func TestLongWaitsWarmMore(t *testing.T) {
	tests := []struct {
		name  string
		big   bool
		room  bool
		want  int
		asked []int // what room was asked for
	}{
		{"a big answer, room made", true, true, MaxLong, []int{MaxLong}},
		{"a big answer, no room", true, false, Max, []int{MaxLong}},
		{"a small answer", false, true, Max, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := reset(t)
			oldDelay, oldAfter := delay, longAfter
			delay, longAfter = 0, 0
			defer func() { delay, longAfter = oldDelay, oldAfter }()
			var asked []int
			Enable(func(n int) bool { asked = append(asked, n); return tt.room })
			stop := Start(tt.big)
			n := wait(t, got)
			stop()
			if n != tt.want {
				t.Errorf("warmed %d bytes, want %d", n, tt.want)
			}
			if !slices.Equal(asked, tt.asked) {
				t.Errorf("room asked for %v, want %v", asked, tt.asked)
			}
		})
	}
}

// Past longAfter, longRate more may be warmed for each millisecond waited,
// up to the most.
func TestAllowedGrowsWithTheWait(t *testing.T) {
	tests := []struct {
		waited time.Duration
		most   int
		want   int
	}{
		{0, MaxLong, Max},
		{longAfter, MaxLong, Max},
		{longAfter + 10*time.Millisecond, MaxLong, Max + 10*longRate},
		{longAfter + 10*time.Millisecond, Max, Max},
		{time.Hour, MaxLong, MaxLong},
	}
	for _, tt := range tests {
		if got := allowed(tt.waited, tt.most); got != tt.want {
			t.Errorf("allowed(%v, %d) = %d, want %d", tt.waited, tt.most, got, tt.want)
		}
	}
}

// stillClock stops the clock that warming reads, and starts it at once:
// the wait lasts as long as what the result is set to, however long
// warming takes (under the race detector, more than longAfter).
func stillClock(t *testing.T) *atomic.Int64 {
	t.Helper()
	oldDelay, oldNow := delay, now
	var later atomic.Int64
	at := time.Now()
	delay, now = 0, func() time.Time { return at.Add(time.Duration(later.Load())) }
	t.Cleanup(func() { delay, now = oldDelay, oldNow })
	return &later
}

// A trace's wait warms Max, then waits for longAfter before warming on:
// what is warmed is let go while the answer is awaited (a collection once
// it comes holds up reading it), and warming on past longAfter holds it
// again, and more, and is let go at MaxLong.
func TestLetsGoOfWarmedMemoryWhileWaiting(t *testing.T) {
	got := reset(t)
	later := stillClock(t) // the wait lasts no time until later says
	Enable(func(int) bool { return true })
	before := forcedCollections()
	progress.Store(0)
	stop := Start(true)
	defer stop()
	until(func() bool { return forcedCollections() != before })
	if forcedCollections() == before {
		t.Fatal("no collection while the answer was awaited, once Max was warmed")
	}
	if p := progress.Load(); p != Max {
		t.Errorf("%d bytes warmed before the collection, want Max (%d)", p, Max)
	}
	later.Store(int64(time.Hour)) // the wait goes on: warming goes on
	n := wait(t, got)
	if n != MaxLong {
		t.Errorf("warmed %d bytes in all, want %d", n, MaxLong)
	}
	if p := progress.Load(); p != Max+MaxLong {
		t.Errorf("%d bytes warmed, want Max and then MaxLong (%d)", p, Max+MaxLong)
	}
	if c := forcedCollections() - before; c != 2 {
		t.Errorf("%d collections, want 2: at Max and at MaxLong", c)
	}
}

// An answer that comes as warming goes on past Max, holding again what
// was let go, gets it back: a collection once more, even with no more
// held than before.
func TestLetsGoOfWhatIsHeldAgainWhenTheAnswerComes(t *testing.T) {
	got := reset(t)
	later := stillClock(t)
	var stop atomic.Value // of func()
	// asked for room as warming goes on past Max: the answer comes then
	Enable(func(int) bool { stop.Load().(func())(); return true })
	before := forcedCollections()
	progress.Store(0)
	stop.Store(Start(true))
	until(func() bool { return forcedCollections() != before })
	later.Store(int64(time.Hour))
	if n := wait(t, got); n != Max {
		t.Errorf("warmed %d bytes, want Max (%d)", n, Max)
	}
	if c := forcedCollections() - before; c != 2 {
		t.Errorf("%d collections, want 2: at Max, and once the answer came", c)
	}
}

// Huge pages are asked for until a block asked for in them takes longer
// than slowHuge to write; the rest is warmed in 4 KiB pages.
func TestStopsAskingForHugePagesOnceOneIsSlow(t *testing.T) {
	tests := []struct {
		name string
		// per is how much each look at the thread's time adds to it
		per time.Duration
		// want says whether a count of advice is right
		want func(n int32) bool
		desc string
	}{
		{"fast", 0, func(n int32) bool { return n >= Max/hugePage-1 }, "one for each huge page warmed"},
		{"slow", 2 * slowHuge, func(n int32) bool { return n == 1 }, "the first only"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := reset(t)
			oldDelay, oldAdvise, oldTime := delay, advise, threadTime
			var advised atomic.Int32
			var clock atomic.Int64
			delay = 0
			advise = func([]byte) { advised.Add(1) }
			threadTime = func() time.Duration { return time.Duration(clock.Add(int64(tt.per))) }
			defer func() { delay, advise, threadTime = oldDelay, oldAdvise, oldTime }()
			Enable(nil)
			stop := Start(false)
			n := wait(t, got)
			stop()
			if n != Max {
				t.Fatalf("warmed %d bytes, want %d", n, Max)
			}
			if a := advised.Load(); !tt.want(a) {
				t.Errorf("huge pages asked for %d times, want %s", a, tt.desc)
			}
		})
	}
}
