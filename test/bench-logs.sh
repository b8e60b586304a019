#!/usr/bin/env bash
# Fetches the same 50,000 lines from the real Loki with the built
# `telx logs -o raw` and with Loki's own `logcli query -o raw`, side by
# side in one run, and reports each one's wall time and peak RSS (GNU
# time). Run after `make backends`.
#   bash test/bench-logs.sh [runs] [lines]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
lines=${2:-50000}
if ! /usr/bin/time -v true 2>/dev/null; then
	echo "installing GNU time (Debian package time)" >&2
	if [ "$(id -u)" = 0 ]; then apt-get install -y -qq time >/dev/null; else sudo apt-get install -y -qq time >/dev/null; fi
fi
logcli=$(ls -d "${TELX_BACKENDS_DIR:-$HOME/.cache/telx/backends}"/loki-*/logcli | tail -1)
tmp=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill $pid 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"' EXIT
CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$tmp/telx" ./cmd/telx # as `make build` and the release build it
go build -o "$tmp/telx-backends" ./test/cmd/telx-backends
"$tmp/telx-backends" -backends loki -hotrod=false -backend-logs=false >"$tmp/env" &
pid=$!
for _ in $(seq 1 180); do grep -q '^# started' "$tmp/env" && break; sleep 1; done
. "$tmp/env"

# push $lines generated lines, 5,000 a request, 1 ms apart, three streams
start_s=$(( $(date +%s) - 600 ))
for ((b = 0; b < lines; b += 5000)); do
	awk -v b="$b" -v n="$lines" -v t0="${start_s}000" 'BEGIN { # t0 in ms: awk numbers are doubles
		printf "{\"streams\":["
		for (s = 0; s < 3; s++) {
			printf "%s{\"stream\":{\"job\":\"bench\",\"pod\":\"pod-%d\"},\"values\":[", (s ? "," : ""), s
			first = 1
			for (i = b + s; i < b + 5000 && i < n; i += 3) {
				printf "%s[\"%.0f000000\",\"level=info msg=\\\"request served\\\" path=/api/items/%d status=200 duration_ms=%d trace_id=%032x\"]", (first ? "" : ","), t0 + i, i, i % 997, i + 1
				first = 0
			}
			printf "]}"
		}
		printf "]}"
	}' | curl -fsS -H 'Content-Type: application/json' --data-binary @- "$TELX_LOKI_URL/loki/api/v1/push"
done
from=$(date -u -d "@$(( start_s - 1 ))" +%Y-%m-%dT%H:%M:%SZ)
to=$(date -u -d "@$(( start_s + lines / 1000 + 2 ))" +%Y-%m-%dT%H:%M:%SZ)
query='{job="bench"}'

telx_cmd=("$tmp/telx" logs "$query" --from "$from" --to "$to" --limit "$lines" -o raw --loki "$TELX_LOKI_URL")
logcli_cmd=("$logcli" query "$query" --from "$from" --to "$to" --limit "$lines" --batch 5000 -o raw -q --addr "$TELX_LOKI_URL")

# both must print the same lines
"${telx_cmd[@]}" | sort >"$tmp/telx.out"
"${logcli_cmd[@]}" | sort >"$tmp/logcli.out"
n_telx=$(wc -l <"$tmp/telx.out"); n_logcli=$(wc -l <"$tmp/logcli.out")
echo "lines: telx $n_telx, logcli $n_logcli (want $lines)"
if [ "$n_telx" != "$lines" ] || ! cmp -s "$tmp/telx.out" "$tmp/logcli.out"; then
	echo "telx and logcli printed different lines" >&2
	exit 1
fi

# one run: "<seconds> <peak RSS KiB>"
measure() {
	/usr/bin/time -v "$@" >/dev/null 2>"$tmp/time"
	awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i] }
		/Maximum resident set size/ { r = $2 } END { printf "%.2f %d\n", s, r }' "$tmp/time"
}
median() { sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
: >"$tmp/telx.runs"; : >"$tmp/logcli.runs"
for r in $(seq 1 "$runs"); do
	# alternate who goes first, so neither always meets a warm cache
	if ((r % 2)); then
		measure "${telx_cmd[@]}" >>"$tmp/telx.runs"; measure "${logcli_cmd[@]}" >>"$tmp/logcli.runs"
	else
		measure "${logcli_cmd[@]}" >>"$tmp/logcli.runs"; measure "${telx_cmd[@]}" >>"$tmp/telx.runs"
	fi
done
printf '%s lines from Loki, %s runs each (median; every run: wall s / peak RSS KiB)\n' "$lines" "$runs"
for tool in telx logcli; do
	wall=$(cut -d' ' -f1 "$tmp/$tool.runs" | median)
	rss=$(cut -d' ' -f2 "$tmp/$tool.runs" | median)
	printf '%-7s wall %6ss  peak RSS %7s KiB   (%s)\n' "$tool" "$wall" "$rss" "$(tr '\n' ',' <"$tmp/$tool.runs" | sed 's/,$//; s/,/; /g')"
done
