package loki

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"

	"github.com/coder/websocket"
	json "github.com/goccy/go-json"

	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/sources/config"
)

// FollowOptions tune Follow.
type FollowOptions struct {
	// Overlap is how far before the last line seen a reconnection starts
	// again, to catch lines that arrived late; lines seen in it are
	// skipped (default 5s).
	Overlap time.Duration
	// Notify, when set, hears about each reconnection and each report of
	// lines Loki dropped, for a warning on stderr.
	Notify func(msg string)
	// MaxBackoff caps the wait between reconnection attempts (default 5s).
	MaxBackoff time.Duration
	// Event, when set, hears the same news as Notify as data: each
	// connection opened, each connection lost with the wait before the
	// next attempt, each count of lines Loki dropped.
	Event func(sources.FollowEvent)
}

// maxDropped is the most dropped entries Loki lists in a tail message
// (its querier's maxDroppedEntriesPerTailResponse): it drops more without
// listing them.
const maxDropped = 1000

// wireTail is one message of the tail WebSocket.
type wireTail struct {
	Streams        []wireResult `json:"streams"`
	DroppedEntries []struct {
		Labels    map[string]string `json:"labels"`
		Timestamp string            `json:"timestamp"`
	} `json:"dropped_entries"`
}

// settles are when, after a tail connection opens, Follow asks
// query_range for the lines since a little before it opened: Loki's tail
// takes its history up to the moment the request comes and starts
// listening for new lines only after, so that lines pushed in between
// reach neither (a line pushed as the tail connects is lost more often
// than not). The first ask is once the tail surely listens; the second,
// in case Loki was slow to.
var settles = []time.Duration{time.Second, 5 * time.Second}

// reconcileEvery is how often, once settled, Follow asks query_range for
// the lines since its last ask: Loki's tail drops lines when it cannot
// keep up, and does not always say so (it lists at most 1,000, and its
// ingesters drop some silently), so the lines it lost are fetched again
// and passed on late. A report of dropped lines asks sooner, after
// reconcileAfterDrop, once the burst that caused it has passed.
var (
	reconcileEvery     = 10 * time.Second
	reconcileAfterDrop = 2 * time.Second
)

// follower remembers the lines passed on recently, to skip them when a
// reconnection or a catch-up sends them again. It passes lines on one at
// a time: the tail and its catch-up run side by side.
type follower struct {
	mu      sync.Mutex
	seen    map[string]int64 // entry key -> its time (ns)
	last    int64            // the newest time passed on
	overlap int64
	floor   int64 // when not 0, remember every line since (a catch-up will ask from there)
}

func (f *follower) emit(e *sources.LogEntry, fn func(sources.LogEntry) error) error {
	_, err := f.pass(e, fn)
	return err
}

// pass is emit that tells whether the line was new.
func (f *follower) pass(e *sources.LogEntry, fn func(sources.LogEntry) error) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	ts := e.Time.UnixNano()
	key := unionKey(e)
	if _, dup := f.seen[key]; dup {
		return false, nil
	}
	f.seen[key] = ts
	if ts > f.last {
		f.last = ts
		if len(f.seen) > 4096 { // forget what is older than the overlap
			cut := f.last - f.overlap
			if f.floor != 0 {
				cut = min(cut, f.floor)
			}
			for k, t := range f.seen {
				if t < cut {
					delete(f.seen, k)
				}
			}
		}
	}
	return true, fn(*e)
}

func (f *follower) setFloor(t int64) {
	f.mu.Lock()
	f.floor = t
	f.mu.Unlock()
}

func (f *follower) lastTime() int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.last
}

