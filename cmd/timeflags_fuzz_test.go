package cmd

import (
	"testing"
	"time"
)

// FuzzTimeFlags reads any --from and --to: no panic; a range accepted
// starts before it ends, within the years 0 to 9999 (no time that is not
// one reaches a backend); a time parsed is what parsing it again gives.
func FuzzTimeFlags(f *testing.F) {
	for _, s := range []string{"now", "1h", "90m", "-1h", "1796108400", "1796108400.5", "2026-12-01T06:00:00Z", "2026-12-01T06:00:00.123456789+02:00",
		"1e30", "NaN", "Inf", "-Inf", "0x10", "253402300799", "253402300800", "2562047h", "9999-12-31T23:59:59Z", "", " 5m "} {
		f.Add(s, "now", int64(time.Hour))
		f.Add("", s, int64(time.Hour))
	}
	now := time.Date(2026, 12, 1, 6, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, from, to string, since int64) {
		if tm, err := parseTime(from, now); err == nil {
			if y := tm.Year(); y < 0 || y > 9999 {
				t.Errorf("parseTime(%q) = %v, year %d", from, tm, y)
			}
			again, err := parseTime(tm.Format(time.RFC3339Nano), now)
			if err != nil || !again.Equal(tm) {
				t.Errorf("parseTime(%q) = %v; as RFC3339 it reads %v, %v", from, tm, again, err)
			}
		}
		f := &timeFlags{since: time.Duration(since), from: from, to: to}
		r, err := f.rangeAt(now)
		if err != nil {
			if exitCode(err) != ExitUsage {
				t.Errorf("from %q to %q: %v is not a usage error", from, to, err)
			}
			return
		}
		if !r.From.Before(r.To) {
			t.Errorf("from %q to %q since %v: %v is not before %v", from, to, time.Duration(since), r.From, r.To)
		}
		for _, tm := range []time.Time{r.From, r.To} {
			if y := tm.Year(); y < 0 || y > 9999 {
				t.Errorf("from %q to %q since %v: %v is not a time a backend reads", from, to, time.Duration(since), tm)
			}
		}
	})
}
