package catalog

import (
	"fmt"
	"strings"

	"ferry.dev/ferry/internal/platform"
	"ferry.dev/ferry/internal/render"
)

// Annotations ferry writes. The backstage.io ones are read by Backstage's
// plugins; the ferry.dev ones say where an entity lives in ferry.
const (
	AnnotationKubernetesID        = render.KubernetesIDLabel
	AnnotationKubernetesNamespace = "backstage.io/kubernetes-namespace"
	AnnotationSourceLocation      = "backstage.io/source-location"
	AnnotationPlatform            = "ferry.dev/platform"
	AnnotationComponent           = "ferry.dev/component"
	AnnotationEnvironments        = "ferry.dev/environments" // comma-separated, in ferry.yaml's order
	AnnotationNamespaces          = "ferry.dev/namespaces"   // env=namespace,… when they differ
	AnnotationLanes               = "ferry.dev/lanes"
	AnnotationEnvironment         = "ferry.dev/environment"
	AnnotationTarget              = "ferry.dev/target"
	AnnotationCloud               = "ferry.dev/cloud"
	AnnotationKubeContext         = "ferry.dev/kube-context"
	AnnotationServer              = "ferry.dev/server"
)

// Resource types of the entities ferry writes.
const (
	TypeService            = "service"
	TypeTerraformStack     = "terraform-stack"
	TypeKubernetesCluster  = "kubernetes-cluster"
	TypeTerraformWorkspace = "terraform-workspace"
)

// Options are what the entities need beyond ferry.yaml.
type Options struct {
	// Root is the repository checkout components are rendered from (for
	// their namespaces); default the platform's Dir.
	Root string
	// RepoURL is the repository's web address (git.WebURL of the remote),
	// "" when there is none: then no source-location is written.
	RepoURL string
	// Branch the source-location points into; default the first lane,
	// where topic branches merge.
	Branch string
}

// Entities builds the platform's entities: the System, then a Component
// per Kubernetes component and a Resource per Terraform stack in ferry.yaml's
// order, then a Resource per environment target (environments in order,
// targets in rollout order).
func Entities(p *platform.Platform, opts Options) ([]Entity, error) {
	if opts.Root == "" {
		opts.Root = p.Dir
	}
	if opts.Branch == "" && len(p.Spec.Lanes) > 0 {
		opts.Branch = p.Spec.Lanes[0].Name
	}
	b := &builder{p: p, opts: opts, sys: p.Spec.Catalog.System}
	out := []Entity{b.system()}
	for _, c := range p.Spec.Components {
		e, err := b.component(c)
		if err != nil {
			return nil, fmt.Errorf("catalog component %s: %w", c.Name, err)
		}
		out = append(out, e)
	}
	for _, env := range p.Spec.Environments {
		for _, t := range env.OrderedTargets() {
			out = append(out, b.target(env, t))
		}
	}
	if err := unique(out); err != nil {
		return nil, err
	}
	return out, nil
}

type builder struct {
	p    *platform.Platform
	opts Options
	sys  string
}

// base are the annotations of every entity.
func (b *builder) base() map[string]string {
	a := map[string]string{AnnotationPlatform: b.p.Metadata.Name}
	if s := b.p.Spec.Catalog.Server; s != "" {
		a[AnnotationServer] = s
	}
	return a
}

func (b *builder) system() Entity {
	a := b.base()
	a[AnnotationLanes] = strings.Join(b.p.LaneNames(), ",")
	a[AnnotationEnvironments] = strings.Join(envNames(b.p.Spec.Environments), ",")
	if loc, ok := sourceLocation(b.opts.RepoURL, b.opts.Branch, ""); ok {
		a[AnnotationSourceLocation] = loc
	}
	e := Entity{APIVersion: APIVersion, Kind: "System",
		Metadata: Metadata{Name: b.sys, Annotations: a,
			Description: fmt.Sprintf("Platform %s, deployed by ferry through the lanes %s.", b.p.Metadata.Name,
				strings.Join(b.p.LaneNames(), " → ")),
			Links: b.links()},
		Spec: Spec{Owner: b.p.Spec.Catalog.Owner}}
	return e
}

// links point at ferry serve's dashboard when its URL is configured.
func (b *builder) links() []Link {
	s := strings.TrimRight(b.p.Spec.Catalog.Server, "/")
	if s == "" {
		return nil
	}
	return []Link{{URL: s + "/", Title: "ferry control room", Icon: "dashboard"}}
}

