package cmd

import (
	"bytes"
	"context"
	"encoding/pem"
	stdio "io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/charmbracelet/colorprofile"
	"github.com/spf13/cobra"

	"github.com/telx-cli/telx/sources/config"
)

// writeConfig writes a config file of mode 0600 and returns its path.
func writeConfig(t *testing.T, yaml string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(path, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// resolve runs a probe command and returns the resolved global options.
func resolve(t *testing.T, env map[string]string, args ...string) (*GlobalOptions, int, string) {
	t.Helper()
	var errOut bytes.Buffer
	io := TestIO(&bytes.Buffer{}, &errOut)
	root, opts := newRootCmd(io, func(k string) string { return env[k] })
	root.AddCommand(&cobra.Command{Use: "probe", RunE: func(*cobra.Command, []string) error { return nil }})
	code := Run(context.Background(), root, io, append([]string{"probe"}, args...))
	return opts, code, errOut.String()
}

const twoContexts = `current_context: a
contexts:
  a:
    jaeger:
      url: http://ctx-a-jaeger:16686
    prometheus:
      url: http://ctx-a-prom:9090
      timeout: 45s
    timezone: Asia/Tokyo
  b:
    jaeger:
      url: grpc://ctx-b-jaeger:16685
    loki:
      url: http://ctx-b-loki:3100
      timeout: 5s
`

func TestContextPrecedence(t *testing.T) {
	path := writeConfig(t, twoContexts)
	tests := []struct {
		name                 string
		env                  map[string]string
		args                 []string
		context              string
		jaeger, prom, loki   string
		timeout, promTimeout time.Duration
	}{
		{"no config: defaults", nil, nil, "", DefaultJaegerURL, DefaultPrometheusURL, DefaultLokiURL, DefaultTimeout, DefaultTimeout},
		{"current_context", map[string]string{"TELX_CONFIG": path}, nil, "a", "http://ctx-a-jaeger:16686", "http://ctx-a-prom:9090", DefaultLokiURL, 45 * time.Second, 45 * time.Second},
		{"TELX_CONTEXT", map[string]string{"TELX_CONFIG": path, "TELX_CONTEXT": "b"}, nil, "b", "grpc://ctx-b-jaeger:16685", DefaultPrometheusURL, "http://ctx-b-loki:3100", DefaultTimeout, DefaultTimeout},
		{"--context beats TELX_CONTEXT", map[string]string{"TELX_CONFIG": path, "TELX_CONTEXT": "b"}, []string{"--context", "a"}, "a", "http://ctx-a-jaeger:16686", "http://ctx-a-prom:9090", DefaultLokiURL, 45 * time.Second, 45 * time.Second},
		{"--config beats TELX_CONFIG", map[string]string{"TELX_CONFIG": "/nonexistent/telx.yaml"}, []string{"--config", path}, "a", "http://ctx-a-jaeger:16686", "http://ctx-a-prom:9090", DefaultLokiURL, 45 * time.Second, 45 * time.Second},
		{"XDG_CONFIG_HOME", map[string]string{"XDG_CONFIG_HOME": filepath.Dir(filepath.Dir(path)), "HOME": "/nonexistent"}, nil, "", DefaultJaegerURL, DefaultPrometheusURL, DefaultLokiURL, DefaultTimeout, DefaultTimeout},
		{"env beats context", map[string]string{"TELX_CONFIG": path, "TELX_JAEGER_URL": "http://env-j:1"}, nil, "a", "http://env-j:1", "http://ctx-a-prom:9090", DefaultLokiURL, 45 * time.Second, 45 * time.Second},
		{"flag beats env and context", map[string]string{"TELX_CONFIG": path, "TELX_JAEGER_URL": "http://env-j:1"}, []string{"--jaeger", "http://flag-j:2", "--timeout", "3s"}, "a", "http://flag-j:2", "http://ctx-a-prom:9090", DefaultLokiURL, 3 * time.Second, 3 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, code, errOut := resolve(t, tt.env, tt.args...)
			if code != ExitOK {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			if o.ContextName != tt.context || (tt.context == "") != (o.Context == nil) {
				t.Errorf("context %q (%v), want %q", o.ContextName, o.Context, tt.context)
			}
			if o.JaegerURL != tt.jaeger || o.PrometheusURL != tt.prom || o.LokiURL != tt.loki {
				t.Errorf("URLs %s %s %s, want %s %s %s", o.JaegerURL, o.PrometheusURL, o.LokiURL, tt.jaeger, tt.prom, tt.loki)
			}
			if o.Timeout != tt.timeout || o.timeoutFor("prometheus") != tt.promTimeout {
				t.Errorf("timeouts %s, prometheus %s; want %s, %s", o.Timeout, o.timeoutFor("prometheus"), tt.timeout, tt.promTimeout)
			}
		})
	}

	o, _, _ := resolve(t, map[string]string{"TELX_CONFIG": path, "TELX_CONTEXT": "b"})
	if o.timeoutFor("loki") != 5*time.Second || o.timeoutFor("jaeger") != DefaultTimeout {
		t.Errorf("per-backend timeouts: loki %s, jaeger %s", o.timeoutFor("loki"), o.timeoutFor("jaeger"))
	}

	_, _, errOut := runTelx(t, map[string]string{"TELX_CONFIG": path, "TELX_CONTEXT": "b"}, "version", "-v")
	if errOut != `telx: context "b" (TELX_CONTEXT) of `+path+"\n" {
		t.Errorf("-v does not say which context: %q", errOut)
	}
	code, _, errOut := runTelx(t, map[string]string{"TELX_CONFIG": path}, "version", "--context", "c")
	if code != ExitUsage || !strings.Contains(errOut, `--context: no context "c" in `+path) {
		t.Errorf("unknown context: exit %d, %q", code, errOut)
	}
	code, _, errOut = runTelx(t, map[string]string{"TELX_CONTEXT": "c"}, "version")
	if code != ExitUsage || !strings.Contains(errOut, `TELX_CONTEXT: no context "c"`) {
		t.Errorf("unknown context from the environment: exit %d, %q", code, errOut)
	}
}

func TestContextLocation(t *testing.T) {
	path := writeConfig(t, twoContexts)
	o, _, _ := resolve(t, map[string]string{"TELX_CONFIG": path})
	if got := o.Location(false).String(); got != "Asia/Tokyo" {
		t.Errorf("context zone %s", got)
	}
	if o.Location(true) != time.UTC {
		t.Error("--utc does not win over the context")
	}
	o, _, _ = resolve(t, map[string]string{"TELX_CONFIG": path, "TELX_CONTEXT": "b"})
	if o.Location(false) != time.Local {
		t.Error("a context without a zone is not local")
	}

	// the waterfall's header is in the context's zone
	code, out, errOut := runTelx(t, map[string]string{"TELX_CONFIG": path}, "trace", "--file", "../testdata/recorded/jaeger-api-trace.json")
	if code != ExitOK || !strings.Contains(out, " JST ·") {
		t.Errorf("exit %d, %s\n%s", code, errOut, out)
	}
}

func TestLogsSettingsOfTheContext(t *testing.T) {
	path := writeConfig(t, `current_context: a
contexts:
  a:
    trace_to_logs: '{{.Selector}} | json | trace_id="{{.TraceID}}"'
    trace_id_patterns: ['trace_id=([0-9a-f]{32})', 'tid:([0-9a-f]{16})']
  b: {}
`)
	o, _, _ := resolve(t, map[string]string{"TELX_CONFIG": path})
	res := o.TraceIDPatterns()
	if o.TraceToLogsTemplate() != `{{.Selector}} | json | trace_id="{{.TraceID}}"` || len(res) != 2 ||
		res[1].FindStringSubmatch("x tid:00f067aa0ba902b7 y")[1] != "00f067aa0ba902b7" {
		t.Errorf("template %q, patterns %v", o.TraceToLogsTemplate(), res)
	}
	o, _, _ = resolve(t, map[string]string{"TELX_CONFIG": path, "TELX_CONTEXT": "b"})
	if o.TraceToLogsTemplate() != "" || o.TraceIDPatterns() != nil {
		t.Error("a context without them has them")
	}
}

func TestMalformedConfigStopsEveryCommand(t *testing.T) {
	path := writeConfig(t, "contexts:\n  a:\n    prometheus:\n      url: http://p:9090\n      insecure_skip_verify: true\n")
	code, _, errOut := runTelx(t, map[string]string{"TELX_CONFIG": path}, "version")
	want := "config file " + path + `: line 5: unknown key "insecure_skip_verify"`
	if code == ExitOK || !strings.Contains(errOut, want) {
		t.Errorf("exit %d, %q, want %q", code, errOut, want)
	}
}

// recorder is a backend that records each request's headers and answers
// by path.
type recorder struct {
	mu      sync.Mutex
	headers []http.Header
	paths   []string
	srv     *httptest.Server
}

func newRecorder(t *testing.T, tls bool, answers map[string]string) *recorder {
	r := &recorder{}
	h := http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.mu.Lock()
		r.headers = append(r.headers, req.Header.Clone())
		r.paths = append(r.paths, req.URL.Path)
		r.mu.Unlock()
		body, ok := answers[req.URL.Path]
		if !ok {
			http.NotFound(w, req)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(body))
	})
	r.srv = httptest.NewUnstartedServer(h)
	r.srv.Config.ErrorLog = log.New(stdio.Discard, "", 0) // the refused handshakes
	if tls {
		r.srv.StartTLS()
	} else {
		r.srv.Start()
	}
	t.Cleanup(r.srv.Close)
	return r
}

