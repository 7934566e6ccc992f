package kube

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync/atomic"
	"time"

	"github.com/fluxcd/cli-utils/pkg/object"
	"github.com/fluxcd/pkg/ssa"
	"github.com/fluxcd/pkg/ssa/utils"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// ApplyOptions control Apply.
type ApplyOptions struct {
	// Namespace is given to namespaced objects that have none.
	Namespace string
	// Revision is recorded in the inventory.
	Revision string
	// DryRun stops after the server-side dry-run: nothing is written.
	DryRun bool
	// Prune deletes what the previous inventory had and objs lack.
	Prune bool
	// Wait waits for every object to become healthy (kstatus) up to
	// HealthTimeout.
	Wait          bool
	HealthTimeout time.Duration
	// Fields computes field-level diffs of configured objects.
	Fields bool
	// TrustVerified lets a dry run (or a Fields run) take an object whose
	// live resourceVersion and desired hash are those the inventory
	// recorded after the last verified apply as unchanged without asking
	// the server: nothing has written it since, so it is what ferry left.
	// A quiet environment's drift check then costs one list, not a dry-run
	// per object. Applies always trust verified objects.
	TrustVerified bool
}

// Result is what Apply did (or, with DryRun, would do).
type Result struct {
	Changes   []Change  `json:"changes"`
	Inventory Inventory `json:"-"`
	// Writes counts create/update/delete requests sent.
	Writes int64 `json:"writes"`
	// Timings of the phases (prepare, dry-run, apply, prune, wait, …).
	Timings map[string]time.Duration `json:"timings,omitempty"`
}

// phase records the time since *start under name and resets *start.
func (r *Result) phase(name string, start *time.Time) {
	if r.Timings == nil {
		r.Timings = map[string]time.Duration{}
	}
	now := time.Now()
	r.Timings[name] += now.Sub(*start)
	*start = now
}

// Changed reports whether anything was (or would be) created, configured or
// pruned.
func (r *Result) Changed() bool {
	for _, c := range r.Changes {
		if c.Action != ActionUnchanged {
			return true
		}
	}
	return false
}

// Counts returns the number of changes per action.
func (r *Result) Counts() map[string]int {
	m := map[string]int{}
	for _, c := range r.Changes {
		m[c.Action]++
	}
	return m
}

// Apply takes ownership of objs (it sets labels and namespaces on them) and
// makes the cluster hold them for owner o: dry-run of everything
// first (any failure: nothing applied, every error returned), then staged
// server-side apply of what differs, prune, inventory, and the health wait.
func (c *Client) Apply(ctx context.Context, o Owner, objs []*unstructured.Unstructured, opts ApplyOptions) (*Result, error) {
	res := &Result{Inventory: Inventory{Revision: opts.Revision, State: map[ID]ObjectState{}}}
	start := time.Now()
	objs, err := c.prepare(objs, o, opts.Namespace)
	if err != nil {
		return nil, err
	}
	prev, err := c.ReadInventory(ctx, o)
	if err != nil {
		return nil, err
	}
	res.phase("prepare", &start)
	fields := opts.Fields || opts.DryRun
	plan, err := c.dryRun(ctx, objs, prev, fields, !fields || opts.TrustVerified)
	if err != nil {
		return nil, err
	}
	res.phase("dry-run", &start)
	for _, p := range plan {
		res.Inventory.IDs = append(res.Inventory.IDs, IDOf(p.obj))
	}
	prune := pruneSet(prev, res.Inventory)
	if opts.DryRun {
		res.Changes = changesOf(plan, prune, opts.Prune)
		return res, nil
	}
	if err := c.applyStaged(ctx, plan, prev, opts, &res.Writes); err != nil {
		return res, err
	}
	res.phase("apply", &start)
	res.Changes = changesOf(plan, prune, opts.Prune)
	if opts.Wait {
		if err := c.Wait(ctx, objs, opts.HealthTimeout); err != nil {
			return res, err
		}
		res.phase("wait", &start)
	}
	if res.Changed() {
		// Controllers write status right after an apply (a new
		// resourceVersion): read the settled versions once, so the next
		// sync finds them verified.
		if err := c.refreshVersions(ctx, plan); err != nil {
			return res, err
		}
	}
	for _, p := range plan {
		if p.hash != "" && p.rv != "" { // what encodeState keeps
			res.Inventory.State[IDOf(p.obj)] = ObjectState{Hash: p.hash, ResourceVersion: p.rv}
		}
	}
	res.phase("versions", &start)
	if opts.Prune && len(prune) > 0 {
		if err := c.prune(ctx, o, prune, &res.Writes); err != nil {
			return res, err
		}
		res.phase("prune", &start)
	}
	res.Inventory.legacy = prev.legacy
	if prev.legacy || !sameInventory(prev, res.Inventory) {
		res.Writes++
		if err := c.WriteInventory(ctx, o, res.Inventory); err != nil {
			return res, err
		}
		res.phase("inventory", &start)
	}
	return res, nil
}

// refreshVersions sets each planned object's resourceVersion from a LIST.
func (c *Client) refreshVersions(ctx context.Context, plan []planned) error {
	objs := make([]*unstructured.Unstructured, len(plan))
	for i := range plan {
		objs[i] = plan[i].obj
	}
	live, err := c.listLive(ctx, objs, func(ID, string) bool { return true })
	if err != nil {
		return err
	}
	for i := range plan {
		if l := live[IDOf(plan[i].obj)]; l != nil {
			plan[i].rv = l.GetResourceVersion()
		}
	}
	return nil
}

