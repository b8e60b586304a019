#!/usr/bin/env bash
# Records the Alertmanager and Prometheus-rules JSON fixtures of telx's unit
# tests from the real Alertmanager and Prometheus of the test harness
# (scenario seed 1): the alerts in every state (one of them silenced by a
# silence made here, others inhibited), the alert groups, the silences (one
# active, one expired) and Prometheus' rules. Run after `make backends`; it
# rewrites testdata/recorded/alertmanager-*.json and prometheus-rules.json.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
env_file=$tmp/env
go build -o "$tmp/telx-backends" ./test/cmd/telx-backends
"$tmp/telx-backends" -backends prometheus >"$env_file" &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$tmp"' EXIT
for _ in $(seq 1 120); do
	grep -q '^# started' "$env_file" && break
	sleep 1
done
. "$env_file"
am=$TELX_ALERTMANAGER_URL
amtool --alertmanager.url="$am" silence add alertname=HighErrorRate service_name=checkout \
	--duration 2h --author oncall --comment "checkout deploy, ticket OPS-1234" >/dev/null
old=$(amtool --alertmanager.url="$am" silence add alertname=HighLatency 'service_name=~"front.*"' \
	--duration 1h --author oncall --comment "an older silence")
amtool --alertmanager.url="$am" silence expire "$old"
sleep 8 # Alertmanager marks the silenced alert

out=testdata/recorded
mkdir -p "$out"
curl -fsS "$am/api/v2/alerts?active=true&silenced=true&inhibited=true&unprocessed=true" >"$out/alertmanager-alerts.json"
curl -fsS "$am/api/v2/alerts/groups?active=true&silenced=true&inhibited=true&unprocessed=true" >"$out/alertmanager-groups.json"
curl -fsS "$am/api/v2/silences" >"$out/alertmanager-silences.json"
curl -fsS "$TELX_PROMETHEUS_URL/api/v1/rules" >"$out/prometheus-rules.json"
echo "recorded into $out:"
ls -l "$out"/alertmanager-* "$out"/prometheus-rules.json
