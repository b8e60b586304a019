package integration

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/telx-cli/telx/internal/paneprog"
	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/sources/loki"
	"github.com/telx-cli/telx/test/harness"
	"github.com/telx-cli/telx/tui"
	"github.com/telx-cli/telx/tui/logs"
	"github.com/telx-cli/telx/tui/styles"
)

// jobLines are n lines of job, named batch i, a millisecond apart from at.
func jobLines(job, batch string, n int, at time.Time) []sources.LogEntry {
	out := make([]sources.LogEntry, n)
	for i := range out {
		t := at.Add(time.Duration(i) * time.Millisecond)
		out[i] = sources.LogEntry{Time: t, Labels: map[string]string{"job": job, "service_name": "follower"},
			Line: fmt.Sprintf(`ts=%s level=info msg="%s %d"`, t.UTC().Format(time.RFC3339Nano), batch, i)}
	}
	return out
}

// count counts the pane's lines holding each text.
func countTexts(lines []string, texts []string) map[string]int {
	n := map[string]int{}
	for _, l := range lines {
		for _, t := range texts {
			if strings.Contains(l, `msg="`+t+`"`) {
				n[t]++
			}
		}
	}
	return n
}

func msgs(es []sources.LogEntry) []string {
	var out []string
	for _, e := range es {
		_, msg, _ := strings.Cut(e.Line, `msg="`)
		out = append(out, strings.TrimSuffix(msg, `"`))
	}
	return out
}

// followPane is a Logs pane over Loki at url, in a program, showing
// job's lines of the last five minutes.
func followPane(t *testing.T, url, job string, want int) *paneprog.Program {
	t.Helper()
	lc, err := loki.New(loki.Options{URL: url})
	if err != nil {
		t.Fatal(err)
	}
	p := paneprog.Start(t, logs.New(logs.Options{Source: lc, Styles: styles.New(false), Location: time.UTC, Timeout: 20 * time.Second,
		MaxBackoff: 2 * time.Second}), 160, 20)
	p.Send(tui.LogQueryMsg{Query: `{job="` + job + `"}`, Range: sources.Last(5*time.Minute, time.Now())})
	p.Wait(t, fmt.Sprintf("the %d lines already there", want), 20*time.Second, func(s paneprog.State) bool { return len(s.Lines) == want })
	return p
}

// The Logs pane in live mode against the real Loki: a line pushed after
// the pane opened arrives, once.
func TestLogsPaneFollowsLoki(t *testing.T) {
	env := harness.Shared(t)
	job := fmt.Sprintf("pane-follow-%d", time.Now().UnixNano())
	before := jobLines(job, "before", 3, time.Now().Add(-2*time.Second))
	if err := env.PushLogs(context.Background(), before); err != nil {
		t.Fatal(err)
	}
	p := followPane(t, env.LokiURL, job, 3)
	p.Send(tui.LiveMsg{On: true, Interval: 15 * time.Second})
	p.Wait(t, "the tail connected", 20*time.Second, func(s paneprog.State) bool { return strings.Contains(s.View, "● following") })
	after := jobLines(job, "pushed after the pane opened", 1, time.Now())
	if err := env.PushLogs(context.Background(), after); err != nil {
		t.Fatal(err)
	}
	s := p.Wait(t, "the pushed line", 20*time.Second, func(s paneprog.State) bool { return len(s.Lines) >= 4 })
	time.Sleep(2 * time.Second) // a repeat would come by now
	s = p.State()
	all := append(msgs(before), msgs(after)...)
	for text, n := range countTexts(s.Lines, all) {
		if n != 1 {
			t.Errorf("%q shown %d times", text, n)
		}
	}
	if len(s.Lines) != 4 || !strings.Contains(s.View, "pushed after the pane opened 0") {
		t.Errorf("%d lines:\n%s", len(s.Lines), s.View)
	}
	p.Send(tui.LiveMsg{On: false})
	p.Wait(t, "paused", 5*time.Second, func(s paneprog.State) bool { return !strings.Contains(s.View, "following") })
}

