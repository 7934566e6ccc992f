package cli

import (
	"context"
	"fmt"
	"math/rand/v2"
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

// TestSIGKILLDuringPromotion kills `ferry promote staging` with SIGKILL at
// random moments. After every kill the remote's staging is at its old commit
// or at a promotion merge of the candidate onto it — never anything else —
// and the next run succeeds and leaves no temporary worktree behind.
func TestSIGKILLDuringPromotion(t *testing.T) {
	ferry, err := exec.LookPath("ferry")
	if err != nil {
		t.Fatalf("the test binary registers ferry on PATH in TestMain: %v", err)
	}
	remote := testenv.GitRemote(t)
	ops := filepath.Join(t.TempDir(), "ops")
	if code := Run(context.Background(), []string{"init", ops}, Streams{Out: new(strings.Builder), Err: new(strings.Builder)}); code != 0 {
		t.Fatalf("ferry init: exit %d", code)
	}
	testenv.GitRun(t, ops, "remote", "add", "origin", remote)
	testenv.GitRun(t, ops, "push", "--quiet", "origin", "main", "develop", "staging", "release", "v0.1.0")
	dev := testenv.GitClone(t, remote)
	testenv.GitRun(t, dev, "checkout", "--quiet", "develop")
	st, err := store.OpenSQLite(context.Background(), filepath.Join(ops, ".ferry", "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()

	rng := rand.New(rand.NewPCG(1, 2))
	killed := 0
	for i := range 12 {
		cand := testenv.GitCommitFile(t, dev, "f.txt", strings.Repeat("x", i+1)+"\n", "feat: change "+string(rune('a'+i)))
		testenv.GitRun(t, dev, "push", "--quiet", "origin", "develop")
		if _, err := st.RecordCheckRun(context.Background(), store.CheckRun{Revision: cand, Passed: true}); err != nil {
			t.Fatal(err)
		}
		old := testenv.GitRun(t, remote, "rev-parse", "staging")

		cmd := exec.Command(ferry, "promote", "staging", "--repo", ops)
		cmd.Env = testenv.GitEnv(t)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(rng.IntN(500)) * time.Millisecond)
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
		if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			killed++
		}
		// SIGKILL does not reach ferry's git children; give an orphaned git
		// a moment to finish, as it would before any real next run.
		time.Sleep(300 * time.Millisecond)

		checkStaging(t, remote, old, cand)
		out, err := runFerryBin(t, ferry, "promote", "staging", "--repo", ops)
		if err != nil {
			t.Fatalf("run after kill %d: %v\n%s", i, err, out)
		}
		testenv.GitRun(t, remote, "merge-base", "--is-ancestor", cand, "staging") // fails the test if not
		if entries, _ := os.ReadDir(filepath.Join(ops, ".git", "ferry-worktrees")); countDirs(entries) != 0 {
			t.Fatalf("iteration %d: temporary worktrees left after the next run: %v", i, entries)
		}
		if list := testenv.GitRun(t, ops, "worktree", "list"); strings.Count(list, "\n") != 0 {
			t.Fatalf("iteration %d: git still lists worktrees:\n%s", i, list)
		}
	}
	t.Logf("%d of 12 runs were killed before finishing on their own", killed)
}

// TestSIGKILLDuringRelease kills `ferry release` at random moments: the
// release lane and the version tag land together or not at all, and the
// next run finishes the release (or finds it done).
func TestSIGKILLDuringRelease(t *testing.T) {
	ferry, err := exec.LookPath("ferry")
	if err != nil {
		t.Fatalf("the test binary registers ferry on PATH in TestMain: %v", err)
	}
	h := newCrashHarness(t)
	rng := rand.New(rand.NewPCG(3, 4))
	killed := 0
	for i := range 8 {
		h.fixToMain(ferry, i)
		old := testenv.GitRun(t, h.remote, "rev-parse", "release")
		tag := fmt.Sprintf("v0.1.%d", i+1)

		cmd := exec.Command(ferry, "release", "--repo", h.ops)
		cmd.Env = testenv.GitEnv(t)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(rng.IntN(300)) * time.Millisecond)
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
		if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			killed++
		}
		time.Sleep(300 * time.Millisecond)

		now := testenv.GitRun(t, h.remote, "rev-parse", "release")
		tags := testenv.GitRun(t, h.remote, "tag", "--list", tag)
		switch {
		case now == old && tags == "":
		case now != old && tags == tag && testenv.GitRun(t, h.remote, "rev-parse", tag+"^{commit}") == now:
		default:
			t.Fatalf("iteration %d: release %s (was %s) and tag list %q: lane and tag did not land together", i, now, old, tags)
		}
		out, err := runFerryBin(t, ferry, "release", "--repo", h.ops)
		if err != nil && !strings.Contains(out, "nothing to release") {
			t.Fatalf("run after kill %d: %v\n%s", i, err, out)
		}
		if got := testenv.GitRun(t, h.remote, "rev-parse", tag+"^{commit}"); got != testenv.GitRun(t, h.remote, "rev-parse", "release") {
			t.Fatalf("iteration %d: %s is not the release head after the next run", i, tag)
		}
	}
	t.Logf("%d of 8 releases were killed before finishing on their own", killed)
}

