package agent

import (
	"context"
	"encoding/json"
	"time"

	"ferry.dev/ferry/internal/store"
)

// EventReconcile is the store event kind of what the agent did to an
// environment; ferry status shows the newest one per environment.
const EventReconcile = "agent.reconcile"

// Action is what a reconcile ended with.
type Action string

const (
	ActionSynced    Action = "synced"      // deployed the lane head
	ActionUpToDate  Action = "up-to-date"  // the last deployment is the lane head
	ActionOutOfSync Action = "out-of-sync" // autoSync off: waits for someone to sync
	ActionFailed    Action = "failed"      // transient: retried with backoff
	ActionBlocked   Action = "blocked"     // terminal: waits for a new revision
	ActionDrift     Action = "drift"       // live state differs (detect mode)
	ActionHealed    Action = "healed"      // drift synced back (heal mode)
	ActionPromoted  Action = "promoted"    // an auto promotion moved a lane
)

// Outcome is one reconcile's result, as recorded.
type Outcome struct {
	Action     Action `json:"action"`
	Revision   string `json:"revision,omitempty"`   // the lane head it looked at
	Waiting    string `json:"waiting,omitempty"`    // out of sync: the revision it waits for
	Deployment int64  `json:"deployment,omitempty"` // the deployment it made
	Message    string `json:"message"`
}

// record logs an outcome and, when it differs from the last one recorded
// for env, appends it to the store; a no-op reconcile writes nothing.
func (a *Agent) record(ctx context.Context, env string, o Outcome) {
	s := a.state(env)
	a.noteDeployed(ctx, s, o)
	a.cfg.Metrics.Environment(env, string(o.Action), s.deployed)
	log := a.logFor(ctx).With("env", env, "action", string(o.Action), "revision", o.Revision)
	if o.Deployment != 0 {
		log = log.With("deployment", o.Deployment)
	}
	if o == s.outcome {
		log.Debug(o.Message)
		return
	}
	if o.Action == ActionFailed || o.Action == ActionBlocked {
		log.Error(o.Message)
	} else {
		log.Info(o.Message)
	}
	data, _ := json.Marshal(o)
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if _, err := a.cfg.Store.AppendEvent(rctx, store.Event{Kind: EventReconcile, Env: env, Actor: a.cfg.Actor,
		Time: time.Now(), Message: o.Message, Data: string(data)}); err != nil {
		log.Error("record reconcile outcome", "error", err.Error())
		return
	}
	s.outcome = o
}

// noteDeployed keeps s.deployed at env's last successful deployment: an
// outcome that made one (synced, healed) names it.
func (a *Agent) noteDeployed(ctx context.Context, s *envState, o Outcome) {
	if o.Deployment == 0 || (s.deployed != nil && s.deployed.ID == o.Deployment) {
		return
	}
	if o.Action != ActionSynced && o.Action != ActionHealed && o.Action != ActionUpToDate {
		return
	}
	d, err := a.cfg.Store.Deployment(ctx, o.Deployment)
	if err == nil && d.Status == store.StatusSucceeded {
		s.deployed = &d
	}
}

// LastOutcome reads the newest recorded outcome of env from the store (ok
// false when the agent never reconciled it).
func LastOutcome(ctx context.Context, st store.Store, env string) (Outcome, time.Time, bool, error) {
	evs, err := st.Events(ctx, store.EventFilter{Kind: EventReconcile, Env: env, Limit: 1})
	if err != nil || len(evs) == 0 {
		return Outcome{}, time.Time{}, false, err
	}
	var o Outcome
	if err := json.Unmarshal([]byte(evs[0].Data), &o); err != nil {
		o = Outcome{Message: evs[0].Message}
	}
	return o, evs[0].Time, true, nil
}
