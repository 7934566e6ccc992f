package store_test

import (
	"math"
	"reflect"
	"testing"
	"time"

	"ferry.dev/ferry/internal/store"
)

// testTallies: finished deployments count once per target with the
// target's own status (a deployment without targets counts as its own
// status on target ""), running ones not at all; promotions by kind, lanes
// and whether a gate was overridden.
func testTallies(t *testing.T, f *fixture) {
	empty := must(f.s.Tallies(f.ctx))(t)
	if len(empty.Deployments) != 0 || len(empty.Promotions) != 0 {
		t.Fatalf("an empty store tallies %+v", empty)
	}
	finish := func(env string, st store.Status, targets ...store.TargetResult) {
		id := must(f.s.StartDeployment(f.ctx, store.Deployment{Env: env, Revision: "r"}))(t)
		if err := f.s.FinishDeployment(f.ctx, id, store.DeploymentResult{Status: st, Targets: targets}); err != nil {
			t.Fatal(err)
		}
	}
	ok := func(name string) store.TargetResult {
		return store.TargetResult{Target: name, Status: store.StatusSucceeded}
	}
	bad := func(name string) store.TargetResult {
		return store.TargetResult{Target: name, Status: store.StatusFailed}
	}
	finish("production", store.StatusSucceeded, ok("aws"), ok("azure"))
	finish("production", store.StatusFailed, ok("aws"), bad("azure"))
	finish("production", store.StatusSucceeded, ok("aws"), ok("azure"))
	finish("dev", store.StatusFailed) // failed before any target
	finish("dev", store.StatusAborted)
	must(f.s.StartDeployment(f.ctx, store.Deployment{Env: "dev", Revision: "still running"}))(t)

	for _, p := range []store.Promotion{
		{Kind: "promote", From: "develop", To: "staging"},
		{Kind: "promote", From: "develop", To: "staging"},
		{Kind: "promote", From: "staging", To: "main", Override: "incident 7"},
		{Kind: "release", From: "main", To: "release", Version: "v0.1.0"},
	} {
		must(f.s.RecordPromotion(f.ctx, p))(t)
	}
	got := must(f.s.Tallies(f.ctx))(t)
	wantD := []store.DeploymentTally{
		{Env: "dev", Target: "", Status: store.StatusAborted, Count: 1},
		{Env: "dev", Target: "", Status: store.StatusFailed, Count: 1},
		{Env: "production", Target: "aws", Status: store.StatusSucceeded, Count: 3},
		{Env: "production", Target: "azure", Status: store.StatusFailed, Count: 1},
		{Env: "production", Target: "azure", Status: store.StatusSucceeded, Count: 2},
	}
	if !reflect.DeepEqual(got.Deployments, wantD) {
		t.Errorf("deployment tallies\n got %+v\nwant %+v", got.Deployments, wantD)
	}
	wantP := []store.PromotionTally{
		{Kind: "promote", From: "develop", To: "staging", Count: 2},
		{Kind: "promote", From: "staging", To: "main", Override: true, Count: 1},
		{Kind: "release", From: "main", To: "release", Count: 1},
	}
	if !reflect.DeepEqual(got.Promotions, wantP) {
		t.Errorf("promotion tallies\n got %+v\nwant %+v", got.Promotions, wantP)
	}
}

// testLeadTimes: a histogram per environment of succeeded change
// deployments (redeploys, failures and per-target rows left out; skew
// counts as 0), with cumulative buckets.
func testLeadTimes(t *testing.T, f *fixture) {
	end := start.Add(time.Hour)
	deploy := func(env, target string, st store.Status, commits int, first time.Time) {
		id := must(f.s.StartDeployment(f.ctx, store.Deployment{Env: env, Target: target, Revision: "r",
			Change: &store.Change{Kind: store.ChangeNormal, Commits: commits, FirstCommitAt: first}}))(t)
		if err := f.s.FinishDeployment(f.ctx, id, store.DeploymentResult{Status: st, EndedAt: end}); err != nil {
			t.Fatal(err)
		}
	}
	deploy("production", "", store.StatusSucceeded, 2, end.Add(-2*time.Hour))    // 7200 s
	deploy("production", "", store.StatusSucceeded, 1, end.Add(-30*time.Minute)) // 1800 s
	deploy("production", "", store.StatusSucceeded, 1, end.Add(time.Minute))     // skew: 0
	deploy("production", "", store.StatusFailed, 1, end.Add(-time.Hour))
	deploy("production", "", store.StatusSucceeded, 0, time.Time{}) // a redeploy
	deploy("production", "aws", store.StatusSucceeded, 1, end.Add(-time.Hour))
	deploy("staging", "", store.StatusSucceeded, 3, end.Add(-48*time.Hour))
	got := must(f.s.LeadTimes(f.ctx, []float64{60, 3600, 10800}))(t)
	want := []store.LeadTimeHistogram{
		{Env: "production", Count: 3, Sum: 9000, Buckets: []uint64{1, 2, 3}},
		{Env: "staging", Count: 1, Sum: 172800, Buckets: []uint64{0, 0, 0}},
	}
	if len(got) != len(want) {
		t.Fatalf("lead times %+v, want %+v", got, want)
	}
	for i := range want {
		g := got[i]
		if g.Env != want[i].Env || g.Count != want[i].Count || math.Abs(g.Sum-want[i].Sum) > 0.01 || !reflect.DeepEqual(g.Buckets, want[i].Buckets) {
			t.Errorf("lead times[%d] = %+v, want %+v", i, g, want[i])
		}
	}
}
