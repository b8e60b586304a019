package heapwarm

import (
	"runtime"
	"syscall"
	"testing"
)

// The collection after warming runs on a thread of the usual priority,
// not on the warming's own: stopping the process for it, at the lowest
// priority, would wait for the other processes on the machine (telx's
// reading of a 10,000-span answer stood still for 4.6 ms so).
func TestCollectsOffTheLowPriorityThread(t *testing.T) {
	priority := func() int {
		p, err := syscall.Getpriority(syscall.PRIO_PROCESS, syscall.Gettid())
		if err != nil {
			t.Error(err)
		}
		return p
	}
	old := collection
	defer func() { collection = old }()
	usual := make(chan int, 1)
	var lowered, during int
	collection = func() { during = priority() }
	go func() {
		// the thread is not unlocked: it ends with the goroutine
		runtime.LockOSThread()
		lowerPriority()
		lowered = priority()
		collect()
		usual <- 0
	}()
	<-usual
	here := priority()
	if lowered == here {
		t.Fatalf("lowerPriority left the thread at %d, as any other", lowered)
	}
	if during != here {
		t.Errorf("the collection ran at priority %d (the warming's is %d), want the usual %d", during, lowered, here)
	}
}
