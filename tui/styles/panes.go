package styles

// The TUI's paints, apart from the renderers'.

// Selected paints the selected row of a pane (none without colour: panes
// mark it with ▶ as well).
func (s *Styles) Selected() Paint { return s.pick(s.selected) }

// Match paints a search match's mark.
func (s *Styles) Match() Paint { return s.pick(s.match) }

// Focus paints the focused pane's title.
func (s *Styles) Focus() Paint { return s.pick(s.focus) }

func (s *Styles) pick(p Paint) Paint {
	if !s.Color {
		return Paint{}
	}
	return p
}
