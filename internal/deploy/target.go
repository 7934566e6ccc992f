package deploy

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"ferry.dev/ferry/internal/kube"
	"ferry.dev/ferry/internal/platform"
	"ferry.dev/ferry/internal/render"
	"ferry.dev/ferry/internal/store"
	"ferry.dev/ferry/internal/terraform"
)

// targetRun is one target being synced (or planned).
type targetRun struct {
	files   *tree // the revision's files and renders
	p       *platform.Platform
	env     platform.Environment
	t       platform.Target
	rev     string
	opts    Options
	dryRun  bool
	kc      *kube.Client
	exports map[string]terraform.Exported
}

// components returns the target's components in dependsOn order.
func components(p *platform.Platform, env string, t platform.Target) []platform.Component {
	only := map[string]bool{}
	for _, c := range t.Components {
		only[c] = true
	}
	var out []platform.Component
	for _, c := range p.ComponentOrder() {
		if (len(only) > 0 && !only[c.Name]) || c.Inputs[env].Skip {
			continue
		}
		out = append(out, c)
	}
	return out
}

// syncTarget deploys (or with dryRun, plans) every component of one target
// and stops at the first failure.
func syncTarget(ctx context.Context, files *tree, p *platform.Platform, env platform.Environment, t platform.Target,
	rev string, opts Options, dryRun bool) TargetReport {
	run := &targetRun{files: files, p: p, env: env, t: t, rev: rev, opts: opts, dryRun: dryRun, exports: map[string]terraform.Exported{}}
	tr := TargetReport{Target: t.Name, Status: store.StatusSucceeded}
	comps := components(p, env.Name, t)
	for _, c := range comps {
		start := time.Now()
		cr := ComponentReport{Component: c.Name, Type: string(c.Type), Status: store.StatusSucceeded}
		opts.logf("%s/%s: %s %s", t.Name, c.Name, verb(dryRun), c.Type)
		var err error
		if c.Type == platform.Terraform {
			err = run.terraform(ctx, c, &cr)
		} else {
			err = run.kube(ctx, c, &cr)
		}
		cr.Duration = time.Since(start).Round(time.Millisecond)
		if err != nil {
			cr.Status, cr.Error = store.StatusFailed, err.Error()
			tr.Status, tr.Error = store.StatusFailed, fmt.Sprintf("%s: %v", c.Name, err)
			tr.terminal = IsTerminal(err)
			tr.Components = append(tr.Components, cr)
			opts.logf("%s/%s: failed: %v", t.Name, c.Name, err)
			return tr
		}
		opts.logf("%s/%s: %s (%s)", t.Name, c.Name, cr.Summary(), cr.Duration)
		tr.Components = append(tr.Components, cr)
	}
	if err := run.removeLeft(ctx, comps, &tr); err != nil {
		tr.Status, tr.Error = store.StatusFailed, err.Error()
	}
	return tr
}

// removeLeft prunes components that have an inventory on the target's
// cluster but are no longer deployed to it (removed from ferry.yaml,
// skipped for the environment, or dropped from the target's list).
func (r *targetRun) removeLeft(ctx context.Context, comps []platform.Component, tr *TargetReport) error {
	if r.t.Kube == nil {
		return nil
	}
	if r.kc == nil {
		if err := r.connect(ctx); err != nil {
			return err
		}
	}
	keep := map[string]bool{}
	for _, c := range comps {
		keep[c.Name] = true
	}
	owners, err := r.kc.Owners(ctx, r.p.Metadata.Name, r.env.Name)
	if err != nil {
		return err
	}
	for _, o := range owners {
		if keep[o.Component] {
			continue
		}
		start := time.Now()
		res, err := r.kc.Remove(ctx, o, r.dryRun)
		cr := ComponentReport{Component: o.Component, Type: "removed", Status: store.StatusSucceeded, Duration: time.Since(start)}
		if res != nil {
			cr.Kube, cr.Counts = res.Changes, res.Counts()
		}
		if err != nil {
			cr.Status, cr.Error = store.StatusFailed, err.Error()
		}
		tr.Components = append(tr.Components, cr)
		if err != nil {
			return fmt.Errorf("remove %s: %w", o.Component, err)
		}
		r.opts.logf("%s/%s: removed from the environment: %s", r.t.Name, o.Component, cr.Summary())
	}
	return nil
}

func (r *targetRun) connect(ctx context.Context) error {
	kc, err := r.opts.Connect(r.t, r.p.Spec.Security.AllowExecPlugins)
	if err != nil {
		return err
	}
	pctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if err := kc.Ping(pctx); err != nil {
		return err
	}
	r.kc = kc
	return nil
}

func verb(dryRun bool) string {
	if dryRun {
		return "planning"
	}
	return "syncing"
}

func (r *targetRun) runner() (*terraform.Runner, error) {
	if r.opts.Terraform != nil {
		return r.opts.Terraform, nil
	}
	tf, err := terraform.NewRunner("")
	if err != nil {
		return nil, err
	}
	tf.Policy = r.opts.Policy
	if tf.Policy == nil {
		tf.Policy = newPlanPolicy(r.files.dir, r.p.Spec.Checks.PolicyDirs, r.opts)
	}
	r.opts.Terraform = tf
	return tf, nil
}

