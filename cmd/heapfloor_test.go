package cmd

import (
	"math"
	"runtime"
	"runtime/debug"
	"testing"
	"time"
)

// The floor turns the collector off, and its first collection turns it
// back on at its usual pace, with no memory limit.
func TestHeapFloorLastsOneCollection(t *testing.T) {
	t.Setenv("GOGC", "")
	t.Setenv("GOMEMLIMIT", "")
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(math.MaxInt64))
	restoreGC = onceAgain()
	raiseHeapFloor()
	if p := debug.SetGCPercent(-1); p != -1 {
		t.Fatalf("with the floor, GOGC is %d, want off", p)
	}
	if l := debug.SetMemoryLimit(-1); l != heapFloor {
		t.Fatalf("with the floor, the memory limit is %d, want %d", l, heapFloor)
	}
	runtime.GC()
	deadline := time.Now().Add(5 * time.Second)
	for debug.SetMemoryLimit(-1) != math.MaxInt64 {
		if time.Now().After(deadline) {
			t.Fatal("the first collection did not turn the collector back on")
		}
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
	}
	if p := debug.SetGCPercent(-1); p != 100 {
		t.Errorf("after the first collection GOGC is %d, want 100", p)
	}
	debug.SetGCPercent(100)
}
