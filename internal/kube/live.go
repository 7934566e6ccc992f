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
//
// slim(id, resourceVersion) says an object only needs its resourceVersion:
// it is then kept as a stub (see isStub), which is what keeps 10,000
// unchanged objects within a small memory budget.
func (c *Client) listLive(ctx context.Context, objs []*unstructured.Unstructured, slim func(ID, string) bool) (map[ID]*unstructured.Unstructured, error) {
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
		objs, err := c.listAll(ctx, list[i], slim)
		mu.Lock()
		defer mu.Unlock()
		if err != nil {
			if meta.IsNoMatchError(err) || apierrors.IsNotFound(err) {
				return
			}
			if firstErr == nil {
				firstErr = fmt.Errorf("list %s: %w", list[i].gvk.Kind, err)
			}
			return
		}
		for _, o := range objs {
			live[IDOf(o)] = o
		}
	})
	if firstErr != nil {
		return nil, firstErr
	}
	return live, ctx.Err()
}

// listPage bounds one LIST response: a page of 10,000 Deployments with
// their managedFields is tens of megabytes to buffer and decode at once.
const listPage = 250

// listAll lists one type in one namespace page by page, keeping each
// object without its managedFields.
func (c *Client) listAll(ctx context.Context, k listKey, slim func(ID, string) bool) ([]*unstructured.Unstructured, error) {
	var out []*unstructured.Unstructured
	cont := ""
	for {
		ul := &unstructured.UnstructuredList{}
		ul.SetGroupVersionKind(k.gvk.GroupVersion().WithKind(k.gvk.Kind + "List"))
		opts := []client.ListOption{client.Limit(listPage), client.Continue(cont)}
		if k.namespace != "" {
			opts = append(opts, client.InNamespace(k.namespace))
		}
		if err := c.c.List(ctx, ul, opts...); err != nil {
			return nil, err
		}
		for j := range ul.Items {
			o := &unstructured.Unstructured{Object: ul.Items[j].Object}
			o.SetGroupVersionKind(k.gvk)
			if id, rv := IDOf(o), o.GetResourceVersion(); slim(id, rv) {
				o = stub(id, rv)
			} else {
				// managedFields is most of a listed object's size and
				// is not compared: drop it.
				unstructured.RemoveNestedField(o.Object, "metadata", "managedFields")
			}
			out = append(out, o)
		}
		if cont = ul.GetContinue(); cont == "" {
			return out, nil
		}
	}
}

const stubAnnotation = "ferry.dev/stub"

// stub is a listed object reduced to its identity and resourceVersion.
func stub(id ID, rv string) *unstructured.Unstructured {
	u := id.Object()
	u.SetResourceVersion(rv)
	u.SetAnnotations(map[string]string{stubAnnotation: "true"})
	return u
}

func isStub(u *unstructured.Unstructured) bool { return u.GetAnnotations()[stubAnnotation] == "true" }

// desiredHash is a digest of what ferry asks for (the prepared object).
// Secrets get none: a digest of secret material must not sit in a
// ConfigMap, so Secrets are always dry-run.
func desiredHash(u *unstructured.Unstructured) string {
	if u.GetKind() == "Secret" && u.GroupVersionKind().Group == "" {
		return ""
	}
	b, _ := json.Marshal(u.Object) // map keys are sorted: stable
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:12])
}