func (r *targetRun) stack(c platform.Component) (terraform.Stack, error) {
	if r.t.Terraform == nil {
		return terraform.Stack{}, fmt.Errorf("target %s has no terraform settings for component %s", r.t.Name, c.Name)
	}
	in := c.InputsFor(r.env.Name)
	s := terraform.Stack{
		Component:     c.Name,
		Dir:           filepath.Join(r.files.dir, c.PathFor(r.env.Name)),
		StateDir:      filepath.Join(r.opts.StateDir, "terraform", r.env.Name, r.t.Name, c.Name),
		Workspace:     r.t.Terraform.Workspace,
		Backend:       r.t.Terraform.Backend,
		BackendConfig: r.t.Terraform.Config,
		Vars:          in.Vars,
	}
	for _, vf := range in.VarFiles {
		s.VarFiles = append(s.VarFiles, filepath.Join(r.files.dir, vf))
	}
	return s, nil
}

// terraform plans a terraform component and, unless planning, applies that
// saved plan and keeps its exports for the dependants.
func (r *targetRun) terraform(ctx context.Context, c platform.Component, cr *ComponentReport) error {
	tf, err := r.runner()
	if err != nil {
		return err
	}
	s, err := r.stack(c)
	if err != nil {
		return err
	}
	plan, err := tf.Plan(ctx, s)
	if err != nil {
		return err
	}
	sum := plan.Summary
	cr.Terraform = &sum
	var outs terraform.Outputs
	if r.dryRun {
		if len(c.Exports) > 0 {
			// Current outputs stand in for what apply would produce; a
			// never-applied stack has none yet.
			if outs, err = tf.Outputs(ctx, s); err != nil {
				return err
			}
		}
	} else if outs, err = tf.Apply(ctx, s, plan); err != nil {
		return err
	}
	if len(c.Exports) > 0 {
		ex, err := outs.Export(c.Exports)
		if err != nil && !r.dryRun {
			return err
		}
		r.exports[c.Name] = ex
	}
	return nil
}

// kube renders a Kubernetes component, adds the exports of what it depends
// on and applies (or diffs) it.
func (r *targetRun) kube(ctx context.Context, c platform.Component, cr *ComponentReport) error {
	if r.t.Kube == nil {
		return fmt.Errorf("target %s has no kube settings for component %s", r.t.Name, c.Name)
	}
	objs, err := r.files.render(r.p, c)
	if err != nil {
		return Terminal(err)
	}
	objs = append(objs, exportObjects(objs, c, r.exports)...)
	if r.kc == nil {
		if err := r.connect(ctx); err != nil {
			return err
		}
	}
	timeout := r.env.HealthTimeout.Duration
	if r.opts.HealthTimeout > 0 {
		timeout = r.opts.HealthTimeout
	}
	owner := kube.Owner{Platform: r.p.Metadata.Name, Env: r.env.Name, Component: c.Name}
	res, err := r.kc.Apply(ctx, owner, objs, kube.ApplyOptions{
		Namespace: c.Namespace, Revision: r.rev, DryRun: r.dryRun, Prune: true,
		Wait: !r.dryRun, HealthTimeout: timeout, Fields: r.dryRun, TrustVerified: r.opts.TrustVerified,
	})
	if res != nil {
		cr.Kube, cr.Counts, cr.Inventory = res.Changes, res.Counts(), res.Inventory.Strings()
	}
	return err
}

// exportObjects builds ferry-exports-<dep> ConfigMaps (and Secrets for
// sensitive outputs) in every namespace the component's objects use.
func exportObjects(objs []*unstructured.Unstructured, c platform.Component, exports map[string]terraform.Exported) []*unstructured.Unstructured {
	namespaces := map[string]bool{}
	if c.Namespace != "" {
		namespaces[c.Namespace] = true
	}
	for _, o := range objs {
		if o.GetNamespace() != "" {
			namespaces[o.GetNamespace()] = true
		}
	}
	var out []*unstructured.Unstructured
	for _, dep := range c.DependsOn {
		ex, ok := exports[dep]
		if !ok {
			continue
		}
		for ns := range namespaces {
			if len(ex.Plain) > 0 {
				out = append(out, exportObject("ConfigMap", "data", ns, dep, ex.Plain))
			}
			if len(ex.Sensitive) > 0 {
				out = append(out, exportObject("Secret", "stringData", ns, dep, ex.Sensitive))
			}
		}
	}
	render.Sort(out)
	return out
}

func exportObject(kind, field, ns, dep string, data map[string]string) *unstructured.Unstructured {
	u := &unstructured.Unstructured{Object: map[string]any{}}
	u.SetAPIVersion("v1")
	u.SetKind(kind)
	u.SetNamespace(ns)
	u.SetName("ferry-exports-" + dep)
	u.SetLabels(map[string]string{"app.kubernetes.io/managed-by": "ferry", "ferry.dev/exports-of": dep})
	m := map[string]any{}
	for k, v := range data {
		m[k] = v
	}
	u.Object[field] = m
	return u
}
