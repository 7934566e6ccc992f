package store_test

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"ferry.dev/ferry/internal/store"
)

// testCheckFindings: a run's findings come back whole and in order from
// the reads of one run, a list leaves them out but keeps the total, and
// more than MaxFindings are capped with the total kept.
func testCheckFindings(t *testing.T, f *fixture) {
	fs := []store.Finding{
		{Rule: "FERRY-SEC-001", Severity: "critical", File: "infra/stacks/app/main.tf", Line: 12,
			Message: "AWS access key found: AKIA… (20 characters, redacted)", Resource: "aws_instance.web",
			Doc: "https://ferry.dev/docs/rules/FERRY-SEC-001"},
		{Rule: "FERRY-K8S-004", Severity: "medium", File: "apps/web/web.yaml", Line: 3, Message: "no limits", Env: "staging",
			Suppressed: "accepted in CAB-7"},
		{Rule: "FERRY-TF-002", Severity: "low", File: "infra/x.tf", Message: "not formatted \"canonically\" <b>"},
	}
	in := store.CheckRun{Revision: "r1", Passed: false, Counts: map[string]int{"critical": 1, "medium": 1, "low": 1},
		Summary: "1 critical", Findings: fs}
	id := must(f.s.RecordCheckRun(f.ctx, in))(t)
	got := must(f.s.CheckRun(f.ctx, id))(t)
	if !reflect.DeepEqual(got.Findings, fs) || got.FindingsTotal != 3 {
		t.Fatalf("CheckRun findings = %+v (total %d), want %+v (3)", got.Findings, got.FindingsTotal, fs)
	}
	latest := must(f.s.LatestCheckRun(f.ctx, "r1"))(t)
	if !reflect.DeepEqual(latest.Findings, fs) {
		t.Fatalf("LatestCheckRun findings = %+v", latest.Findings)
	}
	listed := must(f.s.CheckRuns(f.ctx, store.CheckRunFilter{Revision: "r1"}))(t)
	if len(listed) != 1 || listed[0].Findings != nil || listed[0].FindingsTotal != 3 {
		t.Fatalf("CheckRuns = %+v, want the run without findings, total 3", listed)
	}

	// A huge run: the first MaxFindings are kept, the total says how many.
	var many []store.Finding
	for i := range store.MaxFindings + 37 {
		many = append(many, store.Finding{Rule: "FERRY-TF-002", Severity: "low", File: fmt.Sprintf("f%04d.tf", i), Line: i + 1, Message: "m"})
	}
	big := must(f.s.RecordCheckRun(f.ctx, store.CheckRun{Revision: "r2", Passed: true, Findings: many}))(t)
	got = must(f.s.CheckRun(f.ctx, big))(t)
	if len(got.Findings) != store.MaxFindings || got.FindingsTotal != store.MaxFindings+37 ||
		got.Findings[0].File != "f0000.tf" || got.Findings[store.MaxFindings-1].Line != store.MaxFindings {
		t.Fatalf("capped run: %d findings (first %+v), total %d; want %d, total %d", len(got.Findings), got.Findings[0],
			got.FindingsTotal, store.MaxFindings, store.MaxFindings+37)
	}
	// A caller that already capped says so with FindingsTotal.
	capped := must(f.s.RecordCheckRun(f.ctx, store.CheckRun{Revision: "r3", Passed: true, Findings: fs[:1], FindingsTotal: 9}))(t)
	if got := must(f.s.CheckRun(f.ctx, capped))(t); got.FindingsTotal != 9 || len(got.Findings) != 1 {
		t.Fatalf("pre-capped run: %d findings, total %d; want 1, total 9", len(got.Findings), got.FindingsTotal)
	}
	// No findings: nil, total 0.
	none := must(f.s.RecordCheckRun(f.ctx, store.CheckRun{Revision: "r4", Passed: true}))(t)
	if got := must(f.s.CheckRun(f.ctx, none))(t); got.Findings != nil || got.FindingsTotal != 0 {
		t.Fatalf("run without findings: %+v", got)
	}
}

