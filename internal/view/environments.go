package view

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"ferry.dev/ferry/internal/agent"
	"ferry.dev/ferry/internal/platform"
	"ferry.dev/ferry/internal/store"
)

// Source is what the read models read: the platform model, the store and
// the lane heads as of the last fetch.
type Source struct {
	P     *platform.Platform
	Store store.Store
	// Heads are lane → commit; a lane missing from it has an unknown head.
	Heads map[string]string
}

// Sync states of an environment.
const (
	SyncSynced        = "synced"         // runs its lane head
	SyncOutOfSync     = "out-of-sync"    // its lane moved past what runs
	SyncNeverDeployed = "never-deployed" // nothing succeeded yet
	SyncUnknown       = "unknown"        // the lane head is not known
)

// Environment is one environment as the control room shows it.
type Environment struct {
	Name       string `json:"name"`
	Lane       string `json:"lane"`
	Production bool   `json:"production"`
	AutoSync   bool   `json:"autoSync"`
	DriftMode  string `json:"driftMode"`
	LaneHead   string `json:"laneHead,omitempty"`
	Sync       string `json:"sync"`
	// Revision and Version run there: the last successful deployment's.
	Revision   string    `json:"revision,omitempty"`
	Version    string    `json:"version,omitempty"`
	DeployedAt time.Time `json:"deployedAt,omitzero"`
	// Deployment is the latest deployment, whatever its status.
	Deployment *DeploymentRef `json:"deployment,omitempty"`
	Targets    []TargetState  `json:"targets"`
	// Drift is the last drift found since the last successful deployment.
	Drift *Drift `json:"drift,omitempty"`
	// Lock is who holds the environment's lock now (a sync in progress).
	Lock  *Lock         `json:"lock,omitempty"`
	Agent *AgentOutcome `json:"agent,omitempty"`
}

// DeploymentRef names a deployment and its state.
type DeploymentRef struct {
	ID        int64        `json:"id"`
	Status    store.Status `json:"status"`
	Revision  string       `json:"revision"`
	Actor     string       `json:"actor"`
	StartedAt time.Time    `json:"startedAt"`
	EndedAt   time.Time    `json:"endedAt,omitzero"`
}

// TargetState is one target: what runs there and how the latest
// deployment went on it.
type TargetState struct {
	Name     string `json:"name"`
	Cloud    string `json:"cloud,omitempty"`
	Order    int    `json:"order"`
	Revision string `json:"revision,omitempty"`
	Version  string `json:"version,omitempty"`
	// Status is the target's result in the latest deployment ("" if it
	// had none).
	Status  store.Status `json:"status,omitempty"`
	Healthy bool         `json:"healthy"`
	Health  string       `json:"health"`
	Error   string       `json:"error,omitempty"`
}

// Drift is drift the agent recorded.
type Drift struct {
	At       time.Time `json:"at"`
	Revision string    `json:"revision,omitempty"`
	Mode     string    `json:"mode,omitempty"`
	Details  string    `json:"details"`
	// Objects are the drifted Kubernetes objects (apiVersion/Kind/
	// namespace/name, with the field paths that differ) and Terraform
	// addresses the drift check found, at most agent.MaxDriftObjects of
	// ObjectsTotal.
	Objects      []store.ObjectChange `json:"objects,omitempty"`
	ObjectsTotal int                  `json:"objectsTotal,omitempty"`
}

// Lock is a held environment lock.
type Lock struct {
	Owner     string    `json:"owner"`
	ExpiresAt time.Time `json:"expiresAt"`
}

// AgentOutcome is what ferry serve last did to the environment.
type AgentOutcome struct {
	At      time.Time    `json:"at"`
	Action  agent.Action `json:"action"`
	Message string       `json:"message"`
}

// Environments builds every environment's view, in ferry.yaml's order,
// from three reads of the store whatever the number of environments: the
// held locks, each environment's newest and newest successful deployment
// (one batch), each one's newest drift and agent outcome (one batch).
func Environments(ctx context.Context, src Source) ([]Environment, error) {
	return environments(ctx, src, src.P.Spec.Environments)
}

// EnvironmentOf builds one environment's view (an *UnknownError when
// ferry.yaml has no such environment).
func EnvironmentOf(ctx context.Context, src Source, name string) (Environment, error) {
	e, ok := src.P.Env(name)
	if !ok {
		return Environment{}, &UnknownError{What: "environment", Name: name}
	}
	out, err := environments(ctx, src, []platform.Environment{e})
	if err != nil {
		return Environment{}, err
	}
	return out[0], nil
}

// UnknownError: no such environment, lane or record.
type UnknownError struct{ What, Name string }

func (e *UnknownError) Error() string { return fmt.Sprintf("unknown %s %q", e.What, e.Name) }

