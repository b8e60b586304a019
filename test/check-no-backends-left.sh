#!/usr/bin/env bash
# Fails when a backend started by the test harness is still running after
# the tests: the harness must stop every process it starts, pass or fail.
# Every one of them (Jaeger, HotROD, Prometheus, Alertmanager, Loki) has the
# run's directory, telx-harness-…, on its command line (its config, data or
# storage path), which is what this looks for.
# With a directory argument, only backends whose data lives under it count
# (make test gives each run its own TMPDIR); without, any harness backend.
pattern=${1:+$1/}telx-harness-
left=$(pgrep -af -- "$pattern" | grep -v -e pgrep -e check-no-backends-left || true)
if [ -n "$left" ]; then
	echo "backends left running after the tests:" >&2
	echo "$left" >&2
	exit 1
fi
echo "no backend left running"