type crashHarness struct {
	t           *testing.T
	remote, ops string
	dev         string
	st          store.Store
}

func newCrashHarness(t *testing.T) *crashHarness {
	h := &crashHarness{t: t, remote: testenv.GitRemote(t), ops: filepath.Join(t.TempDir(), "ops")}
	if code := Run(context.Background(), []string{"init", h.ops}, Streams{Out: new(strings.Builder), Err: new(strings.Builder)}); code != 0 {
		t.Fatalf("ferry init: exit %d", code)
	}
	testenv.GitRun(t, h.ops, "remote", "add", "origin", h.remote)
	testenv.GitRun(t, h.ops, "push", "--quiet", "origin", "main", "develop", "staging", "release", "v0.1.0")
	h.dev = testenv.GitClone(t, h.remote)
	testenv.GitRun(t, h.dev, "checkout", "--quiet", "develop")
	st, err := store.OpenSQLite(context.Background(), filepath.Join(h.ops, ".ferry", "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	h.st = st
	return h
}

// fixToMain pushes a fix to develop and walks it, with checks and a staging
// deployment recorded, to main.
func (h *crashHarness) fixToMain(ferry string, i int) {
	t, ctx := h.t, context.Background()
	cand := testenv.GitCommitFile(t, h.dev, "fix.txt", strings.Repeat("y", i+1)+"\n", fmt.Sprintf("fix: repair %d", i))
	testenv.GitRun(t, h.dev, "push", "--quiet", "origin", "develop")
	h.st.RecordCheckRun(ctx, store.CheckRun{Revision: cand, Passed: true})
	if out, err := runFerryBin(t, ferry, "promote", "staging", "--repo", h.ops); err != nil {
		t.Fatalf("promote staging: %v\n%s", err, out)
	}
	staging := testenv.GitRun(t, h.remote, "rev-parse", "staging")
	id, err := h.st.StartDeployment(ctx, store.Deployment{Env: "staging", Revision: staging, Status: store.StatusRunning})
	if err != nil {
		t.Fatal(err)
	}
	h.st.FinishDeployment(ctx, id, store.DeploymentResult{Status: store.StatusSucceeded, Healthy: true, Verified: true})
	if out, err := runFerryBin(t, ferry, "promote", "main", "--repo", h.ops); err != nil {
		t.Fatalf("promote main: %v\n%s", err, out)
	}
	h.st.RecordCheckRun(ctx, store.CheckRun{Revision: testenv.GitRun(t, h.remote, "rev-parse", "main"), Passed: true})
}

// checkStaging asserts the remote's staging is old, or a ferry merge of cand
// with old as first parent.
func checkStaging(t *testing.T, remote, old, cand string) {
	t.Helper()
	now := testenv.GitRun(t, remote, "rev-parse", "staging")
	if now == old {
		return
	}
	parents := strings.Fields(testenv.GitRun(t, remote, "log", "-1", "--format=%P", now))
	msg := testenv.GitRun(t, remote, "log", "-1", "--format=%B", now)
	if len(parents) != 2 || parents[0] != old || parents[1] != cand || !strings.Contains(msg, "Ferry-Promotion: develop -> staging") {
		t.Fatalf("staging is at %s (parents %v), neither old %s nor the promotion of %s:\n%s", now, parents, old, cand, msg)
	}
}

func runFerryBin(t *testing.T, ferry string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(ferry, args...)
	cmd.Env = testenv.GitEnv(t)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func countDirs(entries []os.DirEntry) int {
	n := 0
	for _, e := range entries {
		if e.IsDir() {
			n++
		}
	}
	return n
}
