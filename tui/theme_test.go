package tui

import (
	"image/color"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/telx-cli/telx/tui/styles"
)

// TestExplorerFollowsTheBackground: in the auto theme, a terminal that
// says its background is light gets the light palette, the open trace's
// waterfall included; a dark one, or a chosen theme, keeps its palette.
func TestExplorerFollowsTheBackground(t *testing.T) {
	// the dim grey of each palette, as a truecolor escape
	darkGrey, lightGrey := "138;143;152", "95;102;112"
	white := tea.BackgroundColorMsg{Color: color.RGBA{R: 255, G: 255, B: 255, A: 255}}
	black := tea.BackgroundColorMsg{Color: color.RGBA{A: 255}}
	tests := []struct {
		name  string
		theme styles.Theme
		msg   tea.BackgroundColorMsg
		want  string
	}{
		{"auto on a light terminal", styles.ThemeAuto, white, lightGrey},
		{"auto on a dark terminal", styles.ThemeAuto, black, darkGrey},
		{"dark chosen, on a light terminal", styles.ThemeDark, white, darkGrey},
		{"light chosen, on a dark terminal", styles.ThemeLight, black, lightGrey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := demoOptions(t)
			o.Styles = styles.NewTheme(true, tt.theme)
			m := start(o, 200, 50)
			m = update(m, press("enter")) // open the newest trace
			m = update(m, tt.msg)
			screen := m.Render()
			if !strings.Contains(screen, "spans") {
				t.Fatalf("no trace open:\n%s", screen)
			}
			other := darkGrey
			if tt.want == darkGrey {
				other = lightGrey
			}
			if !strings.Contains(screen, tt.want) || strings.Contains(screen, other) {
				t.Errorf("want the grey %s and not %s on the screen", tt.want, other)
			}
			if got := m.st.Theme(); got != tt.theme {
				t.Errorf("theme %v, want %v kept", got, tt.theme)
			}
		})
	}
}
