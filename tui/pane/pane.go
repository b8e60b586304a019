// Package pane holds what telx's TUI panes share: IDs for their messages,
// scrolling arithmetic and fitting lines to a box.
package pane

import (
	"strings"
	"sync/atomic"

	tea "charm.land/bubbletea/v2"

	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/tui/render"
	"github.com/telx-cli/telx/tui/styles"
)

var lastID atomic.Int64

// NextID returns a new pane ID. A pane's asynchronous results carry its
// ID; the others ignore them.
func NextID() int { return int(lastID.Add(1)) }

// Scroll returns the offset that keeps row sel inside a window of height
// rows, moving offset as little as possible.
func Scroll(sel, offset, height, n int) int {
	if height <= 0 {
		return 0
	}
	if sel < offset {
		offset = sel
	}
	if sel >= offset+height {
		offset = sel - height + 1
	}
	return max(0, min(offset, n-height))
}

// Clamp keeps i within [0, n).
func Clamp(i, n int) int { return max(0, min(i, n-1)) }

// Box fits lines to exactly width cells and height lines: longer lines
// are cut with an ellipsis, missing lines are blank.
func Box(lines []string, width, height int) string {
	var b strings.Builder
	for i := 0; i < height; i++ {
		if i > 0 {
			b.WriteByte('\n')
		}
		line := ""
		if i < len(lines) {
			line = lines[i]
		}
		b.WriteString(render.Fit(line, width))
	}
	return b.String()
}

// Name is a pane's title without what it shows: "Logs · span …" is
// "Logs".
func Name(title string) string {
	name, _, _ := strings.Cut(title, " · ")
	return name
}

// ErrorLines are a failed call's error for a pane of the given width:
// one painted line per line of the message (its hints follow on lines of
// their own), each sanitised and wrapped to the width rather than cut, so
// that neither a literal "\n" nor a lost hint reaches the screen.
func ErrorLines(st *styles.Styles, err error, width int) []string {
	var out []string
	for _, l := range strings.Split(strings.TrimRight(err.Error(), "\n"), "\n") {
		l = sources.Sanitize(l)
		if width > 0 {
			for _, w := range strings.Split(render.Wrap(l, width, ""), "\n") {
				out = append(out, st.Error.Apply(w))
			}
			continue
		}
		out = append(out, st.Error.Apply(l))
	}
	return out
}

// OneLine is a message, an error's with its hints, for one line (a
// status bar's): its lines sanitised and joined with " · ".
func OneLine(msg string) string {
	lines := strings.Split(strings.TrimRight(msg, "\n"), "\n")
	for i, l := range lines {
		lines[i] = sources.Sanitize(strings.TrimSpace(l))
	}
	return strings.Join(lines, " · ")
}

// EditPrompt applies an editing key to a pane's one-line prompt: backspace
// removes the last character, a key with text appends it. It tells
// whether the key was one of those.
func EditPrompt(input string, k tea.KeyPressMsg) (string, bool) {
	if k.String() == "backspace" {
		if r := []rune(input); len(r) > 0 {
			input = string(r[:len(r)-1])
		}
		return input, true
	}
	if t := k.Key().Text; t != "" {
		return input + t, true
	}
	return input, false
}
