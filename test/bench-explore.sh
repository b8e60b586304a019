#!/usr/bin/env bash
# Times the explorer's first frame of a trace of about 10,000 spans from
# the real Jaeger: from starting `telx trace <id> -i` in a tmux pane until
# the waterfall's header is on the screen, side by side with curl fetching
# the same trace from /api/v3 to /dev/null, in the same run. The screen is
# polled, so a figure can be late by one poll (20 ms and a capture-pane).
# Run after `make backends` (which installs tmux).
#   bash test/bench-explore.sh [runs] [spans]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
spans=${2:-10000}
tmp=$(mktemp -d)
sock="telx-bench-$$"
trap 'tmux -L "$sock" kill-server 2>/dev/null || true; kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$tmp"' EXIT
CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$tmp/telx" ./cmd/telx # as `make build` and the release build it
go build -o "$tmp/telx-backends" ./test/cmd/telx-backends
"$tmp/telx-backends" -backends jaeger -big-trace-spans "$spans" >"$tmp/env" &
pid=$!
for _ in $(seq 1 120); do grep -q '^# started' "$tmp/env" && break; sleep 1; done
. "$tmp/env"
id=$TELX_DEMO_BIG_TRACE
url="$TELX_JAEGER_URL/api/v3/traces/$id"
n=$("$tmp/telx" trace "$id" -o json | grep -c '"spanId"')

now_ns() { date +%s%N; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# One tmux server for every run, so that its start is not counted: each
# run respawns the pane with a launcher that notes the time and execs
# telx. The first frame is there when the waterfall's header names the
# trace's span count. The screen is polled every 20 ms: polling faster
# takes the CPU telx and Jaeger need (two cores here).
cat >"$tmp/run" <<EOF
#!/bin/sh
date +%s%N >"$tmp/start"
TELX_JAEGER_URL=$TELX_JAEGER_URL TELX_LOKI_URL=http://127.0.0.1:9 TELX_PROMETHEUS_URL=http://127.0.0.1:9 exec "$tmp/telx" trace $id -i
EOF
chmod +x "$tmp/run"
tmux -L "$sock" new-session -d -x 200 -y 50 "sleep 1000"
tmux -L "$sock" set-option -g remain-on-exit on
frames=()
for i in $(seq 1 "$runs"); do
	tmux -L "$sock" respawn-pane -k "clear; sleep 1000"
	while tmux -L "$sock" capture-pane -p | grep -q "$n spans"; do sleep 0.005; done
	rm -f "$tmp/start"
	tmux -L "$sock" respawn-pane -k "$tmp/run"
	until [ -s "$tmp/start" ] && tmux -L "$sock" capture-pane -p | grep -q "$n spans"; do
		sleep 0.02
		if [ -s "$tmp/start" ] && (( ($(now_ns) - $(cat "$tmp/start")) / 1000000 > 30000 )); then
			echo "no waterfall after 30s:" >&2
			tmux -L "$sock" capture-pane -p >&2
			exit 1
		fi
	done
	frames+=($(( ($(now_ns) - $(cat "$tmp/start")) / 1000000 )))
done
tmux -L "$sock" kill-server 2>/dev/null || true

curls=()
for i in $(seq 1 "$runs"); do
	s=$(date +%s%N)
	curl -fsS -o /dev/null "$url"
	curls+=($(( ($(date +%s%N) - s) / 1000000 )))
done
frame_ms=$(printf '%s\n' "${frames[@]}" | median)
curl_ms=$(printf '%s\n' "${curls[@]}" | median)
echo "trace $id: $n spans, median of $runs runs"
echo "curl /api/v3 to /dev/null:          ${curl_ms} ms"
echo "telx trace -i, first waterfall:     ${frame_ms} ms"
awk -v t="$frame_ms" -v c="$curl_ms" 'BEGIN { if (c > 0) printf "ratio: %.2fx\n", t / c }'
