package heapwarm

import (
	"runtime/metrics"
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
	t.Cleanup(func() { warmed = nil; Disable(); begun.Store(false) })
	return got
}

func wait(t *testing.T, got chan int) int {
	t.Helper()
	select {
	case n := <-got:
		return n
	case <-time.After(10 * time.Second):
		t.Fatal("the warming did not end")
	}
	return 0
}

func TestWarmsUntilStoppedThenCollects(t *testing.T) {
	tests := []struct {
		name  string
		wait  time.Duration // before stop; long enough to reach Max
		least int
		most  int
	}{
		{"stopped at once", 0, 0, Max / 2},
		{"never stopped", -1, Max, Max},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := reset(t)
			Enable()
			before := forcedCollections()
			stop := Start()
			var n int
			if tt.wait < 0 {
				n = wait(t, got)
				stop()
			} else {
				stop()
				stop() // twice is fine
				n = wait(t, got)
			}
			if n < tt.least || n > tt.most || n%block != 0 {
				t.Errorf("warmed %d bytes, want whole blocks from %d to %d", n, tt.least, tt.most)
			}
			if forcedCollections() == before {
				t.Error("no collection after warming: the warmed memory is still held")
			}
		})
	}
}

func TestWarmsOncePerProcessAndOnlyWhenEnabled(t *testing.T) {
	got := reset(t)
	var count atomic.Int32
	warmed = func(n int) { count.Add(1); got <- n }
	Start()() // not enabled
	Enable()
	Start()()
	wait(t, got)
	Start()() // the second wait of the process
	Disable()
	begun.Store(false)
	Start()()
	time.Sleep(50 * time.Millisecond)
	if c := count.Load(); c != 1 {
		t.Errorf("%d warmings, want 1: the first wait of an enabled process only", c)
	}
}
