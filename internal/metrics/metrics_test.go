package metrics

import (
	"errors"
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

// TestExposition drives every metric once and checks the exposition with
// promlint (the linter promtool check metrics runs) and by value: the
// environment's info series is replaced, not added to, when its outcome
// changes, and a nil *Metrics takes every call.
func TestExposition(t *testing.T) {
	var none *Metrics
	none.Outcome("dev", "abc", "synced")
	none.Deployed("dev", "succeeded", time.Second)
	none.Reconciled("dev", time.Second)
	none.Drift("dev", 1)
	none.Promotion("develop", "staging", "promoted")
	none.Fetched(time.Second, nil)
	none.Leading(true)
	none.Register(prometheus.NewCounter(prometheus.CounterOpts{Name: "x_total", Help: "x"}))

	m := New()
	m.Outcome("dev", "aaa", "out-of-sync")
	m.Outcome("dev", "bbb", "synced")
	m.Outcome("staging", "aaa", "drift")
	m.Deployed("dev", "succeeded", 2*time.Second)
	m.Deployed("dev", "failed", time.Second)
	m.Deployed("dev", "succeeded", 3*time.Second)
	m.Reconciled("dev", 50*time.Millisecond)
	m.Drift("staging", 3)
	m.Promotion("develop", "staging", "promoted")
	m.Fetched(100*time.Millisecond, nil)
	m.Fetched(time.Second, errors.New("remote hung up"))
	m.Leading(true)

	problems, err := testutil.GatherAndLint(m.reg)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("lint: %s: %s", p.Metric, p.Text)
	}
	want := `
# HELP ferry_deployments_total Deployments the agent ran, by environment and status (succeeded, failed, blocked).
# TYPE ferry_deployments_total counter
ferry_deployments_total{env="dev",status="failed"} 1
ferry_deployments_total{env="dev",status="succeeded"} 2
# HELP ferry_environment_info The agent's last outcome per environment (1): the lane revision it is about and the state (synced, up-to-date, out-of-sync, drift, healed, failed, blocked, promoted).
# TYPE ferry_environment_info gauge
ferry_environment_info{env="dev",revision="bbb",state="synced"} 1
ferry_environment_info{env="staging",revision="aaa",state="drift"} 1
# HELP ferry_drift_resources Objects and Terraform addresses that differed from the deployed revision at the last drift check.
# TYPE ferry_drift_resources gauge
ferry_drift_resources{env="staging"} 3
# HELP ferry_git_fetch_failures_total Fetches of the mirror that failed.
# TYPE ferry_git_fetch_failures_total counter
ferry_git_fetch_failures_total 1
# HELP ferry_agent_leader 1 while this process leads (reconciles), 0 while it follows.
# TYPE ferry_agent_leader gauge
ferry_agent_leader 1
`
	if err := testutil.GatherAndCompare(m.reg, strings.NewReader(want), "ferry_deployments_total", "ferry_environment_info",
		"ferry_drift_resources", "ferry_git_fetch_failures_total", "ferry_agent_leader"); err != nil {
		t.Error(err)
	}
	if n := testutil.CollectAndCount(m.deployDur); n != 1 {
		t.Errorf("deployment duration series: %d, want 1 (dev)", n)
	}

	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body, _ := io.ReadAll(rec.Body)
	for _, name := range []string{"ferry_reconcile_duration_seconds_bucket", "ferry_git_fetch_duration_seconds_count",
		"ferry_promotions_total", "go_goroutines", "process_resident_memory_bytes"} {
		if !strings.Contains(string(body), name) {
			t.Errorf("/metrics lacks %s", name)
		}
	}
}
