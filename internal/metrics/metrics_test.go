package metrics

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"ferry.dev/ferry/internal/store"
	"ferry.dev/ferry/internal/testenv"
)

// drive calls every method of m once or more, as the agent would.
func drive(m *Metrics) {
	d := &store.Deployment{ID: 7, Env: "production", Revision: "r7", Version: "v0.2.0", Healthy: true,
		Targets: []store.TargetResult{{Target: "aws"}, {Target: "azure"}}}
	m.Environment("dev", "out-of-sync", nil)
	m.Environment("dev", "synced", &store.Deployment{Env: "dev", Revision: "bbb", Targets: []store.TargetResult{{Target: "local"}}})
	m.Environment("production", "synced", d)
	m.Environment("production", "drift", d)
	m.Deployed("dev", "succeeded", 2*time.Second)
	m.Deployed("dev", "failed", time.Second)
	m.Reconciled("dev", 50*time.Millisecond)
	m.Drift("production", "aws", 3, 1)
	m.Promotion("develop", "staging", "blocked")
	m.Gates("staging", []string{"checks", "deployed"})
	m.Promotion("develop", "staging", "promoted")
	m.Gates("staging", []string{"deployed"})
	m.Fetched(100*time.Millisecond, nil)
	m.Fetched(time.Second, errors.New("remote hung up"))
	m.Leading(true)
}

// TestExposition drives every metric and checks the exposition with
// promlint and by value: an environment's info series are replaced, not
// added to, when its outcome changes (one per target), gates that stop
// refusing drop to 0, and a nil *Metrics takes every call.
func TestExposition(t *testing.T) {
	drive(nil)
	var none *Metrics
	none.Register(prometheus.NewCounter(prometheus.CounterOpts{Name: "x_total", Help: "x"}))

	m := New()
	drive(m)
	problems, err := testutil.GatherAndLint(m.reg)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("lint: %s: %s", p.Metric, p.Text)
	}
	want := `
# HELP ferry_environment_info 1 per environment target: the revision and version its last successful deployment put there, that deployment's health (healthy, unhealthy, unknown) and the agent's last outcome as sync (synced, up-to-date, out-of-sync, drift, healed, failed, blocked, promoted).
# TYPE ferry_environment_info gauge
ferry_environment_info{env="dev",health="unhealthy",revision="bbb",sync="synced",target="local",version=""} 1
ferry_environment_info{env="production",health="healthy",revision="r7",sync="drift",target="aws",version="v0.2.0"} 1
ferry_environment_info{env="production",health="healthy",revision="r7",sync="drift",target="azure",version="v0.2.0"} 1
# HELP ferry_drift_objects Kubernetes objects of a target that differed from the deployed revision at the last drift check.
# TYPE ferry_drift_objects gauge
ferry_drift_objects{env="production",target="aws"} 3
# HELP ferry_drift_resources Terraform addresses of a target that a plan of the deployed revision would change, at the last drift check.
# TYPE ferry_drift_resources gauge
ferry_drift_resources{env="production",target="aws"} 1
# HELP ferry_gate_blocked 1 while the agent's last auto promotion into lane was refused by gate, else 0.
# TYPE ferry_gate_blocked gauge
ferry_gate_blocked{gate="checks",lane="staging"} 0
ferry_gate_blocked{gate="deployed",lane="staging"} 1
# HELP ferry_auto_promotions_total Auto promotions the agent tried, by lanes and result (promoted, blocked, failed).
# TYPE ferry_auto_promotions_total counter
ferry_auto_promotions_total{from="develop",result="blocked",to="staging"} 1
ferry_auto_promotions_total{from="develop",result="promoted",to="staging"} 1
# HELP ferry_git_fetch_failures_total Fetches of the mirror that failed.
# TYPE ferry_git_fetch_failures_total counter
ferry_git_fetch_failures_total 1
# HELP ferry_agent_leader 1 while this process leads (reconciles), 0 while it follows.
# TYPE ferry_agent_leader gauge
ferry_agent_leader 1
`
	if err := testutil.GatherAndCompare(m.reg, strings.NewReader(want), "ferry_environment_info", "ferry_drift_objects",
		"ferry_drift_resources", "ferry_gate_blocked", "ferry_auto_promotions_total", "ferry_git_fetch_failures_total",
		"ferry_agent_leader"); err != nil {
		t.Error(err)
	}
	if n := testutil.CollectAndCount(m.deployDur); n != 2 {
		t.Errorf("deployment duration series: %d, want 2 (dev succeeded, dev failed)", n)
	}
	body := scrape(t, m.Handler(nil), "", 200)
	for _, name := range []string{"ferry_reconcile_duration_seconds_bucket", "ferry_git_fetch_duration_seconds_count",
		"go_goroutines", "process_resident_memory_bytes"} {
		if !strings.Contains(body, name) {
			t.Errorf("/metrics lacks %s", name)
		}
	}
}

