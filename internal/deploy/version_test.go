package deploy

import (
	"context"
	"testing"

	"ferry.dev/ferry/internal/git"
	"ferry.dev/ferry/internal/testenv"
)

// TestVersionOf: a deployment's version is the tag whose tree it runs. On
// the release lane, a rollback from v0.2.0 to v0.1.0 sits right on top of
// the v0.2.0 tag: the nearest tag says v0.2.0, the tree is v0.1.0's. A
// Ferry-Rollback trailer whose tree does not match its tag (written by
// hand) is not believed.
func TestVersionOf(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := testenv.GitClone(t, testenv.GitRemote(t))
	repo, err := git.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	rev := func() string { return testenv.GitRun(t, dir, "rev-parse", "HEAD") }
	testenv.GitCommitFile(t, dir, "app.txt", "1\n", "feat: one")
	testenv.GitRun(t, dir, "tag", "-a", "-m", "v0.1.0", "v0.1.0")
	testenv.GitCommitFile(t, dir, "app.txt", "2\n", "feat: two")
	testenv.GitRun(t, dir, "tag", "-a", "-m", "v0.2.0", "v0.2.0")
	released := rev()
	testenv.GitCommitFile(t, dir, "x.txt", "x\n", "chore: after v0.2.0")
	after := rev()
	tree := testenv.GitRun(t, dir, "rev-parse", "v0.1.0^{tree}")
	rollback := testenv.GitRun(t, dir, "commit-tree", tree, "-p", released, "-m", "Roll back production to v0.1.0\n\nFerry-Rollback: v0.1.0")
	forged := testenv.GitRun(t, dir, "commit-tree", testenv.GitRun(t, dir, "rev-parse", after+"^{tree}"), "-p", after, "-m", "hand\n\nFerry-Rollback: v0.1.0")
	otherPrefix := testenv.GitRun(t, dir, "commit-tree", tree, "-p", released, "-m", "x\n\nFerry-Rollback: release-1")

	for _, c := range []struct {
		name, rev, want string
	}{
		{"tagged commit", released, "v0.2.0"},
		{"commit after a tag", after, "v0.2.0"},
		{"rollback on top of the newer tag", rollback, "v0.1.0"},
		{"trailer whose tree is not its tag's", forged, "v0.2.0"},
		{"trailer outside the tag prefix", otherPrefix, "v0.2.0"},
	} {
		got, err := versionOf(ctx, repo, c.rev, "v")
		if err != nil || got != c.want {
			t.Errorf("%s: versionOf = %q, %v; want %q", c.name, got, err, c.want)
		}
	}
}
