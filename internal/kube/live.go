package kube

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sync"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// listKey is one LIST request: a type in a namespace ("" cluster-wide).
type listKey struct {
	gvk       schema.GroupVersionKind
	namespace string
}

// listLive reads the live state of objs with one LIST per type and
// namespace instead of one GET per object (thousands of GETs cost seconds).
// Types the cluster does not serve yet (CRDs of this set) are skipped.
func (c *Client) listLive(ctx context.Context, objs []*unstructured.Unstructured) (map[ID]*unstructured.Unstructured, error) {
	keys := map[listKey]bool{}
	for _, u := range objs {
		keys[listKey{gvk: u.GroupVersionKind(), namespace: u.GetNamespace()}] = true
	}
	live := make(map[ID]*unstructured.Unstructured, len(objs))
	var mu sync.Mutex
	var firstErr error
	list := make([]listKey, 0, len(keys))
	for k := range keys {
		list = append(list, k)
	}
	c.forEach(ctx, len(list), func(i int) {
		k := list[i]
		ul := &unstructured.UnstructuredList{}
		ul.SetGroupVersionKind(k.gvk.GroupVersion().WithKind(k.gvk.Kind + "List"))
		var opts []client.ListOption
		if k.namespace != "" {
			opts = append(opts, client.InNamespace(k.namespace))
		}
		err := c.c.List(ctx, ul, opts...)
		mu.Lock()
		defer mu.Unlock()
		if err != nil {
			if meta.IsNoMatchError(err) || apierrors.IsNotFound(err) {
				return
			}
			if firstErr == nil {
				firstErr = fmt.Errorf("list %s: %w", k.gvk.Kind, err)
			}
			return
		}
		for j := range ul.Items {
			o := &ul.Items[j]
			o.SetGroupVersionKind(k.gvk)
			live[IDOf(o)] = o
		}
	})
	if firstErr != nil {
		return nil, firstErr
	}
	return live, ctx.Err()
}

// desiredHash is a digest of what ferry asks for (the prepared object).
func desiredHash(u *unstructured.Unstructured) string {
	b, _ := json.Marshal(u.Object) // map keys are sorted: stable
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:12])
}
