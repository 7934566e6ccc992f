#!/usr/bin/env bash
# Builds Flux's source-controller, kustomize-controller and
# notification-controller from the Go module proxy into the git-ignored
# bin/flux (with their CRDs in bin/flux/crds), for the side-by-side agent
# benchmark. Idempotent: a second run with the same versions and Go does
# nothing.
#
# v1.9.6 is the newest source- and kustomize-controller the proxy here can
# build: v1.10.x import github.com/fluxcd/pkg/apis/crypto and
# github.com/fluxcd/pkg/spiffe, of which the proxy serves no version.
# source-controller v1.9.6 pins github.com/fluxcd/pkg/artifact v0.18.3,
# which the proxy refuses; v0.18.0 (same minor, served) replaces it. Each
# module builds with its own go.mod and go.sum, as Flux's release does.
set -euo pipefail
cd "$(dirname "$0")/../../.."
ROOT=$PWD
OUT=$ROOT/bin/flux
SRC=$ROOT/bin/.flux-src
export GOWORK=off GOFLAGS="-mod=mod -buildvcs=false"
CONTROLLERS=(
  "source-controller v1.9.6 github.com/fluxcd/pkg/artifact@v0.18.3=github.com/fluxcd/pkg/artifact@v0.18.0"
  "kustomize-controller v1.9.6"
  "notification-controller v1.9.0"
)

log() { printf 'flux build: %s\n' "$*" >&2; }
moddir() { # moddir MODULE@VERSION: the module's extracted source in the module cache
  go mod download -json "$1" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p'
}

stamp="$(go version) ${CONTROLLERS[*]}"
if [ -f "$OUT/.stamp" ] && [ "$(cat "$OUT/.stamp")" = "$stamp" ]; then
  log "up to date in bin/flux"
  exit 0
fi
mkdir -p "$OUT/crds" "$SRC"
for entry in "${CONTROLLERS[@]}"; do
  read -r name version replaces <<<"$entry"
  mod=github.com/fluxcd/$name
  t0=$(date +%s)
  dir=$(moddir "$mod@$version")
  api=$(moddir "$mod/api@$version")
  [ -n "$dir" ] && [ -n "$api" ] || { log "ERROR: the module proxy did not serve $mod@$version"; exit 1; }
  rm -rf "${SRC:?}/$name"
  cp -r "$dir" "$SRC/$name"
  chmod -R u+w "$SRC/$name"
  rm -rf "$SRC/$name/api" # its go.mod replaces the api module with ./api
  cp -r "$api" "$SRC/$name/api"
  chmod -R u+w "$SRC/$name/api"
  for r in $replaces; do (cd "$SRC/$name" && go mod edit -replace "$r"); done
  (cd "$SRC/$name" && go build -trimpath -o "$OUT/$name" .)
  cp "$SRC/$name"/config/crd/bases/*.yaml "$OUT/crds/"
  log "$name $version built in $(($(date +%s) - t0))s"
done
printf '%s' "$stamp" >"$OUT/.stamp"
