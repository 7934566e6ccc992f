#!/usr/bin/env bash
# Installs or builds everything ferry's tests need, into the git-ignored bin/.
# Idempotent: a second run reuses earlier builds and finishes in seconds.
#
#   required   git, go, etcd (Debian etcd-server), terraform >= 1.5,
#              PostgreSQL (initdb/pg_ctl; Debian postgresql),
#              prometheus + promtool (Debian prometheus),
#              chromium + chromedriver (Debian chromium, chromium-driver),
#              node + npm, and the npm packages of NPM_PACKAGES in bin/npm,
#              kube-apiserver, kube-controller-manager, kube-scheduler
#              (built from the hack/tools module), kwok + its stage files,
#              the Argo CD and Flux CRDs (bin/crds, from their Go modules)
#   optional   kubectl (benchmarks only)
#
# Honours GOFLAGS and the Go build cache (GOCACHE); builds with -trimpath.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BIN=$ROOT/bin
KWOK_VERSION=v0.7.0
# The CRDs ferry export's objects are validated against (bin/crds).
ARGOCD_MODULE=github.com/argoproj/argo-cd/v3@v3.5.5 # v3.6 needs Go 1.27
FLUX_MODULES=(github.com/fluxcd/source-controller@v1.9.6 github.com/fluxcd/kustomize-controller@v1.9.6)
KUBE_BINS=(kube-apiserver kube-controller-manager kube-scheduler)
export GOWORK=off

