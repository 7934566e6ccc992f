package agent

import (
	"context"
	"log/slog"
)

// hydrate keeps the environment's hydrated branch (spec.environments[].
// hydrate) at what it runs: the last successful deployment or, with
// autoSync off (Argo CD or Flux applies the branch), the lane's head. Each
// revision is hydrated once per process; a failure is logged and retried
// at the next pass, never blocking the environment's reconcile.
func (r *pass) hydrate(ctx context.Context) {
	if r.env.Hydrate == nil {
		return
	}
	rev := r.head
	if r.env.AutoSync {
		if r.good == nil {
			return // nothing deployed yet
		}
		rev = r.good.Revision
	}
	if r.s.hydrated == rev {
		return
	}
	res, err := r.ap.Hydrate(ctx, r.env.Name, rev, r.env.HydrateBranch())
	log := r.a.logFor(ctx).With("env", r.env.Name, "branch", r.env.HydrateBranch(), "revision", rev)
	if err != nil {
		log.Warn("hydrate failed; retried at the next reconcile", slog.Any("error", err))
		return
	}
	r.s.hydrated = rev
	if res.Changed {
		log.Info("hydrated", "commit", res.Commit, "objects", res.Objects)
	}
}
