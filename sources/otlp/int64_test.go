package otlp

import (
	"math"
	"testing"
)

func TestInt64Unmarshal(t *testing.T) {
	for in, want := range map[string]int64{
		`"1764072000123456789"`:  1764072000123456789,
		`1764072000123456789`:    1764072000123456789,
		`"9223372036854775807"`:  math.MaxInt64,
		`"-9223372036854775808"`: math.MinInt64,
		`"18446744073709551615"`: -1, // unsigned past int64
		`"9999999999999999999"`:  -8446744073709551617,
		`"+5"`:                   5,
		`"007"`:                  7,
		`-12`:                    -12,
		`""`:                     0,
		`null`:                   0,
	} {
		var i Int64
		if err := i.UnmarshalJSON([]byte(in)); err != nil || int64(i) != want {
			t.Errorf("%s: got %d, %v; want %d", in, i, err, want)
		}
	}
	for _, in := range []string{`"1.5"`, `"-"`, `"12a"`, `"99999999999999999999"`} {
		var i Int64
		if err := i.UnmarshalJSON([]byte(in)); err == nil {
			t.Errorf("%s: got %d, want an error", in, i)
		}
	}
}
