package agent

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"ferry.dev/ferry/internal/app"
	"ferry.dev/ferry/internal/deploy"
	"ferry.dev/ferry/internal/flow"
	"ferry.dev/ferry/internal/platform"
	"ferry.dev/ferry/internal/store"
)

// reconcile makes env equal to its lane, once. It is idempotent: with
// nothing new (same lane head, no drift due) it reads the mirror and the
// store and writes nothing. A returned error is transient (retried with
// backoff); terminal failures are recorded and wait for a new revision.
func (a *Agent) reconcile(ctx context.Context, envName string) error {
	ctx = a.withReconcileLog(ctx)
	a.mu.Lock()
	model := a.model
	a.mu.Unlock()
	if model == nil {
		return errors.New("no platform model yet (ferry.yaml not fetched)")
	}
	env, ok := model.Env(envName)
	if !ok {
		return nil // removed from ferry.yaml since it was queued
	}
	head, err := a.mirror.Head(ctx, env.Lane)
	if err != nil {
		a.record(ctx, envName, Outcome{Action: ActionBlocked, Message: fmt.Sprintf("lane %s: %v", env.Lane, err)})
		return nil
	}
	// The environment's own lane decides how it is run: its autoSync,
	// drift mode and interval, and the promotions it feeds.
	pm, err := a.mirror.Platform(ctx, head)
	if err != nil {
		a.record(ctx, envName, Outcome{Action: ActionBlocked, Revision: head,
			Message: fmt.Sprintf("ferry.yaml at %s does not load; waiting for a new revision: %v", short(head), err)})
		return nil
	}
	if env, ok = pm.Env(envName); !ok {
		a.record(ctx, envName, Outcome{Action: ActionBlocked, Revision: head,
			Message: fmt.Sprintf("ferry.yaml at %s has no environment %s", short(head), envName)})
		return nil
	}
	ap, err := app.New(ctx, pm, app.Options{Store: a.cfg.Store, Actor: a.cfg.Actor,
		Log: a.logFor(ctx), Deploy: a.cfg.Deploy, Notify: a.cfg.Notify}) // deploy adds env, revision and deployment
	if err != nil {
		return fmt.Errorf("reconcile %s: %w", envName, err)
	}
	defer ap.Close()
	r := &pass{a: a, ap: ap, env: env, head: head, s: a.state(envName)}
	r.s.driftEvery = env.DriftInterval.Duration
	return r.run(ctx)
}

// pass is one reconcile of one environment.
type pass struct {
	a    *Agent
	ap   *app.App
	env  platform.Environment
	head string
	s    *envState
	good *store.Deployment // the last successful deployment
}

func (r *pass) run(ctx context.Context) error {
	good, err := r.ap.Store.Deployments(ctx, store.DeploymentFilter{Env: r.env.Name, Status: store.StatusSucceeded, Limit: 1})
	if err != nil {
		return fmt.Errorf("read deployments of %s: %w", r.env.Name, err)
	}
	if len(good) > 0 {
		r.good = &good[0]
	}
	r.s.deployed = r.good
	synced := r.good != nil && r.good.Revision == r.head
	switch {
	case !synced && r.env.AutoSync:
		if err := r.sync(ctx); err != nil {
			return err
		}
	case !synced:
		r.a.record(ctx, r.env.Name, Outcome{Action: ActionOutOfSync, Revision: r.head, Waiting: r.head,
			Message: fmt.Sprintf("out of sync: %s is at %s, %s runs %s; autoSync is off, so it waits for ferry sync %s",
				r.env.Lane, short(r.head), r.env.Name, deployedRev(r.good), r.env.Name)})
		if err := r.drift(ctx); err != nil {
			return err
		}
	default:
		if r.s.outcome.Action == "" || r.s.outcome.Revision != r.head {
			r.a.record(ctx, r.env.Name, Outcome{Action: ActionUpToDate, Revision: r.head, Deployment: r.good.ID,
				Message: fmt.Sprintf("up to date: %s runs %s (deployment %d)", r.env.Name, short(r.head), r.good.ID)})
		}
		if err := r.drift(ctx); err != nil {
			return err
		}
	}
	r.a.refreshWatches(ctx, r.env, r.good)
	r.hydrate(ctx)
	return r.promote(ctx)
}

