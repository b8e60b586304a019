// Package heapwarm readies, while a one-shot command waits for a
// backend's answer, the memory that reading the answer will fill.
//
// A fresh process gets its memory from the system a page at a time, as it
// first writes to it, and the system clears each page then: for a
// 10,000-span trace telx fills some 25 MB, about 6,500 pages, and clearing
// them was a third of the time telx took after Jaeger's first byte. The
// wait for that first byte (tens of milliseconds for a big trace) leaves
// the process idle. So, during the wait, a goroutine writes to fresh
// memory a block at a time, until the answer begins or Max is reached
// (MaxLong, as the wait goes on, for a trace long in coming), then lets
// go of it and runs a collection: the decoder's allocations
// then reuse pages the system has already given, which Go clears itself,
// far faster. The collection comes as soon as as much is warmed as may
// be for a while, within the wait, not once the answer has begun: a
// collection then stopped the reading of a 10,000-span trace for some 5
// ms. The memory is asked for in huge pages (see adviseHuge), which the
// system gives, and takes back at the exit, far faster, until one is slow
// to come (see slowHuge). The heap floor
// of one-shot commands (a collector off until the first collection the
// runtime starts itself, see cmd) keeps them from being collected again
// meanwhile.
//
// Only the first answer a process waits for is warmed, only where Enable
// was called (one-shot commands, not the explorer), only once the wait
// has lasted delay (a small answer comes sooner, and is not worth the
// collection), and the goroutine's thread runs at the lowest priority,
// so that a backend on the same machine gets the processor first. The
// pages the system clears for it can still slow such a backend down:
// Jaeger on the same two-core machine sent a 10,000-span trace's first
// byte up to 8 ms later (medians of 20: 43 ms against 36 in one run, 30.4
// against 30.2 in another), while telx took 5 to 9 ms less after it.
package heapwarm

import (
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"
)

// Max is the most memory warmed for an answer soon in coming: a
// 10,000-span trace fills about 20 MB; it stays under the heap floor's
// 64 MiB, past which the collector would give warmed pages back.
const Max = 32 << 20

// MaxLong is the most warmed for an answer that can be big (a trace) and
// is long in coming. A backend takes longer to a bigger answer's first
// byte (Jaeger on loopback: 35 ms for 10,000 spans, 380 ms for 100,000,
// which fill some 180 MB), so past longAfter the warming goes on, at
// longRate for each millisecond waited, once the heap floor has been
// raised to hold it (see Enable).
const MaxLong = 128 << 20

// longRate is how much more may be warmed for each millisecond waited
// past longAfter.
const longRate = 512 << 10

// longAfter is how long the wait for an answer that can be big lasts
// before more than Max is warmed (the tests change it).
var longAfter = 50 * time.Millisecond

// block is how much is warmed at a time, between looks at whether the
// answer has begun.
const block = 256 << 10

// hugePage is the size of the system's huge pages on amd64 and arm64
// with 4 KiB pages (see adviseHuge); with another size the advice gives
// no huge page, and costs nothing.
const hugePage = 2 << 20

// slowHuge is how much of the thread's time writing a block asked for in
// huge pages may take before no more are asked for. A huge page is written
// in 0.1 ms here most of the time, but some minutes in 20 ms (the system
// has to find or make one; on this machine, a virtual one, its host gives
// the memory again), while 4 KiB pages take 0.4 ms a MiB throughout
// (test/cmd/freshmem times both): past one such page, the rest is warmed
// in 4 KiB pages, and the answer's own allocations find none asked for.
const slowHuge = time.Millisecond

// delay is how long the wait lasts before the warming begins (the tests
// change it).
var delay = 2 * time.Millisecond

var (
	enabled atomic.Bool
	begun   atomic.Bool
	// room makes room in the heap floor for n bytes warmed; false when it
	// cannot (the floor is gone)
	room func(n int) bool
	// warmed, when set (by tests), is told how much was warmed once the
	// collection after it is done (0, with none, when the answer came
	// before the delay).
	warmed func(n int)
	// progress is how much has been warmed so far, for the tests.
	progress atomic.Int64
)

// Enable lets the next wait for an answer warm memory; room, called
// before more than Max is warmed, makes room for n bytes warmed in the
// heap floor, and says whether it did (else no more is warmed).
func Enable(roomFor func(n int) bool) {
	room = roomFor
	enabled.Store(true)
}

