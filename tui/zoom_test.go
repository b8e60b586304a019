package tui_test

import (
	"regexp"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/telx-cli/telx/internal/golden"
	"github.com/telx-cli/telx/tui"
	"github.com/telx-cli/telx/tui/internal/tracetest"
	"github.com/telx-cli/telx/tui/logs"
	"github.com/telx-cli/telx/tui/metrics"
	"github.com/telx-cli/telx/tui/styles"
)

// demoExplorer is the demo's explorer with its Logs and Metrics panes,
// the slowest failing trace open (the waterfall focused), at w x h.
func demoExplorer(t *testing.T, w, h int, color bool) tui.Model {
	t.Helper()
	src := tracetest.Demo(t)
	st := styles.New(color)
	o := tui.Options{Traces: src, Logs: src, Metrics: src, Sources: "demo", Trace: src.SlowestFailingTrace(),
		Now: func() time.Time { return tracetest.Now }, Location: time.UTC, Styles: st, Limit: 30,
		Extra: []tui.Pane{
			logs.New(logs.Options{Source: src, Styles: st, Location: time.UTC}),
			metrics.New(metrics.Options{Source: src, Styles: st, Location: time.UTC}),
		}}
	m := tui.New(o)
	m = syncUpdate(m, tea.WindowSizeMsg{Width: w, Height: h})
	return syncUpdate(m, m.Init()())
}

// titleBar is a pane's title bar, focused or not, at the start of a
// line or of a column beside a separator.
var titleBar = regexp.MustCompile(`^(?:▶ |  )(Traces|Waterfall|Details|Logs|Metrics)(?: ·| ─| *$| +\[zoom)`)

// paneTitles are the panes whose title bars the screen shows.
func paneTitles(screen string) []string {
	var out []string
	for _, l := range strings.Split(ansi.Strip(screen), "\n") {
		for _, col := range strings.Split(l, "│") {
			if m := titleBar.FindStringSubmatch(col); m != nil {
				out = append(out, m[1])
			}
		}
	}
	return out
}

// m zooms the focused pane to the whole screen, its title bar says so,
// Tab moves the zoom to the next pane, m again gives the layout back; in
// colour and not, stacked and side by side.
func TestZoom(t *testing.T) {
	names := []string{"Traces", "Waterfall", "Details", "Logs", "Metrics"}
	for _, color := range []bool{false, true} {
		for _, size := range [][2]int{{80, 24}, {200, 50}} {
			w, h := size[0], size[1]
			t.Run(itoa(w)+"x"+itoa(h)+map[bool]string{false: "", true: "-color"}[color], func(t *testing.T) {
				m := demoExplorer(t, w, h, color)
				if got := paneTitles(m.Render()); len(got) != 5 {
					t.Fatalf("unzoomed, the panes %v", got)
				}
				waterfallRows := strings.Count(ansi.Strip(m.Render()), "╴")
				m = syncUpdate(m, key("m"))
				if !m.Zoomed() {
					t.Fatal("m did not zoom")
				}
				// the waterfall first (it is focused), then each pane in turn
				for i := 1; i <= 5; i++ {
					at := i % 5
					s := m.Render()
					tracetest.CheckScreen(t, s, w, h)
					plain := ansi.Strip(s)
					first := strings.SplitN(plain, "\n", 2)[0]
					if got := paneTitles(s); len(got) != 1 || got[0] != names[at] {
						t.Errorf("zoomed on %s: the screen shows the panes %v", names[at], got)
					}
					if tag := "[zoom " + itoa(at+1) + "/5 · m: all panes]"; !strings.HasPrefix(first, "▶ "+names[at]) || !strings.HasSuffix(first, tag) {
						t.Errorf("zoomed on %s: title bar %q, want it to end with %q", names[at], first, tag)
					}
					if help := strings.TrimSpace(strings.Split(plain, "\n")[h-1]); !strings.Contains(help, "m all panes") && !strings.HasSuffix(help, "…") {
						t.Errorf("zoomed on %s: the help line %q does not say m gives the panes back", names[at], help)
					}
					switch names[at] {
					case "Waterfall":
						if n := strings.Count(plain, "╴"); n <= waterfallRows || n < h-8 {
							t.Errorf("zoomed waterfall: %d rows, %d unzoomed", n, waterfallRows)
						}
					case "Metrics":
						for _, row := range []string{"\nrate ", "\nerrors ", "\np50 ", "\np95 ", "\np99 ", "\ntrace "} {
							if !strings.Contains(plain, row) {
								t.Errorf("zoomed Metrics pane without its %q row:\n%s", row[1:], plain)
							}
						}
						if !color {
							golden.Check(t, s)
						}
					}
					m = syncUpdate(m, key("tab"))
				}
				// back on the waterfall: shift+tab moves the zoom back
				m = syncUpdate(m, key("shift+tab"))
				if got := paneTitles(m.Render()); len(got) != 1 || got[0] != "Traces" {
					t.Errorf("after shift+tab the zoom shows %v", got)
				}
				// the help and the alerts cover the zoomed pane, and give it back
				m = syncUpdate(m, key("?"))
				if !strings.Contains(m.Render(), "Keys") || !strings.Contains(m.Render(), "zoom the pane") {
					t.Errorf("help:\n%s", m.Render())
				}
				m = syncUpdate(m, key("?"))
				if got := paneTitles(m.Render()); len(got) != 1 || got[0] != "Traces" {
					t.Errorf("after the help the screen shows %v", got)
				}
				m = syncUpdate(m, key("m"))
				s := m.Render()
				tracetest.CheckScreen(t, s, w, h)
				if got := paneTitles(s); m.Zoomed() || len(got) != 5 || !strings.Contains(ansi.Strip(s), "▶ Traces") {
					t.Errorf("m again: zoomed %v, the panes %v:\n%s", m.Zoomed(), got, s)
				}
			})
		}
	}
}