// Loki restarted under the tail (the real process, stopped and started
// again on its port and data): the pane says it lost the tail while the
// lines pushed before, during (as soon as the new Loki takes them) and
// after the restart all arrive, each once, and the status bar forgets the
// loss once the tail is back.
func TestLogsPaneFollowsAcrossALokiRestart(t *testing.T) {
	env := harness.StartT(t, harness.Options{Seed: 3, Backends: []string{harness.Loki}})
	job := fmt.Sprintf("pane-restart-%d", time.Now().UnixNano())
	ctx := context.Background()
	before := jobLines(job, "before", 5, time.Now().Add(-time.Second))
	if err := env.PushLogs(ctx, before); err != nil {
		t.Fatal(err)
	}
	p := followPane(t, env.LokiURL, job, 5)
	p.Send(tui.LiveMsg{On: true})
	p.Wait(t, "the tail connected", 20*time.Second, func(s paneprog.State) bool { return strings.Contains(s.View, "● following") })
	live := jobLines(job, "live", 5, time.Now())
	if err := env.PushLogs(ctx, live); err != nil {
		t.Fatal(err)
	}
	p.Wait(t, "the live lines", 20*time.Second, func(s paneprog.State) bool { return len(s.Lines) == 10 })

	// during: pushed again and again while Loki is down, taken as soon as
	// the new Loki takes pushes
	var during []sources.LogEntry
	var wg sync.WaitGroup
	var pushErr error
	var tookAt time.Time
	var lostThen bool // the pane said the tail was lost when they were taken
	err := env.RestartLoki(ctx, func() {
		p.Wait(t, "the loss on the pane", 20*time.Second, func(s paneprog.State) bool { return strings.Contains(s.View, "tail lost") })
		during = jobLines(job, "during", 5, time.Now())
		wg.Add(1)
		go func() {
			defer wg.Done()
			deadline := time.Now().Add(2 * time.Minute)
			for {
				pctx, cancel := context.WithTimeout(ctx, 2*time.Second)
				pushErr = env.PushLogs(pctx, during)
				cancel()
				if pushErr == nil || time.Now().After(deadline) {
					tookAt, lostThen = time.Now(), strings.Contains(p.State().View, "tail lost")
					return
				}
				time.Sleep(200 * time.Millisecond)
			}
		}()
	})
	if err != nil {
		t.Fatal(err)
	}
	readyAt := time.Now()
	wg.Wait()
	if pushErr != nil {
		t.Fatalf("the restarted Loki never took the lines: %v", pushErr)
	}
	t.Logf("the restarted Loki took the lines pushed while it was down %s before it was ready", readyAt.Sub(tookAt).Round(time.Millisecond))
	if !lostThen {
		t.Error("the lines pushed during the restart were taken after the tail was back: not during")
	}
	after := jobLines(job, "after", 5, time.Now())
	if err := env.PushLogs(ctx, after); err != nil {
		t.Fatal(err)
	}
	all := append(append(append(msgs(before), msgs(live)...), msgs(during)...), msgs(after)...)
	p.Wait(t, "every line", 60*time.Second, func(s paneprog.State) bool { return len(s.Lines) >= len(all) })
	time.Sleep(3 * time.Second) // a repeat would come by now
	s := p.State()
	got := countTexts(s.Lines, all)
	for _, text := range all {
		if got[text] != 1 {
			t.Errorf("%q shown %d times", text, got[text])
		}
	}
	if len(s.Lines) != len(all) || !strings.Contains(s.View, "● following") {
		t.Errorf("%d lines, want %d:\n%s", len(s.Lines), len(all), s.View)
	}
	// the status bar heard of the loss, then that it was over
	lost, last := false, tui.StatusMsg{}
	loading := 0
	for _, m := range s.Status {
		if m.Loading {
			loading++
			continue
		}
		loading--
		if m.Err != nil && strings.Contains(m.Err.Error(), "following: ") {
			lost = true
		}
		last = m
	}
	if !lost || last.Err != nil || loading != 0 || last.Source != "logs" {
		t.Errorf("the status bar heard %v", s.Status)
	}
}

// Lines Loki's tail drops (its dropped_entries, when more come at once
// than it sends on) are counted on the pane's status line, not hidden,
// and fetched again: of a burst of 5,000 lines, every one arrives, once.
// Loki drops some of such a burst in most runs, and now and then more
// than it says (its ingester lets a stream go when its tailer lags,
// without telling the querier): the catch-ups bring those too, and the
// test logs how many came by which way.
func TestLogsPaneShowsLokisDrops(t *testing.T) {
	env := harness.Shared(t)
	job := fmt.Sprintf("pane-drops-%d", time.Now().UnixNano())
	if err := env.PushLogs(context.Background(), jobLines(job, "before", 1, time.Now().Add(-time.Second))); err != nil {
		t.Fatal(err)
	}
	p := followPane(t, env.LokiURL, job, 1)
	p.Send(tui.LiveMsg{On: true})
	p.Wait(t, "the tail connected", 20*time.Second, func(s paneprog.State) bool { return strings.Contains(s.View, "● following") })
	time.Sleep(6 * time.Second) // past the catch-ups after connecting, which would bring the dropped lines
	burst := jobLines(job, "burst", 5000, time.Now().Add(-5*time.Second))
	if err := env.PushLogs(context.Background(), burst); err != nil {
		t.Fatal(err)
	}
	dropRE := regexp.MustCompile(`([0-9,]+)(\+?) dropped by the tail`)
	dropped := func(view string) (int, bool) {
		m := dropRE.FindStringSubmatch(view)
		if m == nil {
			return 0, false
		}
		n, _ := strconv.Atoi(strings.ReplaceAll(m[1], ",", ""))
		return n, m[2] == "+"
	}
	// until nothing more comes for three seconds once all have come, or
	// for longer than Follow's query_range reconciliation (every 10 s),
	// which brings what Loki dropped without saying so
	last, since := -1, time.Now()
	p.Wait(t, "the burst to settle", 60*time.Second, func(s paneprog.State) bool {
		n, _ := dropped(s.View)
		if now := len(s.Lines) + n; now != last {
			last, since = now, time.Now()
		}
		quiet := time.Since(since)
		return len(s.Lines)+n > 1 && (quiet > 3*time.Second && len(s.Lines) > 5000 || quiet > 12*time.Second)
	})
	s := p.State()
	n, more := dropped(s.View)
	arrived := len(s.Lines) - 1
	t.Logf("of a burst of 5,000 lines, %d arrived, %d dropped by the tail (more: %v); the pane says: %s", arrived, n, more, lastLine(s.View))
	for text, k := range countTexts(s.Lines, msgs(burst)) {
		if k != 1 {
			t.Errorf("%q shown %d times", text, k)
		}
	}
	if arrived != 5000 {
		t.Errorf("%d of the burst's 5,000 lines arrived (%d dropped by the tail)", arrived, n)
	}
	if n > 0 && !strings.Contains(s.View, "fetched again") {
		t.Errorf("the tail dropped %d lines, and the pane does not say they were fetched again: %s", n, lastLine(s.View))
	}
}

func lastLine(view string) string {
	rows := strings.Split(view, "\n")
	return strings.TrimSpace(rows[len(rows)-1])
}
