package deploy

import (
	"context"
	"fmt"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"ferry.dev/ferry/internal/kube"
	"ferry.dev/ferry/internal/platform"
	"ferry.dev/ferry/internal/store"
)

// TargetStatus is the state of one environment target.
type TargetStatus struct {
	Env          string       `json:"env"`
	Target       string       `json:"target"`
	Revision     string       `json:"revision,omitempty"`
	Version      string       `json:"version,omitempty"`
	DeploymentID int64        `json:"deploymentId,omitempty"`
	Deployment   store.Status `json:"deployment,omitempty"` // status of the latest deployment
	DeployedAt   time.Time    `json:"deployedAt,omitzero"`
	Healthy      bool         `json:"healthy"`
	Health       string       `json:"health"`
	Drift        bool         `json:"drift"`
	// DriftDetails name what differs: "component: summary".
	DriftDetails []string `json:"driftDetails,omitempty"`
	// DriftObjects counts the Kubernetes objects that differ (would be
	// created, configured or pruned); DriftResources the Terraform
	// addresses a plan would add, change or destroy.
	DriftObjects   int `json:"driftObjects,omitempty"`
	DriftResources int `json:"driftResources,omitempty"`
	// DriftChanges are the drifted objects (with their differing field
	// paths, never values) and Terraform addresses, at most
	// store.MaxChanges.
	DriftChanges []store.ObjectChange `json:"driftChanges,omitempty"`
	Error        string               `json:"error,omitempty"`
}

// healthProbe bounds the health check of Status: objects that are not
// healthy within it are reported unhealthy, not waited for.
const healthProbe = 10 * time.Second

// Status reports, per target of env: the revision the latest successful
// deployment put there, its version and the latest deployment's status from
// the store; with live, also health of the applied objects (kstatus) and
// drift (a plan at the deployed revision: Kubernetes dry-run changes,
// Terraform detailed exit code), which contacts clusters and backends.
// Without live, health is what the deployment recorded.
func Status(ctx context.Context, p *platform.Platform, envName string, opts Options, live bool) ([]TargetStatus, error) {
	opts.defaults(p.Dir)
	env, ok := p.Env(envName)
	if !ok {
		return nil, &UnknownEnvError{Env: envName}
	}
	var out []TargetStatus
	for _, t := range env.OrderedTargets() {
		out = append(out, TargetStatus{Env: envName, Target: t.Name, Health: "unknown"})
	}
	if opts.Store == nil {
		return out, ErrNoStore
	}
	latest, err := opts.Store.Deployments(ctx, store.DeploymentFilter{Env: envName, Limit: 1})
	if err != nil {
		return nil, err
	}
	good, err := opts.Store.Deployments(ctx, store.DeploymentFilter{Env: envName, Status: store.StatusSucceeded, Limit: 1})
	if err != nil {
		return nil, err
	}
	if len(good) == 0 {
		for i := range out {
			out[i].Health = "never deployed"
			if len(latest) > 0 {
				out[i].Deployment, out[i].DeploymentID = latest[0].Status, latest[0].ID
			}
		}
		return out, nil
	}
	for i := range out {
		ts := &out[i]
		ts.Revision, ts.Version, ts.DeployedAt = good[0].Revision, good[0].Version, good[0].EndedAt
		ts.Deployment, ts.DeploymentID = latest[0].Status, latest[0].ID
		ts.Healthy, ts.Health = good[0].Healthy, "recorded healthy"
		if !good[0].Healthy {
			ts.Health = "recorded unhealthy"
		}
	}
	if !live {
		return out, nil
	}
	planDrift(ctx, p, envName, good[0].Revision, opts, out)
	for i, t := range env.OrderedTargets() {
		out[i].Healthy, out[i].Health = health(ctx, p, env, t, opts)
	}
	return out, nil
}

