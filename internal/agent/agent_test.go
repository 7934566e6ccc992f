package agent_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"ferry.dev/ferry/internal/agent"
	"ferry.dev/ferry/internal/app"
	"ferry.dev/ferry/internal/metrics"
	"ferry.dev/ferry/internal/platform"
	"ferry.dev/ferry/internal/store"
	"ferry.dev/ferry/internal/testenv"
)

// agentYAML turns on auto promotion develop → staging once dev deployed
// the revision and staging → main once someone approved it, and sets drift checks: dev heals (interval 1h, so only a
// watch can notice an edit quickly), staging detects on a short interval.
func agentYAML(s string) string {
	s = strings.Replace(s, "    - from: develop\n      to: staging\n      candidate: head\n      gates:\n        checks: true\n",
		"    - from: develop\n      to: staging\n      candidate: head\n      auto: true\n      gates:\n        checks: true\n        deployed: dev\n", 1)
	s = strings.Replace(s, "    - from: staging\n      to: main\n      candidate: verified\n      gates:\n",
		"    - from: staging\n      to: main\n      candidate: verified\n      auto: true\n      gates:\n        approvals: 1\n", 1)
	s = strings.Replace(s, "      drift: heal\n      driftInterval: 5m\n", "      drift: heal\n      driftInterval: 1h\n", 1)
	s = strings.Replace(s, "      drift: detect\n      driftInterval: 10m\n", "      drift: detect\n      driftInterval: 3s\n", 1)
	return s + notificationsYAML
}

// notificationsYAML sends what only the agent sees (drift, a gate holding
// an auto promotion) and its deployments to a signed webhook: the test's
// receiver, at $FERRY_TEST_HOOK_URL.
const notificationsYAML = `  notifications:
    sinks:
      - name: audit
        webhook:
          url: {env: FERRY_TEST_HOOK_URL}
          secret: {env: FERRY_TEST_HOOK_KEY}
    rules:
      - triggers: [on-drift, on-promotion-blocked, on-deployed, on-deploy-failed, on-released]
        sinks: [audit]
`

