package logline

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// namedKeys are the keys the parser names itself (not taken from the
// line).
var namedKeys = map[string]bool{
	"caller": true, "logger": true, "stacktrace": true, "thread": true,
	"remote_addr": true, "ident": true, "user": true, "status": true, "bytes": true,
	"referer": true, "user_agent": true, "extra": true,
	"facility": true, "host": true, "app": true, "pid": true, "msgid": true,
}

var levels = map[string]bool{"": true, "trace": true, "debug": true, "info": true, "warn": true, "error": true, "fatal": true}

// jsonMember is a top-level member of a JSON object as encoding/json
// reads it: a string's value, any other value's text.
type jsonMember struct {
	key, value string
	str        bool
}

// asStd is s as encoding/json decodes it: each byte of invalid UTF-8 a
// U+FFFD.
func asStd(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		b.WriteRune(r)
		i += n
	}
	return b.String()
}

// jsonMembersStd reads line's top-level members with encoding/json.
func jsonMembersStd(t *testing.T, line string) []jsonMember {
	dec := json.NewDecoder(strings.NewReader(line))
	dec.UseNumber()
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("encoding/json: %q does not open an object: %v %v", line, tok, err)
	}
	var ms []jsonMember
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			t.Fatalf("encoding/json: %q: %v", line, err)
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			t.Fatalf("encoding/json: %q: %v", line, err)
		}
		m := jsonMember{key: tok.(string), value: asStd(string(bytes.TrimSpace(raw)))}
		if len(raw) > 0 && raw[0] == '"' {
			var s string
			if err := json.Unmarshal(raw, &s); err != nil {
				t.Fatalf("encoding/json: %q: %v", raw, err)
			}
			m.value, m.str = s, true
		}
		ms = append(ms, m)
	}
	return ms
}

// nesting is how deeply line nests brackets, at most (counting those in
// strings too).
func nesting(line string) int {
	depth, most := 0, 0
	for i := 0; i < len(line); i++ {
		switch line[i] {
		case '{', '[':
			depth++
			most = max(most, depth)
		case '}', ']':
			depth--
		}
	}
	return most
}

// checkLine checks what every parse of line must satisfy.
func checkLine(t *testing.T, line string, l Line) {
	t.Helper()
	if int(l.Format) >= len(formatNames) {
		t.Fatalf("%q: format %d", line, l.Format)
	}
	if !levels[l.Level] {
		t.Errorf("%q: level %q is not a normalised one", line, l.Level)
	}
	if !l.Time.IsZero() && l.Time.Location() != time.UTC {
		t.Errorf("%q: time %v not in the reference's location", line, l.Time)
	}
	if l.Format == Plain {
		if l.Message != line || len(l.Fields) != 0 || l.Level != "" || !l.Time.IsZero() {
			t.Errorf("%q: a plain line is its message alone, got %s", line, show(l))
		}
		return
	}
	literal := strings.IndexByte(line, '\\') < 0 // nothing to unescape: all is a substring
	for _, f := range l.Fields {
		if f.Key == "" {
			t.Errorf("%q: a field with no key (value %q)", line, f.Value)
		}
		if literal && !namedKeys[f.Key] && !strings.Contains(line, f.Key) {
			t.Errorf("%q: key %q is not in the line", line, f.Key)
		}
		if literal && f.Key != "facility" && !strings.Contains(line, f.Value) {
			t.Errorf("%q: field %s's value %q is not in the line", line, f.Key, f.Value)
		}
	}
	if literal && !strings.Contains(line, l.Message) {
		t.Errorf("%q: message %q is not in the line", line, l.Message)
	}
	trimmed := strings.TrimSpace(line)
	valid := json.Valid([]byte(line))
	if l.Format == JSON {
		if !valid {
			t.Fatalf("%q taken for JSON, encoding/json says it is not valid", line)
		}
		checkJSON(t, line, l)
	} else if valid && strings.HasPrefix(trimmed, "{") && nesting(line) < maxDepth {
		t.Errorf("%q is a JSON object, taken for %v", line, l.Format)
	}
}

// checkJSON checks a JSON line's parse against encoding/json's reading:
// the fields are its members, in order, but for at most three taken for
// the message, level and time, whose keys are ones the parser knows.
func checkJSON(t *testing.T, line string, l Line) {
	t.Helper()
	var ms []jsonMember
	for _, m := range jsonMembersStd(t, line) {
		if m.key != "" {
			ms = append(ms, m)
		}
	}
	taken, j := 0, 0
	msgSeen := false
	for _, f := range l.Fields {
		for j < len(ms) && (ms[j].key != asStd(f.Key) || ms[j].value != asStd(f.Value)) {
			// a member not among the fields: taken for a role
			taken++
			m := ms[j]
			if messageRank(m.key) < 0 && levelRank(m.key) < 0 && timeRank(m.key) < 0 {
				t.Fatalf("%q: member %q is neither a field nor the message, level or time: %s", line, m.key, show(l))
			}
			msgSeen = msgSeen || m.str && messageRank(m.key) >= 0 && strings.TrimRight(m.value, "\r\n") == asStd(l.Message)
			j++
		}
		if j == len(ms) {
			t.Fatalf("%q: field %q=%q is not a member as encoding/json reads them, in order: %s", line, f.Key, f.Value, show(l))
		}
		j++
	}
	for ; j < len(ms); j++ {
		taken++
		msgSeen = msgSeen || ms[j].str && messageRank(ms[j].key) >= 0 && strings.TrimRight(ms[j].value, "\r\n") == asStd(l.Message)
	}
	if taken > 3 {
		t.Errorf("%q: %d members taken for the message, level and time", line, taken)
	}
	if l.Message != "" && !msgSeen {
		t.Errorf("%q: message %q is no message member's value", line, l.Message)
	}
}

