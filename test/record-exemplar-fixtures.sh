#!/usr/bin/env bash
# Records the exemplar fixtures of telx metrics' tests from the real
# backends of the test harness: HotROD's Jaeger makes span metrics with
# exemplars of HotROD's traces, which Prometheus scrapes. It sends HotROD a
# /dispatch request every 3s for DURATION seconds (default 150), then
# records the p90 latency of /dispatch over that time and its exemplars.
# Run after `make backends`; it rewrites
# testdata/recorded/prometheus-hotrod-{latency,exemplars}.json.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-150}
tmp=$(mktemp -d)
env_file=$tmp/env
go build -o "$tmp/telx-backends" ./test/cmd/telx-backends
"$tmp/telx-backends" -backends jaeger,prometheus,loki -backend-logs=false -alertmanager=false >"$env_file" &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$tmp"' EXIT
for _ in $(seq 1 300); do
	grep -q '^# started' "$env_file" && break
	sleep 1
done
. "$env_file"
start=$(date +%s)
customers=(123 392 731 567)
i=0
while [ $(($(date +%s) - start)) -lt "$DURATION" ]; do
	curl -fsS -o /dev/null "$TELX_HOTROD_URL/dispatch?customer=${customers[$((i % 4))]}&nonse=0.$i"
	i=$((i + 1))
	sleep 3
done
sleep 4 # the last flush and scrape
end=$(date +%s)
out=testdata/recorded
p=$TELX_PROMETHEUS_URL/api/v1
b='jaeger_traces_span_metrics_duration_milliseconds_bucket{service_name="frontend",span_name="/dispatch"}'
curl -fsS "$p/query_range" --data-urlencode "query=histogram_quantile(0.9, sum by (le) (rate($b[15s])))" \
	-d "start=$start" -d "end=$end" -d step=3 >"$out/prometheus-hotrod-latency.json"
curl -fsS "$p/query_exemplars" --data-urlencode "query=$b" -d "start=$start" -d "end=$end" >"$out/prometheus-hotrod-exemplars.json"
echo "recorded $i requests' latency and exemplars from $start to $end into $out:"
ls -l "$out"/prometheus-hotrod-*