t_all=$(date +%s.%N)
log() { printf 'setup: %s\n' "$*" >&2; }
die() {
  printf 'setup: ERROR: %s\n' "$1" >&2
  [ $# -gt 1 ] && printf 'setup: Try: %s\n' "$2" >&2
  exit 1
}
since() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1fs", b - a }'; }
TIMINGS=()
timed() { # timed LABEL CMD...: run CMD, remember how long it took
  local label=$1 t0
  shift
  t0=$(date +%s.%N)
  "$@"
  TIMINGS+=("$label $(since "$t0")")
}

SUDO=()
if [ "$(id -u)" != 0 ]; then SUDO=(sudo); fi
APT_UPDATED=
apt_install() {
  command -v apt-get >/dev/null ||
    die "need the Debian package(s) $* but apt-get is missing" "install $* with your package manager"
  if [ -z "$APT_UPDATED" ]; then
    log "apt-get update"
    "${SUDO[@]}" apt-get update -qq || die "apt-get update failed"
    APT_UPDATED=1
  fi
  log "apt-get install $*"
  DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y -qq --no-install-recommends "$@" >/dev/null ||
    die "apt-get install $* failed"
}

# version_ge A B: is dotted version A >= B?
version_ge() { [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n1)" = "$2" ]; }

check_basics() {
  command -v git >/dev/null || apt_install git
  command -v git >/dev/null || die "git is required" "apt-get install -y git"
  command -v go >/dev/null || die "go is required (Go 1.26)" "install Go 1.26 and put it on PATH"
  log "git $(git --version | awk '{print $3}'), $(go version | awk '{print $3}')"
}

check_etcd() {
  command -v etcd >/dev/null || apt_install etcd-server
  command -v etcd >/dev/null || die "etcd is required and etcd-server did not provide it" "apt-get install -y etcd-server"
  log "etcd $(etcd --version | awk '/etcd Version/ {print $3}') at $(command -v etcd)"
}

check_terraform() {
  local tf v
  tf=$(command -v terraform) ||
    die "terraform >= 1.5 is required on PATH (tests plan and apply terraform_data configurations)" \
      "install Terraform >= 1.5 from HashiCorp's release archive or package repository, then rerun make setup"
  v=$(terraform version 2>/dev/null | awk 'NR == 1 { sub(/^v/, "", $2); print $2 }')
  version_ge "$v" 1.5.0 || die "terraform $v at $tf is older than 1.5" "install Terraform >= 1.5"
  log "terraform $v at $tf"
}

pg_bindir() { # newest /usr/lib/postgresql/<version>/bin, or nothing
  local d
  for d in /usr/lib/postgresql/*/bin; do [ -d "$d" ] && printf '%s\n' "$d"; done | sort -V | tail -n1
}
check_postgres() {
  local dir
  dir=$(pg_bindir)
  if [ -z "$dir" ] || [ ! -x "$dir/initdb" ]; then
    apt_install postgresql
    dir=$(pg_bindir)
  fi
  if [ -z "$dir" ] || [ ! -x "$dir/initdb" ] || [ ! -x "$dir/pg_ctl" ]; then
    die "PostgreSQL (initdb, pg_ctl) is required" "apt-get install -y postgresql"
  fi
  log "postgresql $("$dir/initdb" --version | awk '{print $3}') at $dir"
}

check_prometheus() {
  if ! command -v prometheus >/dev/null || ! command -v promtool >/dev/null; then
    apt_install prometheus
  fi
  command -v prometheus >/dev/null && command -v promtool >/dev/null ||
    die "prometheus and promtool are required (tests scrape ferry serve, check metrics and test alert rules)" "apt-get install -y prometheus"
  log "prometheus $(prometheus --version 2>&1 | awk 'NR == 1 {print $3}') at $(command -v prometheus)"
}

# check_chromium: the dashboard's browser tests drive Debian's Chromium.
check_chromium() {
  if ! command -v chromium >/dev/null; then
    apt_install chromium chromium-driver
  fi
  command -v chromium >/dev/null ||
    die "chromium is required (the dashboard's tests run in a real browser)" "apt-get install -y chromium chromium-driver"
  log "$(chromium --version 2>/dev/null | head -n1) at $(command -v chromium)"
}

# npm packages tests check ferry's output with (their versions are pinned
# here and in the tests): @elastic/ecs, the ECS field definitions;
# axe-core, the accessibility rules the dashboard's browser tests inject;
# @backstage/catalog-model and @backstage/plugin-scaffolder-common (its
# Template validator), Backstage's own entity validators, which the
# catalog tests run over every entity ferry catalog writes and the template.
NPM_PACKAGES=("@elastic/ecs@9.4.0" "axe-core@4.14.1" "@backstage/catalog-model@1.10.3" "@backstage/plugin-scaffolder-common@2.4.0")
install_npm_packages() {
  command -v npm >/dev/null || apt_install nodejs npm
  command -v node >/dev/null && command -v npm >/dev/null ||
    die "node and npm are required (tests check ferry's ECS logs against @elastic/ecs)" "apt-get install -y nodejs npm"
  local stamp="$BIN/npm/.installed" want
  want=$(printf '%s\n' "${NPM_PACKAGES[@]}")
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    log "npm packages up to date (${NPM_PACKAGES[*]})"
    return
  fi
  mkdir -p "$BIN/npm"
  log "npm install ${NPM_PACKAGES[*]} into bin/npm"
  npm install --prefix "$BIN/npm" --no-audit --no-fund --no-save --loglevel=error "${NPM_PACKAGES[@]}" >/dev/null ||
    die "npm install ${NPM_PACKAGES[*]} failed" "check that the npm registry is reachable (npm ping)"
  printf '%s' "$want" >"$stamp"
}

check_kubectl() {
  if command -v kubectl >/dev/null; then
    log "kubectl at $(command -v kubectl) (optional)"
  else
    log "kubectl not found: optional, only the benchmarks use it (apt-get install -y kubectl where available)"
  fi
}

# kube_ldflags stamps the release version into the binaries, as Kubernetes'
# own build does (hack/lib/version.sh): built from the module proxy they
# would report v0.0.0-master, which clients that check the server version
# (Helm's kubeVersion constraints, .Capabilities.KubeVersion) reject.
kube_ldflags() {
  local v major minor flags=() pkg
  v=$(awk '$1 == "k8s.io/kubernetes" && $2 ~ /^v/ {print $2; exit}' "$ROOT/hack/tools/go.mod")
  [[ $v =~ ^v([0-9]+)\.([0-9]+)\. ]] || die "cannot read the k8s.io/kubernetes version from hack/tools/go.mod"
  major=${BASH_REMATCH[1]} minor=${BASH_REMATCH[2]}
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    flags+=("-X=$pkg.gitVersion=$v" "-X=$pkg.gitMajor=$major" "-X=$pkg.gitMinor=$minor"
      "-X=$pkg.gitTreeState=clean" "-X=$pkg.gitCommit=" "-X=$pkg.buildDate=1970-01-01T00:00:00Z")
  done
  echo "${flags[*]}"
}

# The stamp changes when anything that decides the kube binaries changes.
kube_stamp() {
  (cd "$ROOT/hack/tools" && cat go.mod go.sum ./*/main.go) | sha256sum | awk '{print $1}'
  go version
  printf 'GOFLAGS=%s\nldflags=%s\n' "${GOFLAGS:-}" "$(kube_ldflags)"
}

build_kube() {
  local stamp ldflags want=() b
  ldflags=$(kube_ldflags) || exit 1
  stamp=$(kube_stamp) || exit 1
  if [ "$(cat "$BIN/.kube-tools.stamp" 2>/dev/null)" != "$stamp" ]; then
    want=("${KUBE_BINS[@]}")
  else
    for b in "${KUBE_BINS[@]}"; do [ -x "$BIN/$b" ] || want+=("$b"); done
  fi
  if [ ${#want[@]} -eq 0 ]; then
    log "kube binaries up to date (${KUBE_BINS[*]})"
    return
  fi
  log "building ${want[*]} from k8s.io/kubernetes (hack/tools; ~6-7 min on 2 cores when the build cache is cold)"
  rm -f "$BIN/.kube-tools.stamp"
  (cd hack/tools && go build -trimpath -ldflags="$ldflags" -o "$BIN/" "${want[@]/#/./}") ||
    die "building ${want[*]} failed" "check the Go module proxy is reachable (go env GOPROXY) and rerun make setup"
  printf '%s\n' "$stamp" >"$BIN/.kube-tools.stamp"
}

build_kwok() {
  local stamp
  stamp="kwok $KWOK_VERSION $(go version) GOFLAGS=${GOFLAGS:-}"
  if [ -x "$BIN/kwok" ] && [ "$(cat "$BIN/.kwok.stamp" 2>/dev/null)" = "$stamp" ]; then
    log "kwok $KWOK_VERSION up to date"
  else
    log "building kwok $KWOK_VERSION"
    rm -f "$BIN/.kwok.stamp"
    GOBIN=$BIN go install -trimpath "sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION" ||
      die "go install kwok@$KWOK_VERSION failed" "check the Go module proxy is reachable and rerun make setup"
    printf '%s\n' "$stamp" >"$BIN/.kwok.stamp"
  fi
  copy_kwok_stages
}

# kwok does nothing without Stage configs; take the ones its module ships.
copy_kwok_stages() {
  local dir src out=$BIN/kwok-stages f
  dir=$(cd / && go mod download -json "sigs.k8s.io/kwok@$KWOK_VERSION" | awk -F'"' '/"Dir":/ {print $4}') ||
    die "go mod download sigs.k8s.io/kwok@$KWOK_VERSION failed" "check the Go module proxy is reachable"
  if [ -z "$dir" ] || [ ! -d "$dir/kustomize/stage" ]; then
    die "cannot find kwok $KWOK_VERSION's stage files in its module source"
  fi
  src=$dir/kustomize/stage
  mkdir -p "$out"
  for f in pod/fast/pod-ready.yaml pod/fast/pod-complete.yaml pod/fast/pod-delete.yaml \
    node/fast/node-initialize.yaml node/heartbeat-with-lease/node-heartbeat-with-lease.yaml; do
    [ -f "$src/$f" ] || die "kwok stage $f missing in $src"
    install -m 0644 "$src/$f" "$out/"
  done
  install -m 0644 "$dir/LICENSE" "$out/LICENSE" # Apache-2.0: the copies keep their license
  log "kwok stages in ${out#"$ROOT"/}: $(cd "$out" && echo ./*.yaml)"
}

# module_dir MODULE@VERSION: the module's source in the module cache.
module_dir() {
  (cd / && go mod download -json "$1" | awk -F'"' '/"Dir":/ {print $4}')
}

# copy_crds takes the CustomResourceDefinitions Argo CD and Flux ship in
# their module sources: tests apply them to the harness control plane.
copy_crds() {
  local dir m f out=$BIN/crds
  mkdir -p "$out/argocd" "$out/flux"
  dir=$(module_dir "$ARGOCD_MODULE") || die "go mod download $ARGOCD_MODULE failed" "check the Go module proxy is reachable"
  for f in application-crd.yaml applicationset-crd.yaml appproject-crd.yaml; do
    [ -f "$dir/manifests/crds/$f" ] || die "Argo CD CRD $f missing in $dir"
    install -m 0644 "$dir/manifests/crds/$f" "$out/argocd/"
  done
  install -m 0644 "$dir/LICENSE" "$out/argocd/LICENSE"
  for m in "${FLUX_MODULES[@]}"; do
    dir=$(module_dir "$m") || die "go mod download $m failed" "check the Go module proxy is reachable"
    for f in source.toolkit.fluxcd.io_gitrepositories.yaml kustomize.toolkit.fluxcd.io_kustomizations.yaml; do
      if [ -f "$dir/config/crd/bases/$f" ]; then install -m 0644 "$dir/config/crd/bases/$f" "$out/flux/"; fi
    done
    install -m 0644 "$dir/LICENSE" "$out/flux/LICENSE"
  done
  for f in argocd/application-crd.yaml argocd/applicationset-crd.yaml flux/source.toolkit.fluxcd.io_gitrepositories.yaml \
    flux/kustomize.toolkit.fluxcd.io_kustomizations.yaml; do
    [ -f "$out/$f" ] || die "CRD $f not found in the Argo CD / Flux modules"
  done
  log "CRDs in ${out#"$ROOT"/}: $ARGOCD_MODULE ${FLUX_MODULES[*]}"
}

mkdir -p "$BIN"
timed basics check_basics
timed etcd check_etcd
timed terraform check_terraform
timed postgresql check_postgres
timed prometheus check_prometheus
timed chromium check_chromium
timed npm install_npm_packages
check_kubectl
timed kube-binaries build_kube
timed kwok build_kwok
timed crds copy_crds
log "done in $(since "$t_all") (${TIMINGS[*]/%/;})"
