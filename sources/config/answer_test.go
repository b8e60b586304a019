package config

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"
	"time"
)

func TestParseByteSize(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want ByteSize
		err  string
	}{
		{"256MiB", 256 << 20, ""},
		{"256 MiB", 256 << 20, ""},
		{"64MB", 64_000_000, ""},
		{"1.5GiB", 3 << 29, ""},
		{"1048576", 1 << 20, ""},
		{"1k", 1000, ""},
		{"0", 0, "more than 0"},
		{"", 0, "not a size"},
		{"-1MiB", 0, "not a size"},
		{"NaN", 0, "not a size"},
		{"1e30", 0, "not a size"},
		{"12 parsecs", 0, "not a size"},
		{"100000000EiB", 0, "too large"},
	} {
		got, err := ParseByteSize(tc.in)
		switch {
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("%q: error %v, want one saying %q", tc.in, err, tc.err)
		case tc.err == "" && (err != nil || got != tc.want):
			t.Errorf("%q: %d, %v; want %d", tc.in, got, err, tc.want)
		}
	}
	if s := ByteSize(256 << 20).String(); s != "256 MiB" {
		t.Errorf("String: %q", s)
	}
}

func TestLimitsInTheConfigFile(t *testing.T) {
	f, err := Parse("c.yaml", []byte("contexts:\n  a:\n    limits:\n      trace_answer: 1GiB\n      small_answer: 1000000\n  b: {}\n"))
	if err != nil {
		t.Fatal(err)
	}
	l := f.Contexts["a"].AnswerLimits()
	if l.Cap(TraceAnswer) != 1<<30 || l.Cap(SmallAnswer) != 1_000_000 || l.Cap(PageAnswer) != int64(DefaultPageAnswer) {
		t.Errorf("limits %+v", l)
	}
	if d := f.Contexts["b"].AnswerLimits(); d.Cap(TraceAnswer) != 256<<20 || d.Cap(PageAnswer) != 64<<20 || d.Cap(SmallAnswer) != 16<<20 {
		t.Errorf("defaults %+v", d)
	}
	out, err := f.Marshal()
	if err != nil || !strings.Contains(string(out), "trace_answer: 1GiB") || !strings.Contains(string(out), "small_answer: 1000000") {
		t.Errorf("marshalled: %s, %v", out, err)
	}
	for _, bad := range []string{"page_answer: lots", "page_answer: -5MB", "page_answer: [1]", "page_size: 1MB"} {
		_, err := Parse("c.yaml", []byte("contexts:\n  a:\n    limits:\n      "+bad+"\n"))
		if err == nil || !strings.Contains(err.Error(), "c.yaml: line 4") {
			t.Errorf("%s: %v", bad, err)
		}
	}
}

func TestCapReader(t *testing.T) {
	tooLarge := func() *AnswerTooLargeError {
		return &AnswerTooLargeError{What: "the file f", Kind: TraceAnswer, Limit: 1024}
	}
	for _, tc := range []struct {
		name   string
		data   int
		size   int64
		reader func(io.Reader) io.Reader
		capped bool
	}{
		{"under the cap", 1023, -1, nil, false},
		{"at the cap", 1024, -1, nil, false},
		{"one byte over", 1025, -1, nil, true},
		{"far over", 1 << 20, -1, nil, true},
		{"one byte at a time", 1025, -1, iotest.OneByteReader, true},
		{"at the cap, one byte at a time", 1024, -1, iotest.OneByteReader, false},
		{"a size over the cap", 10, 5000, nil, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var r io.Reader = bytes.NewReader(make([]byte, tc.data))
			if tc.reader != nil {
				r = tc.reader(r)
			}
			got, err := io.ReadAll(CapReader(r, tc.size, tooLarge()))
			var tl *AnswerTooLargeError
			if tc.capped != errors.As(err, &tl) {
				t.Fatalf("read %d bytes, error %v", len(got), err)
			}
			if !tc.capped && len(got) != tc.data {
				t.Errorf("read %d of %d bytes", len(got), tc.data)
			}
			if len(got) > 1024 {
				t.Errorf("read %d bytes past a cap of 1024", len(got))
			}
		})
	}
	e := tooLarge()
	if msg := e.Error(); msg != "the file f is larger than 1 KiB, telx's cap on a trace answer" {
		t.Errorf("message %q", msg)
	}
	if h := e.Hint(); !strings.Contains(h, "--max-answer 2KiB") || !strings.Contains(h, "limits.trace_answer") {
		t.Errorf("hint %q", h)
	}
}

