#!/usr/bin/env bash
# Runs ferry's main job on the reference platform, on this machine: no cloud, no Docker.
#
# A local control plane (etcd, kube-apiserver, controller-manager, scheduler and kwok nodes, the
# same one the tests use) stands in for the dev and staging clusters; Terraform runs the
# reference platform's `local` stack for real; Git lanes live in a local repository with a bare
# remote; the state store is SQLite under the platform's .ferry/.
#
# The demo walks the whole workflow: init → checks → feature branch → develop → dev deploy →
# staging → staging deploy → main (the verified revision) → release v0.2.0 → hotfix → v0.2.1 →
# rollback of staging to v0.2.0 → ferry serve deploys a push to develop on its own. Everything it
# makes is under .ferry/demo (git-ignored).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
DEMO=$ROOT/.ferry/demo
FERRY=$ROOT/bin/ferry

step() { printf '\n\033[1m==> %s\033[0m\n' "$*" >&2; }
run() { printf '$ %s\n' "$*" >&2; "$@"; }

step "setup: build what the local control plane needs (reuses earlier builds)"
hack/setup.sh
go build -tags kustomize_disable_go_plugin_support -o bin/ferry ./cmd/ferry
go build -o bin/devcluster ./hack/devcluster

rm -rf "$DEMO"
mkdir -p "$DEMO"

step "start the local control plane (stands in for the k3d/k3s clusters)"
bin/devcluster --dir "$DEMO/cluster" >"$DEMO/cluster.out" 2>"$DEMO/cluster.err" &
CLUSTER_PID=$!
cleanup() {
  kill "$CLUSTER_PID" 2>/dev/null || true
  wait "$CLUSTER_PID" 2>/dev/null || true
}
trap cleanup EXIT
for _ in $(seq 1 240); do
  grep -q '^ready' "$DEMO/cluster.out" 2>/dev/null && break
  kill -0 "$CLUSTER_PID" 2>/dev/null || { cat "$DEMO/cluster.err" >&2; exit 1; }
  sleep 0.5
done
grep -q '^ready' "$DEMO/cluster.out" || { echo "control plane did not become ready" >&2; cat "$DEMO/cluster.err" >&2; exit 1; }
export KUBECONFIG=$DEMO/cluster/kubeconfig
echo "control plane ready, KUBECONFIG=$KUBECONFIG" >&2

export GIT_CONFIG_NOSYSTEM=1
export GIT_AUTHOR_NAME="Platform Team" GIT_AUTHOR_EMAIL="platform@example.com"
export GIT_COMMITTER_NAME="Platform Team" GIT_COMMITTER_EMAIL="platform@example.com"
export CHECKPOINT_DISABLE=1

step "ferry init: the reference platform, lanes develop/staging/main/release, tag v0.1.0"
run "$FERRY" init "$DEMO/platform"
git init -q --bare "$DEMO/remote.git"
git -C "$DEMO/platform" remote add origin "$DEMO/remote.git"
git -C "$DEMO/platform" push -q origin --all
git -C "$DEMO/platform" push -q origin --tags
cd "$DEMO/platform"

step "the platform model and the checks (Terraform, Kubernetes per environment, policies)"
run "$FERRY" config check
run "$FERRY" validate

step "a feature branch, merged into develop after its checks pass"
run "$FERRY" flow start feature portal-catalog
git switch -q feature/portal-catalog
printf '\n# Catalog locations for the portal are managed by the platform team.\n' >>catalog-info.yaml
git commit -qam "feat(backstage): register the platform's catalog locations"
run "$FERRY" flow finish

step "deploy dev: Terraform local stack, then the kustomize apps, health waited for"
run "$FERRY" sync dev

step "promote develop → staging (gate: checks pass), deploy staging"
run "$FERRY" promote staging
run "$FERRY" sync staging

step "promote staging → main: takes the develop revision staging deployed and verified"
run "$FERRY" promote main

step "release: semantic version from Conventional Commits, annotated tag, changelog"
run "$FERRY" release

step "a hotfix from main (tried on dev first), merged back into develop, through the lanes to v0.2.1"
run "$FERRY" flow start hotfix quiet-logs
git switch -q hotfix/quiet-logs
sed -i 's/LOG_LEVEL: info/LOG_LEVEL: warn/' apps/sample-service/base/configmap.yaml
git commit -qam "fix(sample-service): log at warn outside dev to cut the log volume of staging and production"
run "$FERRY" sync dev --ref hotfix/quiet-logs
run "$FERRY" flow finish
run "$FERRY" sync dev
run "$FERRY" promote staging
run "$FERRY" sync staging
run "$FERRY" promote main
run "$FERRY" release

step "where everything stands"
run "$FERRY" status
run "$FERRY" history staging

step "rollback: staging back to v0.2.0 — a commit whose tree is the tag's, then a sync"
run "$FERRY" rollback staging --to v0.2.0
run "$FERRY" diff main staging || true

step "the agent: ferry serve watches the lanes; a push to develop reaches dev with nobody running ferry sync"
git checkout -q develop
sed -i 's/PODINFO_UI_COLOR: "#34577c"/PODINFO_UI_COLOR: "#2f855a"/' apps/sample-service/base/configmap.yaml
git commit -qam "feat(sample-service): a greener UI"
REV=$(git rev-parse HEAD)
"$FERRY" serve --poll-interval 2s --listen 127.0.0.1:0 --log-format text 2>"$DEMO/agent.log" &
AGENT_PID=$!
run git push -q origin develop
for _ in $(seq 1 360); do
  "$FERRY" status dev -o json 2>/dev/null | grep -q "\"revision\": \"$REV\"" && break
  kill -0 "$AGENT_PID" 2>/dev/null || { cat "$DEMO/agent.log" >&2; exit 1; }
  sleep 0.5
done
"$FERRY" status dev -o json | grep -q "\"revision\": \"$REV\"" || { echo "the agent did not deploy $REV" >&2; tail -20 "$DEMO/agent.log" >&2; exit 1; }
run "$FERRY" status dev || true
kill -TERM "$AGENT_PID"
wait "$AGENT_PID"
echo "agent stopped (its log: $DEMO/agent.log)" >&2

step "DORA metrics from the store: production (no deployment in the demo), and staging's hotfix and rollback"
run "$FERRY" dora
run "$FERRY" dora staging --since 1d

step "done: the demo repository is $DEMO/platform"
