package harness

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"text/template"
	"time"
)

// Ready timeouts. Loki holds its ingester back from ready for a while;
// the harness's config shortens that, but a loaded 2-core machine is slow.
const (
	jaegerReadyTimeout     = 90 * time.Second
	prometheusReadyTimeout = 90 * time.Second
	lokiReadyTimeout       = 120 * time.Second
)

var jaegerConfig = template.Must(template.New("jaeger").Parse(`# written by telx's test harness
service:
  extensions: [jaeger_storage, jaeger_query]
  pipelines:
    traces:
      receivers: [otlp]
      exporters: [jaeger_storage_exporter{{if .Metrics}}, spanmetrics{{end}}]
{{- if .Metrics}}
    metrics:
      receivers: [spanmetrics]
      exporters: [prometheus]
{{- end}}
  telemetry:
    metrics:
      level: none
    logs:
      level: info
extensions:
  jaeger_query:
    storage:
      traces: memstore
    # keep the spans as sent: telx's own tests look at clock skew
    max_clock_skew_adjust: 0s
    # no traces of its own: they would go to localhost:4317, where nothing
    # listens, and flushing them holds Jaeger's exit past the harness's 10s
    # grace on SIGTERM
    enable_tracing: false
    http:
      endpoint: 127.0.0.1:{{.HTTP}}
{{- if .CertFile}}
      tls:
        cert_file: {{.CertFile}}
        key_file: {{.KeyFile}}
{{- end}}
    grpc:
      endpoint: 127.0.0.1:{{.GRPC}}
{{- if .CertFile}}
      tls:
        cert_file: {{.CertFile}}
        key_file: {{.KeyFile}}
{{- end}}
  jaeger_storage:
    backends:
      memstore:
        memory:
          max_traces: 100000
receivers:
  otlp:
    protocols:
      http:
        endpoint: 127.0.0.1:{{.OTLP}}
exporters:
  jaeger_storage_exporter:
    trace_storage: memstore
{{- if .Metrics}}
  # span metrics with exemplars, in OpenMetrics when asked (Prometheus asks
  # first for it), under the namespace jaeger: the scenario's simulated span
  # metrics already have the connector's default names
  prometheus:
    endpoint: 127.0.0.1:{{.Metrics}}
    namespace: jaeger
    enable_open_metrics: true
connectors:
  spanmetrics:
    # the connector's exemplars last from one flush to the next (it clears
    # them): longer than Prometheus takes to scrape a new target once it is
    # ready (it applies new targets every 5s), for the spans sent then
    metrics_flush_interval: 10s
    exemplars:
      enabled: true
{{- end}}
`))

// startJaeger starts Jaeger v2 all-in-one with memory storage, as name (its
// config and log files are <dir>/<name>.yaml and .log); with sec, its query
// servers (HTTP and gRPC) serve TLS. With a metrics port, its span-metrics
// connector makes metrics (with exemplars) of the spans it receives, served
// there (Prometheus' text and OpenMetrics, /metrics) as
// jaeger_traces_span_metrics_*.
func startJaeger(ctx context.Context, name, bin, dir string, timeout time.Duration, sec *Secure, metrics int) (*process, *JaegerAddrs, error) {
	ports, err := freePorts(3)
	if err != nil {
		return nil, nil, err
	}
	a := &JaegerAddrs{HTTP: ports[0], GRPC: ports[1], OTLP: ports[2], Metrics: metrics}
	cfg := filepath.Join(dir, name+".yaml")
	vals := struct {
		JaegerAddrs
		CertFile, KeyFile string
	}{JaegerAddrs: *a}
	if sec.tls() {
		vals.CertFile, vals.KeyFile = sec.CertFile, sec.KeyFile
	}
	if err := writeTemplate(cfg, jaegerConfig, vals); err != nil {
		return nil, nil, err
	}
	client, err := sec.client()
	if err != nil {
		return nil, nil, err
	}
	p, err := startProcess(name, fmt.Sprintf("127.0.0.1:%d", a.HTTP), dir, bin, "--config", cfg)
	if err != nil {
		return nil, nil, err
	}
	if err := p.waitReady(ctx, client, fmt.Sprintf("%s://127.0.0.1:%d/api/services", sec.scheme(), a.HTTP), timeout); err != nil {
		p.Stop()
		return nil, nil, err
	}
	return p, a, nil
}

// JaegerAddrs are the ports Jaeger listens on, all on 127.0.0.1.
type JaegerAddrs struct {
	HTTP int // query: UI, /api, /api/v3
	GRPC int // query: api_v2 gRPC
	OTLP int // OTLP HTTP ingest
	// Metrics serves the span metrics (Prometheus' /metrics), 0 for none
	Metrics int
}

