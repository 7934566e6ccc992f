package flow

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// toMain walks a develop commit through staging to main.
func (f *fixture) toMain(ctx context.Context, rev string) {
	f.t.Helper()
	f.passChecks(rev)
	st, err := f.e.Promote(ctx, "staging", PromoteOptions{})
	mustNoErr(f.t, err)
	f.deploy("staging", st.Commit, true, true)
	_, err = f.e.Promote(ctx, "main", PromoteOptions{})
	mustNoErr(f.t, err)
}

func TestReleaseVersionChangelogAndTag(t *testing.T) {
	f := newFixture(t, false)
	ctx := context.Background()
	f.toMain(ctx, f.commitOn("develop", "vpc.tf", "# vpc\n", "feat(aws): cloud foundation"))

	_, err := f.e.Release(ctx, ReleaseOptions{})
	if !errors.As(err, new(*GateError)) {
		t.Fatalf("release without checks on main = %v, want blocked", err)
	}
	f.passChecks(f.head("main"))
	dry, err := f.e.Release(ctx, ReleaseOptions{DryRun: true})
	mustNoErr(t, err)
	if dry.Tag != "v0.2.0" || dry.Previous != "v0.1.0" || dry.Commit != "" {
		t.Fatalf("dry run = tag %s prev %s commit %q", dry.Tag, dry.Previous, dry.Commit)
	}
	if ok, _ := f.e.Repo.RefExists(ctx, "refs/tags/v0.2.0"); ok {
		t.Fatal("dry run wrote the tag")
	}
	res, err := f.e.Release(ctx, ReleaseOptions{})
	mustNoErr(t, err)
	if res.Tag != "v0.2.0" {
		t.Fatalf("tag = %s, want v0.2.0", res.Tag)
	}
	tagged, err := f.e.Repo.ResolveCommit(ctx, "v0.2.0")
	mustNoErr(t, err)
	if tagged != f.head("release") || tagged != res.Commit {
		t.Fatalf("v0.2.0 = %s, release = %s, commit = %s", tagged, f.head("release"), res.Commit)
	}
	msg, _ := f.e.Repo.TagMessage(ctx, "v0.2.0")
	if !strings.Contains(msg, "### Features") || !strings.Contains(msg, "**aws:** cloud foundation") {
		t.Fatalf("tag message:\n%s", msg)
	}
	cl := f.git("show", "release:CHANGELOG.md")
	if !strings.HasPrefix(cl, "# Changelog\n\nNotes.\n\n## v0.2.0 (2026-11-25)") || !strings.Contains(cl, "## v0.1.0") {
		t.Fatalf("CHANGELOG.md on release:\n%s", cl)
	}
	if got := strings.Fields(f.git("log", "-1", "--format=%P", "release")); len(got) != 2 {
		t.Fatalf("release commit parents = %v, want a merge of main", got)
	}

	// Nothing new: nothing to release.
	if _, err := f.e.Release(ctx, ReleaseOptions{}); !errors.As(err, new(*NothingToReleaseError)) {
		t.Fatalf("empty release = %v", err)
	}

	// A fix: release candidates count up, then the final patch.
	f.toMain(ctx, f.commitOn("develop", "fix.txt", "x\n", "fix(k3d): dns"))
	f.passChecks(f.head("main"))
	rc1, err := f.e.Release(ctx, ReleaseOptions{RC: true})
	mustNoErr(t, err)
	f.toMain(ctx, f.commitOn("develop", "fix2.txt", "y\n", "fix: more"))
	f.passChecks(f.head("main"))
	rc2, err := f.e.Release(ctx, ReleaseOptions{RC: true})
	mustNoErr(t, err)
	if rc1.Tag != "v0.2.1-rc.1" || rc2.Tag != "v0.2.1-rc.2" {
		t.Fatalf("rc tags = %s, %s", rc1.Tag, rc2.Tag)
	}
	// A stray hand-made tag for the next version is refused, nothing changes.
	f.git("branch", "stray", "v0.1.0")
	f.git("tag", "v0.2.1", f.commitOn("stray", "stray.txt", "s\n", "chore: stray"))
	before := f.head("release")
	if _, err := f.e.Release(ctx, ReleaseOptions{}); !errors.As(err, new(*TagExistsError)) {
		t.Fatalf("release over an existing tag = %v", err)
	}
	if f.head("release") != before {
		t.Fatal("release lane moved although the tag existed")
	}
	f.git("tag", "-d", "v0.2.1")
	final, err := f.e.Release(ctx, ReleaseOptions{})
	mustNoErr(t, err)
	if final.Tag != "v0.2.1" || final.Previous != "v0.2.0" {
		t.Fatalf("final = %s (prev %s)", final.Tag, final.Previous)
	}
	if len(final.Changes) != 2 {
		t.Fatalf("v0.2.1 changes = %+v, want the two fixes since v0.2.0", final.Changes)
	}
}

func TestRollbackCommitsTagTree(t *testing.T) {
	f := newFixture(t, false)
	ctx := context.Background()
	f.toMain(ctx, f.commitOn("develop", "vpc.tf", "# vpc\n", "feat: vpc"))
	f.passChecks(f.head("main"))
	_, err := f.e.Release(ctx, ReleaseOptions{})
	mustNoErr(t, err)
	before := f.head("release")

	res, err := f.e.Rollback(ctx, "production", "v0.1.0")
	mustNoErr(t, err)
	if res.Lane != "release" || res.Previous != before {
		t.Fatalf("rollback = %+v", res)
	}
	tagTree, _ := f.e.Repo.Tree(ctx, "v0.1.0")
	laneTree, _ := f.e.Repo.Tree(ctx, f.head("release"))
	if tagTree != laneTree {
		t.Fatal("release tree differs from v0.1.0's tree after rollback")
	}
	cs, _ := f.e.Repo.Log(ctx, "-1", res.Commit)
	if v, _ := cs[0].Trailer(TrailerRollback); v != "v0.1.0" || len(cs[0].Parents) != 1 || cs[0].Parents[0] != before {
		t.Fatalf("rollback commit %+v", cs[0])
	}
	if drift, _ := f.e.Drift(ctx, "release"); len(drift) != 0 {
		t.Fatalf("a ferry rollback shows as drift: %+v", drift)
	}
	again, err := f.e.Rollback(ctx, "production", "v0.1.0")
	if err != nil || !again.UpToDate {
		t.Fatalf("second rollback = %+v, %v", again, err)
	}
	hist, _ := f.e.History(ctx, "release", 10)
	if len(hist) != 2 || hist[0].Kind != "rollback" || hist[1].Kind != "release" {
		t.Fatalf("history = %+v", hist)
	}
}
