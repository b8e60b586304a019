package pane

import (
	"errors"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/telx-cli/telx/tui/styles"
)

// A backend's error reaches a pane as lines of its own, the hint on one
// of its own, wrapped to the pane and never with a literal "\n" or a raw
// escape sequence.
func TestErrorLines(t *testing.T) {
	err := errors.New("jaeger at http://127.0.0.1:1 (HTTP /api/v3): Get \"http://127.0.0.1:1/api/v3/services\": dial tcp 127.0.0.1:1: connect: connection refused\n" +
		"hint: is Jaeger running there? Set its query address with --jaeger or TELX_JAEGER_URL\x1b[2J\n")
	for _, width := range []int{0, 20, 80, 200} {
		for _, color := range []bool{false, true} {
			lines := ErrorLines(styles.New(color), err, width)
			text := ansi.Strip(strings.Join(lines, "\n"))
			if strings.Contains(text, `\n`) {
				t.Errorf("width %d: a literal \\n: %q", width, text)
			}
			if strings.Contains(text, "\x1b") {
				t.Errorf("width %d: a raw escape: %q", width, text)
			}
			if !strings.Contains(strings.Join(strings.Fields(text), " "), "hint: is Jaeger running there?") {
				t.Errorf("width %d: the hint is lost: %q", width, text)
			}
			hint := -1
			for i, l := range lines {
				if strings.HasPrefix(ansi.Strip(l), "hint:") {
					hint = i
				}
				if w := ansi.StringWidth(l); width > 0 && w > width {
					t.Errorf("width %d: line %d is %d wide: %q", width, i, w, ansi.Strip(l))
				}
			}
			if hint <= 0 {
				t.Errorf("width %d: the hint does not start a line of its own: %q", width, lines)
			}
		}
	}
}

func TestOneLine(t *testing.T) {
	got := OneLine("dial tcp: refused\nhint: is Loki running there?\x1b[31m\n")
	if want := `dial tcp: refused · hint: is Loki running there?\x1b[31m`; got != want {
		t.Errorf("OneLine = %q, want %q", got, want)
	}
}
