package config

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// testCA signs certificates for the tests.
type testCA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	file string
}

func newTestCA(t *testing.T, dir string) *testCA {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	ca := &testCA{cert: cert, key: key, file: filepath.Join(dir, "ca.pem")}
	os.WriteFile(ca.file, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	return ca
}

// issue writes a certificate for usage and returns its files and the
// tls.Certificate.
func (ca *testCA) issue(t *testing.T, dir, name string, usage x509.ExtKeyUsage) (string, string, tls.Certificate) {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{usage},
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, DNSNames: []string{"backend.test"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, _ := x509.MarshalECPrivateKey(key)
	certFile, keyFile := filepath.Join(dir, name+".pem"), filepath.Join(dir, name+"-key.pem")
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER})
	os.WriteFile(certFile, certPEM, 0o600)
	os.WriteFile(keyFile, keyPEM, 0o600)
	pair, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	return certFile, keyFile, pair
}

// TestMutualTLSAndServerName: a server that asks for a client certificate
// signed by the CA accepts the one Auth presents, and a server name other
// than the URL's host is checked against the certificate.
func TestMutualTLSAndServerName(t *testing.T) {
	dir := t.TempDir()
	ca := newTestCA(t, dir)
	_, _, serverPair := ca.issue(t, dir, "server", x509.ExtKeyUsageServerAuth)
	clientCert, clientKey, _ := ca.issue(t, dir, "client", x509.ExtKeyUsageClientAuth)
	pool := x509.NewCertPool()
	pool.AddCert(ca.cert)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, r.TLS.PeerCertificates[0].Subject.CommonName)
	}))
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{serverPair}, ClientCAs: pool, ClientAuth: tls.RequireAndVerifyClientCert}
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshake
	srv.StartTLS()
	defer srv.Close()

	get := func(a Auth) (string, error) {
		rt, err := a.Transport()
		if err != nil {
			return "", err
		}
		resp, err := (&http.Client{Transport: rt, Timeout: 5 * time.Second}).Get(srv.URL)
		if err != nil {
			return "", err
		}
		defer resp.Body.Close()
		b := make([]byte, 100)
		n, _ := resp.Body.Read(b)
		return string(b[:n]), nil
	}
	if got, err := get(Auth{CAFile: ca.file, CertFile: clientCert, KeyFile: clientKey}); err != nil || got != "client" {
		t.Errorf("with the client certificate: %q, %v", got, err)
	}
	if _, err := get(Auth{CAFile: ca.file}); err == nil {
		t.Error("the server took a client without a certificate")
	}
	if got, err := get(Auth{CAFile: ca.file, CertFile: clientCert, KeyFile: clientKey, ServerName: "backend.test"}); err != nil || got != "client" {
		t.Errorf("with a server name the certificate has: %q, %v", got, err)
	}
	_, err := get(Auth{CAFile: ca.file, CertFile: clientCert, KeyFile: clientKey, ServerName: "other.test"})
	var he x509.HostnameError
	if !errors.As(err, &he) || !strings.Contains(TLSHint(err, "loki"), "name mismatch") {
		t.Errorf("a server name the certificate lacks: %v", err)
	}
	if _, err := (Auth{CertFile: clientCert}).TLSConfig(); err == nil || !strings.Contains(err.Error(), "client certificate") {
		t.Errorf("a certificate without its key: %v", err)
	}
}

func TestTLSHint(t *testing.T) {
	tests := []struct {
		err  error
		want string
	}{
		{x509.UnknownAuthorityError{}, "unknown authority"},
		{fmt.Errorf("wrapped: %w", x509.HostnameError{Certificate: &x509.Certificate{}, Host: "h"}), "name mismatch"},
		{errors.New(`rpc error: code = Unavailable desc = connection error: desc = "transport: authentication handshake failed: tls: failed to verify certificate: x509: certificate signed by unknown authority"`), "unknown authority"},
		{errors.New("http: server gave HTTP response to HTTPS client"), "does not speak TLS"},
		{errors.New("dial tcp 127.0.0.1:1: connect: connection refused"), ""},
		{nil, ""},
	}
	for _, tt := range tests {
		got := TLSHint(tt.err, "prometheus")
		if (tt.want == "") != (got == "") || !strings.Contains(got, tt.want) {
			t.Errorf("TLSHint(%v) = %q, want %q", tt.err, got, tt.want)
		}
	}
}

// TestProxy: requests go through the proxy an Auth names.
func TestProxy(t *testing.T) {
	var mu sync.Mutex
	var seen []string
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.Method+" "+r.URL.String()+" "+r.Header.Get("Authorization"))
		mu.Unlock()
		fmt.Fprint(w, "via proxy")
	}))
	defer proxy.Close()
	rt, err := Auth{ProxyURL: proxy.URL, BearerToken: "tok"}.Transport()
	if err != nil {
		t.Fatal(err)
	}
	resp, err := (&http.Client{Transport: rt}).Get("http://backend.invalid:3100/loki/api/v1/labels")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if len(seen) != 1 || seen[0] != "GET http://backend.invalid:3100/loki/api/v1/labels Bearer tok" {
		t.Errorf("the proxy saw %q", seen)
	}
}
