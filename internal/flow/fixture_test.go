package flow

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"ferry.dev/ferry/internal/platform"
	"ferry.dev/ferry/internal/store"
	"ferry.dev/ferry/internal/testenv"
)

const testYAML = `apiVersion: ferry.dev/v1alpha1
kind: Platform
metadata:
  name: flow-test
spec:
  lanes:
    - name: develop
    - name: staging
    - name: main
    - name: release
`

var fixedNow = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

// fixture is a platform repository with the four lanes and a v0.1.0 tag,
// optionally cloned from a bare remote.
type fixture struct {
	t      *testing.T
	dir    string // the working clone ferry runs in
	remote string // bare remote, "" without one
	e      *Engine
}

func newFixture(t *testing.T, withRemote bool) *fixture {
	t.Helper()
	testenv.GitIsolate(t)
	f := &fixture{t: t}
	if withRemote {
		f.remote = testenv.GitRemote(t)
		f.dir = testenv.GitClone(t, f.remote)
	} else {
		f.dir = t.TempDir()
		testenv.GitRun(t, f.dir, "init", "--quiet", "--initial-branch=main")
	}
	testenv.GitCommitFile(t, f.dir, "ferry.yaml", testYAML, "chore: ferry.yaml")
	testenv.GitCommitFile(t, f.dir, "CHANGELOG.md", "# Changelog\n\nNotes.\n\n## v0.1.0 (2026-01-01)\n\n- first\n", "chore: changelog")
	testenv.GitRun(t, f.dir, "tag", "-a", "-m", "v0.1.0", "v0.1.0")
	for _, l := range []string{"develop", "staging", "release"} {
		testenv.GitRun(t, f.dir, "branch", l)
	}
	testenv.GitRun(t, f.dir, "checkout", "--quiet", "develop")
	if withRemote {
		testenv.GitRun(t, f.dir, "push", "--quiet", "origin", "develop", "staging", "main", "release", "v0.1.0")
	}
	f.e = f.engine()
	return f
}

// engine opens a fresh Engine on the fixture (as a new ferry process would).
func (f *fixture) engine() *Engine {
	f.t.Helper()
	return f.engineIn(f.dir)
}

func (f *fixture) engineIn(dir string) *Engine {
	f.t.Helper()
	p, err := platform.Load(dir)
	if err != nil {
		f.t.Fatal(err)
	}
	st, err := store.OpenSQLite(context.Background(), filepath.Join(f.dir, ".ferry", "state.db"))
	if err != nil {
		f.t.Fatal(err)
	}
	f.t.Cleanup(func() { st.Close() })
	e, err := New(context.Background(), p, Options{Store: st, Now: func() time.Time { return fixedNow }, Actor: "tester <t@x>"})
	if err != nil {
		f.t.Fatal(err)
	}
	return e
}

func (f *fixture) git(args ...string) string {
	f.t.Helper()
	return testenv.GitRun(f.t, f.dir, args...)
}

// commitOn commits a file on a local branch and, with a remote, pushes it.
func (f *fixture) commitOn(branch, path, content, msg string) string {
	f.t.Helper()
	cur := f.git("symbolic-ref", "--short", "HEAD")
	f.git("checkout", "--quiet", branch)
	if f.remote != "" {
		f.git("fetch", "--quiet", "origin")
		if ok := f.git("branch", "--remotes", "--list", "origin/"+branch); ok != "" {
			f.git("merge", "--quiet", "--ff-only", "origin/"+branch)
		}
	}
	id := testenv.GitCommitFile(f.t, f.dir, path, content, msg)
	if f.remote != "" {
		f.git("push", "--quiet", "origin", branch)
	}
	f.git("checkout", "--quiet", cur)
	return id
}

func (f *fixture) head(lane string) string {
	f.t.Helper()
	h, err := f.e.branchHead(context.Background(), lane)
	if err != nil {
		f.t.Fatal(err)
	}
	return h
}

func (f *fixture) passChecks(rev string) int64 {
	f.t.Helper()
	id, err := f.e.Store.RecordCheckRun(context.Background(), store.CheckRun{Revision: rev, Passed: true, Summary: "ok"})
	if err != nil {
		f.t.Fatal(err)
	}
	return id
}

func (f *fixture) deploy(env, rev string, healthy, verified bool) int64 {
	f.t.Helper()
	ctx := context.Background()
	id, err := f.e.Store.StartDeployment(ctx, store.Deployment{Env: env, Revision: rev, Status: store.StatusRunning, Actor: "test"})
	if err != nil {
		f.t.Fatal(err)
	}
	if err := f.e.Store.FinishDeployment(ctx, id, store.DeploymentResult{Status: store.StatusSucceeded, Healthy: healthy, Verified: verified, EndedAt: fixedNow}); err != nil {
		f.t.Fatal(err)
	}
	return id
}

func mustNoErr(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	mustNoErr(t, os.WriteFile(path, []byte(content), 0o644))
}
