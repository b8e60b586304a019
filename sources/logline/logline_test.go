package logline

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/telx-cli/telx/internal/golden"
)

// now is the reference time of the tests: lines without a year or a zone
// are read against it.
var now = time.Date(2026, 12, 1, 7, 0, 0, 0, time.UTC)

func utc(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t
}

// fs builds fields from key, value pairs.
func fs(kv ...string) []Field {
	var f []Field
	for i := 0; i+1 < len(kv); i += 2 {
		f = append(f, Field{kv[i], kv[i+1]})
	}
	return f
}

type parseCase struct {
	name string
	line string
	want Line
}

// The sample lines: recorded from the real programs where the name says
// so (HotROD, Jaeger v2, Loki, Prometheus; see testdata/lines/README), or
// in the documented shape of the format.
var parseCases = []parseCase{
	// JSON
	{"JSON zap production (Jaeger v1)", `{"level":"info","ts":1733035725.318123,"caller":"flags/service.go:123","msg":"Mounting metrics handler on admin server","route":"/metrics"}`,
		Line{Format: JSON, Time: utc("2024-12-01T06:48:45.318123Z"), Level: "info", Message: "Mounting metrics handler on admin server",
			Fields: fs("caller", "flags/service.go:123", "route", "/metrics")}},
	{"JSON Prometheus (recorded)", `{"caller":"main.go:469","err":"parsing YAML file bad.yml: yaml: unmarshal errors:\n  line 5: field bogus not found in type config.ScrapeConfig","file":"/tmp/logline-rec/prom/bad.yml","level":"error","msg":"Error loading config (--config.file=bad.yml)","ts":"2026-12-01T06:52:12.518Z"}`,
		Line{Format: JSON, Time: utc("2026-12-01T06:52:12.518Z"), Level: "error", Message: "Error loading config (--config.file=bad.yml)",
			Fields: fs("caller", "main.go:469", "err", "parsing YAML file bad.yml: yaml: unmarshal errors:\n  line 5: field bogus not found in type config.ScrapeConfig", "file", "/tmp/logline-rec/prom/bad.yml")}},
	{"JSON zerolog", `{"level":"warn","service":"checkout","attempt":2,"ok":false,"time":"2026-12-01T06:15:25+01:00","message":"retrying"}`,
		Line{Format: JSON, Time: utc("2026-12-01T05:15:25Z"), Level: "warn", Message: "retrying",
			Fields: fs("service", "checkout", "attempt", "2", "ok", "false")}},
	{"JSON zerolog unix time", `{"level":"debug","time":1764569725,"message":"tick"}`,
		Line{Format: JSON, Time: utc("2025-12-01T06:15:25Z"), Level: "debug", Message: "tick"}},
	{"JSON pino numeric level, millis", `{"level":30,"time":1764569725318,"pid":7,"hostname":"web-1","msg":"request completed","res":{"statusCode":200},"responseTime":4}`,
		Line{Format: JSON, Time: utc("2025-12-01T06:15:25.318Z"), Level: "info", Message: "request completed",
			Fields: fs("pid", "7", "hostname", "web-1", "res", `{"statusCode":200}`, "responseTime", "4")}},
	{"JSON bunyan 50 is error", `{"name":"app","hostname":"h","pid":1,"level":50,"msg":"boom","time":"2026-12-01T06:15:25.318Z","v":0}`,
		Line{Format: JSON, Time: utc("2026-12-01T06:15:25.318Z"), Level: "error", Message: "boom",
			Fields: fs("name", "app", "hostname", "h", "pid", "1", "v", "0")}},
	{"JSON ECS", `{"@timestamp":"2026-12-01T06:15:25.318Z","log.level":"WARN","message":"disk almost full","ecs.version":"1.6.0","service.name":"billing"}`,
		Line{Format: JSON, Time: utc("2026-12-01T06:15:25.318Z"), Level: "warn", Message: "disk almost full",
			Fields: fs("ecs.version", "1.6.0", "service.name", "billing")}},
	{"JSON python json logger", `{"asctime": "2026-12-01 06:15:25,318", "levelname": "ERROR", "name": "app.db", "message": "connection lost"}`,
		Line{Format: JSON, Time: utc("2026-12-01T06:15:25.318Z"), Level: "error", Message: "connection lost",
			Fields: fs("name", "app.db")}},
	{"JSON journald", `{"__REALTIME_TIMESTAMP":"1764569725318123","PRIORITY":"3","_SYSTEMD_UNIT":"nginx.service","MESSAGE":"worker exited"}`,
		Line{Format: JSON, Time: utc("2025-12-01T06:15:25.318123Z"), Level: "error", Message: "worker exited",
			Fields: fs("_SYSTEMD_UNIT", "nginx.service")}},
	{"JSON GELF syslog level", `{"version":"1.1","host":"example.org","short_message":"A short message","level":4,"timestamp":1764569725.318}`,
		Line{Format: JSON, Time: utc("2025-12-01T06:15:25.318Z"), Level: "warn", Message: "A short message",
			Fields: fs("version", "1.1", "host", "example.org")}},
	{"JSON Serilog compact", `{"@t":"2026-12-01T06:15:25.3180000Z","@mt":"Order {OrderId} placed","@l":"Warning","OrderId":42}`,
		Line{Format: JSON, Time: utc("2026-12-01T06:15:25.318Z"), Level: "warn", Message: "Order {OrderId} placed",
			Fields: fs("OrderId", "42")}},
	{"JSON Docker json-file, newline trimmed", `{"log":"listening on :8080\n","stream":"stderr","time":"2026-12-01T06:15:25.318123456Z"}`,
		Line{Format: JSON, Time: utc("2026-12-01T06:15:25.318123456Z"), Message: "listening on :8080",
			Fields: fs("stream", "stderr")}},
	{"JSON OTel file exporter nanos", `{"timestamp_ns":"1764569725318000000","severity":"INFO","body":"Application started","trace_id":"abc123"}`,
		Line{Format: JSON, Time: utc("2025-12-01T06:15:25.318Z"), Level: "info", Message: "Application started",
			Fields: fs("trace_id", "abc123")}},
	{"JSON msg preferred to message", `{"message":"second","msg":"first"}`,
		Line{Format: JSON, Message: "first", Fields: fs("message", "second")}},
	{"JSON unknown level stays a field", `{"level":"verbose-ish","msg":"x"}`,
		Line{Format: JSON, Message: "x", Fields: fs("level", "verbose-ish")}},
	{"JSON time that is not one stays a field", `{"time":"soon","ts":"2026-12-01T06:15:25Z","msg":"x"}`,
		Line{Format: JSON, Time: utc("2026-12-01T06:15:25Z"), Message: "x", Fields: fs("time", "soon")}},
	{"JSON non-string msg stays a field", `{"msg":{"text":"hi"},"message":"taken"}`,
		Line{Format: JSON, Message: "taken", Fields: fs("msg", `{"text":"hi"}`)}},
	{"JSON escapes unescaped", `{"msg":"tab\there \"quoted\" \u00e9\ud83d\ude00 \/","k\u0065y":"v"}`,
		Line{Format: JSON, Message: "tab\there \"quoted\" é😀 /", Fields: fs("key", "v")}},
	{"JSON nested values keep their text", `{"msg":"m","a":[1, {"b": null}],"o":{"x":{"y":true}}, "n": -1.5e3}`,
		Line{Format: JSON, Message: "m", Fields: fs("a", `[1, {"b": null}]`, "o", `{"x":{"y":true}}`, "n", "-1.5e3")}},
	{"JSON without message", `{"a":1,"b":"two"}`,
		Line{Format: JSON, Fields: fs("a", "1", "b", "two")}},
	{"JSON empty object", `{}`, Line{Format: JSON}},
	{"JSON with blanks around", "  {\"msg\": \"x\"} \r\n", Line{Format: JSON, Message: "x"}},
	{"JSON empty key left out", `{"":1,"msg":"x"}`, Line{Format: JSON, Message: "x"}},

	// logfmt
	{"logfmt Loki (recorded)", `level=info ts=2026-12-01T06:58:31.693898517Z caller=main.go:146 msg="Starting Loki" version="(version=, branch=, revision=unknown)"`,
		Line{Format: Logfmt, Time: utc("2026-12-01T06:58:31.693898517Z"), Level: "info", Message: "Starting Loki",
			Fields: fs("caller", "main.go:146", "version", "(version=, branch=, revision=unknown)")}},
	{"logfmt Loki error (recorded)", `level=error ts=2026-12-01T06:58:43.730112557Z caller=scheduler_processor.go:111 component=querier msg="error processing requests from scheduler" err="rpc error: code = Canceled desc = context canceled" addr=127.0.0.1:45223`,
		Line{Format: Logfmt, Time: utc("2026-12-01T06:58:43.730112557Z"), Level: "error", Message: "error processing requests from scheduler",
			Fields: fs("caller", "scheduler_processor.go:111", "component", "querier", "err", "rpc error: code = Canceled desc = context canceled", "addr", "127.0.0.1:45223")}},
	{"logfmt Prometheus (recorded)", `ts=2026-12-01T06:51:48.271Z caller=web.go:503 level=info component=web msg="Start listening for connections" address=127.0.0.1:19391`,
		Line{Format: Logfmt, Time: utc("2026-12-01T06:51:48.271Z"), Level: "info", Message: "Start listening for connections",
			Fields: fs("caller", "web.go:503", "component", "web", "address", "127.0.0.1:19391")}},
	{"logfmt Prometheus without msg (recorded)", `ts=2026-12-01T06:51:48.270Z caller=main.go:558 level=info fd_limits="(soft=20000, hard=20000)"`,
		Line{Format: Logfmt, Time: utc("2026-12-01T06:51:48.270Z"), Level: "info",
			Fields: fs("caller", "main.go:558", "fd_limits", "(soft=20000, hard=20000)")}},
	{"logfmt escapes (recorded)", `ts=2026-12-01T06:52:12.479Z caller=main.go:469 level=error msg="Error loading config (--config.file=bad.yml)" err="parsing YAML file bad.yml: yaml: unmarshal errors:\n  line 5: field bogus not found in type config.ScrapeConfig"`,
		Line{Format: Logfmt, Time: utc("2026-12-01T06:52:12.479Z"), Level: "error", Message: "Error loading config (--config.file=bad.yml)",
			Fields: fs("caller", "main.go:469", "err", "parsing YAML file bad.yml: yaml: unmarshal errors:\n  line 5: field bogus not found in type config.ScrapeConfig")}},
	{"logfmt slog text", `time=2026-12-01T06:15:25.318+01:00 level=WARN source=main.go:12 msg="slow query" duration=2.1s`,
		Line{Format: Logfmt, Time: utc("2026-12-01T05:15:25.318Z"), Level: "warn", Message: "slow query",
			Fields: fs("source", "main.go:12", "duration", "2.1s")}},
	{"logfmt logrus text", `time="2026-12-01T06:15:25Z" level=warning msg="disk \"sda\" slow" device=sda`,
		Line{Format: Logfmt, Time: utc("2026-12-01T06:15:25Z"), Level: "warn", Message: `disk "sda" slow`,
			Fields: fs("device", "sda")}},
	{"logfmt Grafana t= lvl=", `t=2026-12-01T06:15:25.318+00:00 lvl=eror msg="Failed to send" logger=alerting error="dial tcp: refused"`,
		Line{Format: Logfmt, Time: utc("2026-12-01T06:15:25.318Z"), Level: "error", Message: "Failed to send",
			Fields: fs("logger", "alerting", "error", "dial tcp: refused")}},
	{"logfmt empty value and bare key", `level=debug msg=flush distinct_users= cached`,
		Line{Format: Logfmt, Level: "debug", Message: "flush", Fields: fs("distinct_users", "", "cached", "")}},
	{"logfmt single known pair", `msg=hello`, Line{Format: Logfmt, Message: "hello"}},
	{"logfmt pairs and a few words", `level=info msg=hello world`,
		Line{Format: Logfmt, Level: "info", Message: "hello", Fields: fs("world", "")}},
	{"logfmt not: a sentence with a stray =", `set x=1 for the user`, Line{Format: Plain, Message: `set x=1 for the user`}},
	{"logfmt not: one pair among words", `x=1 is bigger than two`, Line{Format: Plain, Message: `x=1 is bigger than two`}},
	{"logfmt not: first word not a pair", `Error: x=1, y=2`, Line{Format: Plain, Message: `Error: x=1, y=2`}},
	{"logfmt not: single unknown pair", `a=b`, Line{Format: Plain, Message: `a=b`}},
	{"logfmt not: unterminated quote", `level=info msg="oops`, Line{Format: Plain, Message: `level=info msg="oops`}},

	// console
	{"console HotROD redis timeout (recorded)", "2026-12-01T06:58:15.809Z\tERROR\tdriver/redis.go:70\tredis timeout\t{\"service\": \"driver\", \"trace_id\": \"dcd76eb49d0dd7053defdf5afe288910\", \"span_id\": \"750630ca4a078bdc\", \"driver_id\": \"T753547C\", \"error\": \"redis timeout\"}",
		Line{Format: Console, Time: utc("2026-12-01T06:58:15.809Z"), Level: "error", Message: "redis timeout",
			Fields: fs("caller", "driver/redis.go:70", "service", "driver", "trace_id", "dcd76eb49d0dd7053defdf5afe288910", "span_id", "750630ca4a078bdc", "driver_id", "T753547C", "error", "redis timeout")}},
	{"console HotROD without fields (recorded)", "2026-12-01T06:58:12.444Z\tINFO\tcobra@v1.10.1/command.go:1015\tStarting all services",
		Line{Format: Console, Time: utc("2026-12-01T06:58:12.444Z"), Level: "info", Message: "Starting all services",
			Fields: fs("caller", "cobra@v1.10.1/command.go:1015")}},
	{"console Jaeger v2 nested resource (recorded)", "2026-12-01T06:58:22.565Z\tinfo\tservice@v0.140.0/service.go:275\tShutdown complete.\t{\"resource\": {\"service.instance.id\": \"502d92c7-ea70-4b25-8c59-049d3f05d572\", \"service.name\": \"jaeger\", \"service.version\": \"\"}}",
		Line{Format: Console, Time: utc("2026-12-01T06:58:22.565Z"), Level: "info", Message: "Shutdown complete.",
			Fields: fs("caller", "service@v0.140.0/service.go:275", "resource", `{"service.instance.id": "502d92c7-ea70-4b25-8c59-049d3f05d572", "service.name": "jaeger", "service.version": ""}`)}},
	{"console zap without caller", "2026-12-01T06:15:25.318+0100\tWARN\tcache miss\t{\"key\": \"k1\"}",
		Line{Format: Console, Time: utc("2026-12-01T05:15:25.318Z"), Level: "warn", Message: "cache miss", Fields: fs("key", "k1")}},
	{"console zap named logger", "2026-12-01T06:15:25.318Z\tDPANIC\tauth.jwt\tjwt/verify.go:40\tbad key\t{\"kid\": 7}",
		Line{Format: Console, Time: utc("2026-12-01T06:15:25.318Z"), Level: "fatal", Message: "bad key",
			Fields: fs("logger", "auth.jwt", "caller", "jwt/verify.go:40", "kid", "7")}},
	{"console zap with stacktrace", "2026-12-01T06:15:25.318Z\tFATAL\tmain.go:9\tcannot start\t{\"err\": \"x\"}\nmain.main\n\t/src/main.go:9",
		Line{Format: Console, Time: utc("2026-12-01T06:15:25.318Z"), Level: "fatal", Message: "cannot start",
			Fields: fs("caller", "main.go:9", "err", "x", "stacktrace", "main.main\n\t/src/main.go:9")}},
	{"console zap epoch time", "1764569725.318\tinfo\tmain.go:1\tready",
		Line{Format: Console, Time: utc("2025-12-01T06:15:25.318Z"), Level: "info", Message: "ready", Fields: fs("caller", "main.go:1")}},
	{"console zap message with brace that is not JSON", "2026-12-01T06:15:25Z\tINFO\tmain.go:1\tgot\t{not json",
		Line{Format: Console, Time: utc("2026-12-01T06:15:25Z"), Level: "info", Message: "got\t{not json", Fields: fs("caller", "main.go:1")}},
	{"console address is not a caller", "2026-12-01T06:15:25Z\tINFO\t127.0.0.1:80\tlistening",
		Line{Format: Console, Time: utc("2026-12-01T06:15:25Z"), Level: "info", Message: "127.0.0.1:80\tlistening"}},
	{"console zerolog kitchen", `6:15AM INF main.go:12 > starting service=api port=8080 note="two words"`,
		Line{Format: Console, Time: utc("2026-12-01T06:15:00Z"), Level: "info", Message: "starting",
			Fields: fs("caller", "main.go:12", "service", "api", "port", "8080", "note", "two words")}},
	{"console zerolog kitchen later than now is yesterday", `11:59PM ERR failed err=EOF`,
		Line{Format: Console, Time: utc("2026-11-30T23:59:00Z"), Level: "error", Message: "failed", Fields: fs("err", "EOF")}},
	{"console zerolog RFC 3339", `2026-12-01T06:15:25Z WRN low disk free=3%`,
		Line{Format: Console, Time: utc("2026-12-01T06:15:25Z"), Level: "warn", Message: "low disk", Fields: fs("free", "3%")}},
	{"console pairs inside the message stay", `2026-12-01T06:15:25Z INF set a=1 then b`,
		Line{Format: Console, Time: utc("2026-12-01T06:15:25Z"), Level: "info", Message: "set a=1 then b"}},
	{"console log4j", `2026-12-01 06:15:25,318 INFO  [main] com.example.App - Started in 2.1s`,
		Line{Format: Console, Time: utc("2026-12-01T06:15:25.318Z"), Level: "info", Message: "[main] com.example.App - Started in 2.1s"}},
	{"console nginx error log", `2026/12/01 06:15:25 [error] 31#31: *1 open() "/usr/share/nginx/html/x" failed (2: No such file or directory), client: 172.17.0.1`,
		Line{Format: Console, Time: utc("2026-12-01T06:15:25Z"), Level: "error", Message: `31#31: *1 open() "/usr/share/nginx/html/x" failed (2: No such file or directory), client: 172.17.0.1`}},
	{"console Kafka", `[2026-12-01 06:15:25,318] WARN [KafkaServer id=1] shutting down (kafka.server.KafkaServer)`,
		Line{Format: Console, Time: utc("2026-12-01T06:15:25.318Z"), Level: "warn", Message: "[KafkaServer id=1] shutting down (kafka.server.KafkaServer)"}},
	{"a bracketed time without a level is plain", `[2026-12-01 06:15:25] something happened`,
		Line{Format: Plain, Message: `[2026-12-01 06:15:25] something happened`}},
	{"a Go log line is plain (recorded from Jaeger)", `2026/12/01 06:58:09 application version: git-commit=, git-version=, build-date=`,
		Line{Format: Plain, Message: `2026/12/01 06:58:09 application version: git-commit=, git-version=, build-date=`}},

	// klog
	{"klog", `I1201 06:15:25.318123    1 controller.go:70] Starting controller`,
		Line{Format: Klog, Time: utc("2026-12-01T06:15:25.318123Z"), Level: "info", Message: "Starting controller",
			Fields: fs("thread", "1", "caller", "controller.go:70")}},
	{"klog structured", `E1201 06:15:25.318123   12345 pod_workers.go:1301] "Error syncing pod, skipping" err="failed to \"StartContainer\"" pod="kube-system/coredns-5d78c9869d-abcde" podUID=9f7e`,
		Line{Format: Klog, Time: utc("2026-12-01T06:15:25.318123Z"), Level: "error", Message: "Error syncing pod, skipping",
			Fields: fs("thread", "12345", "caller", "pod_workers.go:1301", "err", `failed to "StartContainer"`, "pod", "kube-system/coredns-5d78c9869d-abcde", "podUID", "9f7e")}},
	{"klog quoted but not structured", `W1201 06:15:25.318123 7 a.go:1] "quoted" then words`,
		Line{Format: Klog, Time: utc("2026-12-01T06:15:25.318123Z"), Level: "warn", Message: `"quoted" then words`,
			Fields: fs("thread", "7", "caller", "a.go:1")}},
	{"klog December read in December is this year", `F1201 06:59:59.000000 1 m.go:2] dying`,
		Line{Format: Klog, Time: utc("2026-12-01T06:59:59Z"), Level: "fatal", Message: "dying", Fields: fs("thread", "1", "caller", "m.go:2")}},
	{"klog tomorrow is within the slack", `I1202 06:30:00.000000 1 m.go:2] ahead`,
		Line{Format: Klog, Time: utc("2026-12-02T06:30:00Z"), Level: "info", Message: "ahead", Fields: fs("thread", "1", "caller", "m.go:2")}},
	{"klog later this year is last year", `I1215 10:00:00.000000 1 m.go:2] old`,
		Line{Format: Klog, Time: utc("2025-12-15T10:00:00Z"), Level: "info", Message: "old", Fields: fs("thread", "1", "caller", "m.go:2")}},
	{"glog with year", `I20200308 23:47:32.089828 400441 config.cc:27] Loading user configuration`,
		Line{Format: Klog, Time: utc("2020-03-08T23:47:32.089828Z"), Level: "info", Message: "Loading user configuration",
			Fields: fs("thread", "400441", "caller", "config.cc:27")}},

	// access
	{"access combined", `127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326 "http://www.example.com/start.html" "Mozilla/4.08 [en] (Win98; I ;Nav)"`,
		Line{Format: Access, Time: utc("2000-10-10T20:55:36Z"), Level: "info", Message: "GET /apache_pb.gif HTTP/1.0",
			Fields: fs("remote_addr", "127.0.0.1", "user", "frank", "status", "200", "bytes", "2326", "referer", "http://www.example.com/start.html", "user_agent", "Mozilla/4.08 [en] (Win98; I ;Nav)")}},
	{"access nginx 502 with extra", `10.0.0.7 - - [01/Dec/2026:06:15:25 +0000] "POST /api/orders HTTP/1.1" 502 157 "-" "curl/8.5.0" 0.003`,
		Line{Format: Access, Time: utc("2026-12-01T06:15:25Z"), Level: "error", Message: "POST /api/orders HTTP/1.1",
			Fields: fs("remote_addr", "10.0.0.7", "status", "502", "bytes", "157", "user_agent", "curl/8.5.0", "extra", "0.003")}},
	{"access common 404, no bytes", `::1 - - [01/Dec/2026:06:15:25 +0100] "GET /missing HTTP/1.1" 404 -`,
		Line{Format: Access, Time: utc("2026-12-01T05:15:25Z"), Level: "warn", Message: "GET /missing HTTP/1.1",
			Fields: fs("remote_addr", "::1", "status", "404")}},
	{"access escaped quote in request", `192.0.2.1 - - [01/Dec/2026:06:15:25 +0000] "GET /q?x=\"y\" HTTP/1.1" 200 5`,
		Line{Format: Access, Time: utc("2026-12-01T06:15:25Z"), Level: "info", Message: `GET /q?x=\"y\" HTTP/1.1`,
			Fields: fs("remote_addr", "192.0.2.1", "status", "200", "bytes", "5")}},
	{"access Python http.server", `172.18.0.1 - - [29/Aug/2023 22:02:58] "GET / HTTP/1.1" 200 -`,
		Line{Format: Access, Time: utc("2023-08-29T22:02:58Z"), Level: "info", Message: "GET / HTTP/1.1",
			Fields: fs("remote_addr", "172.18.0.1", "status", "200")}},

	// syslog
	{"syslog RFC 3164", `<34>Oct 11 22:14:15 mymachine su: 'su root' failed for lonvick on /dev/pts/8`,
		Line{Format: Syslog, Time: utc("2026-10-11T22:14:15Z"), Level: "fatal", Message: "'su root' failed for lonvick on /dev/pts/8",
			Fields: fs("facility", "auth", "host", "mymachine", "app", "su")}},
	{"syslog RFC 3164 with pid, padded day", `<30>Dec  1 06:15:25 web-1 nginx[1234]: worker started`,
		Line{Format: Syslog, Time: utc("2026-12-01T06:15:25Z"), Level: "info", Message: "worker started",
			Fields: fs("facility", "daemon", "host", "web-1", "app", "nginx", "pid", "1234")}},
	{"syslog RFC 3164 without host", `<13>Dec  1 06:15:25 cron[9]: job done`,
		Line{Format: Syslog, Time: utc("2026-12-01T06:15:25Z"), Level: "info", Message: "job done",
			Fields: fs("facility", "user", "app", "cron", "pid", "9")}},
	{"syslog file line", `Dec  1 06:15:25 host sshd[123]: Accepted publickey for root`,
		Line{Format: Syslog, Time: utc("2026-12-01T06:15:25Z"), Message: "Accepted publickey for root",
			Fields: fs("host", "host", "app", "sshd", "pid", "123")}},
	{"syslog file line, day not padded", `Dec 1 06:15:25 host app: m`,
		Line{Format: Syslog, Time: utc("2026-12-01T06:15:25Z"), Message: "m", Fields: fs("host", "host", "app", "app")}},
	{"syslog RFC 3164, day not padded", `<14>Dec 1 06:15:25 host app: m`,
		Line{Format: Syslog, Time: utc("2026-12-01T06:15:25Z"), Level: "info", Message: "m", Fields: fs("facility", "user", "host", "host", "app", "app")}},
	{"syslog file line, day 31", `Oct 31 06:15:25 host app: m`,
		Line{Format: Syslog, Time: utc("2026-10-31T06:15:25Z"), Message: "m", Fields: fs("host", "host", "app", "app")}},
	{"syslog file line, no tag is not syslog", `Oct 31 06:15:25 host something happened`,
		Line{Format: Plain, Message: `Oct 31 06:15:25 host something happened`}},
	{"syslog file line, December read in December", `Dec 31 23:59:59 h kernel: late`,
		Line{Format: Syslog, Time: utc("2025-12-31T23:59:59Z"), Message: "late", Fields: fs("host", "h", "app", "kernel")}},
	{"syslog rsyslog RFC 3339 file line", `2026-12-01T06:15:25.318123+00:00 web-1 systemd[1]: Started nginx.`,
		Line{Format: Syslog, Time: utc("2026-12-01T06:15:25.318123Z"), Message: "Started nginx.",
			Fields: fs("host", "web-1", "app", "systemd", "pid", "1")}},
	{"syslog RFC 5424", `<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3" eventSource="Application" eventID="1011"] An application event log entry...`,
		Line{Format: Syslog, Time: utc("2003-10-11T22:14:15.003Z"), Level: "info", Message: "An application event log entry...",
			Fields: fs("facility", "local4", "host", "mymachine.example.com", "app", "evntslog", "msgid", "ID47", "iut", "3", "eventSource", "Application", "eventID", "1011")}},
	{"syslog RFC 5424 two SD elements, escapes, BOM", "<11>1 2026-12-01T06:15:25+01:00 h app 42 - [a x=\"1\"][b y=\"q\\\"\\]z\\n\"] \ufeffboom",
		Line{Format: Syslog, Time: utc("2026-12-01T05:15:25Z"), Level: "error", Message: "boom",
			Fields: fs("facility", "user", "host", "h", "app", "app", "pid", "42", "x", "1", "y", `q"]z\n`)}},
	{"syslog RFC 5424 nil values, no message", `<46>1 - - - - - -`,
		Line{Format: Syslog, Level: "info", Fields: fs("facility", "syslog")}},
	{"syslog RFC 5424 rsyslog", `<46>1 2017-04-27T07:50:47.381967+02:00 logserver rsyslogd - - [origin software="rsyslogd" swVersion="8.4.2"] start`,
		Line{Format: Syslog, Time: utc("2017-04-27T05:50:47.381967Z"), Level: "info", Message: "start",
			Fields: fs("facility", "syslog", "host", "logserver", "app", "rsyslogd", "software", "rsyslogd", "swVersion", "8.4.2")}},
	{"syslog PRI then anything", `<12>something odd`,
		Line{Format: Syslog, Level: "warn", Message: "something odd", Fields: fs("facility", "user")}},

	// plain
	{"plain", `just some text`, Line{Format: Plain, Message: `just some text`}},
	{"plain empty", ``, Line{Format: Plain}},
	{"plain HTML is not syslog", `<html><body>`, Line{Format: Plain, Message: `<html><body>`}},
	{"plain PRI too large", `<192>Oct 11 22:14:15 h su: x`, Line{Format: Plain, Message: `<192>Oct 11 22:14:15 h su: x`}},

	// bad input
	{"bad: looks like JSON but is not", `{"level":"error","msg":"unterminated`, Line{Format: Plain, Message: `{"level":"error","msg":"unterminated`}},
	{"bad: JSON then garbage", `{"msg":"x"} trailing`, Line{Format: Plain, Message: `{"msg":"x"} trailing`}},
	{"bad: JSON trailing comma", `{"msg":"x",}`, Line{Format: Plain, Message: `{"msg":"x",}`}},
	{"bad: JSON bad escape", `{"msg":"\q"}`, Line{Format: Plain, Message: `{"msg":"\q"}`}},
	{"bad: JSON raw control character", "{\"msg\":\"a\x01b\"}", Line{Format: Plain, Message: "{\"msg\":\"a\x01b\"}"}},
	{"bad: JSON leading zero", `{"n":01}`, Line{Format: Plain, Message: `{"n":01}`}},
	{"bad: invalid UTF-8 kept as written", "{\"msg\":\"caf\xe9\"}", Line{Format: JSON, Message: "caf\xe9"}},
	{"bad: invalid UTF-8 plain", "\xff\xfe\xfd", Line{Format: Plain, Message: "\xff\xfe\xfd"}},
	{"bad: only escape sequences", "\x1b[31m\x1b[1m\x1b]0;title\x07\x1b[0m", Line{Format: Plain, Message: "\x1b[31m\x1b[1m\x1b]0;title\x07\x1b[0m"}},
	{"bad: escape sequences in a logfmt value", "level=warn msg=\"\x1b[2J\x1b[Hcleared\" user=\x1b[31mroot", Line{Format: Logfmt, Level: "warn", Message: "\x1b[2J\x1b[Hcleared", Fields: fs("user", "\x1b[31mroot")}},
	{"bad: escaped escape sequence in a JSON value", `{"msg":"\u001b[31mred\u001b[0m","k":"\u0007"}`, Line{Format: JSON, Message: "\x1b[31mred\x1b[0m", Fields: fs("k", "\a")}},
	{"bad: zap line with escape sequences", "2026-12-01T06:15:25Z\tINFO\tm.go:1\t\x1b[31mred\t{\"k\": \"\\u001b]8;;x\\u0007\"}",
		Line{Format: Console, Time: utc("2026-12-01T06:15:25Z"), Level: "info", Message: "\x1b[31mred", Fields: fs("caller", "m.go:1", "k", "\x1b]8;;x\a")}},
	{"bad: a date that does not exist", `2026-02-30T06:15:25Z WRN no`, Line{Format: Plain, Message: `2026-02-30T06:15:25Z WRN no`}},
	{"bad: klog's month 13", `I1301 06:15:25.318123 1 a.go:1] x`, Line{Format: Plain, Message: `I1301 06:15:25.318123 1 a.go:1] x`}},
}

