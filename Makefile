# Recours: the two set-up commands are `make run` and `make test`.
export GOTOOLCHAIN := local
export CGO_ENABLED := 1

GO          ?= go
BIN         := bin/recours
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2

.PHONY: all build run demo test test-short lint bench postgres clean assets

all: build

build:
	$(GO) build -o $(BIN) ./cmd/recours

## run: build and start the embedded default (Temporal, SQLite, worker, API) on :8080
run: build
	./$(BIN) dev

## demo: the embedded default with two years of history and live files at every stage
demo: build
	./$(BIN) dev --demo

## test: the whole suite, PostgreSQL included (started when it is not running); the
## fault tests last, alone, since they time faults against deadlines
test: postgres chromium
	$(GO) test -count=1 -timeout 25m $$($(GO) list ./... | grep -v /internal/faults)
	@$(call fuzz-each,$(FUZZ_SHORT_TIME))
	$(GO) test -count=1 -timeout 20m ./internal/faults/

## test-faults: the fault tests of the production topology alone (standalone Temporal, two APIs, two workers)
.PHONY: test-faults
test-faults: postgres
	$(GO) test -count=1 -timeout 20m -v -run TestFaults ./internal/faults/

## FUZZ_TARGETS: every fuzz target, package:name, one per decoder of untrusted input (the
## history file, each JSON body of the API, a typed reference or amount); their corpora are
## in each package's testdata/fuzz/<name>/, and a failing input the fuzzer finds lands there
FUZZ_TARGETS := \
	./internal/importer/fuzz:FuzzReader \
	./internal/jsonbody:FuzzDecodeComplaint \
	./internal/jsonbody:FuzzDecodeMediation \
	./internal/jsonbody:FuzzDecodeReferral \
	./internal/jsonbody:FuzzDecodeActionArgs \
	./internal/jsonbody:FuzzDecodeFollowUp \
	./internal/jsonbody:FuzzDecodeOverpayment \
	./internal/jsonbody:FuzzDecodeOverpaymentArgs \
	./internal/jsonbody:FuzzDecodeNewUser \
	./internal/jsonbody:FuzzDecodeGrant \
	./internal/jsonbody:FuzzDecodeNewToken \
	./internal/jsonbody:FuzzDecodeRecourseRoute \
	./internal/jsonbody:FuzzDecodeAny \
	./internal/domain:FuzzParseReference \
	./internal/domain:FuzzParseAmount
FUZZ_TIME       ?= 60s
FUZZ_SHORT_TIME ?= 5s
# fuzz-each runs each of FUZZ_TARGETS for $(1) (go test fuzzes one target of one package at a
# time). Go 1.26 may end a run that found nothing with "context deadline exceeded", a race of its
# fuzzing coordinator at the deadline (go.dev/issue/75804, fixed in Go 1.27): that alone, with no
# failing input written and no seed failing, is not a failure.
fuzz-each = set -e; log=$$(mktemp); trap 'rm -f "$$log" "$$log.rc"' EXIT; \
	for t in $(FUZZ_TARGETS); do set -- $$(echo $$t | tr : ' '); echo "fuzz $$2 ($$1) for $(1)"; \
	  { set +e; $(GO) test -run '^$$' -fuzz "^$$2\$$" -fuzztime $(1) $$1 2>&1; echo $$? > "$$log.rc"; } | tee "$$log"; \
	  [ "$$(cat "$$log.rc")" = 0 ] && continue; \
	  if grep -q 'context deadline exceeded' "$$log" && ! grep -q 'Failing input written\|failure while testing seed' "$$log"; then \
	    echo "$$2: not a failure (the fuzzer's deadline race, go.dev/issue/75804)"; continue; fi; \
	  exit 1; done

## fuzz: each fuzz target for FUZZ_TIME (60s)
.PHONY: fuzz fuzz-short
fuzz:
	@$(call fuzz-each,$(FUZZ_TIME))

## fuzz-short: each fuzz target for FUZZ_SHORT_TIME (5s), as make test does after the tests
fuzz-short:
	@$(call fuzz-each,$(FUZZ_SHORT_TIME))

## test-short: the fast tests only (no embedded server, no database server)
test-short:
	$(GO) test -count=1 -short ./internal/domain/... ./internal/calendar/...

## lint: formatting, vet and staticcheck
lint: workflow-deps
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) run $(STATICCHECK) ./...

## workflow-deps: workflow code links no database, web, PDF or mail library (only the domain,
## the SDK and activities/contract), so nothing but the SDK's rules bears on its determinism
.PHONY: workflow-deps
FORBIDDEN_IN_WORKFLOWS := ^(gorm\.io/|github\.com/gin-gonic/|github\.com/jackc/|github\.com/mattn/go-sqlite3|modernc\.org/sqlite|codeberg\.org/go-pdf/|recours/internal/pdfdoc|github\.com/wneessen/go-mail|recours/internal/store|recours/internal/messages|recours/activities$$|recours/api|recours/web|recours/internal/cases|recours/internal/httpx)
workflow-deps:
	@bad=$$($(GO) list -deps ./workflows | grep -E '$(FORBIDDEN_IN_WORKFLOWS)'); \
	if [ -n "$$bad" ]; then echo "workflows must import only the domain, the SDK and activities/contract; they link:"; echo "$$bad"; exit 1; fi

## bench: the throughput and latency figures of BENCHMARKS.md, on the embedded server
bench:
	$(GO) test -run '^$$' -bench . -benchtime 1x -count 1 -timeout 30m ./internal/bench/
	$(GO) test -run '^$$' -bench QueuePage -benchtime 200x -benchmem -count 1 ./web/

## postgres: make sure the local PostgreSQL the tests use is running
postgres:
	@sh deploy/dev/ensure-postgres.sh

## chromium: make sure the headless Chromium the browser tests drive is installed
.PHONY: chromium
chromium:
	@sh deploy/dev/ensure-chromium.sh

## assets: vendor the web interface's pinned npm packages (and their licences) into web/ui/static/vendor
assets:
	@set -e; htmx=2.0.11; normalize=3.0.1; tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	(cd "$$tmp" && echo '{"private":true}' > package.json && \
	  npm install --no-save --ignore-scripts --no-audit --no-fund htmx.org@$$htmx modern-normalize@$$normalize >/dev/null); \
	out=web/ui/static/vendor; rm -rf $$out; mkdir -p $$out; \
	cp "$$tmp/node_modules/htmx.org/dist/htmx.min.js" $$out/htmx.min.js; \
	cp "$$tmp/node_modules/htmx.org/LICENSE" $$out/htmx.LICENSE; \
	cp "$$tmp/node_modules/modern-normalize/modern-normalize.css" $$out/modern-normalize.css; \
	cp "$$tmp/node_modules/modern-normalize/license" $$out/modern-normalize.LICENSE; \
	printf 'htmx.org %s\nmodern-normalize %s\n' $$htmx $$normalize > $$out/VERSIONS; \
	echo "vendored into $$out: htmx.org $$htmx, modern-normalize $$normalize"

clean:
	rm -rf bin
