// Package fakeclock is a clock for tests that moves only when told: a
// wait on it (After) ends when Advance passes its time. It has the shape
// of the demo's follow clock (sources/demo.Clock).
package fakeclock

import (
	"sync"
	"time"
)

// Clock is a clock moved by hand.
type Clock struct {
	mu    sync.Mutex
	now   time.Time
	waits []wait
	// Waiting gets a token each time someone starts waiting.
	Waiting chan struct{}
}

type wait struct {
	at time.Time
	ch chan time.Time
}

// New returns a clock at now.
func New(now time.Time) *Clock {
	return &Clock{now: now, Waiting: make(chan struct{}, 64)}
}

// Now is the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// After delivers the clock's time once Advance has moved it d on.
func (c *Clock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch := make(chan time.Time, 1)
	if d <= 0 {
		ch <- c.now
		return ch
	}
	c.waits = append(c.waits, wait{c.now.Add(d), ch})
	c.Waiting <- struct{}{}
	return ch
}

// Advance moves the clock d on, ending the waits it passes.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	kept := c.waits[:0]
	for _, w := range c.waits {
		if w.at.After(c.now) {
			kept = append(kept, w)
			continue
		}
		w.ch <- c.now
	}
	c.waits = kept
}
