package kube

import (
	"context"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// TestWatchSeesEditsNotStatus: an edit of a watched object's data or spec
// and its deletion are reported; a status update, and an edit of an
// object ferry did not list, are not.
func TestWatchSeesEditsNotStatus(t *testing.T) {
	t.Parallel()
	c := connect(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ns := "ferry-watch"
	t.Cleanup(func() { _ = c.c.Delete(context.Background(), &corev1.Namespace{ObjectMeta: metaName(ns)}) })
	owner := Owner{Env: "watchenv", Component: "watch"}
	// Waited for until healthy: the deployment controller annotates a new
	// Deployment (deployment.kubernetes.io/revision), a metadata change
	// that would otherwise land inside the quiet window below.
	res, err := c.Apply(ctx, owner, objects(t, ns, "v1", "pw", true),
		ApplyOptions{Namespace: ns, Revision: "r1", Wait: true, HealthTimeout: 2 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	var ids []ID
	for id := range res.Inventory.State {
		if id.Kind != "Service" { // applied with the owner's labels, but not watched
			ids = append(ids, id)
		}
	}
	seen := make(chan ID, 16)
	cp := connectOptions(t)
	if err := Watch(ctx, cp, owner.Env, ids, func(id ID) { seen <- id }); err != nil {
		t.Fatal(err)
	}
	expect := func(what string, want ID) {
		t.Helper()
		select {
		case got := <-seen:
			if got != want {
				t.Fatalf("%s: reported %s, want %s", what, got, want)
			}
		case <-time.After(30 * time.Second):
			t.Fatalf("%s: %s not reported", what, want)
		}
	}
	quiet := func(what string) {
		t.Helper()
		select {
		case got := <-seen:
			t.Fatalf("%s: reported %s", what, got)
		case <-time.After(time.Second):
		}
	}

	var dep appsv1.Deployment
	if err := c.c.Get(ctx, client.ObjectKey{Namespace: ns, Name: "web"}, &dep); err != nil {
		t.Fatal(err)
	}
	dep.Status.ObservedGeneration = dep.Generation
	dep.Status.Replicas, dep.Status.UpdatedReplicas = 7, 7
	if err := c.c.Status().Update(ctx, &dep); err != nil {
		t.Fatal(err)
	}
	var svc corev1.Service
	if err := c.c.Get(ctx, client.ObjectKey{Namespace: ns, Name: "web"}, &svc); err != nil {
		t.Fatal(err)
	}
	svc.Annotations = map[string]string{"edited": "by-hand"}
	if err := c.c.Update(ctx, &svc); err != nil {
		t.Fatal(err)
	}
	quiet("a status update and an unwatched object's edit")

	if err := c.c.Get(ctx, client.ObjectKey{Namespace: ns, Name: "web"}, &dep); err != nil {
		t.Fatal(err)
	}
	three := int32(3)
	dep.Spec.Replicas = &three
	if err := c.c.Update(ctx, &dep); err != nil {
		t.Fatal(err)
	}
	expect("scaled by hand", ID{Group: "apps", Version: "v1", Kind: "Deployment", Namespace: ns, Name: "web"})

	var cm corev1.ConfigMap
	if err := c.c.Get(ctx, client.ObjectKey{Namespace: ns, Name: "cfg"}, &cm); err != nil {
		t.Fatal(err)
	}
	cm.Data["key"] = "edited"
	if err := c.c.Update(ctx, &cm); err != nil {
		t.Fatal(err)
	}
	cmID := ID{Version: "v1", Kind: "ConfigMap", Namespace: ns, Name: "cfg"}
	expect("data edited", cmID)
	if err := c.c.Delete(ctx, &cm); err != nil {
		t.Fatal(err)
	}
	expect("deleted", cmID)
}
