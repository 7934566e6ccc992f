package flow

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"ferry.dev/ferry/internal/git"
)

func TestTopicStartAndFinish(t *testing.T) {
	f := newFixture(t, false)
	ctx := context.Background()
	st, err := f.e.StartTopic(ctx, "feature", "aws-foundation", "")
	mustNoErr(t, err)
	if st.Branch != "feature/aws-foundation" || st.Commit != f.head("develop") {
		t.Fatalf("start = %+v", st)
	}
	if _, err := f.e.StartTopic(ctx, "feature", "aws-foundation", ""); !errors.As(err, new(*BranchExistsError)) {
		t.Fatalf("second start = %v", err)
	}
	work := f.commitOn("feature/aws-foundation", "vpc.tf", "# vpc\n", "feat(aws): vpc")

	if _, err := f.e.FinishTopic(ctx, "feature/aws-foundation", FinishOptions{}); !errors.As(err, new(*GateError)) {
		t.Fatalf("finish without checks = %v", err)
	}
	f.passChecks(work)
	res, err := f.e.FinishTopic(ctx, "feature/aws-foundation", FinishOptions{Delete: true})
	mustNoErr(t, err)
	if len(res.Merges) != 1 || res.Merges[0].Lane != "develop" || f.head("develop") != res.Merges[0].Commit {
		t.Fatalf("finish = %+v", res)
	}
	cs, _ := f.e.Repo.Log(ctx, "-1", res.Merges[0].Commit)
	if v, _ := cs[0].Trailer(TrailerFinish); v != "feature/aws-foundation -> develop" || len(cs[0].Parents) != 2 {
		t.Fatalf("finish commit %+v", cs[0])
	}
	if ok, _ := f.e.Repo.RefExists(ctx, "refs/heads/feature/aws-foundation"); ok || !res.Deleted {
		t.Fatal("branch not deleted")
	}

	hf, err := f.e.StartTopic(ctx, "hotfix", "k3d-dns", "")
	mustNoErr(t, err)
	if hf.Commit != f.head("main") {
		t.Fatalf("hotfix starts at %s, want main %s", hf.Commit, f.head("main"))
	}
}

func TestFinishConflictChangesNothing(t *testing.T) {
	f := newFixture(t, false)
	ctx := context.Background()
	_, err := f.e.StartTopic(ctx, "feature", "x", "")
	mustNoErr(t, err)
	work := f.commitOn("feature/x", "shared.txt", "topic\n", "feat: topic")
	f.commitOn("develop", "shared.txt", "develop\n", "feat: develop")
	f.passChecks(work)
	refs := f.git("for-each-ref")
	_, err = f.e.FinishTopic(ctx, "feature/x", FinishOptions{Delete: true})
	var ce *git.ConflictError
	if !errors.As(err, &ce) || !reflect.DeepEqual(ce.Paths, []string{"shared.txt"}) {
		t.Fatalf("finish = %v, want a conflict on shared.txt", err)
	}
	if got := f.git("for-each-ref"); got != refs {
		t.Fatalf("refs changed by a conflicting finish:\n%s\n%s", refs, got)
	}
	if out := f.git("worktree", "list", "--porcelain"); len(out) == 0 || countLines(out, "worktree ") != 1 {
		t.Fatalf("worktrees left:\n%s", out)
	}
}

func countLines(s, prefix string) int {
	n := 0
	for _, l := range splitLines(s) {
		if len(l) >= len(prefix) && l[:len(prefix)] == prefix {
			n++
		}
	}
	return n
}

func splitLines(s string) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); i++ {
		if s[i] == '\n' {
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

// A hotfix kind configured to merge into develop and release reaches the
// release lane only while a release candidate is open there.
func TestHotfixReachesOpenReleaseCandidate(t *testing.T) {
	f := newFixture(t, false)
	ctx := context.Background()
	for i := range f.e.P.Spec.Topics {
		if f.e.P.Spec.Topics[i].Kind == "hotfix" {
			f.e.P.Spec.Topics[i].MergeInto = []string{"develop", "release"}
		}
	}
	finish := func(name, file string) *FinishResult {
		t.Helper()
		_, err := f.e.StartTopic(ctx, "hotfix", name, "")
		mustNoErr(t, err)
		rev := f.commitOn("hotfix/"+name, file, name+"\n", "fix: "+name)
		f.passChecks(rev)
		res, err := f.e.FinishTopic(ctx, "hotfix/"+name, FinishOptions{})
		mustNoErr(t, err)
		return res
	}
	// No candidate open: develop only.
	res := finish("one", "one.txt")
	if len(res.Merges) != 1 || res.Merges[0].Lane != "develop" || len(res.Notes) != 1 {
		t.Fatalf("without an open rc: merges %+v notes %v", res.Merges, res.Notes)
	}
	// Open v0.1.1-rc.1 on release: the next hotfix reaches it.
	f.toMain(ctx, f.head("develop"))
	f.passChecks(f.head("main"))
	rc, err := f.e.Release(ctx, ReleaseOptions{RC: true})
	mustNoErr(t, err)
	if rc.Tag != "v0.1.1-rc.1" {
		t.Fatalf("rc = %s", rc.Tag)
	}
	res = finish("two", "two.txt")
	if len(res.Merges) != 2 || res.Merges[1].Lane != "release" || f.head("release") != res.Merges[1].Commit {
		t.Fatalf("with an open rc: merges %+v notes %v", res.Merges, res.Notes)
	}
	if drift, _ := f.e.Drift(ctx, "release"); len(drift) != 0 {
		t.Fatalf("a ferry finish into release is drift: %+v", drift)
	}
	// The final release closes the candidate: develop only again.
	f.toMain(ctx, f.head("develop"))
	f.passChecks(f.head("main"))
	final, err := f.e.Release(ctx, ReleaseOptions{})
	mustNoErr(t, err)
	if final.Tag != "v0.1.1" {
		t.Fatalf("final = %s", final.Tag)
	}
	res = finish("three", "three.txt")
	if len(res.Merges) != 1 || res.Merges[0].Lane != "develop" {
		t.Fatalf("after the final release: merges %+v", res.Merges)
	}
}
