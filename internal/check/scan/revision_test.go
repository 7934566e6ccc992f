package scan

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"ferry.dev/ferry/internal/git"
	"ferry.dev/ferry/internal/platform"
	"ferry.dev/ferry/internal/store"
)

// TestCheckRevisionRecorded: a revision is checked in a worktree (not the
// working tree, which has a newer breaking change), and the run recorded in
// a real SQLite store is found again by revision.
func TestCheckRevisionRecorded(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := copyTree(t, "testdata/platform")
	repo, err := git.Init(ctx, dir, "develop")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := repo.Run(ctx, "add", "."); err != nil {
		t.Fatal(err)
	}
	if _, err := repo.Run(ctx, "commit", "-m", "feat: platform"); err != nil {
		t.Fatal(err)
	}
	rev, _ := repo.Run(ctx, "rev-parse", "HEAD")
	rev = strings.TrimSpace(rev)
	// an uncommitted privileged container in the working tree must not count
	write(t, dir, "pod.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: x}\nspec:\n  containers:\n    - name: a\n      image: a:1\n      securityContext: {privileged: true}\n")

	run, res, err := CheckRevision(ctx, dir, "develop", "", Options{Env: "dev"})
	if err != nil {
		t.Fatal(err)
	}
	if run.Revision != rev || !run.Passed || run.Env != "dev" || run.ID != 0 || res.Files == 0 {
		t.Fatalf("run = %+v", run)
	}
	if len(find(res.Findings, "FERRY-K8S-001", "")) != 0 {
		t.Fatal("working-tree change was checked instead of the revision")
	}
	prod, _, err := CheckRevision(ctx, dir, rev, platform.SeverityHigh, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if prod.Passed || !strings.Contains(prod.Summary, "FERRY-K8S-006") || prod.Counts["high"] != 1 {
		t.Fatalf("prod run = %+v", prod)
	}

	st, err := store.OpenSQLite(ctx, filepath.Join(t.TempDir(), "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	id, err := st.RecordCheckRun(ctx, prod)
	if err != nil {
		t.Fatal(err)
	}
	got, err := st.LatestCheckRun(ctx, rev)
	if err != nil || got.ID != id || got.Passed || got.Summary != prod.Summary {
		t.Fatalf("stored run = %+v, %v", got, err)
	}

	c := Checker{}
	if r, err := c.Check(ctx, dir, rev); err != nil || r.Passed {
		t.Fatalf("Checker = %+v, %v", r, err)
	}
}
