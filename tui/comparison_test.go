package tui

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/telx-cli/telx/internal/golden"
	"github.com/telx-cli/telx/tui/internal/tracetest"
	"github.com/telx-cli/telx/tui/styles"
	"github.com/telx-cli/telx/tui/traces"
)

// x in the Traces pane marks a trace (a mark in the list and on the status
// bar), Enter opens another, C in the waterfall shows the comparison in
// its place (scrolled with j, back with esc or C), f shows the flame graph
// and back; C without a mark, or on the marked trace itself, says why not.
func TestCompareAndFlameKeys(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {200, 50}} {
		for _, color := range []bool{false, true} {
			name := itoa(size[0]) + "x" + itoa(size[1])
			if color {
				name += "-color"
			}
			t.Run(name, func(t *testing.T) {
				o := demoOptions(t)
				o.Styles = styles.New(color)
				m := start(o, size[0], size[1])
				plain := func() string { return ansi.Strip(m.Render()) }
				a := m.traces.Selected()
				if a == nil {
					t.Fatal("no trace listed")
				}
				// C with nothing marked
				m = update(m, press("enter"))
				m = update(m, press("C"))
				if !strings.Contains(plain(), "no trace marked") || m.comparing() {
					t.Fatalf("C without a mark:\n%s", plain())
				}
				m = update(m, press("shift+tab"))
				m = update(m, press("x"))
				if m.traces.Marked() != a.ID || !strings.Contains(plain(), "A: "+string(a.ID[:8])+" marked") {
					t.Fatalf("x did not mark %s:\n%s", a.ID, plain())
				}
				// C on the marked trace itself (open in the waterfall)
				m = update(m, press("tab"))
				m = update(m, press("C"))
				if !strings.Contains(plain(), "the open trace is the marked one") {
					t.Fatalf("C on the marked trace:\n%s", plain())
				}
				m = update(m, press("shift+tab"))
				m = update(m, press("j"))
				b := m.traces.Selected()
				if b == nil || b.ID == a.ID {
					t.Fatal("no second trace")
				}
				if !strings.Contains(plain(), "\n"+traces.MarkedMark) {
					t.Errorf("the marked row has no %q lead:\n%s", traces.MarkedMark, plain())
				}
				m = update(m, press("enter"))
				if m.focus != focusWaterfall || m.openTrace() != b {
					t.Fatal("enter did not open the second trace")
				}
				m = update(m, press("C"))
				scr := plain()
				if !m.comparing() || !strings.Contains(scr, "▶ Compare") || !strings.Contains(scr, "A "+string(a.ID)) ||
					!strings.Contains(scr, "B "+string(b.ID)) || !strings.Contains(scr, "AB ") {
					t.Fatalf("C did not show the comparison:\n%s", scr)
				}
				tracetest.CheckScreen(t, m.Render(), size[0], size[1])
				if !color {
					golden.Check(t, scr)
				}
				// the keys scroll it, not the waterfall
				sel := m.waterfall.Selected()
				m = update(m, press("j"))
				if m.waterfall.Selected() != sel || m.compare.View() == "" {
					t.Error("j moved the waterfall under the comparison")
				}
				if size[1] < 30 && !strings.Contains(plain(), "line 2/") {
					t.Errorf("j did not scroll the comparison:\n%s", plain())
				}
				m = update(m, press("esc"))
				if m.comparing() || !strings.Contains(plain(), "▶ Waterfall") {
					t.Fatalf("esc did not go back:\n%s", plain())
				}
				m = update(m, press("C"))
				m = update(m, press("C"))
				if m.comparing() {
					t.Error("C did not go back")
				}
				// the flame graph and back
				m = update(m, press("f"))
				scr = plain()
				if !m.waterfall.Flame() || !strings.Contains(scr, "▶ Flame graph") || !strings.Contains(scr, "Flame graph "+string(b.ID)) ||
					!strings.Contains(scr, "["+b.Root().Service) {
					t.Fatalf("f did not show the flame graph:\n%s", scr)
				}
				tracetest.CheckScreen(t, m.Render(), size[0], size[1])
				m = update(m, press("f"))
				if m.waterfall.Flame() || !strings.Contains(plain(), "▶ Waterfall") {
					t.Fatalf("f did not go back:\n%s", plain())
				}
				// taking the mark off ends it
				m = update(m, press("shift+tab"))
				m = update(m, press("k"))
				m = update(m, press("x"))
				if m.traces.Marked() != "" || m.compare.Marked() != nil || strings.Contains(plain(), "A: ") {
					t.Errorf("x again did not take the mark off:\n%s", plain())
				}
			})
		}
	}
}
