package cmd

import (
	"net"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/telx-cli/telx/sources/config"
	"github.com/telx-cli/telx/sources/demo"
	"github.com/telx-cli/telx/test/harness"
)

// completion is what `telx __complete` printed: the candidates, the
// directive, stderr and the exit code.
type completion struct {
	cands     []string
	directive cobra.ShellCompDirective
	stderr    string
	code      int
}

// complete runs `telx __complete args...` in process, as the shell
// scripts do, and reads its answer.
func complete(t *testing.T, env map[string]string, args ...string) completion {
	t.Helper()
	code, out, errOut := runTelx(t, env, append([]string{cobra.ShellCompRequestCmd}, args...)...)
	return readCompletion(t, code, out, errOut)
}

func readCompletion(t *testing.T, code int, out, errOut string) completion {
	t.Helper()
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	last := lines[len(lines)-1]
	if !strings.HasPrefix(last, ":") {
		t.Fatalf("no directive at the end of %q", out)
	}
	d, err := strconv.Atoi(last[1:])
	if err != nil {
		t.Fatalf("directive %q: %v", last, err)
	}
	return completion{cands: lines[:len(lines)-1], directive: cobra.ShellCompDirective(d), stderr: errOut, code: code}
}

// cobraLine is the one line cobra's __complete itself writes on stderr
// (the shell scripts discard it): a completion adds nothing to it.
var cobraLine = regexp.MustCompile(`^Completion ended with directive: [A-Za-z, ]+\n$`)

func TestParseSelector(t *testing.T) {
	tests := []struct {
		partial string
		ok      bool
		want    selectorPart
	}{
		{"", true, selectorPart{head: "{"}},
		{"{", true, selectorPart{head: "{"}},
		{"{serv", true, selectorPart{head: "{", typed: "serv"}},
		{"{ serv", true, selectorPart{head: "{ ", typed: "serv"}},
		{`{service_name="`, true, selectorPart{head: `{service_name="`, label: "service_name"}},
		{`{service_name="pay`, true, selectorPart{head: `{service_name="`, typed: "pay", label: "service_name"}},
		{`{service_name=~"pay`, true, selectorPart{head: `{service_name=~"`, typed: "pay", label: "service_name"}},
		{`{service_name != "pay`, true, selectorPart{head: `{service_name != "`, typed: "pay", label: "service_name"}},
		{`{service_name="payments",`, true, selectorPart{head: `{service_name="payments",`}},
		{`{service_name="payments", na`, true, selectorPart{head: `{service_name="payments", na`[:len(`{service_name="payments", `)], typed: "na"}},
		{`{a="x", b="y`, true, selectorPart{head: `{a="x", b="`, typed: "y", label: "b"}},
		{`{a="say \"hi`, true, selectorPart{head: `{a="`, typed: `say "hi`, label: "a"}},
		{`{a="x,`, false, selectorPart{}},        // the comma is inside the value
		{`{a="x"} |= "y`, false, selectorPart{}}, // past the selector
		{`{a="x"}`, false, selectorPart{}},
		{`rate({a="`, false, selectorPart{}}, // a metric query: not at its start
		{`{{`, false, selectorPart{}},
		{`{a=`, false, selectorPart{}},
		{`{a="x"b`, false, selectorPart{}},
		{"{9", false, selectorPart{}},
	}
	for _, tt := range tests {
		got, ok := parseSelector(tt.partial)
		if ok != tt.ok || got != tt.want {
			t.Errorf("parseSelector(%q) = %+v, %v; want %+v, %v", tt.partial, got, ok, tt.want, tt.ok)
		}
	}
}

func TestMatchingDropsWhatCannotBeTyped(t *testing.T) {
	tests := []struct {
		in     []string
		prefix string
		want   []string
	}{
		{[]string{"payments", "postgres", "frontend"}, "p", []string{"payments", "postgres"}},
		{[]string{"a\x1b[31mred", "a\nb", "a\tb", "ok", "", "\xff"}, "", []string{"ok"}},
		{[]string{"x", "x", "y"}, "", []string{"x", "y"}},
		{[]string{"GET /api/orders", "GET /health"}, "GET /a", []string{"GET /api/orders"}},
		{nil, "", nil},
	}
	for _, tt := range tests {
		if got := matching(tt.in, tt.prefix); !slices.Equal(got, tt.want) {
			t.Errorf("matching(%q, %q) = %q, want %q", tt.in, tt.prefix, got, tt.want)
		}
	}
}

