package flow

import (
	"context"
	"reflect"
	"strings"
	"testing"
)

// TestMovesRecordTheirGates: a promotion records the gates it passed, an
// override records the failed gate as overridden with its reason, and a
// release records its gates and its changelog section.
func TestMovesRecordTheirGates(t *testing.T) {
	f := newFixture(t, false)
	ctx := context.Background()
	a := f.commitOn("develop", "vpc.tf", "# vpc\n", "feat(aws): cloud foundation")
	run := f.passChecks(a)
	res, err := f.e.Promote(ctx, "staging", PromoteOptions{})
	mustNoErr(t, err)
	p, err := f.e.Store.Promotion(ctx, res.PromotionID)
	mustNoErr(t, err)
	if len(p.Gates) == 0 || !reflect.DeepEqual(p.Gates, gateRecords(res.Gates)) {
		t.Fatalf("recorded gates %+v, want the plan's %+v", p.Gates, res.Gates)
	}
	if g := p.Gates[0]; g.Name != "checks" || !g.Passed || g.Reason == "" || len(g.Evidence) != 1 || g.Evidence[0] != "check-run:"+itoa(run) {
		t.Fatalf("checks gate recorded as %+v", g)
	}

	f.commitOn("develop", "b.txt", "b\n", "fix: urgent")
	over, err := f.e.Promote(ctx, "staging", PromoteOptions{Override: "INC-42"})
	mustNoErr(t, err)
	p, err = f.e.Store.Promotion(ctx, over.PromotionID)
	mustNoErr(t, err)
	if len(p.Gates) == 0 || p.Gates[0].Passed || !p.Gates[0].Overridden || p.Gates[0].Reason == "" || p.Override != "INC-42" {
		t.Fatalf("overridden promotion recorded as %+v", p)
	}

	f.deploy("staging", over.Commit, true, true)
	_, err = f.e.Promote(ctx, "main", PromoteOptions{})
	mustNoErr(t, err)
	f.passChecks(f.head("main"))
	rel, err := f.e.Release(ctx, ReleaseOptions{})
	mustNoErr(t, err)
	p, err = f.e.Store.Promotion(ctx, rel.PromotionID)
	mustNoErr(t, err)
	if p.Kind != "release" || p.Version != rel.Tag || p.Changelog != rel.Changelog || !strings.Contains(p.Changelog, "cloud foundation") {
		t.Fatalf("release recorded as %+v (changelog %q)", p, rel.Changelog)
	}
	if len(p.Gates) == 0 || !reflect.DeepEqual(p.Gates, gateRecords(rel.Gates)) {
		t.Fatalf("release gates %+v, want %+v", p.Gates, rel.Gates)
	}
	if msg, _ := f.e.Repo.TagMessage(ctx, rel.Tag); strings.TrimSpace(msg) != strings.TrimSpace(p.Changelog) {
		t.Errorf("the recorded changelog differs from the tag's message:\n%q\n%q", p.Changelog, msg)
	}
}
