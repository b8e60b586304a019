#!/usr/bin/env bash
# Installs the real backends telx's tests run against, pinned, and skips what
# is already there:
#   - Prometheus and promtool from Debian's package (prometheus);
#   - Alertmanager and amtool from Debian's package (prometheus-alertmanager),
#     its system service disabled: the harness starts its own on free ports;
#   - tmux from Debian's package, for the explorer's end-to-end test;
#   - Jaeger (and its HotROD demo application) and Loki (and logcli) built
#     from their Go modules through the nested modules in test/backends/, into
#     a cache outside the repository.
# The cache is $TELX_BACKENDS_DIR, by default ~/.cache/telx/backends; the test
# harness looks there too. Prints the directory of the built binaries.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
cache=${TELX_BACKENDS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/telx/backends}

log() { printf 'install-backends: %s\n' "$*" >&2; }

if ! command -v prometheus >/dev/null || ! command -v promtool >/dev/null; then
	log "installing prometheus from Debian's packages"
	sudo=""
	[ "$(id -u)" -eq 0 ] || sudo="sudo"
	export DEBIAN_FRONTEND=noninteractive
	$sudo apt-get update -qq
	$sudo apt-get install -y -qq --no-install-recommends prometheus >/dev/null
fi

if ! command -v prometheus-alertmanager >/dev/null || ! command -v amtool >/dev/null; then
	log "installing prometheus-alertmanager from Debian's packages"
	sudo=""
	[ "$(id -u)" -eq 0 ] || sudo="sudo"
	export DEBIAN_FRONTEND=noninteractive
	$sudo apt-get update -qq
	$sudo apt-get install -y -qq --no-install-recommends prometheus-alertmanager >/dev/null
	# The package enables a system service on :9093 and :9094; where
	# systemd runs, it may have started it. The harness needs none.
	if [ -d /run/systemd/system ]; then
		$sudo systemctl disable --now prometheus-alertmanager >/dev/null 2>&1 || true
	fi
fi

if ! command -v tmux >/dev/null; then
	log "installing tmux from Debian's packages"
	sudo=""
	[ "$(id -u)" -eq 0 ] || sudo="sudo"
	export DEBIAN_FRONTEND=noninteractive
	$sudo apt-get update -qq
	$sudo apt-get install -y -qq --no-install-recommends tmux >/dev/null
fi

# module_version DIR MODULE: the version DIR's go.mod pins for MODULE.
module_version() {
	(cd "$here/backends/$1" && go list -m -f '{{.Version}}' "$2")
}

# build DIR MODULE PKG BIN: builds PKG (a tool of the nested module DIR) into
# the cache, once per pinned version.
build() {
	local dir=$1 module=$2 pkg=$3 bin=$4 version out
	version=$(module_version "$dir" "$module")
	out="$cache/$dir-$version"
	if [ -x "$out/$bin" ]; then
		return
	fi
	log "building $bin $version into $out (first time only; minutes on 2 cores)"
	mkdir -p "$out"
	(cd "$here/backends/$dir" && CGO_ENABLED=0 go build -trimpath -o "$out/$bin.tmp" "$pkg")
	mv "$out/$bin.tmp" "$out/$bin"
}

build jaeger github.com/jaegertracing/jaeger github.com/jaegertracing/jaeger/cmd/jaeger jaeger
build jaeger github.com/jaegertracing/jaeger github.com/jaegertracing/jaeger/examples/hotrod hotrod
build loki github.com/grafana/loki/v3 github.com/grafana/loki/v3/cmd/loki loki
build loki github.com/grafana/loki/v3 github.com/grafana/loki/v3/cmd/logcli logcli

echo "$cache"
