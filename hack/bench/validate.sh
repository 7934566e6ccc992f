#!/usr/bin/env bash
# Times `ferry validate` against trivy, conftest and tflint on one generated
# corpus (1,000 .tf files of ~50 lines, 5,000 Kubernetes documents), in the
# same run, and prints wall times and ratios. Peers are installed with
# `go install` into a cache directory on first use (trivy takes a long
# build on 2 cores). Run: make bench-validate
#   FERRY_BENCH_CACHE   cache dir for peer binaries and the corpus (~/.cache/ferry-bench)
#   FERRY_BENCH_RUNS    timed runs per tool, the best is reported (3)
#   FERRY_BENCH_SKIP    space-separated peers to skip (e.g. "trivy")
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
CACHE=${FERRY_BENCH_CACHE:-$HOME/.cache/ferry-bench}
BIN=$CACHE/bin
CORPUS=$CACHE/corpus
RUNS=${FERRY_BENCH_RUNS:-3}
SKIP=" ${FERRY_BENCH_SKIP:-} "
TRIVY_VERSION=v0.74.0
CONFTEST_VERSION=v0.71.1
TFLINT_VERSION=v0.64.0
mkdir -p "$BIN"

install() { # name module@version [env]
	local name=$1 mod=$2
	shift 2
	[[ -x $BIN/$name ]] && return 0
	echo "installing $name ($mod) into $BIN ..." >&2
	env GOBIN="$BIN" GOFLAGS=-mod=mod "$@" go install "$mod" >&2
}

skip() { [[ $SKIP == *" $1 "* ]]; }

skip trivy || install trivy "github.com/aquasecurity/trivy/cmd/trivy@$TRIVY_VERSION" GOEXPERIMENT=jsonv2
skip conftest || install conftest "github.com/open-policy-agent/conftest@$CONFTEST_VERSION"
skip tflint || install tflint "github.com/terraform-linters/tflint@$TFLINT_VERSION"

echo "building ferry ..." >&2
(cd "$ROOT" && go build -tags kustomize_disable_go_plugin_support -o "$BIN/ferry-bench" ./cmd/ferry)
echo "generating corpus in $CORPUS ..." >&2
(cd "$ROOT" && go run ./hack/bench/gencorpus -out "$CORPUS" -tf 1000 -k8s 5000)
echo "corpus: $(find "$CORPUS" -name '*.tf' | wc -l) .tf files ($(cat "$CORPUS"/terraform/*/*.tf | wc -l) lines), $(grep -c '^kind:' -r "$CORPUS/kubernetes" | awk -F: '{s+=$2} END {print s}') Kubernetes documents" >&2

# best_of CMD...: runs CMD $RUNS times (output discarded; exit codes 0-3 mean
# "ran and reported"), prints the best wall time in seconds.
best_of() {
	local best="" t0 t1 rc
	for _ in $(seq "$RUNS"); do
		t0=$(date +%s.%N)
		set +e
		"$@" >/dev/null 2>"$CACHE/last.err"
		rc=$?
		set -e
		t1=$(date +%s.%N)
		if ((rc > 3)); then
			echo "failed ($rc): $*" >&2
			tail -5 "$CACHE/last.err" >&2
			return 1
		fi
		best=$(awk -v a="$t0" -v b="$t1" -v best="$best" 'BEGIN { d = b - a; if (best == "" || d < best) best = d; printf "%.3f", best }')
	done
	echo "$best"
}

declare -A T
T[ferry]=$(best_of "$BIN/ferry-bench" validate "$CORPUS" --format json)
if ! skip trivy; then
	T[trivy]=$(best_of "$BIN/trivy" config --skip-check-update --quiet --cache-dir "$CACHE/trivy-cache" "$CORPUS")
fi
if ! skip conftest; then
	T[conftest]=$(best_of "$BIN/conftest" test --no-color -p "$ROOT/hack/bench/policy" "$CORPUS/kubernetes" "$CORPUS/terraform")
fi
if ! skip tflint; then
	T[tflint]=$(best_of "$BIN/tflint" --recursive --chdir "$CORPUS/terraform" --format compact)
fi

printf '\n%-10s %10s %12s\n' tool "wall (s)" "vs ferry"
for tool in ferry trivy conftest tflint; do
	[[ -n ${T[$tool]:-} ]] || continue
	printf '%-10s %10s %11sx\n' "$tool" "${T[$tool]}" "$(awk -v a="${T[$tool]}" -v f="${T[ferry]}" 'BEGIN { printf "%.1f", a / f }')"
done
echo "(best of $RUNS runs each, $(nproc) cores; load average $(cut -d' ' -f1-3 /proc/loadavg))"
