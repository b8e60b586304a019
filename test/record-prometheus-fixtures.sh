#!/usr/bin/env bash
# Records the Prometheus JSON fixtures of telx's unit tests from the real
# Prometheus of the test harness (scenario seed 1). Run after
# `make backends`; it rewrites testdata/recorded/prometheus-*.json.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
env_file=$tmp/env
go build -o "$tmp/telx-backends" ./test/cmd/telx-backends
"$tmp/telx-backends" -backends prometheus,jaeger >"$env_file" &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$tmp"' EXIT
for _ in $(seq 1 120); do
	grep -q '^# started' "$env_file" && break
	sleep 1
done
. "$env_file"
sleep 20 # let the alerting rules fire

out=testdata/recorded
mkdir -p "$out"
end=$(date +%s)
start=$((end - 3600))
p=$TELX_PROMETHEUS_URL/api/v1
curl -fsS "$p/query_range" --data-urlencode 'query=sum by (service_name) (rate(traces_span_metrics_calls_total[1m]))' \
	-d "start=$start" -d "end=$end" -d step=60 >"$out/prometheus-query-range.json"
curl -fsS "$p/query" --data-urlencode 'query=sum by (service_name, status_code) (traces_span_metrics_calls_total)' \
	-d "time=$end" >"$out/prometheus-query.json"
curl -fsS "$p/alerts" >"$out/prometheus-alerts.json"
curl -sS "$p/query" --data-urlencode 'query=sum(rate(traces_span_metrics_calls_total[5m])' >"$out/prometheus-bad-data.json"
curl -fsS "$p/query_range" --data-urlencode 'query=traces_span_metrics_calls_total{service_name="nope"}' \
	-d "start=$start" -d "end=$end" -d step=60 >"$out/prometheus-empty.json"
# exemplars of the Jaeger's span metrics (the scenario's traces, sent to
# it at the start; test/record-exemplar-fixtures.sh records HotROD's)
ex='jaeger_traces_span_metrics_duration_milliseconds_bucket{service_name="payments"}'
curl -fsS "$p/query_exemplars" --data-urlencode "query=$ex" -d "start=$((end - 600))" -d "end=$end" >"$out/prometheus-exemplars.json"
echo "recorded into $out:"
ls -l "$out"/prometheus-*
