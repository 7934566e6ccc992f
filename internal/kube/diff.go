package kube

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/fluxcd/pkg/ssa"
	ssajson "github.com/fluxcd/pkg/ssa/jsondiff"
	"github.com/fluxcd/pkg/ssa/normalize"
	"github.com/fluxcd/pkg/ssa/utils"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
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
	// validated: dry-run in "default" passed; after its namespace exists it
	// is applied without a second dry-run.
	validated bool
	hash      string // desiredHash(obj)
	rv        string // live resourceVersion after this sync
	err       error
}

// dryRun decides, for every object on a bounded worker pool, whether it is
// created, configured or unchanged, and collects every failure:
//
//   - live state comes from one LIST per type and namespace;
//   - with trust, an object whose desired hash and live resourceVersion
//     equal what the inventory recorded after the last sync is unchanged
//     without a request: nobody has written it since ferry last verified it;
//   - every other object gets a server-side apply dry-run (objects of a
//     namespace this set creates are dry-run in "default" so their errors
//     are known before anything is applied), and the result is compared
//     with the live object the way fluxcd/pkg/ssa does.
func (c *Client) dryRun(ctx context.Context, objs []*unstructured.Unstructured, prev Inventory, fields, trust bool) ([]planned, error) {
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
	live, err := c.listLive(ctx, objs, func(id ID, rv string) bool {
		return trust && prev.State[id].ResourceVersion == rv
	})
	if err != nil {
		return nil, err
	}
	nsExists := map[string]bool{}
	for id := range live {
		if id.Kind == "Namespace" && id.Group == "" {
			nsExists[id.Name] = true
		}
	}
	for ns := range newNS {
		if !nsExists[ns] {
			if err := c.nsExists(ctx, ns, nsExists); err != nil {
				return nil, err
			}
		}
	}
	out := make([]planned, len(objs))
	c.forEach(ctx, len(objs), func(i int) {
		u := objs[i]
		id := IDOf(u)
		p := planned{obj: u, hash: desiredHash(u)}
		existing := live[id]
		switch {
		case existing != nil && trust && prev.verified(id, p.hash, existing.GetResourceVersion()):
			p.action, p.rv = ActionUnchanged, existing.GetResourceVersion()
		case u.GetNamespace() != "" && newNS[u.GetNamespace()] && !nsExists[u.GetNamespace()]:
			p.action, p.deferred = ActionCreate, true
			if verr := c.validateElsewhere(ctx, u); verr != nil {
				p.err = fmt.Errorf("%s: %w", id.Short(), verr)
			} else {
				p.validated = true
			}
		default:
			if existing != nil && isStub(existing) {
				// Listed slim because it looked verified, but what ferry
				// wants changed: fetch it whole to compare.
				existing = c.get(ctx, id, &p)
				if p.err != nil {
					break
				}
			}
			c.planOne(ctx, &p, existing, newKinds, fields)
		}
		out[i] = p
	})
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var errs []error
	for _, p := range out {
		if p.err != nil {
			errs = append(errs, p.err)
		}
	}
	if len(errs) > 0 {
		return out, fmt.Errorf("%w (%d of %d objects):\n%w", ErrDryRun, len(errs), len(objs), errors.Join(errs...))
	}
	return out, nil
}

// planOne dry-runs one object and compares the result with the live one.
func (c *Client) planOne(ctx context.Context, p *planned, existing *unstructured.Unstructured, newKinds map[string]bool, fields bool) {
	u := p.obj
	dry := u.DeepCopy()
	err := c.c.Patch(ctx, dry, client.Apply, client.DryRunAll, strict, client.ForceOwnership, client.FieldOwner(FieldManager))
	switch {
	case err != nil && meta.IsNoMatchError(err) && newKinds[u.GroupVersionKind().Group+"/"+u.GetKind()]:
		p.action, p.deferred = ActionCreate, true
		return
	case err != nil:
		p.err = fmt.Errorf("%s: dry-run failed: %w", IDOf(u).Short(), err)
		return
	case existing == nil || dry.GetResourceVersion() == "":
		p.action = ActionCreate
		return
	}
	if !drifted(existing, dry) {
		p.action, p.rv = ActionUnchanged, existing.GetResourceVersion()
		return
	}
	p.action = ActionConfigure
	if fields {
		live := existing.DeepCopy()
		unstructured.RemoveNestedField(live.Object, "metadata", "managedFields")
		unstructured.RemoveNestedField(dry.Object, "metadata", "managedFields")
		if utils.IsSecret(dry) {
			if err := ssa.SanitizeUnstructuredData(live, dry); err != nil {
				p.err = fmt.Errorf("%s: mask secret: %w", IDOf(u).Short(), err)
				return
			}
		}
		p.fields, p.err = fieldDiff(live, dry)
	}
}

