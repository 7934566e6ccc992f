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
	// State holds, per object, the desired hash ferry applied and the
	// resourceVersion it saw afterwards: while both still match, the
	// object is known unchanged without a dry-run.
	State map[ID]ObjectState
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
func (c *Client) ReadInventory(ctx context.Context, o Owner) (Inventory, error) {
	var cm corev1.ConfigMap
	err := c.c.Get(ctx, client.ObjectKey{Namespace: InventoryNamespace, Name: o.InventoryName()}, &cm)
	if apierrors.IsNotFound(err) {
		return Inventory{}, nil
	}
	if err != nil {
		return Inventory{}, fmt.Errorf("read inventory %s: %w", o.InventoryName(), err)
	}
	inv := Inventory{Revision: cm.Data["revision"], State: decodeState(cm.BinaryData["state"])}
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
	if st := encodeState(inv.State); st != "" {
		u.Object["binaryData"] = map[string]any{"state": st}
	}
	if err := c.c.Patch(ctx, u, client.Apply, client.ForceOwnership, client.FieldOwner(FieldManager)); err != nil {
		return fmt.Errorf("write inventory %s: %w", o.InventoryName(), err)
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