func (b *builder) component(c platform.Component) (Entity, error) {
	a := b.base()
	a[AnnotationComponent] = c.Name
	envs := b.envsOf(c)
	if len(envs) > 0 {
		a[AnnotationEnvironments] = strings.Join(envs, ",")
	}
	if loc, ok := sourceLocation(b.opts.RepoURL, b.opts.Branch, c.Path); ok {
		a[AnnotationSourceLocation] = loc
	}
	e := Entity{APIVersion: APIVersion,
		Metadata: Metadata{Name: c.Name, Description: c.Description, Tags: []string{string(c.Type)}, Annotations: a},
		Spec:     Spec{Owner: c.Owner, System: b.sys, DependsOn: b.dependsOn(c)}}
	if c.Type == platform.Terraform {
		e.Kind, e.Spec.Type = "Resource", TypeTerraformStack
		if e.Metadata.Description == "" {
			e.Metadata.Description = fmt.Sprintf("Terraform stack %s (%s).", c.Name, c.Path)
		}
		return e, nil
	}
	e.Kind, e.Spec.Type, e.Spec.Lifecycle = "Component", TypeService, c.Lifecycle
	a[AnnotationKubernetesID] = c.Name
	ns, err := b.namespaces(c, envs)
	if err != nil {
		return Entity{}, err
	}
	if one, ok := single(ns); ok && len(ns) == len(envs) {
		a[AnnotationKubernetesNamespace] = one
	} else if len(ns) > 0 {
		parts := make([]string, 0, len(envs))
		for _, env := range envs {
			if n := ns[env]; n != "" {
				parts = append(parts, env+"="+n)
			}
		}
		a[AnnotationNamespaces] = strings.Join(parts, ",")
	}
	if e.Metadata.Description == "" {
		e.Metadata.Description = fmt.Sprintf("%s component %s (%s).", c.Type, c.Name, c.Path)
	}
	return e, nil
}

// dependsOn: the components ferry.yaml says it depends on, then (for a
// Kubernetes component) the clusters it runs on.
func (b *builder) dependsOn(c platform.Component) []string {
	var out []string
	for _, d := range c.DependsOn {
		dep, ok := b.p.Component(d)
		if !ok {
			continue
		}
		out = append(out, ref(dep))
	}
	for _, env := range b.p.Spec.Environments {
		for _, t := range env.OrderedTargets() {
			if !runsOn(c, env.Name, t) {
				continue
			}
			if c.Type != platform.Terraform && t.Kube != nil {
				out = append(out, "resource:default/"+targetName(env, t))
			}
		}
	}
	return out
}

func (b *builder) target(env platform.Environment, t platform.Target) Entity {
	a := b.base()
	a[AnnotationEnvironment] = env.Name
	a[AnnotationTarget] = t.Name
	if t.Cloud != "" {
		a[AnnotationCloud] = t.Cloud
	}
	typ, what := TypeTerraformWorkspace, "Terraform workspace"
	if t.Kube != nil {
		typ, what = TypeKubernetesCluster, "cluster"
		a[AnnotationKubeContext] = t.Kube.Context
	}
	var deps []string // the stacks applied on this target (e.g. the one that makes the cluster)
	var tags []string
	if t.Cloud != "" {
		tags = append(tags, t.Cloud)
	}
	for _, c := range b.p.Spec.Components {
		if c.Type == platform.Terraform && t.Terraform != nil && runsOn(c, env.Name, t) {
			deps = append(deps, ref(c))
		}
	}
	return Entity{APIVersion: APIVersion, Kind: "Resource",
		Metadata: Metadata{Name: targetName(env, t), Tags: tags, Annotations: a,
			Description: fmt.Sprintf("The %s %s of environment %s (lane %s), rollout order %d.", what, t.Name, env.Name, env.Lane, t.Order)},
		Spec: Spec{Type: typ, Owner: b.p.Spec.Catalog.Owner, System: b.sys, DependsOn: deps}}
}

// envsOf lists the environments with a target that deploys c.
func (b *builder) envsOf(c platform.Component) []string {
	var out []string
	for _, env := range b.p.Spec.Environments {
		for _, t := range env.Targets {
			if runsOn(c, env.Name, t) {
				out = append(out, env.Name)
				break
			}
		}
	}
	return out
}

// runsOn is deploy's rule: a target deploys the components it lists (all
// when it lists none) that the environment does not skip, Terraform ones
// where it has a workspace and Kubernetes ones where it has a cluster.
func runsOn(c platform.Component, env string, t platform.Target) bool {
	if c.Inputs[env].Skip {
		return false
	}
	if len(t.Components) > 0 {
		listed := false
		for _, n := range t.Components {
			listed = listed || n == c.Name
		}
		if !listed {
			return false
		}
	}
	if c.Type == platform.Terraform {
		return t.Terraform != nil
	}
	return t.Kube != nil
}

func ref(c platform.Component) string {
	if c.Type == platform.Terraform {
		return "resource:default/" + c.Name
	}
	return "component:default/" + c.Name
}

func targetName(env platform.Environment, t platform.Target) string { return env.Name + "-" + t.Name }

func envNames(envs []platform.Environment) []string {
	out := make([]string, len(envs))
	for i, e := range envs {
		out[i] = e.Name
	}
	return out
}

// unique refuses two entities of one kind and name (a target "dev-local"
// and a stack called dev-local), and names Backstage refuses (an
// environment and target name over 63 characters together).
func unique(es []Entity) error {
	seen := map[string]bool{}
	for _, e := range es {
		if err := platform.CheckEntityName(e.Metadata.Name); err != nil {
			return fmt.Errorf("catalog %s: %w", strings.ToLower(e.Kind), err)
		}
		k := e.Kind + ":" + e.Metadata.Name
		if seen[k] {
			return fmt.Errorf("catalog: two %s entities are called %q (a Terraform stack and an environment-target pair?): rename one in ferry.yaml",
				strings.ToLower(e.Kind), e.Metadata.Name)
		}
		seen[k] = true
	}
	return nil
}
