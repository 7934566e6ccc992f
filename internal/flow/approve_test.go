package flow

import (
	"context"
	"errors"
	"strings"
	"testing"

	"ferry.dev/ferry/internal/store"
)

// requireApprovals sets gates.approvals of the promotion into lane.
func (f *fixture) requireApprovals(lane string, n int) {
	for i := range f.e.P.Spec.Promotions {
		if f.e.P.Spec.Promotions[i].To == lane {
			f.e.P.Spec.Promotions[i].Gates.Approvals = n
			return
		}
	}
	f.t.Fatalf("no promotion into %s", lane)
}

func (f *fixture) approveAs(actor, lane, rev string) *Approval {
	f.t.Helper()
	f.e.Actor = actor
	a, err := f.e.Approve(context.Background(), lane, rev, "looks good")
	mustNoErr(f.t, err)
	return a
}

// The approvals gate counts distinct people who approved exactly the
// candidate; approvals are cited as evidence on the promotion commit.
func TestApprovalsGateCountsDistinctApproversOfCandidate(t *testing.T) {
	f := newFixture(t, false)
	ctx := context.Background()
	f.requireApprovals("main", 2)
	old := f.commitOn("develop", "a.txt", "a\n", "feat: a")
	f.passChecks(old)
	st, err := f.e.Promote(ctx, "staging", PromoteOptions{})
	mustNoErr(t, err)
	f.deploy("staging", st.Commit, true, true)
	cand := f.commitOn("develop", "b.txt", "b\n", "feat: b")
	f.passChecks(cand)
	st, err = f.e.Promote(ctx, "staging", PromoteOptions{})
	mustNoErr(t, err)
	f.deploy("staging", st.Commit, true, true)

	// Bob approved the older revision; alice twice the candidate: 1 of 2.
	f.approveAs("bob@x", "main", old)
	a := f.approveAs("alice@x", "main", "")
	if a.Revision != cand || a.Candidate != cand || a.Required != 2 || strings.Join(a.Approvers, ",") != "alice@x" {
		t.Fatalf("approval = %+v", a)
	}
	f.approveAs("alice@x", "main", cand)
	_, err = f.e.Promote(ctx, "main", PromoteOptions{})
	if !errors.As(err, new(*GateError)) || !strings.Contains(err.Error(), "1 of 2 approval(s) of "+cand[:12]+" (alice@x)") {
		t.Fatalf("promotion with one approver = %v", err)
	}
	// An approval for another lane does not count either.
	f.approveAs("carol@x", "staging", cand)
	if _, err := f.e.Promote(ctx, "main", PromoteOptions{}); err == nil {
		t.Fatal("an approval for staging counted for main")
	}
	b := f.approveAs("bob@x", "main", cand)
	if strings.Join(b.Approvers, ",") != "alice@x,bob@x" {
		t.Fatalf("approvers = %v", b.Approvers)
	}
	res, err := f.e.Promote(ctx, "main", PromoteOptions{})
	mustNoErr(t, err)
	cs, _ := f.e.Repo.Log(ctx, "-1", res.Commit)
	ev, _ := cs[0].Trailer(TrailerEvidence)
	if strings.Count(ev, "approval:") != 2 || !strings.Contains(ev, "approval:"+itoa(b.ID)) {
		t.Fatalf("evidence = %q, want both approvers' approvals", ev)
	}
}

func TestApproveBadInput(t *testing.T) {
	f := newFixture(t, false)
	ctx := context.Background()
	cases := []struct {
		name, lane, rev string
	}{
		{"unknown lane", "prod", ""},
		{"first lane", "develop", ""},
		{"option-like revision", "staging", "--all"},
		{"unknown revision", "staging", "nope"},
	}
	for _, c := range cases {
		if _, err := f.e.Approve(ctx, c.lane, c.rev, ""); err == nil {
			t.Errorf("%s: no error", c.name)
		}
	}
	// main's candidate is a verified deployment: nothing to approve yet.
	_, err := f.e.Approve(ctx, "main", "", "")
	var ge *GateError
	if !errors.As(err, &ge) || !ge.NoCandidate {
		t.Fatalf("approve main without a verified candidate = %v", err)
	}
	if evs, _ := f.e.Store.Events(ctx, storeEvents(EventApproval)); len(evs) != 0 {
		t.Fatalf("bad input recorded approvals: %+v", evs)
	}
}

// Who approves (git.Repo.Actor, the one rule for every record): FERRY_ACTOR,
// else git config user.email, else user.name, else the committer the
// environment names (GIT_COMMITTER_*), else $USER — never ferry's default
// commit identity.
func TestApproverIdentity(t *testing.T) {
	f := newFixture(t, false)
	ctx := context.Background()
	f.e.actorExplicit = false
	t.Setenv("USER", "dave")
	t.Setenv("FERRY_ACTOR", "")
	t.Setenv("GIT_COMMITTER_NAME", "")
	t.Setenv("GIT_COMMITTER_EMAIL", "")
	steps := []struct {
		name string
		set  func()
		want string
	}{
		{"USER", func() {}, "dave"},
		{"GIT_COMMITTER_*", func() { t.Setenv("GIT_COMMITTER_NAME", "Erin"); t.Setenv("GIT_COMMITTER_EMAIL", "erin@x") }, "Erin <erin@x>"},
		{"user.name", func() { f.git("config", "user.name", "Carol") }, "Carol"},
		{"user.email", func() { f.git("config", "user.email", "carol@x") }, "carol@x"},
		{"FERRY_ACTOR", func() { t.Setenv("FERRY_ACTOR", "ci-bot") }, "ci-bot"},
	}
	for _, s := range steps {
		s.set()
		got, err := f.e.approver(ctx)
		if err != nil || got != s.want {
			t.Errorf("%s: approver = %q, %v; want %q", s.name, got, err, s.want)
		}
	}
}

func storeEvents(kind string) store.EventFilter { return store.EventFilter{Kind: kind} }
