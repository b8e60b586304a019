package cmd

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"

	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/sources/demo"
)

// fakeClock is the clock and the sleep of a watch: each sleep moves the
// clock on by what it was asked to wait, and the refreshes-th sleep ends
// the watch as Ctrl-C would.
type fakeClock struct {
	mu        sync.Mutex
	at        time.Time
	slept     []time.Duration
	refreshes int
	cancel    context.CancelFunc
}

func (c *fakeClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.at
}

func (c *fakeClock) sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	c.slept = append(c.slept, d)
	c.at = c.at.Add(d)
	n := len(c.slept)
	c.mu.Unlock()
	if n >= c.refreshes {
		c.cancel()
		return ctx.Err()
	}
	return nil
}

// watchRun runs telx with --demo at the fake clock's time, as a terminal
// of the width and profile given (NoTTY: a pipe), until the clock ends
// the watch after refreshes refreshes.
func watchRun(t *testing.T, clock *fakeClock, width int, profile colorprofile.Profile, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	io := TestIO(&out, &errOut)
	io.Width = width
	io.Profile = profile
	io.IsTTY = profile != colorprofile.NoTTY
	root, opts := newRootCmd(io, func(k string) string { return noBackends[k] })
	opts.now, opts.sleep = clock.now, clock.sleep
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	clock.cancel = cancel
	code := Run(ctx, root, io, append(args, "--demo"))
	return code, out.String(), errOut.String()
}

// stamp is the line above each block of piped text output.
var stamp = regexp.MustCompile(`(?m)^# (\S+) · every (\S+)$`)

// blocks splits piped watch output at its stamps: each block's time,
// interval and text.
func blocks(t *testing.T, out string) (times []time.Time, every []string, texts []string) {
	t.Helper()
	locs := stamp.FindAllStringSubmatchIndex(out, -1)
	if len(locs) == 0 || locs[0][0] != 0 {
		t.Fatalf("the output does not start with a stamp:\n%s", out)
	}
	for i, l := range locs {
		at, err := time.Parse(time.RFC3339, out[l[2]:l[3]])
		if err != nil {
			t.Fatalf("stamp %q: %v", out[l[0]:l[1]], err)
		}
		times = append(times, at)
		every = append(every, out[l[4]:l[5]])
		end := len(out)
		if i+1 < len(locs) {
			end = locs[i+1][0]
		}
		texts = append(texts, out[l[1]+1:end])
	}
	return times, every, texts
}

// Piped, telx metrics --watch appends a block per refresh under a line
// with its time; the range slides with the clock, and the refreshes come
// at the interval, or at the query's step when that is longer.
func TestMetricsWatchPiped(t *testing.T) {
	start := demo.DatasetNow
	for _, tt := range []struct {
		name  string
		args  []string
		every time.Duration // what the sleeps are asked
		note  bool          // stderr says the step is the floor
	}{
		// 20 minutes over 80 columns: a step of 1m, over the 15s asked
		{"default", []string{"--watch"}, time.Minute, true},
		{"coarser than the step", []string{"--watch=3m"}, 3 * time.Minute, false},
		{"finer step", []string{"--watch", "--step", "10s"}, 15 * time.Second, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			clock := &fakeClock{at: start, refreshes: 2}
			args := append([]string{"metrics", "--service", "payments", "--since", "20m", "--utc"}, tt.args...)
			code, out, errOut := watchRun(t, clock, 80, colorprofile.NoTTY, args...)
			if code != ExitOK {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			if strings.Contains(out, "\x1b") {
				t.Error("escape sequences in piped output")
			}
			times, every, texts := blocks(t, out)
			if len(texts) != 2 {
				t.Fatalf("%d blocks, want 2:\n%s", len(texts), out)
			}
			if len(clock.slept) != 2 || clock.slept[0] != tt.every || clock.slept[1] != tt.every {
				t.Errorf("slept %v, want %s twice", clock.slept, tt.every)
			}
			for i, text := range texts {
				if !times[i].Equal(start.Add(time.Duration(i) * tt.every)) {
					t.Errorf("block %d at %s, want %s", i, times[i], start.Add(time.Duration(i)*tt.every))
				}
				if every[i] != promDuration(tt.every) {
					t.Errorf("block %d: every %s, want %s", i, every[i], promDuration(tt.every))
				}
				// each block is the command's output over the range ending then
				to := times[i].UTC().Format("15:04:05")
				from := times[i].Add(-20 * time.Minute).UTC().Format("2006-01-02 15:04:05")
				if !strings.HasPrefix(text, "payments · rate, errors, latency") || !strings.Contains(text, from+" → "+to+" UTC") {
					t.Errorf("block %d, want the range %s → %s:\n%s", i, from, to, text)
				}
				for _, row := range []string{"\nrate ", "\nerrors ", "\np99 "} {
					if !strings.Contains(text, row) {
						t.Errorf("block %d lacks the %s row", i, strings.TrimSpace(row))
					}
				}
			}
			if note := strings.Contains(errOut, "telx: refreshing every 1m, the query's step (--watch asked for 15s)"); note != tt.note {
				t.Errorf("stderr %q", errOut)
			}
		})
	}
}