// applyStaged applies cluster definitions (Namespaces, CRDs, ClusterRoles)
// first and waits for them, then dry-runs what had to wait for them, then
// applies the rest.
func (c *Client) applyStaged(ctx context.Context, plan []planned, prev Inventory, opts ApplyOptions, writes *int64) error {
	var defs, rest []*planned
	for i := range plan {
		p := &plan[i]
		if utils.IsClusterDefinition(p.obj) {
			defs = append(defs, p)
		} else {
			rest = append(rest, p)
		}
	}
	if err := c.applyChanged(ctx, defs, writes); err != nil {
		return err
	}
	set := object.ObjMetadataSet{}
	for _, p := range defs {
		// A Namespace is usable as soon as it is created (the apply fails
		// on a terminating one); CRDs must become Established.
		if !utils.IsNamespace(p.obj) {
			set = append(set, object.UnstructuredToObjMetadata(p.obj))
		}
	}
	if len(set) > 0 {
		wait := ssa.WaitOptions{Interval: 100 * time.Millisecond, Timeout: time.Minute}
		if err := c.rm.WaitForSetWithContext(ctx, set, wait); err != nil {
			return fmt.Errorf("wait for namespaces and CRDs: %w", err)
		}
	}
	var deferred []*unstructured.Unstructured
	var idx []int
	for i, p := range rest {
		if p.deferred && !p.validated {
			deferred = append(deferred, p.obj)
			idx = append(idx, i)
		}
	}
	if len(deferred) > 0 {
		again, err := c.dryRun(ctx, deferred, prev, opts.Fields, !opts.Fields || opts.TrustVerified)
		if err != nil {
			return err
		}
		for k, i := range idx {
			*rest[i] = again[k]
		}
	}
	return c.applyChanged(ctx, rest, writes)
}

// applyChanged sends a server-side apply for every created or configured
// object, in parallel, and lists every failure.
func (c *Client) applyChanged(ctx context.Context, ps []*planned, writes *int64) error {
	var todo []*planned
	for _, p := range ps {
		if p.action == ActionCreate || p.action == ActionConfigure {
			todo = append(todo, p)
		}
	}
	errs := make([]error, len(todo))
	c.forEach(ctx, len(todo), func(i int) {
		atomic.AddInt64(writes, 1)
		// Validation off: the same object just passed a strict dry-run.
		rv, err := c.applyRaw(ctx, todo[i].obj, false, "Ignore")
		if err != nil {
			errs[i] = fmt.Errorf("apply %s: %w", IDOf(todo[i].obj).Short(), err)
			return
		}
		todo[i].rv = rv
	})
	if err := ctx.Err(); err != nil {
		return err
	}
	return errors.Join(errs...)
}

func pruneSet(prev, next Inventory) []ID {
	keep := map[ID]bool{}
	for _, id := range next.IDs {
		keep[id] = true
	}
	var out []ID
	for _, id := range prev.IDs {
		if !keep[id] {
			out = append(out, id)
		}
	}
	return out
}

func sameInventory(a, b Inventory) bool {
	if a.Revision != b.Revision || len(a.IDs) != len(b.IDs) || len(a.State) != len(b.State) {
		return false
	}
	for id, s := range b.State {
		if a.State[id] != s {
			return false
		}
	}
	as, bs := a.Strings(), b.Strings()
	for i := range as {
		if as[i] != bs[i] {
			return false
		}
	}
	return true
}

func changesOf(plan []planned, prune []ID, withPrune bool) []Change {
	out := make([]Change, 0, len(plan)+len(prune))
	for _, p := range plan {
		out = append(out, Change{ID: IDOf(p.obj).String(), Action: p.action, Fields: p.fields})
	}
	if withPrune {
		for _, id := range prune {
			out = append(out, Change{ID: id.String(), Action: ActionPrune})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// prune deletes the objects (only those still labelled as the owner's),
// namespaced ones before Namespaces and CRDs.
func (c *Client) prune(ctx context.Context, o Owner, ids []ID, writes *int64) error {
	objs := make([]*unstructured.Unstructured, len(ids))
	for i, id := range ids {
		objs[i] = id.Object()
	}
	opts := ssa.DefaultDeleteOptions()
	opts.Inclusions = o.Labels()
	*writes += int64(len(objs))
	cs, err := c.rm.DeleteAll(ctx, objs, opts)
	if err != nil {
		return fmt.Errorf("prune: %w", err)
	}
	// Wait until they are gone (a Namespace takes a while), so a sync
	// that brings them back right after does not meet a terminating one.
	wait := ssa.WaitOptions{Interval: 500 * time.Millisecond, Timeout: 2 * time.Minute}
	if err := c.rm.WaitForSetTermination(cs, wait); err != nil {
		return fmt.Errorf("prune: wait for deletion: %w", err)
	}
	return nil
}

// Wait waits until every object is healthy per kstatus (Deployments
// Available with updated replicas, and so on), failing fast on a failed one.
func (c *Client) Wait(ctx context.Context, objs []*unstructured.Unstructured, timeout time.Duration) error {
	if timeout <= 0 {
		timeout = 5 * time.Minute
	}
	set := object.UnstructuredSetToObjMetadataSet(objs)
	err := c.rm.WaitForSetWithContext(ctx, set, ssa.WaitOptions{Interval: time.Second, Timeout: timeout, FailFast: true})
	if err != nil {
		return fmt.Errorf("%w: %w", ErrUnhealthy, err)
	}
	return nil
}

// Diff is Apply with DryRun and field diffs: what a sync would change.
func (c *Client) Diff(ctx context.Context, o Owner, objs []*unstructured.Unstructured, namespace string) (*Result, error) {
	return c.Apply(ctx, o, objs, ApplyOptions{Namespace: namespace, DryRun: true, Prune: true, Fields: true})
}
