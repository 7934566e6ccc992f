package store_test

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	"ferry.dev/ferry/internal/store"
)

// dep is one deployment of a generated history: it starts at offset at
// from the history's base, runs 5 minutes and, when it brings commits, its
// first commit is lead before its end.
type dep struct {
	at      time.Duration
	status  store.Status
	kind    store.ChangeKind // "": recorded without change data
	commits int
	lead    time.Duration
}

const runFor = 5 * time.Minute

// record writes a history into env; the answers of each case below follow
// from it by construction.
func record(t *testing.T, f *fixture, env string, base time.Time, ds []dep) {
	t.Helper()
	for i, d := range ds {
		begin := base.Add(d.at)
		in := store.Deployment{Env: env, Revision: fmt.Sprint("r", i), StartedAt: begin}
		if d.kind != "" {
			in.Change = &store.Change{Kind: d.kind, Commits: d.commits}
			if d.commits > 0 {
				in.Change.FirstCommitAt = begin.Add(runFor - d.lead)
			}
		}
		id := must(f.s.StartDeployment(f.ctx, in))(t)
		if d.status == store.StatusRunning {
			continue
		}
		res := store.DeploymentResult{Status: d.status, EndedAt: begin.Add(runFor)}
		if err := f.s.FinishDeployment(f.ctx, id, res); err != nil {
			t.Fatal(err)
		}
	}
}

func change(at time.Duration, st store.Status, lead time.Duration) dep {
	return dep{at: at, status: st, kind: store.ChangeNormal, commits: 3, lead: lead}
}

func kindAt(at time.Duration, kind store.ChangeKind) dep {
	return dep{at: at, status: store.StatusSucceeded, kind: kind, commits: 1, lead: time.Hour}
}

const (
	ok   = store.StatusSucceeded
	bad  = store.StatusFailed
	hour = time.Hour
)

var doraCases = []struct {
	name    string
	history []dep
	want    store.DORAStats
}{
	{"no deployments", nil, store.DORAStats{}},
	{"steady changes", []dep{change(0, ok, hour), change(hour, ok, 2*hour), change(2*hour, ok, 3*hour), change(3*hour, ok, 4*hour)},
		store.DORAStats{Deployments: 4, Succeeded: 4,
			LeadTime: store.LeadTimeStats{Count: 4, Median: 2 * hour, P90: 4 * hour}}},
	{"only failures", []dep{change(0, bad, hour), change(hour, bad, hour), change(2*hour, bad, hour)},
		store.DORAStats{Deployments: 3, Failed: 3, ChangeFailures: 3, Recovery: store.RecoveryStats{Open: 1}}},
	{"failures then a success", []dep{change(0, ok, hour), change(hour, bad, hour), change(2*hour, bad, hour), change(3*hour, ok, hour)},
		store.DORAStats{Deployments: 4, Succeeded: 2, Failed: 2, ChangeFailures: 2,
			LeadTime: store.LeadTimeStats{Count: 2, Median: hour, P90: hour},
			Recovery: store.RecoveryStats{Count: 1, Median: 2 * hour, P90: 2 * hour}}},
	{"rollback", []dep{change(0, ok, hour), change(hour, ok, hour), kindAt(90*time.Minute, store.ChangeRollback)},
		store.DORAStats{Deployments: 3, Succeeded: 3, RolledBack: 1, ChangeFailures: 1, Rollbacks: 1,
			LeadTime: store.LeadTimeStats{Count: 3, Median: hour, P90: hour},
			Recovery: store.RecoveryStats{Count: 1, Median: 30 * time.Minute, P90: 30 * time.Minute}}},
	{"failed then rolled back", []dep{change(0, ok, hour), change(hour, bad, hour), kindAt(2*hour, store.ChangeRollback)},
		store.DORAStats{Deployments: 3, Succeeded: 2, Failed: 1, RolledBack: 1, ChangeFailures: 1, Rollbacks: 1,
			LeadTime: store.LeadTimeStats{Count: 2, Median: hour, P90: hour},
			Recovery: store.RecoveryStats{Count: 1, Median: hour, P90: hour}}},
	{"hotfix", []dep{change(0, ok, 2*hour), change(hour, ok, 2*hour), kindAt(3*hour, store.ChangeHotfix), change(4*hour, ok, 2*hour)},
		store.DORAStats{Deployments: 4, Succeeded: 4, Hotfixed: 1, ChangeFailures: 1, Hotfixes: 1,
			LeadTime: store.LeadTimeStats{Count: 4, Median: 2 * hour, P90: 2 * hour},
			Recovery: store.RecoveryStats{Count: 1, Median: 2 * hour, P90: 2 * hour}}},
	{"recovery percentiles", []dep{
		change(0, bad, hour), change(10*time.Minute, ok, hour),
		change(hour, bad, hour), change(90*time.Minute, ok, hour),
		change(3*hour, bad, hour), change(5*hour, ok, hour)},
		store.DORAStats{Deployments: 6, Succeeded: 3, Failed: 3, ChangeFailures: 3,
			LeadTime: store.LeadTimeStats{Count: 3, Median: hour, P90: hour},
			Recovery: store.RecoveryStats{Count: 3, Median: 30 * time.Minute, P90: 2 * hour}}},
	{"clock skew", []dep{change(0, ok, -10*time.Minute), change(hour, ok, 3*hour)},
		store.DORAStats{Deployments: 2, Succeeded: 2,
			LeadTime: store.LeadTimeStats{Count: 2, Median: 0, P90: 3 * hour, Skewed: 1}}},
	{"redeploys, unfinished, legacy rows", []dep{
		change(0, ok, hour),
		{at: hour, status: ok, kind: store.ChangeNormal, commits: 0},
		{at: 2 * hour, status: bad, kind: store.ChangeNormal, commits: 0},
		{at: 3 * hour, status: store.StatusRunning, kind: store.ChangeNormal, commits: 1, lead: hour},
		{at: 4 * hour, status: store.StatusAborted, kind: store.ChangeNormal, commits: 1, lead: hour},
		{at: 5 * hour, status: ok},
	},
		store.DORAStats{Deployments: 2, Succeeded: 2, Redeploys: 2, Unfinished: 2, NoChangeData: 1,
			LeadTime: store.LeadTimeStats{Count: 1, Median: hour, P90: hour}}},
}

