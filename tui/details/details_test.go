package details

import (
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/telx-cli/telx/internal/golden"
	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/tui/internal/tracetest"
	"github.com/telx-cli/telx/tui/styles"
)

func TestDetails(t *testing.T) {
	src := tracetest.Demo(t)
	tr, err := src.Trace(t.Context(), src.Scenario().SkewedTraceID)
	if err != nil {
		t.Fatal(err)
	}
	tree := sources.BuildTree(tr)
	var skewed *sources.Node
	for _, nd := range tree.Nodes {
		if nd.Skew {
			skewed = nd
		}
	}
	if skewed == nil {
		t.Fatal("no skewed span")
	}
	for _, size := range [][2]int{{80, 10}, {60, 40}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			m := New(styles.New(false), time.UTC)
			m.SetSize(size[0], size[1])
			if !strings.Contains(m.View(), "No span selected") {
				t.Error("empty pane")
			}
			m.SetSpan(tree, skewed)
			v := m.View()
			if !strings.Contains(v, "shipping GetQuote") || !strings.Contains(v, "clock skew") {
				t.Errorf("details:\n%s", v)
			}
			m, _ = m.Update(tea.KeyPressMsg{Code: 'j', Text: "j"})
			golden.Check(t, m.View())
		})
	}
}
