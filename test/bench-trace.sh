#!/usr/bin/env bash
# Times the built `telx trace <id>` against the real Jaeger for a trace of
# about 10,000 spans, over HTTP /api/v3 and over gRPC (api_v3), side by
# side with curl fetching the same trace from /api/v3 to /dev/null, in the
# same run. Run after `make backends`.
#   bash test/bench-trace.sh [runs] [spans]
# With TELX_BASELINE set to another telx binary (an older build), that one
# is timed too, in the same run.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-10}
spans=${2:-10000}
tmp=$(mktemp -d)
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$tmp"' EXIT
go build -o "$tmp/telx" ./cmd/telx
go build -o "$tmp/telx-backends" ./test/cmd/telx-backends
"$tmp/telx-backends" -backends jaeger -big-trace-spans "$spans" >"$tmp/env" &
pid=$!
for _ in $(seq 1 120); do grep -q '^# started' "$tmp/env" && break; sleep 1; done
. "$tmp/env"
id=$TELX_DEMO_BIG_TRACE
url="$TELX_JAEGER_URL/api/v3/traces/$id"

# median of $runs runs of a command, in milliseconds
median_ms() {
	local times=()
	for _ in $(seq 1 "$runs"); do
		local s e
		s=$(date +%s%N)
		"$@" >/dev/null
		e=$(date +%s%N)
		times+=($(( (e - s) / 1000000 )))
	done
	printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}

"$tmp/telx" trace "$id" -o text >/dev/null # warm up
n=$("$tmp/telx" trace "$id" -o json | grep -c '"spanId"')
curl_ms=$(median_ms curl -fsS -o /dev/null "$url")
# how long Jaeger takes to its answer's first byte: no client is faster
ttfb_ms=$(for _ in $(seq 1 "$runs"); do curl -fsS -o /dev/null -w '%{time_starttransfer}\n' "$url"; done |
	sort -n | awk '{a[NR]=$1} END {printf "%d", a[int((NR+1)/2)] * 1000}')
telx_ms=$(median_ms "$tmp/telx" trace "$id" -o text --width 200)
grpc_ms=$(median_ms "$tmp/telx" trace "$id" -o text --width 200 --jaeger "grpc://$TELX_JAEGER_GRPC")
base_ms=
if [ -n "${TELX_BASELINE:-}" ]; then
	base_ms=$(median_ms "$TELX_BASELINE" trace "$id" -o text --width 200)
fi
echo "trace $id: $n spans, median of $runs runs"
echo "curl /api/v3 to /dev/null:  ${curl_ms} ms (Jaeger's first byte after ${ttfb_ms} ms)"
echo "telx trace -o text:         ${telx_ms} ms"
echo "telx trace -o text (gRPC):  ${grpc_ms} ms"
[ -n "$base_ms" ] && echo "baseline telx trace -o text: ${base_ms} ms ($TELX_BASELINE)"
awk -v t="$telx_ms" -v c="$curl_ms" 'BEGIN { if (c > 0) printf "ratio: %.2fx\n", t / c }'
awk -v g="$grpc_ms" -v t="$telx_ms" 'BEGIN { if (t > 0) printf "gRPC / HTTP: %.2fx\n", g / t }'
