package agent

import (
	"context"
	"fmt"
	"strings"

	"ferry.dev/ferry/internal/deploy"
	"ferry.dev/ferry/internal/notify"
	"ferry.dev/ferry/internal/platform"
)

// The notifications only the agent sees: drift, and health degrading after
// a deployment. The use cases (sync, promote) notify for themselves.

func (r *pass) notifyDrift(rev, details string) {
	r.ap.Notify(notify.Event{Trigger: platform.OnDrift, Env: r.env.Name, Revision: rev,
		Message: fmt.Sprintf("drift in %s (%s mode): %s", r.env.Name, r.env.Drift, details)})
}

// health probes the environment's objects after a watch saw one change,
// and notifies when a target turns unhealthy. It runs only when a rule
// sends on-health-degraded for this environment: the probe waits for
// unhealthy objects (up to deploy's probe bound), which a quiet drift
// check otherwise never pays.
func (r *pass) health(ctx context.Context) {
	if r.good == nil || len(r.ap.P.Spec.Notifications.SinksFor(platform.OnHealthDegraded, r.env.Name)) == 0 {
		return
	}
	ts, err := deploy.Health(ctx, r.ap.P, r.env.Name, r.ap.DeployOptions())
	if err != nil {
		return // the drift check reports what is wrong with reaching the targets
	}
	var bad []string
	for _, t := range ts {
		if !t.Healthy {
			bad = append(bad, t.Target+": "+t.Health)
		}
	}
	was := r.s.unhealthy
	r.s.unhealthy = len(bad) > 0
	if len(bad) == 0 || was {
		return
	}
	r.a.logFor(ctx).Warn("health degraded", "env", r.env.Name, "targets", strings.Join(bad, "; "))
	r.ap.Notify(notify.Event{Trigger: platform.OnHealthDegraded, Env: r.env.Name, Revision: r.good.Revision,
		Deployment: r.good.ID, Message: fmt.Sprintf("%s is not healthy: %s", r.env.Name, strings.Join(bad, "; "))})
}