// TestAgentKeepsEnvironmentsEqualToLanes: nobody runs ferry sync. The agent
// deploys develop to dev, promotes it to staging on its own and deploys
// that, reports production (autoSync off) out of sync without touching it;
// a push is delivered by the remote's post-receive hook as a signed GitHub
// webhook and deployed (polling is off); a hand edit in dev is healed from
// a watch, a hand edit in staging and a Terraform change outside ferry are
// recorded as drift and left alone.
func TestAgentKeepsEnvironmentsEqualToLanes(t *testing.T) {
	f := newPlatform(t, agentYAML)
	ctx := context.Background()
	secret := []byte("s3cret-for-the-hook")
	if !strings.Contains(testenv.GitRun(t, f.clone, "show", "origin/develop:ferry.yaml"), "auto: true") {
		t.Fatal("fixture: auto promotion not set")
	}

	// Phase 1: polling only.
	var reqs apiRequests
	cfg := f.config(300 * time.Millisecond)
	cfg.Deploy.Connect = reqs.connect
	cfg.Metrics = metrics.New()
	_, url1, stop := f.start(cfg, secret)
	develop := f.head("develop")
	d := f.deployedAt("dev", develop, 4*time.Minute)
	if d.Actor != agent.ActorName || !d.Verified {
		t.Errorf("dev deployment = %+v, want actor %s and verified", d, agent.ActorName)
	}
	f.deployedAt("staging", f.head("staging"), 4*time.Minute)
	waitFor(t, 30*time.Second, func() (bool, string) {
		o, _, ok, err := agent.LastOutcome(ctx, f.st, "production")
		return ok && o.Action == agent.ActionOutOfSync && o.Waiting == f.head("release"), "production: " + f.recent("production") + errString(err)
	})
	if ds, _ := f.st.Deployments(ctx, store.DeploymentFilter{Env: "production"}); len(ds) != 0 {
		t.Fatalf("production was deployed although autoSync is off: %+v", ds)
	}
	// Everything is deployed: the reconciles that follow (polls, staging's
	// drift checks every 3s, which ask the server only about objects
	// written since the sync) write nothing.
	writes, _ := reqs.snapshot()
	if writes == 0 {
		t.Fatal("the counter saw no writes of the syncs")
	}
	stagingPasses := func() float64 {
		n, _ := metric(t, scrape(t, url1+"/metrics"), "ferry_reconcile_duration_seconds_count", map[string]string{"env": "staging"})
		return n
	}
	passes := stagingPasses()
	waitFor(t, 30*time.Second, func() (bool, string) {
		n := stagingPasses()
		return n >= passes+2, fmt.Sprintf("%v staging reconciles, not two more drift checks", n-passes)
	})
	if w, last := reqs.snapshot(); w != writes {
		t.Fatalf("no-op reconciles wrote to the API server %d times (last %s)", w-writes, last)
	}
	// /metrics says the same: deployments (retries of transient failures
	// would add to failed, not to succeeded), outcomes, leadership, drift.
	exp := scrape(t, url1+"/metrics")
	for _, c := range []struct {
		name  string
		match map[string]string
		want  float64
	}{
		{"ferry_deployments_total", map[string]string{"env": "dev", "status": "succeeded"}, 1},
		{"ferry_deployments_total", map[string]string{"env": "staging", "status": "succeeded"}, 1},
		{"ferry_deployments_total", map[string]string{"status": "failed"}, 0},
		{"ferry_environment_info", map[string]string{"env": "production", "revision": "", "health": "unknown", "sync": "out-of-sync"}, 1},
		{"ferry_environment_info", map[string]string{"env": "dev", "target": "local", "revision": develop, "health": "healthy"}, 1},
		{"ferry_agent_leader", nil, 1},
		{"ferry_drift_objects", map[string]string{"env": "staging", "target": "k3s"}, 0},
		{"ferry_drift_resources", map[string]string{"env": "staging", "target": "k3s"}, 0},
		{"ferry_store_up", nil, 1},
	} {
		if got, ok := metric(t, exp, c.name, c.match); !ok || got != c.want {
			t.Errorf("/metrics: %s%v = %v (present %v), want %v", c.name, c.match, got, ok, c.want)
		}
	}
	for _, c := range []struct {
		name  string
		match map[string]string
		least float64
	}{
		{"ferry_deployment_duration_seconds_count", map[string]string{"env": "dev", "status": "succeeded"}, 1},
		{"ferry_reconcile_duration_seconds_count", map[string]string{"env": "production"}, 1},
		{"ferry_git_fetch_duration_seconds_count", nil, 2}, // polling every 300ms
	} {
		if got, _ := metric(t, exp, c.name, c.match); got < c.least {
			t.Errorf("/metrics: %s%v = %v, want at least %v", c.name, c.match, got, c.least)
		}
	}
	stop()

	// Phase 2: polling off (1h); the remote's hook posts signed webhooks.
	// A real Prometheus scrapes it every second, with ferry's alert rules.
	cfg2 := f.config(time.Hour)
	cfg2.Metrics = metrics.New()
	a, url, stop2 := f.start(cfg2, secret)
	defer stop2()
	prom := testenv.StartPrometheus(t, testenv.PrometheusOptions{Targets: []string{strings.TrimPrefix(url, "http://")},
		RuleFiles: []string{filepath.Join("..", "..", "examples", "platform", "apps", "monitoring", "base", "ferry", "ferry-rules.yml")}})
	testenv.InstallPushHook(t, f.remote, url+"/hooks/github", "github", secret)
	waitFor(t, 30*time.Second, func() (bool, string) { return a.Health().Leader, "not leading" })
	rev := f.commitOn("develop", "apps/sample-service/base/configmap.yaml", configMapYAML(t, f, "#00ff00"), "feat: say hello")
	f.deployedAt("dev", rev, 2*time.Minute)
	cm, err := f.kube.CoreV1().ConfigMaps("dev-sample-service").Get(ctx, "sample-service", metav1.GetOptions{})
	if err != nil || cm.Data["PODINFO_UI_COLOR"] != "#00ff00" {
		t.Fatalf("dev ConfigMap after the webhook sync: %v %v", cm.Data, err)
	}
	// dev deployed it healthy: the agent promotes it to staging itself, as
	// ferry promote would, and deploys staging.
	waitFor(t, 2*time.Minute, func() (bool, string) {
		return treeOf(t, f, "staging") == treeOf(t, f, "develop"), "staging not promoted: " + f.recent("dev")
	})
	staging := f.head("staging")
	msg := testenv.GitRun(t, f.remote, "log", "-1", "--format=%B", staging)
	if !strings.Contains(msg, "Ferry-Promotion:") || !strings.Contains(msg, "Ferry-Evidence:") {
		t.Errorf("auto promotion commit lacks ferry's trailers:\n%s", msg)
	}
	f.deployedAt("staging", staging, 3*time.Minute)
	// The promotion is recorded after its push, like ferry promote's.
	if ps, _ := f.st.Promotions(ctx, store.PromotionFilter{To: "staging", Limit: 1}); len(ps) != 1 || ps[0].Revision != rev || ps[0].Actor != agent.ActorName {
		t.Errorf("auto promotion record = %+v, want %s by %s", ps, rev, agent.ActorName)
	}
	// staging → main waits for an approval; once a person approves, the
	// agent promotes without another push.
	mainBefore := f.head("main")
	time.Sleep(2 * time.Second)
	if f.head("main") != mainBefore {
		t.Fatal("staging was promoted to main without the approval its gate requires")
	}
	approveMain(t, f, "alice@example.com")
	// The promotion is recorded after its push: wait for both.
	var ps []store.Promotion
	waitFor(t, 30*time.Second, func() (bool, string) {
		ps, _ = f.st.Promotions(ctx, store.PromotionFilter{To: "main", Limit: 1})
		return len(ps) == 1 && treeOf(t, f, "main") == treeOf(t, f, "staging"), "main not promoted after the approval: " + f.recent("staging")
	})
	// The candidate is the commit that travelled from develop; the
	// approval is part of the evidence.
	if ps[0].Revision != rev ||
		ps[0].Actor != agent.ActorName || !strings.Contains(strings.Join(ps[0].Evidence, " "), "approval:") {
		t.Errorf("promotion to main = %+v, want %s by %s with the approval as evidence", ps, rev, agent.ActorName)
	}

	// Drift, heal mode (dev): scale the Deployment by hand.
	scale(t, f, "dev-sample-service", "sample-service", 5)
	waitFor(t, 60*time.Second, func() (bool, string) {
		dep, err := f.kube.AppsV1().Deployments("dev-sample-service").Get(ctx, "sample-service", metav1.GetOptions{})
		return err == nil && *dep.Spec.Replicas != 5 && hasDrift(t, f, "dev", "heal"), "dev not healed: " + f.recent("dev")
	})

	// Drift, detect mode (staging): recorded, left as it is.
	scale(t, f, "staging-sample-service", "sample-service", 4)
	waitFor(t, 60*time.Second, func() (bool, string) {
		return hasDriftOf(t, f, "staging", "detect", "sample-service"), "staging drift not recorded: " + f.recent("staging")
	})
	// The drift event names the object and the field that differs.
	if !hasDriftObject(t, f, "staging", "apps/v1/Deployment/staging-sample-service/sample-service", "/spec/replicas") {
		t.Errorf("staging's drift event does not name the scaled Deployment and /spec/replicas: %s", driftEvents(t, f, "staging"))
	}
	dep, err := f.kube.AppsV1().Deployments("staging-sample-service").Get(ctx, "sample-service", metav1.GetOptions{})
	if err != nil || *dep.Spec.Replicas != 4 {
		t.Fatalf("detect mode changed the hand edit back: %v %v", dep.Spec.Replicas, err)
	}
	// A Terraform resource changed outside ferry is drift too.
	tamperState(t, f, "staging")
	waitFor(t, 60*time.Second, func() (bool, string) {
		return hasDriftOf(t, f, "staging", "detect", "local:"), "terraform drift not recorded: " + f.recent("staging")
	})
	if !hasDriftObject(t, f, "staging", "terraform_data.environment", "") {
		t.Errorf("staging's drift event does not name the tampered terraform_data.environment: %s", driftEvents(t, f, "staging"))
	}
	// The notifications webhook heard it all, every delivery signed: the
	// deployments, the approval gate holding staging → main, both drifts.
	wantNotified(t, f, "on-deployed", "dev", "on-deployed", "staging", "on-promotion-blocked", "staging",
		"on-drift", "dev", "on-drift", "staging")

	// A release (its gates overridden) and a dev deployment the API server
	// refuses, then what Prometheus holds after all of it.
	releaseMain(t, f, "release manager", "metrics test")
	testenv.GitRun(t, f.clone, "fetch", "-q", "origin")
	cmYAML := testenv.GitRun(t, f.clone, "show", "origin/develop:apps/sample-service/base/configmap.yaml")
	bad := f.commitOn("develop", "apps/sample-service/base/configmap.yaml",
		strings.Replace(cmYAML, "data:\n", "data:\n  \"not a valid key!\": x\n", 1)+"\n", "feat: a key the API server refuses")
	waitFor(t, 2*time.Minute, func() (bool, string) {
		ds, _ := f.st.Deployments(ctx, store.DeploymentFilter{Env: "dev", Revision: bad, Limit: 1})
		return len(ds) == 1 && ds[0].Status == store.StatusFailed, "no failed deployment of " + bad + ": " + f.recent("dev")
	})
	wantNotified(t, f, "on-deploy-failed", "dev", "on-released", "production")
	checkPrometheus(t, prom)
}

