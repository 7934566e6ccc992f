package fluxbench

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"
)

// ferryTool is one ferry serve process on the scenario's repository.
type ferryTool struct {
	*proc
	webhook string // the GitHub webhook endpoint
}

// startFerry runs ferry serve on r's HTTP URL, polling every poll, and
// waits until it leads.
func startFerry(b testing.TB, bin, kc string, r *repo, poll, secretFile string) *ferryTool {
	b.Helper()
	addr := loopback(b)
	p := startProc(b, "ferry-serve", bin, []string{"KUBECONFIG=" + kc}, "serve", "--listen", addr,
		"--repo", r.url, "--state-dir", b.TempDir(), "--webhook-secret-file", secretFile, "--poll-interval", poll)
	p.metrics = "http://" + addr + "/metrics"
	waitEvery(b, 5*time.Minute, 50*time.Millisecond, "ferry serve leads", func() bool {
		if p.cmd.ProcessState != nil {
			b.Fatalf("ferry serve exited:\n%s", p.logTail())
		}
		resp, err := http.Get("http://" + addr + "/readyz")
		if err != nil {
			return false
		}
		defer resp.Body.Close()
		var h struct{ Role string }
		_ = json.NewDecoder(resp.Body).Decode(&h)
		return resp.StatusCode == http.StatusOK && h.Role == "leader"
	})
	return &ferryTool{proc: p, webhook: "http://" + addr + "/hooks/github"}
}

// deployed waits until this ferry serve process made a successful
// deployment of env (its own histogram; the store counters hold history).
func (f *ferryTool) deployed(b testing.TB, env string, within time.Duration) {
	b.Helper()
	waitEvery(b, within, 100*time.Millisecond, "ferry deploys "+env, func() bool {
		return f.metric(b, "ferry_deployment_duration_seconds_count", map[string]string{"env": env, "status": "succeeded"}) >= 1
	})
}

// reconciles are ferry serve's finished reconcile passes of env and the
// seconds they took.
func (f *ferryTool) reconciles(b testing.TB, env string) (n, seconds float64) {
	sel := map[string]string{"env": env}
	return f.metric(b, "ferry_reconcile_duration_seconds_count", sel), f.metric(b, "ferry_reconcile_duration_seconds_sum", sel)
}
