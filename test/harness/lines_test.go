package harness

import (
	"testing"
	"time"
)

// Lines as the real programs wrote them (HotROD and the backends under the
// harness), each with the time the harness must read from it.
func TestOwnTime(t *testing.T) {
	for _, tc := range []struct {
		name, line, want string
	}{
		{"loki logfmt", `level=info ts=2026-12-01T06:55:15.87307338Z caller=main.go:146 msg="Starting Loki" version="(version=, branch=, revision=unknown)"`, "2026-12-01T06:55:15.87307338Z"},
		{"prometheus logfmt", `ts=2026-12-01T06:55:23.111Z caller=main.go:513 level=info msg="No time or size retention was set so using the default time retention" duration=15d`, "2026-12-01T06:55:23.111Z"},
		{"jaeger zap console", "2026-12-01T06:55:15.807Z\tinfo\totelconftelemetry/metrics.go:25\tInternal metrics telemetry disabled\t{\"resource\": {\"service.name\": \"jaeger\"}}", "2026-12-01T06:55:15.807Z"},
		{"hotrod zap console", "2026-12-01T06:51:20.779Z\tERROR\tdriver/redis.go:70\tredis timeout\t{\"service\": \"driver\", \"trace_id\": \"35caf796b56a82b349aa14a7df239c4f\", \"span_id\": \"7e1a1ab770173b50\", \"driver_id\": \"T757207C\", \"error\": \"redis timeout\"}", "2026-12-01T06:51:20.779Z"},
		{"zap with an offset", "2026-12-01T07:51:20.779+0100\tINFO\tx.go:1\tm", "2026-12-01T06:51:20.779Z"},
		{"json ts seconds", `{"level":"info","ts":1796108104.5,"msg":"m"}`, "2026-12-01T06:55:04.5Z"},
		{"json time", `{"time":"2026-12-01T06:55:04.25Z","msg":"m"}`, "2026-12-01T06:55:04.25Z"},
		{"logfmt quoted time", `time="2026-12-01T06:55:04Z" level=info msg=m`, "2026-12-01T06:55:04Z"},
		{"a key ending in ts= is not ts=", `level=info starts=2020-01-01T00:00:00Z ts=2026-12-01T06:55:04Z`, "2026-12-01T06:55:04Z"},
		{"go log", "2026/12/01 06:55:15 application version: git-commit=, git-version=, build-date=", ""},
		{"not json", `{"ts": 1796108104`, ""},
		{"plain", "hello", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := ownTime(tc.line)
			if tc.want == "" {
				if ok {
					t.Errorf("ownTime = %v, want none", got)
				}
				return
			}
			want, _ := time.Parse(time.RFC3339Nano, tc.want)
			if !ok || !got.Equal(want) {
				t.Errorf("ownTime = %v %v, want %v", got, ok, want)
			}
		})
	}
}

func TestHotRODEntries(t *testing.T) {
	start := time.Date(2026, 12, 1, 6, 51, 18, 0, time.UTC)
	lines := []string{
		"2026/12/01 06:51:18 traces export: Post \"http://127.0.0.1:1/v1/traces\": dial tcp 127.0.0.1:1: connect: connection refused",
		"2026-12-01T06:51:18.865Z\tINFO\tcobra@v1.10.1/command.go:1015\tStarting all services",
		"2026-12-01T06:51:20.956Z\tINFO\troute/client.go:36\tFinding route\t{\"service\": \"frontend\", \"component\": \"route_client\", \"trace_id\": \"35caf796b56a82b349aa14a7df239c4f\", \"span_id\": \"e9e14214d45d1bd2\", \"pickup\": \"671,131\", \"dropoff\": \"115,277\"}",
		"2026-12-01T06:51:20.956Z\tINFO\troute/server.go:67\tHTTP request received\t{\"service\": \"route\", \"trace_id\": \"35caf796b56a82b349aa14a7df239c4f\", \"span_id\": \"b5d6d1717f3c1a2f\", \"method\": \"GET\", \"url\": \"/route?dropoff=115%2C277&pickup=943%2C605\"}",
		"2026-12-01T06:51:20.955Z\tINFO\tdriver/server.go:85\tSearch successful\t{\"service\": \"driver\", \"trace_id\": \"35caf796b56a82b349aa14a7df239c4f\", \"span_id\": \"6656f85b93bf486a\", \"driver_count\": 10}",
		"2026-12-01T06:51:20.956Z\tINFO\troute/client.go:36\tFinding route\t{\"service\": \"frontend\"}",
		"",
	}
	es := hotrodEntries(lines, start)
	if len(es) != 6 {
		t.Fatalf("%d entries", len(es))
	}
	ms := func(s string) time.Time { t, _ := time.Parse(zapTime, s); return t }
	for i, want := range []struct {
		service, trace, span string
		time                 time.Time
	}{
		{"hotrod", "", "", start},
		{"hotrod", "", "", ms("2026-12-01T06:51:18.865Z")},
		{"frontend", "35caf796b56a82b349aa14a7df239c4f", "e9e14214d45d1bd2", ms("2026-12-01T06:51:20.956Z")},
		{"route", "35caf796b56a82b349aa14a7df239c4f", "b5d6d1717f3c1a2f", ms("2026-12-01T06:51:20.956Z").Add(1)},
		{"driver", "35caf796b56a82b349aa14a7df239c4f", "6656f85b93bf486a", ms("2026-12-01T06:51:20.955Z")},
		{"frontend", "", "", ms("2026-12-01T06:51:20.956Z").Add(2)},
	} {
		e := es[i]
		if e.Line != lines[i] || e.Labels["service_name"] != want.service || e.Labels["job"] != "hotrod" || len(e.Labels) != 2 {
			t.Errorf("%d: %q %v", i, e.Line, e.Labels)
		}
		if e.Metadata["trace_id"] != want.trace || e.Metadata["span_id"] != want.span || string(e.TraceID) != want.trace || string(e.SpanID) != want.span {
			t.Errorf("%d: metadata %v, IDs %s %s", i, e.Metadata, e.TraceID, e.SpanID)
		}
		if want.trace == "" && e.Metadata != nil {
			t.Errorf("%d: metadata %v for a line without IDs", i, e.Metadata)
		}
		if !e.Time.Equal(want.time) {
			t.Errorf("%d: time %v, want %v", i, e.Time, want.time)
		}
	}
	if got := message(lines[3]); got != "HTTP request received" {
		t.Errorf("message = %q", got)
	}
}

func TestCompleteLines(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"partial", nil},
		{"a\n", []string{"a"}},
		{"a\nb\tc\npart", []string{"a", "b\tc"}},
		{"a\n\nb\n", []string{"a", "", "b"}},
	} {
		got := completeLines([]byte(tc.in))
		if len(got) != len(tc.want) {
			t.Errorf("%q: %q, want %q", tc.in, got, tc.want)
			continue
		}
		for i := range got {
			if got[i] != tc.want[i] {
				t.Errorf("%q: %q, want %q", tc.in, got, tc.want)
			}
		}
	}
}
