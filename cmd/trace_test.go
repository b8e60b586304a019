package cmd

import (
	"cmp"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/colorprofile"

	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/sources/file"
)

// Fixtures recorded from the real Jaeger by test/record-fixtures.sh.
const (
	skewedTrace = "../testdata/recorded/jaeger-api-trace.json"
	// longServiceTrace has services of 40 characters and more.
	longServiceTrace = "../testdata/long-service-otlp.json"
	skewedOTLP       = "../testdata/recorded/jaeger-apiv3-trace.json"
	bigTrace         = "../testdata/recorded/jaeger-api-big-trace.json"
)

func init() { time.Local = time.UTC }

// runWith runs telx with no environment.
func runWith(t *testing.T, width int, profile colorprofile.Profile, stdin string, args ...string) (int, string, string) {
	t.Helper()
	return runIn(t, width, profile, stdin, nil, args...)
}

func TestTraceWaterfallGolden(t *testing.T) {
	tests := []struct {
		name string
		args []string
		file string
	}{
		{"skewed-80", []string{"--width", "80"}, ""},
		{"skewed-120", []string{"--width", "120"}, ""},
		{"skewed-200", []string{"--width", "200"}, ""},
		{"skewed-details-120", []string{"--width", "120", "--details"}, ""},
		{"skewed-stats-80", []string{"--width", "80", "--stats"}, ""},
		{"skewed-critical-80", []string{"--width", "80", "--critical-path"}, ""},
		{"skewed-service-80", []string{"--width", "80", "--service", "postgres"}, ""},
		{"long-service-80", []string{"--width", "80"}, longServiceTrace},
		{"long-service-details-80", []string{"--width", "80", "--details"}, longServiceTrace},
		{"long-service-200", []string{"--width", "200"}, longServiceTrace},
	}
	for _, tt := range tests {
		for _, color := range []bool{false, true} {
			name := tt.name
			profile := colorprofile.NoTTY
			if color {
				name += "-color"
				profile = colorprofile.TrueColor
			}
			t.Run(name, func(t *testing.T) {
				file := cmp.Or(tt.file, skewedTrace)
				args := append([]string{"trace", "--file", file, "--utc"}, tt.args...)
				code, out, errOut := runWith(t, 100, profile, "", args...)
				if code != ExitOK {
					t.Fatalf("exit %d: %s", code, errOut)
				}
				if !color && strings.Contains(out, "\x1b") {
					t.Error("escape sequences in uncoloured output")
				}
				if color && !strings.Contains(out, "\x1b[") {
					t.Error("no colour in coloured output")
				}
				golden(t, "trace/"+name, out)
			})
		}
	}
}

func TestTraceBigFolded(t *testing.T) {
	for _, tt := range []struct {
		name string
		args []string
	}{
		{"big-depth3-120", []string{"--width", "120", "--depth", "3"}},
		{"big-min-duration-200", []string{"--width", "200", "--min-duration", "60ms"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runWith(t, 100, colorprofile.NoTTY, "", append([]string{"trace", "--file", bigTrace, "--utc"}, tt.args...)...)
			if code != ExitOK {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			golden(t, "trace/"+tt.name, out)
		})
	}
}

// Every row fits the width asked for.
func TestTraceRowsFitTheWidth(t *testing.T) {
	for _, width := range []int{80, 120, 200} {
		_, out, _ := runWith(t, width, colorprofile.NoTTY, "", "trace", "--file", bigTrace, "--details")
		for i, line := range strings.Split(out, "\n") {
			if n := len([]rune(line)); n > width {
				t.Fatalf("width %d: line %d has %d cells: %q", width, i, n, line)
			}
		}
	}
}

func TestTraceOutputs(t *testing.T) {
	// -o json is the domain trace; -o otlp reads back as the same trace
	code, js, errOut := runWith(t, 80, colorprofile.NoTTY, "", "trace", "--file", skewedTrace, "-o", "json")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var fromJSON sources.Trace
	if err := json.Unmarshal([]byte(js), &fromJSON); err != nil {
		t.Fatal(err)
	}
	f, _ := os.Open(skewedTrace)
	defer f.Close()
	want, err := file.ReadTraces(f)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(fromJSON.Spans) != fmt.Sprint(want[0].Spans) {
		t.Errorf("-o json does not read back as the trace")
	}
	code, otlpOut, _ := runWith(t, 80, colorprofile.NoTTY, "", "trace", "--file", skewedTrace, "-o", "otlp")
	if code != ExitOK {
		t.Fatal(code)
	}
	// the OTLP output feeds `telx trace --file -`
	code, fromOTLP, errOut := runWith(t, 80, colorprofile.NoTTY, otlpOut, "trace", "--file", "-", "--utc")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	_, direct, _ := runWith(t, 80, colorprofile.NoTTY, "", "trace", "--file", skewedTrace, "--utc")
	if fromOTLP != direct {
		t.Errorf("the waterfall of the OTLP round trip differs:\n%s\n---\n%s", fromOTLP, direct)
	}
	// the recorded /api/v3 answer gives the same waterfall too
	_, v3, _ := runWith(t, 80, colorprofile.NoTTY, "", "trace", "--file", skewedOTLP, "--utc")
	if v3 != direct {
		t.Errorf("/api/v3 and /api fixtures render differently:\n%s\n---\n%s", v3, direct)
	}
}

func TestTraceBadInput(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		stdin    string
		wantCode int
		wantErr  string
	}{
		{"invalid id, refused before any call", []string{"trace", "xyz-123", "--jaeger", "http://127.0.0.1:1"}, "", ExitUsage, `invalid trace ID "xyz-123"`},
		{"no id", []string{"trace"}, "", ExitUsage, "give a trace ID"},
		{"id not in file", []string{"trace", "abcd", "--file", skewedTrace}, "", ExitNotFound, "is not in"},
		{"not JSON", []string{"trace", "--file", "-"}, "hello", ExitError, "not a JSON object"},
		{"malformed field", []string{"trace", "--file", "-"}, `{"data":[{"traceID":"ab","spans":[{"spanID":"1","startTime":"soon"}]}]}`, ExitError, "startTime"},
		{"unreachable", []string{"trace", "abcd", "--jaeger", "http://127.0.0.1:1"}, "", ExitError, "jaeger at http://127.0.0.1:1"},
		{"bad output", []string{"trace", "abcd", "-o", "yaml"}, "", ExitUsage, "unsupported output format"},
		{"a file over the cap", []string{"trace", "--file", skewedTrace, "--max-answer", "1KiB"}, "", ExitError,
			"the file " + skewedTrace + " is larger than 1 KiB, telx's cap on a trace answer\nhint: read larger answers with --max-answer 2KiB, or set limits.trace_answer"},
		{"stdin over the cap", []string{"trace", "--file", "-", "--max-answer", "1KiB"}, strings.Repeat(" ", 2000) + "{}", ExitError,
			"the standard input is larger than 1 KiB"},
		{"a bad cap", []string{"trace", "--file", skewedTrace, "--max-answer", "lots"}, "", ExitUsage, `invalid argument "lots" for "--max-answer" flag: "lots" is not a size`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errOut := runWith(t, 80, colorprofile.NoTTY, tt.stdin, tt.args...)
			if code != tt.wantCode || !strings.Contains(errOut, tt.wantErr) {
				t.Errorf("exit %d, stderr %q; want %d and %q", code, errOut, tt.wantCode, tt.wantErr)
			}
		})
	}
}

