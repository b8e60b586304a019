package logline

import (
	"testing"
	"time"
)

func TestNormalizeLevel(t *testing.T) {
	for want, spellings := range map[string][]string{
		"trace": {"trace", "TRACE", "Trace", "trc", "TRC", "TRAC", "t", "verbose", "Verbose", "VRB", "V", "finer", "FINEST"},
		"debug": {"debug", "DEBUG", "dbg", "DBG", "DEBU", "d", "D", "fine", "FINE"},
		"info":  {"info", "INFO", "Info", "inf", "INF", "i", "I", "information", "Information", "informational", "notice", "NOTICE"},
		"warn":  {"warn", "WARN", "warning", "Warning", "WARNING", "wrn", "WRN", "w", "W"},
		"error": {"error", "ERROR", "Error", "err", "ERR", "eror", "ERRO", "e", "E", "severe", "SEVERE"},
		"fatal": {"fatal", "FATAL", "FATA", "ftl", "FTL", "f", "F", "critical", "CRITICAL", "crit", "crt", "panic", "PANIC", "PANI", "pnc", "PNC", "dpanic", "DPANIC", "emerg", "emergency", "alert"},
		"":      {"", " ", "unknown", "UNKNOWN", "none", "x", "infos", "warnings", "errors", "information!", "informational1", "a very long level word", "\x1b[31mERROR", "ERROR\x00", "ínfo"},
	} {
		for _, s := range spellings {
			if got := NormalizeLevel(s); got != want {
				t.Errorf("NormalizeLevel(%q) = %q, want %q", s, got, want)
			}
			if got := NormalizeLevel(" \t\n" + s + " \r\n"); got != want {
				t.Errorf("NormalizeLevel(%q with blanks) = %q, want %q", s, got, want)
			}
		}
	}
}

func TestNormalizeLevelDoesNotAllocate(t *testing.T) {
	words := []string{"INFO", "Warning", "dpanic", "unknown", " ERR "}
	if n := testing.AllocsPerRun(100, func() {
		for _, w := range words {
			NormalizeLevel(w)
		}
	}); n != 0 {
		t.Errorf("NormalizeLevel allocates %v times per run", n)
	}
}

func TestLevelScales(t *testing.T) {
	for _, tt := range []struct {
		n          int
		syslog, js string
	}{
		{0, "fatal", ""}, {1, "fatal", ""}, {2, "fatal", ""}, {3, "error", ""}, {4, "warn", ""},
		{5, "info", ""}, {6, "info", ""}, {7, "debug", ""}, {8, "", ""},
		{10, "", "trace"}, {20, "", "debug"}, {25, "", "debug"}, {30, "", "info"}, {40, "", "warn"},
		{50, "", "error"}, {60, "", "fatal"}, {100, "", "fatal"},
	} {
		if got := syslogLevel(tt.n); got != tt.syslog {
			t.Errorf("syslogLevel(%d) = %q, want %q", tt.n, got, tt.syslog)
		}
		if got := numericLevel(tt.n); got != tt.js {
			t.Errorf("numericLevel(%d) = %q, want %q", tt.n, got, tt.js)
		}
	}
	for status, want := range map[int]string{100: "info", 200: "info", 304: "info", 400: "warn", 499: "warn", 500: "error", 599: "error", 600: "info"} {
		if got := statusLevel(status); got != want {
			t.Errorf("statusLevel(%d) = %q, want %q", status, got, want)
		}
	}
}

func TestParseTimeValue(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want string // RFC 3339 in UTC; "" when not a time
	}{
		{"2026-12-01T06:15:25Z", "2026-12-01T06:15:25Z"},
		{"2026-12-01T06:15:25.318Z", "2026-12-01T06:15:25.318Z"},
		{"2026-12-01t06:15:25.318z", "2026-12-01T06:15:25.318Z"},
		{"2026-12-01T06:15:25.123456789Z", "2026-12-01T06:15:25.123456789Z"},
		{"2026-12-01T06:15:25.1234567891Z", "2026-12-01T06:15:25.123456789Z"},
		{"2026-12-01T06:15:25+01:00", "2026-12-01T05:15:25Z"},
		{"2026-12-01T06:15:25-0230", "2026-12-01T08:45:25Z"},
		{"2026-12-01T06:15:25+05", "2026-12-01T01:15:25Z"},
		{"2026-12-01 06:15:25,318", "2026-12-01T06:15:25.318Z"},
		{"2026-12-01 06:15:25", "2026-12-01T06:15:25Z"},
		{"2026/12/01 06:15:25", "2026-12-01T06:15:25Z"},
		{"2024-02-29T00:00:00Z", "2024-02-29T00:00:00Z"},
		{"1764569725", "2025-12-01T06:15:25Z"},
		{"1764569725.5", "2025-12-01T06:15:25.5Z"},
		{"1764569725318", "2025-12-01T06:15:25.318Z"},
		{"1764569725318.5", "2025-12-01T06:15:25.3185Z"},
		{"1764569725318123", "2025-12-01T06:15:25.318123Z"},
		{"1764569725318123456", "2025-12-01T06:15:25.318123456Z"},
		{"1.764569725e+09", "2025-12-01T06:15:25Z"},
		{"2025-02-29T00:00:00Z", ""},
		{"2026-13-01T06:15:25Z", ""},
		{"2026-12-01T24:00:00Z", ""},
		{"2026-12-01T06:61:00Z", ""},
		{"2026-12-01T06:15:25+25:00", ""},
		{"2026-12-01T06:15:25 trailing", ""},
		{"2026-12-01", ""},
		{"12345", ""},
		{"17645697253181234567", ""},
		{"-1764569725", ""},
		{"1764569725.", ""},
		{"1764569725x", ""},
		{"soon", ""},
		{"", ""},
	} {
		got, ok := parseTimeValue(tt.in, time.UTC)
		if tt.want == "" {
			if ok {
				t.Errorf("parseTimeValue(%q) = %v, want not a time", tt.in, got)
			}
			continue
		}
		if !ok || !got.Equal(utc(tt.want)) {
			t.Errorf("parseTimeValue(%q) = %v, %v; want %s", tt.in, got, ok, tt.want)
		}
	}
}

func TestYearOf(t *testing.T) {
	for _, tt := range []struct {
		now  string
		md   [2]int
		want int
	}{
		{"2026-12-01T07:00:00Z", [2]int{12, 1}, 2026},
		{"2026-12-01T07:00:00Z", [2]int{12, 2}, 2026}, // within a day ahead
		{"2026-12-01T07:00:00Z", [2]int{12, 3}, 2025},
		{"2027-01-01T00:10:00Z", [2]int{12, 31}, 2026}, // December's line read on New Year's Day
		{"2026-12-31T23:50:00Z", [2]int{1, 1}, 2027},   // a clock ahead across the new year
		{"2026-03-01T00:00:00Z", [2]int{2, 29}, 2024},  // the last 29 February
	} {
		got := yearOf(tt.md[0], tt.md[1], clock{hour: 0}, utc(tt.now))
		if got.Year() != tt.want || int(got.Month()) != tt.md[0] || got.Day() != tt.md[1] {
			t.Errorf("yearOf(%02d-%02d) at %s = %v, want year %d", tt.md[0], tt.md[1], tt.now, got, tt.want)
		}
	}
}
