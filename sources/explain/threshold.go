// Package explain ties an alert to its evidence: the rule it comes from
// (matched by alertname and labels), its expression's series over the
// window from a little before the alert went pending until now with the
// threshold it compares against and the moment it crossed it, the error
// and warning logs of the alert's service, and that service's failing and
// slowest traces. Pure functions, and Gather, which asks the backends
// through the sources interfaces.
package explain

import (
	"math"
	"strconv"
	"strings"
)

// Threshold is the top-level comparison of an alerting rule's
// expression against a constant: Query Op Value (written the other way
// round, `0.05 < x`, it is turned around).
type Threshold struct {
	// Query is the expression compared (the rule's expression without
	// the comparison).
	Query string
	// Op is one of > >= < <= == !=.
	Op    string
	Value float64
}

// Holds tells whether v satisfies the comparison (NaN never does).
func (t Threshold) Holds(v float64) bool {
	if math.IsNaN(v) {
		return false
	}
	switch t.Op {
	case ">":
		return v > t.Value
	case ">=":
		return v >= t.Value
	case "<":
		return v < t.Value
	case "<=":
		return v <= t.Value
	case "==":
		return v == t.Value
	case "!=":
		return v != t.Value
	}
	return false
}

// String writes the comparison: "> 0.05".
func (t Threshold) String() string {
	return t.Op + " " + strconv.FormatFloat(t.Value, 'g', -1, 64)
}

// flip turns an operator around, for `number OP expr`.
var flip = map[string]string{">": "<", "<": ">", ">=": "<=", "<=": ">=", "==": "==", "!=": "!="}

// ParseThreshold reads the top-level comparison of a PromQL expression
// against a number: `expr > 0.05`, `expr >= bool 3`, `10 < expr`. It
// reports false for an expression whose top level is not one comparison
// with a number on one side: no comparison, several, a comparison joined
// by and, or or unless, one between two vectors, or with on(…),
// ignoring(…) or group_left/right. Strings, comments, label matchers,
// brackets and parentheses are skipped, so that only the top level
// counts. No input panics.
func ParseThreshold(expr string) (Threshold, bool) {
	expr = stripComments(expr)
	ops := topLevelOps(expr)
	if len(ops) != 1 {
		return Threshold{}, false
	}
	op := ops[0]
	lhs := strings.TrimSpace(expr[:op.at])
	rhs := strings.TrimSpace(expr[op.at+len(op.op):])
	if lhs == "" || rhs == "" {
		return Threshold{}, false
	}
	// the bool modifier: expr > bool 1
	if w, rest := firstWord(rhs); w == "bool" {
		rhs = strings.TrimSpace(rest)
	}
	if w, _ := firstWord(rhs); w == "on" || w == "ignoring" || w == "group_left" || w == "group_right" {
		return Threshold{}, false
	}
	var th Threshold
	if v, ok := number(rhs); ok {
		if _, lnum := number(lhs); lnum {
			return Threshold{}, false
		}
		th = Threshold{Query: unparen(lhs), Op: op.op, Value: v}
	} else if v, ok := number(lhs); ok {
		th = Threshold{Query: unparen(rhs), Op: flip[op.op], Value: v}
	}
	if strings.TrimSpace(th.Query) == "" { // no number, or "() > 1"
		return Threshold{}, false
	}
	return th, true
}

type opAt struct {
	op string
	at int
}