// Every command's -o completes with exactly the formats the command
// accepts (read from its refusal of an unknown one), and a command that
// takes no -o completes none. A new command needs a row here: register
// its formats with outputFormats(c, ...) next to its flags.
func TestOutputFormatsCompleteWhatTheCommandAccepts(t *testing.T) {
	runs := map[string][]string{ // command path -> arguments that reach the format check
		"telx version":                {"version"},
		"telx trace":                  {"trace", "--demo"},
		"telx traces":                 {"traces", "--demo"},
		"telx analyze":                {"analyze", "--demo", "--service", "payments"},
		"telx compare":                {"compare", "--demo", "01", "02"},
		"telx services":               {"services", "--demo"},
		"telx operations":             {"operations", "--demo", "payments"},
		"telx metrics":                {"metrics", "--demo", "up"},
		"telx alerts":                 {"alerts", "--demo"},
		"telx rules":                  {"rules", "--prometheus", "http://127.0.0.1:1"},
		"telx silence add":            {"silence", "add", "--alertmanager", "http://127.0.0.1:1", "-c", "x", "alertname=x"},
		"telx silence ls":             {"silence", "ls", "--alertmanager", "http://127.0.0.1:1"},
		"telx silence query":          {"silence", "query", "--alertmanager", "http://127.0.0.1:1", "alertname=x"},
		"telx silence expire":         nil,
		"telx logs":                   {"logs", "--demo", `{service_name="payments"}`},
		"telx labels":                 {"labels", "--demo"},
		"telx explore":                nil,
		"telx demo":                   nil,
		"telx config":                 nil,
		"telx config view":            nil,
		"telx config get-contexts":    nil,
		"telx config current-context": nil,
		"telx config use-context":     nil,
		"telx config set-context":     nil,
		"telx silence":                nil,
	}
	want := regexp.MustCompile(`unsupported output format "bogus" \(want ([a-z, ]+)\)`)
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		for _, sub := range c.Commands() {
			if !sub.IsAvailableCommand() {
				continue
			}
			walk(sub)
			path := sub.CommandPath()
			args, ok := runs[path]
			if !ok {
				t.Errorf("%s: not in this test's table: register its -o formats with outputFormats and add a row", path)
				continue
			}
			got := complete(t, nil, append(strings.Fields(strings.TrimPrefix(path, "telx ")), "-o", "")...)
			if args == nil {
				if len(got.cands) != 0 {
					t.Errorf("%s takes no -o, completes %q", path, got.cands)
				}
				continue
			}
			_, _, errOut := runTelx(t, nil, append(args, "-o", "bogus")...)
			m := want.FindStringSubmatch(errOut)
			if m == nil {
				t.Errorf("%v -o bogus: no refusal naming the formats: %s", args, errOut)
				continue
			}
			if accepted := strings.Split(m[1], ", "); !slices.Equal(got.cands, accepted) {
				t.Errorf("%s: -o completes %q, the command accepts %q", path, got.cands, accepted)
			}
			if got.directive != cobra.ShellCompDirectiveNoFileComp {
				t.Errorf("%s: directive %d", path, got.directive)
			}
		}
	}
	walk(NewRootCmd(TestIO(nil, nil), func(string) string { return "" }))
}

// The enumerated flags complete with their values, and the command takes
// each value offered.
func TestEnumeratedFlagsComplete(t *testing.T) {
	closed := closedPort(t)
	tests := []struct {
		flag   []string // the command line before the value
		want   []string
		accept func(v string) []string // a command line taking v; nil: not run
	}{
		{[]string{"traces", "--jaeger-protocol"}, []string{"http", "v3", "v1", "grpc", "grpc-v2"},
			func(v string) []string { return []string{"services", "--jaeger", closed, "--jaeger-protocol", v} }},
		{[]string{"services", "--jaeger-compression"}, []string{"gzip", "none"},
			func(v string) []string { return []string{"services", "--jaeger", closed, "--jaeger-compression", v} }},
		{[]string{"metrics", "--preset"}, []string{"http", "spanmetrics"},
			func(v string) []string { return []string{"metrics", "--demo", "--service", "payments", "--preset", v} }},
		{[]string{"metrics", "--sort"}, []string{"last", "max", "name"},
			func(v string) []string { return []string{"metrics", "--demo", "up", "--sort", v} }},
		{[]string{"metrics", "--unit"}, []string{"none", "seconds", "milliseconds", "bytes", "ratio", "percent", "persecond"},
			func(v string) []string { return []string{"metrics", "--demo", "up", "--unit", v} }},
		{[]string{"alerts", "--state"}, []string{"firing", "pending"},
			func(v string) []string { return []string{"alerts", "--demo", "--state", v} }},
		{[]string{"alerts", "--from"}, []string{"alertmanager", "prometheus"},
			func(v string) []string {
				return []string{"alerts", "--from", v, "--alertmanager", closed, "--prometheus", closed}
			}},
		{[]string{"alerts", "--group-by"}, []string{"route"}, nil},
		{[]string{"rules", "--type"}, []string{"alerting", "recording"},
			func(v string) []string { return []string{"rules", "--prometheus", closed, "--type", v} }},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.flag, " "), func(t *testing.T) {
			got := complete(t, nil, append(tt.flag, "")...)
			if !slices.Equal(got.cands, tt.want) || got.directive != cobra.ShellCompDirectiveNoFileComp {
				t.Errorf("completes %q (directive %d), want %q", got.cands, got.directive, tt.want)
			}
			if prefixed := complete(t, nil, append(tt.flag, tt.want[0][:1])...); len(prefixed.cands) == 0 || !strings.HasPrefix(prefixed.cands[0], tt.want[0][:1]) {
				t.Errorf("with %q typed: %q", tt.want[0][:1], prefixed.cands)
			}
			if tt.accept == nil {
				return
			}
			for _, v := range tt.want {
				if code, _, errOut := runTelx(t, map[string]string{"TELX_TIMEOUT": "1s"}, append(tt.accept(v), "--timeout", "1s")...); code == ExitUsage {
					t.Errorf("%s %s: refused: %s", strings.Join(tt.flag, " "), v, errOut)
				}
			}
		})
	}
}

