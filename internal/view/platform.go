package view

import (
	"ferry.dev/ferry/internal/platform"
)

// Platform is the model of ferry.yaml the control room shows: lanes in
// promotion order, environments with their targets in rollout order,
// components and promotions with their gates.
type Platform struct {
	Name         string          `json:"name"`
	Lanes        []Lane          `json:"lanes"`
	Environments []PlatformEnv   `json:"environments"`
	Components   []Component     `json:"components"`
	Promotions   []PromotionSpec `json:"promotions"`
	// Production is the environment the last lane feeds ("" if none).
	Production string `json:"production,omitempty"`
}

// Lane is one lane and the environment it feeds.
type Lane struct {
	Name      string `json:"name"`
	Protected bool   `json:"protected"`
	Env       string `json:"env,omitempty"`
}

// PlatformEnv is an environment as declared.
type PlatformEnv struct {
	Name       string   `json:"name"`
	Lane       string   `json:"lane"`
	AutoSync   bool     `json:"autoSync"`
	Drift      string   `json:"drift"`
	Production bool     `json:"production"`
	Targets    []Target `json:"targets"`
}

// Target is where an environment runs. Kubeconfig paths and Terraform
// backend configuration (which may hold credentials) are left out.
type Target struct {
	Name       string   `json:"name"`
	Cloud      string   `json:"cloud,omitempty"`
	Order      int      `json:"order"`
	Context    string   `json:"context,omitempty"`   // kube context
	Workspace  string   `json:"workspace,omitempty"` // Terraform workspace
	Backend    string   `json:"backend,omitempty"`   // Terraform backend type
	Components []string `json:"components,omitempty"`
}

// Component is a deployable unit, without its per-environment inputs.
type Component struct {
	Name      string   `json:"name"`
	Type      string   `json:"type"`
	Path      string   `json:"path"`
	DependsOn []string `json:"dependsOn,omitempty"`
}

// PromotionSpec is how a lane is fed and what guards it.
type PromotionSpec struct {
	From      string   `json:"from"`
	To        string   `json:"to"`
	Candidate string   `json:"candidate"`
	Auto      bool     `json:"auto"`
	Gates     []string `json:"gates"` // e.g. "checks", "deployed: staging", "approvals: 2"
}

// ProductionEnv is the environment the last lane feeds: the one production
// actions (admin only by default) and DORA are about.
func ProductionEnv(p *platform.Platform) string {
	names := p.LaneNames()
	if len(names) == 0 {
		return ""
	}
	if e, ok := p.EnvForLane(names[len(names)-1]); ok {
		return e.Name
	}
	return ""
}

// PlatformOf builds the platform view.
func PlatformOf(p *platform.Platform) Platform {
	prod := ProductionEnv(p)
	v := Platform{Name: p.Metadata.Name, Production: prod, Lanes: []Lane{}, Environments: []PlatformEnv{},
		Components: []Component{}, Promotions: []PromotionSpec{}}
	for _, l := range p.Spec.Lanes {
		ln := Lane{Name: l.Name, Protected: l.Protected}
		if e, ok := p.EnvForLane(l.Name); ok {
			ln.Env = e.Name
		}
		v.Lanes = append(v.Lanes, ln)
	}
	for _, e := range p.Spec.Environments {
		pe := PlatformEnv{Name: e.Name, Lane: e.Lane, AutoSync: e.AutoSync, Drift: string(e.Drift), Production: e.Name == prod,
			Targets: targetsOf(e)}
		v.Environments = append(v.Environments, pe)
	}
	for _, c := range p.ComponentOrder() {
		v.Components = append(v.Components, Component{Name: c.Name, Type: string(c.Type), Path: c.Path, DependsOn: c.DependsOn})
	}
	for _, pr := range p.Spec.Promotions {
		v.Promotions = append(v.Promotions, PromotionSpec{From: pr.From, To: pr.To, Candidate: pr.Candidate, Auto: pr.Auto,
			Gates: gatesOf(pr.Gates)})
	}
	return v
}

func targetsOf(e platform.Environment) []Target {
	out := []Target{}
	for _, t := range e.OrderedTargets() {
		vt := Target{Name: t.Name, Cloud: t.Cloud, Order: t.Order, Components: t.Components}
		if t.Kube != nil {
			vt.Context = t.Kube.Context
		}
		if t.Terraform != nil {
			vt.Workspace, vt.Backend = t.Terraform.Workspace, t.Terraform.Backend
		}
		out = append(out, vt)
	}
	return out
}

func gatesOf(g platform.Gates) []string {
	out := []string{}
	if g.Checks {
		out = append(out, "checks")
	}
	if g.Deployed != "" {
		out = append(out, "deployed: "+g.Deployed)
	}
	if g.Verified {
		out = append(out, "verified")
	}
	if g.Approvals > 0 {
		out = append(out, "approvals: "+itoa(g.Approvals))
	}
	if g.Verify != nil {
		out = append(out, "verify")
	}
	return out
}