// topLevelOps finds the comparison operators outside parentheses,
// brackets, braces and strings; an and, or or unless at the top level
// makes it give up (nil).
func topLevelOps(s string) []opAt {
	var out []opAt
	depth := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '"', '\'', '`':
			j := skipString(s, i)
			if j < 0 {
				return nil
			}
			i = j
			continue
		case '(', '[', '{':
			depth++
			continue
		case ')', ']', '}':
			depth--
			if depth < 0 {
				return nil
			}
			continue
		}
		if depth != 0 {
			continue
		}
		if isWordStart(s, i) {
			w, _ := firstWord(s[i:])
			if w == "and" || w == "or" || w == "unless" {
				return nil
			}
			i += len(w) - 1
			continue
		}
		switch {
		case strings.HasPrefix(s[i:], ">="), strings.HasPrefix(s[i:], "<="),
			strings.HasPrefix(s[i:], "=="), strings.HasPrefix(s[i:], "!="):
			out = append(out, opAt{s[i : i+2], i})
			i++
		case c == '>' || c == '<':
			out = append(out, opAt{s[i : i+1], i})
		}
	}
	if depth != 0 {
		return nil
	}
	return out
}

// skipString returns the index of the quote closing the string opened at
// i, or -1.
func skipString(s string, i int) int {
	q := s[i]
	for j := i + 1; j < len(s); j++ {
		switch {
		case s[j] == '\\' && q != '`':
			j++
		case s[j] == q:
			return j
		}
	}
	return -1
}

// stripComments drops # comments (outside strings) to the end of their
// line.
func stripComments(s string) string {
	if !strings.Contains(s, "#") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '"', '\'', '`':
			j := skipString(s, i)
			if j < 0 {
				b.WriteString(s[i:])
				return b.String()
			}
			b.WriteString(s[i : j+1])
			i = j
		case '#':
			nl := strings.IndexByte(s[i:], '\n')
			if nl < 0 {
				return b.String()
			}
			i += nl - 1
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func isWordByte(c byte) bool {
	return c == '_' || c == ':' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// isWordStart tells whether an identifier starts at i (not a number).
func isWordStart(s string, i int) bool {
	c := s[i]
	if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
		return false
	}
	return i == 0 || !isWordByte(s[i-1]) && s[i-1] != '.'
}

// firstWord returns the identifier s starts with (after spaces) and the
// rest.
func firstWord(s string) (string, string) {
	s = strings.TrimLeft(s, " \t\r\n")
	j := 0
	for j < len(s) && isWordByte(s[j]) {
		j++
	}
	return s[:j], s[j:]
}

// number reads a PromQL number literal, parenthesised or signed or not:
// 0.05, 1e3, 0x1f, Inf, NaN, (-5).
func number(s string) (float64, bool) {
	s = unparen(strings.TrimSpace(s))
	sign := 1.0
	if strings.HasPrefix(s, "-") || strings.HasPrefix(s, "+") {
		if s[0] == '-' {
			sign = -1
		}
		s = strings.TrimSpace(s[1:])
	}
	if s == "" {
		return 0, false
	}
	switch strings.ToLower(s) {
	case "inf":
		return sign * math.Inf(1), true
	case "nan":
		return math.NaN(), true
	}
	if strings.HasPrefix(s, "0x") || strings.HasPrefix(s, "0X") {
		u, err := strconv.ParseUint(s[2:], 16, 64)
		return sign * float64(u), err == nil
	}
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-' || c == '_') {
			return 0, false
		}
	}
	v, err := strconv.ParseFloat(strings.ReplaceAll(s, "_", ""), 64)
	return sign * v, err == nil
}

// unparen drops the parentheses around the whole of s, as often as they
// enclose it.
func unparen(s string) string {
	for {
		s = strings.TrimSpace(s)
		if len(s) < 2 || s[0] != '(' || s[len(s)-1] != ')' || !encloses(s) {
			return s
		}
		s = s[1 : len(s)-1]
	}
}

// encloses tells whether the parenthesis opening s closes at its end.
func encloses(s string) bool {
	depth := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '"', '\'', '`':
			j := skipString(s, i)
			if j < 0 {
				return false
			}
			i = j
		case '(', '[', '{':
			depth++
		case ')', ']', '}':
			depth--
			if depth == 0 && i != len(s)-1 {
				return false
			}
		}
	}
	return depth == 0
}