// drifted is fluxcd/pkg/ssa's drift rule: labels, annotations or anything
// outside metadata and status differ between the live object and the
// dry-run result.
func drifted(live, dry *unstructured.Unstructured) bool {
	if !apiequality.Semantic.DeepEqual(live.GetLabels(), dry.GetLabels()) ||
		!apiequality.Semantic.DeepEqual(live.GetAnnotations(), dry.GetAnnotations()) {
		return true
	}
	return !apiequality.Semantic.DeepEqual(specOf(live), specOf(dry))
}

func specOf(u *unstructured.Unstructured) map[string]any {
	c := u.DeepCopy()
	unstructured.RemoveNestedField(c.Object, "metadata")
	unstructured.RemoveNestedField(c.Object, "status")
	if err := normalize.DryRunUnstructured(c); err != nil {
		return u.Object
	}
	return c.Object
}

// strict makes the dry-run reject unknown and duplicate fields, so a typo in
// a manifest is an error listed before anything is applied rather than a
// field the server silently drops. The apply that follows sends the same
// object with validation off: it has just passed this check.
const strict = client.FieldValidation("Strict")

// get reads one live object (nil if it does not exist); a failure is
// recorded on p.
func (c *Client) get(ctx context.Context, id ID, p *planned) *unstructured.Unstructured {
	u := id.Object()
	err := c.c.Get(ctx, client.ObjectKey{Namespace: id.Namespace, Name: id.Name}, u)
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		p.err = fmt.Errorf("%s: get: %w", id.Short(), err)
		return nil
	}
	unstructured.RemoveNestedField(u.Object, "metadata", "managedFields")
	return u
}

// nsExists records whether namespace ns exists.
func (c *Client) nsExists(ctx context.Context, ns string, into map[string]bool) error {
	var o unstructured.Unstructured
	o.SetAPIVersion("v1")
	o.SetKind("Namespace")
	err := c.c.Get(ctx, client.ObjectKey{Name: ns}, &o)
	if err == nil {
		into[ns] = true
		return nil
	}
	if apierrors.IsNotFound(err) {
		return nil
	}
	return fmt.Errorf("get namespace %s: %w", ns, err)
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
	if _, err := c.applyRaw(ctx, v, true, string(strict)); err != nil {
		return fmt.Errorf("dry-run failed: %w", err)
	}
	return nil
}

// RenderedDiff lists the changed fields between two rendered versions of
// one object (no cluster involved: ferry preview compares two revisions'
// manifests). Secret values are masked as in a sync's diff, stringData
// counted as data, so no value of a Secret is ever shown.
func RenderedDiff(base, head *unstructured.Unstructured) ([]FieldChange, error) {
	b, h := base.DeepCopy(), head.DeepCopy()
	if utils.IsSecret(h) || utils.IsSecret(b) {
		foldStringData(b)
		foldStringData(h)
		if err := ssa.SanitizeUnstructuredData(b, h); err != nil {
			return nil, fmt.Errorf("mask %s: %w", IDOf(h).Short(), err)
		}
	}
	return fieldDiff(b, h)
}

// foldStringData moves a Secret's stringData into data, as the API server
// does, so both are masked alike.
func foldStringData(u *unstructured.Unstructured) {
	sd, ok, _ := unstructured.NestedStringMap(u.Object, "stringData")
	if !ok {
		return
	}
	data, _, _ := unstructured.NestedMap(u.Object, "data")
	if data == nil {
		data = map[string]any{}
	}
	for k, v := range sd {
		data[k] = base64.StdEncoding.EncodeToString([]byte(v))
	}
	unstructured.RemoveNestedField(u.Object, "stringData")
	_ = unstructured.SetNestedMap(u.Object, data, "data")
}
