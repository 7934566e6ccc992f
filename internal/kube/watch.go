package kube

import (
	"context"
	"fmt"
	"maps"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/dynamic/dynamicinformer"
	"k8s.io/client-go/tools/cache"
)

// Watch starts informers on the kinds of ids, listing only objects that
// carry env's owner label, and calls changed with the ID of every object of
// ids whose desired state was edited (spec generation, labels, annotations,
// or any change of an object without a generation) or that was deleted.
// Status updates by controllers are not changes. The watches run until ctx
// ends; Watch returns once their caches synced.
func Watch(ctx context.Context, opts Options, env string, ids []ID, changed func(ID)) error {
	cfg, err := RESTConfig(opts)
	if err != nil {
		return err
	}
	c, err := FromConfig(cfg, opts)
	if err != nil {
		return err
	}
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return fmt.Errorf("watch: %w", err)
	}
	want := map[ID]bool{}
	kinds := map[schema.GroupVersionKind]bool{}
	for _, id := range ids {
		want[id] = true
		kinds[id.GVK()] = true
	}
	selector := OwnerGroup + "/namespace=" + env
	f := dynamicinformer.NewFilteredDynamicSharedInformerFactory(dyn, 0, metav1.NamespaceAll,
		func(lo *metav1.ListOptions) { lo.LabelSelector = selector })
	notify := func(obj any) {
		if u, ok := asUnstructured(obj); ok {
			if id := IDOf(u); want[id] {
				changed(id)
			}
		}
	}
	for gvk := range kinds {
		m, err := c.mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
		if err != nil {
			return fmt.Errorf("watch %s: %w", gvk.Kind, err)
		}
		_, err = f.ForResource(m.Resource).Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{
			UpdateFunc: func(oldObj, newObj any) {
				if edited(oldObj, newObj) {
					notify(newObj)
				}
			},
			DeleteFunc: notify,
		})
		if err != nil {
			return fmt.Errorf("watch %s: %w", gvk.Kind, err)
		}
	}
	f.Start(ctx.Done())
	for gvr, ok := range f.WaitForCacheSync(ctx.Done()) {
		if !ok {
			return fmt.Errorf("watch %s: cache did not sync", gvr.Resource)
		}
	}
	return nil
}

func asUnstructured(obj any) (*unstructured.Unstructured, bool) {
	if d, ok := obj.(cache.DeletedFinalStateUnknown); ok {
		obj = d.Obj
	}
	u, ok := obj.(*unstructured.Unstructured)
	return u, ok
}

// edited tells a change of desired state from a controller's status update.
func edited(oldObj, newObj any) bool {
	o, ok1 := asUnstructured(oldObj)
	n, ok2 := asUnstructured(newObj)
	if !ok1 || !ok2 || o.GetResourceVersion() == n.GetResourceVersion() {
		return false
	}
	if n.GetGeneration() == 0 {
		return true
	}
	return o.GetGeneration() != n.GetGeneration() ||
		!maps.Equal(o.GetLabels(), n.GetLabels()) || !maps.Equal(o.GetAnnotations(), n.GetAnnotations())
}