// closedPort is the URL of a loopback port nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	u := "http://" + l.Addr().String()
	l.Close()
	return u
}

func TestContextsComplete(t *testing.T) {
	path := writeConfig(t, `current_context: prod
contexts:
  prod:
    jaeger:
      url: http://127.0.0.1:1
  staging: {}
  stage-2: {}
`)
	tests := []struct {
		env  map[string]string
		args []string
		want []string
	}{
		{nil, []string{"--config", path, "--context", ""}, []string{"prod", "stage-2", "staging"}},
		{nil, []string{"--config", path, "services", "--context", "sta"}, []string{"stage-2", "staging"}},
		{map[string]string{"TELX_CONFIG": path}, []string{"config", "use-context", ""}, []string{"prod", "stage-2", "staging"}},
		{map[string]string{"TELX_CONFIG": path}, []string{"config", "use-context", "prod", ""}, nil}, // one argument only
		{map[string]string{"TELX_CONFIG": filepath.Join(t.TempDir(), "none.yaml")}, []string{"--context", ""}, nil},
	}
	for _, tt := range tests {
		got := complete(t, tt.env, tt.args...)
		if !slices.Equal(got.cands, tt.want) || got.code != ExitOK {
			t.Errorf("%v: %q (exit %d), want %q", tt.args, got.cands, got.code, tt.want)
		}
	}
}

// With --demo, the completions come from the embedded incident: no
// backend, no network.
func TestDemoCompletes(t *testing.T) {
	tests := []struct {
		args []string
		want []string
	}{
		{[]string{"traces", "--demo", "--service", ""}, slices.Sorted(slices.Values(demo.Services))},
		{[]string{"traces", "--demo", "--service", "p"}, []string{"payments", "postgres"}},
		{[]string{"--demo", "operations", "fr"}, []string{"frontend"}},
		{[]string{"traces", "--demo", "--service", "payments", "--operation", ""}, []string{"Charge", "GetPaymentStatus"}},
		{[]string{"logs", "--demo", `{service_name="pay`}, []string{`{service_name="payments"`}},
		{[]string{"labels", "--demo", "serv"}, []string{"service_name"}},
		{[]string{"alerts", "--demo", "--explain", "Pay"}, []string{"PaymentsHighErrorRate"}},
		{[]string{"traces", "--demo", "--operation", ""}, nil}, // no --service: no operations
		{[]string{"alerts", "--demo", ""}, []string{"alertname=", "service_name=", "severity="}},
		{[]string{"alerts", "--demo", "service_name=p"}, []string{"service_name=payments", "service_name=postgres"}},
		{[]string{"alerts", "--demo", "service_name!~p"}, []string{"service_name!~payments", "service_name!~postgres"}},
		{[]string{"alerts", "--demo", `alertname="Pay`}, []string{`alertname="PaymentsHighErrorRate"`}},
		{[]string{"alerts", "--demo", "9"}, nil},
	}
	for _, tt := range tests {
		got := complete(t, nil, tt.args...)
		if !slices.Equal(got.cands, tt.want) {
			t.Errorf("%v: %q, want %q", tt.args, got.cands, tt.want)
		}
	}
}

func TestCompletionTimeout(t *testing.T) {
	tests := []struct {
		env     string
		context time.Duration
		want    time.Duration
	}{
		{"", 0, time.Second},
		{"250ms", 0, 250 * time.Millisecond},
		{"", 3 * time.Second, 3 * time.Second},
		{"2s", 3 * time.Second, 2 * time.Second},
		{"nonsense", 0, time.Second},
		{"-1s", 0, time.Second},
	}
	for _, tt := range tests {
		g := &GlobalOptions{getenv: func(k string) string {
			if k == "TELX_COMPLETION_TIMEOUT" {
				return tt.env
			}
			return ""
		}}
		if tt.context > 0 {
			g.Context = &config.Context{CompletionTimeout: tt.context}
		}
		if got := g.completionTimeout(); got != tt.want {
			t.Errorf("env %q, context %s: %s, want %s", tt.env, tt.context, got, tt.want)
		}
	}
}

