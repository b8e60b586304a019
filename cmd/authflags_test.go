package cmd

import (
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/charmbracelet/colorprofile"
)

// The auth flags reach the backend: they are bound to the value the
// command reads (a copy of it would silently drop them).
func TestJaegerAuthFlagsReachJaeger(t *testing.T) {
	var mu sync.Mutex
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		got = append(got, r.Header.Get("Authorization")+"|"+r.Header.Get("X-Scope-OrgID"))
		mu.Unlock()
		w.Write([]byte(`{"data":["checkout"]}`))
	}))
	defer srv.Close()
	code, out, errOut := runIn(t, 80, colorprofile.NoTTY, "", nil, "services", "--jaeger", srv.URL, "--jaeger-protocol", "v1",
		"--jaeger-token", "abc", "--jaeger-header", "X-Scope-OrgID=team-a")
	if code != ExitOK || out != "checkout\n" {
		t.Fatalf("exit %d: %q %q", code, out, errOut)
	}
	if len(got) != 1 || got[0] != "Bearer abc|team-a" {
		t.Errorf("Jaeger saw %q, want the token and the header", got)
	}
}
