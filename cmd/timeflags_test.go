package cmd

import (
	"strings"
	"testing"
	"time"
)

// Times that are not times are refused before any backend is asked, as
// bad durations are; times in range are read.
func TestTimeFlags(t *testing.T) {
	now := time.Date(2026, 12, 1, 7, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		in      string
		want    time.Time
		refused string
	}{
		{"1796108400", time.Unix(1796108400, 0), ""},
		{"1796108400.5", time.Unix(1796108400, 500_000_000), ""},
		{"2026-12-01T06:00:00Z", time.Date(2026, 12, 1, 6, 0, 0, 0, time.UTC), ""},
		{"now", now, ""},
		{"1h", now.Add(-time.Hour), ""},
		{"1e30", time.Time{}, "Unix seconds go from 0"},
		{"NaN", time.Time{}, "Unix seconds go from 0"},
		{"Inf", time.Time{}, "Unix seconds go from 0"},
		{"-Inf", time.Time{}, "Unix seconds go from 0"},
		{"-5", time.Time{}, "Unix seconds go from 0"},
		{"1e400", time.Time{}, "Unix seconds go from 0"},
		{"yesterday", time.Time{}, "is not a time"},
	} {
		got, err := parseTime(tt.in, now)
		switch {
		case tt.refused != "" && (err == nil || !strings.Contains(err.Error(), tt.refused)):
			t.Errorf("%q: %v, %v; want refused with %q", tt.in, got, err, tt.refused)
		case tt.refused == "" && (err != nil || !got.Equal(tt.want)):
			t.Errorf("%q: %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
	// through a command: a usage error (exit 2), no call made
	for _, args := range [][]string{{"--from", "1e30"}, {"--to", "NaN"}, {"--to", "Inf"}} {
		code, _, errOut := demoRun(t, append([]string{"traces", "--service", "payments"}, args...)...)
		if code != ExitUsage || !strings.Contains(errOut, args[0]+": ") {
			t.Errorf("%v: exit %d: %s", args, code, errOut)
		}
	}
}