// testDORA: each generated history in its own environment of one store.
func testDORA(t *testing.T, f *fixture) {
	base := start.Add(-30 * 24 * time.Hour)
	for i, tc := range doraCases {
		env := fmt.Sprint("prod", i)
		record(t, f, env, base, tc.history)
		got := must(f.s.DORA(f.ctx, store.DORAQuery{Env: env, From: base, To: base.Add(24 * time.Hour)}))(t)
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s:\n got %+v\nwant %+v", tc.name, got, tc.want)
		}
	}
}

// testDORAWindow: From and To are inclusive, by start time; a deployment
// at To that a rollback after To remediated is a change failure, still
// open within the window.
func testDORAWindow(t *testing.T, f *fixture) {
	base := start.Add(-48 * time.Hour)
	from, to := base.Add(hour), base.Add(10*hour)
	record(t, f, "production", base, []dep{
		change(hour-time.Second, bad, hour),               // before the window
		change(hour, ok, hour),                            // at From
		change(10*hour, ok, 2*hour),                       // at To
		kindAt(10*hour+time.Second, store.ChangeRollback), // after the window
	})
	record(t, f, "staging", base, []dep{change(2*hour, bad, hour)})
	got := must(f.s.DORA(f.ctx, store.DORAQuery{Env: "production", From: from, To: to}))(t)
	want := store.DORAStats{Deployments: 2, Succeeded: 2, RolledBack: 1, ChangeFailures: 1,
		LeadTime: store.LeadTimeStats{Count: 2, Median: hour, P90: 2 * hour}, Recovery: store.RecoveryStats{Open: 1}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("window:\n got %+v\nwant %+v", got, want)
	}
	_, err := f.s.DORA(f.ctx, store.DORAQuery{Env: "production", From: to, To: from})
	wantErr(t, err, store.ErrInvalid)
	_, err = f.s.DORA(f.ctx, store.DORAQuery{From: from, To: to})
	wantErr(t, err, store.ErrInvalid)
}

// testDeploymentChange: the change a deployment brought round-trips; none
// reads back as nil; a bad kind is refused.
func testDeploymentChange(t *testing.T, f *fixture) {
	first := start.Add(-3 * hour)
	cases := []*store.Change{
		{Kind: store.ChangeHotfix, Commits: 4, FirstCommitAt: first},
		{Kind: store.ChangeNormal, Commits: 0},
		nil,
	}
	for _, c := range cases {
		id := must(f.s.StartDeployment(f.ctx, store.Deployment{Env: "production", Revision: "r", Change: c}))(t)
		got := must(f.s.Deployment(f.ctx, id))(t).Change
		want := c
		if c != nil {
			w := *c
			w.FirstCommitAt = norm(c.FirstCommitAt)
			if c.FirstCommitAt.IsZero() {
				w.FirstCommitAt = time.Time{}
			}
			want = &w
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("change %+v read back as %+v", want, got)
		}
	}
	_, err := f.s.StartDeployment(f.ctx, store.Deployment{Env: "production", Revision: "r",
		Change: &store.Change{Kind: "planned"}})
	wantErr(t, err, store.ErrInvalid)
}
