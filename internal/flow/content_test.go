package flow

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// treeWithout lists rev's files (path → blob) minus the named ones.
func (f *fixture) files(rev string, except ...string) string {
	f.t.Helper()
	out := f.git("ls-tree", "-r", rev)
	var keep []string
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		skip := false
		for _, x := range except {
			if strings.HasSuffix(line, "\t"+x) {
				skip = true
			}
		}
		if !skip {
			keep = append(keep, line)
		}
	}
	return strings.Join(keep, "\n")
}

// After a rollback on release, the next release carries exactly main's tree
// (files the rollback restored and main did not touch included), plus the
// changelog with every released section and the new one.
func TestReleaseAfterRollbackCarriesMainsTreeExactly(t *testing.T) {
	f := newFixture(t, false)
	ctx := context.Background()
	f.toMain(ctx, f.commitOn("develop", "app.txt", "v1\n", "feat: app v1"))
	f.passChecks(f.head("main"))
	_, err := f.e.Release(ctx, ReleaseOptions{})
	mustNoErr(t, err)
	f.toMain(ctx, f.commitOn("develop", "app.txt", "v2\n", "fix: app v2"))
	f.commitOn("develop", "x.txt", "x\n", "chore: x") // develop's newer head
	f.toMain(ctx, f.commitOn("develop", "only-v021.txt", "new\n", "fix: new file"))
	f.passChecks(f.head("main"))
	v021, err := f.e.Release(ctx, ReleaseOptions{})
	mustNoErr(t, err)
	if v021.Tag != "v0.2.1" {
		t.Fatalf("second release = %s", v021.Tag)
	}

	rb, err := f.e.Rollback(ctx, "production", "v0.2.0")
	mustNoErr(t, err)
	if got := f.git("show", "release:app.txt"); got != "v1" {
		t.Fatalf("app.txt after rollback = %q", got)
	}
	// Status and diff follow the tree: release carries v0.2.0 and lacks
	// v0.2.1's commits, although its history reaches them.
	lanes, err := f.e.Lanes(ctx)
	mustNoErr(t, err)
	rel := lanes[3]
	if rel.Lane != "release" || rel.Version != "v0.2.0" || rel.RolledBack != "v0.2.0" || rel.Waiting != 3 || len(rel.Drift) != 0 {
		t.Fatalf("release after rollback = %+v, want v0.2.0, 3 waiting from main, no drift", rel)
	}
	diff, err := f.e.Diff(ctx, "main", "release")
	mustNoErr(t, err)
	if len(diff) != 3 || diff[0].Subject != "fix: new file" {
		t.Fatalf("diff main release after rollback = %+v", diff)
	}
	// Re-releasing the same main: nothing new; the hint says how to roll forward.
	_, err = f.e.Release(ctx, ReleaseOptions{})
	var nt *NothingToReleaseError
	if !errors.As(err, &nt) || !strings.Contains(nt.Hint(), "ferry rollback production --to v0.2.1") {
		t.Fatalf("release of an unchanged main after rollback = %v", err)
	}

	// A new fix on main: the release is main's tree exactly.
	f.toMain(ctx, f.commitOn("develop", "other.txt", "o\n", "fix: other"))
	f.passChecks(f.head("main"))
	res, err := f.e.Release(ctx, ReleaseOptions{})
	mustNoErr(t, err)
	if res.Tag != "v0.2.2" || res.Previous != "v0.2.1" || res.RolledBack != "v0.2.0" {
		t.Fatalf("release after rollback = %s (prev %s, rolled back %q)", res.Tag, res.Previous, res.RolledBack)
	}
	if got, want := f.files("release", "CHANGELOG.md"), f.files("main", "CHANGELOG.md"); got != want {
		t.Fatalf("release tree differs from main's:\nrelease:\n%s\nmain:\n%s", got, want)
	}
	if got := f.git("show", "release:app.txt"); got != "v2" {
		t.Fatalf("app.txt = %q: the rolled-back file survived the release", got)
	}
	cl := f.git("show", "release:CHANGELOG.md")
	for _, s := range []string{"## v0.2.2", "## v0.2.1", "## v0.2.0", "## v0.1.0"} {
		if !strings.Contains(cl, s) {
			t.Errorf("CHANGELOG.md lacks %s:\n%s", s, cl)
		}
	}
	if i, j := strings.Index(cl, "## v0.2.2"), strings.Index(cl, "## v0.2.1"); i > j {
		t.Errorf("v0.2.2 is not on top:\n%s", cl)
	}
	cs, _ := f.e.Repo.Log(ctx, "-1", res.Commit)
	if p := cs[0].Parents; len(p) != 2 || p[0] != rb.Commit || p[1] != f.head("main") {
		t.Fatalf("release parents = %v, want [rollback %s, main %s]", p, rb.Commit, f.head("main"))
	}
	if lanes, _ := f.e.Lanes(ctx); lanes[3].RolledBack != "" || lanes[3].Version != "v0.2.2" || lanes[3].Waiting != 0 {
		t.Fatalf("release after the new release = %+v", lanes[3])
	}
}

