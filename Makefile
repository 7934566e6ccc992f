# The two commands the README gives: `make demo` and `make test`.
SHELL := /bin/bash
GO ?= go

.PHONY: build setup test vet demo bench-validate bench-apply bench-agent

build:
	$(GO) build -o bin/ferry ./cmd/ferry

# Installs or builds everything the tests need (idempotent; reuses earlier builds).
setup:
	hack/setup.sh

vet:
	$(GO) vet ./...

test: setup vet
	$(GO) test -race -count=1 ./...

# Runs ferry's main job on the reference platform on this machine.
demo: build
	hack/demo.sh

# Times ferry validate against trivy, conftest and tflint on a generated corpus.
bench-validate:
	hack/bench/validate.sh

# Times ferry's Kubernetes apply against kubectl apply --server-side on the
# harness control plane (100 / 1,000 / 10,000 objects; needs make setup).
bench-apply:
	$(GO) build -o bin/bench-apply ./hack/bench/apply && bin/bench-apply

# The agent on the harness plane: push -> deployed and healthy through the
# webhook (20 pushes) and with polling only, hand edit -> healed, idle RSS
# and CPU (needs make setup).
bench-agent: setup
	$(GO) test -run '^$$' -bench BenchmarkAgent -benchtime 1x -timeout 30m ./internal/agent/
