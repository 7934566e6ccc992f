package preview

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"ferry.dev/ferry/internal/check"
	"ferry.dev/ferry/internal/check/scan"
	"ferry.dev/ferry/internal/deploy"
	"ferry.dev/ferry/internal/git"
	"ferry.dev/ferry/internal/kube"
	"ferry.dev/ferry/internal/platform"
)

// Options say what to compare.
type Options struct {
	Base, Head string   // revisions (branches, tags, SHAs)
	Envs       []string // default: every environment of the head's ferry.yaml
	// Plan adds, per environment, what ferry plan says for the head: the
	// Terraform plan summaries and the server-side dry-run against the live
	// clusters. It needs the clusters and backends.
	Plan bool
	// PlanOptions are the deploy options for Plan.
	PlanOptions deploy.Options
	Workers     int
}

// Preview is what merging Head into Base would do.
type Preview struct {
	Base   Revision     `json:"base"`
	Head   Revision     `json:"head"`
	Checks Checks       `json:"checks"`
	Envs   []EnvPreview `json:"environments"`
}

// Revision is one side of the comparison.
type Revision struct {
	Ref     string `json:"ref"`
	Commit  string `json:"commit"`
	Version string `json:"version,omitempty"`
}

// Checks are the findings the change adds and resolves (suppressed ones
// left out), and the counts by severity on each side.
type Checks struct {
	Added      []check.Finding `json:"added"`
	Resolved   []check.Finding `json:"resolved"`
	BaseCounts map[string]int  `json:"baseCounts"`
	HeadCounts map[string]int  `json:"headCounts"`
}

// EnvPreview is one environment's part.
type EnvPreview struct {
	Env       string            `json:"env"`
	Counts    map[string]int    `json:"counts"` // create, configure, prune
	Objects   []ObjectChange    `json:"objects"`
	Terraform []TerraformChange `json:"terraform,omitempty"`
	// Plan is ferry plan's report for the head, with Options.Plan.
	Plan  *deploy.Report `json:"plan,omitempty"`
	Error string         `json:"error,omitempty"`
}

// ObjectChange is one rendered object that differs.
type ObjectChange struct {
	Target    string             `json:"target"`
	Component string             `json:"component"`
	ID        string             `json:"id"`
	Action    string             `json:"action"` // create, configure, prune
	Fields    []kube.FieldChange `json:"fields,omitempty"`
}

// TerraformChange is a Terraform component whose files the change touches.
type TerraformChange struct {
	Component string   `json:"component"`
	Files     []string `json:"files"`
}

// side is one revision checked out: its model, findings and manifests.
type side struct {
	rev      Revision
	plat     *platform.Platform
	findings []check.Finding
	counts   map[string]int
	envs     map[string]*deploy.Manifests
	errs     map[string]error
}

// Run computes the preview of o.Head against o.Base in the repository at
// dir, checking each revision out once in a temporary worktree.
func Run(ctx context.Context, dir string, o Options) (*Preview, error) {
	repo, err := git.Open(dir)
	if err != nil {
		return nil, fmt.Errorf("preview: %w", err)
	}
	// The two revisions are checked and rendered side by side: kustomize
	// builds dominate and each uses one core.
	var base, head *side
	var berr, herr error
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); base, berr = load(ctx, repo, o.Base, o) }()
	head, herr = load(ctx, repo, o.Head, o)
	wg.Wait()
	if err := errors.Join(berr, herr); err != nil {
		return nil, err
	}
	envs := o.Envs
	if len(envs) == 0 {
		for _, e := range head.plat.Spec.Environments {
			envs = append(envs, e.Name)
		}
	}
	for _, e := range envs {
		if _, ok := head.plat.Env(e); !ok {
			return nil, fmt.Errorf("preview: environment %q is not in %s's ferry.yaml", e, o.Head)
		}
	}
	p := &Preview{Base: base.rev, Head: head.rev, Checks: diffFindings(base, head)}
	for _, e := range envs {
		ep := EnvPreview{Env: e}
		hm, herr := head.envs[e], head.errs[e]
		bm := base.envs[e] // nil: the environment is new
		switch {
		case herr != nil:
			ep.Error = "head does not render: " + herr.Error()
		default:
			ep.Objects, err = diffManifests(bm, hm)
			if err != nil {
				ep.Error = err.Error()
			}
		}
		ep.Counts = countActions(ep.Objects)
		ep.Terraform, err = terraformChanges(ctx, repo, head.plat, e, base.rev.Commit, head.rev.Commit)
		if err != nil {
			return nil, err
		}
		if o.Plan {
			po := o.PlanOptions
			po.Repo = repo
			rep, perr := deploy.Plan(ctx, head.plat, e, head.rev.Commit, po)
			ep.Plan = rep
			if perr != nil && ep.Error == "" {
				ep.Error = "plan: " + perr.Error()
			}
		}
		p.Envs = append(p.Envs, ep)
	}
	return p, nil
}