func (r *recorder) last() http.Header {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.headers) == 0 {
		return nil
	}
	return r.headers[len(r.headers)-1]
}

const servicesAnswer = `{"services":["frontend","payments"]}`

func TestContextAuthReachesEveryBackendClient(t *testing.T) {
	prom := newRecorder(t, false, map[string]string{"/api/v1/query": mustRead(t, promInstant)})
	jaeger := newRecorder(t, false, map[string]string{"/api/v3/services": servicesAnswer})
	tokenFile := filepath.Join(t.TempDir(), "token")
	os.WriteFile(tokenFile, []byte("file-token\n"), 0o600)
	path := writeConfig(t, `current_context: prod
contexts:
  prod:
    prometheus:
      url: `+prom.srv.URL+`
      username: ctx-user
      password: ctx-pass
      tenant: team-a
      headers:
        X-Extra: from-context
        X-Both: from-context
    jaeger:
      url: `+jaeger.srv.URL+`
      token_file: `+tokenFile+`
    loki:
      url: http://127.0.0.1:1
      token_command: [sh, -c, "echo command-token"]
`)
	env := map[string]string{"TELX_CONFIG": path}

	code, _, errOut := runTelx(t, env, "metrics", "--instant", "up")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	h := prom.last()
	if h.Get("Authorization") != "Basic Y3R4LXVzZXI6Y3R4LXBhc3M=" || h.Get("X-Scope-OrgID") != "team-a" || h.Get("X-Extra") != "from-context" {
		t.Errorf("prometheus got %v", h)
	}

	// a flag's credential replaces the context's; a flag's header wins by name
	code, _, errOut = runTelx(t, env, "metrics", "--instant", "up", "--prometheus-token", "flag-token", "--prometheus-header", "X-Both=from-flag")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	h = prom.last()
	if h.Get("Authorization") != "Bearer flag-token" || h.Get("X-Both") != "from-flag" || h.Get("X-Extra") != "from-context" || h.Get("X-Scope-OrgID") != "team-a" {
		t.Errorf("prometheus with flags got %v", h)
	}
	// and so does the environment's
	env["TELX_PROMETHEUS_USER"], env["TELX_PROMETHEUS_PASSWORD"] = "env-user", "env-pass"
	runTelx(t, env, "metrics", "--instant", "up")
	if got := prom.last().Get("Authorization"); got != "Basic ZW52LXVzZXI6ZW52LXBhc3M=" {
		t.Errorf("prometheus with env credentials got %q", got)
	}
	delete(env, "TELX_PROMETHEUS_USER")
	delete(env, "TELX_PROMETHEUS_PASSWORD")

	code, out, errOut := runTelx(t, env, "services")
	if code != ExitOK || strings.TrimSpace(out) != "frontend\npayments" {
		t.Fatalf("services: exit %d: %s %s", code, out, errOut)
	}
	if got := jaeger.last().Get("Authorization"); got != "Bearer file-token" {
		t.Errorf("jaeger got Authorization %q", got)
	}

	// the helper every backend's client goes through (Loki's too)
	o, _, _ := resolve(t, env)
	a, err := o.BackendAuth(context.Background(), "loki", config.Auth{})
	if err != nil || a.RequestHeaders()["Authorization"] != "Bearer command-token" {
		t.Errorf("loki auth %v, %v", a, err)
	}
	hc, err := o.HTTPClient(TestIO(&bytes.Buffer{}, &bytes.Buffer{}), "prometheus", config.Auth{})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := hc.Get(prom.srv.URL + "/api/v1/query")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if prom.last().Get("X-Scope-OrgID") != "team-a" {
		t.Errorf("HTTPClient does not carry the context's tenant: %v", prom.last())
	}
}

