package cli

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ferry.dev/ferry/internal/app"
	"ferry.dev/ferry/internal/dora"
	"ferry.dev/ferry/internal/platform"
	"ferry.dev/ferry/internal/store"
)

// TestDora: ferry dora on the reference platform with a known production
// history in its own store: the JSON fields, the table, the default
// environment, and bad input as usage errors.
func TestDora(t *testing.T) {
	isolateGitForInit(t)
	dir := filepath.Join(t.TempDir(), "platform")
	if code, out, errOut := runInit(t, "init", dir); code != ExitOK {
		t.Fatalf("ferry init exit %d\n%s\n%s", code, out, errOut)
	}
	seedHistory(t, dir)

	code, out, errOut := runInit(t, "--repo", dir, "dora", "--since", "2w", "-o", "json")
	if code != ExitOK {
		t.Fatalf("ferry dora exit %d: %s", code, errOut)
	}
	var rep dora.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("-o json: %v\n%s", err, out)
	}
	for _, field := range []string{"deploymentFrequency", "leadTime", "changeFailureRate", "recoveryTime", "reworkRate", "from", "to", "env"} {
		if !strings.Contains(out, `"`+field+`"`) {
			t.Errorf("-o json lacks %q", field)
		}
	}
	if rep.Env != "production" || rep.To.Sub(rep.From) != 14*24*time.Hour {
		t.Errorf("window %s %v..%v, want production over 14 days", rep.Env, rep.From, rep.To)
	}
	// In the window: 5 changes (the legacy one included), 4 succeeded; the
	// failure and the success the rollback remediated are one episode.
	if rep.DeploymentFrequency.Count != 4 || rep.ChangeFailureRate.Count != 2 || rep.ChangeFailureRate.Of != 5 ||
		rep.ChangeFailureRate.RolledBack != 1 || rep.ReworkRate.Count != 0 || rep.LeadTime.Median != "2h0m" ||
		rep.RecoveryTime.Median != "2d0h" || rep.Deployments.Redeploys != 1 || rep.Deployments.NoChangeData != 1 {
		t.Errorf("report %+v", rep)
	}

	code, out, _ = runInit(t, "--repo", dir, "dora", "production", "--since", "14d")
	if code != ExitOK {
		t.Fatalf("ferry dora production exit %d", code)
	}
	table := strings.Join(strings.Fields(out), " ")
	for _, want := range []string{"DORA metrics of production", "deployment frequency 4 (0.29/day, 2.00/week) high",
		"change failure rate 40.0% (2 of 5) low", "lead time for changes median 2h0m, p90 3h0m (3 changes) elite",
		"failed deployment recovery time median 2d0h, p90 2d0h (1 recoveries) medium",
		"deployment rework rate 0.0% (0 hotfixes of 5) unrated", "1 deployment(s) lack change data"} {
		if !strings.Contains(table, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}

	for _, bad := range [][]string{{"dora", "--since", "90"}, {"dora", "nowhere"}, {"dora", "a", "b"}} {
		code, _, errOut := runInit(t, append([]string{"--repo", dir}, bad...)...)
		if code != ExitUsage || !strings.Contains(errOut, "Error: ") || !strings.Contains(errOut, "Try: ") {
			t.Errorf("ferry %v: exit %d, stderr %q; want a usage error with a hint", bad, code, errOut)
		}
	}
}

// seedHistory writes production deployments into the platform's store
// (the path ferry opens): a change, a failure, a success that a rollback
// then remediated, the rollback, a redeploy, one recorded without change
// data and one older than the window.
func seedHistory(t *testing.T, dir string) {
	t.Helper()
	ctx := context.Background()
	p, err := platform.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	st, err := app.OpenStore(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	now := time.Now()
	for _, d := range []struct {
		ago    time.Duration
		status store.Status
		change *store.Change
		lead   time.Duration
	}{
		{20 * 24 * time.Hour, store.StatusSucceeded, &store.Change{Kind: store.ChangeNormal, Commits: 1}, time.Hour},
		{5 * 24 * time.Hour, store.StatusSucceeded, &store.Change{Kind: store.ChangeNormal, Commits: 2}, time.Hour},
		{4 * 24 * time.Hour, store.StatusFailed, &store.Change{Kind: store.ChangeNormal, Commits: 1}, time.Hour},
		{3 * 24 * time.Hour, store.StatusSucceeded, &store.Change{Kind: store.ChangeNormal, Commits: 1}, 2 * time.Hour},
		{2 * 24 * time.Hour, store.StatusSucceeded, &store.Change{Kind: store.ChangeRollback, Commits: 1}, 3 * time.Hour},
		{24 * time.Hour, store.StatusSucceeded, &store.Change{Kind: store.ChangeNormal}, 0},
		{time.Hour, store.StatusSucceeded, nil, 0},
	} {
		begin := now.Add(-d.ago)
		if d.change != nil && d.change.Commits > 0 {
			d.change.FirstCommitAt = begin.Add(time.Minute - d.lead)
		}
		id, err := st.StartDeployment(ctx, store.Deployment{Env: "production", Revision: "r", StartedAt: begin, Change: d.change})
		if err == nil {
			err = st.FinishDeployment(ctx, id, store.DeploymentResult{Status: d.status, EndedAt: begin.Add(time.Minute)})
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}
