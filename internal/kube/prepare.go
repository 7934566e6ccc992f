package kube

import (
	"errors"
	"fmt"

	"github.com/fluxcd/pkg/ssa/utils"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// prepare sets the owner labels and puts namespaced objects without a
// namespace into defaultNS, in place (Apply owns the objects it is given;
// copying 10,000 of them would double the peak memory). It fails on
// duplicates.
func (c *Client) prepare(objs []*unstructured.Unstructured, o Owner, defaultNS string) ([]*unstructured.Unstructured, error) {
	if defaultNS == "" {
		defaultNS = "default"
	}
	crdKinds := map[schema.GroupKind]bool{}
	for _, u := range objs {
		if utils.IsCRD(u) {
			g, _, _ := unstructured.NestedString(u.Object, "spec", "group")
			k, _, _ := unstructured.NestedString(u.Object, "spec", "names", "kind")
			crdKinds[schema.GroupKind{Group: g, Kind: k}] = true
		}
	}
	seen := map[ID]bool{}
	out := make([]*unstructured.Unstructured, 0, len(objs))
	var errs []error
	for _, u := range objs {
		labels := u.GetLabels()
		if labels == nil {
			labels = map[string]string{}
		}
		for k, v := range o.Labels() {
			labels[k] = v
		}
		u.SetLabels(labels)
		gvk := u.GroupVersionKind()
		m, err := c.mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
		switch {
		case err == nil && m.Scope.Name() == meta.RESTScopeNameNamespace:
			if u.GetNamespace() == "" {
				u.SetNamespace(defaultNS)
			}
		case err == nil:
			if u.GetNamespace() != "" {
				errs = append(errs, fmt.Errorf("%s: cluster-scoped object has a namespace", IDOf(u).Short()))
				continue
			}
		case meta.IsNoMatchError(err) && crdKinds[gvk.GroupKind()]:
			// Defined by a CRD in this set: applied after it is established.
		default:
			errs = append(errs, fmt.Errorf("%s: %w", IDOf(u).Short(), err))
			continue
		}
		id := IDOf(u)
		if seen[id] {
			errs = append(errs, fmt.Errorf("%s: duplicate object", id.Short()))
			continue
		}
		seen[id] = true
		out = append(out, u)
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("%w:\n%w", ErrDryRun, errors.Join(errs...))
	}
	return out, nil
}
