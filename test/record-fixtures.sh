#!/usr/bin/env bash
# Records the JSON fixtures of telx's unit tests from the real backends of
# the test harness (scenario seed 1). Run after `make backends`; it
# rewrites the files under testdata/recorded/ of the backends named
# (default: jaeger and loki), e.g. `bash test/record-fixtures.sh loki`.
set -euo pipefail
cd "$(dirname "$0")/.."
backends=("$@")
[ ${#backends[@]} -gt 0 ] || backends=(jaeger loki)
want() { [[ " ${backends[*]} " == *" $1 "* ]]; }
tmp=$(mktemp -d)
env_file=$tmp/env
go build -o "$tmp/telx-backends" ./test/cmd/telx-backends
# the scenario alone: HotROD's fixtures are test/record-hotrod-fixtures.sh's
"$tmp/telx-backends" -backends "$(IFS=,; echo "${backends[*]}")" -hotrod=false -backend-logs=false >"$env_file" &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$tmp"' EXIT
for _ in $(seq 1 180); do
	grep -q '^# started' "$env_file" && break
	sleep 1
done
. "$env_file"

out=testdata/recorded
mkdir -p "$out"
if want jaeger; then
	curl -fsS "$TELX_JAEGER_URL/api/traces/$TELX_DEMO_SKEWED_TRACE" >"$out/jaeger-api-trace.json"
	curl -fsS "$TELX_JAEGER_URL/api/v3/traces/$TELX_DEMO_SKEWED_TRACE" >"$out/jaeger-apiv3-trace.json"
	curl -fsS "$TELX_JAEGER_URL/api/traces/$TELX_DEMO_BIG_TRACE" >"$out/jaeger-api-big-trace.json"
	curl -sS "$TELX_JAEGER_URL/api/v3/traces/0000000000000000000000000000abcd" >"$out/jaeger-apiv3-notfound.json"
fi
if want loki; then
	L=$TELX_LOKI_URL
	cat="X-Loki-Response-Encoding-Flags: categorize-labels"
	now=$(date +%s%N)
	# two hostile lines: escape sequences, a bidi override, a newline
	curl -fsS -H 'Content-Type: application/json' "$L/loki/api/v1/push" --data-binary @- <<JSON
{"streams":[{"stream":{"service_name":"frontend","namespace":"shop","env":"demo"},"values":[
["$((now - 2000000000))","GET /search?q=\u001b[2J\u001b]0;pwned\u0007 400 1.2ms"],
["$((now - 1000000000))","level=error msg=\"user \u202egnp.exe\" note=\"two\nlines\" trace_id=$TELX_DEMO_SKEWED_TRACE"]]}]}
JSON
	sleep 1
	range=(--data-urlencode "start=$((now - 3600000000000))" --data-urlencode "end=$((now + 1000000000))")
	# the newest 40 lines of four services: text, logfmt, JSON and postgres' own
	curl -fsS -G -H "$cat" "$L/loki/api/v1/query_range" "${range[@]}" --data-urlencode 'limit=40' \
		--data-urlencode 'query={service_name=~"frontend|checkout|payments|postgres"}' >"$out/loki-query-range.json"
	# the same without categorize-labels: metadata merged into the stream labels
	curl -fsS -G "$L/loki/api/v1/query_range" "${range[@]}" --data-urlencode 'limit=10' \
		--data-urlencode 'query={service_name="payments"}' >"$out/loki-query-range-merged.json"
	# a parser's labels come apart from the stream's too
	curl -fsS -G -H "$cat" "$L/loki/api/v1/query_range" "${range[@]}" --data-urlencode 'limit=10' \
		--data-urlencode 'query={service_name="checkout"} | logfmt' >"$out/loki-query-range-logfmt.json"
	curl -fsS -G -H "$cat" "$L/loki/api/v1/query_range" "${range[@]}" --data-urlencode 'limit=1000' --data-urlencode 'direction=forward' \
		--data-urlencode "query={service_name=~\".+\"} | trace_id=\"$TELX_DEMO_SKEWED_TRACE\"" >"$out/loki-query-range-trace.json"
	curl -fsS -G -H "$cat" "$L/loki/api/v1/query_range" "${range[@]}" --data-urlencode 'step=300' \
		--data-urlencode 'query=sum by (service_name) (count_over_time({namespace="shop"}[5m]))' >"$out/loki-query-range-matrix.json"
	curl -fsS -G -H "$cat" "$L/loki/api/v1/query_range" "${range[@]}" \
		--data-urlencode 'query={service_name="no-such-service"}' >"$out/loki-query-range-empty.json"
	# the volume by level (telx logs --histogram) and Loki's patterns (--patterns)
	curl -fsS -G "$L/loki/api/v1/query_range" "${range[@]}" --data-urlencode 'step=300' \
		--data-urlencode 'query=sum by (detected_level, level) (count_over_time({service_name=~"frontend|checkout|payments|postgres"} | drop __error__, __error_details__ [5m]))' >"$out/loki-volume.json"
	for _ in $(seq 1 30); do # the pattern ingester receives the lines within a few seconds
		curl -fsS -G "$L/loki/api/v1/patterns" "${range[@]}" --data-urlencode 'step=300' \
			--data-urlencode 'query={service_name="checkout"}' >"$out/loki-patterns.json"
		grep -q '"pattern"' "$out/loki-patterns.json" && break
		sleep 1
	done
	curl -fsS -G "$L/loki/api/v1/labels" "${range[@]}" >"$out/loki-labels.json"
	curl -fsS -G "$L/loki/api/v1/label/service_name/values" "${range[@]}" >"$out/loki-label-values.json"
	curl -fsS -G "$L/loki/api/v1/series" "${range[@]}" --data-urlencode 'match[]={service_name="payments"}' >"$out/loki-series.json"
	curl -sS -G "$L/loki/api/v1/query_range" "${range[@]}" --data-urlencode 'query={service_name="payments"' \
		-o "$out/loki-error-parse.txt" -w '%{http_code}\n' >"$out/loki-error-parse.status"
	echo "$TELX_DEMO_SKEWED_TRACE" >"$out/loki-trace-id.txt"
fi
echo "recorded into $out:"
ls -l "$out"
