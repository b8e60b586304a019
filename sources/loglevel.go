package sources

import "sort"

// LevelRank orders normalised log levels (fatal, error, warn, info, debug,
// trace), the most severe first, and any other (the unknown, "") last.
func LevelRank(level string) int {
	switch level {
	case "fatal":
		return 0
	case "error":
		return 1
	case "warn":
		return 2
	case "info":
		return 3
	case "debug":
		return 4
	case "trace":
		return 5
	}
	return 6
}

// SortLogPatterns orders patterns largest first, ties by level (the most
// severe first) and then by pattern.
func SortLogPatterns(ps []LogPattern) {
	sort.SliceStable(ps, func(i, j int) bool {
		a, b := &ps[i], &ps[j]
		if a.Count != b.Count {
			return a.Count > b.Count
		}
		if ra, rb := LevelRank(a.Level), LevelRank(b.Level); ra != rb {
			return ra < rb
		}
		return a.Pattern < b.Pattern
	})
}
