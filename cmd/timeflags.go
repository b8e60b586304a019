package cmd

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/telx-cli/telx/sources"
)

// timeFlags are --since, --from and --to, as logcli has them.
type timeFlags struct {
	since    time.Duration
	from, to string
}

func addTimeFlags(c *cobra.Command, defaultSince time.Duration) *timeFlags {
	f := &timeFlags{}
	c.Flags().DurationVar(&f.since, "since", defaultSince, "how far back to look, ending now")
	c.Flags().StringVar(&f.from, "from", "", "start: RFC3339, Unix seconds, or a duration ago (1h)")
	c.Flags().StringVar(&f.to, "to", "", "end: RFC3339, Unix seconds, a duration ago, or now (default now)")
	return f
}

// rangeAt resolves the flags to a time range ending no later than now.
func (f *timeFlags) rangeAt(now time.Time) (sources.TimeRange, error) {
	to := now
	if f.to != "" {
		t, err := parseTime(f.to, now)
		if err != nil {
			return sources.TimeRange{}, UsageError(fmt.Errorf("--to: %w", err))
		}
		to = t
	}
	from := to.Add(-f.since)
	if f.from != "" {
		t, err := parseTime(f.from, now)
		if err != nil {
			return sources.TimeRange{}, UsageError(fmt.Errorf("--from: %w", err))
		}
		from = t
	}
	if !from.Before(to) {
		return sources.TimeRange{}, UsageError(fmt.Errorf("the start (%s) is not before the end (%s)", from.Format(time.RFC3339), to.Format(time.RFC3339)))
	}
	return sources.TimeRange{From: from, To: to}, nil
}

// maxUnixSeconds is the last second of the year 9999.
const maxUnixSeconds = 253402300799

// parseTime reads RFC3339 (with or without fractions), Unix seconds
// (with fractions), "now", or a duration meaning that long ago.
func parseTime(s string, now time.Time) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "now" {
		return now, nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil || errors.Is(err, strconv.ErrRange) {
		// Unix seconds of the years 1970 to 9999: not NaN, ±Inf or 1e30,
		// which would reach the backends as nonsense
		if math.IsNaN(f) || f < 0 || f > maxUnixSeconds {
			return time.Time{}, fmt.Errorf("%q is not a time: Unix seconds go from 0 to %d (the year 9999)", s, int64(maxUnixSeconds))
		}
		sec := int64(f)
		return time.Unix(sec, int64((f-float64(sec))*1e9)), nil
	}
	if d, err := time.ParseDuration(s); err == nil {
		return now.Add(-d), nil
	}
	return time.Time{}, fmt.Errorf("%q is not a time (want RFC3339 like 2026-01-02T15:04:05Z, Unix seconds, or a duration ago like 1h)", s)
}
