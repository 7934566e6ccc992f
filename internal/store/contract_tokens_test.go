package store_test

import (
	"reflect"
	"testing"
	"time"

	"ferry.dev/ferry/internal/store"
)

func testTokens(t *testing.T, f *fixture) {
	alice := must(f.s.CreateToken(f.ctx, store.Token{Name: "alice", Hash: "h1", Role: store.RoleDeployer,
		Envs: []string{"dev", "staging"}}))(t)
	if alice.ID == 0 || !alice.CreatedAt.Equal(norm(start)) {
		t.Fatalf("created %+v", alice)
	}
	_, err := f.s.CreateToken(f.ctx, store.Token{Name: "alice", Hash: "h2", Role: store.RoleViewer})
	wantErr(t, err, store.ErrExists)
	f.clock.Advance(time.Minute)
	root := must(f.s.CreateToken(f.ctx, store.Token{Name: "root", Hash: "h3", Role: store.RoleAdmin}))(t)

	got := must(f.s.TokenByHash(f.ctx, "h1"))(t)
	if !reflect.DeepEqual(got, alice) {
		t.Fatalf("TokenByHash = %+v, want %+v", got, alice)
	}
	_, err = f.s.TokenByHash(f.ctx, "nope")
	wantErr(t, err, store.ErrNotFound)

	used := start.Add(5 * time.Minute)
	if err := f.s.TouchToken(f.ctx, root.ID, used); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(time.Minute)
	if err := f.s.RevokeToken(f.ctx, "alice"); err != nil {
		t.Fatal(err)
	}
	wantErr(t, f.s.RevokeToken(f.ctx, "alice"), store.ErrNotFound)
	_, err = f.s.TokenByHash(f.ctx, "h1")
	wantErr(t, err, store.ErrNotFound) // revoked tokens do not authenticate
	// The name is free again once revoked.
	again := must(f.s.CreateToken(f.ctx, store.Token{Name: "alice", Hash: "h4", Role: store.RoleViewer}))(t)

	list := must(f.s.Tokens(f.ctx))(t)
	if len(list) != 3 || list[0].ID != alice.ID || list[1].ID != again.ID || list[2].ID != root.ID {
		t.Fatalf("Tokens = %+v", list)
	}
	if !list[0].RevokedAt.Equal(norm(f.clock.Now())) || !list[2].LastUsedAt.Equal(norm(used)) || list[1].Envs != nil {
		t.Fatalf("Tokens fields = %+v", list)
	}
	for _, tk := range list {
		wantUTC(t, "created", tk.CreatedAt)
	}
}

func testTokensInvalid(t *testing.T, f *fixture) {
	for _, tk := range []store.Token{{Hash: "h", Role: "admin"}, {Name: "x", Role: "admin"},
		{Name: "x", Hash: "h", Role: "root"}, {Name: " ", Hash: "h", Role: "viewer"}} {
		_, err := f.s.CreateToken(f.ctx, tk)
		wantErr(t, err, store.ErrInvalid)
	}
}

func testLocksList(t *testing.T, f *fixture) {
	must(f.s.AcquireLock(f.ctx, "env/staging", "alice", time.Minute))(t)
	must(f.s.AcquireLock(f.ctx, "env/dev", "bo", 10*time.Second))(t)
	got := must(f.s.Locks(f.ctx))(t)
	want := []store.Lock{{Name: "env/dev", Owner: "bo", ExpiresAt: norm(start.Add(10 * time.Second))},
		{Name: "env/staging", Owner: "alice", ExpiresAt: norm(start.Add(time.Minute))}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Locks = %+v, want %+v", got, want)
	}
	f.clock.Advance(30 * time.Second) // dev's expired: not held
	if got := must(f.s.Locks(f.ctx))(t); len(got) != 1 || got[0].Name != "env/staging" {
		t.Fatalf("Locks after expiry = %+v", got)
	}
}

