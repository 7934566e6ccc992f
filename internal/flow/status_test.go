package flow

import (
	"context"
	"testing"
)

func TestLanesReportHeadVersionWaitingDrift(t *testing.T) {
	f := newFixture(t, true)
	ctx := context.Background()
	a := f.commitOn("develop", "a.txt", "a\n", "feat: a")
	f.commitOn("develop", "b.txt", "b\n", "fix: b")
	f.passChecks(f.head("develop"))
	_, err := f.e.Promote(ctx, "staging", PromoteOptions{})
	mustNoErr(t, err)
	f.commitOn("develop", "c.txt", "c\n", "fix: c")
	hand := f.commitOn("main", "hand.txt", "h\n", "hand edit on main")

	lanes, err := f.e.Lanes(ctx)
	mustNoErr(t, err)
	got := map[string]LaneStatus{}
	for _, l := range lanes {
		got[l.Lane] = l
	}
	if l := got["develop"]; l.Env != "dev" || l.Version != "v0.1.0" || l.Upstream != "" || len(l.Drift) != 0 {
		t.Errorf("develop = %+v", l)
	}
	if l := got["staging"]; l.Waiting != 1 || len(l.Drift) != 0 || l.Head != f.head("staging") {
		t.Errorf("staging = %+v, want 1 commit waiting from develop and no drift", l)
	}
	if l := got["main"]; l.Waiting != 2 || len(l.Drift) != 1 || l.Drift[0].ID != hand {
		t.Errorf("main = %+v, want a and b waiting and the hand edit as drift", l)
	}
	if l := got["release"]; l.Env != "production" || l.Version != "v0.1.0" {
		t.Errorf("release = %+v", l)
	}
	diff, err := f.e.Diff(ctx, "staging", "main")
	mustNoErr(t, err)
	if len(diff) != 2 || diff[1].ID != a {
		t.Errorf("diff staging main = %+v", diff)
	}
}