var lokiConfig = template.Must(template.New("loki").Parse(`# written by telx's test harness
auth_enabled: {{.Auth}}
server:
  http_listen_address: 127.0.0.1
  http_listen_port: {{.HTTP}}
  grpc_listen_address: 127.0.0.1
  grpc_listen_port: {{.GRPC}}
  log_level: info
common:
  instance_addr: 127.0.0.1
  path_prefix: {{.Dir}}
  storage:
    filesystem:
      chunks_directory: {{.Dir}}/chunks
      rules_directory: {{.Dir}}/rules
  replication_factor: 1
  ring:
    kvstore:
      store: inmemory
ingester:
  lifecycler:
    min_ready_duration: 0s
    final_sleep: 0s
# /loki/api/v1/patterns: the pattern ingester gets the pushed lines from the
# distributor within a second (its tee's batch interval) and answers from
# memory; it prunes patterns of fewer than 30 lines over the queried range.
pattern_ingester:
  enabled: {{not .PatternsOff}}
  lifecycler:
    min_ready_duration: 0s
    final_sleep: 0s
schema_config:
  configs:
    - from: 2020-10-24
      store: tsdb
      object_store: filesystem
      schema: v13
      index:
        prefix: index_
        period: 24h
limits_config:
  allow_structured_metadata: true
  # Loki's defaults, said here because telx relies on them: the volume
  # endpoints, and a detected_level structured metadata on every line
  # (from a level field, else the first level word of the line).
  volume_enabled: true
  discover_log_levels: true
  ingestion_rate_mb: 64
  ingestion_burst_size_mb: 128
  per_stream_rate_limit: 64MB
  per_stream_rate_limit_burst: 128MB
query_range:
  results_cache:
    cache:
      embedded_cache:
        enabled: false
analytics:
  reporting_enabled: false
`))

// startLoki starts Loki as a single binary with filesystem storage;
// multi-tenant (auth_enabled) when auth is set; with its pattern ingester
// unless patternsOff.
func startLoki(ctx context.Context, bin, dir string, timeout time.Duration, auth, patternsOff bool) (*process, int, error) {
	ports, err := freePorts(2)
	if err != nil {
		return nil, 0, err
	}
	data := filepath.Join(dir, "loki")
	if err := os.MkdirAll(data, 0o755); err != nil {
		return nil, 0, err
	}
	cfg := filepath.Join(dir, "loki.yaml")
	vals := struct {
		HTTP, GRPC  int
		Dir         string
		Auth        bool
		PatternsOff bool
	}{ports[0], ports[1], data, auth, patternsOff}
	if err := writeTemplate(cfg, lokiConfig, vals); err != nil {
		return nil, 0, err
	}
	p, err := startProcess("loki", fmt.Sprintf("127.0.0.1:%d", ports[0]), dir, bin, "-config.file="+cfg, "-target=all")
	if err != nil {
		return nil, 0, err
	}
	if err := p.waitReady(ctx, nil, fmt.Sprintf("http://127.0.0.1:%d/ready", ports[0]), timeout); err != nil {
		p.Stop()
		return nil, 0, err
	}
	return p, ports[0], nil
}

var prometheusConfig = template.Must(template.New("prometheus").Parse(`# written by telx's test harness
global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files:
  - {{.Rules}}
{{- if .Alertmanager}}
alerting:
  alertmanagers:
    - static_configs:
        - targets: ['{{.Alertmanager}}']
{{- end}}
scrape_configs:
  - job_name: spanmetrics
    honor_labels: true
    static_configs:
      - targets: ['{{.Target}}']
{{- if .Jaegers}}
  # the Jaegers' span-metrics connectors, whose exemplars Prometheus keeps
  # (--enable-feature=exemplar-storage) from their OpenMetrics answers
  - job_name: jaeger
    static_configs:
      - targets: [{{range $i, $t := .Jaegers}}{{if $i}}, {{end}}'{{$t}}'{{end}}]
{{- end}}
`))

// startPrometheus starts Prometheus on a data directory that may already
// hold backfilled blocks, scraping target (host:port) every second; with
// sec, behind TLS and basic auth (--web.config.file); sending its alerts
// to the Alertmanager at alertmanager (host:port) unless that is empty;
// also scraping the Jaegers' span metrics at jaegers (host:port each), and
// keeping exemplars.
func startPrometheus(ctx context.Context, bin, dir, data, target string, jaegers []string, rules, alertmanager string, timeout time.Duration, sec *Secure) (*process, int, error) {
	ports, err := freePorts(1)
	if err != nil {
		return nil, 0, err
	}
	cfg := filepath.Join(dir, "prometheus.yml")
	rulesPath := filepath.Join(dir, "rules.yml")
	if err := os.WriteFile(rulesPath, []byte(rules), 0o644); err != nil {
		return nil, 0, err
	}
	vals := struct {
		Rules, Target, Alertmanager string
		Jaegers                     []string
	}{rulesPath, target, alertmanager, jaegers}
	if err := writeTemplate(cfg, prometheusConfig, vals); err != nil {
		return nil, 0, err
	}
	addr := fmt.Sprintf("127.0.0.1:%d", ports[0])
	args := []string{
		"--config.file=" + cfg,
		"--storage.tsdb.path=" + data,
		"--web.listen-address=" + addr,
		"--log.level=info",
		"--enable-feature=exemplar-storage",
	}
	if alertmanager != "" {
		// Prometheus drops the alerts of its first evaluations, made before
		// it has discovered the Alertmanager, and would send them again only
		// a minute later
		args = append(args, "--rules.alert.resend-delay=1s")
	}
	if sec.tls() {
		web := filepath.Join(dir, "prometheus-web.yml")
		if err := sec.writePrometheusWebConfig(web); err != nil {
			return nil, 0, err
		}
		args = append(args, "--web.config.file="+web)
	}
	client, err := sec.client()
	if err != nil {
		return nil, 0, err
	}
	p, err := startProcess("prometheus", addr, dir, bin, args...)
	if err != nil {
		return nil, 0, err
	}
	if err := p.waitReady(ctx, client, sec.scheme()+"://"+addr+"/-/ready", timeout); err != nil {
		p.Stop()
		return nil, 0, err
	}
	return p, ports[0], nil
}

func writeTemplate(path string, t *template.Template, data any) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := t.Execute(f, data); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
