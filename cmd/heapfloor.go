package cmd

import (
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"

	"github.com/telx-cli/telx/internal/heapwarm"
)

// A one-shot command (telx trace, telx logs…) allocates most of what it
// holds while it decodes one answer, and exits. Go's collector starts
// with a 4 MiB heap goal and would collect some ten times while a
// 10,000-span trace is read, each time for little: what is read is kept.
// So a one-shot command starts with the collector off below heapFloor
// (a memory limit, with GOGC off): nothing is collected until the process
// holds heapFloor, and from that first collection on the collector works
// as usual (GOGC=100, no limit), so that a huge answer costs no more than
// it did. Go has no setting for a least heap goal; a ballast block would
// raise every later goal too.
//
// The collections telx asks for itself (heapwarm's, after it has warmed
// the memory the answer will fill) do not end the floor; the first one
// the runtime starts does.
//
// A trace long in coming is warmed for longer (see heapwarm.MaxLong): the
// floor is raised first to hold what is warmed and heapFloor more.
//
// GOGC or GOMEMLIMIT in the environment are left to work as set (and
// nothing is warmed). The explorer, which runs on, turns the collector
// back on when it starts.
const heapFloor = 64 << 20

var restoreGC = onceAgain()

// onceAgain is a new sync.Once (the tests raise the floor again).
func onceAgain() *sync.Once { return new(sync.Once) }

func raiseHeapFloor() {
	if os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	debug.SetGCPercent(-1)
	debug.SetMemoryLimit(heapFloor)
	floorMu.Lock()
	floorUp = true
	floorMu.Unlock()
	floorFrom = automaticCollections()
	armHeapFloor()
	heapwarm.Enable(roomInFloor)
}

var (
	floorMu sync.Mutex
	floorUp bool // the floor is raised, not dropped yet
)

// roomInFloor raises the floor to hold n bytes warmed and heapFloor
// more, unless it is dropped already.
func roomInFloor(n int) bool {
	floorMu.Lock()
	defer floorMu.Unlock()
	if floorUp {
		debug.SetMemoryLimit(int64(n) + heapFloor)
	}
	return floorUp
}

// armHeapFloor makes an object that the next collection finds
// unreachable: its finalizer turns the collector back to its usual pace
// if the runtime started that collection, else arms the floor again.
// (64 bytes: a smaller object may share a block, whose finalizers can
// wait.)
func armHeapFloor() {
	runtime.SetFinalizer(new([64]byte), func(*[64]byte) {
		if automaticCollections() == floorFrom {
			armHeapFloor()
			return
		}
		dropHeapFloor()
	})
}

// floorFrom is how many collections the runtime had started when the
// floor was raised.
var floorFrom uint64

// automaticCollections is how many collections the runtime has started
// by itself (not by runtime.GC).
func automaticCollections() uint64 {
	m := []metrics.Sample{{Name: "/gc/cycles/automatic:gc-cycles"}}
	metrics.Read(m)
	return m[0].Value.Uint64()
}

func dropHeapFloor() {
	heapwarm.Disable()
	floorMu.Lock()
	defer floorMu.Unlock()
	floorUp = false
	restoreGC.Do(func() {
		if os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" {
			return
		}
		debug.SetGCPercent(100)
		debug.SetMemoryLimit(math.MaxInt64)
	})
}