// tamperState changes the recorded input of the local stack's
// terraform_data.environment in env's local state, as a hand edit of the
// infrastructure would.
func tamperState(t *testing.T, f *platformFixture, env string) {
	t.Helper()
	var path string
	filepath.WalkDir(filepath.Join(f.state, "deploy", "terraform", env), func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".tfstate") {
			path = p
		}
		return nil
	})
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("state of %s: %v", env, err)
	}
	var st map[string]any
	if err := json.Unmarshal(b, &st); err != nil {
		t.Fatal(err)
	}
	st["serial"] = st["serial"].(float64) + 1
	found := false
	for _, r := range st["resources"].([]any) {
		r := r.(map[string]any)
		if r["type"] == "terraform_data" && r["name"] == "environment" {
			attrs := r["instances"].([]any)[0].(map[string]any)["attributes"].(map[string]any)
			in := attrs["input"].(map[string]any)["value"].(map[string]any)
			in["cluster_name"] = "changed-by-hand"
			found = true
		}
	}
	if !found {
		t.Fatalf("no terraform_data.environment in %s", path)
	}
	out, _ := json.Marshal(st)
	if err := os.WriteFile(path, out, 0o644); err != nil {
		t.Fatal(err)
	}
}

// wantNotified waits for a delivery of each trigger, env pair.
func wantNotified(t *testing.T, f *platformFixture, pairs ...string) {
	t.Helper()
	for i := 0; i+1 < len(pairs); i += 2 {
		waitFor(t, 30*time.Second, func() (bool, string) {
			ok, bad := f.hooks.has(pairs[i], pairs[i+1])
			return ok && bad == 0, fmt.Sprintf("no %s notification for %s (%d deliveries failed their signature)", pairs[i], pairs[i+1], bad)
		})
	}
}