func mustRead(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestREDTemplatesFromContext(t *testing.T) {
	f := newFakeProm(t)
	f.serveFile("/api/v1/query_range", promRange, 0)
	path := writeConfig(t, `current_context: a
contexts:
  a:
    red:
      rate_query: 'sum(rate(my_calls_total{svc="{{.Service}}"}[{{.Window}}]))'
`)
	code, _, errOut := f.run(80, colorprofile.NoTTY, map[string]string{"TELX_CONFIG": path}, "metrics", "--service", "payments", "--window", "2m")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var queries []string
	for _, form := range f.forms {
		queries = append(queries, form.Get("query"))
	}
	all := strings.Join(queries, "\n")
	if !strings.Contains(all, `sum(rate(my_calls_total{svc="payments"}[2m]))`) || !strings.Contains(all, "traces_span_metrics_duration_milliseconds_bucket") {
		t.Errorf("queries:\n%s", all)
	}
	// the flag wins over the context
	n := len(f.forms)
	f.run(80, colorprofile.NoTTY, map[string]string{"TELX_CONFIG": path}, "metrics", "--service", "payments", "--rate-query", "flag_rate{{.Window}}", "--window", "2m")
	queries = queries[:0]
	for _, form := range f.forms[n:] {
		queries = append(queries, form.Get("query"))
	}
	all = strings.Join(queries, "\n")
	if !strings.Contains(all, "flag_rate2m") || strings.Contains(all, "my_calls_total") {
		t.Errorf("queries with --rate-query:\n%s", all)
	}
}

func TestTraceWeb(t *testing.T) {
	id := "4bf92f3577b34da6a3ce929d0e0e4736"
	path := writeConfig(t, `current_context: a
contexts:
  a:
    jaeger:
      web_url: https://jaeger.example.com/ui/
  b: {}
`)
	env := map[string]string{"TELX_CONFIG": path}
	code, out, errOut := runTelx(t, env, "trace", "4BF92F3577B34DA6A3CE929D0E0E4736", "--web")
	if code != ExitOK || out != "https://jaeger.example.com/ui/trace/"+id+"\n" {
		t.Errorf("exit %d, %q %q", code, out, errOut)
	}
	env["TELX_JAEGER_WEB_URL"] = "http://localhost:16686"
	if _, out, _ = runTelx(t, env, "trace", id, "--web"); out != "http://localhost:16686/trace/"+id+"\n" {
		t.Errorf("with TELX_JAEGER_WEB_URL: %q", out)
	}
	delete(env, "TELX_JAEGER_WEB_URL")
	code, out, errOut = runTelx(t, env, "trace", id, "--web", "--context", "b")
	if code != ExitUsage || out != "" || !strings.Contains(errOut, "--web needs the Jaeger UI's address") {
		t.Errorf("no web URL: exit %d, %q %q", code, out, errOut)
	}
}

func TestConfigCommands(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "telx", "config.yaml")
	env := map[string]string{"XDG_CONFIG_HOME": dir}

	code, _, errOut := runTelx(t, env, "config", "current-context")
	if code != ExitError || !strings.Contains(errOut, "no context is in use") {
		t.Errorf("current-context without a file: exit %d, %q", code, errOut)
	}
	code, out, errOut := runTelx(t, env, "config", "view")
	if code != ExitOK || out != "" || errOut != "no config file at "+path+"\n" {
		t.Errorf("view without a file: exit %d, %q %q", code, out, errOut)
	}
	code, _, errOut = runTelx(t, env, "config", "set-context", "prod", "--jaeger", "https://j.example", "--prometheus", "https://p.example", "--loki", "https://l.example", "--prometheus-token-env", "PROM_TOKEN")
	if code != ExitOK || !strings.Contains(errOut, `created context "prod" in `+path) {
		t.Fatalf("set-context: exit %d, %q", code, errOut)
	}
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("file %v, %v", st, err)
	}
	code, _, errOut = runTelx(t, env, "config", "set-context", "dev", "--jaeger", "http://localhost:16686")
	if code != ExitOK {
		t.Fatalf("second set-context: exit %d, %q", code, errOut)
	}
	// the first context became current; the second did not replace it
	if _, out, _ := runTelx(t, env, "config", "current-context"); out != "prod\n" {
		t.Errorf("current-context %q", out)
	}
	_, out, _ = runTelx(t, env, "config", "get-contexts")
	want := "\tdev\thttp://localhost:16686\t-\t-\n*\tprod\thttps://j.example\thttps://p.example\thttps://l.example\n"
	if out != want {
		t.Errorf("get-contexts piped:\n%q\nwant\n%q", out, want)
	}
	code, out, _ = runIn(t, 100, colorprofile.ANSI256, "", env, "config", "get-contexts", "--context", "dev")
	if code != ExitOK || !strings.HasPrefix(out, "CURRENT  NAME  JAEGER") || !strings.Contains(out, "*        dev ") {
		t.Errorf("get-contexts on a terminal:\n%s", out)
	}

	// changing one backend keeps the others and the other contexts
	runTelx(t, env, "config", "set-context", "prod", "--loki", "https://l2.example", "--jaeger-web-url", "https://ui.example", "--loki-tenant", "team-a")
	f, err := config.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	p := f.Contexts["prod"]
	if p.Loki.URL != "https://l2.example" || p.Loki.Tenant != "team-a" || p.Jaeger.URL != "https://j.example" || p.Jaeger.WebURL != "https://ui.example" ||
		p.Prometheus.TokenEnv != "PROM_TOKEN" || f.Contexts["dev"].Jaeger.URL != "http://localhost:16686" {
		t.Errorf("after a change: %+v %+v %+v", p.Jaeger, p.Prometheus, p.Loki)
	}

	code, _, errOut = runTelx(t, env, "config", "use-context", "dev")
	if code != ExitOK || !strings.Contains(errOut, `switched to context "dev"`) {
		t.Errorf("use-context: exit %d %q", code, errOut)
	}
	if _, out, _ := runTelx(t, env, "config", "current-context"); out != "dev\n" {
		t.Errorf("current-context after use-context: %q", out)
	}
	if _, out, _ := runTelx(t, map[string]string{"XDG_CONFIG_HOME": dir, "TELX_CONTEXT": "prod"}, "config", "current-context"); out != "prod\n" {
		t.Errorf("current-context with TELX_CONTEXT: %q", out)
	}
	code, _, errOut = runTelx(t, env, "config", "use-context", "nope")
	if code != ExitUsage || !strings.Contains(errOut, `no context "nope"`) {
		t.Errorf("use-context nope: exit %d %q", code, errOut)
	}
	code, _, errOut = runTelx(t, env, "config", "set-context", "dev")
	if code != ExitUsage || !strings.Contains(errOut, "nothing to set") {
		t.Errorf("set-context without settings: exit %d %q", code, errOut)
	}
	code, _, errOut = runTelx(t, env, "config", "set-context", "dev", "--timezone", "Mars/Olympus")
	if code != ExitUsage || !strings.Contains(errOut, "unknown time zone") {
		t.Errorf("bad zone: exit %d %q", code, errOut)
	}

	for _, args := range [][]string{{"__complete", "config", "use-context", ""}, {"__complete", "services", "--context", ""}} {
		if _, out, _ := runTelx(t, env, args...); !strings.HasPrefix(out, "dev\nprod\n:4\n") {
			t.Errorf("%v:\n%s", args, out)
		}
	}

	code, out, _ = runTelx(t, env, "config", "view")
	if code != ExitOK || !strings.Contains(out, "current_context: dev") || !strings.Contains(out, "token_env: PROM_TOKEN") {
		t.Errorf("view:\n%s", out)
	}
}

