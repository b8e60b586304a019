package harness

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
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"text/template"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// Secure puts the backends' query APIs behind TLS and auth: Jaeger's query
// HTTP and gRPC servers and Prometheus serve TLS with CertFile and KeyFile,
// and Prometheus asks for basic auth as User with Password (its web config
// holds the password's bcrypt hash). Ingest (OTLP, scraping) stays plain.
//
// With LokiTenant, Loki runs with auth_enabled (multi-tenant: every request
// needs X-Scope-OrgID) and the scenario's logs are pushed as that tenant.
type Secure struct {
	CAFile, CertFile, KeyFile string
	User, Password            string
	LokiTenant                string
}

// tls tells whether the query APIs serve TLS.
func (s *Secure) tls() bool { return s != nil && s.CertFile != "" }

// client is an HTTP client that trusts s's CA and logs in as s's user.
func (s *Secure) client() (*http.Client, error) {
	if !s.tls() {
		return http.DefaultClient, nil
	}
	pemData, err := os.ReadFile(s.CAFile)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pemData) {
		return nil, fmt.Errorf("%s holds no certificate", s.CAFile)
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = &tls.Config{RootCAs: pool}
	return &http.Client{Timeout: 5 * time.Second, Transport: basicAuth{base: tr, user: s.User, password: s.Password}}, nil
}

type basicAuth struct {
	base           http.RoundTripper
	user, password string
}

func (b basicAuth) RoundTrip(r *http.Request) (*http.Response, error) {
	if b.user != "" {
		r = r.Clone(r.Context())
		r.SetBasicAuth(b.user, b.password)
	}
	return b.base.RoundTrip(r)
}

func (s *Secure) scheme() string {
	if !s.tls() {
		return "http"
	}
	return "https"
}

func (s *Secure) lokiTenant() string {
	if s == nil {
		return ""
	}
	return s.LokiTenant
}

var prometheusWebConfig = template.Must(template.New("web").Parse(`# written by telx's test harness
tls_server_config:
  cert_file: {{.CertFile}}
  key_file: {{.KeyFile}}
{{- if .User}}
basic_auth_users:
  {{.User}}: {{.Hash}}
{{- end}}
`))

// writePrometheusWebConfig writes Prometheus' --web.config.file.
func (s *Secure) writePrometheusWebConfig(path string) error {
	vals := struct{ CertFile, KeyFile, User, Hash string }{CertFile: s.CertFile, KeyFile: s.KeyFile, User: s.User}
	if s.User != "" {
		h, err := bcrypt.GenerateFromPassword([]byte(s.Password), bcrypt.MinCost)
		if err != nil {
			return err
		}
		vals.Hash = string(h)
	}
	return writeTemplate(path, prometheusWebConfig, vals)
}

// PKI is a test certificate authority and a server certificate it signed
// for 127.0.0.1 and localhost, as PEM files.
type PKI struct {
	CAFile   string
	CertFile string
	KeyFile  string
}

// NewPKI writes a fresh CA (named name) and a server certificate for
// 127.0.0.1 and localhost under dir.
func NewPKI(dir, name string) (*PKI, error) {
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	caTmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: name + " test CA"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(24 * time.Hour),
		IsCA:                  true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		return nil, err
	}
	ca, err := x509.ParseCertificate(caDER)
	if err != nil {
		return nil, err
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2),
		Subject:      pkix.Name{CommonName: "127.0.0.1"},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		DNSNames:     []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		return nil, err
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return nil, err
	}
	p := &PKI{
		CAFile:   filepath.Join(dir, name+"-ca.pem"),
		CertFile: filepath.Join(dir, name+"-server.pem"),
		KeyFile:  filepath.Join(dir, name+"-server-key.pem"),
	}
	return p, errors.Join(
		writePEM(p.CAFile, "CERTIFICATE", caDER),
		writePEM(p.CertFile, "CERTIFICATE", der),
		writePEM(p.KeyFile, "EC PRIVATE KEY", keyDER),
	)
}

func writePEM(path, typ string, der []byte) error {
	return os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600)
}
