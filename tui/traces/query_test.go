package traces

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestParseLookback(t *testing.T) {
	for _, c := range []struct {
		in   string
		want time.Duration
		err  string
	}{
		{"30m", 30 * time.Minute, ""},
		{"2h", 2 * time.Hour, ""},
		{" 1h30m ", 90 * time.Minute, ""},
		{"1d", 24 * time.Hour, ""},
		{"7d", 7 * 24 * time.Hour, ""},
		{"", 0, "needs a duration, such as 30m, 2h or 1d"},
		{"0s", 0, `needs a positive duration, such as 30m, 2h or 1d, got "0s"`},
		{"-1h", 0, `got "-1h"`},
		{"soon", 0, `got "soon"`},
		{"1.5d", 0, `got "1.5d"`},
	} {
		got, err := ParseLookback(c.in)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("ParseLookback(%q) = %v, %v; want an error with %q", c.in, got, err, c.err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("ParseLookback(%q) = %v, %v; want %v", c.in, got, err, c.want)
		}
	}
}

func TestParseBound(t *testing.T) {
	for _, c := range []struct {
		in   string
		want time.Duration
		bad  bool
	}{
		{"", 0, false},
		{"  ", 0, false},
		{"500ms", 500 * time.Millisecond, false},
		{"1.5s", 1500 * time.Millisecond, false},
		{"250us", 250 * time.Microsecond, false},
		{"0", 0, false},
		{"-1s", 0, true},
		{"500", 0, true},
		{"soon", 0, true},
		{"1d", 0, true},
	} {
		got, err := ParseBound(c.in)
		if (err != nil) != c.bad || got != c.want {
			t.Errorf("ParseBound(%q) = %v, %v; want %v, error %v", c.in, got, err, c.want, c.bad)
		}
	}
}

func TestParseTags(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []string
		err  string
	}{
		{"", nil, ""},
		{"error=true", []string{"error=true"}, ""},
		{"  error=true   http.status_code=500 ", []string{"error=true", "http.status_code=500"}, ""},
		{"k=", []string{"k="}, ""},
		{"url=/a?b=c", []string{"url=/a?b=c"}, ""},
		{`db.statement="SELECT 1" error=true`, []string{"db.statement=SELECT 1", "error=true"}, ""},
		{`msg="say \"hi\""`, []string{`msg=say "hi"`}, ""},
		{`k=a"b`, []string{`k=a"b`}, ""},
		{"nokey", nil, `needs key=value, got "nokey"`},
		{"a=b nokey", nil, `got "nokey"`},
		{"=v", nil, `got "=v"`},
		{`k="open`, nil, "unclosed quote"},
		{`k="a"b`, nil, "needs a space after the quoted value of k"},
	} {
		got, err := ParseTags(c.in)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("ParseTags(%q) = %q, %v; want an error with %q", c.in, got, err, c.err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("ParseTags(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
		// what FormatTags writes reads back the same
		if back, err := ParseTags(FormatTags(got)); err != nil || !reflect.DeepEqual(back, got) {
			t.Errorf("FormatTags(%q) = %q reads back as %q, %v", got, FormatTags(got), back, err)
		}
	}
}

func TestFormatDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		time.Hour: "1h", 90 * time.Minute: "1h30m", 2 * time.Minute: "2m", 90 * time.Second: "1m30s",
		500 * time.Millisecond: "500ms", 48 * time.Hour: "2d", 25 * time.Hour: "25h",
	} {
		if got := FormatDuration(d); got != want {
			t.Errorf("FormatDuration(%v) = %q, want %q", d, got, want)
		}
	}
}
