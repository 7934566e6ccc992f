package render

import (
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// KubernetesIDLabel is the label Backstage's Kubernetes plugin finds a
// catalog entity's objects by; `ferry catalog` writes the matching
// backstage.io/kubernetes-id annotation on the component's entity.
const KubernetesIDLabel = "backstage.io/kubernetes-id"

// podTemplates are where workload kinds keep the metadata of the pods (and
// jobs) they create: the plugin lists pods by the same label. Selectors are
// left alone: they are immutable on a live object, and the label is not
// needed to select.
var podTemplates = map[string][][]string{
	"Deployment":  {{"spec", "template", "metadata"}},
	"StatefulSet": {{"spec", "template", "metadata"}},
	"DaemonSet":   {{"spec", "template", "metadata"}},
	"ReplicaSet":  {{"spec", "template", "metadata"}},
	"Job":         {{"spec", "template", "metadata"}},
	"CronJob": {{"spec", "jobTemplate", "metadata"},
		{"spec", "jobTemplate", "spec", "template", "metadata"}},
}

// labelComponent puts backstage.io/kubernetes-id: component on every object
// and on the pod templates of workloads, in place.
func labelComponent(objs []*unstructured.Unstructured, component string) {
	for _, u := range objs {
		l := u.GetLabels()
		if l == nil {
			l = map[string]string{}
		}
		l[KubernetesIDLabel] = component
		u.SetLabels(l)
		if u.GroupVersionKind().Group != "apps" && u.GroupVersionKind().Group != "batch" {
			continue
		}
		for _, path := range podTemplates[u.GetKind()] {
			meta, ok, err := unstructured.NestedMap(u.Object, path...)
			if err != nil || (!ok && !hasParent(u, path)) {
				continue // not the shape of the kind: the API server judges it
			}
			if meta == nil {
				meta = map[string]any{}
			}
			labels, _ := meta["labels"].(map[string]any)
			if labels == nil {
				labels = map[string]any{}
			}
			labels[KubernetesIDLabel] = component
			meta["labels"] = labels
			_ = unstructured.SetNestedMap(u.Object, meta, path...)
		}
	}
}

// hasParent reports whether the map holding path's last element exists.
func hasParent(u *unstructured.Unstructured, path []string) bool {
	_, ok, err := unstructured.NestedMap(u.Object, path[:len(path)-1]...)
	return ok && err == nil
}