func TestConfigWarnings(t *testing.T) {
	srv := newRecorder(t, false, map[string]string{"/api/v3/services": servicesAnswer})
	path := writeConfig(t, `current_context: a
contexts:
  a:
    jaeger:
      url: `+srv.srv.URL+`
      tls:
        insecure_skip_verify: true
`)
	code, _, errOut := runTelx(t, map[string]string{"TELX_CONFIG": path}, "services")
	if code != ExitOK || strings.Count(errOut, "TLS certificates of jaeger are not verified") != 1 || strings.Contains(errOut, "can be read by others") {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
	code, _, errOut = runTelx(t, map[string]string{"TELX_CONFIG": path}, "version")
	if code != ExitOK || errOut != "" {
		t.Errorf("a command that reaches no backend warns: %q", errOut)
	}
	os.Chmod(path, 0o640)
	_, _, errOut = runTelx(t, map[string]string{"TELX_CONFIG": path}, "version")
	if !strings.Contains(errOut, "the config file "+path+" can be read by others (mode 0640); run chmod 600") {
		t.Errorf("no warning for a loose file: %q", errOut)
	}
}

func TestTLSErrorsSayWhatFailed(t *testing.T) {
	prom := newRecorder(t, true, map[string]string{"/api/v1/query": mustRead(t, promInstant)})
	jaeger := newRecorder(t, true, map[string]string{"/api/v3/services": servicesAnswer})
	ca := filepath.Join(t.TempDir(), "ca.pem")
	os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: prom.srv.Certificate().Raw}), 0o600)
	// httptest's certificate is for 127.0.0.1 and example.com
	localhost := strings.Replace(prom.srv.URL, "127.0.0.1", "localhost", 1)

	for _, tt := range []struct {
		name string
		args []string
		code int
		want []string
	}{
		{"unknown authority", []string{"metrics", "--instant", "up", "--prometheus", prom.srv.URL}, ExitError,
			[]string{"prometheus at " + prom.srv.URL, "certificate signed by unknown authority", "hint: the server's certificate is signed by an unknown authority"}},
		{"name mismatch", []string{"metrics", "--instant", "up", "--prometheus", localhost, "--prometheus-ca-file", ca}, ExitError,
			[]string{"prometheus at " + localhost, "not localhost", "name mismatch"}},
		{"jaeger unknown authority", []string{"services", "--jaeger", jaeger.srv.URL}, ExitError,
			[]string{"jaeger at " + jaeger.srv.URL, "unknown authority"}},
		{"loki unknown authority", []string{"logs", `{a="b"}`, "--loki", jaeger.srv.URL}, ExitError,
			[]string{"loki at " + jaeger.srv.URL, "unknown authority", "--loki-ca-file"}},
		{"with the CA", []string{"metrics", "--instant", "up", "--prometheus", prom.srv.URL, "--prometheus-ca-file", ca}, ExitOK, nil},
		{"jaeger with the CA and a server name", []string{"services", "--jaeger", strings.Replace(jaeger.srv.URL, "127.0.0.1", "localhost", 1), "--jaeger-ca-file", ca, "--context", "sn"}, ExitOK, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cfg := writeConfig(t, "contexts:\n  sn:\n    jaeger:\n      tls:\n        server_name: example.com\n")
			code, _, errOut := runTelx(t, map[string]string{"TELX_CONFIG": cfg}, tt.args...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d: %s", code, tt.code, errOut)
			}
			for _, w := range tt.want {
				if !strings.Contains(errOut, w) {
					t.Errorf("stderr lacks %q:\n%s", w, errOut)
				}
			}
		})
	}
}

