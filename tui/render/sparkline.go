package render

import (
	"math"
	"time"

	"github.com/telx-cli/telx/sources"
)

// Sparkline glyphs: eight heights, and marks for infinities.
var sparkLevels = [8]string{"▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"}

const (
	sparkPosInf = "↑"
	sparkNegInf = "↓"
	sparkGap    = " "
)

// cell is what a column of a sparkline or chart holds: the sum and count
// of its finite values, and whether an infinity or a NaN fell in it.
type cell struct {
	sum            float64
	n              int
	posInf, negInf bool
	nan            bool
}

// resample puts points into cells columns over r: each column gets the
// points whose time falls in its slice of r. An empty column takes the
// previous column's content when that column's last point is less than a
// step old at the column's start (a sample holds for a step); otherwise
// it is a gap. cells is reused when long enough.
func resample(cells []cell, pts []sources.Point, r sources.TimeRange, step time.Duration, n int) []cell {
	if cap(cells) < n {
		cells = make([]cell, n)
	}
	cells = cells[:n]
	clear(cells)
	if n == 0 {
		return cells
	}
	from := r.From.UnixNano()
	dur := float64(r.To.UnixNano() - from)
	if dur <= 0 {
		dur = 1
	}
	scale := float64(n) / dur
	lastTime := int64(math.MinInt64)
	lastCol := -1
	colStart := func(c int) int64 { return from + int64(float64(c)/scale) }
	for _, p := range pts {
		t := p.Time.UnixNano()
		c := int(float64(t-from) * scale)
		if c < 0 || t < from {
			continue
		}
		if c >= n {
			if t > r.To.UnixNano() {
				continue
			}
			c = n - 1
		}
		// carry the previous column's content over the empty columns up
		// to this one while its last point still holds
		if lastCol >= 0 && c > lastCol+1 {
			for k := lastCol + 1; k < c && colStart(k)-lastTime < int64(step); k++ {
				cells[k] = cells[lastCol]
			}
		}
		cl := &cells[c]
		switch {
		case math.IsNaN(p.Value):
			cl.nan = true
		case math.IsInf(p.Value, 1):
			cl.posInf = true
		case math.IsInf(p.Value, -1):
			cl.negInf = true
		default:
			cl.sum += p.Value
			cl.n++
		}
		lastTime, lastCol = t, c
	}
	if lastCol >= 0 {
		for k := lastCol + 1; k < n && colStart(k)-lastTime < int64(step); k++ {
			cells[k] = cells[lastCol]
		}
	}
	return cells
}

// value returns the cell's mean, and false for a cell with no finite value.
func (c *cell) value() (float64, bool) {
	if c.n == 0 {
		return 0, false
	}
	return c.sum / float64(c.n), true
}

// appendSparkline appends the sparkline of cells scaled between lo and hi:
// an eighth-height block per column, a gap where there is no value (or
// only NaN), ↑ and ↓ for infinities.
func appendSparkline(dst []byte, cells []cell, lo, hi float64) []byte {
	span := hi - lo
	for i := range cells {
		c := &cells[i]
		v, ok := c.value()
		switch {
		case ok:
			lv := 0
			if span > 0 {
				lv = int((v - lo) / span * 8)
				lv = max(0, min(lv, 7))
			}
			dst = append(dst, sparkLevels[lv]...)
		case c.posInf:
			dst = append(dst, sparkPosInf...)
		case c.negInf:
			dst = append(dst, sparkNegInf...)
		default:
			dst = append(dst, sparkGap...)
		}
	}
	return dst
}

// Sparkline returns points over r as cells eighth-height blocks between
// the points' own finite minimum and maximum.
func Sparkline(pts []sources.Point, r sources.TimeRange, step time.Duration, cells int) string {
	st := SeriesStats(pts)
	return string(appendSparkline(nil, resample(nil, pts, r, step, cells), st.Min, st.Max))
}
