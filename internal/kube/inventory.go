package kube

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// InventoryNamespace holds every inventory ConfigMap.
const InventoryNamespace = "ferry-system"

// OwnerGroup prefixes the labels ferry puts on what it applies:
// ferry.dev/name (component) and ferry.dev/namespace (environment).
const OwnerGroup = "ferry.dev"

// Owner names whose objects an inventory lists.
type Owner struct {
	Env       string
	Component string
}

var nonName = regexp.MustCompile(`[^a-z0-9-]+`)

// InventoryName is the inventory ConfigMap of an owner.
func (o Owner) InventoryName() string {
	n := "inventory-" + nonName.ReplaceAllString(strings.ToLower(o.Env+"-"+o.Component), "-")
	if len(n) > 253 {
		n = n[:253]
	}
	return n
}

// Labels are the ownership labels set on every applied object.
func (o Owner) Labels() map[string]string {
	return map[string]string{OwnerGroup + "/name": o.Component, OwnerGroup + "/namespace": o.Env}
}

// Inventory is what an owner applied last.
type Inventory struct {
	IDs      []ID
	Revision string
}

// Strings returns the IDs in String form, sorted.
func (inv Inventory) Strings() []string {
	out := make([]string, len(inv.IDs))
	for i, id := range inv.IDs {
		out[i] = id.String()
	}
	sort.Strings(out)
	return out
}

// ReadInventory returns the owner's inventory; none yet is an empty one.
func (c *Client) ReadInventory(ctx context.Context, o Owner) (Inventory, error) {
	var cm corev1.ConfigMap
	err := c.c.Get(ctx, client.ObjectKey{Namespace: InventoryNamespace, Name: o.InventoryName()}, &cm)
	if apierrors.IsNotFound(err) {
		return Inventory{}, nil
	}
	if err != nil {
		return Inventory{}, fmt.Errorf("read inventory %s: %w", o.InventoryName(), err)
	}
	inv := Inventory{Revision: cm.Data["revision"]}
	for _, line := range strings.Split(cm.Data["objects"], "\n") {
		if line == "" {
			continue
		}
		id, err := ParseID(line)
		if err != nil {
			return Inventory{}, fmt.Errorf("read inventory %s: %w", o.InventoryName(), err)
		}
		inv.IDs = append(inv.IDs, id)
	}
	return inv, nil
}

// WriteInventory stores the owner's inventory (server-side apply).
func (c *Client) WriteInventory(ctx context.Context, o Owner, inv Inventory) error {
	if err := c.ensureNamespace(ctx, InventoryNamespace); err != nil {
		return fmt.Errorf("write inventory: %w", err)
	}
	u := &unstructured.Unstructured{}
	u.SetAPIVersion("v1")
	u.SetKind("ConfigMap")
	u.SetNamespace(InventoryNamespace)
	u.SetName(o.InventoryName())
	u.SetLabels(o.Labels())
	u.Object["data"] = map[string]any{
		"objects":  strings.Join(inv.Strings(), "\n"),
		"revision": inv.Revision,
	}
	if err := c.c.Patch(ctx, u, client.Apply, client.ForceOwnership, client.FieldOwner(FieldManager)); err != nil {
		return fmt.Errorf("write inventory %s: %w", o.InventoryName(), err)
	}
	return nil
}

func (c *Client) ensureNamespace(ctx context.Context, name string) error {
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}
	err := c.c.Create(ctx, ns)
	if err != nil && !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("create namespace %s: %w", name, err)
	}
	return nil
}