// load checks ref out, runs the checks and renders every environment of
// its ferry.yaml.
func load(ctx context.Context, repo *git.Repo, ref string, o Options) (*side, error) {
	commit, err := repo.ResolveCommit(ctx, ref)
	if err != nil {
		return nil, fmt.Errorf("preview: %w", err)
	}
	s := &side{rev: Revision{Ref: ref, Commit: commit}, envs: map[string]*deploy.Manifests{}, errs: map[string]error{}}
	err = repo.WithWorktree(ctx, commit, func(w *git.Worktree) error {
		p, err := platform.Load(w.Dir)
		if err != nil {
			return fmt.Errorf("ferry.yaml at %s: %w", ref, err)
		}
		s.plat = p
		if v, err := repo.Describe(ctx, commit, p.Spec.Versioning.TagPrefix+"[0-9]*", ""); err == nil {
			s.rev.Version = v
		}
		res, err := scan.Run(ctx, scan.Options{Root: w.Dir, Platform: p, Workers: o.Workers})
		if err != nil {
			return fmt.Errorf("check %s: %w", ref, err)
		}
		s.counts = res.Counts()
		for _, f := range res.Findings {
			if f.Suppressed == nil {
				s.findings = append(s.findings, f)
			}
		}
		for _, e := range p.Spec.Environments {
			m, err := deploy.RenderCheckout(w.Dir, p, e.Name, commit, s.rev.Version)
			if err != nil {
				// Paths relative to the repository, not the worktree.
				s.errs[e.Name] = errors.New(strings.ReplaceAll(err.Error(), w.Dir+"/", ""))
				continue
			}
			s.envs[e.Name] = m
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("preview %s: %w", ref, err)
	}
	return s, nil
}

// findingKey identifies a finding across revisions: not by line, which
// moves when lines are added above it.
func findingKey(f check.Finding) string {
	return strings.Join([]string{f.RuleID, f.Location.File, f.Resource, f.Env, f.Message}, "\x00")
}

func diffFindings(base, head *side) Checks {
	c := Checks{BaseCounts: base.counts, HeadCounts: head.counts, Added: []check.Finding{}, Resolved: []check.Finding{}}
	in := func(fs []check.Finding) map[string]int {
		m := map[string]int{}
		for _, f := range fs {
			m[findingKey(f)]++
		}
		return m
	}
	bk, hk := in(base.findings), in(head.findings)
	for _, f := range head.findings {
		if k := findingKey(f); bk[k] > 0 {
			bk[k]--
		} else {
			c.Added = append(c.Added, f)
		}
	}
	for _, f := range base.findings {
		if k := findingKey(f); hk[k] > 0 {
			hk[k]--
		} else {
			c.Resolved = append(c.Resolved, f)
		}
	}
	return c
}

type objKey struct{ target, component, id string }

// diffManifests compares two renders of one environment object by object.
func diffManifests(base, head *deploy.Manifests) ([]ObjectChange, error) {
	index := func(m *deploy.Manifests) (map[objKey]*unstructured.Unstructured, []objKey) {
		out := map[objKey]*unstructured.Unstructured{}
		var order []objKey
		if m == nil {
			return out, nil
		}
		for _, t := range m.Targets {
			for _, c := range t.Components {
				for _, o := range c.Objects {
					k := objKey{t.Target, c.Component, kube.IDOf(withNamespace(o, c.Namespace)).String()}
					out[k] = o
					order = append(order, k)
				}
			}
		}
		return out, order
	}
	b, border := index(base)
	h, horder := index(head)
	var out []ObjectChange
	for _, k := range horder {
		ho := h[k]
		bo, ok := b[k]
		if !ok {
			out = append(out, ObjectChange{Target: k.target, Component: k.component, ID: k.id, Action: kube.ActionCreate})
			continue
		}
		fields, err := kube.RenderedDiff(bo, ho)
		if err != nil {
			return nil, err
		}
		if len(fields) > 0 {
			out = append(out, ObjectChange{Target: k.target, Component: k.component, ID: k.id, Action: kube.ActionConfigure, Fields: fields})
		}
	}
	for _, k := range border {
		if _, ok := h[k]; !ok {
			out = append(out, ObjectChange{Target: k.target, Component: k.component, ID: k.id, Action: kube.ActionPrune})
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Target != out[j].Target {
			return out[i].Target < out[j].Target
		}
		return out[i].Component < out[j].Component
	})
	return out, nil
}

// withNamespace gives a namespaced-looking object without a namespace the
// component's, as ferry sync does, so IDs match what sync reports.
func withNamespace(o *unstructured.Unstructured, ns string) *unstructured.Unstructured {
	if o.GetNamespace() != "" || ns == "" {
		return o
	}
	c := o.DeepCopy()
	c.SetNamespace(ns)
	return c
}

func countActions(cs []ObjectChange) map[string]int {
	m := map[string]int{kube.ActionCreate: 0, kube.ActionConfigure: 0, kube.ActionPrune: 0}
	for _, c := range cs {
		m[c.Action]++
	}
	return m
}

// terraformChanges lists env's Terraform components whose directory (or
// the environment's tfvars) the change touches.
func terraformChanges(ctx context.Context, repo *git.Repo, p *platform.Platform, env, base, head string) ([]TerraformChange, error) {
	out, err := repo.Run(ctx, "diff", "--name-only", "--no-renames", base, head, "--")
	if err != nil {
		return nil, fmt.Errorf("preview: changed files: %w", err)
	}
	changed := strings.Fields(out)
	var tcs []TerraformChange
	for _, c := range p.Spec.Components {
		if c.Type != platform.Terraform || c.InputsFor(env).Skip {
			continue
		}
		dir := strings.TrimSuffix(c.PathFor(env), "/") + "/"
		var files []string
		for _, f := range changed {
			if strings.HasPrefix(f, dir) {
				files = append(files, f)
			}
		}
		if len(files) > 0 {
			tcs = append(tcs, TerraformChange{Component: c.Name, Files: files})
		}
	}
	return tcs, nil
}