// Follow calls fn with the lines matching q as they arrive, through Loki's
// WebSocket tail, until ctx ends (it then returns ctx's error) or fn or Loki
// fails for good (or the first connection fails). It starts at q.Range.From with at most q.Limit earlier
// lines. When the connection closes or drops, it reconnects: it first
// fetches what it missed with query_range, forward from a little before the
// last line it passed on, then tails again; every line is passed on once.
// A second and five seconds after each connection opens it asks
// query_range too (see settles): the lines Loki's tail missed as it set up
// come then, after newer ones. fn is called from one goroutine at a time.
func (c *Client) Follow(ctx context.Context, q sources.LogQuery, opts FollowOptions, fn func(sources.LogEntry) error) error {
	if IsMetricQuery(q.Query) {
		return c.wrap(fmt.Errorf("%q is a metric query, which cannot be followed: %w", q.Query, errMetricResult))
	}
	if opts.Overlap <= 0 {
		opts.Overlap = 5 * time.Second
	}
	if opts.MaxBackoff <= 0 {
		opts.MaxBackoff = 5 * time.Second
	}
	notify := opts.Notify
	if notify == nil {
		notify = func(string) {}
	}
	event := opts.Event
	if event == nil {
		event = func(sources.FollowEvent) {}
	}
	f := &follower{seen: map[string]int64{}, overlap: int64(opts.Overlap)}
	start := q.Range.From
	if start.IsZero() {
		start = time.Now()
	}
	limit := q.Limit
	if limit <= 0 || limit > c.pageSize {
		limit = c.pageSize
	}
	backoff := 100 * time.Millisecond
	for attempt := 0; ; attempt++ {
		if last := f.lastTime(); attempt > 0 && last > 0 {
			// catch up on what the tail missed while it was down
			from := time.Unix(0, last-f.overlap)
			now := time.Now()
			err := c.QueryLogs(ctx, sources.LogQuery{Query: q.Query, Range: sources.TimeRange{From: from, To: now}, Direction: sources.Forward},
				func(e sources.LogEntry) error {
					if err := f.emit(&e, fn); err != nil {
						return fnError{err}
					}
					return nil
				})
			var fe fnError
			if errors.As(err, &fe) {
				return fe.err
			}
			if err == nil {
				start, limit = now.Add(-opts.Overlap), c.pageSize
			} else if !retryable(err) {
				return err
			}
		}
		if now := time.Now(); start.After(now) {
			start = now // Loki closes a tail that starts later than its now
		}
		connected, err := c.tail(ctx, q.Query, start, limit, f, fn, notify, event)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		var fe fnError
		if errors.As(err, &fe) {
			return fe.err
		}
		if !retryable(err) || (attempt == 0 && !connected) {
			// a Loki that cannot be reached at all is reported, not awaited
			return err
		}
		if connected {
			backoff = 100 * time.Millisecond
		}
		notify(fmt.Sprintf("loki: the tail connection ended (%v); reconnecting in %s", err, backoff))
		event(sources.FollowEvent{Err: err, Retry: backoff})
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(backoff):
		}
		backoff = min(backoff*2, opts.MaxBackoff)
	}
}

// errClosed says the server closed the tail.
var errClosed = errors.New("closed by the server")

// retryable tells whether a failed tail or catch-up is worth another try:
// not when Loki refused the query or the credentials, or fn failed.
func retryable(err error) bool {
	var fe fnError
	switch {
	case err == nil:
		return true
	case errors.As(err, &fe), errors.Is(err, ErrBadQuery), errors.Is(err, sources.ErrAuth), errors.Is(err, errMetricResult), errors.Is(err, context.Canceled),
		config.TooLargeHint(err) != "": // the same lines would come again
		return false
	}
	return true
}

// fnError carries an error of Follow's callback out of the read loop.
type fnError struct{ err error }

func (e fnError) Error() string { return e.err.Error() }
func (e fnError) Unwrap() error { return e.err }

