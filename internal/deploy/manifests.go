package deploy

import (
	"context"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"ferry.dev/ferry/internal/platform"
)

// Manifests are the Kubernetes objects an environment's sync would apply
// at one revision, per target in rollout order and component in dependsOn
// order, exactly as rendered (the objects ferry sync then labels and
// applies). Terraform exports (the ferry-exports-* ConfigMaps and Secrets)
// are not among them: they come from Terraform state at apply time.
type Manifests struct {
	Env      string            `json:"env"`
	Revision string            `json:"revision"`
	Version  string            `json:"version,omitempty"`
	Targets  []TargetManifests `json:"targets"`
}

// TargetManifests are the objects of one target (a cluster).
type TargetManifests struct {
	Target     string               `json:"target"`
	Context    string               `json:"context"`
	Components []ComponentManifests `json:"components"`
}

// ComponentManifests are one component's rendered objects.
type ComponentManifests struct {
	Component string                       `json:"component"`
	Namespace string                       `json:"namespace,omitempty"`
	Objects   []*unstructured.Unstructured `json:"objects"`
}

// RenderEnv renders env's Kubernetes components at rev (default: the head
// of env's lane) with ferry.yaml as it is at that revision. Targets without
// a cluster are left out.
func RenderEnv(ctx context.Context, p *platform.Platform, envName, rev string, opts Options) (*Manifests, error) {
	opts.defaults(p.Dir)
	repo, err := opts.repo(p.Dir)
	if err != nil {
		return nil, err
	}
	r, err := resolve(ctx, p, repo, envName, rev)
	if err != nil {
		return nil, err
	}
	m := &Manifests{Env: envName, Revision: r.revision, Version: r.version}
	err = withRevision(ctx, repo, r.revision, envName, opts.Renders, func(tr *tree, wp *platform.Platform) error {
		return m.render(tr, wp)
	})
	if err != nil {
		return nil, err
	}
	return m, nil
}

// RenderCheckout renders env's Kubernetes components from dir, a checkout
// of revision rev (version is its release, if any) whose ferry.yaml is p:
// for callers that already have the revision checked out (ferry preview
// checks and renders one worktree).
func RenderCheckout(dir string, p *platform.Platform, envName, rev, version string) (*Manifests, error) {
	m := &Manifests{Env: envName, Revision: rev, Version: version}
	if err := m.render(newTree(dir, rev, envName, p, nil), p); err != nil {
		return nil, err
	}
	return m, nil
}

func (m *Manifests) render(tr *tree, p *platform.Platform) error {
	env, ok := p.Env(m.Env)
	if !ok {
		return &UnknownEnvError{Env: m.Env}
	}
	for _, t := range env.OrderedTargets() {
		if t.Kube == nil {
			continue
		}
		tm := TargetManifests{Target: t.Name, Context: t.Kube.Context}
		for _, c := range components(p, env.Name, t) {
			if c.Type == platform.Terraform {
				continue
			}
			objs, err := tr.render(p, c)
			if err != nil {
				return err
			}
			tm.Components = append(tm.Components, ComponentManifests{Component: c.Name, Namespace: c.Namespace, Objects: objs})
		}
		m.Targets = append(m.Targets, tm)
	}
	return nil
}
