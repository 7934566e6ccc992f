package agent_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"ferry.dev/ferry/internal/agent"
	"ferry.dev/ferry/internal/store"
	"ferry.dev/ferry/internal/testenv"
)

// verifyYAML makes develop → staging automatic once dev deployed it, and
// staging → main automatic once staging's deployment of the candidate kept
// the error ratio the test's exporter reports below 1% for a 3s soak,
// rolling staging back when it did not.
func verifyYAML(promURL string) func(string) string {
	return func(s string) string {
		s = strings.Replace(s, "    - from: develop\n      to: staging\n      candidate: head\n      gates:\n        checks: true\n",
			"    - from: develop\n      to: staging\n      candidate: head\n      auto: true\n      gates:\n        checks: true\n        deployed: dev\n", 1)
		return strings.Replace(s, "      candidate: verified\n      gates:\n        checks: true\n        deployed: staging\n        verified: true\n",
			"      candidate: verified\n      auto: true\n      gates:\n        checks: true\n        deployed: staging\n        verified: true\n"+
				"        verify:\n          prometheus: "+promURL+"\n          soak: 3s\n          rollback: true\n          queries:\n"+
				"            - name: error-ratio\n              query: max(app_error_ratio)\n              below: 0.01\n", 1)
	}
}

// TestAgentVerifiesByMetrics: the agent promotes staging to main only after
// the soak held on a real Prometheus (the worst value is in the promotion's
// evidence); when the error ratio breaks the threshold during the next
// soak, main stays, the failure is recorded and staging is synced back to
// its previous good revision.
func TestAgentVerifiesByMetrics(t *testing.T) {
	addr, ratio := testenv.StartExporter(t, "app_error_ratio", "Errors per request, as the test says.")
	prom := testenv.StartPrometheus(t, testenv.PrometheusOptions{Targets: []string{addr}})
	prom.WaitScraped(t, 30*time.Second)

	f := newPlatform(t, verifyYAML(prom.URL))
	ctx := context.Background()
	ratio.Set(0.001)
	_, _, stop := f.start(f.config(300*time.Millisecond), nil)
	good := f.commitOn("develop", "apps/sample-service/base/configmap.yaml", configMapYAML(t, f, "#00aa00"), "feat: green")
	var ps []store.Promotion
	waitFor(t, 3*time.Minute, func() (bool, string) {
		ps, _ = f.st.Promotions(ctx, store.PromotionFilter{To: "main", Limit: 1})
		return len(ps) == 1 && ps[0].Revision == good, "main not promoted after a good soak: " + f.recent("staging")
	})
	if ev := strings.Join(ps[0].Evidence, " "); !strings.Contains(ev, "verify:error-ratio=0.001") {
		t.Fatalf("promotion evidence %q lacks the verification", ev)
	}
	stagingGood := f.deployedAt("staging", f.head("staging"), time.Minute)

	// The next change makes errors: its soak fails.
	ratio.Set(0.5)
	green := testenv.GitRun(t, f.clone, "show", "origin/develop:apps/sample-service/base/configmap.yaml")
	red := strings.Replace(green, "#00aa00", "#aa0000", 1) + "\n"
	bad := f.commitOn("develop", "apps/sample-service/base/configmap.yaml", red, "feat: red")
	waitFor(t, 3*time.Minute, func() (bool, string) {
		evs, _ := f.st.Events(ctx, store.EventFilter{Kind: agent.EventVerification, Env: "staging", Limit: 1})
		return len(evs) == 1 && strings.Contains(evs[0].Message, "was 0.5 at"), "no failed verification: " + f.recent("staging")
	})
	waitFor(t, time.Minute, func() (bool, string) {
		ds, _ := f.st.Deployments(ctx, store.DeploymentFilter{Env: "staging", Status: store.StatusSucceeded, Limit: 1})
		return len(ds) == 1 && ds[0].Revision == stagingGood.Revision && ds[0].ID > stagingGood.ID,
			fmt.Sprintf("staging not rolled back to %s: %s", stagingGood.Revision, f.recent("staging"))
	})
	if ps, _ := f.st.Promotions(ctx, store.PromotionFilter{To: "main", Limit: 1}); len(ps) != 1 || ps[0].Revision == bad {
		t.Fatalf("main was promoted to the revision that failed verification: %+v", ps)
	}
	// It stays rolled back: the lane head is not deployed again, not by
	// this process and not by the next leader, which reads the record.
	time.Sleep(3 * time.Second)
	stop()
	f.start(f.config(300*time.Millisecond), nil)
	time.Sleep(6 * time.Second)
	ds, _ := f.st.Deployments(ctx, store.DeploymentFilter{Env: "staging", Limit: 1})
	if len(ds) != 1 || ds[0].Revision != stagingGood.Revision {
		t.Fatalf("staging redeployed the failed revision after its rollback: %+v", ds)
	}
}
