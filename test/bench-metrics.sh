#!/usr/bin/env bash
# Times the built `telx metrics` against `promtool query range` (from the
# same Debian package as Prometheus) on the same queries and range, on the
# real Prometheus seeded with the demo scenario, side by side in one run.
# Run after `make backends`.
#   bash test/bench-metrics.sh [runs]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-10}
tmp=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill $pid 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"' EXIT
CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$tmp/telx" ./cmd/telx # as `make build` and the release build it
go build -o "$tmp/telx-backends" ./test/cmd/telx-backends
"$tmp/telx-backends" -backends prometheus >"$tmp/env" &
pid=$!
for _ in $(seq 1 120); do grep -q '^# started' "$tmp/env" && break; sleep 1; done
. "$tmp/env"
promtool=$(command -v promtool)

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

# the three hours of backfilled history, at the scenario's 15s resolution
end=$(date +%s)
start=$((end - 3 * 3600 + 60))
echo "Prometheus $TELX_PROMETHEUS_URL ($("$promtool" --version 2>&1 | head -1)); range $((end - start))s at step 15s; median of $runs runs"
printf '%-56s %8s %8s %12s %8s\n' "query" "series" "points" "promtool ms" "telx ms"
for q in \
	'sum by (service_name) (rate(traces_span_metrics_calls_total[1m]))' \
	'traces_span_metrics_calls_total' \
	'traces_span_metrics_duration_milliseconds_bucket'; do
	"$tmp/telx" metrics "$q" --from "$start" --to "$end" --step 15s -o csv >"$tmp/out.csv" # warm up, and count
	points=$(($(wc -l <"$tmp/out.csv") - 1))
	series=$("$tmp/telx" metrics "$q" --from "$start" --to "$end" --step 15s -o json | grep -c '"labels"')
	p_ms=$(median_ms "$promtool" query range --start "$start" --end "$end" --step 15s "$TELX_PROMETHEUS_URL" "$q")
	t_ms=$(median_ms "$tmp/telx" metrics "$q" --from "$start" --to "$end" --step 15s --width 200)
	printf '%-56s %8d %8d %12d %8d\n' "${q:0:56}" "$series" "$points" "$p_ms" "$t_ms"
done
