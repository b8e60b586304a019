#!/usr/bin/env bash
# Records the traces that telx compare's and the flame graph's tests use,
# from the harness's real Jaeger, as Jaeger UI JSON (/api/traces/{id}):
# the fastest and the slowest of HotROD's /dispatch traces
# (testdata/recorded/jaeger-hotrod-dispatch-fast.json and -slow.json, from
# the Jaeger holding HotROD's traces), and the slowest good and the slowest
# failed POST /api/checkout of the demo scenario (jaeger-checkout-ok.json
# and -failed.json, from the seeded Jaeger). Run after `make backends`.
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
# the demo scenario's checkouts: the slowest that succeeded, the slowest
# that failed
ids=$(curl -fsS "$TELX_JAEGER_URL/api/traces?service=frontend&operation=POST%20/api/checkout&limit=200&lookback=3h" | python3 -c '
import json, sys
ok, failed = [], []
for t in json.load(sys.stdin)["data"]:
    root = [s for s in t["spans"] if not s["references"]][0]
    errs = any(g["key"] == "error" and g["value"] in (True, "true") for s in t["spans"] for g in s["tags"])
    (failed if errs else ok).append((root["duration"], t["traceID"]))
print(max(ok)[1], max(failed)[1])')
read -r good bad <<<"$ids"
curl -fsS "$TELX_JAEGER_URL/api/traces/$good" >"$out/jaeger-checkout-ok.json"
curl -fsS "$TELX_JAEGER_URL/api/traces/$bad" >"$out/jaeger-checkout-failed.json"
ls -l "$out"/jaeger-hotrod-dispatch-*.json "$out"/jaeger-checkout-*.json
