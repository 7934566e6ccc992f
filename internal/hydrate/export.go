package hydrate

import (
	"fmt"
	"strconv"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"ferry.dev/ferry/internal/platform"
)

// ExportOptions shape the objects Export writes.
type ExportOptions struct {
	// RepoURL is the Git URL Argo CD or Flux reads the branches from.
	RepoURL string
	// Namespace the objects live in (default argocd, or flux-system).
	Namespace string
	// Envs limits the export to these environments (default: every
	// environment with a cluster target).
	Envs []string
	// Branch names an environment's hydrated branch (default env/<name>).
	Branch func(env string) string
	// ApplicationSet writes one Argo CD ApplicationSet (a list generator
	// over environment × target) instead of an Application per pair.
	ApplicationSet bool
	// Project is the Argo CD project (default "default").
	Project string
	// KubeconfigSecrets gives each Flux Kustomization spec.kubeConfig
	// (Secret kubeconfig-<target>): one Flux applying to several clusters.
	KubeconfigSecrets bool
	// Interval is how often Flux fetches and reconciles (default 1m).
	Interval string
}

// pair is one cluster target of one environment, in rollout order.
type pair struct {
	env    platform.Environment
	target platform.Target
	wave   int // position in the environment's rollout order
}

func (o *ExportOptions) defaults(namespace string) error {
	if o.RepoURL == "" {
		return fmt.Errorf("export: no repository URL (the platform has no remote; pass one)")
	}
	if o.Namespace == "" {
		o.Namespace = namespace
	}
	if o.Branch == nil {
		o.Branch = DefaultBranch
	}
	if o.Project == "" {
		o.Project = "default"
	}
	if o.Interval == "" {
		o.Interval = "1m"
	}
	return nil
}

func pairs(p *platform.Platform, only []string) ([]pair, error) {
	want := map[string]bool{}
	for _, e := range only {
		if _, ok := p.Env(e); !ok {
			return nil, fmt.Errorf("export: unknown environment %q", e)
		}
		want[e] = true
	}
	var out []pair
	for _, e := range p.Spec.Environments {
		if len(want) > 0 && !want[e.Name] {
			continue
		}
		wave := 0
		for _, t := range e.OrderedTargets() {
			if t.Kube == nil {
				continue
			}
			out = append(out, pair{env: e, target: t, wave: wave})
			wave++
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("export: no environment with a cluster target to export")
	}
	return out, nil
}

func objectName(p *platform.Platform, parts ...string) string {
	name := p.Metadata.Name
	for _, s := range parts {
		name += "-" + s
	}
	return name
}

func labels(p *platform.Platform, env, target string) map[string]any {
	l := map[string]any{"app.kubernetes.io/managed-by": "ferry", "ferry.dev/platform": p.Metadata.Name}
	if env != "" {
		l["ferry.dev/env"] = env
	}
	if target != "" {
		l["ferry.dev/target"] = target
	}
	return l
}

func object(apiVersion, kind, name, namespace string, lbl, annotations map[string]any, spec map[string]any) *unstructured.Unstructured {
	meta := map[string]any{"name": name, "namespace": namespace, "labels": lbl}
	if len(annotations) > 0 {
		meta["annotations"] = annotations
	}
	return &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": apiVersion, "kind": kind, "metadata": meta, "spec": spec,
	}}
}

