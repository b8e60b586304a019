package render

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Unit is how a metric's values read: telx formats them with it.
type Unit int

const (
	UnitNone         Unit = iota // plain numbers with SI prefixes: 1.23k
	UnitSeconds                  // 1.24s, 250ms
	UnitMilliseconds             // values in ms, shown as durations
	UnitBytes                    // 1.50MiB
	UnitRatio                    // 0..1 shown as 31.0%
	UnitPercent                  // 0..100 shown as 31.0%
	UnitPerSecond                // a rate: 12.3/s
)

var unitNames = map[string]Unit{
	"none": UnitNone, "seconds": UnitSeconds, "s": UnitSeconds, "milliseconds": UnitMilliseconds, "ms": UnitMilliseconds,
	"bytes": UnitBytes, "b": UnitBytes, "ratio": UnitRatio, "percent": UnitPercent, "%": UnitPercent, "persecond": UnitPerSecond, "/s": UnitPerSecond,
}

// ParseUnit reads a --unit value: none, seconds, milliseconds, bytes,
// ratio, percent or persecond (and the short forms s, ms, b, %, /s).
func ParseUnit(s string) (Unit, error) {
	if u, ok := unitNames[strings.ToLower(strings.TrimSpace(s))]; ok {
		return u, nil
	}
	return UnitNone, fmt.Errorf("unknown unit %q (want none, seconds, milliseconds, bytes, ratio, percent or persecond)", s)
}

// unitSuffixes map a metric name's unit suffix (Prometheus naming
// conventions) to a unit.
var unitSuffixes = []struct {
	suffix string
	unit   Unit
}{
	{"_seconds", UnitSeconds},
	{"_milliseconds", UnitMilliseconds},
	{"_bytes", UnitBytes},
	{"_ratio", UnitRatio},
	{"_percent", UnitPercent},
}

// NameUnit returns the unit a metric name declares by its suffix
// (http_request_duration_seconds_bucket: seconds). Counts of a histogram
// or summary (_count) and counters of other things have none.
func NameUnit(name string) Unit {
	if strings.HasSuffix(name, "_count") {
		return UnitNone
	}
	for _, s := range []string{"_bucket", "_sum", "_total", "_created"} {
		name = strings.TrimSuffix(name, s)
	}
	for _, us := range unitSuffixes {
		if strings.HasSuffix(name, us.suffix) {
			return us.unit
		}
	}
	return UnitNone
}

// GuessUnit guesses the unit of a query's results from the metric names
// in it: when every name that declares a unit declares the same one, that
// unit. Histogram buckets have their metric's unit only under
// histogram_quantile; otherwise they count. A rate of a counter of seconds is seconds per second, which reads
// as a ratio.
func GuessUnit(query string) Unit {
	found, unit := false, UnitNone
	quantile := strings.Contains(query, "histogram_quantile")
	for _, id := range identifiers(query) {
		if strings.HasSuffix(id, "_bucket") && !quantile {
			continue // bucket counters count observations
		}
		u := NameUnit(id)
		if u == UnitNone {
			continue
		}
		if found && u != unit {
			return UnitNone
		}
		found, unit = true, u
	}
	if unit == UnitSeconds && strings.Contains(query, "rate(") && strings.Contains(query, "seconds_total") {
		return UnitRatio
	}
	return unit
}

// identifiers returns the words of a PromQL query that may be metric
// names, skipping quoted strings.
func identifiers(q string) []string {
	var out []string
	for i := 0; i < len(q); {
		c := q[i]
		switch {
		case c == '"' || c == '\'' || c == '`':
			j := i + 1
			for j < len(q) && q[j] != c {
				if q[j] == '\\' {
					j++
				}
				j++
			}
			i = j + 1
		case isIdentStart(c):
			j := i + 1
			for j < len(q) && (isIdentStart(q[j]) || (q[j] >= '0' && q[j] <= '9')) {
				j++
			}
			out = append(out, q[i:j])
			i = j
		default:
			i++
		}
	}
	return out
}

func isIdentStart(c byte) bool {
	return c == '_' || c == ':' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}

// FormatValue formats v in unit u with three significant digits. NaN and
// infinities read NaN, +Inf and -Inf.
func FormatValue(v float64, u Unit) string {
	switch {
	case math.IsNaN(v):
		return "NaN"
	case math.IsInf(v, 1):
		return "+Inf"
	case math.IsInf(v, -1):
		return "-Inf"
	}
	switch u {
	case UnitSeconds:
		return seconds(v)
	case UnitMilliseconds:
		return seconds(v / 1000)
	case UnitBytes:
		return bytesIEC(v)
	case UnitRatio:
		return short(v*100) + "%"
	case UnitPercent:
		return short(v) + "%"
	case UnitPerSecond:
		return SI(v) + "/s"
	}
	return SI(v)
}

func seconds(v float64) string {
	if v == 0 {
		return "0s"
	}
	if math.Abs(v) >= 1e6 { // past 11 days, durations read badly
		return SI(v) + "s"
	}
	if math.Abs(v) < 1e-9 {
		return strconv.FormatFloat(v, 'g', 3, 64) + "s"
	}
	return Duration(time.Duration(v * float64(time.Second)))
}

func bytesIEC(v float64) string {
	neg := ""
	if v < 0 {
		neg, v = "-", -v
	}
	units := []string{"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"}
	i := 0
	for v >= 1024 && i < len(units)-1 {
		v /= 1024
		i++
	}
	if i == 0 {
		return neg + strconv.FormatFloat(v, 'f', -1, 64) + "B"
	}
	return neg + short(v) + units[i]
}

// SI formats v with three significant digits and an SI prefix (k, M, G,
// T, P) for large values; small ones keep their digits (0.0123).
func SI(v float64) string {
	neg := ""
	if v < 0 {
		neg, v = "-", -v
	}
	prefixes := []string{"", "k", "M", "G", "T", "P", "E"}
	i := 0
	for v >= 999.5 && i < len(prefixes)-1 {
		v = math.Max(v, 1000) / 1000 // 999.7 reads 1k, not 1.000k
		i++
	}
	return neg + short(v) + prefixes[i]
}

// short formats a non-negative v below 1000 with three significant digits,
// without trailing zeros after the point for whole numbers.
func short(v float64) string {
	switch {
	case v == 0:
		return "0"
	case v < 0:
		return "-" + short(-v)
	case v >= 1 && v == math.Trunc(v):
		return strconv.FormatFloat(v, 'f', 0, 64)
	case v >= 999.5:
		return strconv.FormatFloat(v, 'f', 0, 64)
	case v >= 1:
		return string(appendSig3(nil, v))
	case v >= 0.001:
		return strconv.FormatFloat(v, 'f', 2-int(math.Floor(math.Log10(v))), 64)
	}
	return strconv.FormatFloat(v, 'g', 3, 64)
}
