package kube

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/fluxcd/pkg/ssa"
	ssajson "github.com/fluxcd/pkg/ssa/jsondiff"
	"github.com/fluxcd/pkg/ssa/utils"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// Actions of a Change.
const (
	ActionCreate    = "create"
	ActionConfigure = "configure"
	ActionUnchanged = "unchanged"
	ActionPrune     = "prune"
)

// FieldChange is one changed field of a configured object. Secret data
// values are masked ("***", "*** (before)", "*** (after)").
type FieldChange struct {
	Op   string `json:"op"` // add, remove, replace
	Path string `json:"path"`
	Old  any    `json:"old,omitempty"`
	New  any    `json:"new,omitempty"`
}

// Change is what a sync does (or did) to one object.
type Change struct {
	ID     string        `json:"id"`
	Action string        `json:"action"`
	Fields []FieldChange `json:"fields,omitempty"`
}

// planned is the dry-run outcome of one object.
type planned struct {
	obj      *unstructured.Unstructured
	action   string
	fields   []FieldChange
	deferred bool // needs a namespace or CRD of this set first
	err      error
}

// dryRun runs ssa's Diff on every object with a bounded worker pool and
// collects every failure. Objects that fail only because a Namespace or CRD
// of this same set does not exist yet are marked deferred.
func (c *Client) dryRun(ctx context.Context, objs []*unstructured.Unstructured, fields bool) ([]planned, error) {
	newNS, newKinds := map[string]bool{}, map[string]bool{}
	for _, u := range objs {
		if utils.IsNamespace(u) {
			newNS[u.GetName()] = true
		}
		if utils.IsCRD(u) {
			g, _, _ := unstructured.NestedString(u.Object, "spec", "group")
			k, _, _ := unstructured.NestedString(u.Object, "spec", "names", "kind")
			newKinds[g+"/"+k] = true
		}
	}
	out := make([]planned, len(objs))
	c.forEach(ctx, len(objs), func(i int) {
		u := objs[i]
		p := planned{obj: u}
		entry, live, dry, err := c.rm.Diff(ctx, u.DeepCopy(), ssa.DiffOptions{})
		switch {
		case err != nil && apierrors.IsNotFound(err) && newNS[u.GetNamespace()]:
			// Its namespace comes with this set: validate it in a namespace
			// that exists, so its errors are listed before anything is applied.
			p.action, p.deferred = ActionCreate, true
			if verr := c.validateElsewhere(ctx, u); verr != nil {
				p.err = fmt.Errorf("%s: %w", IDOf(u).Short(), verr)
			}
		case err != nil && meta.IsNoMatchError(err) && newKinds[u.GroupVersionKind().Group+"/"+u.GetKind()]:
			p.action, p.deferred = ActionCreate, true
		case err != nil:
			p.err = fmt.Errorf("%s: %w", IDOf(u).Short(), err)
		default:
			p.action = actionOf(entry.Action)
			if fields && p.action == ActionConfigure && live != nil && dry != nil {
				p.fields, p.err = fieldDiff(live, dry)
			}
		}
		out[i] = p
	})
	var errs []error
	for _, p := range out {
		if p.err != nil {
			errs = append(errs, p.err)
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if len(errs) > 0 {
		return out, fmt.Errorf("%w (%d of %d objects):\n%w", ErrDryRun, len(errs), len(objs), errors.Join(errs...))
	}
	return out, nil
}

func actionOf(a ssa.Action) string {
	switch a {
	case ssa.CreatedAction:
		return ActionCreate
	case ssa.ConfiguredAction:
		return ActionConfigure
	default:
		return ActionUnchanged
	}
}

// forEach runs fn(0..n-1) on the worker pool and waits.
func (c *Client) forEach(ctx context.Context, n int, fn func(i int)) {
	work := make(chan int)
	var wg sync.WaitGroup
	workers := min(c.workers, n)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				fn(i)
			}
		}()
	}
	for i := 0; i < n; i++ {
		if ctx.Err() != nil {
			break
		}
		work <- i
	}
	close(work)
	wg.Wait()
}

// fieldDiff lists the changed fields between the live object and the
// dry-run result (ssa has already masked Secret data in both).
func fieldDiff(live, dry *unstructured.Unstructured) ([]FieldChange, error) {
	patch, err := ssajson.DiffUnstructured(live, dry)
	if err != nil {
		return nil, fmt.Errorf("diff %s: %w", IDOf(dry).Short(), err)
	}
	var out []FieldChange
	for _, op := range patch {
		out = append(out, FieldChange{Op: op.Type, Path: op.Path, Old: op.OldValue, New: op.Value})
	}
	out = append(out, mapDiff("/metadata/labels/", live.GetLabels(), dry.GetLabels())...)
	out = append(out, mapDiff("/metadata/annotations/", live.GetAnnotations(), dry.GetAnnotations())...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, nil
}

func mapDiff(prefix string, a, b map[string]string) []FieldChange {
	var out []FieldChange
	esc := strings.NewReplacer("~", "~0", "/", "~1")
	for k, v := range a {
		if nv, ok := b[k]; !ok {
			out = append(out, FieldChange{Op: "remove", Path: prefix + esc.Replace(k), Old: v})
		} else if nv != v {
			out = append(out, FieldChange{Op: "replace", Path: prefix + esc.Replace(k), Old: v, New: nv})
		}
	}
	for k, v := range b {
		if _, ok := a[k]; !ok {
			out = append(out, FieldChange{Op: "add", Path: prefix + esc.Replace(k), New: v})
		}
	}
	return out
}

// validateElsewhere dry-runs a copy of u in the "default" namespace.
func (c *Client) validateElsewhere(ctx context.Context, u *unstructured.Unstructured) error {
	v := u.DeepCopy()
	v.SetNamespace("default")
	err := c.c.Patch(ctx, v, client.Apply, client.DryRunAll, client.ForceOwnership, client.FieldOwner(FieldManager))
	if err != nil {
		return fmt.Errorf("dry-run failed: %w", err)
	}
	return nil
}
