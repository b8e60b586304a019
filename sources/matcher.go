package sources

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	amlabels "github.com/prometheus/alertmanager/pkg/labels"
)

// MatchOp is how a Matcher compares a label's value.
type MatchOp string

// Matcher operators, as amtool and Alertmanager write them.
const (
	MatchEqual     MatchOp = "="
	MatchNotEqual  MatchOp = "!="
	MatchRegexp    MatchOp = "=~"
	MatchNotRegexp MatchOp = "!~"
)

// Matcher is one of Alertmanager's label matchers (of a silence, or of a
// filter): name, operator and value; a regular expression is anchored at
// both ends. A label that is absent has the empty value.
type Matcher struct {
	Name  string  `json:"name"`
	Op    MatchOp `json:"op"`
	Value string  `json:"value"`

	re *regexp.Regexp // compiled by NewMatcher for =~ and !~
}

// NewMatcher returns the matcher; a regular expression that does not
// compile is an error.
func NewMatcher(name string, op MatchOp, value string) (Matcher, error) {
	m := Matcher{Name: name, Op: op, Value: value}
	switch op {
	case MatchEqual, MatchNotEqual:
	case MatchRegexp, MatchNotRegexp:
		re, err := regexp.Compile("^(?:" + value + ")$")
		if err != nil {
			return m, fmt.Errorf("matcher %s%s%q: bad regular expression: %w", name, op, value, err)
		}
		m.re = re
	default:
		return m, fmt.Errorf("matcher %s: unknown operator %q (want =, !=, =~ or !~)", name, op)
	}
	if strings.TrimSpace(name) == "" {
		return m, errors.New("a matcher needs a label name")
	}
	return m, nil
}

// IsRegex and IsEqual say the matcher's kind as Alertmanager's API does.
func (m Matcher) IsRegex() bool { return m.Op == MatchRegexp || m.Op == MatchNotRegexp }

// IsEqual is false for != and !~.
func (m Matcher) IsEqual() bool { return m.Op == MatchEqual || m.Op == MatchRegexp }

// Matches tells whether the value v (of the matcher's label) matches.
func (m Matcher) Matches(v string) bool {
	switch m.Op {
	case MatchEqual:
		return v == m.Value
	case MatchNotEqual:
		return v != m.Value
	}
	re := m.re
	if re == nil { // a Matcher built by hand, or decoded
		var err error
		if re, err = regexp.Compile("^(?:" + m.Value + ")$"); err != nil {
			return false
		}
	}
	return re.MatchString(v) == (m.Op == MatchRegexp)
}

// String writes the matcher as amtool does: name, operator, quoted value.
func (m Matcher) String() string {
	am := amlabels.Matcher{Name: m.Name, Value: m.Value}
	switch m.Op {
	case MatchNotEqual:
		am.Type = amlabels.MatchNotEqual
	case MatchRegexp:
		am.Type = amlabels.MatchRegexp
	case MatchNotRegexp:
		am.Type = amlabels.MatchNotRegexp
	}
	return am.String()
}

// MarshalJSON writes the matcher with its string form too.
func (m Matcher) MarshalJSON() ([]byte, error) {
	type plain struct {
		Name    string  `json:"name"`
		Op      MatchOp `json:"op"`
		Value   string  `json:"value"`
		Matcher string  `json:"matcher"`
	}
	return json.Marshal(plain{m.Name, m.Op, m.Value, m.String()})
}

// MatchersMatch tells whether every matcher matches labels.
func MatchersMatch(ms []Matcher, labels map[string]string) bool {
	for _, m := range ms {
		if !m.Matches(labels[m.Name]) {
			return false
		}
	}
	return true
}

// FormatMatchers writes matchers as amtool does, separated by sep.
func FormatMatchers(ms []Matcher, sep string) string {
	parts := make([]string, len(ms))
	for i, m := range ms {
		parts[i] = m.String()
	}
	return strings.Join(parts, sep)
}

// ParseMatchers reads matchers in amtool's syntax, one argument at a
// time: name=value, name!=value, name=~regex, name!~regex, the value
// quoted or not, or several of them separated by commas, in braces or not
// ({a="1",b=~"2.*"}). As in amtool, a first argument that is a bare word
// (no operator) is the value of alertname. Alertmanager's own parser reads
// them (github.com/prometheus/alertmanager/pkg/labels).
func ParseMatchers(args []string) ([]Matcher, error) {
	var out []Matcher
	for i, arg := range args {
		if !utf8.ValidString(arg) {
			return nil, fmt.Errorf("bad matcher %q: not valid UTF-8", arg)
		}
		if i == 0 && bareWord.MatchString(arg) {
			out = append(out, Matcher{Name: "alertname", Op: MatchEqual, Value: arg})
			continue
		}
		ms, err := amlabels.ParseMatchers(arg)
		if err != nil {
			return nil, fmt.Errorf("bad matcher %q: %v (want name=value, name!=value, name=~regex or name!~regex)", arg, err)
		}
		if len(ms) == 0 {
			return nil, fmt.Errorf("bad matcher %q: no matcher in it (want name=value, name!=value, name=~regex or name!~regex)", arg)
		}
		for _, am := range ms {
			m, err := NewMatcher(am.Name, MatchOp(am.Type.String()), am.Value)
			if err != nil {
				return nil, err
			}
			out = append(out, m)
		}
	}
	return out, nil
}

// bareWord is an argument with no matcher operator in it.
var bareWord = regexp.MustCompile(`^[^=!~{},"]+$`)