// A hand edit on a protected lane, let through with --override, is replaced
// by the candidate's content: the lane's tree equals the candidate's.
func TestOverriddenHandEditIsReplacedByCandidate(t *testing.T) {
	f := newFixture(t, false)
	ctx := context.Background()
	a := f.commitOn("develop", "app.txt", "from develop\n", "feat: app")
	f.commitOn("staging", "app.txt", "hand edit\n", "hot edit on staging")
	f.commitOn("staging", "stray.txt", "stray\n", "stray file on staging")
	f.passChecks(a)
	if _, err := f.e.Promote(ctx, "staging", PromoteOptions{}); err == nil {
		t.Fatal("promotion onto a hand-edited lane passed without override")
	}
	res, err := f.e.Promote(ctx, "staging", PromoteOptions{Override: "replace the hand edit"})
	mustNoErr(t, err)
	if got, want := f.files("staging"), f.files(a); got != want {
		t.Fatalf("staging tree:\n%s\nwant develop's:\n%s", got, want)
	}
	cs, _ := f.e.Repo.Log(ctx, "-1", res.Commit)
	if len(cs[0].Parents) != 2 || cs[0].Parents[1] != a {
		t.Fatalf("promotion parents = %v", cs[0].Parents)
	}
}

// A staging rollback is rolled forward by the next promotion, even when
// develop has nothing new: staging no longer carries develop's head.
func TestPromoteAfterRollbackRollsForward(t *testing.T) {
	f := newFixture(t, false)
	ctx := context.Background()
	a := f.commitOn("develop", "app.txt", "a\n", "feat: app")
	f.passChecks(a)
	_, err := f.e.Promote(ctx, "staging", PromoteOptions{})
	mustNoErr(t, err)
	_, err = f.e.Rollback(ctx, "staging", "v0.1.0")
	mustNoErr(t, err)
	plan, err := f.e.PlanPromotion(ctx, "staging", "")
	mustNoErr(t, err)
	if plan.UpToDate || plan.RolledBack != "v0.1.0" || len(plan.Commits) != 1 || plan.Commits[0].ID != a {
		t.Fatalf("plan after rollback = %+v", plan)
	}
	// A deployment of the rollback is no candidate for main.
	f.deploy("staging", f.head("staging"), true, true)
	if _, err := f.e.Promote(ctx, "main", PromoteOptions{}); err == nil || !strings.Contains(err.Error(), "ran the rollback to v0.1.0") {
		t.Fatalf("promote main from a rolled-back staging = %v", err)
	}
	_, err = f.e.Promote(ctx, "staging", PromoteOptions{})
	mustNoErr(t, err)
	if got, want := f.files("staging"), f.files(a); got != want {
		t.Fatalf("staging tree after rolling forward:\n%s\nwant:\n%s", got, want)
	}
	if again, err := f.e.Promote(ctx, "staging", PromoteOptions{}); err != nil || !again.UpToDate {
		t.Fatalf("third promote = %+v, %v", again, err)
	}
}

// A hotfix finished into an open release candidate and not yet on main
// blocks the next release from main, which would drop it.
func TestReleaseWouldDropHotfixOnCandidate(t *testing.T) {
	f := newFixture(t, false)
	ctx := context.Background()
	for i := range f.e.P.Spec.Topics {
		if f.e.P.Spec.Topics[i].Kind == "hotfix" {
			f.e.P.Spec.Topics[i].MergeInto = []string{"develop", "release"}
		}
	}
	f.toMain(ctx, f.commitOn("develop", "a.txt", "a\n", "fix: a"))
	f.passChecks(f.head("main"))
	_, err := f.e.Release(ctx, ReleaseOptions{RC: true})
	mustNoErr(t, err)
	// staging verifies b; then the hotfix lands on develop and release.
	b := f.commitOn("develop", "b.txt", "b\n", "fix: b")
	f.passChecks(b)
	st, err := f.e.Promote(ctx, "staging", PromoteOptions{})
	mustNoErr(t, err)
	f.deploy("staging", st.Commit, true, true)
	_, err = f.e.StartTopic(ctx, "hotfix", "dns", "")
	mustNoErr(t, err)
	hf := f.commitOn("hotfix/dns", "dns.txt", "dns\n", "fix: dns")
	f.passChecks(hf)
	_, err = f.e.FinishTopic(ctx, "hotfix/dns", FinishOptions{})
	mustNoErr(t, err)
	// main takes b, the verified revision, which lacks the hotfix.
	_, err = f.e.Promote(ctx, "main", PromoteOptions{})
	mustNoErr(t, err)
	f.passChecks(f.head("main"))
	before := f.head("release")
	_, err = f.e.Release(ctx, ReleaseOptions{RC: true})
	if err == nil || !strings.Contains(err.Error(), "hotfix/dns") || !strings.Contains(err.Error(), "would drop") {
		t.Fatalf("release dropping the hotfix = %v", err)
	}
	if f.head("release") != before {
		t.Fatal("release moved")
	}
	// Once main has the hotfix, the gate passes.
	f.toMain(ctx, f.head("develop"))
	f.passChecks(f.head("main"))
	res, err := f.e.Release(ctx, ReleaseOptions{RC: true})
	mustNoErr(t, err)
	for _, g := range res.Gates {
		if g.Name == "carried" && !g.Passed {
			t.Fatalf("carried gate = %+v", g)
		}
	}
	if got := f.git("show", "release:dns.txt"); got != "dns" {
		t.Fatalf("dns.txt on release = %q", got)
	}
}
