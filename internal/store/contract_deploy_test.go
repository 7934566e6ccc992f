package store_test

import (
	"errors"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"ferry.dev/ferry/internal/store"
)

func testDeploymentRoundTrip(t *testing.T, f *fixture) {
	in := store.Deployment{Env: "production", Target: "aws-eu", Revision: "r1", Version: "v1.4.0",
		Actor: "ana", Summary: "starting", StartedAt: start.Add(-time.Minute), Status: store.StatusFailed}
	id := must(f.s.StartDeployment(f.ctx, in))(t)
	got := must(f.s.Deployment(f.ctx, id))(t)
	want := in
	want.ID, want.Status, want.StartedAt = id, store.StatusRunning, norm(in.StartedAt)
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("started = %+v, want %+v", got, want)
	}
	res := store.DeploymentResult{Status: store.StatusSucceeded, Healthy: true, Verified: true, Summary: "2 applied",
		Targets: []store.TargetResult{{Target: "aws-eu", Status: store.StatusSucceeded, Components: []store.ComponentResult{
			{Component: "network", Status: store.StatusSucceeded, Summary: "2 to add, 0 to change, 0 to destroy",
				Duration: 1500 * time.Millisecond},
			{Component: "web", Status: store.StatusFailed, Error: `apply: "quoted" ünïcode`, Duration: time.Second},
		}}},
		Inventory: []string{"apps/v1/Deployment/web/web", "v1/Service/web/web"},
	}
	f.clock.Advance(90 * time.Second)
	if err := f.s.FinishDeployment(f.ctx, id, res); err != nil {
		t.Fatal(err)
	}
	got = must(f.s.Deployment(f.ctx, id))(t)
	want.Status, want.Healthy, want.Verified, want.Summary = res.Status, true, true, res.Summary
	want.Targets, want.Inventory, want.EndedAt = res.Targets, res.Inventory, norm(f.clock.Now())
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("finished = %+v\nwant %+v", got, want)
	}
	wantUTC(t, "StartedAt", got.StartedAt)
	wantUTC(t, "EndedAt", got.EndedAt)
}

func testFinishOnce(t *testing.T, f *fixture) {
	id := must(f.s.StartDeployment(f.ctx, store.Deployment{Env: "dev", Revision: "r"}))(t)
	done := store.DeploymentResult{Status: store.StatusFailed, Summary: "first", EndedAt: start.Add(time.Hour)}
	if err := f.s.FinishDeployment(f.ctx, id, done); err != nil {
		t.Fatal(err)
	}
	err := f.s.FinishDeployment(f.ctx, id, store.DeploymentResult{Status: store.StatusSucceeded, Summary: "second"})
	wantErr(t, err, store.ErrFinished)
	got := must(f.s.Deployment(f.ctx, id))(t)
	if got.Status != store.StatusFailed || got.Summary != "first" || !got.EndedAt.Equal(norm(done.EndedAt)) {
		t.Fatalf("second finish changed the row: %+v", got)
	}
	err = f.s.FinishDeployment(f.ctx, id+100, done)
	wantErr(t, err, store.ErrNotFound)
}

// testFinishRace: of N concurrent finishers exactly one wins.
func testFinishRace(t *testing.T, f *fixture) {
	id := must(f.s.StartDeployment(f.ctx, store.Deployment{Env: "dev", Revision: "r"}))(t)
	const n = 8
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			errs[i] = f.s.FinishDeployment(f.ctx, id, store.DeploymentResult{
				Status: store.StatusSucceeded, Summary: fmt.Sprint("finisher ", i)})
		})
	}
	wg.Wait()
	winners := 0
	for _, err := range errs {
		switch {
		case err == nil:
			winners++
		case !errors.Is(err, store.ErrFinished):
			t.Errorf("finisher failed with %v, want nil or ErrFinished", err)
		}
	}
	if winners != 1 {
		t.Fatalf("%d finishers won, want exactly 1", winners)
	}
}

