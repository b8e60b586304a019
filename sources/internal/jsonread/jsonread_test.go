package jsonread

import (
	"math"
	"strings"
	"testing"
)

func TestInt64(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want int64
	}{
		{`"1764072000123456789"`, 1764072000123456789},
		{`1764072000123456789`, 1764072000123456789},
		{`"9223372036854775807"`, math.MaxInt64},
		{`"-9223372036854775808"`, math.MinInt64},
		{`"18446744073709551615"`, -1}, // unsigned past int64
		{`"9999999999999999999"`, -8446744073709551617},
		{`"+5"`, 5},
		{`"007"`, 7},
		{`-12`, -12},
		{`""`, 0},
		{`null`, 0},
	} {
		got, err := New(strings.NewReader(tt.in)).Int64()
		if err != nil || got != tt.want {
			t.Errorf("%s: got %d, %v; want %d", tt.in, got, err, tt.want)
		}
	}
	for _, in := range []string{`"1.5"`, `1.5`, `"-"`, `"12a"`, `"99999999999999999999"`, `true`, `{}`} {
		if got, err := New(strings.NewReader(in)).Int64(); err == nil {
			t.Errorf("%s: got %d, want an error", in, got)
		}
	}
}

func TestFloat64(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want float64
	}{
		{`1.5`, 1.5}, {`"2.25"`, 2.25}, {`"Infinity"`, math.Inf(1)}, {`"-Infinity"`, math.Inf(-1)}, {`-3`, -3},
	} {
		got, err := New(strings.NewReader(tt.in)).Float64()
		if err != nil || got != tt.want {
			t.Errorf("double %s: got %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
	if got, err := New(strings.NewReader(`"NaN"`)).Float64(); err != nil || !math.IsNaN(got) {
		t.Errorf(`double "NaN": got %v, %v`, got, err)
	}
	for _, in := range []string{`"fast"`, `true`} {
		if _, err := New(strings.NewReader(in)).Float64(); err == nil {
			t.Errorf("double %s: no error", in)
		}
	}
}