// deployStatus is a sync's result as ferry_deployments_total counts it.
func deployStatus(err error) string {
	switch {
	case err == nil:
		return "succeeded"
	case deploy.IsTerminal(err):
		return "blocked"
	default:
		return "failed"
	}
}

func deployedRev(d *store.Deployment) string {
	if d == nil {
		return "nothing yet"
	}
	return short(d.Revision)
}

// sync deploys the lane head, unless it already failed terminally.
func (r *pass) sync(ctx context.Context) error {
	if r.s.terminalRev == r.head {
		return nil // recorded when it failed; waits for the lane to move
	}
	if r.a.rolledBackFrom(ctx, r.env.Name, r.head) {
		r.s.terminalRev = r.head // an earlier leader rolled it back after its verification failed
		return nil
	}
	start := time.Now()
	rep, err := r.ap.Sync(ctx, r.env.Name, r.head)
	r.a.cfg.Metrics.Deployed(r.env.Name, deployStatus(err), time.Since(start))
	id := int64(0)
	if rep != nil {
		id = rep.DeploymentID
	}
	switch {
	case err == nil:
		r.good = &store.Deployment{ID: id, Env: r.env.Name, Revision: r.head, Status: store.StatusSucceeded}
		r.s.lastDrift = time.Now() // a sync ends verified: no drift right after it
		r.a.record(ctx, r.env.Name, Outcome{Action: ActionSynced, Revision: r.head, Deployment: id,
			Message: fmt.Sprintf("synced %s to %s (deployment %d)", r.env.Name, short(r.head), id)})
		return nil
	case deploy.IsTerminal(err):
		r.s.terminalRev = r.head
		r.a.record(ctx, r.env.Name, Outcome{Action: ActionBlocked, Revision: r.head, Deployment: id,
			Message: fmt.Sprintf("sync of %s at %s cannot succeed; waiting for a new revision: %v", r.env.Name, short(r.head), err)})
		return nil
	default:
		r.a.record(ctx, r.env.Name, Outcome{Action: ActionFailed, Revision: r.head, Deployment: id,
			Message: fmt.Sprintf("sync of %s at %s failed; retrying with backoff: %v", r.env.Name, short(r.head), err)})
		return err
	}
}

// drift checks, when the interval is due or a watch saw a managed object
// change, whether the environment still equals what was deployed.
func (r *pass) drift(ctx context.Context) error {
	if r.good == nil {
		return nil
	}
	r.a.mu.Lock() // driftNow is set by the watches' goroutines
	hinted := r.s.driftNow
	r.s.driftNow = false
	r.a.mu.Unlock()
	due := time.Since(r.s.lastDrift) >= r.env.DriftInterval.Duration
	if !due && !hinted {
		return nil
	}
	r.s.lastDrift = time.Now()
	ts, err := r.ap.Drift(ctx, r.env.Name)
	if err != nil {
		return fmt.Errorf("drift check of %s: %w", r.env.Name, err)
	}
	if hinted {
		r.health(ctx)
	}
	for _, t := range ts {
		if t.Error != "" {
			return fmt.Errorf("drift check of %s/%s: %s", r.env.Name, t.Target, t.Error)
		}
		r.a.cfg.Metrics.Drift(r.env.Name, t.Target, t.DriftObjects, t.DriftResources)
	}
	details, objects := driftOf(ts)
	if len(details) == 0 {
		r.s.driftSeen = ""
		if r.s.outcome.Action == ActionDrift {
			r.a.record(ctx, r.env.Name, Outcome{Action: ActionUpToDate, Revision: r.head, Deployment: r.good.ID,
				Message: fmt.Sprintf("drift in %s is gone: it runs %s again", r.env.Name, short(r.good.Revision))})
		}
		return nil
	}
	return r.onDrift(ctx, details, objects)
}

