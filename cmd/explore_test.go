package cmd

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/telx-cli/telx/sources"
)

// countingSource answers Trace with a trace of the asked ID, once release
// is closed, and counts the calls.
type countingSource struct {
	sources.TraceSource
	mu      sync.Mutex
	calls   []sources.TraceID
	release chan struct{}
}

func (c *countingSource) Trace(ctx context.Context, id sources.TraceID) (*sources.Trace, error) {
	c.mu.Lock()
	c.calls = append(c.calls, id)
	c.mu.Unlock()
	select {
	case <-c.release:
		return &sources.Trace{ID: id}, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (c *countingSource) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.calls)
}

func TestPrefetch(t *testing.T) {
	const id, other = sources.TraceID("0af7651916cd43dd8448eb211c80319c"), sources.TraceID("1af7651916cd43dd8448eb211c80319c")
	src := &countingSource{release: make(chan struct{})}
	p := prefetch(context.Background(), src, id)
	for src.count() == 0 {
		time.Sleep(time.Millisecond) // the fetch starts at once, before anyone asks
	}

	// asked for while the fetch is running: the caller may give up
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := p.Trace(ctx, id); !errors.Is(err, context.Canceled) {
		t.Fatalf("a cancelled wait: %v", err)
	}

	close(src.release)
	src2 := &countingSource{release: src.release}
	p = prefetch(context.Background(), src2, id)
	if tr, err := p.Trace(context.Background(), id); err != nil || tr.ID != id {
		t.Fatalf("first call: %v, %v", tr, err)
	}
	if n := src2.count(); n != 1 {
		t.Errorf("the prefetched trace was fetched %d times, want once", n)
	}
	// later calls, and other traces, go to the backend
	if tr, err := p.Trace(context.Background(), id); err != nil || tr.ID != id || src2.count() != 2 {
		t.Errorf("second call: %v, %v, %d calls", tr, err, src2.count())
	}
	if tr, err := p.Trace(context.Background(), other); err != nil || tr.ID != other || src2.count() != 3 {
		t.Errorf("another trace: %v, %v, %d calls", tr, err, src2.count())
	}
}
