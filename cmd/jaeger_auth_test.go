package cmd

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/charmbracelet/colorprofile"
)

// The --jaeger-* auth flags reach the requests (they once filled a copy
// of the flag values that nothing read).
func TestJaegerAuthFlagsAreSent(t *testing.T) {
	got := make(chan string, 4)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got <- r.Header.Get("Authorization") + " " + r.Header.Get("X-Scope-OrgID")
		http.Error(w, `{"error":{"message":"not found"}}`, http.StatusNotFound)
	}))
	defer srv.Close()
	runIn(t, 80, colorprofile.NoTTY, "", map[string]string{"TELX_JAEGER_TOKEN": "env"}, "trace", "abc", "--jaeger", srv.URL,
		"--jaeger-token", "flag", "--jaeger-header", "X-Scope-OrgID=acme")
	if h := <-got; h != "Bearer flag acme" {
		t.Errorf("sent %q, want the flags' token and header", h)
	}
}
