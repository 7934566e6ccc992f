package agent

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"ferry.dev/ferry/internal/flow"
	"ferry.dev/ferry/internal/platform"
	"ferry.dev/ferry/internal/store"
)

// EventVerification is the store event of a failed verify gate.
const EventVerification = "verification.failed"

// requeueAt queues env again at t (a verify gate's soak ends then).
func (a *Agent) requeueAt(env string, t time.Time) {
	a.mu.Lock()
	q := a.q
	a.mu.Unlock()
	if q != nil {
		q.AddAfter(env, time.Until(t)+time.Second)
	}
}

// verificationFailed records a failed verify gate and, when the gate says
// rollback and verifies this environment, syncs the environment back to
// its previous good revision; the lane head is then not deployed again
// until the lane moves (a new revision).
func (r *pass) verificationFailed(ctx context.Context, pr platform.Promotion, g flow.Gate) error {
	msg := fmt.Sprintf("verification of %s for %s -> %s failed: %s", r.env.Name, pr.From, pr.To, g.Reason)
	rollback := pr.Gates.Verify.Rollback && pr.Gates.Deployed == r.env.Name && r.good != nil
	r.a.recordEvent(ctx, EventVerification, r.env.Name, msg, verificationRecord{Revision: r.head, RolledBack: rollback})
	if !rollback {
		return nil
	}
	prev, err := r.previousGood(ctx)
	if err != nil || prev == nil {
		r.a.record(ctx, r.env.Name, Outcome{Action: ActionBlocked, Revision: r.head,
			Message: msg + "; no earlier good deployment to roll back to" + errString(err)})
		return err
	}
	r.s.terminalRev = r.head
	rep, err := r.ap.Sync(ctx, r.env.Name, prev.Revision)
	if err != nil {
		return fmt.Errorf("roll %s back to %s after its failed verification: %w", r.env.Name, short(prev.Revision), err)
	}
	r.a.record(ctx, r.env.Name, Outcome{Action: ActionBlocked, Revision: r.head, Deployment: rep.DeploymentID,
		Message: fmt.Sprintf("%s; rolled %s back to %s (deployment %d); waits for a new revision of %s",
			msg, r.env.Name, short(prev.Revision), rep.DeploymentID, r.env.Lane)})
	return nil
}

// previousGood is the newest successful deployment of another revision
// than the one that failed verification.
func (r *pass) previousGood(ctx context.Context) (*store.Deployment, error) {
	ds, err := r.ap.Store.Deployments(ctx, store.DeploymentFilter{Env: r.env.Name, Status: store.StatusSucceeded, Limit: 50})
	if err != nil {
		return nil, err
	}
	for _, d := range ds {
		if d.Revision != r.good.Revision {
			return &d, nil
		}
	}
	return nil, nil
}

// verificationRecord is the data of a verification.failed event: the lane
// head that failed, and whether the environment was rolled back from it.
type verificationRecord struct {
	Revision   string `json:"revision"`
	RolledBack bool   `json:"rolledBack"`
}

// rolledBackFrom reports whether env was rolled back from rev after a
// failed verification (by this process or an earlier leader): rev is then
// not deployed again.
func (a *Agent) rolledBackFrom(ctx context.Context, env, rev string) bool {
	evs, err := a.cfg.Store.Events(ctx, store.EventFilter{Kind: EventVerification, Env: env, Limit: 1})
	if err != nil || len(evs) == 0 {
		return false
	}
	var v verificationRecord
	return json.Unmarshal([]byte(evs[0].Data), &v) == nil && v.RolledBack && v.Revision == rev
}

// recordEvent appends an audit event of the agent with data (JSON).
func (a *Agent) recordEvent(ctx context.Context, kind, env, msg string, data any) {
	b, _ := json.Marshal(data)
	if _, err := a.cfg.Store.AppendEvent(context.WithoutCancel(ctx), store.Event{Kind: kind, Env: env, Actor: a.cfg.Actor,
		Time: time.Now(), Message: msg, Data: string(b)}); err != nil {
		a.logFor(ctx).Error("record "+kind, "env", env, "error", err.Error())
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return ": " + err.Error()
}