// A backend that is down, or that accepts and never answers, completes
// nothing: exit 0, no candidate, nothing on stderr but cobra's own line,
// and no wait past the completion timeout (the commands' --timeout is
// 30s).
func TestCompletionOfABackendThatCannotAnswer(t *testing.T) {
	silent := harness.StartFaultServer(t, harness.FaultNoAnswer)
	for name, url := range map[string]string{"a closed port": closedPort(t), "no answer": silent.URL} {
		ctxFile := writeConfig(t, "current_context: down\ncontexts:\n  down:\n"+
			"    jaeger: {url: "+url+"}\n    loki: {url: "+url+"}\n    prometheus: {url: "+url+"}\n    alertmanager: {url: "+url+"}\n")
		for _, args := range [][]string{
			{"--jaeger", url, "traces", "--service", ""},
			{"--jaeger", url, "traces", "--service", "payments", "--operation", ""},
			{"--jaeger", url, "operations", ""},
			{"--jaeger", "grpc://" + strings.TrimPrefix(url, "http://"), "services", "--jaeger-protocol", "grpc", "-v", ""},
			{"--loki", url, "labels", ""},
			{"--loki", url, "logs", "{"},
			{"--loki", url, "logs", `{service_name="`},
			{"--loki", url, "logs", "--service-label", ""},
			{"--prometheus", url, "metrics", "traces_"},
			{"--prometheus", url, "metrics", "--service", ""},
			{"--prometheus", url, "alerts", "--explain", ""},
			{"--alertmanager", url, "alerts", "--explain", ""},
			{"--alertmanager", url, "silence", "expire", ""},
			{"--alertmanager", url, "silence", "add", "alertname="},
			{"--alertmanager", url, "alerts", ""},
			{"--prometheus", url, "alerts", "service_name="},
			{"--config", ctxFile, "traces", "--service", ""}, // the context's backends
			{"--config", ctxFile, "--context", "down", "logs", "{"},
			{"--config", ctxFile, "explore", "--metrics", ""},
		} {
			t.Run(name+"/"+strings.Join(args[2:], " "), func(t *testing.T) {
				start := time.Now()
				env := map[string]string{"TELX_COMPLETION_TIMEOUT": "300ms"}
				got := complete(t, env, args...)
				if took := time.Since(start); took > 10*time.Second {
					t.Errorf("took %s with a completion timeout of 300ms", took)
				}
				if got.code != ExitOK || len(got.cands) != 0 || !cobraLine.MatchString(got.stderr) {
					t.Errorf("exit %d, candidates %q, stderr %q", got.code, got.cands, got.stderr)
				}
			})
		}
	}
}

// A config file that cannot be read, or flags that cannot be used,
// complete nothing and say nothing either.
func TestCompletionWithABrokenSetup(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	if err := os.WriteFile(bad, []byte("contexts: [\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	// a file others can read, and a backend whose TLS is not verified:
	// the commands warn on stderr, completion does not
	loose := filepath.Join(t.TempDir(), "loose.yaml")
	if err := os.WriteFile(loose, []byte("current_context: x\ncontexts:\n  x:\n    jaeger:\n      url: https://127.0.0.1:1\n      tls: {insecure_skip_verify: true}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"--config", loose, "traces", "--service", ""},
		{"--config", loose, "-v", "traces", "--jaeger-protocol", "v1", "--service", ""},
		{"--config", bad, "traces", "--service", ""},
		{"--jaeger", "not a url", "traces", "--service", ""},
		{"--context", "nowhere", "labels", ""},
		{"--timeout", "0s", "labels", ""},
	} {
		got := complete(t, nil, args...)
		if got.code != ExitOK || len(got.cands) != 0 || !cobraLine.MatchString(got.stderr) {
			t.Errorf("%v: exit %d, candidates %q, stderr %q", args, got.code, got.cands, got.stderr)
		}
	}
}

// Commands that take no argument do not complete file names.
func TestNoFileNamesForArguments(t *testing.T) {
	for _, args := range [][]string{{"services", ""}, {"version", ""}, {"trace", ""}, {"silence", "add", ""}, {"config", "view", ""}} {
		got := complete(t, nil, args...)
		if got.directive&cobra.ShellCompDirectiveNoFileComp == 0 {
			t.Errorf("%v: directive %d allows file names", args, got.directive)
		}
	}
}
