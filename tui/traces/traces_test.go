package traces

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/telx-cli/telx/internal/golden"
	"github.com/telx-cli/telx/internal/teasync"
	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/tui/internal/tracetest"
	"github.com/telx-cli/telx/tui/styles"
)

// press is the press of a key (teasync.Key).
var press = teasync.Key

func loaded(t *testing.T, w, h int, color bool) (Model, []*sources.Trace) {
	src := tracetest.Demo(t)
	found, err := src.FindTraces(context.Background(), sources.TraceQuery{Service: "payments", Limit: 40})
	if err != nil {
		t.Fatal(err)
	}
	m := New(styles.New(color), time.UTC, "")
	m.SetSize(w, h)
	m, _ = m.Update(ResultMsg{ID: m.ID(), Service: "payments", Traces: found})
	return m, found
}

func TestTracesGolden(t *testing.T) {
	for _, size := range [][2]int{{80, 12}, {130, 16}} {
		for _, color := range []bool{false, true} {
			t.Run(fmt.Sprintf("%dx%d-color=%v", size[0], size[1], color), func(t *testing.T) {
				m, _ := loaded(t, size[0], size[1], color)
				m, _ = m.Update(press("j"))
				v := m.View()
				lines := strings.Split(v, "\n")
				if len(lines) != size[1] {
					t.Errorf("%d lines", len(lines))
				}
				for _, l := range lines {
					if ansi.StringWidth(l) != size[0] {
						t.Errorf("line %d cells wide: %q", ansi.StringWidth(l), l)
					}
				}
				golden.Check(t, v)
			})
		}
	}
}

func TestTracesKeys(t *testing.T) {
	m, found := loaded(t, 100, 10, false)
	// newest first, failed ones marked
	v := m.View()
	for i := 1; i < len(found); i++ {
		if found[i].TimeRange().From.After(found[i-1].TimeRange().From) {
			t.Fatal("not newest first")
		}
	}
	if !strings.Contains(v, "✗") {
		t.Error("no failed trace marked")
	}
	m, _ = m.Update(press("G"))
	if m.Selected() != found[len(found)-1] {
		t.Error("G does not select the oldest")
	}
	m, _ = m.Update(press("k"))
	_, cmd := m.Update(press("enter"))
	if open, ok := cmd().(OpenMsg); !ok || open.Trace != found[len(found)-2] || open.ID != m.ID() {
		t.Errorf("enter gave %#v", cmd())
	}

	// ] asks for the next service's traces
	m, _ = m.Update(ServicesMsg{ID: m.ID(), Services: []string{"checkout", "payments", "postgres"}})
	m, cmd = m.Update(press("]"))
	s, ok := cmd().(SearchMsg)
	if !ok || s.Service != "postgres" {
		t.Fatalf("] gave %#v", cmd())
	}
	if !strings.Contains(m.View(), "postgres") {
		t.Error("the pane does not say what it searches")
	}
	m, _ = m.Update(ResultMsg{ID: m.ID(), Seq: s.Seq, Service: "postgres", Err: errors.New("jaeger: timeout\x1b[2J")})
	if v := m.View(); !strings.Contains(v, "jaeger: timeout") || strings.Contains(v, "\x1b[2J") {
		t.Errorf("error view %q", v)
	}
}