// Piped, telx alerts --watch appends the tab-separated lines under a
// stamp per refresh; with -o json each refresh is one JSON document, as
// a stream (no stamps).
func TestAlertsWatchPiped(t *testing.T) {
	start := demo.DatasetNow
	clock := &fakeClock{at: start, refreshes: 2}
	code, out, errOut := watchRun(t, clock, 80, colorprofile.NoTTY, "alerts", "--watch", "--utc")
	if code != ExitOK || errOut != "" {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	times, every, texts := blocks(t, out)
	if len(texts) != 2 || !times[1].Equal(times[0].Add(DefaultWatch)) || every[0] != "15s" {
		t.Fatalf("blocks at %v every %v, want 2, 15s apart:\n%s", times, every, out)
	}
	for i, text := range texts {
		if !strings.Contains(text, "firing\tPaymentsHighErrorRate\tservice_name=payments,severity=critical\t2026-01-15T11:45:00Z\t") {
			t.Errorf("block %d:\n%s", i, text)
		}
	}
	golden(t, "alerts/watch-piped", out)

	clock = &fakeClock{at: start, refreshes: 2}
	code, out, errOut = watchRun(t, clock, 80, colorprofile.NoTTY, "alerts", "--watch=1m", "-o", "json")
	if code != ExitOK || errOut != "" {
		t.Fatalf("json: exit %d: %s", code, errOut)
	}
	dec := json.NewDecoder(strings.NewReader(out))
	docs := 0
	for ; dec.More(); docs++ {
		var alerts []sources.Alert
		if err := dec.Decode(&alerts); err != nil || len(alerts) == 0 {
			t.Fatalf("document %d: %v, %d alerts:\n%s", docs, err, len(alerts), out)
		}
	}
	if docs != 2 {
		t.Errorf("%d JSON documents, want 2", docs)
	}
}

// vt is as much of a terminal as the watch draws on: text, newlines,
// carriage returns, the cursor up to a previous line, erasing to the end
// of the line and of the screen, the cursor's visibility.
type vt struct {
	lines   []string
	row     int
	col     int
	visible bool
}

var csi = regexp.MustCompile(`^\x1b\[(\??)(\d*)([A-Za-z])`)

func (v *vt) write(t *testing.T, s string) {
	t.Helper()
	v.visible = true
	for len(s) > 0 {
		for v.row >= len(v.lines) {
			v.lines = append(v.lines, "")
		}
		switch {
		case s[0] == '\n':
			v.row, v.col, s = v.row+1, 0, s[1:]
		case s[0] == '\r':
			v.col, s = 0, s[1:]
		case s[0] == '\x1b':
			m := csi.FindStringSubmatch(s)
			if m == nil {
				t.Fatalf("an escape sequence the watch should not send: %q", s[:min(len(s), 10)])
			}
			n, _ := strconv.Atoi(m[2])
			switch m[1] + m[3] {
			case "F":
				v.row, v.col = max(0, v.row-n), 0
			case "K":
				v.lines[v.row] = ansi.Cut(v.lines[v.row], 0, v.col)
			case "J":
				v.lines[v.row] = ansi.Cut(v.lines[v.row], 0, v.col)
				v.lines = v.lines[:v.row+1]
			case "?l", "?h":
				if n != 25 {
					t.Fatalf("mode %d", n)
				}
				v.visible = m[3] == "h"
			case "m":
			default:
				t.Fatalf("an escape sequence the watch should not send: %q", m[0])
			}
			s = s[len(m[0]):]
		default:
			i := strings.IndexAny(s, "\n\r\x1b")
			if i < 0 {
				i = len(s)
			}
			text := s[:i]
			line := v.lines[v.row]
			w := ansi.StringWidth(text)
			v.lines[v.row] = ansi.Cut(line, 0, v.col) + strings.Repeat(" ", max(0, v.col-ansi.StringWidth(line))) + text + ansi.Cut(line, v.col+w, ansi.StringWidth(line))
			v.col += w
			s = s[i:]
		}
	}
}

func (v *vt) screen() string { return strings.TrimRight(strings.Join(v.lines, "\n"), "\n") }

// On a terminal, each refresh redraws the block in place: the cursor
// back to its first line, every line overwritten, what is left below
// erased, in one write; at the end the cursor shows again and the last
// block stays on the screen, alone.
func TestAlertsWatchTerminal(t *testing.T) {
	start := demo.DatasetNow
	for _, width := range []int{80, 200} {
		t.Run(strconv.Itoa(width), func(t *testing.T) {
			clock := &fakeClock{at: start, refreshes: 2}
			code, out, errOut := watchRun(t, clock, width, colorprofile.Ascii, "alerts", "--watch", "--utc")
			if code != ExitOK || errOut != "" {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			if !strings.HasPrefix(out, ansi.HideCursor) || !strings.HasSuffix(out, "\r"+ansi.EraseLineRight+ansi.ShowCursor) {
				t.Errorf("the cursor is not hidden, then shown again: %q … %q", out[:min(len(out), 20)], out[max(0, len(out)-20):])
			}
			frames := strings.Split(out, ansi.EraseScreenBelow)
			if len(frames) != 3 { // two frames and the end
				t.Fatalf("%d frames, want 2:\n%q", len(frames)-1, out)
			}
			first := strings.Count(frames[0], "\n")
			if !strings.HasPrefix(frames[1], ansi.CursorPreviousLine(first)) {
				t.Errorf("the second frame does not start %d lines up: %q", first, frames[1][:min(len(frames[1]), 20)])
			}
			var v vt
			v.write(t, frames[0]+ansi.EraseScreenBelow)
			firstScreen := v.screen()
			v.write(t, strings.Join(frames[1:], ansi.EraseScreenBelow))
			s := v.screen()
			if v.visible != true {
				t.Error("the cursor stays hidden")
			}
			for i, want := range []string{"every 15s · 12:00:00 · ctrl+c stops", "every 15s · 12:00:15 · ctrl+c stops"} {
				got := firstScreen
				if i == 1 {
					got = s
				}
				if strings.Count(got, "ctrl+c stops") != 1 || !strings.HasPrefix(got, want) {
					t.Errorf("frame %d:\n%s", i, got)
				}
			}
			if !strings.Contains(s, "PaymentsHighErrorRate") || !strings.Contains(s, "(15m ago)") && !strings.Contains(s, "(16m ago)") {
				t.Errorf("the last frame:\n%s", s)
			}
			for i, l := range strings.Split(s, "\n") {
				if w := ansi.StringWidth(l); w > width {
					t.Errorf("line %d is %d wide", i, w)
				}
			}
			golden(t, "alerts/watch-terminal-"+strconv.Itoa(width), s)
		})
	}
}

// flaky fails its refreshes from the second on, up to the third.
type flaky struct {
	sources.MetricSource
	mu    sync.Mutex
	calls int
}

func (f *flaky) Alerts(ctx context.Context) ([]sources.Alert, error) {
	f.mu.Lock()
	f.calls++
	n := f.calls
	f.mu.Unlock()
	if n == 2 {
		return nil, errors.New("connection refused")
	}
	return f.MetricSource.Alerts(ctx)
}

// A refresh that fails after the first is said (piped: on stderr with
// its time; on a terminal above the last good block) and the watch goes
// on; a first refresh that fails ends it, as without --watch.
func TestWatchErrors(t *testing.T) {
	start := demo.DatasetNow
	for _, profile := range []colorprofile.Profile{colorprofile.NoTTY, colorprofile.Ascii} {
		clock := &fakeClock{at: start, refreshes: 3}
		var out, errOut bytes.Buffer
		io := TestIO(&out, &errOut)
		io.Profile, io.IsTTY = profile, profile != colorprofile.NoTTY
		g := &GlobalOptions{now: clock.now, sleep: clock.sleep, Timeout: time.Second, Demo: true}
		src, err := g.demoSource()
		if err != nil {
			t.Fatal(err)
		}
		fl := &flaky{MetricSource: src}
		ctx, cancel := context.WithCancel(context.Background())
		clock.cancel = cancel
		err = alertsRun(ctx, &AlertsOptions{IO: io, Global: g, UTC: true, Watch: time.Minute,
			Source: func() (sources.MetricSource, error) { return fl, nil }})
		cancel()
		if err != nil || fl.calls != 3 {
			t.Fatalf("%v: %v after %d refreshes", profile, err, fl.calls)
		}
		if profile == colorprofile.NoTTY {
			if _, _, texts := blocks(t, out.String()); len(texts) != 2 {
				t.Errorf("%d blocks, want the 2 that worked:\n%s", len(texts), out.String())
			}
			if errOut.String() != "telx: 2026-01-15T12:01:00Z: connection refused (again in 1m)\n" {
				t.Errorf("stderr %q", errOut.String())
			}
			continue
		}
		frames := strings.Split(out.String(), ansi.EraseScreenBelow)
		if len(frames) != 4 || !strings.Contains(frames[1], "✗ 12:01:00: connection refused") || !strings.Contains(frames[1], "PaymentsHighErrorRate") ||
			strings.Contains(frames[2], "connection refused") {
			t.Errorf("terminal frames:\n%q", frames)
		}
	}

	// the first refresh fails: the command's error, nothing drawn
	clock := &fakeClock{at: start, refreshes: 2}
	code, out, errOut := watchRun(t, clock, 80, colorprofile.Ascii, "metrics", "up", "--watch")
	if code != ExitError || out != "" || !strings.Contains(errOut, "not supported") || len(clock.slept) != 0 {
		t.Errorf("a failing first refresh: exit %d, out %q, err %q, slept %v", code, out, errOut, clock.slept)
	}
}

// On a terminal lower than the block, the block is cut to the height
// (less a line, so nothing scrolls) and says how much is left out.
func TestWatchCutToTheTerminal(t *testing.T) {
	var out bytes.Buffer
	io := TestIO(&out, &out)
	io.IsTTY, io.Profile = true, colorprofile.Ascii
	clock := &fakeClock{at: demo.DatasetNow, refreshes: 1}
	g := &GlobalOptions{now: clock.now, sleep: clock.sleep}
	w := newWatcher(io, g, time.Minute, true, true)
	w.size = func() (int, int) { return 30, 6 }
	ctx, cancel := context.WithCancel(context.Background())
	clock.cancel = cancel
	err := w.run(ctx, func(_ context.Context, io *IO) (time.Duration, error) {
		if io.Width != 30 {
			t.Errorf("the refresh's width %d, want the terminal's", io.Width)
		}
		for i := 1; i <= 10; i++ {
			io.Out.Write([]byte("line " + strconv.Itoa(i) + " " + strings.Repeat("x", 40) + "\n"))
		}
		return 0, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var v vt
	v.write(t, out.String())
	want := "every 1m · 12:00:00 · ctrl+c s\n" +
		"line 1 xxxxxxxxxxxxxxxxxxxxxxx\n" +
		"line 2 xxxxxxxxxxxxxxxxxxxxxxx\n" +
		"line 3 xxxxxxxxxxxxxxxxxxxxxxx\n" +
		"… 7 more lines: a taller termi"
	if got := v.screen(); got != want {
		t.Errorf("screen:\n%s\nwant:\n%s", got, want)
	}
}

// --watch takes its interval after '=': given after a space, the
// interval is read as an argument, which telx says; under a second is
// refused.
func TestWatchUsage(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"alerts", "--watch", "30s"}, "--watch=30s"},
		{[]string{"metrics", "--watch", "30s", "--service", "payments"}, "--watch=30s"},
		{[]string{"metrics", "--service", "payments", "--watch=500ms"}, "--watch 500ms: want at least 1s"},
		{[]string{"alerts", "--watch=-1s"}, "want at least 1s"},
	} {
		code, _, errOut := runIn(t, 80, colorprofile.NoTTY, "", noBackends, append(tt.args, "--demo")...)
		if code != ExitUsage || !strings.Contains(errOut, tt.want) {
			t.Errorf("%q: exit %d, %q; want a usage error saying %q", tt.args, code, errOut, tt.want)
		}
	}
}
