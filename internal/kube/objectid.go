package kube

import (
	"errors"
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// ID identifies an object across revisions: "apiVersion/Kind/namespace/name"
// with an empty namespace for cluster-scoped objects, e.g.
// "apps/v1/Deployment/web/web" or "v1/Namespace//web".
type ID struct {
	Group, Version, Kind, Namespace, Name string
}

// IDOf returns the ID of an object.
func IDOf(u *unstructured.Unstructured) ID {
	gvk := u.GroupVersionKind()
	return ID{Group: gvk.Group, Version: gvk.Version, Kind: gvk.Kind, Namespace: u.GetNamespace(), Name: u.GetName()}
}

// GVK returns the ID's GroupVersionKind.
func (id ID) GVK() schema.GroupVersionKind {
	return schema.GroupVersionKind{Group: id.Group, Version: id.Version, Kind: id.Kind}
}

func (id ID) String() string {
	av := id.Version
	if id.Group != "" {
		av = id.Group + "/" + id.Version
	}
	return av + "/" + id.Kind + "/" + id.Namespace + "/" + id.Name
}

// Short is "Kind/namespace/name" (or "Kind/name") for humans.
func (id ID) Short() string {
	if id.Namespace == "" {
		return id.Kind + "/" + id.Name
	}
	return id.Kind + "/" + id.Namespace + "/" + id.Name
}

// Object returns a skeleton object with the ID's type and name.
func (id ID) Object() *unstructured.Unstructured {
	u := &unstructured.Unstructured{}
	u.SetGroupVersionKind(id.GVK())
	u.SetNamespace(id.Namespace)
	u.SetName(id.Name)
	return u
}

var errBadID = errors.New("bad object id")

// ParseID parses the String form.
func ParseID(s string) (ID, error) {
	parts := strings.Split(s, "/")
	var id ID
	switch len(parts) {
	case 4:
		id = ID{Version: parts[0], Kind: parts[1], Namespace: parts[2], Name: parts[3]}
	case 5:
		id = ID{Group: parts[0], Version: parts[1], Kind: parts[2], Namespace: parts[3], Name: parts[4]}
	default:
		return ID{}, fmt.Errorf("%w %q", errBadID, s)
	}
	if id.Version == "" || id.Kind == "" || id.Name == "" || (len(parts) == 5 && id.Group == "") {
		return ID{}, fmt.Errorf("%w %q", errBadID, s)
	}
	return id, nil
}