// tail runs one tail connection until it ends. It tells whether the
// connection was established.
func (c *Client) tail(ctx context.Context, query string, start time.Time, limit int, f *follower, fn func(sources.LogEntry) error,
	notify func(string), event func(sources.FollowEvent)) (bool, error) {
	params := url.Values{
		"query": {query},
		"start": {nanos(start)},
		"limit": {strconv.Itoa(limit)},
	}
	u := c.base + "/loki/api/v1/tail?" + params.Encode()
	hc := *c.client
	if hc.CheckRedirect == nil {
		// the WebSocket dialer follows redirects without end when the
		// client sets no policy: net/http's own stops after 10
		hc.CheckRedirect = func(_ *http.Request, via []*http.Request) error {
			if len(via) >= 10 {
				return errors.New("stopped after 10 redirects")
			}
			return nil
		}
	}
	conn, resp, err := websocket.Dial(ctx, u, &websocket.DialOptions{
		HTTPClient: &hc,
		HTTPHeader: http.Header{"X-Loki-Response-Encoding-Flags": {"categorize-labels"}},
	})
	if err != nil {
		switch {
		case resp == nil || resp.StatusCode == http.StatusSwitchingProtocols:
		case resp.StatusCode < 400:
			// a proxy that does not pass upgrades on, a URL that is not Loki's
			err = noUpgrade(resp)
		default:
			err = statusError(resp)
		}
		return false, c.wrap(err)
	}
	defer conn.CloseNow()
	msgCap := c.limits.Cap(config.PageAnswer)
	conn.SetReadLimit(msgCap)
	event(sources.FollowEvent{Connected: true})

	// the lines the tail may miss as it sets up: asked of query_range
	// beside it, from a little before it opened
	opened := time.Now()
	from := opened.Add(-time.Duration(f.overlap))
	if from.Before(start) {
		from = start
	}
	f.setFloor(from.UnixNano())
	link, unlink := context.WithCancel(ctx)
	var wg sync.WaitGroup
	var caughtErr error // fn's, in a catch-up
	dropped := make(chan struct{}, 1)
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer f.setFloor(0)
		// catch up: from `from` to now, then from a little before that now
		catchUp := func() bool {
			now := time.Now()
			recovered := 0
			err := c.QueryLogs(link, sources.LogQuery{Query: query, Range: sources.TimeRange{From: from, To: now}, Direction: sources.Forward},
				func(e sources.LogEntry) error {
					passed, err := f.pass(&e, fn)
					if err != nil {
						return fnError{err}
					}
					if passed {
						recovered++
					}
					return nil
				})
			if recovered > 0 {
				notify(fmt.Sprintf("loki: fetched %d lines the tail missed", recovered))
				event(sources.FollowEvent{Recovered: recovered})
			}
			var fe fnError
			if errors.As(err, &fe) {
				caughtErr = fe.err
				unlink()
				return false
			}
			if err == nil { // a failed catch-up is left to the next, or to the reconnection's
				from = now.Add(-time.Duration(f.overlap))
				f.setFloor(from.UnixNano())
			}
			return true
		}
		for _, d := range settles {
			select {
			case <-link.Done():
				return
			case <-time.After(time.Until(opened.Add(d))):
			}
			if !catchUp() {
				return
			}
		}
		for {
			select {
			case <-link.Done():
				return
			case <-time.After(reconcileEvery):
			case <-dropped:
				select {
				case <-link.Done():
					return
				case <-time.After(reconcileAfterDrop):
				}
			}
			if !catchUp() {
				return
			}
		}
	}()
	defer func() {
		unlink()
		wg.Wait()
	}()
	for {
		_, data, err := conn.Read(link)
		if err != nil {
			unlink()
			wg.Wait()
			if caughtErr != nil {
				return true, fnError{caughtErr}
			}
			switch {
			case errors.Is(err, websocket.ErrMessageTooBig):
				err = &config.AnswerTooLargeError{What: "a message of the tail", Kind: config.PageAnswer, Limit: msgCap}
			case websocket.CloseStatus(err) != -1:
				err = fmt.Errorf("%w: %v", errClosed, err)
			}
			return true, c.wrap(err)
		}
		var msg wireTail
		if err := json.Unmarshal(data, &msg); err != nil {
			return true, c.wrap(malformed("tail message", err))
		}
		if n := len(msg.DroppedEntries); n > 0 {
			// Loki lists at most maxDropped; past it, it drops without counting
			more, least := n >= maxDropped, ""
			if more {
				least = "at least "
			}
			notify(fmt.Sprintf("loki: the tail dropped %s%d lines (Loki could not keep up); fetching them again", least, n))
			event(sources.FollowEvent{Dropped: n, DroppedMore: more})
			select {
			case dropped <- struct{}{}:
			default: // a catch-up is already due
			}
		}
		p := toPage(msg.Streams, sources.Forward, &c.ex)
		for i := range p.entries {
			if err := f.emit(&p.entries[i], fn); err != nil {
				return true, fnError{err}
			}
		}
	}
}

// unionKey identifies a line by its time, text, and labels and metadata
// taken together: the tail may merge structured metadata into the labels
// where query_range keeps them apart, and a line must be recognised
// either way.
func unionKey(e *sources.LogEntry) string {
	all := make(map[string]string, len(e.Labels)+len(e.Metadata))
	for k, v := range e.Metadata {
		all[k] = v
	}
	for k, v := range e.Labels {
		all[k] = v
	}
	return entryKey(all, &sources.LogEntry{Time: e.Time, Line: e.Line})
}

// errNoUpgrade marks a tail endpoint that answered without upgrading the
// connection to a WebSocket.
var errNoUpgrade = errors.New("the WebSocket upgrade was refused")

// noUpgrade describes an answer to the tail's WebSocket handshake that
// is not an upgrade (nor an error status): its status and the start of
// its body.
func noUpgrade(resp *http.Response) error {
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if text := sources.BodyText(body); text != "(empty body)" {
		return fmt.Errorf("/loki/api/v1/tail: %w: the server answered %s: %s", errNoUpgrade, resp.Status, text)
	}
	return fmt.Errorf("/loki/api/v1/tail: %w: the server answered %s with an empty body", errNoUpgrade, resp.Status)
}
