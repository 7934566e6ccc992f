package flow

import (
	"context"
	"fmt"
	"testing"
)

// TestLanesListWaitingCommits: each lane lists the commits waiting for it
// upstream, newest first, with subject, author and date, capped at
// MaxWaitingCommits while Waiting counts them all.
func TestLanesListWaitingCommits(t *testing.T) {
	f := newFixture(t, false)
	ctx := context.Background()
	a := f.commitOn("develop", "a.txt", "a\n", "feat: a")
	b := f.commitOn("develop", "b.txt", "b\n", "fix: b")
	f.passChecks(b)
	_, err := f.e.Promote(ctx, "staging", PromoteOptions{})
	mustNoErr(t, err)
	c := f.commitOn("develop", "c.txt", "c\n", "fix: c")

	got := lanesByName(t, f)
	if l := got["develop"]; l.WaitingCommits == nil || len(l.WaitingCommits) != 0 {
		t.Errorf("develop waits for %+v, want an empty list", l.WaitingCommits)
	}
	if w := got["staging"].WaitingCommits; len(w) != 1 || w[0].ID != c || w[0].Subject != "fix: c" || w[0].Author == "" || w[0].Date == "" {
		t.Errorf("staging waits for %+v, want c", w)
	}
	if w := got["main"].WaitingCommits; len(w) != 2 || w[0].ID != b || w[1].ID != a {
		t.Errorf("main waits for %+v, want b then a", w)
	}

	for i := range MaxWaitingCommits + 5 {
		f.commitOn("develop", fmt.Sprintf("n%d.txt", i), "n\n", fmt.Sprintf("feat: n%d", i))
	}
	l := lanesByName(t, f)["staging"]
	if l.Waiting != MaxWaitingCommits+6 || len(l.WaitingCommits) != MaxWaitingCommits ||
		l.WaitingCommits[0].Subject != fmt.Sprintf("feat: n%d", MaxWaitingCommits+4) {
		t.Errorf("staging: %d waiting, %d listed (newest %+v); want %d, %d listed, the newest first",
			l.Waiting, len(l.WaitingCommits), l.WaitingCommits[0], MaxWaitingCommits+6, MaxWaitingCommits)
	}
}

func lanesByName(t *testing.T, f *fixture) map[string]LaneStatus {
	t.Helper()
	lanes, err := f.e.Lanes(context.Background())
	mustNoErr(t, err)
	got := map[string]LaneStatus{}
	for _, l := range lanes {
		got[l.Lane] = l
	}
	return got
}
