package kube

import (
	"context"
	"fmt"
	"maps"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/metadata"
	"k8s.io/client-go/metadata/metadatainformer"
	"k8s.io/client-go/tools/cache"
)

// Watch starts informers on the kinds of ids, listing only objects that
// carry env's owner label, and calls changed with the ID of every object of
// ids whose desired state was edited (spec generation, labels, annotations,
// or any change of an object without a generation) or that was deleted.
// Status updates by controllers are not changes. The watches run until ctx
// ends; Watch returns once their caches synced.
//
// The informers hold object metadata only (the metadata API, without
// managedFields): what tells an edit apart is all in metadata, and 10,000
// watched objects then cost a few MB, not a copy of every object.
func Watch(ctx context.Context, opts Options, env string, ids []ID, changed func(ID)) error {
	cfg, err := RESTConfig(opts)
	if err != nil {
		return err
	}
	c, err := FromConfig(cfg, opts)
	if err != nil {
		return err
	}
	mc, err := metadata.NewForConfig(cfg)
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
	f := metadatainformer.NewFilteredSharedInformerFactory(mc, 0, metav1.NamespaceAll,
		func(lo *metav1.ListOptions) { lo.LabelSelector = selector })
	for gvk := range kinds {
		m, err := c.mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
		if err != nil {
			return fmt.Errorf("watch %s: %w", gvk.Kind, err)
		}
		notify := func(obj any) {
			if o, ok := asMeta(obj); ok {
				if id := (ID{Group: gvk.Group, Version: gvk.Version, Kind: gvk.Kind, Namespace: o.Namespace, Name: o.Name}); want[id] {
					changed(id)
				}
			}
		}
		inf := f.ForResource(m.Resource).Informer()
		if err := inf.SetTransform(dropManagedFields); err != nil {
			return fmt.Errorf("watch %s: %w", gvk.Kind, err)
		}
		_, err = inf.AddEventHandler(cache.ResourceEventHandlerFuncs{
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

// dropManagedFields keeps the cache to what edited compares.
func dropManagedFields(obj any) (any, error) {
	if o, ok := obj.(*metav1.PartialObjectMetadata); ok {
		o.ManagedFields = nil
	}
	return obj, nil
}

func asMeta(obj any) (*metav1.PartialObjectMetadata, bool) {
	if d, ok := obj.(cache.DeletedFinalStateUnknown); ok {
		obj = d.Obj
	}
	o, ok := obj.(*metav1.PartialObjectMetadata)
	return o, ok
}

// edited tells a change of desired state from a controller's status update.
func edited(oldObj, newObj any) bool {
	o, ok1 := asMeta(oldObj)
	n, ok2 := asMeta(newObj)
	if !ok1 || !ok2 || o.ResourceVersion == n.ResourceVersion {
		return false
	}
	if n.Generation == 0 {
		return true
	}
	return o.Generation != n.Generation ||
		!maps.Equal(o.Labels, n.Labels) || !maps.Equal(o.Annotations, n.Annotations)
}
