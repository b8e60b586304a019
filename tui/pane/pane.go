// Package pane holds what telx's TUI panes share: IDs for their messages,
// scrolling arithmetic and fitting lines to a box.
package pane

import (
	"strings"
	"sync/atomic"

	"github.com/telx-cli/telx/tui/render"
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