// An answer over its kind's cap fails as it is read, and names the path;
// one within it is read whole. A Content-Length over the cap fails at
// the first read.
func TestLimitAnswers(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(r.URL.Query().Get("n"))
		if r.URL.Query().Get("length") != "" {
			w.Header().Set("Content-Length", strconv.Itoa(n))
		}
		w.Write(bytes.Repeat([]byte("x"), n))
	}))
	defer srv.Close()
	hc := LimitAnswers(&http.Client{Timeout: 10 * time.Second}, Limits{PageAnswer: 2000, SmallAnswer: 100})
	get := func(kind AnswerKind, query string) (int, error) {
		ctx, answer := TrackAnswer(context.Background(), kind)
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/api/x?"+query, nil)
		resp, err := hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if answer.Err() != err && !errors.Is(err, answer.Err()) {
			t.Errorf("Answer.Err %v, the read's %v", answer.Err(), err)
		}
		return len(b), err
	}
	for _, tc := range []struct {
		kind   AnswerKind
		query  string
		n      int
		capped bool
	}{
		{PageAnswer, "n=2000", 2000, false},
		{PageAnswer, "n=2001", 2000, true},
		{PageAnswer, "n=100000", 2000, true},
		{PageAnswer, "n=5000&length=1", 0, true},
		{SmallAnswer, "n=101", 100, true},
		{SmallAnswer, "n=100&length=1", 100, false},
		{TraceAnswer, "n=100000", 100000, false}, // the default cap
	} {
		n, err := get(tc.kind, tc.query)
		var tl *AnswerTooLargeError
		if tc.capped != errors.As(err, &tl) || n > tc.n || (!tc.capped && n != tc.n) {
			t.Errorf("%v %s: read %d, %v", tc.kind, tc.query, n, err)
		}
		if tc.capped && (tl.What != "the answer to /api/x" || tl.Kind != tc.kind) {
			t.Errorf("%v %s: %+v", tc.kind, tc.query, tl)
		}
	}
	// a client made twice keeps one cap: the last
	again := LimitAnswers(hc, Limits{PageAnswer: 10})
	if _, ok := again.Transport.(*capTransport).base.(*capTransport); ok {
		t.Error("the transport is capped twice")
	}
}

func TestReadAnswer(t *testing.T) {
	for _, n := range []int{0, 1, 64 << 10, 64<<10 + 1, 3 << 20} {
		data := bytes.Repeat([]byte("0123456789"), n/10+1)[:n]
		for _, size := range []int64{-1, int64(n), int64(n / 2)} {
			got, err := ReadAnswer(iotest.HalfReader(bytes.NewReader(data)), size)
			if err != nil || !bytes.Equal(got, data) {
				t.Errorf("%d bytes, size %d: %d bytes, %v", n, size, len(got), err)
			}
		}
	}
	// an error, even after some data, is an error, not an end
	r := io.MultiReader(bytes.NewReader(make([]byte, 100<<10)), iotest.ErrReader(io.ErrUnexpectedEOF))
	if _, err := ReadAnswer(r, -1); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("a truncated answer: %v", err)
	}
	if _, err := ReadAnswer(iotest.TimeoutReader(bytes.NewReader(make([]byte, 10))), 10); err == nil {
		t.Error("a failing read gave no error")
	}
}

// Within returns when its context is done, although f does not heed it.
func TestWithin(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	start := time.Now()
	_, err := Within(context.Background(), 50*time.Millisecond, func(context.Context) (int, error) {
		<-release
		return 1, nil
	})
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 5*time.Second {
		t.Errorf("after %s: %v", time.Since(start), err)
	}
	v, err := Within(context.Background(), 0, func(ctx context.Context) (int, error) {
		if _, ok := ctx.Deadline(); ok {
			t.Error("a deadline with d = 0")
		}
		return 7, nil
	})
	if v != 7 || err != nil {
		t.Errorf("%d %v", v, err)
	}
}

func TestTimeoutError(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want string
		hint string
	}{
		{context.DeadlineExceeded, "timed out after 5s waiting for an answer", "--timeout 10s, or set timeout under loki"},
		{&TimeoutError{After: 90 * time.Second, While: ReadingAnswer}, "timed out after 1m30s reading the answer", "--timeout 3m,"},
		{&TimeoutError{}, "timed out", "--timeout 1m,"},
	} {
		te := AsTimeout(tc.err, 5*time.Second, time.Time{}, false)
		if te == nil || te.Error() != tc.want || !strings.Contains(te.Hint("loki"), tc.hint) || !errors.Is(te, context.DeadlineExceeded) {
			t.Errorf("%v: %v (hint %q)", tc.err, te, te.Hint("loki"))
		}
	}
	if AsTimeout(errors.New("refused"), time.Second, time.Time{}, false) != nil || AsTimeout(context.Canceled, time.Second, time.Time{}, false) != nil {
		t.Error("not timeouts taken for timeouts")
	}
	for d, want := range map[time.Duration]string{5 * time.Second: "5s", 2 * time.Minute: "2m", 90 * time.Minute: "1h30m", 2 * time.Hour: "2h", 1500 * time.Millisecond: "1.5s", 90 * time.Second: "1m30s"} {
		if got := ShortDuration(d); got != want {
			t.Errorf("ShortDuration(%s) = %q", d, got)
		}
	}
}
