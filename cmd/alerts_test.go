package cmd

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"

	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/sources/demo"
)

// demoRunAt runs a command with --demo at a fixed time: the demo then ends
// at now.
func demoRunAt(t *testing.T, now time.Time, width int, profile colorprofile.Profile, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	io := TestIO(&out, &errOut)
	io.Width = width
	io.Profile = profile
	io.IsTTY = profile != colorprofile.NoTTY
	root, opts := newRootCmd(io, func(k string) string { return noBackends[k] })
	opts.now = func() time.Time { return now }
	code := Run(context.Background(), root, io, append(args, "--demo"))
	return code, out.String(), errOut.String()
}

// telx alerts --demo lists the demo incident's alerts: in a terminal as a
// table at any width, piped as tab-separated lines, and as JSON.
func TestDemoAlerts(t *testing.T) {
	now := demo.DatasetNow
	for _, tt := range []struct {
		name    string
		width   int
		profile colorprofile.Profile
	}{
		{"alerts/demo-80", 80, colorprofile.Ascii},
		{"alerts/demo-80-color", 80, colorprofile.TrueColor},
		{"alerts/demo-120", 120, colorprofile.Ascii},
		{"alerts/demo-200", 200, colorprofile.Ascii},
		{"alerts/demo-200-color", 200, colorprofile.TrueColor},
		{"alerts/demo-piped", 80, colorprofile.NoTTY},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := demoRunAt(t, now, tt.width, tt.profile, "alerts", "--utc")
			if code != ExitOK || errOut != "" {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			for i, l := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
				if w := ansi.StringWidth(l); w > tt.width && tt.profile != colorprofile.NoTTY {
					t.Errorf("line %d is %d cells wide, over %d: %q", i, w, tt.width, l)
				}
			}
			if tt.profile != colorprofile.TrueColor && strings.Contains(out, "\x1b") {
				t.Error("escape sequences in uncoloured output")
			}
			plain := ansi.Strip(out)
			// the payments alert whole: its labels, since when, its summary
			for _, want := range []string{"PaymentsHighErrorRate", "service_name=payments", "severity=critical", "payments fails "} {
				if !strings.Contains(plain, want) {
					t.Errorf("no %q in\n%s", want, plain)
				}
			}
			if tt.profile == colorprofile.NoTTY {
				if !strings.Contains(plain, "firing\tPaymentsHighErrorRate\tservice_name=payments,severity=critical\t2026-01-15T11:45:00Z\t") {
					t.Errorf("piped:\n%s", plain)
				}
			} else if !strings.Contains(plain, "11:45:00 (15m ago)") {
				t.Errorf("no active since 11:45:00 (15m ago) in\n%s", plain)
			}
			golden(t, tt.name, out)
		})
	}

	sc, err := demo.Load(now)
	if err != nil {
		t.Fatal(err)
	}
	want := sc.Alerts()
	code, out, errOut := demoRunAt(t, now, 80, colorprofile.NoTTY, "alerts", "-o", "json")
	var got []sources.Alert
	if err := json.Unmarshal([]byte(out), &got); code != ExitOK || err != nil || len(got) != len(want) {
		t.Fatalf("json: exit %d %s, %v, %d alerts, want %d", code, errOut, err, len(got), len(want))
	}
	for i := range want {
		if got[i].Name != want[i].Name || got[i].State != want[i].State || !got[i].ActiveAt.Equal(want[i].ActiveAt) ||
			got[i].Value != want[i].Value || got[i].Labels["service_name"] != want[i].Labels["service_name"] ||
			got[i].Annotations["description"] != want[i].Annotations["description"] {
			t.Errorf("json alert %d: %+v, want %+v", i, got[i], want[i])
		}
	}

	code, out, _ = demoRunAt(t, now, 80, colorprofile.NoTTY, "alerts", "--state", "pending", "--utc")
	pg := want[1]
	if pg.Name != "PostgresSlowQueries" || code != ExitOK ||
		out != "pending\tPostgresSlowQueries\tservice_name=postgres,severity=warning\t2026-01-15T11:50:00Z\t"+pg.Value+"\t"+pg.Annotations["summary"]+"\n" {
		t.Errorf("pending: exit %d\n%s", code, out)
	}
}
