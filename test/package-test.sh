#!/usr/bin/env bash
# make package-test: builds a snapshot release for this machine only
# (goreleaser release --snapshot --clean --skip=publish on a copy of
# .goreleaser.yaml whose builds are for this GOOS and GOARCH alone: the
# release command has no --single-target, only goreleaser build has),
# installs its deb with dpkg, checks that `telx version` runs, that `man
# telx` finds the page and that the shell completion scripts are where the
# shells look, then removes the package again, whatever happened. Needs
# goreleaser on PATH (the Makefile installs it) and root or sudo for dpkg;
# installs man-db and bash-completion from Debian's packages when missing
# (bash-completion loads the installed script as a user's shell would).
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf 'package-test: %s\n' "$*" >&2; }
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"

if ! dpkg -s man-db >/dev/null 2>&1 || ! dpkg -s bash-completion >/dev/null 2>&1; then
	log "installing man-db and bash-completion from Debian's packages"
	export DEBIAN_FRONTEND=noninteractive
	$sudo apt-get update -qq
	$sudo apt-get install -y -qq --no-install-recommends man-db bash-completion >/dev/null
fi

if dpkg -s telx >/dev/null 2>&1; then
	log "a telx package is installed already: remove it first (dpkg -r telx)"
	exit 1
fi

# the release's configuration, for this machine's target alone
config=$(mktemp -t telx-goreleaser-XXXXXX.yaml)
trap 'rm -f "$config"' EXIT
goos=$(go env GOOS) goarch=$(go env GOARCH)
sed -e "s/^    goos: .*/    goos: [$goos]/" -e "s/^    goarch: .*/    goarch: [$goarch]/" .goreleaser.yaml >"$config"
grep -q "^    goos: \[$goos\]$" "$config" && grep -q "^    goarch: \[$goarch\]$" "$config" || {
	log "could not narrow .goreleaser.yaml's goos and goarch"
	exit 1
}

start=$(date +%s)
goreleaser release --snapshot --clean --skip=publish --config "$config" >dist.log 2>&1 || {
	cat dist.log >&2
	rm -f dist.log
	exit 1
}
mv dist.log dist/goreleaser.log
log "snapshot built in $(($(date +%s) - start))s"

arch=$(dpkg --print-architecture)
debs=(dist/*_"$arch".deb)
[ -f "${debs[0]}" ] || {
	log "no deb for $arch in dist/"
	ls dist >&2
	exit 1
}
deb=${debs[0]}
archive=(dist/telx_*_linux_"$(go env GOARCH)".tar.gz)
listing=$(tar -tzf "${archive[0]}")
for f in completions/telx.bash completions/telx.zsh completions/telx.fish completions/telx.ps1 manpages/telx.1.gz manpages/telx-logs.1.gz; do
	grep -qx "$f" <<<"$listing" || {
		log "the archive ${archive[0]} lacks $f"
		exit 1
	}
done
rpms=(dist/*.rpm)
[ -f "${rpms[0]}" ] || {
	log "no rpm in dist/"
	exit 1
}

trap 'rm -f "$config"; $sudo dpkg -r telx >/dev/null 2>&1 || true' EXIT
$sudo dpkg -i "$deb" >/dev/null
log "installed $deb"

fail=0
check() { # check WHAT COMMAND...: runs COMMAND, says WHAT failed
	local what=$1
	shift
	if ! "$@"; then
		log "FAIL: $what"
		fail=1
	fi
}
version=$(/usr/bin/telx version) || fail=1
check "telx version prints telx's version ($version)" grep -q '^telx ' <<<"$version"
check "man telx shows the page" sh -c 'MANPAGER=cat MANWIDTH=80 man telx 2>/dev/null | grep -q "telx - Traces, logs and metrics"'
check "man telx-logs shows the page" sh -c 'MANPAGER=cat man telx-logs 2>/dev/null | grep -q "telx-logs"'
for f in /usr/share/bash-completion/completions/telx /usr/share/zsh/vendor-completions/_telx /usr/share/fish/vendor_completions.d/telx.fish; do
	check "$f is installed" test -s "$f"
done
check "the bash completion defines its function" grep -q '__start_telx' /usr/share/bash-completion/completions/telx
# bash-completion finds the installed script by the command's name, as in
# a user's shell, and it completes a command's name and an -o format
check "bash completes 'telx ver' to version" bash -c '
	. /usr/share/bash-completion/bash_completion
	_completion_loader telx
	COMP_WORDS=(telx ver); COMP_CWORD=1; COMP_LINE="telx ver"; COMP_POINT=${#COMP_LINE}
	__start_telx telx ver telx >/dev/null 2>&1
	[ "${COMPREPLY[*]}" = "version" ]'
check "bash completes 'telx traces -o j' to json" bash -c '
	. /usr/share/bash-completion/bash_completion
	_completion_loader telx
	COMP_WORDS=(telx traces -o j); COMP_CWORD=3; COMP_LINE="telx traces -o j"; COMP_POINT=${#COMP_LINE}
	__start_telx telx j -o >/dev/null 2>&1
	[ "${COMPREPLY[*]}" = "json" ]'
check "dpkg lists the man pages" sh -c 'dpkg -L telx | grep -q "^/usr/share/man/man1/telx-traces.1.gz$"'

$sudo dpkg -r telx >/dev/null
rm -f "$config"
trap - EXIT
check "dpkg -r removed telx" test ! -e /usr/bin/telx
log "took $(($(date +%s) - start))s in all"
exit $fail
