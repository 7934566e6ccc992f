package flow

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"ferry.dev/ferry/internal/testenv"
)

func remoteHead(t *testing.T, remote, branch string) string {
	t.Helper()
	return testenv.GitRun(t, remote, "rev-parse", "refs/heads/"+branch)
}

func TestConcurrentPromotionsOneWinsNothingLost(t *testing.T) {
	f := newFixture(t, true)
	ctx := context.Background()
	a := f.commitOn("develop", "a.txt", "a\n", "feat: a")
	f.passChecks(a)
	other := testenv.GitClone(t, f.remote) // a second operator's clone, same store
	engines := []*Engine{f.engine(), f.engineIn(other)}
	results := make([]*Result, 2)
	errs := make([]error, 2)
	var wg sync.WaitGroup
	for i := range engines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i], errs[i] = engines[i].Promote(ctx, "staging", PromoteOptions{})
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("promote %d: %v", i, err)
		}
	}
	merged := 0
	for _, r := range results {
		if !r.UpToDate {
			merged++
		}
	}
	if merged != 1 {
		t.Fatalf("%d promotions merged, want exactly 1 (the other re-plans to up to date): %+v %+v", merged, results[0], results[1])
	}
	if ps, _ := f.e.History(ctx, "staging", 10); len(ps) != 1 {
		t.Fatalf("%d promotions recorded, want 1: %+v", len(ps), ps)
	}
	// Exactly one promotion merge on staging, with develop's commit in it.
	out := testenv.GitRun(t, f.remote, "log", "--format=%s", "staging")
	if n := strings.Count(out, "Promote develop@"); n != 1 {
		t.Fatalf("staging has %d promotion merges:\n%s", n, out)
	}
	if in := testenv.GitRun(t, f.remote, "merge-base", "--is-ancestor", a, "staging"); in != "" {
		t.Fatal(in)
	}
}

func TestPromotionRacingADevelopersPush(t *testing.T) {
	f := newFixture(t, true)
	ctx := context.Background()
	a := f.commitOn("develop", "a.txt", "a\n", "feat: a")
	f.passChecks(a)
	dev := testenv.GitClone(t, f.remote)

	// A developer pushes to develop while ferry promotes: ferry's push of
	// staging is unaffected and the developer's commit is intact.
	var devCommit string
	f.e.beforePublish = func() {
		testenv.GitRun(t, dev, "checkout", "--quiet", "-B", "develop", "origin/develop")
		devCommit = testenv.GitCommitFile(t, dev, "b.txt", "b\n", "feat: b")
		testenv.GitRun(t, dev, "push", "--quiet", "origin", "HEAD:develop")
		f.e.beforePublish = nil
	}
	res, err := f.e.Promote(ctx, "staging", PromoteOptions{})
	mustNoErr(t, err)
	if remoteHead(t, f.remote, "develop") != devCommit || remoteHead(t, f.remote, "staging") != res.Commit {
		t.Fatal("a lane lost a commit")
	}

	// A developer pushes straight to staging while ferry promotes: ferry's
	// push is rejected (never forced), it re-plans, sees the hand edit and
	// stops with a clear error; the developer's commit stays.
	b := f.commitOn("develop", "c.txt", "c\n", "feat: c")
	f.passChecks(b)
	var hand string
	f.e.beforePublish = func() {
		testenv.GitRun(t, dev, "fetch", "--quiet", "origin")
		testenv.GitRun(t, dev, "checkout", "--quiet", "-B", "staging", "origin/staging")
		hand = testenv.GitCommitFile(t, dev, "hand.txt", "h\n", "hand edit")
		testenv.GitRun(t, dev, "push", "--quiet", "origin", "staging")
		f.e.beforePublish = nil
	}
	_, err = f.e.Promote(ctx, "staging", PromoteOptions{})
	if err == nil || !strings.Contains(err.Error(), "edited by hand") {
		t.Fatalf("promote racing a push to staging = %v, want a re-plan that reports the hand edit", err)
	}
	if remoteHead(t, f.remote, "staging") != hand {
		t.Fatal("the developer's staging commit was overwritten")
	}
}

func TestCheckedOutLaneFollowsOrIsLeftAlone(t *testing.T) {
	f := newFixture(t, true)
	ctx := context.Background()
	a := f.commitOn("develop", "a.txt", "a\n", "feat: a")
	f.passChecks(a)
	f.git("checkout", "--quiet", "staging")
	res, err := f.e.Promote(ctx, "staging", PromoteOptions{})
	mustNoErr(t, err)
	if f.git("rev-parse", "staging") != res.Commit || f.git("status", "--porcelain", "--untracked-files=no") != "" {
		t.Fatal("clean checked-out staging not fast-forwarded cleanly")
	}
	if _, err := os.Stat(filepath.Join(f.dir, "a.txt")); err != nil {
		t.Fatal("working tree not updated:", err)
	}
	// Dirty: the remote moves, the local lane and the user's edits stay.
	b := f.commitOn("develop", "b.txt", "b\n", "feat: b")
	f.passChecks(b)
	writeFile(t, filepath.Join(f.dir, "a.txt"), "my edit\n")
	res2, err := f.e.Promote(ctx, "staging", PromoteOptions{})
	mustNoErr(t, err)
	if remoteHead(t, f.remote, "staging") != res2.Commit || f.git("rev-parse", "staging") != res.Commit {
		t.Fatal("remote should move, local dirty checkout should stay")
	}
	if len(res2.Notes) == 0 || !strings.Contains(res2.Notes[0], "uncommitted changes") {
		t.Fatalf("notes = %v, want a note about the dirty checkout", res2.Notes)
	}
	if b, _ := os.ReadFile(filepath.Join(f.dir, "a.txt")); string(b) != "my edit\n" {
		t.Fatal("user's edit lost")
	}
}

func TestLocalDirtyCheckoutRefusesWithoutChanges(t *testing.T) {
	f := newFixture(t, false)
	ctx := context.Background()
	a := f.commitOn("develop", "a.txt", "a\n", "feat: a")
	f.passChecks(a)
	f.git("checkout", "--quiet", "staging")
	writeFile(t, filepath.Join(f.dir, "CHANGELOG.md"), "edit\n")
	before := f.head("staging")
	_, err := f.e.Promote(ctx, "staging", PromoteOptions{})
	if err == nil || !strings.Contains(err.Error(), "uncommitted changes") {
		t.Fatalf("promote onto a dirty checkout = %v", err)
	}
	if f.head("staging") != before {
		t.Fatal("staging moved")
	}
}

func TestMissingRemoteIsAConfigError(t *testing.T) {
	f := newFixture(t, false)
	yaml := strings.Replace(testYAML, "spec:\n", "spec:\n  remote: upstream\n", 1)
	writeFile(t, filepath.Join(f.dir, "ferry.yaml"), yaml)
	_, err := Open(context.Background(), f.dir, Options{})
	var re *RemoteError
	if !errors.As(err, &re) || !re.ConfigError() {
		t.Fatalf("Open with a missing remote = %v", err)
	}
}