// A broken trace still renders, with its warnings, and escape sequences
// from the backend never reach the terminal.
func TestTraceBrokenAndHostile(t *testing.T) {
	doc := `{"data":[{"traceID":"0af7651916cd43dd8448eb211c80319c","spans":[
	 {"traceID":"0af7651916cd43dd8448eb211c80319c","spanID":"0000000000000001","operationName":"GET /\u001b[2J","startTime":1000000,"duration":100000,"processID":"p1","references":[]},
	 {"traceID":"0af7651916cd43dd8448eb211c80319c","spanID":"0000000000000002","operationName":"orphan","startTime":1010000,"duration":1000,"processID":"p1","references":[{"refType":"CHILD_OF","traceID":"0af7651916cd43dd8448eb211c80319c","spanID":"00000000000000ff"}]},
	 {"traceID":"0af7651916cd43dd8448eb211c80319c","spanID":"0000000000000003","operationName":"loop-a","startTime":1020000,"duration":1000,"processID":"p1","references":[{"refType":"CHILD_OF","traceID":"0af7651916cd43dd8448eb211c80319c","spanID":"0000000000000004"}]},
	 {"traceID":"0af7651916cd43dd8448eb211c80319c","spanID":"0000000000000004","operationName":"loop-b","startTime":1030000,"duration":1000,"processID":"p1","references":[{"refType":"CHILD_OF","traceID":"0af7651916cd43dd8448eb211c80319c","spanID":"0000000000000003"}]},
	 {"traceID":"0af7651916cd43dd8448eb211c80319c","spanID":"0000000000000002","operationName":"dup","startTime":1040000,"duration":1000,"processID":"p1","tags":[{"key":"ua","type":"string","value":"x\u001b]0;pwned\u0007"}],"references":[{"refType":"CHILD_OF","traceID":"0af7651916cd43dd8448eb211c80319c","spanID":"0000000000000001"}]}
	],"processes":{"p1":{"serviceName":"svc\u001b[31m","tags":[]}}}]}`
	for _, profile := range []colorprofile.Profile{colorprofile.NoTTY, colorprofile.TrueColor} {
		code, out, errOut := runWith(t, 80, profile, doc, "trace", "--file", "-", "--details", "--utc")
		if code != ExitOK {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		for _, want := range []string{"orphan", "loop-a", "loop-b", "dup", `GET /\x1b[2J`, `svc\x1b[31m`, `x\x1b]0;pwned\x07`, "cycle", "appears 2 times", "not in the trace"} {
			if !strings.Contains(out, want) {
				t.Errorf("output lacks %q:\n%s", want, out)
			}
		}
		for _, bad := range []string{"\x1b[2J", "\x1b]0;", "\x07", "\x1b[31msvc"} {
			if strings.Contains(out, bad) {
				t.Errorf("raw %q reached the output", bad)
			}
		}
	}
}

// The context's limits cap a trace file as --max-answer does, which wins
// over them.
func TestTraceFileUnderTheContextsCap(t *testing.T) {
	cfg := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(cfg, []byte("current_context: small\ncontexts:\n  small:\n    limits:\n      trace_answer: 2KiB\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"TELX_CONFIG": cfg}
	code, _, errOut := runIn(t, 80, colorprofile.NoTTY, "", env, "trace", "--file", skewedTrace)
	if code != ExitError || !strings.Contains(errOut, "is larger than 2 KiB") || !strings.Contains(errOut, "limits.trace_answer") {
		t.Errorf("exit %d: %s", code, errOut)
	}
	code, _, errOut = runIn(t, 80, colorprofile.NoTTY, "", env, "trace", "--file", skewedTrace, "--max-answer", "10MiB")
	if code != ExitOK {
		t.Errorf("with --max-answer: exit %d: %s", code, errOut)
	}
}
