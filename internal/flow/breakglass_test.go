package flow

import (
	"context"
	"errors"
	"strings"
	"testing"

	"ferry.dev/ferry/internal/store"
)

// With no verified deployment of staging at all (its cluster is down), an
// override promotes staging's head — as the develop revision it carries —
// and records the promotion as overridden; develop's newer head stays out.
func TestBreakGlassPromotesSourceHeadWhenNothingIsVerified(t *testing.T) {
	f := newFixture(t, false)
	ctx := context.Background()
	a := f.commitOn("develop", "a.txt", "a\n", "fix: urgent")
	f.passChecks(a)
	_, err := f.e.Promote(ctx, "staging", PromoteOptions{})
	mustNoErr(t, err)
	newer := f.commitOn("develop", "b.txt", "b\n", "feat: b (untested)")
	before := f.head("main")

	_, err = f.e.Promote(ctx, "main", PromoteOptions{})
	var ge *GateError
	if !errors.As(err, &ge) || !ge.NoCandidate || !strings.Contains(err.Error(), "no successful healthy, verified deployment of staging is recorded") {
		t.Fatalf("promote main without override = %v, want refused with no candidate", err)
	}
	if !strings.Contains(ge.Hint(), "--override REASON promotes the source lane's head") {
		t.Fatalf("hint = %q, want the break-glass path", ge.Hint())
	}

	dry, err := f.e.Promote(ctx, "main", PromoteOptions{Override: "staging cluster down, INC-7", DryRun: true})
	mustNoErr(t, err)
	if dry.Candidate != a || dry.CandidateKind != CandidateBreakGlass || f.head("main") != before {
		t.Fatalf("dry run = candidate %s (%s), main %s; want %s break-glass and main unmoved", dry.Candidate, dry.CandidateKind, f.head("main"), a)
	}

	res, err := f.e.Promote(ctx, "main", PromoteOptions{Override: "staging cluster down, INC-7"})
	mustNoErr(t, err)
	if res.Candidate != a || res.CandidateKind != CandidateBreakGlass {
		t.Fatalf("candidate = %s (%s), want staging's %s, break-glass", res.Candidate, res.CandidateKind, a)
	}
	g := gateNamed(res.Gates, "deployed")
	if g.Passed || !g.Overridden || !strings.Contains(g.Reason, "break-glass: promoting staging's head") {
		t.Fatalf("deployed gate = %+v, want failed, overridden, saying break-glass", g)
	}
	if f.head("main") != res.Commit {
		t.Fatalf("main = %s, want the promotion %s", f.head("main"), res.Commit)
	}
	if in, _ := f.e.Repo.IsAncestor(ctx, newer, res.Commit); in {
		t.Fatal("break-glass promoted develop's newer head, not staging's")
	}
	cs, _ := f.e.Repo.Log(ctx, "-1", res.Commit)
	if v, _ := cs[0].Trailer(TrailerOverride); v != "tester <t@x>: staging cluster down, INC-7" {
		t.Fatalf("override trailer = %q", v)
	}
	if v, _ := cs[0].Trailer(TrailerRevision); v != a {
		t.Fatalf("revision trailer = %q, want %s", v, a)
	}
	ps, err := f.e.Store.Promotions(ctx, store.PromotionFilter{To: "main"})
	mustNoErr(t, err)
	if len(ps) != 1 || ps[0].Override != "staging cluster down, INC-7" || ps[0].Revision != a {
		t.Fatalf("recorded = %+v, want one overridden promotion of %s", ps, a)
	}
}

// --ref names the break-glass candidate: it must be on develop, and it
// needs an override.
func TestBreakGlassRef(t *testing.T) {
	f := newFixture(t, false)
	ctx := context.Background()
	a := f.commitOn("develop", "a.txt", "a\n", "fix: a")
	b := f.commitOn("develop", "b.txt", "b\n", "fix: b")
	f.passChecks(a)
	f.passChecks(b)
	hand := f.commitOn("staging", "hand.txt", "h\n", "hand edit on staging")
	refs := f.git("for-each-ref")

	var cfg interface{ ConfigError() bool }
	_, err := f.e.Promote(ctx, "main", PromoteOptions{Ref: a})
	var rwo *RefWithoutOverrideError
	if !errors.As(err, &rwo) || !errors.As(err, &cfg) {
		t.Fatalf("--ref without override = %v, want a usage error", err)
	}
	for name, ref := range map[string]string{"hand edit of staging": hand, "no such commit": "nosuchref", "unknown tag": "v9.9.9"} {
		_, err := f.e.Promote(ctx, "main", PromoteOptions{Ref: ref, Override: "x"})
		var bad *BadRefError
		if !errors.As(err, &bad) || !errors.As(err, &cfg) {
			t.Errorf("%s: --ref %s = %v, want a BadRefError", name, ref, err)
		}
	}
	// With nothing verified, staging's head is a hand edit: an override
	// without --ref does not promote it.
	_, err = f.e.Promote(ctx, "main", PromoteOptions{Override: "x"})
	if ge := (*GateError)(nil); !errors.As(err, &ge) || !ge.NoCandidate || !strings.Contains(err.Error(), "is not on develop") {
		t.Fatalf("override with a hand-edited staging head = %v, want refused", err)
	}
	if got := f.git("for-each-ref"); got != refs {
		t.Fatalf("refused promotions moved refs:\nbefore:\n%s\nafter:\n%s", refs, got)
	}

	res, err := f.e.Promote(ctx, "main", PromoteOptions{Ref: a, Override: "ship a only, INC-8"})
	mustNoErr(t, err)
	if res.Candidate != a || res.CandidateKind != CandidateBreakGlass {
		t.Fatalf("candidate = %s (%s), want %s", res.Candidate, res.CandidateKind, a)
	}
	if in, _ := f.e.Repo.IsAncestor(ctx, b, f.head("main")); in {
		t.Fatal("main got b, which --ref did not name")
	}
	if g := gateNamed(res.Gates, "deployed"); g.Passed || !g.Overridden {
		t.Fatalf("deployed gate = %+v, want failed and overridden", g)
	}
	// A ref staging verified passes the deployed gate on its evidence.
	dep := f.deploy("staging", b, true, true)
	res, err = f.e.Promote(ctx, "main", PromoteOptions{Ref: b, Override: "already verified"})
	mustNoErr(t, err)
	if g := gateNamed(res.Gates, "deployed"); !g.Passed || len(g.Evidence) != 1 || g.Evidence[0] != "deployment:"+itoa(dep) {
		t.Fatalf("deployed gate for a verified ref = %+v", g)
	}
}
