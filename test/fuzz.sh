#!/usr/bin/env bash
# Runs every native Go fuzz target of the repository (each func FuzzXxx in
# a _test.go file, found anew at every run, so a new target is picked up),
# one after another, for FUZZTIME each: Go fuzzes one target per
# invocation. Its seeds (f.Add and testdata/fuzz/FuzzXxx/) also run as
# plain tests in `make test`.
#
#   FUZZTIME      how long each target runs (default 10s; 10m for a campaign)
#   FUZZPARALLEL  fuzz workers per target (default 2)
#   FUZZMATCH     an extended regexp a target's "package/dir FuzzName" must
#                 match to run (default: all)
#   FUZZLOG       a directory to keep each target's output in (default: none)
#   FUZZMINIMIZETIME  how long Go may minimise an input (default 1s; Go's own
#                 60s lets a target spend a short run minimising one input
#                 that found new code instead of fuzzing)
#
# A failing input is written by Go to the target's testdata/fuzz/FuzzXxx/;
# keep it there as a seed once the bug is fixed. The script fails when a
# target fails, and also when a target sits in a package with a TestMain:
# Go runs TestMain in every fuzz worker, and the backend packages' TestMain
# starts real backends (their fuzz tests live in a fuzz/ package of their
# own for that reason).
#
# Go before 1.27 can fail a target at the end of -fuzztime with a bare
# "context deadline exceeded" although nothing was found (a race in its
# coordinator, go.dev/issue/75804). Such a run, with no failing input
# written and no other failure in its output, is reported as a flake and
# does not fail the script.
set -uo pipefail
cd "$(dirname "$0")/.."

FUZZTIME=${FUZZTIME:-10s}
FUZZPARALLEL=${FUZZPARALLEL:-2}
FUZZMATCH=${FUZZMATCH:-.}
FUZZLOG=${FUZZLOG:-}
FUZZMINIMIZETIME=${FUZZMINIMIZETIME:-1s}
GO=${GO:-go}

# "dir name" of every fuzz target, sorted
targets=$(grep -rHo --include='*_test.go' --exclude-dir=.git --exclude-dir=node_modules \
	'^func Fuzz[A-Za-z0-9_]*(' . |
	sed -E 's|^\./||; s|/[^/]*_test\.go:func (Fuzz[A-Za-z0-9_]*)\($| \1|' | sort -u)
if [ -z "$targets" ]; then
	echo "fuzz: no fuzz targets found" >&2
	exit 1
fi

[ -n "$FUZZLOG" ] && mkdir -p "$FUZZLOG"
out=$(mktemp -t telx-fuzz-XXXXXX)
trap 'rm -f "$out"' EXIT

failed=() flaked=() ran=0
start=$(date +%s)
printf '%-28s %-24s %8s %12s %8s %6s %s\n' PACKAGE TARGET TIME EXECS NEW SECS RESULT
while read -r dir name; do
	echo "$dir $name" | grep -Eq -- "$FUZZMATCH" || continue
	if grep -lq '^func TestMain(' "$dir"/*_test.go 2>/dev/null; then
		echo "fuzz: $dir $name: the package has a TestMain, which every fuzz worker would run; move the target to a package without one" >&2
		failed+=("$dir $name")
		continue
	fi
	corpus="$dir/testdata/fuzz/$name"
	before=$(ls "$corpus" 2>/dev/null | sort)
	t0=$(date +%s)
	"$GO" test -run '^$' -fuzz "^$name\$" -fuzztime "$FUZZTIME" -fuzzminimizetime "$FUZZMINIMIZETIME" -parallel "$FUZZPARALLEL" -timeout 0 "./$dir" >"$out" 2>&1
	status=$?
	secs=$(( $(date +%s) - t0 ))
	ran=$((ran + 1))
	[ -n "$FUZZLOG" ] && cp "$out" "$FUZZLOG/$(echo "$dir" | tr / -)-$name.log"
	# the last progress line: "fuzz: elapsed: 10s, execs: 12345 (1234/sec), new interesting: 3 (total: 20)"
	last=$(grep '^fuzz: elapsed:' "$out" | tail -1)
	execs=$(echo "$last" | sed -nE 's/.*execs: ([0-9]+).*/\1/p')
	new=$(echo "$last" | sed -nE 's/.*new interesting: ([0-9]+).*/\1/p')
	after=$(ls "$corpus" 2>/dev/null | sort)
	result=ok
	if [ $status -ne 0 ]; then
		written=$(comm -13 <(echo "$before") <(echo "$after") | grep -v '^$' || true)
		others=$(grep -E '^\s+(fuzz_test|[a-z_]+_test)\.go:[0-9]+:|panic:|fuzzing process hung|Failing input written' "$out" || true)
		if [ -z "$written" ] && [ -z "$others" ] && grep -q 'context deadline exceeded' "$out"; then
			result="flake (deadline at the end of -fuzztime, nothing found)"
			flaked+=("$dir $name")
		else
			result="FAIL${written:+: input written to $corpus/$written}"
			failed+=("$dir $name")
			sed 's/^/    /' "$out" >&2
		fi
	fi
	printf '%-28s %-24s %8s %12s %8s %6s %s\n' "$dir" "$name" "$FUZZTIME" "${execs:-?}" "${new:-?}" "$secs" "$result"
done <<<"$targets"

echo "fuzz: $ran targets in $(( $(date +%s) - start ))s, ${#failed[@]} failed, ${#flaked[@]} flaked"
if [ ${#failed[@]} -gt 0 ]; then
	printf 'fuzz: failed: %s\n' "${failed[@]}" >&2
	exit 1
fi
