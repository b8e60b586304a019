#!/usr/bin/env bash
# Times the built `telx trace <id>` against the real Jaeger for a trace of
# about 10,000 spans, over HTTP /api/v3 and over gRPC (api_v3), side by
# side with curl fetching the same trace from /api/v3 to /dev/null, in the
# same run. Run after `make backends`.
#   bash test/bench-trace.sh [runs] [spans]
# With TELX_BASELINE set to another telx binary (an older build), that one
# is timed too, in the same run. Before and after the rounds it prints how
# long this machine takes to give a process fresh memory (see
# test/cmd/freshmem): telx's times follow it, and it can change from one
# minute to the next.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-10}
spans=${2:-10000}
tmp=$(mktemp -d)
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$tmp"' EXIT
CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$tmp/telx" ./cmd/telx # as `make build` and the release build it
go build -o "$tmp/telx-backends" ./test/cmd/telx-backends
go build -o "$tmp/freshmem" ./test/cmd/freshmem
"$tmp/telx-backends" -backends jaeger -big-trace-spans "$spans" >"$tmp/env" &
pid=$!
for _ in $(seq 1 120); do grep -q '^# started' "$tmp/env" && break; sleep 1; done
. "$tmp/env"
id=$TELX_DEMO_BIG_TRACE
url="$TELX_JAEGER_URL/api/v3/traces/$id"

# Each round runs every command once, in an order of its own (shuffled), so
# that Jaeger's own drift (its collector, its caches) falls on all of them
# alike: in a fixed order, a collection of Jaeger's every few answers can
# fall on the same command each round. Each one's time is the median of
# its rounds, in tenths of a millisecond.
cmds=(curl telx grpc)
[ -n "${TELX_BASELINE:-}" ] && cmds+=(base)
run() {
	case $1 in
	curl) curl -fsS -o /dev/null "$url" ;;
	telx) "$tmp/telx" trace "$id" -o text --width 200 ;;
	grpc) "$tmp/telx" trace "$id" -o text --width 200 --jaeger "grpc://$TELX_JAEGER_GRPC" ;;
	base) "$TELX_BASELINE" trace "$id" -o text --width 200 ;;
	esac
}
"$tmp/telx" trace "$id" -o text >/dev/null # warm up
n=$("$tmp/telx" trace "$id" -o json | grep -c '"spanId"')
echo "before the rounds:"
"$tmp/freshmem"
declare -A times
for _ in $(seq 1 "$runs"); do
	for c in $(printf '%s\n' "${cmds[@]}" | shuf); do
		s=$(date +%s%N)
		run "$c" >/dev/null
		e=$(date +%s%N)
		times[$c]+="$(( (e - s) / 100000 )) "
	done
done
median_ms() {
	printf '%s\n' ${times[$1]} | sort -n | awk '{a[NR]=$1} END {printf "%.1f", a[int((NR+1)/2)] / 10}'
}
curl_ms=$(median_ms curl)
telx_ms=$(median_ms telx)
grpc_ms=$(median_ms grpc)
base_ms=
[ -n "${TELX_BASELINE:-}" ] && base_ms=$(median_ms base)
# how long Jaeger takes to its answer's first byte: no client is faster
ttfb_ms=$(for _ in $(seq 1 "$runs"); do curl -fsS -o /dev/null -w '%{time_starttransfer}\n' "$url"; done |
	sort -n | awk '{a[NR]=$1} END {printf "%d", a[int((NR+1)/2)] * 1000}')
echo "after the rounds:"
"$tmp/freshmem"
echo "trace $id: $n spans, median of $runs runs"
echo "curl /api/v3 to /dev/null:  ${curl_ms} ms (Jaeger's first byte after ${ttfb_ms} ms)"
echo "telx trace -o text:         ${telx_ms} ms"
echo "telx trace -o text (gRPC):  ${grpc_ms} ms"
[ -n "$base_ms" ] && echo "baseline telx trace -o text: ${base_ms} ms ($TELX_BASELINE)"
awk -v t="$telx_ms" -v c="$curl_ms" 'BEGIN { if (c > 0) printf "ratio: %.2fx\n", t / c }'
awk -v g="$grpc_ms" -v t="$telx_ms" 'BEGIN { if (t > 0) printf "gRPC / HTTP: %.2fx\n", g / t }'