// ArgoCD returns an Argo CD Application per environment × cluster target
// (or one ApplicationSet), each applying <target>/ of the environment's
// hydrated branch to the cluster Argo CD knows by the target's kube context
// name, with automated sync, pruning and self-heal. The sync-wave
// annotation carries the rollout order for an app of apps.
func ArgoCD(p *platform.Platform, o ExportOptions) ([]*unstructured.Unstructured, error) {
	if err := o.defaults("argocd"); err != nil {
		return nil, err
	}
	ps, err := pairs(p, o.Envs)
	if err != nil {
		return nil, err
	}
	policy := map[string]any{
		"automated":   map[string]any{"prune": true, "selfHeal": true},
		"syncOptions": []any{"ServerSideApply=true"},
	}
	if o.ApplicationSet {
		var elements []any
		for _, x := range ps {
			elements = append(elements, map[string]any{
				"env": x.env.Name, "target": x.target.Name, "cluster": x.target.Kube.Context,
				"branch": o.Branch(x.env.Name), "wave": strconv.Itoa(x.wave),
			})
		}
		tmpl := map[string]any{
			"metadata": map[string]any{
				"name":        p.Metadata.Name + "-{{.env}}-{{.target}}",
				"labels":      map[string]any{"app.kubernetes.io/managed-by": "ferry", "ferry.dev/platform": p.Metadata.Name, "ferry.dev/env": "{{.env}}", "ferry.dev/target": "{{.target}}"},
				"annotations": map[string]any{"argocd.argoproj.io/sync-wave": "{{.wave}}"},
			},
			"spec": map[string]any{
				"project":     o.Project,
				"source":      map[string]any{"repoURL": o.RepoURL, "targetRevision": "{{.branch}}", "path": "{{.target}}"},
				"destination": map[string]any{"name": "{{.cluster}}"},
				"syncPolicy":  policy,
			},
		}
		set := object("argoproj.io/v1alpha1", "ApplicationSet", p.Metadata.Name, o.Namespace, labels(p, "", ""), nil, map[string]any{
			"goTemplate":        true,
			"goTemplateOptions": []any{"missingkey=error"},
			"generators":        []any{map[string]any{"list": map[string]any{"elements": elements}}},
			"template":          tmpl,
		})
		return []*unstructured.Unstructured{set}, nil
	}
	var out []*unstructured.Unstructured
	for _, x := range ps {
		out = append(out, object("argoproj.io/v1alpha1", "Application", objectName(p, x.env.Name, x.target.Name), o.Namespace,
			labels(p, x.env.Name, x.target.Name), map[string]any{"argocd.argoproj.io/sync-wave": strconv.Itoa(x.wave)},
			map[string]any{
				"project":     o.Project,
				"source":      map[string]any{"repoURL": o.RepoURL, "targetRevision": o.Branch(x.env.Name), "path": x.target.Name},
				"destination": map[string]any{"name": x.target.Kube.Context},
				"syncPolicy":  policy,
			}))
	}
	return out, nil
}

// Flux returns a GitRepository per environment (its hydrated branch) and
// a Kustomization per cluster target applying <target>/ with pruning and
// health waits; each target's Kustomization depends on the one before it
// in rollout order, so Flux rolls an environment out one target at a time.
func Flux(p *platform.Platform, o ExportOptions) ([]*unstructured.Unstructured, error) {
	if err := o.defaults("flux-system"); err != nil {
		return nil, err
	}
	ps, err := pairs(p, o.Envs)
	if err != nil {
		return nil, err
	}
	var out []*unstructured.Unstructured
	prev := map[string]string{} // env -> the previous target's Kustomization
	for _, x := range ps {
		source := objectName(p, x.env.Name)
		if _, seen := prev[x.env.Name]; !seen {
			out = append(out, object("source.toolkit.fluxcd.io/v1", "GitRepository", source, o.Namespace,
				labels(p, x.env.Name, ""), nil, map[string]any{
					"interval": o.Interval,
					"url":      o.RepoURL,
					"ref":      map[string]any{"branch": o.Branch(x.env.Name)},
				}))
		}
		name := objectName(p, x.env.Name, x.target.Name)
		spec := map[string]any{
			"interval":  o.Interval,
			"sourceRef": map[string]any{"kind": "GitRepository", "name": source},
			"path":      "./" + x.target.Name,
			"prune":     true,
			"wait":      true,
			"timeout":   "5m",
		}
		if d := x.env.HealthTimeout.Duration; d > 0 {
			spec["timeout"] = d.String() // the health wait ferry sync would use
		}
		if d := prev[x.env.Name]; d != "" {
			spec["dependsOn"] = []any{map[string]any{"name": d}}
		}
		if o.KubeconfigSecrets {
			spec["kubeConfig"] = map[string]any{"secretRef": map[string]any{"name": "kubeconfig-" + x.target.Name}}
		}
		out = append(out, object("kustomize.toolkit.fluxcd.io/v1", "Kustomization", name, o.Namespace,
			labels(p, x.env.Name, x.target.Name), nil, spec))
		prev[x.env.Name] = name
	}
	return out, nil
}
