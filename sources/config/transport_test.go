package config

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestRedactURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"http://localhost:16686/api/traces/abc", "http://localhost:16686/api/traces/abc"},
		{"https://admin:hunter2@loki.example:3100/loki/api/v1/query?query=%7Bjob%3D%22x%22%7D", "https://admin:xxxxx@loki.example:3100/loki/api/v1/query?query=%7Bjob%3D%22x%22%7D"},
		{"http://p:9090/api/v1/query?query=up&access_token=s3cret", "http://p:9090/api/v1/query?access_token=xxxxx&query=up"},
		{"http://p:9090/x?API_KEY=abc", "http://p:9090/x?API_KEY=xxxxx"},
	}
	for _, tt := range tests {
		u, err := url.Parse(tt.in)
		if err != nil {
			t.Fatal(err)
		}
		got := RedactURL(u)
		if got != tt.want {
			t.Errorf("RedactURL(%s) = %s, want %s", tt.in, got, tt.want)
		}
		for _, secret := range []string{"hunter2", "s3cret"} {
			if strings.Contains(got, secret) {
				t.Errorf("RedactURL(%s) shows %q", tt.in, secret)
			}
		}
	}
}

func TestLogTransport(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/missing" {
			http.NotFound(w, r)
			return
		}
		w.Write([]byte("ok"))
	}))
	defer srv.Close()

	var log bytes.Buffer
	tick := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	client := &http.Client{Transport: &LogTransport{Out: &log, Backend: "loki", Now: func() time.Time {
		tick = tick.Add(21 * time.Millisecond)
		return tick
	}}}
	for _, path := range []string{"/ok", "/missing"} {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+path, nil)
		req.SetBasicAuth("u", "topsecret")
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	// a refused connection is logged too
	_, err := client.Get("http://127.0.0.1:1/refused")
	if err == nil {
		t.Fatal("no error from port 1")
	}

	lines := strings.Split(strings.TrimSpace(log.String()), "\n")
	want := []string{
		"loki: GET " + srv.URL + "/ok -> 200 OK (21ms)",
		"loki: GET " + srv.URL + "/missing -> 404 Not Found (21ms)",
		"loki: GET http://127.0.0.1:1/refused -> error: ",
	}
	if len(lines) != len(want) {
		t.Fatalf("log has %d lines, want %d:\n%s", len(lines), len(want), log.String())
	}
	for i := range want {
		if !strings.HasPrefix(lines[i], want[i]) {
			t.Errorf("line %d = %q, want prefix %q", i, lines[i], want[i])
		}
	}
	if strings.Contains(log.String(), "topsecret") || strings.Contains(log.String(), "Authorization") {
		t.Errorf("credentials in the log:\n%s", log.String())
	}
}
