package cmd

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/tui/render"
	"github.com/telx-cli/telx/tui/styles"
)

// DefaultWatch is the interval of --watch given without one.
const DefaultWatch = 15 * time.Second

// minWatch is the shortest interval --watch takes.
const minWatch = time.Second

// addWatchFlag adds --watch[=D]: run again every D (DefaultWatch when no
// D is given) until Ctrl-C.
func addWatchFlag(c *cobra.Command, d *time.Duration, floor string) {
	f := c.Flags()
	usage := "run again every D until Ctrl-C: redrawn in place on a terminal, appended blocks when piped (--watch alone: every 15s; --watch=30s"
	if floor != "" {
		usage += "; never faster than " + floor
	}
	f.DurationVar(d, "watch", 0, usage+")")
	f.Lookup("watch").NoOptDefVal = DefaultWatch.String()
}

// watchArgs wraps a positional-argument check: with --watch, an argument
// that reads as a duration was meant as its value (--watch 30s), which
// a flag with an optional value cannot take; say how.
func watchArgs(check cobra.PositionalArgs) cobra.PositionalArgs {
	return func(c *cobra.Command, args []string) error {
		if f := c.Flags().Lookup("watch"); f != nil && f.Changed {
			for _, a := range args {
				if _, err := time.ParseDuration(a); err == nil {
					return UsageError(fmt.Errorf("--watch takes its interval after an equals sign: --watch=%s (%q was read as an argument)", a, a))
				}
			}
		}
		return usageArgs(check)(c, args)
	}
}

// checkWatch refuses an interval under a second.
func checkWatch(d time.Duration) error {
	if d != 0 && d < minWatch {
		return UsageError(fmt.Errorf("--watch %s: want at least %s", d, minWatch))
	}
	return nil
}

// refresh runs a command once, writing through io, and returns the
// shortest interval its data can change at (a range query's step), or 0.
type refresh func(ctx context.Context, io *IO) (time.Duration, error)

// watcher runs a refresh every interval until its context ends (Ctrl-C):
// on a terminal each result replaces the one before, in place; piped,
// each is appended, after a line with its time when stamp is set (text
// output: JSON and CSV stay parseable streams).
type watcher struct {
	io    *IO
	every time.Duration
	st    *styles.Styles
	loc   *time.Location
	stamp bool
	// floor says what the floor of the interval is, when a refresh
	// returns one ("the query's step")
	floor string
	now   func() time.Time
	// sleep waits d or until ctx ends (a timer, unless tests say otherwise)
	sleep func(ctx context.Context, d time.Duration) error
	// size is the terminal's size (0, 0 when it cannot tell)
	size func() (w, h int)
}

// newWatcher returns a watcher writing to io every d, with the global
// options' clock.
func newWatcher(io *IO, g *GlobalOptions, d time.Duration, utc bool, stamp bool) *watcher {
	w := &watcher{io: io, every: d, st: g.Styles(io), loc: g.Location(utc), stamp: stamp, now: g.now, sleep: g.sleep}
	if w.sleep == nil {
		w.sleep = sleepCtx
	}
	if f, ok := io.Out.(*os.File); ok && io.IsTTY {
		w.size = func() (int, int) {
			cols, rows, err := term.GetSize(int(f.Fd()))
			if err != nil {
				return 0, 0
			}
			return cols, rows
		}
	}
	return w
}

// sleepCtx waits d, or until ctx ends.
func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// run refreshes until ctx ends, which is the watch's normal end (nil).
// The first refresh's error ends it, as the command would fail without
// --watch; later ones are shown and the watch goes on.
func (w *watcher) run(ctx context.Context, once refresh) error {
	s := &screen{w: w}
	defer s.close()
	raised := false
	for n := 0; ; n++ {
		at := w.now()
		sub := *w.io
		var out, errOut bytes.Buffer
		sub.Out = &out
		if w.io.IsTTY {
			// on the terminal, messages are part of the block redrawn
			sub.ErrOut = &errOut
			if cols, _ := s.termSize(); cols > 0 {
				sub.Width = cols
			}
		}
		floor, err := once(ctx, &sub)
		if ctx.Err() != nil {
			return nil
		}
		if err != nil && n == 0 {
			s.close()
			w.io.ErrOut.Write(errOut.Bytes())
			return err
		}
		interval := max(w.every, floor)
		if interval != w.every && !raised && !w.io.IsTTY {
			raised = true
			fmt.Fprintf(w.io.ErrOut, "telx: refreshing every %s, %s (--watch asked for %s)\n", promDuration(interval), w.floor, promDuration(w.every))
		}
		if err != nil {
			if !w.io.IsTTY {
				fmt.Fprintf(w.io.ErrOut, "telx: %s: %v (again in %s)\n", at.In(w.loc).Format(time.RFC3339), sources.Sanitize(err.Error()), promDuration(interval))
			}
			s.failed(at, interval, err)
		} else {
			s.show(at, interval, out.Bytes(), errOut.Bytes())
		}
		if err := w.sleep(ctx, max(0, interval-w.now().Sub(at))); err != nil || ctx.Err() != nil {
			return nil
		}
	}
}

