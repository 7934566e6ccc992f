package fluxbench

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// ferryTool is one ferry serve process on the scenario's repository.
type ferryTool struct {
	*proc
	webhook string // the GitHub webhook endpoint
	debug   string // its /debug/pprof/ base URL
}

// startFerry runs ferry serve on r's HTTP URL, polling every poll, and
// waits until it leads.
func startFerry(b testing.TB, bin, kc string, r *repo, poll, secretFile string) *ferryTool {
	b.Helper()
	addr := loopback(b)
	debug := loopback(b)
	p := startProc(b, "ferry-serve", bin, []string{"KUBECONFIG=" + kc}, "serve", "--listen", addr,
		"--repo", r.url, "--state-dir", b.TempDir(), "--webhook-secret-file", secretFile, "--poll-interval", poll,
		"--debug-listen", debug)
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
	return &ferryTool{proc: p, webhook: "http://" + addr + "/hooks/github", debug: "http://" + debug + "/debug/pprof/"}
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
	sel, m := map[string]string{"env": env}, f.scrape(b)
	return m.sum(b, "ferry_reconcile_duration_seconds_count", sel), m.sum(b, "ferry_reconcile_duration_seconds_sum", sel)
}

// profile writes a CPU profile of the next d to FERRY_BENCH_PROFILE/name.pprof
// in the background, when that variable names a directory; the returned
// function waits for it.
func (f *ferryTool) profile(b testing.TB, name string, d time.Duration) (wait func()) {
	dir := os.Getenv("FERRY_BENCH_PROFILE")
	if dir == "" {
		return func() {}
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		resp, err := http.Get(fmt.Sprintf("%sprofile?seconds=%d", f.debug, int(d.Seconds())))
		if err != nil {
			b.Logf("profile %s: %v", name, err)
			return
		}
		defer resp.Body.Close()
		out, err := os.Create(filepath.Join(dir, name+".pprof"))
		if err == nil {
			_, err = io.Copy(out, resp.Body)
			out.Close()
		}
		if err != nil {
			b.Logf("profile %s: %v", name, err)
		}
	}()
	return func() { <-done }
}
