package sources

import (
	"regexp"
	"strings"
)

// maxBodyText is how much of an error answer's body an error message
// quotes.
const maxBodyText = 200

var (
	htmlTitle = regexp.MustCompile(`(?is)<title[^>]*>(.*?)</title>`)
	htmlTag   = regexp.MustCompile(`(?s)<[^>]*>`)
)

// BodyText is what an error message quotes of an error answer's body:
// "(empty body)" for none, the title of an HTML page (a proxy's, a login
// page) or its text without its tags, else its text, on one line (runs
// of white space made one space), at most about 200 characters, and
// sanitised.
func BodyText(body []byte) string {
	s := strings.TrimSpace(string(body))
	if strings.HasPrefix(s, "<") {
		if m := htmlTitle.FindStringSubmatch(s); m != nil && strings.TrimSpace(m[1]) != "" {
			s = "an HTML page: " + strings.TrimSpace(m[1])
		} else if text := strings.TrimSpace(htmlTag.ReplaceAllString(s, " ")); text != "" {
			s = "an HTML page: " + text
		} else {
			s = "an HTML page"
		}
	}
	s = strings.Join(strings.Fields(s), " ")
	if s == "" {
		return "(empty body)"
	}
	if len(s) > maxBodyText {
		cut := maxBodyText
		for cut > 0 && s[cut]&0xc0 == 0x80 { // not within a UTF-8 sequence
			cut--
		}
		s = s[:cut] + "…"
	}
	return Sanitize(s)
}
