package view

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"golang.org/x/sync/errgroup"

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

// Environments builds every environment's view, in ferry.yaml's order.
// The environments are read at once (each is a few indexed reads), so a
// page costs the slowest environment's reads, not their sum.
func Environments(ctx context.Context, src Source) ([]Environment, error) {
	locks, err := src.Store.Locks(ctx)
	if err != nil {
		return nil, err
	}
	envs := src.P.Spec.Environments
	out := make([]Environment, len(envs))
	g, gctx := errgroup.WithContext(ctx)
	for i, e := range envs {
		g.Go(func() (err error) {
			out[i], err = environment(gctx, src, e, locks)
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return out, nil
}

// EnvironmentOf builds one environment's view (ErrUnknownEnv).
func EnvironmentOf(ctx context.Context, src Source, name string) (Environment, error) {
	e, ok := src.P.Env(name)
	if !ok {
		return Environment{}, &UnknownError{What: "environment", Name: name}
	}
	locks, err := src.Store.Locks(ctx)
	if err != nil {
		return Environment{}, err
	}
	return environment(ctx, src, e, locks)
}

// UnknownError: no such environment, lane or record.
type UnknownError struct{ What, Name string }

func (e *UnknownError) Error() string { return fmt.Sprintf("unknown %s %q", e.What, e.Name) }

func environment(ctx context.Context, src Source, e platform.Environment, locks []store.Lock) (Environment, error) {
	v := Environment{Name: e.Name, Lane: e.Lane, Production: e.Name == ProductionEnv(src.P), AutoSync: e.AutoSync,
		DriftMode: string(e.Drift), LaneHead: src.Heads[e.Lane], Targets: []TargetState{}}
	latest, err := src.Store.Deployments(ctx, store.DeploymentFilter{Env: e.Name, Limit: 1})
	if err != nil {
		return v, err
	}
	var good *store.Deployment
	if len(latest) > 0 {
		d := latest[0]
		v.Deployment = &DeploymentRef{ID: d.ID, Status: d.Status, Revision: d.Revision, Actor: d.Actor, StartedAt: d.StartedAt, EndedAt: d.EndedAt}
		if d.Status == store.StatusSucceeded {
			good = &d
		} else {
			ok, err := src.Store.Deployments(ctx, store.DeploymentFilter{Env: e.Name, Status: store.StatusSucceeded, Limit: 1})
			if err != nil {
				return v, err
			}
			if len(ok) > 0 {
				good = &ok[0]
			}
		}
	}
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
	v.Targets = targetStates(e, good, latest)
	if v.Drift, err = driftOf(ctx, src.Store, e.Name, good); err != nil {
		return v, err
	}
	for _, l := range locks {
		if l.Name == store.EnvLockName(e.Name) {
			v.Lock = &Lock{Owner: l.Owner, ExpiresAt: l.ExpiresAt}
		}
	}
	out, at, ok, err := agent.LastOutcome(ctx, src.Store, e.Name)
	if err != nil {
		return v, err
	}
	if ok {
		v.Agent = &AgentOutcome{At: at, Action: out.Action, Message: out.Message}
	}
	return v, nil
}

func targetStates(e platform.Environment, good *store.Deployment, latest []store.Deployment) []TargetState {
	out := []TargetState{}
	for _, t := range e.OrderedTargets() {
		ts := TargetState{Name: t.Name, Cloud: t.Cloud, Order: t.Order, Health: "never deployed"}
		if good != nil {
			ts.Revision, ts.Version, ts.Healthy, ts.Health = good.Revision, good.Version, good.Healthy, "recorded unhealthy"
			if good.Healthy {
				ts.Health = "recorded healthy"
			}
		}
		if len(latest) > 0 {
			for _, r := range latest[0].Targets {
				if r.Target == t.Name {
					ts.Status, ts.Error = r.Status, r.Error
				}
			}
		}
		out = append(out, ts)
	}
	return out
}

// driftOf is the newest drift event of env, if nothing deployed since.
func driftOf(ctx context.Context, st store.Store, env string, good *store.Deployment) (*Drift, error) {
	evs, err := st.Events(ctx, store.EventFilter{Kind: agent.EventDrift, Env: env, Limit: 1})
	if err != nil || len(evs) == 0 {
		return nil, err
	}
	ev := evs[0]
	if good == nil || !ev.Time.After(good.EndedAt) {
		return nil, nil
	}
	d := &Drift{At: ev.Time, Details: ev.Message}
	var data struct{ Revision, Mode, Details string }
	if json.Unmarshal([]byte(ev.Data), &data) == nil && data.Details != "" {
		d.Revision, d.Mode, d.Details = data.Revision, data.Mode, data.Details
	}
	return d, nil
}

func itoa(n int) string { return strconv.Itoa(n) }
