#!/usr/bin/env bash
# Records the fastest and the slowest of HotROD's /dispatch traces from the
# harness's real Jaeger (the one holding HotROD's traces), as Jaeger UI
# JSON (/api/traces/{id}): testdata/recorded/jaeger-hotrod-dispatch-fast.json
# and -slow.json, which telx compare's tests align. Run after `make backends`.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
env_file=$tmp/env
go build -o "$tmp/telx-backends" ./test/cmd/telx-backends
"$tmp/telx-backends" -backends jaeger,loki -backend-logs=false -alertmanager=false >"$env_file" &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$tmp"' EXIT
for _ in $(seq 1 180); do
	grep -q '^# started' "$env_file" && break
	sleep 1
done
. "$env_file"
J=$TELX_HOTROD_JAEGER_URL
# the /dispatch traces, by their root's duration
ids=$(curl -fsS "$J/api/traces?service=frontend&operation=/dispatch&limit=50&lookback=1h" | python3 -c '
import json, sys
rows = []
for t in json.load(sys.stdin)["data"]:
    roots = [s for s in t["spans"] if not s["references"]]
    rows.append((roots[0]["duration"], t["traceID"]))
rows.sort()
print(rows[0][1], rows[-1][1])')
read -r fast slow <<<"$ids"
out=testdata/recorded
curl -fsS "$J/api/traces/$fast" >"$out/jaeger-hotrod-dispatch-fast.json"
curl -fsS "$J/api/traces/$slow" >"$out/jaeger-hotrod-dispatch-slow.json"
ls -l "$out"/jaeger-hotrod-dispatch-*.json
