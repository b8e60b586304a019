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
}

// The service palette: distinct hues readable on dark and light
// backgrounds alike.
var palette = []string{
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
}

var (
	red   = lipgloss.Color("#E5484D")
	amber = lipgloss.Color("#E0A526")
	gold  = lipgloss.Color("#F5B700")
	grey  = lipgloss.Color("#8A8F98")
	green = lipgloss.Color("#3FA67A")
)

// New returns telx's styles, or plain ones when enabled is false.
func New(enabled bool) *Styles {
	if !enabled {
		return &Styles{}
	}
	fg := func(c color.Color) lipgloss.Style { return lipgloss.NewStyle().Foreground(c) }
	s := &Styles{
		Color:    true,
		Title:    paintOf(lipgloss.NewStyle().Bold(true)),
		Bold:     paintOf(lipgloss.NewStyle().Bold(true)),
		Dim:      paintOf(fg(grey)),
		Error:    paintOf(fg(red).Bold(true)),
		Warn:     paintOf(fg(amber)),
		Critical: paintOf(fg(gold).Bold(true)),
		Ruler:    paintOf(fg(grey)),
		Header:   paintOf(lipgloss.NewStyle().Bold(true).Underline(true)),
		ErrorBar: paintOf(fg(red)),

		Info:      paintOf(fg(green)),
		Highlight: paintOf(fg(gold).Bold(true).Underline(true)),
	}
	for _, c := range palette {
		s.services = append(s.services, paintOf(fg(lipgloss.Color(c))))
	}
	return s
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