func (r *pass) onDrift(ctx context.Context, details string, objects []store.ObjectChange) error {
	rev := r.good.Revision
	if r.env.Drift != platform.DriftHeal {
		if details != r.s.driftSeen {
			r.s.driftSeen = details
			r.a.recordDrift(ctx, r.env.Name, rev, details, "detect", objects)
			r.notifyDrift(rev, details)
		}
		r.a.record(ctx, r.env.Name, Outcome{Action: ActionDrift, Revision: r.head,
			Message: fmt.Sprintf("drift in %s (deployed %s): %s", r.env.Name, short(rev), details)})
		return nil
	}
	r.a.recordDrift(ctx, r.env.Name, rev, details, "heal", objects)
	r.notifyDrift(rev, details)
	start := time.Now()
	rep, err := r.ap.Sync(ctx, r.env.Name, rev)
	r.a.cfg.Metrics.Deployed(r.env.Name, deployStatus(err), time.Since(start))
	if err != nil {
		r.a.record(ctx, r.env.Name, Outcome{Action: ActionFailed, Revision: r.head,
			Message: fmt.Sprintf("healing drift in %s failed: %v", r.env.Name, err)})
		return err
	}
	r.s.lastDrift, r.s.driftSeen = time.Now(), ""
	r.a.record(ctx, r.env.Name, Outcome{Action: ActionHealed, Revision: r.head, Deployment: rep.DeploymentID,
		Message: fmt.Sprintf("healed drift in %s: synced %s back (deployment %d): %s", r.env.Name, short(rev), rep.DeploymentID, details)})
	return nil
}

// promote makes the auto promotions out of this environment's lane whose
// gates pass, exactly as ferry promote would. It tries each candidate once
// per state its gates read — this lane's head, the deployment, the target
// lane's head and the latest approval — so an idle pass does no Git work
// and an approval or a repaired target lane is acted on.
func (r *pass) promote(ctx context.Context) error {
	for _, pr := range r.ap.P.Spec.Promotions {
		if !pr.Auto || pr.From != r.env.Lane {
			continue
		}
		key := r.head + "/" + deployedRev(r.good) + "/" + r.a.promotionState(pr.To)
		if r.s.promoteTried[pr.To] == key {
			continue
		}
		var res *flow.Result
		err := r.a.mirror.locked(func() (err error) {
			res, err = r.ap.Promote(ctx, pr.To, flow.PromoteOptions{})
			return err
		})
		var ge *flow.GateError
		switch {
		case errors.As(err, &ge):
			r.a.cfg.Metrics.Promotion(pr.From, pr.To, "blocked")
			r.a.cfg.Metrics.Gates(pr.To, ge.Refused())
			r.a.logFor(ctx).Info("auto promotion waits for its gates", "env", r.env.Name, "to", pr.To, "reason", err.Error())
			if until, ok := ge.PendingUntil(); ok {
				r.a.requeueAt(r.env.Name, until) // a soak ends: try again then
				continue
			}
			r.s.promoteTried[pr.To] = key
			if g, failed := ge.Failed("verify"); failed {
				if err := r.verificationFailed(ctx, pr, g); err != nil {
					return err
				}
			}
			continue
		case err != nil:
			r.a.cfg.Metrics.Promotion(pr.From, pr.To, "failed")
			return fmt.Errorf("auto promotion %s -> %s: %w", pr.From, pr.To, err)
		}
		r.s.promoteTried[pr.To] = key
		r.a.cfg.Metrics.Gates(pr.To, nil)
		if res.Commit != "" {
			r.a.cfg.Metrics.Promotion(pr.From, pr.To, "promoted")
			r.a.record(ctx, r.env.Name, Outcome{Action: ActionPromoted, Revision: r.head,
				Message: fmt.Sprintf("promoted %s -> %s: %s is now at %s (promotion %d)", pr.From, pr.To, pr.To, short(res.Commit), res.PromotionID)})
			r.a.queueLane(pr.To)
		}
	}
	return nil
}