func testPaging(t *testing.T, f *fixture) {
	var ids []int64
	for range 5 {
		f.clock.Advance(time.Second)
		ids = append(ids, must(f.s.AppendEvent(f.ctx, store.Event{Kind: "k", Message: "m"}))(t))
	}
	page := must(f.s.Events(f.ctx, store.EventFilter{Before: ids[3], Limit: 2}))(t)
	if len(page) != 2 || page[0].ID != ids[2] || page[1].ID != ids[1] {
		t.Fatalf("Events Before = %+v", page)
	}
	after := must(f.s.Events(f.ctx, store.EventFilter{After: ids[1], Limit: 2}))(t)
	if len(after) != 2 || after[0].ID != ids[2] || after[1].ID != ids[3] {
		t.Fatalf("Events After = %+v (want oldest first)", after)
	}
	var ds []int64
	for range 3 {
		f.clock.Advance(time.Second)
		ds = append(ds, must(f.s.StartDeployment(f.ctx, store.Deployment{Env: "dev", Revision: "r"}))(t))
	}
	got := must(f.s.Deployments(f.ctx, store.DeploymentFilter{Before: ds[2], Limit: 1}))(t)
	if len(got) != 1 || got[0].ID != ds[1] {
		t.Fatalf("Deployments Before = %+v", got)
	}
	var runs, proms []int64
	for i := range 3 {
		f.clock.Advance(time.Second)
		rev := []string{"a", "b", "a"}[i]
		runs = append(runs, must(f.s.RecordCheckRun(f.ctx, store.CheckRun{Revision: rev, Passed: true}))(t))
		proms = append(proms, must(f.s.RecordPromotion(f.ctx, store.Promotion{Kind: "promote", To: "staging"}))(t))
	}
	cr := must(f.s.CheckRuns(f.ctx, store.CheckRunFilter{Revision: "a"}))(t)
	if len(cr) != 2 || cr[0].ID != runs[2] || cr[1].ID != runs[0] {
		t.Fatalf("CheckRuns = %+v", cr)
	}
	if cr := must(f.s.CheckRuns(f.ctx, store.CheckRunFilter{Before: runs[2], Limit: 1}))(t); len(cr) != 1 || cr[0].ID != runs[1] {
		t.Fatalf("CheckRuns Before = %+v", cr)
	}
	if ps := must(f.s.Promotions(f.ctx, store.PromotionFilter{Before: proms[1]}))(t); len(ps) != 1 || ps[0].ID != proms[0] {
		t.Fatalf("Promotions Before = %+v", ps)
	}
}

// testBatches: DeploymentsEach and EventsEach give, per filter, exactly
// what Deployments and Events give for it.
func testBatches(t *testing.T, f *fixture) {
	for i := range 12 {
		f.clock.Advance(time.Second)
		env := []string{"dev", "staging", "production"}[i%3]
		id := must(f.s.StartDeployment(f.ctx, store.Deployment{Env: env, Revision: "r" + string(rune('a'+i))}))(t)
		status := store.StatusSucceeded
		if i%4 == 1 {
			status = store.StatusFailed
		}
		if i < 10 {
			wantErr(t, f.s.FinishDeployment(f.ctx, id, store.DeploymentResult{Status: status}), nil)
		}
		must(f.s.AppendEvent(f.ctx, store.Event{Kind: []string{"drift", "agent.reconcile"}[i%2], Env: env, Message: "m"}))(t)
	}
	dfs := []store.DeploymentFilter{{Env: "dev", Limit: 1}, {Env: "staging", Status: store.StatusSucceeded, Limit: 1},
		{Env: "production"}, {Env: "nowhere", Limit: 1}, {Status: store.StatusRunning}, {Limit: 3}}
	got := must(f.s.DeploymentsEach(f.ctx, dfs))(t)
	for i, df := range dfs {
		if want := must(f.s.Deployments(f.ctx, df))(t); !reflect.DeepEqual(got[i], want) {
			t.Errorf("DeploymentsEach[%d] (%+v) = %+v, want %+v", i, df, got[i], want)
		}
	}
	efs := []store.EventFilter{{Env: "dev", Kind: "drift", Limit: 1}, {Env: "staging", Kind: "agent.reconcile", Limit: 1},
		{Kind: "drift"}, {After: 3, Limit: 2}, {Env: "nowhere"}}
	evs := must(f.s.EventsEach(f.ctx, efs))(t)
	for i, ef := range efs {
		if want := must(f.s.Events(f.ctx, ef))(t); !reflect.DeepEqual(evs[i], want) {
			t.Errorf("EventsEach[%d] (%+v) = %+v, want %+v", i, ef, evs[i], want)
		}
	}
	if empty := must(f.s.EventsEach(f.ctx, nil))(t); len(empty) != 0 {
		t.Errorf("EventsEach(nil) = %v", empty)
	}
}
