package loki

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/sources/config"
	"github.com/telx-cli/telx/test/harness"
)

// Loki's answers are read under their cap and within the timeout,
// decoding included, and say which happened.
func TestAnswersUnderCapAndTimeout(t *testing.T) {
	const timeout = 400 * time.Millisecond
	r := sources.TimeRange{From: time.Unix(1764570000, 0), To: time.Unix(1764573600, 0)}
	query := func(c *Client) error {
		return c.QueryLogs(context.Background(), sources.LogQuery{Query: `{service_name="checkout"}`, Range: r, Limit: 100},
			func(sources.LogEntry) error { return nil })
	}
	labels := func(c *Client) error {
		_, err := c.Labels(context.Background(), r)
		return err
	}
	for _, tc := range []struct {
		fault harness.Fault
		call  func(*Client) error
		want  []string
	}{
		{harness.FaultOverCap, query, []string{"the answer to /loki/api/v1/query_range is larger than 1 MiB, telx's cap on a page of logs or metrics", "hint: read larger answers with --max-answer 2MiB, or set limits.page_answer"}},
		{harness.FaultOverCap, labels, []string{"the answer to /loki/api/v1/labels is larger than 512 KiB, telx's cap on a list", "limits.small_answer"}},
		{harness.FaultStall, query, []string{"timed out after 400ms reading the answer", "hint: wait longer with --timeout 1s, or set timeout under loki in the context"}},
		{harness.FaultNeverEnds, query, []string{"timed out after 400ms reading the answer"}},
		{harness.FaultNeverEnds, labels, []string{"timed out after 400ms reading the answer"}},
		{harness.FaultHTML200, query, []string{"malformed query answer: not JSON but HTML or XML"}},
		{harness.FaultHTML200, labels, []string{"malformed answer: not JSON but HTML or XML"}},
	} {
		t.Run(string(tc.fault), func(t *testing.T) {
			srv := harness.StartFaultServer(t, tc.fault)
			srv.OverCap = 4 << 20
			c, err := New(Options{URL: srv.URL, HTTPClient: &http.Client{Timeout: timeout}, Limits: config.Limits{PageAnswer: 1 << 20, SmallAnswer: 512 << 10}})
			if err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			err = tc.call(c)
			if took := time.Since(start); took > 10*timeout {
				t.Errorf("took %s with a timeout of %s", took, timeout)
			}
			var be *sources.BackendError
			if !errors.As(err, &be) || be.Backend != "loki" || be.URL != srv.URL {
				t.Fatalf("not a Loki error naming its URL: %v", err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("the error does not say %q:\n%v", w, err)
				}
			}
			for _, not := range []string{"is Loki running there", "context deadline exceeded", "request canceled"} {
				if strings.Contains(err.Error(), not) {
					t.Errorf("the error says %q:\n%v", not, err)
				}
			}
		})
	}
}

// A huge page (Loki's answers have no size bound of their own) stops at
// the default cap, 64 MiB, rather than taking its size several times in
// memory.
func TestDefaultCapOnAHugePage(t *testing.T) {
	srv := harness.StartFaultServer(t, harness.FaultOverCap)
	srv.OverCap = 80 << 20
	c, err := New(Options{URL: srv.URL, HTTPClient: &http.Client{Timeout: time.Minute}})
	if err != nil {
		t.Fatal(err)
	}
	r := sources.TimeRange{From: time.Unix(1764570000, 0), To: time.Unix(1764573600, 0)}
	err = c.QueryLogs(context.Background(), sources.LogQuery{Query: `{service_name="checkout"}`, Range: r, Limit: 10},
		func(sources.LogEntry) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "is larger than 64 MiB") {
		t.Errorf("%v", err)
	}
}

// A tail message over the cap ends the follow with an error that says
// so, rather than a reconnection that would meet it again.
func TestFollowMessageOverTheCap(t *testing.T) {
	srv := harness.StartFaultServer(t, harness.FaultOverCap)
	srv.OverCap = 2 << 20
	c, err := New(Options{URL: srv.URL, HTTPClient: &http.Client{Timeout: 5 * time.Second}, Limits: config.Limits{PageAnswer: 1 << 20}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	err = c.Follow(ctx, sources.LogQuery{Query: `{service_name="checkout"}`, Range: sources.TimeRange{From: time.Now().Add(-time.Minute)}}, FollowOptions{},
		func(sources.LogEntry) error { return nil })
	if ctx.Err() != nil {
		t.Fatal("the follow went on after a message over the cap")
	}
	if err == nil || !strings.Contains(err.Error(), "a message of the tail is larger than 1 MiB") || !strings.Contains(err.Error(), "--max-answer 2MiB") {
		t.Errorf("%v", err)
	}
}
