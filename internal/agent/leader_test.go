package agent_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"ferry.dev/ferry/internal/store"
	"ferry.dev/ferry/internal/testenv"
)

// serveProc is one `ferry serve` OS process.
type serveProc struct {
	cmd  *exec.Cmd
	url  string
	logs *testenv.SyncBuffer
}

// startServe runs bin serve ARGS on a free loopback port until the test ends.
func startServe(t testing.TB, bin string, env []string, args ...string) *serveProc {
	t.Helper()
	port, err := testenv.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	p := &serveProc{url: "http://" + addr, logs: &testenv.SyncBuffer{}}
	p.cmd = exec.Command(bin, append([]string{"serve", "--listen", addr}, args...)...)
	p.cmd.Env = append(os.Environ(), env...)
	p.cmd.Stdout, p.cmd.Stderr = p.logs, p.logs
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
		_ = p.cmd.Wait()
	})
	return p
}

// stop sends SIGTERM and waits for the process to exit.
func (p *serveProc) stop() {
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	_ = p.cmd.Wait()
}

func (p *serveProc) role() string {
	resp, err := http.Get(p.url + "/readyz")
	if err != nil {
		return ""
	}
	defer resp.Body.Close()
	var r struct{ Role string }
	_ = json.NewDecoder(resp.Body).Decode(&r)
	return r.Role
}

// TestLeaderTakeover: two ferry serve processes on one PostgreSQL store.
// One leads; kill -9 of the leader (and its children) during a sync hands
// the lease to the other within the lease time; the cut-off deployment is
// recorded aborted, the next one succeeds, and no two deployments of the
// environment ever ran at once.
func TestLeaderTakeover(t *testing.T) {
	f := newPlatform(t, func(s string) string {
		// One environment syncs (dev); the store is the shared PostgreSQL.
		i := strings.Index(s, "autoSync: true")
		j := i + strings.Index(s[i+1:], "autoSync: true") + 1
		s = s[:j] + "autoSync: false" + s[j+len("autoSync: true"):]
		return strings.Replace(s, "    driver: sqlite\n    dsn: .ferry/state.db\n", "    driver: postgres\n    dsn: ${FERRY_TEST_DSN}\n", 1)
	})
	dsn := testenv.PostgresDSN(t)
	env := []string{"FERRY_TEST_DSN=" + dsn}
	st, err := store.Open(context.Background(), "postgres", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	start := time.Now()
	bin := testenv.FerryBinary(t)
	t.Logf("ferry built in %s", time.Since(start).Round(time.Second))

	serve := func(stateDir string) *serveProc {
		return startServe(t, bin, env, "--repo", "file://"+f.remote, "--state-dir", stateDir,
			"--lease-ttl", "2s", "--lock-ttl", "3s", "--poll-interval", "1s", "--health-timeout", "90s", "--no-watch")
	}
	a := serve(filepath.Join(t.TempDir(), "a"))
	waitFor(t, 60*time.Second, func() (bool, string) { return a.role() == "leader", "a does not lead:\n" + a.logs.String() })
	b := serve(filepath.Join(t.TempDir(), "b"))
	waitFor(t, 60*time.Second, func() (bool, string) { return b.role() == "follower", "b is no follower:\n" + b.logs.String() })

	// Kill a while it deploys dev.
	var cut store.Deployment
	waitFor(t, 2*time.Minute, func() (bool, string) {
		ds, _ := st.Deployments(context.Background(), store.DeploymentFilter{Env: "dev", Status: store.StatusRunning, Limit: 1})
		if len(ds) == 0 {
			return false, "no running deployment of dev:\n" + a.logs.String()
		}
		cut = ds[0]
		return true, ""
	})
	t.Logf("deployment %d running at %s", cut.ID, time.Since(start).Round(time.Second))
	time.Sleep(300 * time.Millisecond)
	if err := syscall.Kill(-a.cmd.Process.Pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	killed := time.Now()
	waitFor(t, 30*time.Second, func() (bool, string) { return b.role() == "leader", "b did not take over:\n" + b.logs.String() })
	// The lease (2s) expires at most 2s after the kill; the follower tries
	// every third of it. 6s leaves room for a loaded CI machine.
	took := time.Since(killed)
	t.Logf("takeover %s after kill -9 (lease 2s)", took.Round(10*time.Millisecond))
	if took > 6*time.Second {
		t.Errorf("takeover took %s, want within the lease time (2s) plus retry", took)
	}
	head := f.head("develop")
	waitFor(t, 4*time.Minute, func() (bool, string) {
		ds, _ := st.Deployments(context.Background(), store.DeploymentFilter{Env: "dev", Revision: head, Status: store.StatusSucceeded, Limit: 1})
		return len(ds) == 1, "no successful deployment after the takeover:\n" + b.logs.String()
	})
	d, err := st.Deployment(context.Background(), cut.ID)
	if err != nil || d.Status != store.StatusAborted {
		t.Fatalf("the cut-off deployment %d = %s (%v), want aborted", cut.ID, d.Status, err)
	}
	ds, _ := st.Deployments(context.Background(), store.DeploymentFilter{Env: "dev"})
	for i, x := range ds {
		for _, y := range ds[i+1:] {
			if x.StartedAt.Before(y.EndedAt) && y.StartedAt.Before(x.EndedAt) {
				t.Errorf("deployments %d and %d of dev overlapped: %s–%s and %s–%s", x.ID, y.ID, x.StartedAt, x.EndedAt, y.StartedAt, y.EndedAt)
			}
		}
	}
}
