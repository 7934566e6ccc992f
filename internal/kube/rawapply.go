package kube

import (
	"context"
	"encoding/json"
	"fmt"
	"path"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
)

// applyRaw sends one server-side apply and returns only the new
// resourceVersion. It is the request controller-runtime's Patch with
// client.Apply sends, without decoding the whole response into an
// unstructured object: at thousands of objects that decoding is most of
// ferry's own CPU, which competes with the API server on small machines.
func (c *Client) applyRaw(ctx context.Context, u *unstructured.Unstructured, dryRun bool, validation string) (string, error) {
	gvk := u.GroupVersionKind()
	m, err := c.mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	if err != nil {
		return "", err
	}
	body, err := json.Marshal(u.Object)
	if err != nil {
		return "", err
	}
	p := "/api/" + gvk.Version
	if gvk.Group != "" {
		p = path.Join("/apis", gvk.Group, gvk.Version)
	}
	if m.Scope.Name() == meta.RESTScopeNameNamespace {
		p = path.Join(p, "namespaces", u.GetNamespace())
	}
	p = path.Join(p, m.Resource.Resource, u.GetName())
	req := c.raw.Patch(types.ApplyPatchType).AbsPath(p).
		Param("fieldManager", FieldManager).Param("force", "true").Param("fieldValidation", validation).Body(body)
	if dryRun {
		req = req.Param("dryRun", "All")
	}
	out, err := req.Do(ctx).Raw()
	if err != nil {
		return "", err
	}
	var resp struct {
		Metadata struct {
			ResourceVersion string `json:"resourceVersion"`
		} `json:"metadata"`
	}
	if err := json.Unmarshal(out, &resp); err != nil {
		return "", fmt.Errorf("decode apply response: %w", err)
	}
	return resp.Metadata.ResourceVersion, nil
}
