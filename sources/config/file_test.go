package config

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// docExample is the full example of docs/config.md, so that the
// documented file is the one tested.
func docExample(t testing.TB) []byte {
	t.Helper()
	doc, err := os.ReadFile("../../docs/config.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(doc), "## A full example\n\n```yaml\n")
	if !ok {
		t.Fatal("docs/config.md has no full example")
	}
	example, _, ok := strings.Cut(rest, "```")
	if !ok {
		t.Fatal("the example is not closed")
	}
	return []byte(example)
}

func TestParseDocumentedExample(t *testing.T) {
	f, err := Parse("config.yaml", docExample(t))
	if err != nil {
		t.Fatal(err)
	}
	if f.CurrentContext != "prod" || strings.Join(f.ContextNames(), ",") != "local,prod,staging" {
		t.Fatalf("current %q, contexts %v", f.CurrentContext, f.ContextNames())
	}
	prod := f.Contexts["prod"]
	j := prod.Jaeger
	if j.URL != "grpcs://jaeger-query.example.com:443" || j.Protocol != "grpc" || j.WebURL != "https://jaeger.example.com" ||
		strings.Join(j.TokenCommand, " ") != "gcloud auth print-identity-token" || j.TLS.ServerName != "jaeger-query.internal" {
		t.Errorf("jaeger: %+v", j)
	}
	p := prod.Prometheus.Auth()
	if p.Username != "telx" || p.Password != "s3cret-Passw0rd" || p.ProxyURL != "http://proxy.example.com:3128" ||
		p.CAFile != "/etc/telx/prod-ca.pem" || p.CertFile != "/etc/telx/client.pem" || p.KeyFile != "/etc/telx/client-key.pem" {
		t.Errorf("prometheus auth: %+v", prod.Prometheus)
	}
	if prod.Prometheus.Timeout != time.Minute {
		t.Errorf("timeout %s", prod.Prometheus.Timeout)
	}
	l := prod.Loki.Auth()
	if l.TokenFile != "/var/run/secrets/loki-token" || l.Headers["X-Scope-OrgID"] != "team-a" || l.Headers["X-Request-Source"] != "telx" {
		t.Errorf("loki auth: %+v", prod.Loki)
	}
	if res := prod.TraceIDRegexps(); len(res) != 2 || res[0].FindStringSubmatch("x trace_id=4bf92f3577b34da6a3ce929d0e0e4736 y")[1] != "4bf92f3577b34da6a3ce929d0e0e4736" {
		t.Errorf("trace ID patterns: %v", res)
	}
	if !strings.Contains(prod.TraceToLogs, "{{.TraceID}}") || prod.RED.Preset != "spanmetrics" || prod.Theme != "dark" || prod.Refresh != 15*time.Second {
		t.Errorf("context: %+v", prod)
	}
	if loc := prod.Location(); loc == nil || loc.String() != "Europe/Paris" {
		t.Errorf("location %v", loc)
	}
	if !f.Contexts["staging"].Prometheus.TLS.InsecureSkipVerify {
		t.Error("staging's insecure_skip_verify was lost")
	}
}

func TestParseErrorsNameFileLineAndKey(t *testing.T) {
	tests := []struct {
		name, yaml string
		want       []string
	}{
		{"unknown key", "contexts:\n  prod:\n    prometheus:\n      url: http://p:9090\n      pasword: x\n", []string{"c.yaml: line 5: unknown key \"pasword\""}},
		{"unknown top key", "current_context: \ncontext:\n  a: {}\n", []string{"c.yaml: line 2: unknown key \"context\""}},
		{"syntax", "contexts:\n  prod:\n    jaeger: [\n", []string{"c.yaml: line"}},
		{"wrong type", "contexts:\n  prod:\n    jaeger:\n      timeout: soon\n", []string{"c.yaml: line 4:"}},
		{"bad url", "contexts:\n  prod:\n    loki:\n      url: admin:urlSECRET@loki:3100\n", []string{"c.yaml: line 4: contexts.prod.loki.url: want a URL"}},
		{"wrong type hides the value", "contexts:\n  prod:\n    loki:\n      headers: 'Authorization: SECRET'\n", []string{"c.yaml: line 4: cannot unmarshal !!str a value into map[string]string"}},
		{"bad zone", "contexts:\n  prod:\n    timezone: Europe/Pariss\n", []string{"line 3: contexts.prod.timezone: unknown time zone"}},
		{"two tokens", "contexts:\n  p:\n    loki:\n      token: a\n      token_file: /t\n", []string{"line 4: contexts.p.loki.token: give one of"}},
		{"pattern without group", "contexts:\n  p:\n    trace_id_patterns:\n      - 'ok=([0-9a-f]+)'\n      - '[0-9a-f]{32}'\n", []string{"line 5: contexts.p.trace_id_patterns.1: the pattern needs a group"}},
		{"missing current", "current_context: nope\ncontexts:\n  p: {}\n", []string{"line 1: current_context: no context named \"nope\""}},
		{"cert without key", "contexts:\n  p:\n    prometheus:\n      tls:\n        cert_file: c.pem\n", []string{"line 4: contexts.p.prometheus.tls: cert_file and key_file go together"}},
		{"protocol elsewhere", "contexts:\n  p:\n    loki:\n      protocol: grpc\n", []string{"line 4: contexts.p.loki.protocol: only jaeger"}},
		{"theme", "contexts:\n  p:\n    theme: pink\n", []string{"line 3: contexts.p.theme:"}},
		{"refresh too fast", "contexts:\n  p:\n    refresh: 100ms\n", []string{"line 3: contexts.p.refresh: refresh 100ms: want a second or more"}},
		{"refresh not a duration", "contexts:\n  p:\n    refresh: often\n", []string{"c.yaml: line 3:"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("c.yaml", []byte(tt.yaml))
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			if strings.Contains(err.Error(), "SECRET") {
				t.Errorf("error %q shows the value", err)
			}
			if !strings.HasPrefix(err.Error(), "config file c.yaml: ") {
				t.Errorf("error %q does not start with the file", err)
			}
		})
	}
}

func TestLoadMissingAndEmpty(t *testing.T) {
	dir := t.TempDir()
	f, err := Load(filepath.Join(dir, "none.yaml"))
	if err != nil || len(f.Contexts) != 0 || f.Mode != 0 {
		t.Fatalf("missing file: %+v, %v", f, err)
	}
	empty := filepath.Join(dir, "empty.yaml")
	os.WriteFile(empty, nil, 0o600)
	if f, err = Load(empty); err != nil || len(f.Contexts) != 0 {
		t.Fatalf("empty file: %+v, %v", f, err)
	}
}

func TestSaveKeepsContextsAndMode(t *testing.T) {
	path := filepath.Join(t.TempDir(), "telx", "config.yaml")
	f, err := Parse(path, docExample(t))
	if err != nil {
		t.Fatal(err)
	}
	f.Contexts["new"] = &Context{Loki: &Backend{URL: "http://l:3100", Tenant: "t1"}}
	f.CurrentContext = "new"
	if err := f.Save(); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("mode %o, want 600", st.Mode().Perm())
	}
	g, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if g.Loose() || g.CurrentContext != "new" || strings.Join(g.ContextNames(), ",") != "local,new,prod,staging" {
		t.Fatalf("reloaded: %+v", g)
	}
	if g.Contexts["prod"].Prometheus.Password != "s3cret-Passw0rd" || g.Contexts["new"].Loki.Tenant != "t1" || g.Contexts["prod"].Prometheus.Timeout != time.Minute {
		t.Error("a setting was lost in the round trip")
	}
	os.Chmod(path, 0o644)
	if g, _ = Load(path); !g.Loose() {
		t.Error("0644 is not reported as loose")
	}
}

