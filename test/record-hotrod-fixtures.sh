#!/usr/bin/env bash
# Records Loki JSON fixtures of real applications' lines from the test
# harness's real Loki: HotROD's zap console lines (shipped by the harness
# as it ran Jaeger's HotROD demo, Options.HotROD) and the backends' own
# logs (Options.BackendLogs). Run after `make backends`; it rewrites
# testdata/recorded/loki-hotrod-*.json, loki-backends-*.json and
# loki-patterns-empty.json.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
env_file=$tmp/env
go build -o "$tmp/telx-backends" ./test/cmd/telx-backends
"$tmp/telx-backends" -hotrod -backend-logs >"$env_file" &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$tmp"' EXIT
for _ in $(seq 1 180); do
	grep -q '^# started' "$env_file" && break
	sleep 1
done
. "$env_file"

out=testdata/recorded
mkdir -p "$out"
L=$TELX_LOKI_URL
cat="X-Loki-Response-Encoding-Flags: categorize-labels"
end=$(date +%s%N)
range=(--data-urlencode "start=$((end - 600000000000))" --data-urlencode "end=$end")

# HotROD's driver: console lines with TABs, trace_id and span_id as
# structured metadata, Loki's detected_level
curl -fsS -G -H "$cat" "$L/loki/api/v1/query_range" "${range[@]}" --data-urlencode 'limit=20' \
	--data-urlencode 'query={job="hotrod", service_name="driver"}' >"$out/loki-hotrod-query-range.json"
# the lines of the failing redis-manual GetDriver span, found by its ID
curl -fsS -G -H "$cat" "$L/loki/api/v1/query_range" "${range[@]}" --data-urlencode 'limit=100' \
	--data-urlencode "query={service_name=~\".+\"} | span_id=\"$TELX_HOTROD_REDIS_TIMEOUT_SPAN\"" >"$out/loki-hotrod-span.json"
# volume by level, as Loki counts it
curl -fsS -G "$L/loki/api/v1/query_range" "${range[@]}" --data-urlencode 'step=60' \
	--data-urlencode 'query=sum by (detected_level) (count_over_time({service_name="driver", job="hotrod"}[1m]))' \
	>"$out/loki-hotrod-levels.json"
# patterns: the pattern ingester answers within a second of the push
for _ in $(seq 1 30); do
	curl -fsS -G "$L/loki/api/v1/patterns" "${range[@]}" \
		--data-urlencode 'query={service_name="driver", job="hotrod"}' >"$out/loki-hotrod-patterns.json"
	grep -q '"pattern"' "$out/loki-hotrod-patterns.json" && break
	sleep 1
done
curl -fsS -G "$L/loki/api/v1/patterns" "${range[@]}" \
	--data-urlencode 'query={service_name="no-such-service"}' >"$out/loki-patterns-empty.json"
# the backends' own lines: Loki's and Prometheus' logfmt, Jaeger's console
for b in loki prometheus jaeger; do
	curl -fsS -G -H "$cat" "$L/loki/api/v1/query_range" "${range[@]}" --data-urlencode 'limit=10' \
		--data-urlencode 'direction=forward' \
		--data-urlencode "query={job=\"backends\", service_name=\"$b\"}" >"$out/loki-backends-$b.json"
done
echo "recorded into $out:"
ls -l "$out"/loki-hotrod-* "$out"/loki-backends-* "$out"/loki-patterns-empty.json
