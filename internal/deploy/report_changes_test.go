package deploy

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"ferry.dev/ferry/internal/kube"
	"ferry.dev/ferry/internal/store"
	"ferry.dev/ferry/internal/terraform"
)

// TestStoreChanges: Terraform addresses and Kubernetes objects, changes
// before unchanged objects, field paths without values, capped at
// store.MaxChanges with the total.
func TestStoreChanges(t *testing.T) {
	t.Parallel()
	var kc []kube.Change
	for i := range store.MaxChanges {
		kc = append(kc, kube.Change{ID: fmt.Sprintf("v1/ConfigMap/ns/u%04d", i), Action: kube.ActionUnchanged})
	}
	kc = append(kc, kube.Change{ID: "apps/v1/Deployment/ns/web", Action: kube.ActionConfigure,
		Fields: []kube.FieldChange{{Op: "replace", Path: "/data/password", Old: "hunter2", New: "hunter3"}}})
	rep := &Report{Targets: []TargetReport{{Target: "aws", Components: []ComponentReport{
		{Component: "stack", Terraform: &terraform.Summary{Add: 1, Changes: []terraform.Change{{Address: "terraform_data.vpc", Action: "create"}}}},
		{Component: "web", Kube: kc},
	}}}}
	got, total := rep.storeChanges()
	if total != store.MaxChanges+2 || len(got) != store.MaxChanges {
		t.Fatalf("%d changes, total %d; want %d, total %d", len(got), total, store.MaxChanges, store.MaxChanges+2)
	}
	if !reflect.DeepEqual(got[0], store.ObjectChange{Target: "aws", Component: "stack", Object: "terraform_data.vpc", Action: "create"}) {
		t.Errorf("first change %+v, want the Terraform resource", got[0])
	}
	if c := got[1]; c.Object != "apps/v1/Deployment/ns/web" || c.Action != kube.ActionConfigure || len(c.Fields) != 1 || c.Fields[0] != "/data/password" {
		t.Errorf("second change %+v, want the configured Deployment with its field path", c)
	}
	if s := fmt.Sprint(got); containsAny(s, "hunter2", "hunter3") {
		t.Errorf("a field's value was kept: %s", s)
	}
}

func containsAny(s string, subs ...string) bool {
	return slices.ContainsFunc(subs, func(x string) bool { return strings.Contains(s, x) })
}