// equal compares two Lines, times as instants and no fields as none.
func equal(a, b Line) bool {
	if a.Format != b.Format || !a.Time.Equal(b.Time) || a.Level != b.Level || a.Message != b.Message || len(a.Fields) != len(b.Fields) {
		return false
	}
	for i := range a.Fields {
		if a.Fields[i] != b.Fields[i] {
			return false
		}
	}
	return true
}

func show(l Line) string {
	t := "-"
	if !l.Time.IsZero() {
		t = l.Time.UTC().Format(time.RFC3339Nano)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s %q %q", l.Format, t, l.Level, l.Message)
	for _, f := range l.Fields {
		fmt.Fprintf(&b, " %q=%q", f.Key, f.Value)
	}
	return b.String()
}

func TestParse(t *testing.T) {
	for _, tt := range parseCases {
		t.Run(tt.name, func(t *testing.T) {
			got := ParseAt(tt.line, now)
			if !equal(got, tt.want) {
				t.Errorf("ParseAt(%q)\n got %s\nwant %s", tt.line, show(got), show(tt.want))
			}
			if !got.Time.IsZero() && got.Time.Location() != time.UTC {
				t.Errorf("time in %v, want the reference's location", got.Time.Location())
			}
		})
	}
}

// TestParseIntoReuses checks that ParseInto gives what Parse gives
// whatever the Line held before, and reuses its fields' storage.
func TestParseIntoReuses(t *testing.T) {
	l := Line{Format: Syslog, Level: "fatal", Message: "old", Time: now, Fields: make([]Field, 3, 64)}
	l.Fields[0] = Field{"stale", "x"}
	storage := &l.Fields[:1][0]
	for _, tt := range parseCases {
		ParseIntoAt(tt.line, now, &l)
		if !equal(l, tt.want) {
			t.Errorf("ParseIntoAt(%q) after another line\n got %s\nwant %s", tt.line, show(l), show(tt.want))
		}
		if cap(l.Fields) != 64 || &l.Fields[:1][0] != storage {
			t.Fatalf("ParseIntoAt(%q) did not reuse the fields' storage", tt.line)
		}
	}
}

// TestParseLocation checks that a time without a zone is read in the
// reference's location, and one with a zone keeps its instant.
func TestParseLocation(t *testing.T) {
	loc := time.FixedZone("UTC+2", 2*3600)
	ref := time.Date(2026, 12, 1, 9, 0, 0, 0, loc)
	for _, tt := range []struct {
		line string
		want time.Time
	}{
		{"I1201 06:15:25.000000 1 a.go:1] x", time.Date(2026, 12, 1, 6, 15, 25, 0, loc)},
		{"2026-12-01 06:15:25 INFO x", time.Date(2026, 12, 1, 6, 15, 25, 0, loc)},
		{"2026-12-01T06:15:25Z INFO x", utc("2026-12-01T06:15:25Z")},
		{`{"ts":1764569725,"msg":"x"}`, utc("2025-12-01T06:15:25Z")},
	} {
		got := ParseAt(tt.line, ref)
		if !got.Time.Equal(tt.want) || got.Time.Location() != loc {
			t.Errorf("ParseAt(%q) time = %v, want %v in %v", tt.line, got.Time, tt.want, loc)
		}
	}
	// Parse's reference is now, in time.Local
	l := Parse("I0101 00:00:00.000000 1 a.go:1] x")
	if l.Time.Location() != time.Local || l.Time.After(time.Now().Add(yearSlack)) || time.Since(l.Time) > 367*24*time.Hour {
		t.Errorf("Parse: klog time %v not within the last year, in time.Local", l.Time)
	}
}

func TestLineField(t *testing.T) {
	l := ParseAt(`level=info a=1 b=2 a=3`, now)
	if v, ok := l.Field("a"); !ok || v != "1" {
		t.Errorf(`Field("a") = %q, %v; want the first, "1"`, v, ok)
	}
	if v, ok := l.Field("level"); ok {
		t.Errorf(`Field("level") = %q: the level is not a field`, v)
	}
	if _, ok := l.Field("zzz"); ok {
		t.Error(`Field("zzz") found`)
	}
}

func TestFormatString(t *testing.T) {
	for f, want := range map[Format]string{Plain: "plain", JSON: "json", Logfmt: "logfmt", Console: "console",
		Klog: "klog", Access: "access", Syslog: "syslog", Format(200): "plain"} {
		if got := f.String(); got != want {
			t.Errorf("Format(%d).String() = %q, want %q", f, got, want)
		}
	}
}

// readLines reads a file of recorded lines.
func readLines(t testing.TB, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return lines
}

// TestRecordedLines parses the lines recorded from real programs: each
// file's lines are all of its format (but the ones named in plain), with
// a level, a time and a message, and the whole parse matches its golden
// file (testdata/parsed/<file>.golden; -update rewrites it).
func TestRecordedLines(t *testing.T) {
	files, err := filepath.Glob("testdata/lines/*.log")
	if err != nil || len(files) == 0 {
		t.Fatalf("no recorded lines: %v", err)
	}
	formats := map[string]Format{"console": Console, "logfmt": Logfmt, "json": JSON}
	// the Go log line Jaeger prints before its logger is set up
	plain := map[string]bool{"2026/12/01 06:58:09 application version: git-commit=, git-version=, build-date=": true}
	for _, file := range files {
		name := filepath.Base(file)
		t.Run(name, func(t *testing.T) {
			kind := strings.TrimSuffix(name[strings.LastIndexByte(name, '-')+1:], ".log")
			want, ok := formats[kind]
			if !ok {
				t.Fatalf("file %s: name its format last (-console.log, -logfmt.log, -json.log)", name)
			}
			var b strings.Builder
			for _, line := range readLines(t, file) {
				l := ParseAt(line, now)
				fmt.Fprintln(&b, show(l))
				if plain[line] {
					if l.Format != Plain {
						t.Errorf("%q: format %v, want plain", line, l.Format)
					}
					continue
				}
				if l.Format != want || l.Level == "" || l.Time.IsZero() {
					t.Errorf("%q:\n got %s\nwant a %v line with a level and a time", line, show(l), want)
				}
				if l.Message == "" {
					if _, ok := l.Field("caller"); !ok {
						t.Errorf("%q: no message and no caller", line)
					}
				}
			}
			golden.CheckFile(t, "parsed/"+strings.TrimSuffix(name, ".log"), b.String())
		})
	}
}
