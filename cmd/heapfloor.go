package cmd

// A one-shot command (telx trace, telx logs…) allocates most of what it
// holds while it decodes one answer, and exits. Go's collector starts
// with a 4 MiB heap goal and would collect some ten times while a
// 10,000-span trace is read, each time for little: everything read is
// kept. heapFloor holds the goal up: a block the collector counts as live
// but that is never touched, so that the process's memory (what the
// system gives it) does not grow by it, and holds no pointers, so that
// the collector does not read it. The collector's goal is then about
// twice (what is live + heapFloorSize): no collection at all for a 10,000-span
// trace, and for a huge answer about heapFloorSize more than without.
//
// Go has no setting for a least heap goal (GOMEMLIMIT bounds it from
// above); GOGC higher would also multiply the heap of a huge answer.
// The explorer, which runs on, drops the floor when it starts.
const heapFloorSize = 32 << 20

var heapFloor []byte

func raiseHeapFloor() { heapFloor = make([]byte, heapFloorSize) }

func dropHeapFloor() { heapFloor = nil }
