package alertmanager

import "testing"

// Alertmanager's error bodies, as its versions write them.
func TestErrorMessage(t *testing.T) {
	tests := []struct{ body, want string }{
		{`"silence not found"`, "silence not found"},
		{`{"code":601,"message":"silenceID in path must be of type uuid: \"x\""}`, `silenceID in path must be of type uuid: "x"`},
		{"silence invalid: at least one matcher must not match the empty string\n", "silence invalid: at least one matcher must not match the empty string"},
		{"", ""},
		{"first\nsecond", "first"},
	}
	for _, tt := range tests {
		if got := errorMessage([]byte(tt.body)); got != tt.want {
			t.Errorf("%q: %q, want %q", tt.body, got, tt.want)
		}
	}
}
