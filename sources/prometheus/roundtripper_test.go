package prometheus

import (
	"encoding/pem"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/telx-cli/telx/sources/config"
)

// TestRoundTripperTLSAndProxy: the settings of config.Auth that
// prometheus/common's HTTP config carries: the CA, the server name and
// the proxy.
func TestRoundTripperTLSAndProxy(t *testing.T) {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "ok "+r.Header.Get("Authorization"))
	}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	defer srv.Close()
	ca := filepath.Join(t.TempDir(), "ca.pem")
	os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o600)

	get := func(a config.Auth, u string) (string, error) {
		rt, err := RoundTripper(a)
		if err != nil {
			return "", err
		}
		resp, err := (&http.Client{Transport: rt}).Get(u)
		if err != nil {
			return "", err
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b), nil
	}
	// httptest's certificate is for 127.0.0.1 and example.com
	if got, err := get(config.Auth{CAFile: ca, BearerToken: "t"}, srv.URL); err != nil || got != "ok Bearer t" {
		t.Errorf("with the CA: %q, %v", got, err)
	}
	if got, err := get(config.Auth{CAFile: ca, ServerName: "example.com"}, srv.URL); err != nil || got != "ok " {
		t.Errorf("with a server name the certificate has: %q, %v", got, err)
	}
	_, err := get(config.Auth{CAFile: ca, ServerName: "prometheus.test"}, srv.URL)
	if err == nil || !strings.Contains(config.TLSHint(err, "prometheus"), "name mismatch") {
		t.Errorf("with a server name the certificate lacks: %v", err)
	}

	var via []string
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		via = append(via, r.URL.String())
		fmt.Fprint(w, "proxied")
	}))
	defer proxy.Close()
	if got, err := get(config.Auth{ProxyURL: proxy.URL}, "http://prometheus.invalid:9090/api/v1/query"); err != nil || got != "proxied" ||
		len(via) != 1 || via[0] != "http://prometheus.invalid:9090/api/v1/query" {
		t.Errorf("through the proxy: %q, %v, the proxy saw %v", got, err, via)
	}
}
