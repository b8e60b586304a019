package alertmanager

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

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

// What Alertmanager answers reaches the terminal only sanitised.
func TestErrorsAreSanitised(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusBadRequest)
		w.Write([]byte("\"bad \\u001b[2J matcher\""))
	}))
	defer srv.Close()
	c, err := New(Options{URL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Silences(context.Background(), nil)
	if err == nil || strings.Contains(err.Error(), "\x1b") || !strings.Contains(err.Error(), `bad \x1b[2J matcher`) {
		t.Errorf("err = %q", err)
	}
}
