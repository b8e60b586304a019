package sources

import (
	"strings"
	"testing"
)

func TestBodyText(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", "(empty body)"},
		{"  \r\n ", "(empty body)"},
		{"parse error at char 3: unexpected\n", "parse error at char 3: unexpected"},
		{"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body><h1>502</h1></body></html>", "an HTML page: 502 Bad Gateway"},
		{"<html><body>Sign in\n  to continue</body></html>", "an HTML page: Sign in to continue"},
		{"<html></html>", "an HTML page"},
		{"line one\n\tline two", "line one line two"},
		{"evil \x1b[31mred", `evil \x1b[31mred`},
		{strings.Repeat("é", 300), strings.Repeat("é", 100) + "…"},
	} {
		if got := BodyText([]byte(tc.in)); got != tc.want {
			t.Errorf("%q: %q, want %q", tc.in, got, tc.want)
		}
	}
}
