package config

import (
	"bufio"
	"context"
	"encoding/binary"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/telx-cli/telx/internal/testproxy"
)

// echoServer answers each line with the same line.
func echoServer(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() { defer c.Close(); io.Copy(c, c) }()
		}
	}()
	return l.Addr().String()
}

// socksProxy serves SOCKS5 CONNECT with no auth or user/password, and
// records the user and the address asked for.
func socksProxy(t *testing.T, seen *[]string, mu *sync.Mutex) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				r := bufio.NewReader(c)
				head := make([]byte, 2)
				io.ReadFull(r, head)
				methods := make([]byte, head[1])
				io.ReadFull(r, methods)
				user := "-"
				if strings.Contains(string(methods), "\x02") {
					c.Write([]byte{5, 2})
					var b [2]byte
					io.ReadFull(r, b[:])
					u := make([]byte, b[1])
					io.ReadFull(r, u)
					io.ReadFull(r, b[:1])
					pw := make([]byte, b[0])
					io.ReadFull(r, pw)
					user = string(u) + ":" + string(pw)
					c.Write([]byte{1, 0})
				} else {
					c.Write([]byte{5, 0})
				}
				req := make([]byte, 4)
				io.ReadFull(r, req)
				var host string
				switch req[3] {
				case 1:
					ip := make([]byte, 4)
					io.ReadFull(r, ip)
					host = net.IP(ip).String()
				case 3:
					n, _ := r.ReadByte()
					name := make([]byte, n)
					io.ReadFull(r, name)
					host = string(name)
				}
				var port [2]byte
				io.ReadFull(r, port[:])
				addr := net.JoinHostPort(host, strconv.Itoa(int(binary.BigEndian.Uint16(port[:]))))
				mu.Lock()
				*seen = append(*seen, user+" "+addr)
				mu.Unlock()
				target, err := net.Dial("tcp", addr)
				if err != nil {
					c.Write([]byte{5, 5, 0, 1, 0, 0, 0, 0, 0, 0})
					c.Close()
					return
				}
				c.Write([]byte{5, 0, 0, 1, 0, 0, 0, 0, 0, 0})
				testproxy.Pipe(c, target)
			}()
		}
	}()
	return l.Addr().String()
}

func TestProxyDialer(t *testing.T) {
	target := echoServer(t)
	cp := &testproxy.Proxy{}
	httpProxy := testproxy.Start(cp)
	defer httpProxy.Close()
	refusing := testproxy.Start(&testproxy.Proxy{Status: http.StatusProxyAuthRequired})
	defer refusing.Close()
	var socksSeen []string
	var mu sync.Mutex
	socks := socksProxy(t, &socksSeen, &mu)

	tests := []struct {
		name, proxy string
		wantErr     string
	}{
		{"http CONNECT", httpProxy.URL, ""},
		{"http CONNECT with a user", strings.Replace(httpProxy.URL, "http://", "http://ops:s3cret@", 1), ""},
		{"socks5", "socks5://" + socks, ""},
		{"socks5 with a user", "socks5://ops:s3cret@" + socks, ""},
		{"a proxy that refuses", refusing.URL, "refused the tunnel to " + target + ": 407"},
		{"a proxy that is not there", "http://127.0.0.1:1", "proxy 127.0.0.1:1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dial, err := Auth{ProxyURL: tt.proxy}.ProxyDialer()
			if err != nil || dial == nil {
				t.Fatalf("no dialer: %v", err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			conn, err := dial(ctx, target)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want it to say %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			conn.Write([]byte("ping\n"))
			line, err := bufio.NewReader(conn).ReadString('\n')
			if err != nil || line != "ping\n" {
				t.Fatalf("echo through the proxy: %q, %v", line, err)
			}
		})
	}
	if seen := cp.Seen(); len(seen) != 2 || seen[0] != target+" " || seen[1] != target+" Basic b3BzOnMzY3JldA==" { // ops:s3cret
		t.Errorf("the HTTP proxy saw %q", seen)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(socksSeen) != 2 || socksSeen[0] != "- "+target || socksSeen[1] != "ops:s3cret "+target {
		t.Errorf("the SOCKS5 proxy saw %q", socksSeen)
	}

	if d, err := (Auth{}).ProxyDialer(); d != nil || err != nil {
		t.Errorf("no proxy: a dialer (%t), %v", d != nil, err)
	}
	if _, err := (Auth{ProxyURL: "ftp://p:21"}).ProxyDialer(); err == nil {
		t.Error("an ftp proxy is taken")
	}
}
