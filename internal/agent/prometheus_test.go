package agent_test

import (
	"context"
	"testing"
	"time"

	"github.com/prometheus/common/model"

	"ferry.dev/ferry/internal/app"
	"ferry.dev/ferry/internal/flow"
	"ferry.dev/ferry/internal/metrics/dashboard"
	"ferry.dev/ferry/internal/platform"
	"ferry.dev/ferry/internal/testenv"
)

// releaseMain releases main as ferry release --override would from the
// clone.
func releaseMain(t *testing.T, f *platformFixture, who, reason string) {
	t.Helper()
	testenv.GitRun(t, f.clone, "fetch", "-q", "origin")
	p, err := platform.Load(f.clone)
	if err != nil {
		t.Fatal(err)
	}
	ap, err := app.New(context.Background(), p, app.Options{Store: f.st, Actor: who})
	if err != nil {
		t.Fatal(err)
	}
	defer ap.Close()
	if _, err := ap.Release(context.Background(), flow.ReleaseOptions{Override: reason}); err != nil {
		t.Fatalf("release: %v", err)
	}
}

// checkPrometheus: after the agent test's scenario (deployments by polling
// and by webhook, auto promotions, one held by its approval gate, drift
// healed and detected, a release, a deployment the API server refused),
// the test Prometheus holds the series that tell it, ferry's alert for the
// failed deployment fires, and every panel of ferry's Grafana dashboard
// returns data.
func checkPrometheus(t *testing.T, p *testenv.Prometheus) {
	t.Helper()
	atLeast := func(n float64) func(model.Vector) bool {
		return func(v model.Vector) bool { return len(v) == 1 && float64(v[0].Value) >= n }
	}
	equal := func(n float64) func(model.Vector) bool {
		return func(v model.Vector) bool { return len(v) == 1 && float64(v[0].Value) == n }
	}
	for _, c := range []struct {
		q  string
		ok func(model.Vector) bool
	}{
		{`sum(ferry_deployments_total{env="dev",status="succeeded"})`, atLeast(3)}, // phase 1, webhook push, heal
		{`sum(ferry_deployments_total{env="dev",status="failed"})`, atLeast(1)},
		{`sum(ferry_promotions_total{kind="promote",to="main",override="false"})`, atLeast(1)},
		{`sum(ferry_promotions_total{kind="release",override="true"})`, equal(1)},
		{`sum(ferry_releases_total{lane="release"})`, equal(1)},
		{`sum(ferry_lead_time_seconds_count{env="dev"})`, atLeast(2)}, // the phase 1 and webhook deployments brought changes
		{`count(ferry_dora_deployments_per_day{env="production"})`, equal(1)},
		{`max_over_time(ferry_gate_blocked{lane="main",gate="approvals"}[10m])`, equal(1)},
		{`ferry_gate_blocked{lane="main",gate="approvals"}`, equal(0)},
		{`max_over_time(ferry_drift_objects{env="staging",target="k3s"}[10m])`, atLeast(1)},
		{`max_over_time(ferry_drift_resources{env="staging",target="k3s"}[10m])`, atLeast(1)},
		{`sum(ferry_webhook_requests_total{provider="github",result="accepted"})`, atLeast(1)},
		{`count(ferry_environment_info{env="staging",target="k3s",sync="drift",health="healthy"})`, equal(1)},
		{`count(ferry_environment_info{env="dev"})`, equal(1)}, // one series per target, replaced
		{`count(ALERTS{alertname="FerryDeploymentFailed",env="dev",alertstate="firing"})`, atLeast(1)},
		{`count(ALERTS{alertname="FerryDeploymentFailed",env="staging"})`, func(v model.Vector) bool { return len(v) == 0 }},
	} {
		p.WaitQuery(t, c.q, 30*time.Second, c.ok)
	}
	for _, q := range dashboard.Queries() {
		p.WaitQuery(t, dashboard.Expand(q.Expr), 10*time.Second, func(v model.Vector) bool { return len(v) > 0 })
	}
}
