// Package render holds telx's pure renderers: a value, a width and styles
// in, lines of text out. The one-shot commands and the TUI panes share
// them.
package render

import (
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"
)

// Duration formats d with three significant digits: 1.24s, 250ms,
// 1.05ms, 850µs, 2m05s.
func Duration(d time.Duration) string {
	var b [24]byte
	return string(appendDuration(b[:0], d))
}

// appendDuration appends Duration(d) to b (a waterfall's rows write one
// each, with no string made for it).
func appendDuration(b []byte, d time.Duration) []byte {
	if d < 0 {
		b = append(b, '-')
		d = -d
	}
	switch {
	case d >= time.Minute:
		m := d / time.Minute
		sec := (d % time.Minute).Round(time.Second) / time.Second
		if sec == 60 {
			m, sec = m+1, 0
		}
		b = append(strconv.AppendInt(b, int64(m), 10), 'm')
		if sec < 10 {
			b = append(b, '0')
		}
		return append(strconv.AppendInt(b, int64(sec), 10), 's')
	case d >= time.Second:
		return append(appendSig3Of(b, d, time.Second), 's')
	case d >= time.Millisecond:
		return append(appendSig3Of(b, d, time.Millisecond), "ms"...)
	case d >= time.Microsecond:
		return append(appendSig3Of(b, d, time.Microsecond), "µs"...)
	}
	return append(strconv.AppendInt(b, int64(d), 10), "ns"...)
}

// Offset writes d as a signed offset: +1.20ms, -3.00µs.
func Offset(d time.Duration) string {
	if d < 0 {
		return Duration(d)
	}
	return "+" + Duration(d)
}

// appendSig3Of appends d in units (1 <= d/unit < 1000) as appendSig3 does
// float64(d)/float64(unit), in integers (a tenth of a waterfall row's
// time went to the float's formatting): but for an exact tie, which the
// float rounds as its nearest binary value falls, left to appendSig3.
func appendSig3Of(b []byte, d, unit time.Duration) []byte {
	scale, prec := int64(100), 2
	switch {
	case d >= 100*unit:
		scale, prec = 1, 0
	case d >= 10*unit:
		scale, prec = 10, 1
	}
	q, r := int64(d)*scale/int64(unit), int64(d)*scale%int64(unit)
	switch {
	case 2*r == int64(unit):
		return appendSig3(b, float64(d)/float64(unit))
	case 2*r > int64(unit):
		q++
	}
	b = strconv.AppendInt(b, q/scale, 10)
	if prec == 0 {
		return b
	}
	b = append(b, '.')
	frac := q % scale
	if prec == 2 && frac < 10 {
		b = append(b, '0')
	}
	return strconv.AppendInt(b, frac, 10)
}

// appendSig3 appends v (1 <= v < 1000) with three significant digits.
func appendSig3(b []byte, v float64) []byte {
	switch {
	case v >= 100:
		return strconv.AppendFloat(b, v, 'f', 0, 64)
	case v >= 10:
		return strconv.AppendFloat(b, v, 'f', 1, 64)
	default:
		return strconv.AppendFloat(b, v, 'f', 2, 64)
	}
}

// Timestamp formats t in loc with milliseconds and the zone.
func Timestamp(t time.Time, loc *time.Location) string {
	if loc == nil {
		loc = time.Local
	}
	return t.In(loc).Format("2006-01-02 15:04:05.000 MST")
}

// Width returns how many cells s takes (s may hold escape sequences): a
// cell a character when s is printable ASCII, as most names and numbers
// are, and the one-cell characters telx draws with ('µ' of durations,
// '·', '…', the tree's guides and the bars' blocks, U+2500 to U+259F);
// else what ansi.StringWidth measures (graphemes, wide characters, escape
// sequences).
func Width(s string) int {
	n := 0
	for i := 0; i < len(s); n++ {
		c := s[i]
		switch {
		case c >= 0x20 && c <= 0x7e:
			i++
		case c == 0xc2 && i+1 < len(s) && (s[i+1] == 0xb5 || s[i+1] == 0xb7): // µ ·
			i += 2
		case c == 0xe2 && i+2 < len(s) && (s[i+1] == 0x80 && s[i+2] == 0xa6 || // …
			(s[i+1] == 0x94 || s[i+1] == 0x95 || s[i+1] == 0x96 && s[i+2] <= 0x9f) && s[i+2] >= 0x80 && s[i+2] <= 0xbf):
			i += 3
		default:
			return ansi.StringWidth(s)
		}
	}
	return n
}

// Fit pads or truncates s (which may hold escape sequences) to exactly
// width cells, truncating with an ellipsis.
func Fit(s string, width int) string {
	if width <= 0 {
		return ""
	}
	w := Width(s)
	switch {
	case w == width:
		return s
	case w < width:
		return s + strings.Repeat(" ", width-w)
	}
	return ansi.Truncate(s, width, "…")
}

// FitRight right-aligns s in width cells.
func FitRight(s string, width int) string {
	w := Width(s)
	if w >= width {
		return ansi.Truncate(s, width, "…")
	}
	return strings.Repeat(" ", width-w) + s
}
