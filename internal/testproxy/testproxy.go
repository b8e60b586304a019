// Package testproxy is an HTTP CONNECT proxy for tests: it tunnels to any
// address and records what it was asked.
package testproxy

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
)

// Proxy tunnels CONNECT requests, or refuses them with Status when it is
// not 0.
type Proxy struct {
	Status int

	mu   sync.Mutex
	seen []string
}

// Start serves p until the returned server is closed.
func Start(p *Proxy) *httptest.Server { return httptest.NewServer(p) }

// Seen returns, for each request, its host and its Proxy-Authorization.
func (p *Proxy) Seen() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.seen...)
}

func (p *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	p.seen = append(p.seen, r.Host+" "+r.Header.Get("Proxy-Authorization"))
	p.mu.Unlock()
	if r.Method != http.MethodConnect || p.Status != 0 {
		http.Error(w, "no", max(p.Status, http.StatusMethodNotAllowed))
		return
	}
	target, err := net.Dial("tcp", r.Host)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	conn, buf, err := w.(http.Hijacker).Hijack()
	if err != nil {
		target.Close()
		return
	}
	buf.WriteString("HTTP/1.1 200 Connection established\r\n\r\n")
	buf.Flush()
	Pipe(conn, target)
}

// Pipe copies a to b and b to a until both end.
func Pipe(a, b net.Conn) {
	go func() { io.Copy(a, b); a.Close() }()
	io.Copy(b, a)
	b.Close()
}
