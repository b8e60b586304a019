package styles

import "charm.land/lipgloss/v2"

// The TUI's paints, apart from the renderers' so that panes can grow
// without touching Styles.
var (
	selectedPaint = paintOf(lipgloss.NewStyle().Reverse(true))
	matchPaint    = paintOf(lipgloss.NewStyle().Foreground(gold).Bold(true).Underline(true))
	focusPaint    = paintOf(lipgloss.NewStyle().Bold(true).Reverse(true))
)

// Selected paints the selected row of a pane (none without colour: panes
// mark it with ▶ as well).
func (s *Styles) Selected() Paint { return s.pick(selectedPaint) }

// Match paints a search match's mark.
func (s *Styles) Match() Paint { return s.pick(matchPaint) }

// Focus paints the focused pane's title.
func (s *Styles) Focus() Paint { return s.pick(focusPaint) }

func (s *Styles) pick(p Paint) Paint {
	if !s.Color {
		return Paint{}
	}
	return p
}
