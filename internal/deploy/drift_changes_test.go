package deploy

import (
	"testing"

	"ferry.dev/ferry/internal/kube"
	"ferry.dev/ferry/internal/terraform"
)

// TestDriftOfListsObjects: a drift check's target status lists the drifted
// objects with their field paths and the Terraform addresses, not the
// unchanged objects, nor another target's.
func TestDriftOfListsObjects(t *testing.T) {
	t.Parallel()
	plan := &Report{Targets: []TargetReport{
		{Target: "aws", Components: []ComponentReport{
			{Component: "stack", Terraform: &terraform.Summary{Change: 1, Changes: []terraform.Change{{Address: "terraform_data.vpc", Action: "update"}}}},
			{Component: "web", Kube: []kube.Change{
				{ID: "apps/v1/Deployment/web/web", Action: kube.ActionConfigure, Fields: []kube.FieldChange{{Op: "replace", Path: "/spec/replicas", Old: 4, New: 2}}},
				{ID: "v1/Service/web/web", Action: kube.ActionUnchanged}}},
		}},
		{Target: "azure", Components: []ComponentReport{{Component: "web", Kube: []kube.Change{{ID: "v1/ConfigMap/web/x", Action: kube.ActionCreate}}}}},
	}}
	ts := TargetStatus{Target: "aws"}
	driftOf(plan, &ts)
	if !ts.Drift || ts.DriftObjects != 1 || ts.DriftResources != 1 || len(ts.DriftChanges) != 2 {
		t.Fatalf("drift %+v", ts)
	}
	if c := ts.DriftChanges[0]; c.Object != "terraform_data.vpc" || c.Action != "update" || c.Component != "stack" || c.Target != "aws" {
		t.Errorf("first drifted %+v", c)
	}
	if c := ts.DriftChanges[1]; c.Object != "apps/v1/Deployment/web/web" || len(c.Fields) != 1 || c.Fields[0] != "/spec/replicas" {
		t.Errorf("second drifted %+v", c)
	}
}
