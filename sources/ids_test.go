package sources

import (
	"strings"
	"testing"
)

func TestParseTraceID(t *testing.T) {
	tests := []struct {
		in      string
		want    TraceID
		wantErr bool
	}{
		{in: "4bf92f3577b34da6a3ce929d0e0e4736", want: "4bf92f3577b34da6a3ce929d0e0e4736"},
		{in: "4BF92F3577B34DA6A3CE929D0E0E4736", want: "4bf92f3577b34da6a3ce929d0e0e4736"},
		{in: "a3ce929d0e0e4736", want: "0000000000000000a3ce929d0e0e4736"},
		{in: "0xa3ce929d0e0e4736", want: "0000000000000000a3ce929d0e0e4736"},
		{in: " 1f ", want: "0000000000000000000000000000001f"},
		{in: "", wantErr: true},
		{in: "00000000000000000000000000000000", wantErr: true},
		{in: "4bf92f3577b34da6a3ce929d0e0e47361", wantErr: true},
		{in: "4bf92f3577b34da6a3ce929d0e0e473g", wantErr: true},
		{in: "trace-1", wantErr: true},
	}
	for _, tt := range tests {
		got, err := ParseTraceID(tt.in)
		if (err != nil) != tt.wantErr {
			t.Errorf("ParseTraceID(%q) error = %v, wantErr %v", tt.in, err, tt.wantErr)
			continue
		}
		if got != tt.want {
			t.Errorf("ParseTraceID(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestParseSpanID(t *testing.T) {
	tests := []struct {
		in      string
		want    SpanID
		wantErr bool
	}{
		{in: "00f067aa0ba902b7", want: "00f067aa0ba902b7"},
		{in: "F067AA0BA902B7", want: "00f067aa0ba902b7"},
		{in: "00f067aa0ba902b7aa", wantErr: true},
		{in: "0000000000000000", wantErr: true},
	}
	for _, tt := range tests {
		got, err := ParseSpanID(tt.in)
		if (err != nil) != tt.wantErr {
			t.Errorf("ParseSpanID(%q) error = %v, wantErr %v", tt.in, err, tt.wantErr)
			continue
		}
		if got != tt.want {
			t.Errorf("ParseSpanID(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestTraceIDShort(t *testing.T) {
	for in, want := range map[TraceID]string{
		"4bf92f3577b34da6a3ce929d0e0e4736": "4bf92f35",
		"0000000000000000a3ce929d0e0e4736": "a3ce929d",
	} {
		if got := in.Short(); got != want {
			t.Errorf("%q.Short() = %q, want %q", in, got, want)
		}
	}
}

func TestIsNormalID(t *testing.T) {
	for _, tt := range []struct {
		in   string
		n    int
		want bool
	}{
		{"00f067aa0ba902b7", 16, true},
		{"4bf92f3577b34da6a3ce929d0e0e4736", 32, true},
		{"00F067AA0BA902B7", 16, false}, // upper case needs normalising
		{"0000000000000000", 16, false}, // all zeros is no ID
		{"f067aa0ba902b7", 16, false},   // short: needs padding
		{"00f067aa0ba902b7", 32, false},
		{"00f067aa0ba902g7", 16, false},
		{"", 0, false},
	} {
		if got := IsNormalID(tt.in, tt.n); got != tt.want {
			t.Errorf("IsNormalID(%q, %d) = %v", tt.in, tt.n, got)
		}
		if got := IsNormalID([]byte(tt.in), tt.n); got != tt.want {
			t.Errorf("IsNormalID([]byte(%q), %d) = %v", tt.in, tt.n, got)
		}
	}
}

// A bad ID's error names the offending character as the user typed it,
// a rune and not a byte of it, and counts characters, not bytes.
func TestParseTraceIDErrorNamesCharacter(t *testing.T) {
	tests := []struct{ in, want string }{
		{"æbc", `'æ' (character 1) is not a hex digit`},
		{"4bf92f3577b34da6a3ce929d0e0e473æ", `'æ' (character 32) is not a hex digit`},
		{"4b\xc3", `"\xc3" (character 3) is not a hex digit`},
		{"4bf\x1b[31m", `'\x1b' (character 4) is not a hex digit`},
		{"4bf92f3577b34da6a3ce929d0e0e47361", "33 characters, want at most 32 hex digits"},
	}
	for _, tt := range tests {
		_, err := ParseTraceID(tt.in)
		if err == nil || !strings.HasSuffix(err.Error(), tt.want) {
			t.Errorf("ParseTraceID(%q) = %v, want …%s", tt.in, err, tt.want)
		}
	}
}