// Drift is the drift half of Status with live, for the agent's periodic
// and watch-prompted checks: the plan at the deployed revision, without
// the health probe, trusting objects nobody wrote since ferry's last
// verified apply (Options.TrustVerified). A quiet environment costs a
// render, one list per kind and namespace, and no dry-run per object; an
// edited or deleted object is dry-run and reported as ever. Health comes
// from the store, as Status without live reports it.
func Drift(ctx context.Context, p *platform.Platform, envName string, opts Options) ([]TargetStatus, error) {
	out, err := Status(ctx, p, envName, opts, false)
	if err != nil || len(out) == 0 || out[0].Revision == "" {
		return out, err
	}
	opts.TrustVerified = true
	planDrift(ctx, p, envName, out[0].Revision, opts, out)
	return out, nil
}

// planDrift plans rev (the deployed revision) and marks each target's drift,
// or its error.
func planDrift(ctx context.Context, p *platform.Platform, envName, rev string, opts Options, out []TargetStatus) {
	plan, err := Plan(ctx, p, envName, rev, opts)
	for i := range out {
		if err != nil {
			out[i].Error = err.Error()
		} else {
			driftOf(plan, &out[i])
		}
	}
}

func driftOf(plan *Report, ts *TargetStatus) {
	for _, tr := range plan.Targets {
		if tr.Target != ts.Target {
			continue
		}
		if tr.Error != "" {
			ts.Error = tr.Error
		}
		for _, c := range tr.Components {
			if c.Changed() {
				ts.Drift = true
				ts.DriftDetails = append(ts.DriftDetails, c.Component+": "+c.Summary())
			}
			for _, oc := range c.storeChanges(tr.Target) {
				if oc.Action != kube.ActionUnchanged && len(ts.DriftChanges) < store.MaxChanges {
					ts.DriftChanges = append(ts.DriftChanges, oc)
				}
			}
			objects, resources := c.driftCounts()
			ts.DriftObjects += objects
			ts.DriftResources += resources
		}
	}
}

// Health probes the objects of env's targets (kstatus, each target bounded
// by the probe time) without Status's drift plan: the agent's check after
// a watch saw a managed object change.
func Health(ctx context.Context, p *platform.Platform, envName string, opts Options) ([]TargetStatus, error) {
	opts.defaults(p.Dir)
	env, ok := p.Env(envName)
	if !ok {
		return nil, &UnknownEnvError{Env: envName}
	}
	var out []TargetStatus
	for _, t := range env.OrderedTargets() {
		healthy, h := health(ctx, p, env, t, opts)
		out = append(out, TargetStatus{Env: envName, Target: t.Name, Healthy: healthy, Health: h})
	}
	return out, nil
}

// health checks the inventories of the target's Kubernetes components.
func health(ctx context.Context, p *platform.Platform, env platform.Environment, t platform.Target, opts Options) (bool, string) {
	if t.Kube == nil {
		return true, "no cluster"
	}
	kc, err := opts.Connect(t, p.Spec.Security.AllowExecPlugins)
	if err != nil {
		return false, err.Error()
	}
	if err := kc.Ping(ctx); err != nil {
		return false, err.Error()
	}
	var objs []*unstructured.Unstructured
	for _, c := range components(p, env.Name, t) {
		if c.Type == platform.Terraform {
			continue
		}
		inv, err := kc.ReadInventory(ctx, kube.Owner{Platform: p.Metadata.Name, Env: env.Name, Component: c.Name})
		if err != nil {
			return false, err.Error()
		}
		for _, id := range inv.IDs {
			objs = append(objs, id.Object())
		}
	}
	if err := kc.Wait(ctx, objs, healthProbe); err != nil {
		return false, err.Error()
	}
	return true, fmt.Sprintf("healthy (%d objects)", len(objs))
}

// History lists env's deployments, newest first.
func History(ctx context.Context, st store.Store, envName string, limit int) ([]store.Deployment, error) {
	if st == nil {
		return nil, ErrNoStore
	}
	return st.Deployments(ctx, store.DeploymentFilter{Env: envName, Limit: limit})
}