// testPromotionGates: a promotion's gates and a release's changelog come back from Promotion and
// Promotions as recorded; one without gates has none; an unknown ID is
// ErrNotFound.
func testPromotionGates(t *testing.T, f *fixture) {
	gates := []store.Gate{
		{Name: "checks", Passed: true, Reason: "check run 3 on abc passed", Evidence: []string{"check-run:3"}},
		{Name: "deployed", Passed: true, Reason: "staging deployed abc healthy in deployment 7", Evidence: []string{"deployment:7"}},
		{Name: "approvals", Reason: "0 of 1 approval(s)", Overridden: true},
	}
	in := store.Promotion{Kind: "promote", From: "staging", To: "main", Revision: "abc", Commit: "c1", Actor: "ana",
		Evidence: []string{"check-run:3", "deployment:7"}, Override: "INC-9", Gates: gates}
	id := must(f.s.RecordPromotion(f.ctx, in))(t)
	plain := must(f.s.RecordPromotion(f.ctx, store.Promotion{Kind: "release", From: "main", To: "release", Version: "v1.0.0",
		Changelog: "## v1.0.0 (2026-03-01)\n\n### Features\n\n- **web:** greet `<b>` ('quoted')\n"}))(t)
	got := must(f.s.Promotion(f.ctx, id))(t)
	in.ID, in.CreatedAt = id, norm(start)
	if !reflect.DeepEqual(got, in) {
		t.Fatalf("Promotion = %+v, want %+v", got, in)
	}
	listed := must(f.s.Promotions(f.ctx, store.PromotionFilter{To: "main"}))(t)
	if len(listed) != 1 || !reflect.DeepEqual(listed[0].Gates, gates) {
		t.Fatalf("Promotions = %+v, want the gates %+v", listed, gates)
	}
	if p := must(f.s.Promotion(f.ctx, plain))(t); p.Gates != nil || p.Version != "v1.0.0" || !strings.Contains(p.Changelog, "greet `<b>` ('quoted')\n") {
		t.Fatalf("promotion without gates = %+v", p)
	}
	_, err := f.s.Promotion(f.ctx, 4242)
	wantErr(t, err, store.ErrNotFound)
}

// testDeploymentChanges: a finished deployment's object changes come back
// from Deployment, lists carry only their count, and more than MaxChanges
// are capped with the total kept.
func testDeploymentChanges(t *testing.T, f *fixture) {
	changes := []store.ObjectChange{
		{Target: "aws", Component: "web", Object: "apps/v1/Deployment/web/web", Action: "configure", Fields: []string{"/spec/replicas"}},
		{Target: "aws", Component: "web", Object: "v1/Secret/web/db", Action: "create"},
		{Target: "aws", Component: "web", Object: "v1/ConfigMap/web/old", Action: "prune"},
		{Target: "aws", Component: "foundation", Object: "terraform_data.vpc", Action: "replace"},
		{Target: "aws", Component: "web", Object: "v1/Service/web/web", Action: "unchanged"},
	}
	id := must(f.s.StartDeployment(f.ctx, store.Deployment{Env: "production", Revision: "r1", Actor: "ana"}))(t)
	if err := f.s.FinishDeployment(f.ctx, id, store.DeploymentResult{Status: store.StatusSucceeded, Changes: changes}); err != nil {
		t.Fatal(err)
	}
	got := must(f.s.Deployment(f.ctx, id))(t)
	if !reflect.DeepEqual(got.Changes, changes) || got.ChangesTotal != len(changes) {
		t.Fatalf("Deployment changes = %+v (total %d), want %+v", got.Changes, got.ChangesTotal, changes)
	}
	listed := must(f.s.Deployments(f.ctx, store.DeploymentFilter{Env: "production"}))(t)
	if len(listed) != 1 || listed[0].Changes != nil || listed[0].ChangesTotal != len(changes) {
		t.Fatalf("Deployments = %+v, want no changes listed, their count", listed)
	}
	each := must(f.s.DeploymentsEach(f.ctx, []store.DeploymentFilter{{Env: "production"}}))(t)
	if len(each) != 1 || len(each[0]) != 1 || each[0][0].ChangesTotal != len(changes) || each[0][0].Changes != nil {
		t.Fatalf("DeploymentsEach = %+v", each)
	}

	var many []store.ObjectChange
	for i := range store.MaxChanges + 5 {
		many = append(many, store.ObjectChange{Target: "t", Component: "c", Object: fmt.Sprintf("v1/ConfigMap/ns/cm-%05d", i), Action: "create"})
	}
	big := must(f.s.StartDeployment(f.ctx, store.Deployment{Env: "dev", Revision: "r2"}))(t)
	if err := f.s.FinishDeployment(f.ctx, big, store.DeploymentResult{Status: store.StatusFailed, Changes: many, ChangesTotal: 12345}); err != nil {
		t.Fatal(err)
	}
	got = must(f.s.Deployment(f.ctx, big))(t)
	if len(got.Changes) != store.MaxChanges || got.ChangesTotal != 12345 || got.Changes[store.MaxChanges-1].Object != many[store.MaxChanges-1].Object {
		t.Fatalf("capped deployment: %d changes, total %d", len(got.Changes), got.ChangesTotal)
	}
	running := must(f.s.StartDeployment(f.ctx, store.Deployment{Env: "dev", Revision: "r3"}))(t)
	if got := must(f.s.Deployment(f.ctx, running))(t); got.Changes != nil || got.ChangesTotal != 0 {
		t.Fatalf("running deployment has changes %+v", got)
	}
}
