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

// Values quoted in errors hold nothing a terminal would act on: bytes that
// are not UTF-8, control and bidirectional characters are escaped, and a
// clipped value is cut between runes (found by the long fuzz campaign:
// an int64 written "20\xc8…" reached the message as it was).
func TestClipPrintable(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`"200"`, `"200"`},
		{"\"20\xc8\xc80\"", `"20\xc8\xc80"`},
		{"\x1b[31mred", `\u001b[31mred`},
		{"a\u202eb", `a\u202eb`},
		{"é and \uFFFD", "é and \uFFFD"},
		{strings.Repeat("a", 39) + "éé", strings.Repeat("a", 39) + "…"},
	} {
		if got := Clip([]byte(tc.in)); got != tc.want {
			t.Errorf("Clip(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
