package flow

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"

	"ferry.dev/ferry/internal/git"
	"ferry.dev/ferry/internal/store"
)

func TestPromoteStagingGatedOnChecks(t *testing.T) {
	f := newFixture(t, false)
	ctx := context.Background()
	feat := f.commitOn("develop", "app.txt", "v1\n", "feat: app")
	before := f.head("staging")

	_, err := f.e.Promote(ctx, "staging", PromoteOptions{})
	var ge *GateError
	if !errors.As(err, &ge) || !strings.Contains(err.Error(), "no check run recorded") {
		t.Fatalf("promote without checks = %v, want a blocked checks gate", err)
	}
	if f.head("staging") != before {
		t.Fatal("a blocked promotion moved staging")
	}

	run := f.passChecks(feat)
	res, err := f.e.Promote(ctx, "staging", PromoteOptions{})
	mustNoErr(t, err)
	if f.head("staging") != res.Commit {
		t.Fatalf("staging = %s, want the promotion commit %s", f.head("staging"), res.Commit)
	}
	cs, err := f.e.Repo.Log(ctx, "-1", res.Commit)
	mustNoErr(t, err)
	c := cs[0]
	if want := []string{before, feat}; strings.Join(c.Parents, " ") != strings.Join(want, " ") {
		t.Fatalf("parents = %v, want %v", c.Parents, want)
	}
	for k, want := range map[string]string{
		TrailerPromotion: "develop -> staging",
		TrailerRevision:  feat,
		TrailerEvidence:  "check-run:" + itoa(run),
	} {
		if v, _ := c.Trailer(k); v != want {
			t.Errorf("%s = %q, want %q", k, v, want)
		}
	}
	ps, err := f.e.Store.Promotions(ctx, store.PromotionFilter{To: "staging"})
	mustNoErr(t, err)
	if len(ps) != 1 || ps[0].Revision != feat || ps[0].Commit != res.Commit || ps[0].Actor != "tester <t@x>" {
		t.Fatalf("recorded promotions = %+v", ps)
	}
	again, err := f.e.Promote(ctx, "staging", PromoteOptions{})
	if err != nil || !again.UpToDate {
		t.Fatalf("second promote = %+v, %v; want up to date", again, err)
	}
}

func TestPromoteMainTakesVerifiedRevisionNotNewerHead(t *testing.T) {
	f := newFixture(t, false)
	ctx := context.Background()
	a := f.commitOn("develop", "a.txt", "a\n", "feat: a")
	f.passChecks(a)
	staged, err := f.e.Promote(ctx, "staging", PromoteOptions{})
	mustNoErr(t, err)
	newer := f.commitOn("develop", "b.txt", "b\n", "feat: b (untested)")

	_, err = f.e.Promote(ctx, "main", PromoteOptions{})
	var ge *GateError
	if !errors.As(err, &ge) || !ge.NoCandidate || !strings.Contains(ge.Hint(), "deploy and verify") {
		t.Fatalf("promote main without a staging deployment = %v, want blocked with no candidate", err)
	}
	f.deploy("staging", staged.Commit, true, false) // healthy but not verified
	if _, err = f.e.Promote(ctx, "main", PromoteOptions{}); !errors.As(err, new(*GateError)) {
		t.Fatalf("promote main on an unverified deployment = %v, want blocked", err)
	}
	dep := f.deploy("staging", staged.Commit, true, true)
	res, err := f.e.Promote(ctx, "main", PromoteOptions{})
	mustNoErr(t, err)
	if res.Candidate != a {
		t.Fatalf("candidate = %s, want develop's verified %s (not the newer %s)", res.Candidate, a, newer)
	}
	if in, _ := f.e.Repo.IsAncestor(ctx, newer, f.head("main")); in {
		t.Fatal("main contains develop's untested head")
	}
	cs, _ := f.e.Repo.Log(ctx, "-1", res.Commit)
	if v, _ := cs[0].Trailer(TrailerEvidence); v != "deployment:"+itoa(dep) {
		t.Fatalf("evidence = %q", v)
	}
}

func TestOverrideIsRecorded(t *testing.T) {
	f := newFixture(t, false)
	ctx := context.Background()
	f.commitOn("develop", "a.txt", "a\n", "fix: urgent")
	res, err := f.e.Promote(ctx, "staging", PromoteOptions{Override: "checks service down, INC-42"})
	mustNoErr(t, err)
	if len(res.Gates) == 0 || !res.Gates[0].Overridden {
		t.Fatalf("gates = %+v, want the checks gate overridden", res.Gates)
	}
	cs, _ := f.e.Repo.Log(ctx, "-1", res.Commit)
	if v, _ := cs[0].Trailer(TrailerOverride); v != "tester <t@x>: checks service down, INC-42" {
		t.Fatalf("override trailer = %q", v)
	}
	hist, err := f.e.History(ctx, "staging", 10)
	mustNoErr(t, err)
	if len(hist) != 1 || hist[0].Override != "checks service down, INC-42" || hist[0].Actor != "tester <t@x>" {
		t.Fatalf("history = %+v", hist)
	}
}