// While a pane's prompt is open, m is text: the waterfall's search takes
// it and nothing zooms.
func TestZoomKeyWhileTyping(t *testing.T) {
	m := demoExplorer(t, 80, 24, false)
	m = syncUpdate(m, key("/"))
	m = syncUpdate(m, key("m"))
	if m.Zoomed() {
		t.Fatal("m zoomed while the search prompt was open")
	}
	if s := ansi.Strip(m.Render()); !strings.Contains(s, "/m") {
		t.Errorf("the search prompt did not take the m:\n%s", s)
	}
	m = syncUpdate(m, key("esc"))
	m = syncUpdate(m, key("m"))
	if !m.Zoomed() {
		t.Error("m did not zoom once the prompt closed")
	}
	// nor does it on the command line
	m = syncUpdate(m, key(":"))
	m = syncUpdate(m, key("m"))
	if !m.Zoomed() || !strings.Contains(statusLine(m), ":m") {
		t.Errorf("on the command line m zoomed out (zoomed %v), status %q", m.Zoomed(), statusLine(m))
	}
}

// At 80x24, not zoomed, the Metrics pane (three lines under its title)
// shows a sparkline row.
func TestMetricsPaneAt80x24(t *testing.T) {
	m := demoExplorer(t, 80, 24, false)
	lines := strings.Split(ansi.Strip(m.Render()), "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, "  Metrics") {
			if i+2 >= len(lines) || !strings.HasPrefix(lines[i+2], "rate ") || !strings.ContainsAny(lines[i+2], "▁▂▃▄▅▆▇█") {
				t.Errorf("the Metrics pane shows no rate sparkline:\n%s", strings.Join(lines[i:], "\n"))
			}
			return
		}
	}
	t.Fatal("no Metrics pane on the screen")
}

// Zoomed, in colour or not, at any size: nothing panics, the screen has
// its height and no line is wider, through every pane.
func TestZoomAtAnySize(t *testing.T) {
	for _, color := range []bool{false, true} {
		for _, size := range [][2]int{{1, 1}, {10, 3}, {20, 4}, {40, 10}, {80, 24}, {120, 12}, {160, 20}, {240, 60}} {
			m := demoExplorer(t, size[0], size[1], color)
			for _, k := range []string{"m", "j", "tab", "tab", "w", "tab", "r", "tab", "tab", "?", "?", "a", "a", "m", "m"} {
				m = syncUpdate(m, key(k))
				s := m.Render()
				if n := strings.Count(s, "\n") + 1; size[1] >= 3 && n != size[1] {
					t.Errorf("%dx%d after %s: %d lines", size[0], size[1], k, n)
				}
				for i, l := range strings.Split(s, "\n") {
					if w := ansi.StringWidth(l); w > size[0] {
						t.Fatalf("%dx%d after %s: line %d is %d wide: %q", size[0], size[1], k, i, w, l)
					}
				}
			}
			if !m.Zoomed() {
				t.Errorf("%dx%d: the last m did not zoom again", size[0], size[1])
			}
		}
	}
}

// A title too long for the zoomed pane's bar is cut, the zoom's tag
// kept whole (a short one on a narrow terminal).
func TestZoomLongTitle(t *testing.T) {
	q := `{service_name="payments"} |= "database lock timeout while charging the card, and then some more"`
	for _, color := range []bool{false, true} {
		for _, w := range []int{40, 80, 120} {
			m := queryExplorerStyled(t, w, 24, q, "", true, color)
			m = syncUpdate(m, key("m"))
			first := ansi.Strip(strings.SplitN(m.Render(), "\n", 2)[0])
			tag := "[zoom 4/5 · m: all panes]"
			if w < 50 {
				tag = "[zoom]" // the short tag, for the title's sake
			}
			if ansi.StringWidth(first) != w || !strings.HasPrefix(first, "▶ Logs · {service_name=") ||
				!strings.HasSuffix(first, tag) || !strings.Contains(first, "…") {
				t.Errorf("%d columns, colour %v: title bar %q", w, color, first)
			}
		}
	}
}