func FuzzParse(f *testing.F) {
	for _, tt := range parseCases {
		f.Add(tt.line)
	}
	files, _ := filepath.Glob("testdata/lines/*.log")
	for _, file := range files {
		lines := readLines(f, file)
		for i := 0; i < len(lines); i += 10 {
			f.Add(lines[i])
		}
	}
	f.Fuzz(func(t *testing.T, line string) {
		l := ParseAt(line, now)
		checkLine(t, line, l)
		// the same again, into a Line that held another
		dirty := ParseAt(parseCases[0].line, now)
		ParseIntoAt(line, now, &dirty)
		if !equal(l, dirty) {
			t.Errorf("%q: ParseIntoAt after another line gives %s, ParseAt %s", line, show(dirty), show(l))
		}
	})
}

// TestBadInput parses lines that are too long, too deep or not text, as
// a server may send them: each parses, as what it is.
func TestBadInput(t *testing.T) {
	const mb = 1 << 20
	long := strings.Repeat("x", mb)
	for _, tt := range []struct {
		name string
		line string
		want Format
		msg  int // the message's length; -1 not checked
	}{
		{"a 1 MB plain line", long, Plain, mb},
		{"a 1 MB JSON message", `{"level":"info","msg":"` + long + `"}`, JSON, mb},
		{"a 1 MB JSON message with escapes", `{"msg":"` + strings.Repeat(`\"`, mb/2) + `"}`, JSON, mb / 2},
		{"a 1 MB JSON line cut short", `{"level":"info","msg":"` + long, Plain, -1},
		{"1 MB of opening braces", strings.Repeat("{", mb), Plain, -1},
		{"1 MB of nested arrays in JSON", `{"a":` + strings.Repeat("[", mb/2) + strings.Repeat("]", mb/2) + `}`, Plain, -1},
		{"JSON nested as deep as allowed", `{"a":` + strings.Repeat("[", maxDepth-1) + strings.Repeat("]", maxDepth-1) + `,"msg":"deep"}`, JSON, 4},
		{"a 1 MB logfmt value", `level=info msg="` + long + `"`, Logfmt, mb},
		{"1 MB of logfmt pairs", strings.Repeat("a=b ", mb/4), Logfmt, 0},
		{"1 MB of words with one pair", "a=b " + strings.Repeat("word ", mb/5), Plain, -1},
		{"a 1 MB zap message", "2026-12-01T06:15:25Z\tINFO\tm.go:1\t" + long, Console, mb},
		{"a zap line of 1 MB of TAB braces", "2026-12-01T06:15:25Z\tINFO\tm.go:1\tx" + strings.Repeat("\t{\"a\":[", mb/8), Console, -1},
		{"a zerolog line of 1 MB of pairs", "2026-12-01T06:15:25Z INF m " + strings.Repeat("k=v ", mb/4), Console, 1},
		{"a 1 MB klog message", "I1201 06:15:25.318123 1 a.go:1] " + long, Klog, mb},
		{"a 1 MB access line", `1.2.3.4 - - [01/Dec/2026:06:15:25 +0000] "GET /` + long + ` HTTP/1.1" 200 1`, Access, mb + 14},
		{"a 1 MB syslog message", "<13>Dec  1 06:15:25 h app: " + long, Syslog, mb},
		{"a 1 MB of syslog structured data", "<13>1 - h a - - " + strings.Repeat(`[i k="v"]`, mb/9) + " m", Syslog, 1},
		{"1 MB of invalid UTF-8", strings.Repeat("\xff", mb), Plain, mb},
		{"1 MB of escape sequences", strings.Repeat("\x1b[31m", mb/5), Plain, -1},
		{"NUL bytes", strings.Repeat("\x00", 100), Plain, 100},
	} {
		t.Run(tt.name, func(t *testing.T) {
			l := ParseAt(tt.line, now)
			if l.Format != tt.want {
				t.Errorf("format %v, want %v", l.Format, tt.want)
			}
			if tt.msg >= 0 && len(l.Message) != tt.msg {
				t.Errorf("message of %d bytes, want %d", len(l.Message), tt.msg)
			}
			checkLine(t, tt.line, l)
		})
	}
}
