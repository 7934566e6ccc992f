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
		env, ok := wp.Env(envName)
		if !ok {
			return &UnknownEnvError{Env: envName}
		}
		for _, t := range env.OrderedTargets() {
			if t.Kube == nil {
				continue
			}
			tm := TargetManifests{Target: t.Name, Context: t.Kube.Context}
			for _, c := range components(wp, env.Name, t) {
				if c.Type == platform.Terraform {
					continue
				}
				objs, err := tr.render(wp, c)
				if err != nil {
					return err
				}
				tm.Components = append(tm.Components, ComponentManifests{Component: c.Name, Namespace: c.Namespace, Objects: objs})
			}
			m.Targets = append(m.Targets, tm)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return m, nil
}
