package logline

import "strings"

// The normalised levels, from the least to the most severe.
const (
	LevelTrace = "trace"
	LevelDebug = "debug"
	LevelInfo  = "info"
	LevelWarn  = "warn"
	LevelError = "error"
	LevelFatal = "fatal"
)

// NormalizeLevel maps the many spellings of a log level, in any case and
// with surrounding white space, to trace, debug, info, warn, error or fatal;
// anything else (Loki's "unknown" too) is empty. It knows the words and
// abbreviations of the usual loggers: zap (dpanic, panic), zerolog (TRC,
// DBG, INF, WRN, ERR, FTL, PNC), logrus (DEBU, INFO, WARN, ERRO, FATA,
// PANI), klog and logcat letters (V, D, I, W, E, F), syslog's severity
// names (emerg, alert, crit, err, warning, notice, info, debug), Java's
// (SEVERE, FINE, FINER, FINEST) and Serilog's (Verbose, Information).
//
// notice is info; zap's dpanic and panic, and syslog's emerg, alert and
// crit, are fatal, the most severe level. It does not allocate.
func NormalizeLevel(s string) string {
	s = strings.TrimSpace(s)
	if len(s) == 0 || len(s) > len("informational") {
		return ""
	}
	var buf [len("informational")]byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf[i] = c
	}
	switch string(buf[:len(s)]) {
	case "trace", "trc", "trac", "t", "verbose", "vrb", "v", "finer", "finest":
		return LevelTrace
	case "debug", "dbg", "debu", "d", "fine":
		return LevelDebug
	case "info", "inf", "i", "information", "informational", "notice":
		return LevelInfo
	case "warn", "warning", "wrn", "w":
		return LevelWarn
	case "error", "err", "eror", "erro", "e", "severe":
		return LevelError
	case "fatal", "fata", "ftl", "f", "critical", "crit", "crt", "panic", "pani", "pnc", "dpanic",
		"emerg", "emergency", "alert":
		return LevelFatal
	}
	return ""
}

// syslogLevel is the level of a syslog severity (PRI mod 8, or journald's
// PRIORITY): 0 to 2 (emerg, alert, crit) fatal, 3 error, 4 warn, 5 and 6
// (notice, info) info, 7 debug.
func syslogLevel(severity int) string {
	switch severity {
	case 0, 1, 2:
		return LevelFatal
	case 3:
		return LevelError
	case 4:
		return LevelWarn
	case 5, 6:
		return LevelInfo
	case 7:
		return LevelDebug
	}
	return ""
}

// numericLevel is the level of a number in a JSON level field: bunyan's
// and pino's scale, 10 trace, 20 debug, 30 info, 40 warn, 50 error, 60
// fatal (a number between two steps takes the lower one).
func numericLevel(n int) string {
	switch {
	case n >= 60:
		return LevelFatal
	case n >= 50:
		return LevelError
	case n >= 40:
		return LevelWarn
	case n >= 30:
		return LevelInfo
	case n >= 20:
		return LevelDebug
	case n >= 10:
		return LevelTrace
	}
	return ""
}

// statusLevel is the level of an HTTP status: 5xx error, 4xx warn, any
// other info.
func statusLevel(status int) string {
	switch {
	case status >= 500 && status <= 599:
		return LevelError
	case status >= 400 && status <= 499:
		return LevelWarn
	}
	return LevelInfo
}
