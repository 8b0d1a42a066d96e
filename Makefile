# Recours: the two set-up commands are `make run` and `make test`.
export GOTOOLCHAIN := local
export CGO_ENABLED := 1

GO          ?= go
BIN         := bin/recours
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2

.PHONY: all build run demo test test-short lint bench postgres clean

all: build

build:
	$(GO) build -o $(BIN) ./cmd/recours

## run: build and start the embedded default (Temporal, SQLite, worker, API) on :8080
run: build
	./$(BIN) dev

## demo: the embedded default with two years of history and live files at every stage
demo: build
	./$(BIN) dev --demo

## test: the whole suite, PostgreSQL included (started when it is not running)
test: postgres chromium
	$(GO) test -count=1 -timeout 25m ./...

## test-short: the fast tests only (no embedded server, no database server)
test-short:
	$(GO) test -count=1 -short ./internal/domain/... ./internal/calendar/...

## lint: formatting, vet and staticcheck
lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) run $(STATICCHECK) ./...

## bench: the throughput and latency figures of BENCHMARKS.md, on the embedded server
bench:
	$(GO) test -run '^$$' -bench . -benchtime 1x -count 1 -timeout 30m ./internal/bench/

## postgres: make sure the local PostgreSQL the tests use is running
postgres:
	@sh deploy/dev/ensure-postgres.sh

## chromium: make sure the headless Chromium the browser tests drive is installed
.PHONY: chromium
chromium:
	@sh deploy/dev/ensure-chromium.sh

clean:
	rm -rf bin
