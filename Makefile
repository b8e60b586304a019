# telx: common tasks. `make test` is the one command that runs every test,
# the real-backend ones included, on a fresh machine.

GO       ?= go
BIN      ?= telx
PKG      := github.com/telx-cli/telx/internal/build
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT   ?= $(shell git rev-parse HEAD 2>/dev/null || echo unknown)
DATE     ?= $(shell date -u +%Y-%m-%dT%H:%M:%SZ)
LDFLAGS  := -s -w -X $(PKG).Version=$(VERSION) -X $(PKG).Commit=$(COMMIT) -X $(PKG).Date=$(DATE)
GORELEASER_VERSION := v2.15.0

.PHONY: all build test unit backends vet fmt-check release-check man completions package-test clean

all: build

## build: the telx binary, with version information
build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/telx

## backends: install Prometheus (Debian) and build Jaeger and Loki (cached)
backends:
	bash test/install-backends.sh

## test: every test, against real Jaeger, Prometheus and Loki
# The tests' temporary files, the backends' data dirs among them, go under a
# directory of this run's own, so that the last check finds exactly the
# backends this run started and no others on the machine.
test: backends fmt-check vet
	@run=$$(mktemp -d -t telx-test-XXXXXX); \
	CI=$${CI:-true} TMPDIR=$$run $(GO) test -count=1 -timeout 30m ./...; status=$$?; \
	bash test/check-no-backends-left.sh "$$run" || status=1; \
	rm -rf "$$run"; exit $$status

## unit: the tests that need no backend (backend tests skip outside CI)
unit:
	CI= $(GO) test ./...

vet:
	$(GO) vet ./...

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change: $$out"; exit 1; fi

## release-check: goreleaser accepts .goreleaser.yaml
release-check:
	@command -v goreleaser >/dev/null || $(GO) install github.com/goreleaser/goreleaser/v2@$(GORELEASER_VERSION)
	PATH="$$PATH:$$($(GO) env GOPATH)/bin" goreleaser check

## man: the man pages, one per command, gzipped into manpages/ (the
## release makes them too, in its before hook: they are not checked in)
man:
	$(GO) run ./internal/cmd/gendocs -out manpages -date "$$(git log -1 --format=%ct 2>/dev/null || date +%s)"

## completions: the shell completion scripts into completions/
completions:
	sh scripts/completions.sh

## package-test: a snapshot release for this machine (goreleaser), its deb
## installed with dpkg, checked (telx version, man telx, the bash
## completion) and removed again
package-test:
	@command -v goreleaser >/dev/null || $(GO) install github.com/goreleaser/goreleaser/v2@$(GORELEASER_VERSION)
	PATH="$$PATH:$$($(GO) env GOPATH)/bin" bash test/package-test.sh

clean:
	rm -rf $(BIN) dist completions manpages
