package deploy

import (
	"context"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"ferry.dev/ferry/internal/git"
	"ferry.dev/ferry/internal/platform"
	"ferry.dev/ferry/internal/store"
	"ferry.dev/ferry/internal/testenv"
)

// TestChangeOf: what a deployment brings is read from a real repository
// against a real store's last successful deployment: commits new to the
// environment, the oldest author time, and rollback and hotfix commits.
func TestChangeOf(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := testenv.GitClone(t, testenv.GitRemote(t))
	repo, err := git.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.OpenSQLite(ctx, filepath.Join(t.TempDir(), "ferry.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	p := &platform.Platform{Spec: platform.Spec{Topics: []platform.Topic{
		{Kind: "feature", Prefix: "feature/"}, {Kind: "hotfix", Prefix: "hotfix/"}}}}
	day := func(d int) time.Time { return time.Date(2026, 1, d, 9, 0, 0, 0, time.UTC) }
	commit := func(msg string, at time.Time) string {
		testenv.GitRun(t, dir, "commit", "--allow-empty", "-q", "-m", msg, "--date", at.Format(time.RFC3339))
		return testenv.GitRun(t, dir, "rev-parse", "HEAD")
	}
	merge := func(branch, msg string, at time.Time) string {
		testenv.GitRun(t, dir, "merge", "--no-ff", "-q", "-m", msg, branch)
		testenv.GitRun(t, dir, "commit", "--amend", "--allow-empty", "-q", "--no-edit", "--date", at.Format(time.RFC3339))
		return testenv.GitRun(t, dir, "rev-parse", "HEAD")
	}
	deployed := func(rev string) {
		id, err := st.StartDeployment(ctx, store.Deployment{Env: "production", Revision: rev})
		if err == nil {
			err = st.FinishDeployment(ctx, id, store.DeploymentResult{Status: store.StatusSucceeded})
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	check := func(what, rev string, want store.Change) {
		t.Helper()
		got, err := changeOf(ctx, p, repo, st, "production", rev)
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if !reflect.DeepEqual(*got, want) {
			t.Errorf("%s: change = %+v, want %+v", what, *got, want)
		}
	}

	testenv.GitRun(t, dir, "checkout", "-q", "-b", "main")
	commit("feat: one", day(2))
	first := commit("feat: two", day(3))
	check("first deployment: all history", first, store.Change{Kind: store.ChangeNormal, Commits: 2, FirstCommitAt: day(2)})
	deployed(first)
	check("redeploy", first, store.Change{Kind: store.ChangeNormal})

	commit("feat: three", day(5))
	second := commit("fix: four", day(4)) // authored before its parent: the oldest author time counts
	check("next change", second, store.Change{Kind: store.ChangeNormal, Commits: 2, FirstCommitAt: day(4)})
	deployed(second)

	rollback := commit("Roll back production to v0.1.0\n\nFerry-Rollback: v0.1.0", day(6))
	check("rollback commit", rollback, store.Change{Kind: store.ChangeRollback, Commits: 1, FirstCommitAt: day(6)})
	deployed(rollback)

	testenv.GitRun(t, dir, "checkout", "-q", "-b", "develop")
	testenv.GitRun(t, dir, "checkout", "-q", "-b", "hotfix/k3d", "main")
	commit("fix: k3d", day(7))
	testenv.GitRun(t, dir, "checkout", "-q", "main")
	fixed := merge("hotfix/k3d", "Finish hotfix/k3d into main\n\nFerry-Finish: hotfix/k3d -> main", day(8))
	check("hotfix", fixed, store.Change{Kind: store.ChangeHotfix, Commits: 2, FirstCommitAt: day(7)})
	deployed(fixed)

	testenv.GitRun(t, dir, "checkout", "-q", "develop")
	merge("hotfix/k3d", "Finish hotfix/k3d into develop\n\nFerry-Finish: hotfix/k3d -> develop", day(9))
	commit("feat: five", day(10))
	testenv.GitRun(t, dir, "checkout", "-q", "main")
	later := merge("develop", "Promote develop to main", day(11))
	check("the hotfix's other merge arrives later", later,
		store.Change{Kind: store.ChangeNormal, Commits: 3, FirstCommitAt: day(9)})

	testenv.GitRun(t, dir, "checkout", "-q", "-b", "feature/x", "main")
	commit("feat: x", day(12))
	testenv.GitRun(t, dir, "checkout", "-q", "main")
	feature := merge("feature/x", "Finish feature/x into main\n\nFerry-Finish: feature/x -> main", day(13))
	check("a feature finish is no hotfix", feature,
		store.Change{Kind: store.ChangeNormal, Commits: 5, FirstCommitAt: day(9)})
}
