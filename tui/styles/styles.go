// Package styles holds telx's palette and every style it draws with, in
// one place. Renderers take a *Styles; a plain one draws no colour.
package styles

import (
	"hash/fnv"
	"image/color"
	"strings"

	"charm.land/lipgloss/v2"
)

// Paint is a style reduced to the escape sequences around its text, so
// that renderers can colour many thousands of cells cheaply. The zero
// Paint leaves text as it is.
type Paint struct {
	On, Off string
}

// Apply returns s painted.
func (p Paint) Apply(s string) string {
	if p.On == "" || s == "" {
		return s
	}
	return p.On + s + p.Off
}

// paintOf renders a marker with style s and keeps what surrounds it.
func paintOf(s lipgloss.Style) Paint {
	r := s.Render("\x00")
	i := strings.IndexByte(r, 0)
	if i < 0 {
		return Paint{}
	}
	return Paint{On: r[:i], Off: r[i+1:]}
}

// Styles are the styles of telx's output.
type Styles struct {
	Color bool

	Title    Paint // the trace's ID and root
	Bold     Paint
	Dim      Paint // secondary text: times, guides, hidden counts
	Error    Paint // error marks and messages
	Warn     Paint // warnings: skew, orphans
	Critical Paint // the critical path mark
	Ruler    Paint
	Header   Paint // table headers

	services []Paint
	// ErrorBar paints the bar of a failed span.
	ErrorBar Paint

	Info      Paint // the info log level
	Highlight Paint // a trace ID inside a log line

	theme                  Theme
	selected, match, focus Paint // the TUI's, see panes.go
}

// Theme picks the palette: Auto's is readable on dark and light
// backgrounds alike (and the explorer swaps it for the terminal's own
// background when the terminal tells it), Dark's and Light's are tuned
// for one background.
type Theme int

const (
	ThemeAuto Theme = iota
	ThemeDark
	ThemeLight
)

// ParseTheme reads auto, dark or light.
func ParseTheme(s string) (Theme, bool) {
	switch s {
	case "", "auto":
		return ThemeAuto, true
	case "dark":
		return ThemeDark, true
	case "light":
		return ThemeLight, true
	}
	return ThemeAuto, false
}

// palette is one theme's colours.
type palette struct {
	red, amber, gold, grey, green color.Color
	// services: distinct hues, one per service
	services []string
}

// darkPalette is for dark backgrounds, and for Auto: mid tones that stay
// readable on light backgrounds too.
var darkPalette = palette{
	red:   lipgloss.Color("#E5484D"),
	amber: lipgloss.Color("#E0A526"),
	gold:  lipgloss.Color("#F5B700"),
	grey:  lipgloss.Color("#8A8F98"),
	green: lipgloss.Color("#3FA67A"),
	services: []string{
		"#4E9BD8", // blue
		"#3FA67A", // green
		"#C77DDB", // violet
		"#D9982B", // amber
		"#2AA8B8", // teal
		"#8C8FE0", // periwinkle
		"#B8A227", // olive
		"#D46E9C", // pink
		"#6FA84B", // leaf
		"#9C7F5D", // brown
	},
}

// lightPalette has darker tones, for light backgrounds: each colour has a
// contrast of at least 4.5:1 on white.
var lightPalette = palette{
	red:   lipgloss.Color("#C4242B"),
	amber: lipgloss.Color("#955800"),
	gold:  lipgloss.Color("#8A5A00"),
	grey:  lipgloss.Color("#5F6670"),
	green: lipgloss.Color("#1A7043"),
	services: []string{
		"#0B5CAD", // blue
		"#1A7043", // green
		"#8A2FA3", // violet
		"#955800", // amber
		"#0E6F7A", // teal
		"#4B4FBF", // periwinkle
		"#6B5E00", // olive
		"#A8326A", // pink
		"#3D6B1E", // leaf
		"#6E5438", // brown
	},
}

// New returns telx's styles in the Auto theme, or plain ones when enabled
// is false.
func New(enabled bool) *Styles { return NewTheme(enabled, ThemeAuto) }

// NewTheme returns telx's styles in theme t, or plain ones when enabled is
// false.
func NewTheme(enabled bool, t Theme) *Styles {
	if !enabled {
		return &Styles{}
	}
	p := darkPalette
	if t == ThemeLight {
		p = lightPalette
	}
	fg := func(c color.Color) lipgloss.Style { return lipgloss.NewStyle().Foreground(c) }
	s := &Styles{
		Color:    true,
		theme:    t,
		Title:    paintOf(lipgloss.NewStyle().Bold(true)),
		Bold:     paintOf(lipgloss.NewStyle().Bold(true)),
		Dim:      paintOf(fg(p.grey)),
		Error:    paintOf(fg(p.red).Bold(true)),
		Warn:     paintOf(fg(p.amber)),
		Critical: paintOf(fg(p.gold).Bold(true)),
		Ruler:    paintOf(fg(p.grey)),
		Header:   paintOf(lipgloss.NewStyle().Bold(true).Underline(true)),
		ErrorBar: paintOf(fg(p.red)),

		Info:      paintOf(fg(p.green)),
		Highlight: paintOf(fg(p.gold).Bold(true).Underline(true)),

		selected: paintOf(lipgloss.NewStyle().Reverse(true)),
		match:    paintOf(fg(p.gold).Bold(true).Underline(true)),
		focus:    paintOf(lipgloss.NewStyle().Bold(true).Reverse(true)),
	}
	for _, c := range p.services {
		s.services = append(s.services, paintOf(fg(lipgloss.Color(c))))
	}
	return s
}

// Theme returns the theme the styles were made for.
func (s *Styles) Theme() Theme { return s.theme }

// Adapt fits Auto styles to the terminal's background, once the terminal
// has said whether it is dark: in place, so that every pane holding them
// draws with the new palette from its next frame. Other themes, and plain
// styles, stay as they are. It reports whether anything changed.
func (s *Styles) Adapt(dark bool) bool {
	if !s.Color || s.theme != ThemeAuto || dark {
		return false
	}
	*s = *NewTheme(true, ThemeLight)
	s.theme = ThemeAuto // still following the terminal
	return true
}

// Service returns the paint of a service: the same for the same name.
func (s *Styles) Service(name string) Paint {
	if len(s.services) == 0 {
		return Paint{}
	}
	h := fnv.New32a()
	h.Write([]byte(name))
	return s.services[h.Sum32()%uint32(len(s.services))]
}
