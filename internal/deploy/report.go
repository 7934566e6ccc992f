package deploy

import (
	"fmt"
	"time"

	"ferry.dev/ferry/internal/kube"
	"ferry.dev/ferry/internal/store"
	"ferry.dev/ferry/internal/terraform"
)

// Report is the outcome of a Sync or a Plan.
type Report struct {
	Env          string         `json:"env"`
	Revision     string         `json:"revision"`
	Version      string         `json:"version,omitempty"`
	DeploymentID int64          `json:"deploymentId,omitempty"`
	Status       store.Status   `json:"status"`
	DryRun       bool           `json:"dryRun"`
	Targets      []TargetReport `json:"targets"`
	// Verified: a plan right after the sync showed no difference.
	Verified     bool   `json:"verified"`
	Verification string `json:"verification,omitempty"`
	// RolledBack names the revision a failed target was returned to.
	RolledBack string `json:"rolledBack,omitempty"`
	Error      string `json:"error,omitempty"`
}

// TargetReport is one target of a Report.
type TargetReport struct {
	Target     string            `json:"target"`
	Status     store.Status      `json:"status"`
	Error      string            `json:"error,omitempty"`
	Components []ComponentReport `json:"components"`
	// terminal: the failure cannot be fixed by retrying this revision.
	terminal bool
}

// ComponentReport is one component on one target.
type ComponentReport struct {
	Component string        `json:"component"`
	Type      string        `json:"type"`
	Status    store.Status  `json:"status"`
	Error     string        `json:"error,omitempty"`
	Duration  time.Duration `json:"duration"`
	// Terraform is the plan summary of a terraform component.
	Terraform *terraform.Summary `json:"terraform,omitempty"`
	// Kube lists the object changes of a Kubernetes component.
	Kube      []kube.Change  `json:"kube,omitempty"`
	Counts    map[string]int `json:"counts,omitempty"`
	Inventory []string       `json:"-"`
}

// driftCounts counts the objects and Terraform addresses that differ.
func (c ComponentReport) driftCounts() (objects, resources int) {
	if c.Terraform != nil {
		resources = c.Terraform.Add + c.Terraform.Change + c.Terraform.Destroy
	}
	for _, ch := range c.Kube {
		if ch.Action != kube.ActionUnchanged {
			objects++
		}
	}
	return objects, resources
}

// Changed reports whether the component changed (or would change) anything.
func (c ComponentReport) Changed() bool {
	if c.Terraform != nil && !c.Terraform.Empty() {
		return true
	}
	for _, ch := range c.Kube {
		if ch.Action != kube.ActionUnchanged {
			return true
		}
	}
	return false
}

// Summary is the one-line form of a component's result.
func (c ComponentReport) Summary() string {
	if c.Terraform != nil {
		return c.Terraform.String()
	}
	if c.Counts != nil {
		return fmt.Sprintf("%d created, %d configured, %d unchanged, %d pruned",
			c.Counts[kube.ActionCreate], c.Counts[kube.ActionConfigure], c.Counts[kube.ActionUnchanged], c.Counts[kube.ActionPrune])
	}
	return ""
}

// Changed reports whether anything changed (or would change).
func (r *Report) Changed() bool {
	for _, t := range r.Targets {
		for _, c := range t.Components {
			if c.Changed() {
				return true
			}
		}
	}
	return false
}

// storeTargets converts the report for the store.
func (r *Report) storeTargets() ([]store.TargetResult, []string) {
	var out []store.TargetResult
	var inv []string
	for _, t := range r.Targets {
		tr := store.TargetResult{Target: t.Target, Status: t.Status, Error: t.Error}
		for _, c := range t.Components {
			tr.Components = append(tr.Components, store.ComponentResult{
				Component: c.Component, Status: c.Status, Summary: c.Summary(), Duration: c.Duration, Error: c.Error,
			})
			for _, id := range c.Inventory {
				inv = append(inv, t.Target+":"+id)
			}
		}
		out = append(out, tr)
	}
	return out, inv
}

// storeChanges lists the report's object changes for the store: every
// Kubernetes object with its action (and changed field paths, never
// values) and every Terraform resource address with its planned action;
// changes before unchanged objects, at most store.MaxChanges, and how many
// there were.
func (r *Report) storeChanges() ([]store.ObjectChange, int) {
	var changed, unchanged []store.ObjectChange
	for _, t := range r.Targets {
		for _, c := range t.Components {
			for _, oc := range c.storeChanges(t.Target) {
				if oc.Action == kube.ActionUnchanged {
					unchanged = append(unchanged, oc)
				} else {
					changed = append(changed, oc)
				}
			}
		}
	}
	all := append(changed, unchanged...)
	return all[:min(len(all), store.MaxChanges)], len(all)
}

// storeChanges lists the component's Terraform addresses and Kubernetes
// objects with their actions (field paths, never values).
func (c ComponentReport) storeChanges(target string) []store.ObjectChange {
	var out []store.ObjectChange
	if c.Terraform != nil {
		for _, ch := range c.Terraform.Changes {
			out = append(out, store.ObjectChange{Target: target, Component: c.Component, Object: ch.Address, Action: ch.Action})
		}
	}
	for _, ch := range c.Kube {
		oc := store.ObjectChange{Target: target, Component: c.Component, Object: ch.ID, Action: ch.Action}
		for _, f := range ch.Fields {
			oc.Fields = append(oc.Fields, f.Path)
		}
		out = append(out, oc)
	}
	return out
}
