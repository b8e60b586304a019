package cmd

import (
	"strings"
	"testing"
)

// The partial arguments a completion reads never panic, and what a
// completion keeps of them is their own start.
func FuzzCompletionParsing(f *testing.F) {
	for _, s := range []string{"", "{", `{service_name="pay`, `{a="x", b`, `{a="say \"hi`, `{a="x"} |= "`,
		"rate(http_req", `up{job="`, "1e3", "sum(x) by (", "alertname=~\"Pay", "\xff{\x00", `{a=~"\\`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if p, ok := parseSelector(s); ok {
			if strings.TrimSpace(s) == "" {
				if p.head != s+"{" {
					t.Fatalf("parseSelector(%q): head %q", s, p.head)
				}
			} else if !strings.HasPrefix(s, p.head) {
				t.Fatalf("parseSelector(%q): head %q is not its start", s, p.head)
			}
		}
		if head, typed, ok := splitMetricName(s); ok && head+typed != s {
			t.Fatalf("splitMetricName(%q) = %q, %q", s, head, typed)
		}
		if m := partialMatcher.FindStringSubmatch(s); m != nil && m[1]+m[2]+m[3]+m[4] != s {
			t.Fatalf("partialMatcher(%q) = %q", s, m)
		}
		_ = matching([]string{s, "a" + s}, s)
		_ = unescapeLogQL(s)
		if unescapeLogQL(escapeLogQL(s)) != s {
			t.Fatalf("escaping %q does not come back", s)
		}
	})
}