func hasDriftOf(t *testing.T, f *platformFixture, env, mode, what string) bool {
	evs, err := f.st.Events(context.Background(), store.EventFilter{Kind: agent.EventDrift, Env: env, Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range evs {
		var d struct{ Mode, Details string }
		if json.Unmarshal([]byte(e.Data), &d) == nil && d.Mode == mode && strings.Contains(d.Details, what) {
			return true
		}
	}
	return false
}

// configMapYAML is sample-service's ConfigMap with another UI colour.
func configMapYAML(t *testing.T, f *platformFixture, msg string) string {
	orig := testenv.GitRun(t, f.clone, "show", "origin/develop:apps/sample-service/base/configmap.yaml")
	out := strings.Replace(orig, `PODINFO_UI_COLOR: "#34577c"`, `PODINFO_UI_COLOR: "`+msg+`"`, 1)
	if out == orig {
		t.Fatal("fixture: configmap colour not found")
	}
	return out + "\n"
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return " (" + err.Error() + ")"
}

func treeOf(t *testing.T, f *platformFixture, lane string) string {
	return testenv.GitRun(t, f.remote, "rev-parse", "refs/heads/"+lane+"^{tree}")
}

func scale(t *testing.T, f *platformFixture, ns, name string, n int32) {
	t.Helper()
	ctx := context.Background()
	dep, err := f.kube.AppsV1().Deployments(ns).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	dep.Spec.Replicas = &n
	if _, err := f.kube.AppsV1().Deployments(ns).Update(ctx, dep, metav1.UpdateOptions{FieldManager: "kubectl-edit"}); err != nil {
		t.Fatal(err)
	}
}

func hasDrift(t *testing.T, f *platformFixture, env, mode string) bool {
	evs, err := f.st.Events(context.Background(), store.EventFilter{Kind: agent.EventDrift, Env: env, Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range evs {
		var d struct{ Mode string }
		if json.Unmarshal([]byte(e.Data), &d) == nil && d.Mode == mode {
			return true
		}
	}
	return false
}

// approveMain records an approval by who of the promotion into main, as
// ferry approve main would from the clone.
func approveMain(t *testing.T, f *platformFixture, who string) {
	t.Helper()
	p, err := platform.Load(f.clone)
	if err != nil {
		t.Fatal(err)
	}
	ap, err := app.New(context.Background(), p, app.Options{Store: f.st, Actor: who})
	if err != nil {
		t.Fatal(err)
	}
	defer ap.Close()
	if _, err := ap.Approve(context.Background(), "main", "", "ship it"); err != nil {
		t.Fatalf("approve main: %v", err)
	}
}

// scrape reads url's Prometheus text exposition.
func scrape(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s\n%s", url, resp.Status, body)
	}
	return string(body)
}

// metric sums the samples of name whose labels include match; ok is false
// when there is none.
func metric(t *testing.T, exposition, name string, match map[string]string) (v float64, ok bool) {
	t.Helper()
	samples, err := testenv.ParseMetrics(exposition, name)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range samples {
		hit := true
		for k, want := range match {
			hit = hit && s.Labels[k] == want
		}
		if hit {
			v, ok = v+s.Value, true
		}
	}
	return v, ok
}

// hasDriftObject: a drift event of env lists object (with field among its
// differing fields, when field is set).
func hasDriftObject(t *testing.T, f *platformFixture, env, object, field string) bool {
	evs, err := f.st.Events(context.Background(), store.EventFilter{Kind: agent.EventDrift, Env: env, Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range evs {
		var d agent.DriftData
		if json.Unmarshal([]byte(e.Data), &d) != nil {
			continue
		}
		for _, o := range d.Objects {
			if strings.HasSuffix(o.Object, object) && (field == "" || slices.Contains(o.Fields, field)) {
				return true
			}
		}
	}
	return false
}

func driftEvents(t *testing.T, f *platformFixture, env string) string {
	evs, _ := f.st.Events(context.Background(), store.EventFilter{Kind: agent.EventDrift, Env: env, Limit: 10})
	var b strings.Builder
	for _, e := range evs {
		b.WriteString(e.Data + "\n")
	}
	return b.String()
}
