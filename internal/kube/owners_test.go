package kube

import (
	"context"
	"fmt"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"ferry.dev/ferry/internal/render"
)

// configMaps are ConfigMaps named names in ns.
func configMaps(t *testing.T, ns string, names ...string) []*unstructured.Unstructured {
	t.Helper()
	var y strings.Builder
	for _, n := range names {
		fmt.Fprintf(&y, "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: %s, namespace: %s}\ndata: {k: v}\n", n, ns)
	}
	objs, err := render.ParseManifests([]byte(y.String()), "owners.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return objs
}

// TestPlatformsShareAnEnvironmentName: two platforms deploy an environment
// of the same name to one cluster. Each lists only its own components, so
// removing the components another platform does not know prunes nothing of
// the other's; and an inventory under the name ferry used before platforms
// were part of it is read, pruned from and moved to its own name.
func TestPlatformsShareAnEnvironmentName(t *testing.T) {
	t.Parallel()
	c := connect(t)
	ctx := context.Background()
	ns := "ferry-owners"
	if err := c.ensureNamespace(ctx, ns); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.c.Delete(context.Background(), &corev1.Namespace{ObjectMeta: metaName(ns)}) })
	const env = "shared-env"
	alpha := Owner{Platform: "alpha", Env: env, Component: "web"}
	beta := Owner{Platform: "beta", Env: env, Component: "api"}
	for _, o := range []Owner{alpha, beta} {
		if _, err := c.Apply(ctx, o, configMaps(t, ns, o.Platform+"-"+o.Component), ApplyOptions{Namespace: ns, Prune: true}); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		platform string
		want     string
	}{{"alpha", "web"}, {"beta", "api"}} {
		owners, err := c.Owners(ctx, tc.platform, env)
		if err != nil {
			t.Fatal(err)
		}
		if len(owners) != 1 || owners[0].Component != tc.want || owners[0].Platform != tc.platform {
			t.Errorf("owners of %s in %s = %+v, want only %s", tc.platform, env, owners, tc.want)
		}
	}
	if a, b := alpha.InventoryName(), (Owner{Platform: "alpha-web", Env: env}).InventoryName(); a == b {
		t.Errorf("inventory names collide: %s", a)
	}

	// A legacy inventory (ferry before platforms): read, pruned from, moved.
	legacy := Owner{Env: env, Component: "old"}
	if _, err := c.Apply(ctx, legacy, configMaps(t, ns, "keep", "drop"), ApplyOptions{Namespace: ns, Prune: true}); err != nil {
		t.Fatal(err)
	}
	if owners, _ := c.Owners(ctx, "alpha", env); len(owners) != 1 {
		t.Errorf("a legacy inventory is listed as alpha's: %+v", owners)
	}
	moved := Owner{Platform: "alpha", Env: env, Component: "old"}
	res, err := c.Apply(ctx, moved, configMaps(t, ns, "keep"), ApplyOptions{Namespace: ns, Prune: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Counts(); got[ActionPrune] != 1 {
		t.Errorf("apply over the legacy inventory: %v, want drop pruned", got)
	}
	var cm corev1.ConfigMap
	if err := c.c.Get(ctx, client.ObjectKey{Namespace: ns, Name: "drop"}, &cm); !apierrors.IsNotFound(err) {
		t.Errorf("drop survived: %v", err)
	}
	if _, ok, _ := c.getInventory(ctx, legacy.InventoryName()); ok {
		t.Error("the legacy inventory was not moved")
	}
	inv, err := c.ReadInventory(ctx, moved)
	if err != nil || len(inv.IDs) != 1 || inv.IDs[0].Name != "keep" || inv.legacy {
		t.Errorf("moved inventory = %+v (%v)", inv, err)
	}
}