// screen draws the blocks: appended when piped, in place on a terminal.
type screen struct {
	w *watcher
	// lines is how many lines the last block drawn took; cols and rows the
	// terminal's size then
	lines, cols, rows int
	drawn             bool
	last              []byte // the last good block, shown under a failure
	lastErr           []byte
}

func (s *screen) termSize() (int, int) {
	if s.w.size == nil {
		return 0, 0
	}
	return s.w.size()
}

// header is the line above a block on a terminal.
func (s *screen) header(at time.Time, interval time.Duration) string {
	every := "every " + promDuration(interval)
	if interval != s.w.every {
		every += " (" + s.w.floor + ")"
	}
	return s.w.st.Dim.Apply(every + " · " + at.In(s.w.loc).Format("15:04:05") + " · ctrl+c stops")
}

// show draws a refresh's output, and its messages (on a terminal).
func (s *screen) show(at time.Time, interval time.Duration, out, msgs []byte) {
	if !s.w.io.IsTTY {
		var b bytes.Buffer
		if s.w.stamp {
			fmt.Fprintf(&b, "# %s · every %s\n", at.In(s.w.loc).Format(time.RFC3339), promDuration(interval))
		}
		b.Write(out)
		s.w.io.Out.Write(b.Bytes())
		return
	}
	s.last, s.lastErr = out, msgs
	s.draw(s.header(at, interval), nil, out, msgs)
}

// failed says that a refresh failed: on a terminal above the last good
// block, which stays.
func (s *screen) failed(at time.Time, interval time.Duration, err error) {
	if !s.w.io.IsTTY {
		return
	}
	msg := s.w.st.Error.Apply(render.MarkError + " " + at.In(s.w.loc).Format("15:04:05") + ": " + sources.Sanitize(strings.SplitN(err.Error(), "\n", 2)[0]))
	s.draw(s.header(at, interval), []string{msg}, s.last, s.lastErr)
}

// draw replaces the block on the terminal with the header, notes, out and
// msgs, in one write: the cursor goes back to the block's first line and
// each line overwrites the old one, so nothing blinks. The block is cut
// to the terminal's height (less a line, so that nothing scrolls away)
// and each line to its width.
func (s *screen) draw(header string, notes []string, out, msgs []byte) {
	lines := append([]string{header}, notes...)
	for _, part := range [][]byte{out, msgs} {
		if t := strings.TrimSuffix(string(part), "\n"); t != "" {
			lines = append(lines, strings.Split(t, "\n")...)
		}
	}
	cols, rows := s.termSize()
	if rows > 1 && len(lines) > rows-1 {
		more := len(lines) - (rows - 2)
		lines = append(lines[:rows-2], s.w.st.Dim.Apply("… "+strconv.Itoa(more)+" more lines: a taller terminal shows them"))
	}
	var b strings.Builder
	switch {
	case !s.drawn:
		b.WriteString(ansi.HideCursor)
	case cols != s.cols || rows != s.rows:
		// resized: the terminal may have rewrapped the old block; start
		// again from the top of a clear screen
		b.WriteString(ansi.CursorHomePosition + ansi.EraseEntireScreen)
	case s.lines > 0:
		b.WriteString(ansi.CursorPreviousLine(s.lines))
	}
	for _, l := range lines {
		if cols > 0 {
			l = ansi.Truncate(l, cols, "")
		}
		b.WriteString(l)
		b.WriteString(ansi.EraseLineRight + "\n")
	}
	b.WriteString(ansi.EraseScreenBelow)
	s.w.io.Out.Write([]byte(b.String()))
	s.drawn, s.lines, s.cols, s.rows = true, len(lines), cols, rows
}

// close gives the cursor back, on the line under the last block, which
// stays on the screen (the ^C the terminal echoed there is wiped).
func (s *screen) close() {
	if s.drawn {
		s.w.io.Out.Write([]byte("\r" + ansi.EraseLineRight + ansi.ShowCursor))
		s.drawn = false
	}
}
