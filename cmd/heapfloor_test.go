package cmd

import (
	"math"
	"os"
	"os/exec"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	"github.com/telx-cli/telx/internal/heapwarm"
)

// The floor turns the collector off; the collections telx asks for
// itself leave it, and the first one the runtime starts turns the
// collector back on at its usual pace, with no memory limit.
// It runs in a process of its own, which starts with a small heap as
// telx does: in this package's, the other tests' memory makes the
// runtime collect by itself at once.
func TestHeapFloorLastsOneCollection(t *testing.T) {
	if os.Getenv("TELX_TEST_HEAP_FLOOR") == "" {
		c := exec.Command(os.Args[0], "-test.run=^TestHeapFloorLastsOneCollection$", "-test.count=1", "-test.v")
		c.Env = append(os.Environ(), "TELX_TEST_HEAP_FLOOR=1", "GOGC=", "GOMEMLIMIT=")
		out, err := c.CombinedOutput()
		if err != nil || !strings.Contains(string(out), "--- PASS: TestHeapFloorLastsOneCollection") {
			t.Fatalf("in a process of its own: %v\n%s", err, out)
		}
		return
	}
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(math.MaxInt64))
	defer heapwarm.Disable()
	restoreGC = onceAgain()
	raiseHeapFloor()
	if p := debug.SetGCPercent(-1); p != -1 {
		t.Fatalf("with the floor, GOGC is %d, want off", p)
	}
	if l := debug.SetMemoryLimit(-1); l != heapFloor {
		t.Fatalf("with the floor, the memory limit is %d, want %d", l, heapFloor)
	}
	// forced collections (heapwarm's) and their finalizers leave the floor
	for range 3 {
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
	}
	if l := debug.SetMemoryLimit(-1); l != heapFloor {
		t.Fatalf("after forced collections the memory limit is %d, want the floor's %d", l, heapFloor)
	}
	// a long wait's warming raises the floor first
	if !roomInFloor(heapwarm.MaxLong) {
		t.Fatal("the floor made no room for a long wait's warming")
	}
	if l := debug.SetMemoryLimit(-1); l != heapwarm.MaxLong+heapFloor {
		t.Fatalf("with room for a long wait's warming, the memory limit is %d, want %d", l, heapwarm.MaxLong+heapFloor)
	}
	debug.SetMemoryLimit(heapFloor)
	// filling the floor makes the runtime collect by itself
	var held [][]byte
	for automaticCollections() == floorFrom && len(held) < 4*heapFloor>>20 {
		held = append(held, make([]byte, 1<<20))
	}
	if automaticCollections() == floorFrom {
		t.Fatalf("holding %d MiB started no collection", len(held))
	}
	held = nil
	deadline := time.Now().Add(5 * time.Second)
	for debug.SetMemoryLimit(-1) != math.MaxInt64 {
		if time.Now().After(deadline) {
			t.Fatal("the runtime's first collection did not turn the collector back on")
		}
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
	}
	if p := debug.SetGCPercent(-1); p != 100 {
		t.Errorf("after the first collection GOGC is %d, want 100", p)
	}
	// and a warming that goes on past it raises no floor again
	if roomInFloor(heapwarm.MaxLong) || debug.SetMemoryLimit(-1) != math.MaxInt64 {
		t.Error("a warming raised the floor again after the runtime's first collection")
	}
	debug.SetGCPercent(100)
}
