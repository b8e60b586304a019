package integration

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// The explorer in a real terminal (tmux) on HotROD's traces in the real
// Jaeger: x marks the newest /dispatch trace, j and Enter open the next,
// C shows their comparison in the waterfall's place, esc goes back, f
// shows the flame graph and back; at 80x24 and 200x50.
func TestCompareAndFlameInTmux(t *testing.T) {
	env, h := hotrod(t)
	needTmux(t)
	bin := buildTelx(t)
	selected := regexp.MustCompile(`(?m)^▶\d\d:\d\d:\d\d\.\d{3} (?:([0-9a-f]{32}) )?`)
	for _, size := range [][2]int{{200, 50}, {80, 24}} {
		t.Run(strconv.Itoa(size[0])+"x"+strconv.Itoa(size[1]), func(t *testing.T) {
			s := startTmux(t, "telx-compare", size[0], size[1],
				[]string{"TELX_JAEGER_URL=" + h.JaegerURL, "TELX_PROMETHEUS_URL=" + env.PrometheusURL, "TELX_LOKI_URL=" + env.LokiURL},
				bin, "explore", "--service", "frontend", "--since", "1h", "--utc")
			s.wait("frontend's traces", func(scr string) bool {
				return strings.Contains(scr, "Traces · frontend (") && strings.Contains(scr, "frontend /dispatch")
			})
			s.keys("x")
			s.wait("the mark on the status bar", func(scr string) bool { return strings.Contains(scr, "A: ") })
			s.keys("j")
			s.wait("the mark in the list", func(scr string) bool {
				return regexp.MustCompile(`(?m)^A\d\d:\d\d:\d\d\.\d{3} `).MatchString(scr) && selected.MatchString(scr)
			})
			s.keys("Enter")
			s.wait("the second trace", func(scr string) bool {
				return strings.Contains(scr, "▶ Waterfall") && strings.Contains(scr, "span 1/")
			})
			s.keys("C")
			scr := s.wait("the comparison", func(scr string) bool {
				return strings.Contains(scr, "▶ Compare") && regexp.MustCompile(`(?m)^ A [0-9a-f]{32} · `).MatchString(scr) &&
					regexp.MustCompile(`(?m)^ B [0-9a-f]{32} · `).MatchString(scr) && strings.Contains(scr, "AB    frontend /dispatch")
			})
			if strings.Contains(scr, "▶ Waterfall") {
				t.Errorf("the waterfall and the comparison at once:\n%s", scr)
			}
			s.keys("j")
			s.wait("the comparison scrolled", func(scr string) bool { return strings.Contains(scr, " · line 2/") })
			s.keys("Escape")
			s.wait("the waterfall again", func(scr string) bool {
				return strings.Contains(scr, "▶ Waterfall") && !strings.Contains(scr, "▶ Compare")
			})
			s.keys("f")
			s.wait("the flame graph", func(scr string) bool {
				return strings.Contains(scr, "▶ Flame graph") && strings.Contains(scr, "[frontend /dispatch") && strings.Contains(scr, "f: the waterfall")
			})
			s.keys("f")
			s.wait("the waterfall once more", func(scr string) bool {
				return strings.Contains(scr, "▶ Waterfall") && strings.Contains(scr, "span 1/")
			})
			s.quit()
		})
	}
}
