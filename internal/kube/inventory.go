package kube

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
	"fmt"
	"io"
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

// PlatformLabel on an inventory names the platform (ferry.yaml's
// metadata.name) it belongs to.
const PlatformLabel = OwnerGroup + "/platform"

// Owner names whose objects an inventory lists. Inventories are the
// platform's own: two platforms that share an environment name on one
// cluster neither read nor prune each other's components.
type Owner struct {
	Platform  string
	Env       string
	Component string
}

var nonName = regexp.MustCompile(`[^a-z0-9-]+`)

func namePart(s string) string { return nonName.ReplaceAllString(strings.ToLower(s), "-") }

// InventoryName is the inventory ConfigMap of an owner:
// inventory-PLATFORM.ENV.COMPONENT (dots keep the parts apart).
func (o Owner) InventoryName() string {
	if o.Platform == "" {
		return o.legacyInventoryName()
	}
	return trimName("inventory-" + namePart(o.Platform) + "." + namePart(o.Env) + "." + namePart(o.Component))
}

// legacyInventoryName is the name before inventories named their platform
// (ferry up to this change): inventory-ENV-COMPONENT.
func (o Owner) legacyInventoryName() string {
	return trimName("inventory-" + namePart(o.Env+"-"+o.Component))
}

func trimName(n string) string {
	if len(n) > 253 {
		n = n[:253]
	}
	return n
}

// Labels are the ownership labels set on every applied object.
func (o Owner) Labels() map[string]string {
	return map[string]string{OwnerGroup + "/name": o.Component, OwnerGroup + "/namespace": o.Env}
}

// inventoryLabels are the labels of the owner's inventory ConfigMap.
func (o Owner) inventoryLabels() map[string]string {
	l := o.Labels()
	if o.Platform != "" {
		l[PlatformLabel] = o.Platform
	}
	return l
}

// Inventory is what an owner applied last.
type Inventory struct {
	IDs      []ID
	Revision string
	// State holds, per object, the desired hash ferry applied and the
	// resourceVersion it saw afterwards: while both still match, the
	// object is known unchanged without a dry-run.
	State map[ID]ObjectState
	// legacy: read from the inventory's name before platforms were part
	// of it; the next write moves it to its own name.
	legacy bool
}

// ObjectState is what ferry last verified about one object.
type ObjectState struct {
	Hash            string
	ResourceVersion string
}

func (inv Inventory) verified(id ID, hash, rv string) bool {
	s, ok := inv.State[id]
	return ok && hash != "" && s.Hash == hash && s.ResourceVersion == rv && rv != ""
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
// An owner with a platform whose inventory still has the legacy name (no
// platform label) gets that one.
func (c *Client) ReadInventory(ctx context.Context, o Owner) (Inventory, error) {
	cm, ok, err := c.getInventory(ctx, o.InventoryName())
	if err != nil {
		return Inventory{}, err
	}
	legacy := false
	if !ok && o.Platform != "" {
		if cm, ok, err = c.getInventory(ctx, o.legacyInventoryName()); err != nil {
			return Inventory{}, err
		}
		ok = ok && cm.Labels[PlatformLabel] == ""
		legacy = ok
	}
	if !ok {
		return Inventory{}, nil
	}
	inv := Inventory{Revision: cm.Data["revision"], State: decodeState(cm.BinaryData["state"]), legacy: legacy}
	for _, line := range strings.Split(cm.Data["objects"], "\n") {
		if line == "" {
			continue
		}
		id, err := ParseID(line)
		if err != nil {
			return Inventory{}, fmt.Errorf("read inventory %s: %w", cm.Name, err)
		}
		inv.IDs = append(inv.IDs, id)
	}
	return inv, nil
}

func (c *Client) getInventory(ctx context.Context, name string) (*corev1.ConfigMap, bool, error) {
	var cm corev1.ConfigMap
	err := c.c.Get(ctx, client.ObjectKey{Namespace: InventoryNamespace, Name: name}, &cm)
	if apierrors.IsNotFound(err) {
		return &cm, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("read inventory %s: %w", name, err)
	}
	return &cm, true, nil
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
	u.SetLabels(o.inventoryLabels())
	u.Object["data"] = map[string]any{
		"objects":  strings.Join(inv.Strings(), "\n"),
		"revision": inv.Revision,
	}
	if st := encodeState(inv.State); st != "" {
		u.Object["binaryData"] = map[string]any{"state": st}
	}
	if err := c.c.Patch(ctx, u, client.Apply, client.ForceOwnership, client.FieldOwner(FieldManager)); err != nil {
		return fmt.Errorf("write inventory %s: %w", o.InventoryName(), err)
	}
	if inv.legacy {
		return c.deleteInventory(ctx, o.legacyInventoryName())
	}
	return nil
}

func (c *Client) deleteInventory(ctx context.Context, name string) error {
	cm := &corev1.ConfigMap{}
	cm.Namespace, cm.Name = InventoryNamespace, name
	if err := c.c.Delete(ctx, cm); err != nil && !apierrors.IsNotFound(err) {
		return fmt.Errorf("delete inventory %s: %w", name, err)
	}
	return nil
}

func (c *Client) ensureNamespace(ctx context.Context, name string) error {
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}
	if err := c.c.Get(ctx, client.ObjectKey{Name: name}, ns); err == nil {
		return nil
	}
	err := c.c.Create(ctx, ns)
	if err != nil && !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("create namespace %s: %w", name, err)
	}
	return nil
}

// encodeState gzips "id hash rv" lines and base64-encodes them (binaryData):
// 10,000 objects stay far below the 1 MiB ConfigMap limit.
func encodeState(st map[ID]ObjectState) string {
	if len(st) == 0 {
		return ""
	}
	lines := make([]string, 0, len(st))
	for id, s := range st {
		if s.Hash == "" || s.ResourceVersion == "" {
			continue // never verified (a Secret, or not applied)
		}
		lines = append(lines, id.String()+" "+s.Hash+" "+s.ResourceVersion)
	}
	sort.Strings(lines)
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	_, _ = zw.Write([]byte(strings.Join(lines, "\n")))
	_ = zw.Close()
	return base64.StdEncoding.EncodeToString(b.Bytes())
}

// decodeState reads what encodeState wrote; anything unreadable is an
// empty state (every object is then dry-run: slower, never wrong).
func decodeState(data []byte) map[ID]ObjectState {
	out := map[ID]ObjectState{}
	if len(data) == 0 {
		return out
	}
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return out
	}
	raw, err := io.ReadAll(io.LimitReader(zr, 64<<20))
	if err != nil {
		return map[ID]ObjectState{}
	}
	for _, line := range strings.Split(string(raw), "\n") {
		f := strings.Fields(line)
		if len(f) != 3 {
			continue
		}
		id, err := ParseID(f[0])
		if err != nil {
			continue
		}
		out[id] = ObjectState{Hash: f[1], ResourceVersion: f[2]}
	}
	return out
}