func environments(ctx context.Context, src Source, envs []platform.Environment) ([]Environment, error) {
	locks, err := src.Store.Locks(ctx)
	if err != nil {
		return nil, err
	}
	var dfs []store.DeploymentFilter
	var efs []store.EventFilter
	for _, e := range envs {
		dfs = append(dfs, store.DeploymentFilter{Env: e.Name, Limit: 1},
			store.DeploymentFilter{Env: e.Name, Status: store.StatusSucceeded, Limit: 1})
		efs = append(efs, store.EventFilter{Kind: agent.EventDrift, Env: e.Name, Limit: 1},
			store.EventFilter{Kind: agent.EventReconcile, Env: e.Name, Limit: 1})
	}
	ds, err := src.Store.DeploymentsEach(ctx, dfs)
	if err != nil {
		return nil, err
	}
	evs, err := src.Store.EventsEach(ctx, efs)
	if err != nil {
		return nil, err
	}
	out := make([]Environment, 0, len(envs))
	for i, e := range envs {
		out = append(out, environment(src, e, records{latest: first(ds[2*i]), good: first(ds[2*i+1]),
			drift: first(evs[2*i]), outcome: first(evs[2*i+1]), locks: locks}))
	}
	return out, nil
}

// records are what an environment's view is derived from.
type records struct {
	latest, good   *store.Deployment
	drift, outcome *store.Event
	locks          []store.Lock
}

func first[T any](xs []T) *T {
	if len(xs) == 0 {
		return nil
	}
	return &xs[0]
}

func environment(src Source, e platform.Environment, in records) Environment {
	v := Environment{Name: e.Name, Lane: e.Lane, Production: e.Name == ProductionEnv(src.P), AutoSync: e.AutoSync,
		DriftMode: string(e.Drift), LaneHead: src.Heads[e.Lane], Targets: []TargetState{}}
	if d := in.latest; d != nil {
		v.Deployment = &DeploymentRef{ID: d.ID, Status: d.Status, Revision: d.Revision, Actor: d.Actor, StartedAt: d.StartedAt, EndedAt: d.EndedAt}
	}
	good := in.good
	switch {
	case good == nil:
		v.Sync = SyncNeverDeployed
	case v.LaneHead == "":
		v.Sync = SyncUnknown
	case good.Revision == v.LaneHead:
		v.Sync = SyncSynced
	default:
		v.Sync = SyncOutOfSync
	}
	if good != nil {
		v.Revision, v.Version, v.DeployedAt = good.Revision, good.Version, good.EndedAt
	}
	v.Targets = targetStates(e, good, in.latest)
	v.Drift = driftOf(in.drift, good)
	for _, l := range in.locks {
		if l.Name == store.EnvLockName(e.Name) {
			v.Lock = &Lock{Owner: l.Owner, ExpiresAt: l.ExpiresAt}
		}
	}
	if ev := in.outcome; ev != nil {
		var o agent.Outcome // as agent.LastOutcome reads it
		if json.Unmarshal([]byte(ev.Data), &o) != nil {
			o = agent.Outcome{Message: ev.Message}
		}
		v.Agent = &AgentOutcome{At: ev.Time, Action: o.Action, Message: o.Message}
	}
	return v
}

func targetStates(e platform.Environment, good, latest *store.Deployment) []TargetState {
	out := []TargetState{}
	for _, t := range e.OrderedTargets() {
		ts := TargetState{Name: t.Name, Cloud: t.Cloud, Order: t.Order, Health: "never deployed"}
		if good != nil {
			ts.Revision, ts.Version, ts.Healthy, ts.Health = good.Revision, good.Version, good.Healthy, "recorded unhealthy"
			if good.Healthy {
				ts.Health = "recorded healthy"
			}
		}
		if latest != nil {
			for _, r := range latest.Targets {
				if r.Target == t.Name {
					ts.Status, ts.Error = r.Status, r.Error
				}
			}
		}
		out = append(out, ts)
	}
	return out
}

// driftOf is the newest drift event of the environment, if nothing was
// deployed since.
func driftOf(ev *store.Event, good *store.Deployment) *Drift {
	if ev == nil || good == nil || !ev.Time.After(good.EndedAt) {
		return nil
	}
	d := &Drift{At: ev.Time, Details: ev.Message}
	var data agent.DriftData
	if json.Unmarshal([]byte(ev.Data), &data) == nil && data.Details != "" {
		d.Revision, d.Mode, d.Details = data.Revision, data.Mode, data.Details
		d.Objects, d.ObjectsTotal = data.Objects, max(data.ObjectsTotal, len(data.Objects))
	}
	return d
}

func itoa(n int) string { return strconv.Itoa(n) }