// Disable stops warming, for a process that runs on (the explorer).
func Disable() { enabled.Store(false) }

// Start begins warming memory while an answer is awaited, once per
// process and only where enabled; big says the answer can be big (a
// trace), and more is warmed the longer it is in coming (see MaxLong).
// stop, which may be called more than once and never waits, ends it:
// when the answer's first bytes come, or the call fails.
func Start(big bool) (stop func()) {
	if !enabled.Load() || !begun.CompareAndSwap(false, true) {
		return func() {}
	}
	done := make(chan struct{})
	var once sync.Once
	most := Max
	if big {
		most = MaxLong
	}
	go warm(done, now(), delay, most)
	return func() { once.Do(func() { close(done) }) }
}

// allowed is how much may be warmed once the wait has lasted waited.
func allowed(waited time.Duration, most int) int {
	past := max(0, waited-longAfter)
	return int(min(int64(most), Max+int64(past/time.Millisecond)*longRate))
}

func warm(done chan struct{}, begin time.Time, after time.Duration, most int) {
	t := time.NewTimer(after)
	select {
	case <-done:
		t.Stop()
		if warmed != nil {
			warmed(0)
		}
		return
	case <-t.C:
	}
	// the thread ends with this goroutine, and its priority with it
	runtime.LockOSThread()
	lower()
	page := os.Getpagesize()
	var blocks [][]byte
	// ready is what has been warmed and let go: the heap holds it for
	// the allocations to come, and warming more means holding it again
	// (which costs its clearing only) and more
	ready, asked := 0, false
	// advised is where the memory asked for in huge pages ends (see
	// adviseHuge): a block the heap gives is most often just after the
	// one before
	var advised uintptr
	// huge: huge pages are still asked for; the first that takes long to
	// write (see slowHuge) ends that
	huge := true
	for !closed(done) && enabled.Load() {
		limit := allowed(now().Sub(begin), most)
		if limit > Max && !asked {
			asked = true
			if room == nil || !room(most) {
				most, limit = Max, Max
			}
		}
		held := len(blocks) * block
		if held+block <= limit && (held > 0 || limit > ready) {
			b := make([]byte, block)
			advisedNow := false
			if p := uintptr(unsafe.Pointer(unsafe.SliceData(b))); huge && p+block > advised {
				advise(b)
				advised = (p + block + hugePage - 1) &^ (hugePage - 1)
				advisedNow = true
			}
			spent := threadTime()
			for i := 0; i < len(b); i += page {
				b[i] = 1
			}
			if advisedNow && threadTime()-spent > slowHuge {
				huge = false
			}
			blocks = append(blocks, b)
			progress.Add(block)
			continue
		}
		// as much is warmed as may be for now; if that stays so for a
		// while (until longAfter) or for good, what is warmed is let go
		// at once, while the answer is awaited, not once it comes: a
		// collection then holds up reading it
		if held > ready && (limit == most || now().Sub(begin) < longAfter) {
			blocks, ready = nil, held
			collect()
		}
		if ready >= most {
			break
		}
		// more once the wait has lasted longer
		t.Reset(time.Millisecond)
		select {
		case <-done:
			t.Stop()
		case <-t.C:
		}
	}
	if len(blocks) > 0 {
		// what is held goes back for the answer, also when it is no more
		// than what was let go before (the answer came as it was being
		// held again): kept, it would hold the warmed pages to the end
		ready = max(ready, len(blocks)*block)
		blocks = nil
		collect()
	}
	if warmed != nil {
		warmed(ready)
	}
}

// collect runs a collection, from another goroutine: not this one's
// thread, whose low priority would hold up the whole process while the
// collection stops it (telx's reading of the answer was stopped for 4.6
// ms so, as the thread waited for Jaeger's to let it run).
func collect() {
	c := make(chan struct{})
	go func() {
		collection()
		close(c)
	}()
	<-c
}

// advise is adviseHuge, threadTime the time the calling thread has run
// (the tests count the advice, and make blocks slow to write).
var (
	advise     = adviseHuge
	threadTime = threadCPUTime
)

// collection is runtime.GC (the tests look at where it runs), now
// time.Now (the tests make the wait long), lower lowerPriority (the
// tests leave the priority as it is: at the lowest, warming can wait
// seconds for the processor while other packages' tests run).
var (
	collection = runtime.GC
	now        = time.Now
	lower      = lowerPriority
)

func closed(c chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}