func testDeployments(t *testing.T, f *fixture) {
	base := start.Add(-time.Hour)
	ds := []store.Deployment{
		{Env: "staging", Target: "k3s", Revision: "r1", StartedAt: base},
		{Env: "production", Target: "aws", Revision: "r1", StartedAt: base.Add(3 * time.Minute)},
		{Env: "production", Target: "azure", Revision: "r1", StartedAt: base.Add(3 * time.Minute)},
		{Env: "staging", Target: "k3s", Revision: "r2", StartedAt: base.Add(time.Minute)},
	}
	ids := make([]int64, len(ds))
	for i, d := range ds {
		ids[i] = must(f.s.StartDeployment(f.ctx, d))(t)
	}
	if err := f.s.FinishDeployment(f.ctx, ids[0], store.DeploymentResult{Status: store.StatusSucceeded}); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		filter store.DeploymentFilter
		want   []int64
	}{
		{"all newest first, ties by id", store.DeploymentFilter{}, []int64{ids[2], ids[1], ids[3], ids[0]}},
		{"env", store.DeploymentFilter{Env: "staging"}, []int64{ids[3], ids[0]}},
		{"target", store.DeploymentFilter{Target: "azure"}, []int64{ids[2]}},
		{"revision", store.DeploymentFilter{Revision: "r1"}, []int64{ids[2], ids[1], ids[0]}},
		{"status", store.DeploymentFilter{Status: store.StatusSucceeded}, []int64{ids[0]}},
		{"env and status", store.DeploymentFilter{Env: "production", Status: store.StatusRunning}, []int64{ids[2], ids[1]}},
		{"limit", store.DeploymentFilter{Limit: 1}, []int64{ids[2]}},
		{"no match", store.DeploymentFilter{Env: "nowhere"}, nil},
	}
	for _, tc := range cases {
		var got []int64
		for _, d := range must(f.s.Deployments(f.ctx, tc.filter))(t) {
			got = append(got, d.ID)
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: Deployments = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func testMarkAborted(t *testing.T, f *fixture) {
	lock := must(f.s.AcquireLock(f.ctx, store.EnvLockName("staging"), "proc-1", time.Minute))(t)
	held := must(f.s.StartDeployment(f.ctx, store.Deployment{Env: "staging", Revision: "r1"}))(t)
	orphan := must(f.s.StartDeployment(f.ctx, store.Deployment{Env: "dev", Revision: "r1"}))(t)
	done := must(f.s.StartDeployment(f.ctx, store.Deployment{Env: "dev", Revision: "r0"}))(t)
	if err := f.s.FinishDeployment(f.ctx, done, store.DeploymentResult{Status: store.StatusSucceeded}); err != nil {
		t.Fatal(err)
	}

	if got := must(f.s.MarkAborted(f.ctx, "staging"))(t); len(got) != 0 {
		t.Fatalf("MarkAborted(staging) with its lock held = %v, want none", got)
	}
	if got := must(f.s.MarkAborted(f.ctx, ""))(t); !reflect.DeepEqual(got, []int64{orphan}) {
		t.Fatalf("MarkAborted(all) = %v, want [%d] (dev has no lock)", got, orphan)
	}
	f.clock.Advance(61 * time.Second) // staging's lock expires: its process is gone
	if got := must(f.s.MarkAborted(f.ctx, "dev"))(t); len(got) != 0 {
		t.Fatalf("MarkAborted(dev) again = %v, want none", got)
	}
	if got := must(f.s.MarkAborted(f.ctx, "staging"))(t); !reflect.DeepEqual(got, []int64{held}) {
		t.Fatalf("MarkAborted(staging) after expiry = %v, want [%d]", got, held)
	}
	d := must(f.s.Deployment(f.ctx, held))(t)
	if d.Status != store.StatusAborted || !d.EndedAt.Equal(norm(f.clock.Now())) || d.Summary == "" {
		t.Fatalf("aborted deployment = %+v", d)
	}
	if must(f.s.Deployment(f.ctx, done))(t).Status != store.StatusSucceeded {
		t.Fatal("MarkAborted touched a finished deployment")
	}
	err := f.s.FinishDeployment(f.ctx, held, store.DeploymentResult{Status: store.StatusSucceeded})
	wantErr(t, err, store.ErrFinished) // the late process cannot claim success
	_, err = f.s.RenewLock(f.ctx, lock, time.Minute)
	wantErr(t, err, store.ErrLockLost)
	evs := must(f.s.Events(f.ctx, store.EventFilter{Kind: "deployment.aborted"}))(t)
	if len(evs) != 2 || evs[0].Env != "staging" || evs[1].Env != "dev" {
		t.Fatalf("abort events = %+v, want staging then dev", evs)
	}
	if evs[0].Data != fmt.Sprintf(`{"deployment":%d}`, held) {
		t.Fatalf("abort event data = %s", evs[0].Data)
	}
}

// testMarkAbortedTakeover: the lock of a dead deployer expired and a new
// deployer took it before anyone called MarkAborted. The dead one's
// deployment is aborted; the live one's is not.
func testMarkAbortedTakeover(t *testing.T, f *fixture) {
	must(f.s.AcquireLock(f.ctx, store.EnvLockName("prod"), "dead", time.Minute))(t)
	dead := must(f.s.StartDeployment(f.ctx, store.Deployment{Env: "prod", Revision: "r1"}))(t)
	f.clock.Advance(2 * time.Minute)
	live := must(f.s.AcquireLock(f.ctx, store.EnvLockName("prod"), "live", time.Minute))(t)
	alive := must(f.s.StartDeployment(f.ctx, store.Deployment{Env: "prod", Revision: "r2"}))(t)
	f.clock.Advance(50 * time.Second)
	must(f.s.RenewLock(f.ctx, live, time.Minute))(t) // renewing is not re-taking
	if got := must(f.s.MarkAborted(f.ctx, "prod"))(t); !reflect.DeepEqual(got, []int64{dead}) {
		t.Fatalf("MarkAborted = %v, want [%d]", got, dead)
	}
	if st := must(f.s.Deployment(f.ctx, alive))(t).Status; st != store.StatusRunning {
		t.Fatalf("live deployment is %s", st)
	}
}

// testConcurrentWriters: N goroutines write at once; nothing is lost, no
// write fails (SQLite writers must queue, not fail with "busy").
func testConcurrentWriters(t *testing.T, f *fixture) {
	const workers, each = 8, 10
	var wg sync.WaitGroup
	errs := make(chan error, workers*each)
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				id, err := f.s.StartDeployment(f.ctx, store.Deployment{Env: fmt.Sprint("env", w), Revision: fmt.Sprint(i)})
				if err == nil {
					err = f.s.FinishDeployment(f.ctx, id, store.DeploymentResult{Status: store.StatusSucceeded})
				}
				if err == nil {
					_, err = f.s.AppendEvent(f.ctx, store.Event{Kind: "write", Env: fmt.Sprint("env", w)})
				}
				if err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	ds := must(f.s.Deployments(f.ctx, store.DeploymentFilter{Status: store.StatusSucceeded}))(t)
	evs := must(f.s.Events(f.ctx, store.EventFilter{Kind: "write"}))(t)
	if len(ds) != workers*each || len(evs) != workers*each {
		t.Fatalf("%d deployments and %d events, want %d of each", len(ds), len(evs), workers*each)
	}
	seen := map[int64]bool{}
	for _, d := range ds {
		if seen[d.ID] {
			t.Fatalf("deployment id %d twice", d.ID)
		}
		seen[d.ID] = true
	}
}
