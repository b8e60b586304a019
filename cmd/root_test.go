package cmd

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/colorprofile"
	"github.com/spf13/cobra"

	"github.com/telx-cli/telx/internal/build"
	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/sources/config"
)

// runTelx runs the command tree with args and an environment, as a pipe,
// and returns the exit code, stdout and stderr.
func runTelx(t *testing.T, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	return runIn(t, DefaultWidth, colorprofile.NoTTY, "", env, args...)
}

// runIn runs telx with an IO set up as a terminal of the given width and
// colour profile (NoTTY for a pipe), stdin and environment.
func runIn(t *testing.T, width int, profile colorprofile.Profile, stdin string, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	io := TestIO(&out, &errOut)
	io.Width = width
	io.Profile = profile
	io.IsTTY = profile != colorprofile.NoTTY
	io.In = strings.NewReader(stdin)
	root := NewRootCmd(io, func(k string) string { return env[k] })
	code := Run(context.Background(), root, io, args)
	return code, out.String(), errOut.String()
}

func TestExitCodes(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantErr  string
	}{
		{name: "help", args: []string{"--help"}, wantCode: ExitOK},
		{name: "no arguments prints help", args: nil, wantCode: ExitOK},
		{name: "unknown command", args: []string{"tarce"}, wantCode: ExitUsage, wantErr: `unknown command "tarce" for "telx"`},
		{name: "unknown flag", args: []string{"version", "--bogus"}, wantCode: ExitUsage, wantErr: "unknown flag: --bogus"},
		{name: "extra argument", args: []string{"version", "extra"}, wantCode: ExitUsage, wantErr: `unknown command "extra"`},
		{name: "bad output format", args: []string{"version", "-o", "yaml"}, wantCode: ExitUsage, wantErr: `unsupported output format "yaml"`},
		{name: "bad url", args: []string{"version", "--jaeger", "localhost:16686"}, wantCode: ExitUsage, wantErr: "--jaeger:"},
		{name: "bad timeout", args: []string{"version", "--timeout", "0s"}, wantCode: ExitUsage, wantErr: "--timeout must be positive"},
		{name: "bad jaeger compression", args: []string{"services", "--jaeger-compression", "zstd"}, wantCode: ExitUsage, wantErr: `unknown compression "zstd" (want gzip or none)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errOut := runTelx(t, nil, tt.args...)
			if code != tt.wantCode {
				t.Errorf("exit code = %d, want %d (stderr %q)", code, tt.wantCode, errOut)
			}
			if !strings.Contains(errOut, tt.wantErr) {
				t.Errorf("stderr = %q, want it to contain %q", errOut, tt.wantErr)
			}
			if tt.wantCode == ExitUsage && !strings.Contains(errOut, "--help' for usage") {
				t.Errorf("stderr = %q, want a pointer to --help", errOut)
			}
		})
	}
}

func TestExitCodeOfErrors(t *testing.T) {
	backendNotFound := &sources.BackendError{Backend: "jaeger", URL: "http://x", Err: fmt.Errorf("trace abc: %w", sources.ErrNotFound)}
	tests := []struct {
		err  error
		want int
	}{
		{nil, ExitOK},
		{fmt.Errorf("boom"), ExitError},
		{UsageError(fmt.Errorf("bad")), ExitUsage},
		{backendNotFound, ExitNotFound},
		{fmt.Errorf("wrapped: %w", sources.ErrAuth), ExitAuth},
	}
	for _, tt := range tests {
		if got := exitCode(tt.err); got != tt.want {
			t.Errorf("exitCode(%v) = %d, want %d", tt.err, got, tt.want)
		}
	}
}

func TestGlobalFlagsAndEnv(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want GlobalOptions
	}{
		{
			name: "defaults",
			want: GlobalOptions{JaegerURL: DefaultJaegerURL, PrometheusURL: DefaultPrometheusURL, LokiURL: DefaultLokiURL, Timeout: DefaultTimeout},
		},
		{
			name: "env fallbacks",
			env:  map[string]string{"TELX_JAEGER_URL": "http://j:1", "TELX_PROMETHEUS_URL": "https://p:2", "TELX_LOKI_URL": "http://l:3"},
			want: GlobalOptions{JaegerURL: "http://j:1", PrometheusURL: "https://p:2", LokiURL: "http://l:3", Timeout: DefaultTimeout},
		},
		{
			name: "flags win over env",
			env:  map[string]string{"TELX_JAEGER_URL": "http://j:1"},
			args: []string{"--jaeger", "grpc://j:16685", "--timeout", "5s", "-v", "--no-color", "-o", "json"},
			want: GlobalOptions{JaegerURL: "grpc://j:16685", PrometheusURL: DefaultPrometheusURL, LokiURL: DefaultLokiURL,
				Timeout: 5 * time.Second, Verbose: true, NoColor: true, Output: "json"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			io := TestIO(&bytes.Buffer{}, &bytes.Buffer{})
			root, opts := newRootCmd(io, func(k string) string { return tt.env[k] })
			probe := &cobra.Command{Use: "probe", RunE: func(*cobra.Command, []string) error { return nil }}
			root.AddCommand(probe)
			if code := Run(context.Background(), root, io, append([]string{"probe"}, tt.args...)); code != ExitOK {
				t.Fatalf("exit code %d", code)
			}
			got := *opts
			got.getenv, got.now = nil, nil
			got.contextState, got.timeoutSet = contextState{}, false // see context_test.go
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("options = %+v\nwant      %+v", got, tt.want)
			}
		})
	}
}

func TestNoColor(t *testing.T) {
	for _, tt := range []struct {
		name string
		env  map[string]string
		args []string
	}{
		{name: "flag", args: []string{"--no-color"}},
		{name: "NO_COLOR", env: map[string]string{"NO_COLOR": "1"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			io := TestIO(&bytes.Buffer{}, &bytes.Buffer{})
			io.Profile = colorprofile.ANSI256 // as on a terminal
			root := NewRootCmd(io, func(k string) string { return tt.env[k] })
			if code := Run(context.Background(), root, io, append([]string{"version"}, tt.args...)); code != ExitOK {
				t.Fatalf("exit code %d", code)
			}
			if io.ColorEnabled() {
				t.Errorf("colour still enabled")
			}
		})
	}
}

func TestVersion(t *testing.T) {
	info := build.Info{Version: "v1.2.3", Commit: "abc1234", Date: "2026-11-25T00:00:00Z", GoVersion: "go1.26.8"}
	tests := []struct {
		format string
		want   string
	}{
		{"", "telx v1.2.3 (commit abc1234, built 2026-11-25T00:00:00Z, go1.26.8)\n"},
		{"text", "telx v1.2.3 (commit abc1234, built 2026-11-25T00:00:00Z, go1.26.8)\n"},
	}
	for _, tt := range tests {
		var out bytes.Buffer
		opts := &VersionOptions{IO: TestIO(&out, &bytes.Buffer{}), Global: &GlobalOptions{Output: tt.format}, Info: func() build.Info { return info }}
		if err := versionRun(opts); err != nil {
			t.Fatal(err)
		}
		if out.String() != tt.want {
			t.Errorf("-o %q: got %q, want %q", tt.format, out.String(), tt.want)
		}
	}

	var out bytes.Buffer
	opts := &VersionOptions{IO: TestIO(&out, &bytes.Buffer{}), Global: &GlobalOptions{Output: "json"}, Info: func() build.Info { return info }}
	if err := versionRun(opts); err != nil {
		t.Fatal(err)
	}
	var got build.Info
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatalf("-o json is not JSON: %v\n%s", err, out.String())
	}
	if got != info {
		t.Errorf("-o json = %+v, want %+v", got, info)
	}
}

func TestVerboseHTTPClient(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {}))
	defer srv.Close()
	for _, verbose := range []bool{false, true} {
		var errOut bytes.Buffer
		io := TestIO(&bytes.Buffer{}, &errOut)
		opts := &GlobalOptions{Verbose: verbose, Timeout: time.Second}
		client, err := opts.HTTPClient(io, "jaeger", config.Auth{})
		if err != nil {
			t.Fatal(err)
		}
		resp, err := client.Get(srv.URL + "/api/services")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		logged := strings.Contains(errOut.String(), "jaeger: GET "+srv.URL+"/api/services -> 200 OK")
		if logged != verbose {
			t.Errorf("verbose=%v: stderr %q", verbose, errOut.String())
		}
	}
}