// queueLane queues the environment a lane feeds (after a promotion moved
// it: the mirror's refs already have the push).
func (a *Agent) queueLane(lane string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.model == nil || a.q == nil {
		return
	}
	if env, ok := a.model.EnvForLane(lane); ok {
		a.q.Add(env.Name)
	}
}

// scheduleDrift queues env for its next drift check, keeping at most one
// timer per environment.
func (a *Agent) scheduleDrift(env string) {
	a.mu.Lock()
	model, q := a.model, a.q
	a.mu.Unlock()
	if model == nil || q == nil {
		return
	}
	if _, ok := model.Env(env); !ok {
		return
	}
	s := a.state(env)
	// The interval of the environment's own lane, as the pass used it
	// (the first lane's may differ until it is promoted).
	every := s.driftEvery
	if every <= 0 {
		return
	}
	next := s.lastDrift.Add(every)
	if s.lastDrift.IsZero() || next.Before(time.Now()) {
		next = time.Now().Add(every)
	}
	if !s.driftAt.IsZero() && !s.driftAt.Before(time.Now()) && !next.Before(s.driftAt) {
		return // an earlier or equal timer is pending
	}
	s.driftAt = next
	q.AddAfter(env, time.Until(next))
}

// EventDrift is the store event of drift found in an environment.
const EventDrift = "drift"

func (a *Agent) recordDrift(ctx context.Context, env, rev, details, mode string, objects []store.ObjectChange) {
	e := driftEvent(env, rev, details, mode, objects)
	a.recordEvent(ctx, e.Kind, env, e.Message, json.RawMessage(e.Data))
}

// driftOf is what a drift check found: the one-line details per target
// ("" when nothing differs) and the drifted objects.
func driftOf(ts []deploy.TargetStatus) (string, []store.ObjectChange) {
	var details []string
	var objects []store.ObjectChange
	for _, t := range ts {
		for _, d := range t.DriftDetails {
			details = append(details, t.Target+"/"+d)
		}
		objects = append(objects, t.DriftChanges...)
	}
	return strings.Join(details, "; "), objects
}

// DriftEvent is the event the agent records for a drift check of env at
// the deployed revision rev (mode detect or heal) that found ts; ok is
// false when nothing differs. The actor and time are the recorder's.
func DriftEvent(env, rev, mode string, ts []deploy.TargetStatus) (e store.Event, ok bool) {
	details, objects := driftOf(ts)
	if details == "" {
		return store.Event{}, false
	}
	return driftEvent(env, rev, details, mode, objects), true
}

func driftEvent(env, rev, details, mode string, objects []store.ObjectChange) store.Event {
	data, _ := json.Marshal(DriftData{Revision: rev, Mode: mode, Details: details,
		Objects: objects[:min(len(objects), MaxDriftObjects)], ObjectsTotal: len(objects)})
	return store.Event{Kind: EventDrift, Env: env, Message: fmt.Sprintf("drift in %s at %s: %s", env, short(rev), details), Data: string(data)}
}

// MaxDriftObjects is how many drifted objects a drift event lists.
const MaxDriftObjects = 200

// DriftData is the data of a drift event: the deployed revision, the mode,
// the one-line details and the drifted objects — Kubernetes objects with
// the field paths that differ (never their values) and Terraform
// addresses — at most MaxDriftObjects of ObjectsTotal.
type DriftData struct {
	Revision     string               `json:"revision"`
	Mode         string               `json:"mode"`
	Details      string               `json:"details"`
	Objects      []store.ObjectChange `json:"objects,omitempty"`
	ObjectsTotal int                  `json:"objectsTotal,omitempty"`
}
