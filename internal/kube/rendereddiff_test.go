package kube

import (
	"encoding/json"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

func obj(t *testing.T, js string) *unstructured.Unstructured {
	t.Helper()
	u := &unstructured.Unstructured{}
	if err := u.UnmarshalJSON([]byte(js)); err != nil {
		t.Fatal(err)
	}
	return u
}

// TestRenderedDiffMasksSecrets: two renders of a Secret differ field by
// field with every value masked, stringData counted as data; other kinds
// show their values.
func TestRenderedDiffMasksSecrets(t *testing.T) {
	base := obj(t, `{"apiVersion":"v1","kind":"Secret","metadata":{"name":"s","namespace":"n"},"stringData":{"a":"old-secret","gone":"x1"},"data":{"same":"c2FtZQ=="}}`)
	head := obj(t, `{"apiVersion":"v1","kind":"Secret","metadata":{"name":"s","namespace":"n","labels":{"l":"v"}},"data":{"a":"bmV3LXNlY3JldA==","same":"c2FtZQ==","added":"eHg="}}`)
	fields, err := RenderedDiff(base, head)
	if err != nil {
		t.Fatal(err)
	}
	js, _ := json.Marshal(fields)
	for _, secret := range []string{"old-secret", "new-secret", "bmV3LXNlY3JldA==", "x1", "eHg=", "c2FtZQ=="} {
		if strings.Contains(string(js), secret) {
			t.Fatalf("a secret value %q is in the diff: %s", secret, js)
		}
	}
	want := map[string]string{"/data/a": "replace", "/data/gone": "remove", "/data/added": "add", "/metadata/labels/l": "add"}
	if len(fields) != len(want) {
		t.Fatalf("fields %s, want %v", js, want)
	}
	for _, f := range fields {
		if want[f.Path] != f.Op {
			t.Errorf("%s %s, want %q", f.Op, f.Path, want[f.Path])
		}
	}
	// The inputs are left as they were.
	if v, _, _ := unstructured.NestedString(base.Object, "stringData", "a"); v != "old-secret" {
		t.Fatal("RenderedDiff changed its input")
	}

	cmBase := obj(t, `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"data":{"k":"v1"}}`)
	cmHead := obj(t, `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"data":{"k":"v2"}}`)
	fields, err = RenderedDiff(cmBase, cmHead)
	if err != nil || len(fields) != 1 || fields[0].Old != "v1" || fields[0].New != "v2" {
		t.Fatalf("ConfigMap diff %+v %v", fields, err)
	}
}