func TestRedacted(t *testing.T) {
	data := string(docExample(t)) + `  secrets:
    loki:
      url: https://admin:urlpass@loki.example.com
      token: tok-INLINE
      headers:
        Authorization: Basic aGVhZGVyc2VjcmV0
`
	f, err := Parse("c.yaml", []byte(data))
	if err != nil {
		t.Fatal(err)
	}
	b, err := f.Redacted().Marshal()
	if err != nil {
		t.Fatal(err)
	}
	out := string(b)
	for _, secret := range []string{"s3cret-Passw0rd", "urlpass", "tok-INLINE", "aGVhZGVyc2VjcmV0"} {
		if strings.Contains(out, secret) {
			t.Errorf("the redacted view shows %q:\n%s", secret, out)
		}
	}
	for _, kept := range []string{"username: telx", "password: REDACTED", "token: REDACTED", "token_file: /var/run/secrets/loki-token", "https://admin:xxxxx@loki.example.com"} {
		if !strings.Contains(out, kept) {
			t.Errorf("the redacted view lacks %q:\n%s", kept, out)
		}
	}
	// the original is untouched
	if f.Contexts["prod"].Prometheus.Password != "s3cret-Passw0rd" {
		t.Error("Redacted changed the original")
	}
}

func TestDefaultPath(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	tests := []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"TELX_CONFIG": "/c.yaml", "XDG_CONFIG_HOME": "/x", "HOME": "/h"}, "/c.yaml"},
		{map[string]string{"XDG_CONFIG_HOME": "/x", "HOME": "/h"}, "/x/telx/config.yaml"},
		{map[string]string{"HOME": "/h"}, "/h/.config/telx/config.yaml"},
		{nil, ""},
	}
	for _, tt := range tests {
		if got := DefaultPath(env(tt.env)); got != tt.want {
			t.Errorf("DefaultPath(%v) = %q, want %q", tt.env, got, tt.want)
		}
	}
}