func TestHandEditedLaneBlocksPromotionAndShowsAsDrift(t *testing.T) {
	f := newFixture(t, false)
	ctx := context.Background()
	a := f.commitOn("develop", "a.txt", "a\n", "feat: a")
	f.passChecks(a)
	hand := f.commitOn("staging", "hot.txt", "x\n", "quick fix on staging")
	drift, err := f.e.Drift(ctx, "staging")
	mustNoErr(t, err)
	if len(drift) != 1 || drift[0].ID != hand {
		t.Fatalf("drift = %+v, want the hand commit %s", drift, hand)
	}
	_, err = f.e.Promote(ctx, "staging", PromoteOptions{})
	if err == nil || !strings.Contains(err.Error(), "edited by hand") {
		t.Fatalf("promote onto a hand-edited lane = %v", err)
	}
	if f.head("staging") != hand {
		t.Fatal("staging moved")
	}
	// An overridden promotion replaces the hand edit's tree: no drift is
	// left, and the next promotion needs no override.
	_, err = f.e.Promote(ctx, "staging", PromoteOptions{Override: "replace the hand fix"})
	mustNoErr(t, err)
	drift, _ = f.e.Drift(ctx, "staging")
	if len(drift) != 0 {
		t.Fatalf("drift after a promotion replaced the hand edit = %+v", drift)
	}
	b := f.commitOn("develop", "b.txt", "b\n", "feat: b")
	f.passChecks(b)
	if _, err := f.e.Promote(ctx, "staging", PromoteOptions{}); err != nil {
		t.Fatalf("promotion after the replaced hand edit = %v", err)
	}
	// A hand edit after a promotion is drift again.
	hand2 := f.commitOn("staging", "hot2.txt", "y\n", "another quick fix")
	if drift, _ = f.e.Drift(ctx, "staging"); len(drift) != 1 || drift[0].ID != hand2 {
		t.Fatalf("drift after a new hand edit = %+v", drift)
	}
}

func TestBadInputChangesNothing(t *testing.T) {
	f := newFixture(t, false)
	ctx := context.Background()
	refs := f.git("for-each-ref")
	cases := []struct {
		name string
		run  func() error
		want error
	}{
		{"unknown lane", func() error { _, err := f.e.Promote(ctx, "prod", PromoteOptions{}); return err }, nil},
		{"first lane has no promotion", func() error { _, err := f.e.Promote(ctx, "develop", PromoteOptions{}); return err }, nil},
		{"unknown environment", func() error { _, err := f.e.Rollback(ctx, "qa", "v0.1.0"); return err }, nil},
		{"unknown tag", func() error { _, err := f.e.Rollback(ctx, "production", "v9.9.9"); return err }, nil},
		{"option-like tag", func() error { _, err := f.e.Rollback(ctx, "production", "--upload-pack=x"); return err }, git.ErrInvalidName},
		{"option-like topic name", func() error { _, err := f.e.StartTopic(ctx, "feature", "-x", ""); return err }, git.ErrInvalidName},
		{"invalid topic name", func() error { _, err := f.e.StartTopic(ctx, "feature", "a..b", ""); return err }, git.ErrInvalidName},
		{"unknown topic kind", func() error { _, err := f.e.StartTopic(ctx, "bugfix", "x", ""); return err }, nil},
		{"option-like from", func() error { _, err := f.e.StartTopic(ctx, "feature", "x", "--all"); return err }, git.ErrInvalidName},
		{"not a topic branch", func() error { _, err := f.e.FinishTopic(ctx, "main", FinishOptions{}); return err }, nil},
		{"option-like diff", func() error { _, err := f.e.Diff(ctx, "--output=/tmp/x", "main"); return err }, git.ErrInvalidName},
	}
	for _, c := range cases {
		err := c.run()
		if err == nil {
			t.Errorf("%s: no error", c.name)
			continue
		}
		if c.want != nil && !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
		var cfg interface{ ConfigError() bool }
		if !errors.As(err, &cfg) || !cfg.ConfigError() {
			t.Errorf("%s: %v is not a usage/config error", c.name, err)
		}
	}
	if got := f.git("for-each-ref"); got != refs {
		t.Fatalf("refs changed by bad input:\nbefore:\n%s\nafter:\n%s", refs, got)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestVerifiedCandidateMustComeFromUpstream(t *testing.T) {
	f := newFixture(t, false)
	ctx := context.Background()
	hand := f.commitOn("staging", "hand.txt", "h\n", "hand edit on staging")
	f.deploy("staging", hand, true, true)
	_, err := f.e.Promote(ctx, "main", PromoteOptions{Override: "try anyway"})
	if err == nil || !strings.Contains(err.Error(), "which is not on develop") {
		t.Fatalf("promote main from a hand-made staging commit = %v", err)
	}
}
