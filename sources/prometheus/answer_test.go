package prometheus

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

// Prometheus' answers are read under their cap (client_golang would read
// any size whole, then decode it for as long as it takes), within the
// timeout, and a wrong one is refused at its first byte.
func TestAnswersUnderCapAndTimeout(t *testing.T) {
	const timeout = 400 * time.Millisecond
	r := sources.TimeRange{From: time.Unix(1764570000, 0), To: time.Unix(1764573600, 0)}
	for _, tc := range []struct {
		fault harness.Fault
		want  []string
	}{
		{harness.FaultOverCap, []string{"the answer to /api/v1/query_range is larger than 1 MiB, telx's cap on a page of logs or metrics", "hint: read larger answers with --max-answer 2MiB, or set limits.page_answer"}},
		{harness.FaultStall, []string{"range query: timed out after 400ms", "hint: wait longer with --timeout 1s, or set timeout under prometheus in the context"}},
		{harness.FaultNeverEnds, []string{"range query: timed out after 400ms", "--timeout 1s"}},
	} {
		t.Run(string(tc.fault), func(t *testing.T) {
			srv := harness.StartFaultServer(t, tc.fault)
			srv.OverCap = 4 << 20
			c, err := New(Options{URL: srv.URL, HTTPClient: &http.Client{Timeout: timeout}, Limits: config.Limits{PageAnswer: 1 << 20}})
			if err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			_, err = c.QueryRange(context.Background(), sources.MetricQuery{Query: "up", Range: r, Step: time.Minute})
			if took := time.Since(start); took > 10*timeout {
				t.Errorf("took %s with a timeout of %s", took, timeout)
			}
			var be *sources.BackendError
			if !errors.As(err, &be) || be.Backend != "prometheus" || be.URL != srv.URL {
				t.Fatalf("not a Prometheus error naming its URL: %v", err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("the error does not say %q:\n%v", w, err)
				}
			}
		})
	}
}

// A 300 MB answer costs client_golang its size several times over and
// seconds of decoding past --timeout; under the default cap (64 MiB) the
// call stops at it.
func TestDefaultCapOnAHugeAnswer(t *testing.T) {
	srv := harness.StartFaultServer(t, harness.FaultOverCap)
	srv.OverCap = 80 << 20
	c, err := New(Options{URL: srv.URL, HTTPClient: &http.Client{Timeout: time.Minute}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Query(context.Background(), "up", time.Unix(1764570000, 0))
	if err == nil || !strings.Contains(err.Error(), "is larger than 64 MiB") {
		t.Errorf("%v", err)
	}
}

// A 2xx answer that is not a JSON object is refused at its first byte,
// saying what it is.
func TestNotAnObject(t *testing.T) {
	srv := harness.StartFaultServer(t, harness.FaultHTML200)
	c, err := New(Options{URL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Query(context.Background(), "up", time.Unix(1764570000, 0))
	if err == nil || !strings.Contains(err.Error(), "query: the answer is not JSON but HTML or XML") || !strings.Contains(err.Error(), "is this URL Prometheus' API?") {
		t.Errorf("%v", err)
	}
}
