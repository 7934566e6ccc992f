package render

import (
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"
)

// TestLabelComponent: every object and every pod (and job) template gets
// backstage.io/kubernetes-id; selectors and other kinds' specs do not.
func TestLabelComponent(t *testing.T) {
	t.Parallel()
	docs := []string{
		"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  selector: {matchLabels: {app: web}}\n" +
			"  template:\n    metadata: {labels: {app: web}}\n    spec: {containers: [{name: web, image: x}]}\n",
		"apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: nightly, labels: {team: a}}\nspec:\n  schedule: '@daily'\n" +
			"  jobTemplate:\n    spec:\n      template:\n        spec: {containers: [{name: j, image: x}]}\n",
		"apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  selector: {app: web}\n  template: {metadata: {}}\n",
	}
	var objs []*unstructured.Unstructured
	for _, d := range docs {
		u := &unstructured.Unstructured{}
		if err := yaml.Unmarshal([]byte(d), &u.Object); err != nil {
			t.Fatal(err)
		}
		objs = append(objs, u)
	}
	labelComponent(objs, "web")
	want := func(u *unstructured.Unstructured, path ...string) {
		t.Helper()
		got, _, _ := unstructured.NestedString(u.Object, append(path, KubernetesIDLabel)...)
		if got != "web" {
			t.Errorf("%s %v: label %q, want web", u.GetKind(), path, got)
		}
	}
	for _, u := range objs {
		want(u, "metadata", "labels")
	}
	want(objs[0], "spec", "template", "metadata", "labels")
	want(objs[1], "spec", "jobTemplate", "metadata", "labels")
	want(objs[1], "spec", "jobTemplate", "spec", "template", "metadata", "labels")
	if objs[1].GetLabels()["team"] != "a" {
		t.Error("existing labels are kept")
	}
	if sel, _, _ := unstructured.NestedStringMap(objs[0].Object, "spec", "selector", "matchLabels"); len(sel) != 1 {
		t.Errorf("selector changed: %v", sel)
	}
	if l, _, _ := unstructured.NestedStringMap(objs[2].Object, "spec", "template", "metadata", "labels"); len(l) != 0 {
		t.Errorf("a Service has no pod template: %v", l)
	}
	if sel, _, _ := unstructured.NestedStringMap(objs[2].Object, "spec", "selector"); len(sel) != 1 {
		t.Errorf("service selector changed: %v", sel)
	}
}
