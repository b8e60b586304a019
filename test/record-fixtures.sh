#!/usr/bin/env bash
# Records the JSON fixtures of telx's unit tests from the real backends of
# the test harness (scenario seed 1). Run after `make backends`; it
# rewrites the files under */testdata/recorded/.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
env_file=$tmp/env
go build -o "$tmp/telx-backends" ./test/cmd/telx-backends
"$tmp/telx-backends" -backends jaeger >"$env_file" &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$tmp"' EXIT
for _ in $(seq 1 120); do
	grep -q '^# started' "$env_file" && break
	sleep 1
done
. "$env_file"

out=testdata/recorded
mkdir -p "$out"
curl -fsS "$TELX_JAEGER_URL/api/traces/$TELX_DEMO_SKEWED_TRACE" >"$out/jaeger-api-trace.json"
curl -fsS "$TELX_JAEGER_URL/api/v3/traces/$TELX_DEMO_SKEWED_TRACE" >"$out/jaeger-apiv3-trace.json"
curl -fsS "$TELX_JAEGER_URL/api/traces/$TELX_DEMO_BIG_TRACE" >"$out/jaeger-api-big-trace.json"
curl -sS "$TELX_JAEGER_URL/api/v3/traces/0000000000000000000000000000abcd" >"$out/jaeger-apiv3-notfound.json"
echo "recorded into $out:"
ls -l "$out"
