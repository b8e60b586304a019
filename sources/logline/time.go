package logline

import (
	"strconv"
	"time"
)

// The time layouts are read by hand, not by time.Parse: each is a fixed
// shape of digits, and a fixed offset read into a time.FixedZone would
// allocate. A time with an offset is the instant the line says, given in
// the reference location; a time without one is read in that location.

// yearSlack is how far in the future a line's time may be (a clock ahead
// of the reader's) before a year-less time is taken for last year's.
const yearSlack = 24 * time.Hour

// digits2 reads two decimal digits at s[i:].
func digits2(s string, i int) (int, bool) {
	if i+2 > len(s) {
		return 0, false
	}
	a, b := s[i]-'0', s[i+1]-'0'
	if a > 9 || b > 9 {
		return 0, false
	}
	return int(a)*10 + int(b), true
}

// digitsN reads n decimal digits at s[i:].
func digitsN(s string, i, n int) (int, bool) {
	if i+n > len(s) {
		return 0, false
	}
	v := 0
	for _, c := range []byte(s[i : i+n]) {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int(c-'0')
	}
	return v, true
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// daysIn is the number of days of month in year.
func daysIn(month, year int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// clock is a time of day read from a line.
type clock struct {
	hour, min, sec, nsec int
}

// parseClock reads hh:mm:ss with an optional fraction (after '.' or ',')
// at s[i:], and returns the index after it.
func parseClock(s string, i int) (clock, int, bool) {
	var c clock
	var ok1, ok2, ok3 bool
	c.hour, ok1 = digits2(s, i)
	c.min, ok2 = digits2(s, i+3)
	c.sec, ok3 = digits2(s, i+6)
	if !ok1 || !ok2 || !ok3 || s[i+2] != ':' || s[i+5] != ':' ||
		c.hour > 23 || c.min > 59 || c.sec > 60 {
		return c, 0, false
	}
	i += 8
	if i+1 < len(s) && (s[i] == '.' || s[i] == ',') && isDigit(s[i+1]) {
		i++
		scale := 100000000
		for ; i < len(s) && isDigit(s[i]); i++ {
			c.nsec += int(s[i]-'0') * scale
			scale /= 10
		}
	}
	return c, i, true
}

// parseZone reads a zone at s[i:]: Z, +hh:mm, +hhmm or +hh (or -). It
// returns the offset east of UTC in seconds and the index after it; n ==
// i when there is none.
func parseZone(s string, i int) (off int, n int, ok bool) {
	if i >= len(s) {
		return 0, i, false
	}
	switch s[i] {
	case 'Z', 'z':
		return 0, i + 1, true
	case '+', '-':
	default:
		return 0, i, false
	}
	h, ok := digits2(s, i+1)
	if !ok || h > 23 {
		return 0, i, false
	}
	n = i + 3
	m := 0
	if n < len(s) && s[n] == ':' {
		if m, ok = digits2(s, n+1); !ok {
			return 0, i, false
		}
		n += 3
	} else if mm, ok := digits2(s, n); ok {
		m = mm
		n += 2
	}
	if m > 59 {
		return 0, i, false
	}
	off = (h*60 + m) * 60
	if s[i] == '-' {
		off = -off
	}
	return off, n, true
}

// makeTime builds a time from its parts: with an offset the instant it
// says, in loc; without one, in loc.
func makeTime(year, month, day int, c clock, off int, zoned bool, loc *time.Location) time.Time {
	if zoned {
		return time.Date(year, time.Month(month), day, c.hour, c.min, c.sec, c.nsec, time.UTC).
			Add(-time.Duration(off) * time.Second).In(loc)
	}
	return time.Date(year, time.Month(month), day, c.hour, c.min, c.sec, c.nsec, loc)
}

// parseISO reads an RFC 3339-like time at the start of s: yyyy-mm-dd (or
// yyyy/mm/dd), T or a space, hh:mm:ss, an optional fraction after '.' or
// ',', and an optional zone (Z, +hh:mm, +hhmm, +hh). It returns the time
// and its length in s.
func parseISO(s string, loc *time.Location) (time.Time, int, bool) {
	if len(s) < 19 {
		return time.Time{}, 0, false
	}
	year, ok1 := digitsN(s, 0, 4)
	month, ok2 := digits2(s, 5)
	day, ok3 := digits2(s, 8)
	sep := s[4]
	if !ok1 || !ok2 || !ok3 || (sep != '-' && sep != '/') || s[7] != sep ||
		(s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
		month < 1 || month > 12 || day < 1 || day > daysIn(month, year) {
		return time.Time{}, 0, false
	}
	c, n, ok := parseClock(s, 11)
	if !ok {
		return time.Time{}, 0, false
	}
	off, n2, zoned := parseZone(s, n)
	return makeTime(year, month, day, c, off, zoned, loc), n2, true
}

// parseISOAll reads s as a whole as an RFC 3339-like time.
func parseISOAll(s string, loc *time.Location) (time.Time, bool) {
	t, n, ok := parseISO(s, loc)
	return t, ok && n == len(s)
}

// minEpoch is the least number of seconds taken as a Unix time (1973):
// below it a number under a time key is more likely something else.
const minEpoch = 100_000_000

// parseEpoch reads s, a decimal number (with an optional fraction, or an
// exponent), as a Unix time: in seconds below 1e11, milliseconds below
// 1e14, microseconds below 1e17, nanoseconds above (zap's ts is float
// seconds, zerolog's and pino's integer seconds or milliseconds).
func parseEpoch(s string, loc *time.Location) (time.Time, bool) {
	if len(s) == 0 || !isDigit(s[0]) {
		return time.Time{}, false
	}
	i := 0
	var whole int64
	for ; i < len(s) && isDigit(s[i]); i++ {
		if i >= 19 {
			return time.Time{}, false
		}
		whole = whole*10 + int64(s[i]-'0')
	}
	// the fraction, to nanoseconds of the whole's unit
	var frac int64
	if i < len(s) && s[i] == '.' {
		i++
		scale := int64(100000000)
		start := i
		for ; i < len(s) && isDigit(s[i]); i++ {
			frac += int64(s[i]-'0') * scale
			scale /= 10
		}
		if i == start {
			return time.Time{}, false
		}
	}
	if i < len(s) {
		if s[i] != 'e' && s[i] != 'E' {
			return time.Time{}, false
		}
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || f < 0 || f >= 1e19 {
			return time.Time{}, false
		}
		whole = int64(f)
		frac = int64((f - float64(whole)) * 1e9)
	}
	var t time.Time
	switch {
	case whole < minEpoch:
		return time.Time{}, false
	case whole < 1e11:
		t = time.Unix(whole, frac)
	case whole < 1e14:
		t = time.UnixMilli(whole).Add(time.Duration(frac / 1e3))
	case whole < 1e17:
		t = time.UnixMicro(whole).Add(time.Duration(frac / 1e6))
	default:
		t = time.Unix(0, whole)
	}
	return t.In(loc), true
}

// parseTimeValue reads the value of a time key: an RFC 3339-like time or
// a Unix time.
func parseTimeValue(s string, loc *time.Location) (time.Time, bool) {
	if t, ok := parseISOAll(s, loc); ok {
		return t, true
	}
	return parseEpoch(s, loc)
}

var monthNames = [...]string{"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}

// parseMonth reads a three-letter month name, in any case, at s[i:].
func parseMonth(s string, i int) (int, bool) {
	if i+3 > len(s) {
		return 0, false
	}
	a, b, c := s[i]|0x20, s[i+1]|0x20, s[i+2]|0x20
	for m, name := range monthNames {
		if name[0] == a && name[1] == b && name[2] == c {
			return m + 1, true
		}
	}
	return 0, false
}

// yearOf picks the year of a time that does not say it: the latest that
// does not put it more than yearSlack after now.
func yearOf(month, day int, c clock, now time.Time) time.Time {
	loc := now.Location()
	limit := now.Add(yearSlack)
	y := now.Year() + 1
	for ; y > now.Year()-1; y-- {
		if month == 2 && day == 29 && daysIn(2, y) != 29 {
			continue
		}
		t := time.Date(y, time.Month(month), day, c.hour, c.min, c.sec, c.nsec, loc)
		if !t.After(limit) {
			return t
		}
	}
	for month == 2 && day == 29 && daysIn(2, y) != 29 {
		y--
	}
	return time.Date(y, time.Month(month), day, c.hour, c.min, c.sec, c.nsec, loc)
}