func TestResolveToken(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "token")
	os.WriteFile(file, []byte("  from-file\n"), 0o600)
	env := func(k string) string { return map[string]string{"TOK": "from-env"}[k] }
	tests := []struct {
		name    string
		auth    Auth
		want    string
		wantErr string
	}{
		{"inline wins", Auth{BearerToken: "inline", TokenFile: file}, "inline", ""},
		{"env", Auth{TokenEnv: "TOK"}, "from-env", ""},
		{"empty env", Auth{TokenEnv: "NONE"}, "", "$NONE is empty"},
		{"file", Auth{TokenFile: file}, "from-file", ""},
		{"missing file", Auth{TokenFile: filepath.Join(dir, "nope")}, "", "token_file: open"},
		{"command", Auth{TokenCommand: []string{"sh", "-c", "echo from-command"}}, "from-command", ""},
		{"failing command hides its output", Auth{TokenCommand: []string{"sh", "-c", "echo leaked-token; echo leaked-err >&2; exit 3"}}, "", "exit status 3"},
		{"no token", Auth{Username: "u"}, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.auth.Resolve(context.Background(), env)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want %q", err, tt.wantErr)
				}
				if strings.Contains(err.Error(), "leaked") {
					t.Errorf("the error shows the command's output: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.BearerToken != tt.want || got.TokenFile != "" || got.TokenEnv != "" || got.TokenCommand != nil {
				t.Errorf("resolved %q (%+v), want %q", got.BearerToken, got, tt.want)
			}
			if got.RequestHeaders()["Authorization"] != "Bearer "+tt.want && tt.want != "" {
				t.Errorf("headers %v", got.RequestHeaders())
			}
		})
	}
}

func TestBackendStringHidesSecrets(t *testing.T) {
	b := Backend{URL: "https://u:urlpw-SECRET@l", Password: "pw-SECRET", Token: "tok-SECRET", Headers: map[string]string{"A": "hdr-SECRET"}, TLS: &TLS{CAFile: "/ca.pem"}}
	for _, s := range []string{fmtAll(b), fmtAll(&b), fmtAll(Context{Loki: &b}), fmtAll(map[string]Backend{"x": b})} {
		if strings.Contains(s, "SECRET") || !strings.Contains(s, "REDACTED") {
			t.Errorf("%q", s)
		}
	}
	if !strings.Contains(b.String(), "/ca.pem") {
		t.Errorf("%s lacks the TLS settings", b.String())
	}
}

func TestAuthStringHidesSecrets(t *testing.T) {
	a := Auth{BearerToken: "tok-SECRET", Username: "u", Password: "pw-SECRET", Headers: map[string]string{"X-Key": "hdr-SECRET"}, CAFile: "/ca.pem", InsecureSkipVerify: true}
	for _, s := range []string{a.String(), a.GoString(), fmtAll(a), fmtAll(&a), fmtAll([]Auth{a})} {
		if regexp.MustCompile(`SECRET`).MatchString(s) {
			t.Errorf("%q shows a secret", s)
		}
		if !strings.Contains(s, "TLS not verified") {
			t.Errorf("%q does not say TLS is off", s)
		}
	}
}

func fmtAll(v any) string {
	return fmt.Sprintf("%v %+v %#v %s", v, v, v, v)
}

func BenchmarkParse(b *testing.B) {
	data := docExample(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse("config.yaml", data); err != nil {
			b.Fatal(err)
		}
	}
}
