#!/bin/sh
# Writes telx's shell completion scripts into completions/ with the
# binary's own `telx completion <shell>` (cobra's): telx.bash, telx.zsh,
# telx.fish, telx.ps1. The release's before hook runs it; the archives and
# the deb and rpm packages carry the scripts (.goreleaser.yaml).
set -eu
cd "$(dirname "$0")/.."
rm -rf completions
mkdir completions
go build -o completions/.telx ./cmd/telx
for sh in bash zsh fish; do
	completions/.telx completion "$sh" >"completions/telx.$sh"
done
completions/.telx completion powershell >completions/telx.ps1
rm completions/.telx
