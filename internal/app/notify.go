package app

import (
	"errors"
	"strconv"
	"time"

	"ferry.dev/ferry/internal/deploy"
	"ferry.dev/ferry/internal/flow"
	"ferry.dev/ferry/internal/notify"
	"ferry.dev/ferry/internal/platform"
	"ferry.dev/ferry/internal/store"
)

// DefaultNotifyDrain bounds how long Close waits for the notifications of
// an App that made its own dispatcher (the command line's case).
const DefaultNotifyDrain = 10 * time.Second

// startNotify gives the App a dispatcher: the caller's, or its own when
// ferry.yaml declares sinks (then Close drains it).
func (a *App) startNotify() {
	a.notify = a.opts.Notify
	if a.notify == nil && len(a.P.Spec.Notifications.Sinks) > 0 {
		a.notify = notify.New(notify.Options{Store: a.Store, Log: a.Log, Actor: a.Actor})
		a.ownNotify = true
	}
}

// closeNotify delivers what is queued, for at most the drain time.
func (a *App) closeNotify() {
	if a.ownNotify {
		drain := a.opts.NotifyDrain
		if drain <= 0 {
			drain = DefaultNotifyDrain
		}
		a.notify.Close(drain)
	}
}

// Notify queues an event for the sinks ferry.yaml's rules pick; it never
// waits for them.
func (a *App) Notify(ev notify.Event) {
	if ev.Actor == "" {
		ev.Actor = a.Actor
	}
	a.notify.Notify(a.P, ev)
}

// notifySync tells of a sync that recorded a deployment: on-deployed or
// on-deploy-failed. A sync refused before it started (an unknown
// environment, a held lock) or cut off (aborted) is not a deployment result.
func (a *App) notifySync(rep *deploy.Report, err error) {
	if rep == nil || rep.DeploymentID == 0 || rep.Status == store.StatusAborted {
		return
	}
	ev := notify.Event{Trigger: platform.OnDeployed, Env: rep.Env, Revision: rep.Revision, Version: rep.Version,
		Deployment: rep.DeploymentID, Message: "deployment " + itoa(rep.DeploymentID) + " succeeded"}
	if err != nil {
		ev.Trigger, ev.Message = platform.OnDeployFailed, err.Error()
	}
	a.Notify(ev)
}

// notifyBlocked tells of a promotion or release its gates refused.
func (a *App) notifyBlocked(res *flow.Plan, err error) {
	var ge *flow.GateError
	if !errors.As(err, &ge) || res == nil {
		return
	}
	a.Notify(notify.Event{Trigger: platform.OnPromotionBlocked, Env: a.laneEnv(res.To, res.From),
		Revision: res.Candidate, Message: err.Error()})
}

// laneEnv is the environment lane feeds, else the one fallback feeds.
func (a *App) laneEnv(lane, fallback string) string {
	if e, ok := a.P.EnvForLane(lane); ok {
		return e.Name
	}
	if e, ok := a.P.EnvForLane(fallback); ok {
		return e.Name
	}
	return ""
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
