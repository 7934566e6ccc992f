package kube

import (
	"context"
	"fmt"
	"sort"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// Owners lists the owners of env that have an inventory of platform in
// the cluster. Another platform's inventories are not listed, nor, for a
// named platform, legacy ones without a platform label: which platform
// wrote those is unknown, and leaving a component in place is the safe
// mistake (each sync moves the inventories of the components it applies).
func (c *Client) Owners(ctx context.Context, platform, env string) ([]Owner, error) {
	var list corev1.ConfigMapList
	err := c.c.List(ctx, &list, client.InNamespace(InventoryNamespace),
		client.MatchingLabels{OwnerGroup + "/namespace": env})
	if err != nil && !apierrors.IsNotFound(err) {
		return nil, fmt.Errorf("list inventories of %s: %w", env, err)
	}
	var out []Owner
	for _, cm := range list.Items {
		if comp := cm.Labels[OwnerGroup+"/name"]; comp != "" && cm.Labels[PlatformLabel] == platform {
			out = append(out, Owner{Platform: platform, Env: env, Component: comp})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Component < out[j].Component })
	return out, nil
}

// Remove prunes everything owner o applied and then its inventory: the
// component left the environment. With dryRun it only reports.
func (c *Client) Remove(ctx context.Context, o Owner, dryRun bool) (*Result, error) {
	inv, err := c.ReadInventory(ctx, o)
	if err != nil {
		return nil, err
	}
	res := &Result{Changes: changesOf(nil, inv.IDs, true)}
	if dryRun || len(inv.IDs) == 0 {
		return res, nil
	}
	if err := c.prune(ctx, o, inv.IDs, &res.Writes); err != nil {
		return res, err
	}
	res.Writes++
	name := o.InventoryName()
	if inv.legacy {
		name = o.legacyInventoryName()
	}
	return res, c.deleteInventory(ctx, name)
}
