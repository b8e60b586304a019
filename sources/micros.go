package sources

import (
	"math"
	"time"
)

// The times a span may hold: the whole microseconds a time.Duration from
// 1970 reaches (1677-09-21 to 2262-04-11), which an OTLP timestamp can
// also say, so that the difference of two of them is a Duration.
var (
	MinTime = time.UnixMicro(-maxMicros).UTC()
	MaxTime = time.UnixMicro(maxMicros).UTC()
)

const maxMicros = math.MaxInt64 / int64(time.Microsecond)

// MicrosTime is a timestamp in microseconds since 1970 (Jaeger's), held to
// [MinTime, MaxTime]; ok is false when it had to be.
func MicrosTime(us int64) (t time.Time, ok bool) {
	const limit = maxMicros
	switch {
	case us > limit:
		return MaxTime, false
	case us < -limit:
		return MinTime, false
	}
	return time.UnixMicro(us).UTC(), true
}

// MicrosDuration is a duration in microseconds (Jaeger's), held to what a
// Duration holds; ok is false when it had to be.
func MicrosDuration(us int64) (d time.Duration, ok bool) {
	const limit = maxMicros
	switch {
	case us > limit:
		return math.MaxInt64, false
	case us < -limit:
		return -math.MaxInt64, false
	}
	return time.Duration(us) * time.Microsecond, true
}