// telx logs takes Loki's URL, credentials and tenant and the trace query
// template from the context, under its flags.
func TestLogsFromTheContext(t *testing.T) {
	lines := fixture(t, "loki-query-range-trace.json")
	f := newFakeLoki(t, func(*http.Request) (int, []byte) { return http.StatusOK, lines })
	path := writeConfig(t, `current_context: a
contexts:
  a:
    jaeger:
      url: http://127.0.0.1:1
    loki:
      url: `+f.URL+`
      token: ctx-token
      tenant: ctx-tenant
    trace_to_logs: '{{.Selector}} | json | trace_id="{{.TraceID}}"'
`)
	id := "4bf92f3577b34da6a3ce929d0e0e4736"
	env := map[string]string{"TELX_CONFIG": path}
	code, _, errOut := runTelx(t, env, "logs", "--trace", id, "--since", "1h")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	r := f.requests[0]
	if got := r.URL.Query().Get("query"); got != `{service_name=~".+"} | json | trace_id="`+id+`"` {
		t.Errorf("query %s", got)
	}
	if r.Header.Get("Authorization") != "Bearer ctx-token" || r.Header.Get("X-Scope-OrgID") != "ctx-tenant" {
		t.Errorf("headers %v", r.Header)
	}
	n := len(f.requests)
	code, _, errOut = runTelx(t, env, "logs", `{a="b"}`, "--tenant", "flag-tenant", "--loki-user", "u", "--loki-password", "p")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	r = f.requests[n]
	if r.Header.Get("Authorization") != "Basic dTpw" || r.Header.Get("X-Scope-OrgID") != "flag-tenant" {
		t.Errorf("with flags: headers %v", r.Header)
	}
}
