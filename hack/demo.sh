#!/usr/bin/env bash
# Runs ferry's main job on the reference platform, on this machine: no cloud, no Docker.
#
# A local control plane (etcd, kube-apiserver, controller-manager, scheduler and kwok nodes, the
# same one the tests use) stands in for the dev and staging clusters; Terraform runs the
# reference platform's `local` stack for real; Git lanes live in a local repository with a bare
# remote; the state store is SQLite under the platform's .ferry/.
#
# The demo walks the whole workflow: init → checks and the Backstage catalog → feature branch → develop → dev deploy →
# staging → staging deploy → main (the verified revision) → release v0.2.0 → hotfix → v0.2.1 →
# rollback of staging to v0.2.0 → ferry serve deploys a push to develop on its own, a real
# Prometheus scrapes it (the platform's alert rules, ferry's dashboard panel by panel) → the DORA
# metrics of the history → the control room: ferry serve's dashboard URL, showing the pipeline
# the demo built (kept open until Enter when run in a terminal). Everything it makes is under
# .ferry/demo (git-ignored).
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
go build -tags kustomize_disable_go_plugin_support -o bin/gendashboard ./hack/gendashboard

rm -rf "$DEMO"
mkdir -p "$DEMO"

step "start the local control plane (stands in for the k3d/k3s clusters)"
bin/devcluster --dir "$DEMO/cluster" >"$DEMO/cluster.out" 2>"$DEMO/cluster.err" &
CLUSTER_PID=$!
PROM_PID= AGENT_PID=
cleanup() {
  [ -n "$PROM_PID" ] && kill "$PROM_PID" 2>/dev/null || true
  [ -n "$AGENT_PID" ] && kill "$AGENT_PID" 2>/dev/null || true
  kill "$CLUSTER_PID" 2>/dev/null || true
  wait 2>/dev/null || true
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

step "the Backstage catalog, generated from ferry.yaml: catalog-info.yaml is current; one Component of it"
run "$FERRY" catalog --output catalog-info.yaml --check
"$FERRY" catalog | awk '/^kind: Component$/ {c++} c == 1 && /^---$/ {exit} c == 1' | sed 's/^/    /' >&2

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

step "the agent: ferry serve watches the lanes (a real Prometheus scrapes it); a push to develop reaches dev with nobody running ferry sync"
git checkout -q develop
sed -i 's/PODINFO_UI_COLOR: "#34577c"/PODINFO_UI_COLOR: "#2f855a"/' apps/sample-service/base/configmap.yaml
git commit -qam "feat(sample-service): a greener UI"
REV=$(git rev-parse HEAD)
"$FERRY" serve --poll-interval 2s --listen 127.0.0.1:0 --log-format text 2>"$DEMO/agent.log" &
AGENT_PID=$!
# A real Prometheus scrapes it from the start, with the platform's alert rules.
for _ in $(seq 1 120); do
  grep -q 'msg=serving' "$DEMO/agent.log" 2>/dev/null && break
  kill -0 "$AGENT_PID" 2>/dev/null || { cat "$DEMO/agent.log" >&2; exit 1; }
  sleep 0.5
done
LISTEN=$(sed -n 's/.*msg=serving listen=\([0-9.:]*\).*/\1/p' "$DEMO/agent.log" | head -n1)
for PROM_PORT in $(seq 19090 19190); do
  cat >"$DEMO/prometheus.yml" <<EOF
global: {scrape_interval: 1s, evaluation_interval: 1s}
rule_files: ["$DEMO/platform/apps/monitoring/base/ferry/ferry-rules.yml"]
scrape_configs:
  - job_name: ferry
    static_configs: [{targets: ["$LISTEN"]}]
EOF
  prometheus --config.file="$DEMO/prometheus.yml" --storage.tsdb.path="$DEMO/prometheus" \
    --web.listen-address="127.0.0.1:$PROM_PORT" --log.level=warn 2>"$DEMO/prometheus.log" &
  PROM_PID=$!
  PROM=http://127.0.0.1:$PROM_PORT
  for _ in $(seq 1 60); do
    promtool query instant "$PROM" 'up{job="ferry"} == 1' 2>/dev/null | grep -q ferry && break
    kill -0 "$PROM_PID" 2>/dev/null || break
    sleep 0.5
  done
  kill -0 "$PROM_PID" 2>/dev/null && break
done
promtool query instant "$PROM" 'up{job="ferry"} == 1' | grep -q ferry || { echo "prometheus does not scrape ferry serve" >&2; cat "$DEMO/prometheus.log" >&2; exit 1; }
echo "prometheus at $PROM scrapes ferry serve at $LISTEN; the dashboard is apps/monitoring/base/ferry/ferry-dashboard.json" >&2
run git push -q origin develop
for _ in $(seq 1 360); do
  "$FERRY" status dev -o json 2>/dev/null | grep -q "\"revision\": \"$REV\"" && break
  kill -0 "$AGENT_PID" 2>/dev/null || { cat "$DEMO/agent.log" >&2; exit 1; }
  sleep 0.5
done
"$FERRY" status dev -o json | grep -q "\"revision\": \"$REV\"" || { echo "the agent did not deploy $REV" >&2; tail -20 "$DEMO/agent.log" >&2; exit 1; }
run "$FERRY" status dev || true

step "monitoring: ferry's Grafana dashboard, panel by panel, answered by that Prometheus"
sleep 3 # a few scrapes after the deployment
"$ROOT/bin/gendashboard" -queries | while IFS=$'\t' read -r panel query; do
  printf '\n  [%s]  %s\n' "$panel" "$query" >&2
  promtool query instant "$PROM" "$query" 2>&1 | sed 's/^/    /' | head -n 8 >&2
done
printf '\n  [alerts pending or firing]\n' >&2
promtool query instant "$PROM" 'ALERTS' 2>&1 | sed 's/^/    /' >&2
kill "$PROM_PID"; wait "$PROM_PID" 2>/dev/null || true; PROM_PID=

step "DORA metrics from the store: production (no deployment in the demo), and staging's hotfix and rollback"
run "$FERRY" dora
run "$FERRY" dora staging --since 1d

step "the control room: ferry serve's dashboard shows the pipeline the demo built"
TOKEN=$("$FERRY" token create demo-viewer --role viewer -o json | sed -n 's/.*"token": *"\([^"]*\)".*/\1/p')
[ -n "$TOKEN" ] || { echo "ferry token create printed no token" >&2; exit 1; }
# Backstage's URL location: the same catalog from ferry serve, with the viewer token.
curl -sf -H "Authorization: Bearer $TOKEN" "http://$LISTEN/api/v1/catalog" | cmp -s - <("$FERRY" catalog) ||
  { echo "GET /api/v1/catalog differs from ferry catalog" >&2; exit 1; }
echo "  GET /api/v1/catalog (a Backstage URL location) answers what ferry catalog writes" >&2
COOKIE=$(curl -s -o /dev/null -D - --data-urlencode "token=$TOKEN" "http://$LISTEN/login" |
  sed -n 's/^[Ss]et-[Cc]ookie: \(__Host-ferry_session=[^;]*\).*/\1/p')
[ -n "$COOKIE" ] || { echo "the dashboard did not log the viewer in" >&2; tail -20 "$DEMO/agent.log" >&2; exit 1; }
curl -sf -H "Cookie: $COOKIE" "http://$LISTEN/" >"$DEMO/pipeline.html" || { echo "GET / failed" >&2; exit 1; }
for lane in develop staging main release; do
  grep -q "<h2>$lane" "$DEMO/pipeline.html" || { echo "the pipeline page lacks lane $lane" >&2; exit 1; }
done
grep -q "${REV:0:12}" "$DEMO/pipeline.html" || { echo "the pipeline page does not show dev running ${REV:0:12}" >&2; exit 1; }
# The page's lanes as text, for the terminal.
sed -n '/<ol class="lanes">/,/<\/ol>/p' "$DEMO/pipeline.html" | sed -e 's/<\/dt>/: /g' -e 's/<\/span>/ /g' -e 's/<\/\(dd\|h2\|h3\|p\|li\)>/\n/g' -e 's/<[^>]*>//g' |
  sed -e 's/^[[:space:]]*//' -e '/^$/d' | sed 's/^/    /' >&2
printf '\n  dashboard: http://%s/  (log in with the viewer token %s;\n  ferry token create NAME --role deployer|admin gives the buttons)\n' "$LISTEN" "$TOKEN" >&2
if [ -t 0 ] && [ -t 2 ]; then
  printf '  ferry serve keeps serving it: press Enter to stop ' >&2
  read -r _ || true
fi
kill -TERM "$AGENT_PID"
wait "$AGENT_PID"
AGENT_PID=
echo "agent stopped (its log: $DEMO/agent.log)" >&2

step "done: the demo repository is $DEMO/platform; the dashboard was http://$LISTEN/ (the pipeline above)"
