# The two commands the README gives: `make demo` and `make test`.
SHELL := /bin/bash
GO ?= go
# kustomize_disable_go_plugin_support: no Go plugin loader in kustomize, so
# the linker does not export every symbol (a third smaller binary, 22 MB less
# RSS per process). internal/testenv.BuildTags says the same for test builds.
TAGS := kustomize_disable_go_plugin_support

.PHONY: build setup test vet demo bench-validate bench-apply bench-agent bench-flux bench-api bench-dashboard bench-preview

build:
	$(GO) build -tags $(TAGS) -o bin/ferry ./cmd/ferry

# Installs or builds everything the tests need (idempotent; reuses earlier builds).
setup:
	hack/setup.sh

vet:
	$(GO) vet -tags $(TAGS) ./...

test: setup vet
	$(GO) test -tags $(TAGS) -race -count=1 ./...

# Runs ferry's main job on the reference platform on this machine.
demo: build
	hack/demo.sh

# Times ferry validate against trivy, conftest and tflint on a generated corpus.
bench-validate:
	hack/bench/validate.sh

# Times ferry's Kubernetes apply against kubectl apply --server-side on the
# harness control plane (100 / 1,000 / 10,000 objects; needs make setup).
bench-apply:
	$(GO) build -tags $(TAGS) -o bin/bench-apply ./hack/bench/apply && bin/bench-apply

# The agent on the harness plane: push -> deployed and healthy through the
# webhook (20 pushes) and with polling only, hand edit -> detected and healed;
# a ferry serve process idle on the reference platform and with 10,000
# watched ConfigMaps: RSS, CPU, API writes; then side by side with Flux.
bench-agent: setup bench-flux
	$(GO) test -tags $(TAGS) -run '^$$' -bench 'BenchmarkAgent|BenchmarkServe' -benchtime 1x -timeout 60m ./internal/agent/

# ferry serve against Flux's source-, kustomize- and notification-controller
# (built from the Go module proxy into bin/flux) on one harness plane: push
# -> applied, no-op reconciles of 100 / 1,000 / 10,000 objects, hand edit
# -> corrected, steady-state memory and CPU; prints the table with ratios.
bench-flux: setup
	hack/bench/flux/build.sh
	$(GO) test -tags $(TAGS) -run '^$$' -bench BenchmarkFlux -benchtime 1x -timeout 120m ./hack/bench/flux/

# The API: GET /api/v1/environments at 200 requests/s for 30 s with 10,000
# deployments and 50,000 events in the store (SQLite and PostgreSQL; p50,
# p90, p99, max), and how soon an SSE client sees a deployment's status
# change (written in-process, and by another writer of the store).
bench-api: setup
	$(GO) test -tags $(TAGS) -run '^$$' -bench 'BenchmarkEnvironmentsLoad' -benchtime 1x -timeout 30m ./internal/server/
	$(GO) test -tags $(TAGS) -run '^$$' -bench 'BenchmarkStreamLatency' -benchtime 100x -timeout 30m ./internal/server/

# ferry preview of a change to 1,000 rendered objects (one dev overlay of
# 1,000 ConfigMaps), no cluster: both revisions checked, rendered, diffed.
bench-preview:
	$(GO) test -tags $(TAGS) -run '^$$' -bench BenchmarkPreview1000 -benchtime 5x -timeout 30m ./internal/preview/

# The dashboard: GET / (the pipeline page, rendered on the server) with
# 10,000 deployments and 50,000 events in the store, SQLite and PostgreSQL
# (p50, p99; the first page, which reads the lanes from Git, apart).
bench-dashboard: setup
	$(GO) test -tags $(TAGS) -run '^$$' -bench 'BenchmarkPipelinePage' -benchtime 500x -timeout 30m ./internal/dashboard/