// TestRecordsCountEveryActor: the deployment, promotion and release
// counters come from a real SQLite store, so they hold what the command
// line recorded too, per target; a store that fails keeps the last read
// and says so in ferry_store_up.
func TestRecordsCountEveryActor(t *testing.T) {
	ctx := context.Background()
	st, err := store.OpenSQLite(ctx, filepath.Join(t.TempDir(), "ferry.db"))
	if err != nil {
		t.Fatal(err)
	}
	id, _ := st.StartDeployment(ctx, store.Deployment{Env: "production", Revision: "r1", Actor: "ana"})
	if err := st.FinishDeployment(ctx, id, store.DeploymentResult{Status: store.StatusFailed,
		Targets: []store.TargetResult{{Target: "aws", Status: store.StatusSucceeded}, {Target: "azure", Status: store.StatusFailed}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.RecordPromotion(ctx, store.Promotion{Kind: "release", From: "main", To: "release", Version: "v0.1.0"}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.RecordPromotion(ctx, store.Promotion{Kind: "promote", From: "staging", To: "main", Override: "incident 4"}); err != nil {
		t.Fatal(err)
	}
	m := New()
	m.Register(NewRecords(st, time.Hour, nil))
	want := `
# HELP ferry_deployments_total Finished deployments recorded in the store (by the command line and the agent), by environment, target and the target's status (succeeded, failed, aborted).
# TYPE ferry_deployments_total counter
ferry_deployments_total{env="production",status="aborted",target="aws"} 0
ferry_deployments_total{env="production",status="aborted",target="azure"} 0
ferry_deployments_total{env="production",status="failed",target="aws"} 0
ferry_deployments_total{env="production",status="failed",target="azure"} 1
ferry_deployments_total{env="production",status="succeeded",target="aws"} 1
ferry_deployments_total{env="production",status="succeeded",target="azure"} 0
# HELP ferry_promotions_total Lane moves recorded in the store, by kind (promote, release, finish, rollback), lanes and whether a gate was overridden.
# TYPE ferry_promotions_total counter
ferry_promotions_total{from="main",kind="release",override="false",to="release"} 1
ferry_promotions_total{from="staging",kind="promote",override="true",to="main"} 1
# HELP ferry_releases_total Releases recorded in the store (a version tag on the release lane), by lane.
# TYPE ferry_releases_total counter
ferry_releases_total{lane="release"} 1
# HELP ferry_store_up 1 when the last read of the store's tallies succeeded, else 0 (the counters then repeat the last good read).
# TYPE ferry_store_up gauge
ferry_store_up 1
`
	names := []string{"ferry_deployments_total", "ferry_promotions_total", "ferry_releases_total", "ferry_store_up"}
	if err := testutil.GatherAndCompare(m.reg, strings.NewReader(want), names...); err != nil {
		t.Error(err)
	}
	promtoolCheck(t, scrape(t, m.Handler(nil), "", 200))

	// A closed store: the counters stay, ferry_store_up drops.
	r := NewRecords(st, 0, nil)
	if _, _, up := r.read(); !up {
		t.Fatal("first read failed")
	}
	st.Close()
	if _, _, up := r.read(); up {
		t.Fatal("a read of a closed store reported up")
	}
	if got, _, _ := r.read(); len(got.Deployments) != 2 {
		t.Fatalf("the last good tallies were dropped: %+v", got)
	}
}

// TestMetricsToken: with a token /metrics answers only to it.
func TestMetricsToken(t *testing.T) {
	m := New()
	scrape(t, m.Handler([]byte("t0ken")), "", 401)
	scrape(t, m.Handler([]byte("t0ken")), "Bearer wrong", 401)
	if body := scrape(t, m.Handler([]byte("t0ken")), "Bearer t0ken", 200); !strings.Contains(body, "ferry_agent_leader") {
		t.Fatalf("authorised scrape lacks the metrics: %s", body)
	}
}

// TestPromtoolAcceptsExposition runs promtool check metrics (the
// Prometheus package's own linter) on the whole exposition.
func TestPromtoolAcceptsExposition(t *testing.T) {
	m := New()
	drive(m)
	promtoolCheck(t, scrape(t, m.Handler(nil), "", 200))
}

func scrape(t *testing.T, h http.Handler, auth string, wantCode int) string {
	t.Helper()
	req := httptest.NewRequest("GET", "/metrics", nil)
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	body, _ := io.ReadAll(rec.Body)
	if rec.Code != wantCode {
		t.Fatalf("GET /metrics (auth %q): %d, want %d: %s", auth, rec.Code, wantCode, body)
	}
	return string(body)
}

func promtoolCheck(t *testing.T, exposition string) {
	t.Helper()
	cmd := exec.Command(testenv.Require(t, "promtool"), "check", "metrics")
	cmd.Stdin = strings.NewReader(exposition)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("promtool check metrics: %v\n%s", err, out.String())
	}
}

// TestLeadTimeHistogram: ferry_lead_time_seconds is the store's lead
// times per environment, as a Prometheus histogram.
func TestLeadTimeHistogram(t *testing.T) {
	ctx := context.Background()
	st, err := store.OpenSQLite(ctx, filepath.Join(t.TempDir(), "ferry.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	end := time.Now()
	for _, lead := range []time.Duration{90 * time.Minute, 3 * 24 * time.Hour} {
		id, _ := st.StartDeployment(ctx, store.Deployment{Env: "production", Revision: "r",
			Change: &store.Change{Kind: store.ChangeNormal, Commits: 1, FirstCommitAt: end.Add(-lead)}})
		if err := st.FinishDeployment(ctx, id, store.DeploymentResult{Status: store.StatusSucceeded, EndedAt: end}); err != nil {
			t.Fatal(err)
		}
	}
	m := New()
	m.Register(NewRecords(st, time.Hour, nil))
	body := scrape(t, m.Handler(nil), "", 200)
	for _, c := range []struct {
		name  string
		match map[string]string
		want  float64
	}{
		{"ferry_lead_time_seconds_count", map[string]string{"env": "production"}, 2},
		{"ferry_lead_time_seconds_sum", map[string]string{"env": "production"}, (90*time.Minute + 72*time.Hour).Seconds()},
	} {
		if got, err := testenv.SumMetric(body, c.name, c.match); err != nil || got != c.want {
			t.Errorf("%s = %v (%v), want %v", c.name, got, err, c.want)
		}
	}
	for _, line := range []string{`ferry_lead_time_seconds_bucket{env="production",le="3600"} 0`,
		`ferry_lead_time_seconds_bucket{env="production",le="7200"} 1`, `ferry_lead_time_seconds_bucket{env="production",le="604800"} 2`} {
		if !strings.Contains(body, line+"\n") {
			t.Errorf("/metrics lacks %s", line)
		}
	}
	promtoolCheck(t, body)
}
