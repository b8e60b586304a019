package config

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"
)

// TimeoutError is a call to a backend that did not finish in time. It
// is a context.DeadlineExceeded for errors.Is.
type TimeoutError struct {
	// After is how long the call was given (or took); 0 when unknown.
	After time.Duration
	// While says what the call was at, when known: WaitingForAnswer or
	// ReadingAnswer.
	While string
}

// What a call was at when it timed out.
const (
	WaitingForAnswer = "waiting for an answer"
	ReadingAnswer    = "reading the answer"
)

func (e *TimeoutError) Error() string {
	msg := "timed out"
	if e.After > 0 {
		msg += " after " + ShortDuration(e.After)
	}
	if e.While != "" {
		msg += " " + e.While
	}
	return msg
}

// Is makes a TimeoutError a context.DeadlineExceeded.
func (e *TimeoutError) Is(target error) bool { return target == context.DeadlineExceeded }

// Hint says how to wait longer for backend.
func (e *TimeoutError) Hint(backend string) string {
	longer := "1m"
	if e.After > 0 {
		longer = ShortDuration(max(2*e.After, time.Second))
	}
	return fmt.Sprintf("wait longer with --timeout %s, or set timeout under %s in the context (docs/config.md)", longer, backend)
}

// IsTimeout tells whether err is a timeout: a deadline that passed, or a
// network operation that timed out.
func IsTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout())
}

// AsTimeout returns a TimeoutError for err when it is a timeout (see
// IsTimeout), nil otherwise. after is the time the call had (when known,
// else the time since start, when known); reading says whether its answer
// had begun to come.
func AsTimeout(err error, after time.Duration, start time.Time, reading bool) *TimeoutError {
	te, made := asTimeout(err, after, start)
	if made {
		te.While = WaitingForAnswer
		if reading {
			te.While = ReadingAnswer
		}
	}
	return te
}

// CallTimeout is AsTimeout for the error of a call made under ctx that
// had timeout from start, which is also taken for a timeout once the
// call has had all its time (unless ctx was cancelled): an error that a
// timeout caused need not say so ("net/http: request canceled", a
// decoder's "unexpected EOF").
func CallTimeout(ctx context.Context, err error, timeout time.Duration, start time.Time, reading bool) *TimeoutError {
	if err == nil || errors.Is(err, context.Canceled) && ctx.Err() == context.Canceled {
		return nil
	}
	if te := AsTimeout(err, timeout, start, reading); te != nil {
		return te
	}
	if timeout > 0 && time.Since(start) >= timeout && ctx.Err() != context.Canceled {
		return AsTimeout(context.DeadlineExceeded, timeout, start, reading)
	}
	return nil
}

// AsTimeoutOf is AsTimeout for a call of which it is not known how far it
// went.
func AsTimeoutOf(err error, after time.Duration) *TimeoutError {
	te, _ := asTimeout(err, after, time.Time{})
	return te
}

// asTimeout returns err's TimeoutError, or one it makes (made) for
// another timeout, or nil.
func asTimeout(err error, after time.Duration, start time.Time) (te *TimeoutError, made bool) {
	if errors.As(err, &te) {
		return te, false
	}
	if !IsTimeout(err) {
		return nil, false
	}
	if after <= 0 && !start.IsZero() {
		after = time.Since(start).Round(100 * time.Millisecond)
	}
	return &TimeoutError{After: after}, true
}

// ShortDuration writes d as 5s, 2m, 1h30m or 1.5s: time.Duration's
// String without its zero units.
func ShortDuration(d time.Duration) string {
	switch {
	case d >= time.Minute && d%time.Hour == 0:
		return fmt.Sprintf("%dh", d/time.Hour)
	case d >= time.Minute && d%time.Minute == 0 && d < time.Hour:
		return fmt.Sprintf("%dm", d/time.Minute)
	case d >= time.Minute && d%time.Minute == 0:
		return fmt.Sprintf("%dh%dm", d/time.Hour, d%time.Hour/time.Minute)
	}
	return d.String()
}

// Within runs f under ctx, bounded by d when d > 0, and returns what f
// returns, or ctx's error as soon as ctx is done without waiting for f:
// work that does not watch ctx (decoding an answer read whole) cannot
// hold a call past its timeout. A late result of f is dropped.
func Within[T any](ctx context.Context, d time.Duration, f func(context.Context) (T, error)) (T, error) {
	if d > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, d)
		defer cancel()
	}
	type result struct {
		v   T
		err error
	}
	done := make(chan result, 1)
	go func() {
		v, err := f(ctx)
		done <- result{v, err}
	}()
	select {
	case r := <-done:
		return r.v, r.err
	case <-ctx.Done():
		select {
		case r := <-done: // f finished just then
			return r.v, r.err
		default:
		}
		var zero T
		return zero, ctx.Err()
	}
}
