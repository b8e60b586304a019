package main

import (
	"testing"
	"time"
)

func TestSummary(t *testing.T) {
	ms := time.Millisecond
	for _, tt := range []struct {
		in   []time.Duration
		want string
	}{
		{[]time.Duration{3 * ms}, "3.0 ms (3.0 ms)"},
		{[]time.Duration{20 * ms, 1 * ms, 2 * ms}, "2.0 ms (20.0 ms)"},
		{[]time.Duration{4 * ms, 1 * ms, 2 * ms, 1500 * time.Microsecond}, "1.5 ms (4.0 ms)"},
	} {
		if got := summary(tt.in); got != tt.want {
			t.Errorf("summary(%v) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestWritesFreshMemory(t *testing.T) {
	for _, huge := range []bool{false, true} {
		total, page, err := write(4<<20, huge)
		if err != nil {
			t.Fatal(err)
		}
		if total <= 0 || (huge && (page <= 0 || page > total)) {
			t.Errorf("huge %v: total %v, slowest page %v", huge, total, page)
		}
	}
}
