package dora

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"ferry.dev/ferry/internal/platform"
	"ferry.dev/ferry/internal/store"
)

func TestBands(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		got  Band
		want Band
	}{
		{"daily deploys", frequencyBand(1), Elite},
		{"just under daily", frequencyBand(0.99), High},
		{"weekly", frequencyBand(1.0 / 7), High},
		{"monthly", frequencyBand(1.0 / 30), Medium},
		{"rarer", frequencyBand(1.0 / 31), Low},
		{"no deploys", frequencyBand(0), Low},
		{"lead under a day", leadTimeBand(3, 23*time.Hour), Elite},
		{"lead a day", leadTimeBand(3, day), High},
		{"lead a week", leadTimeBand(3, week), Medium},
		{"lead a month", leadTimeBand(3, month), Low},
		{"no lead samples", leadTimeBand(0, 0), NoData},
		{"recovery in minutes", recoveryBand(1, 59*time.Minute), Elite},
		{"recovery an hour", recoveryBand(1, time.Hour), High},
		{"recovery a day", recoveryBand(1, day), Medium},
		{"recovery a week", recoveryBand(1, week), Low},
		{"cfr 5%", failureRateBand(20, 0.05), Elite},
		{"cfr 10%", failureRateBand(20, 0.10), High},
		{"cfr 15%", failureRateBand(20, 0.15), Medium},
		{"cfr 16%", failureRateBand(20, 0.16), Low},
		{"cfr of nothing", failureRateBand(0, 0), NoData},
	}
	for _, tc := range cases {
		if tc.got != tc.want {
			t.Errorf("%s: band %s, want %s", tc.name, tc.got, tc.want)
		}
	}
}

// TestCompute: a small history in a real store, rated end to end; the
// window is now-since..now.
func TestCompute(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st, err := store.OpenSQLite(ctx, filepath.Join(t.TempDir(), "ferry.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	add := func(ago time.Duration, status store.Status, kind store.ChangeKind, lead time.Duration) {
		begin := now.Add(-ago)
		id, err := st.StartDeployment(ctx, store.Deployment{Env: "production", Revision: "r", StartedAt: begin,
			Change: &store.Change{Kind: kind, Commits: 1, FirstCommitAt: begin.Add(time.Minute - lead)}})
		if err == nil {
			err = st.FinishDeployment(ctx, id, store.DeploymentResult{Status: status, EndedAt: begin.Add(time.Minute)})
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	add(15*day, store.StatusSucceeded, store.ChangeNormal, time.Hour) // outside a 14d window
	add(13*day, store.StatusSucceeded, store.ChangeNormal, 2*time.Hour)
	add(12*day, store.StatusFailed, store.ChangeNormal, time.Hour)
	add(12*day-30*time.Minute, store.StatusSucceeded, store.ChangeHotfix, 3*time.Hour)
	add(day, store.StatusSucceeded, store.ChangeNormal, 4*time.Hour)

	r, err := Compute(ctx, st, "production", 2*week, now)
	if err != nil {
		t.Fatal(err)
	}
	if !r.From.Equal(now.Add(-2*week)) || !r.To.Equal(now) || r.Env != "production" {
		t.Fatalf("window %s %v..%v", r.Env, r.From, r.To)
	}
	f := r.DeploymentFrequency
	if f.Count != 3 || f.PerWeek != 1.5 || f.Band != High {
		t.Errorf("frequency %+v, want 3, 1.5/week, high", f)
	}
	if l := r.LeadTime; l.Count != 3 || l.Median != "3h0m" || l.P90 != "4h0m" || l.Band != Elite {
		t.Errorf("lead time %+v, want median 3h p90 4h elite", l)
	}
	cfr := r.ChangeFailureRate
	if cfr.Count != 1 || cfr.Of != 4 || cfr.Ratio != 0.25 || cfr.Failed != 1 || cfr.Hotfixed != 1 || cfr.Band != Low {
		t.Errorf("change failure rate %+v, want 1 of 4 (failed and hotfixed), low", cfr)
	}
	if rc := r.RecoveryTime; rc.Count != 1 || rc.MedianSeconds != 1800 || rc.Band != Elite {
		t.Errorf("recovery %+v, want one of 30m, elite", rc)
	}
	if rw := r.ReworkRate; rw.Count != 1 || rw.Of != 4 || rw.Band != Unrated {
		t.Errorf("rework %+v, want 1 of 4, unrated", rw)
	}
}

func TestHuman(t *testing.T) {
	t.Parallel()
	for d, want := range map[time.Duration]string{0: "0s", 40 * time.Second: "40s", 125 * time.Second: "2m5s",
		3*time.Hour + 4*time.Minute: "3h4m", 50 * time.Hour: "2d2h"} {
		if got := Human(d); got != want {
			t.Errorf("Human(%v) = %q, want %q", d, got, want)
		}
	}
}

func TestDefaultEnv(t *testing.T) {
	t.Parallel()
	p := &platform.Platform{Spec: platform.Spec{
		Lanes:        []platform.Lane{{Name: "develop"}, {Name: "main"}, {Name: "release"}},
		Environments: []platform.Environment{{Name: "dev", Lane: "develop"}, {Name: "production", Lane: "release"}}}}
	if env, err := DefaultEnv(p); env != "production" || err != nil {
		t.Fatalf("DefaultEnv = %q, %v", env, err)
	}
	p.Spec.Environments = p.Spec.Environments[:1]
	var np *NoProductionError
	if _, err := DefaultEnv(p); !errors.As(err, &np) || np.Lane != "release" {
		t.Fatalf("DefaultEnv without production: %v", err)
	}
}
