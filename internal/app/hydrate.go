package app

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"ferry.dev/ferry/internal/deploy"
	"ferry.dev/ferry/internal/hydrate"
	"ferry.dev/ferry/internal/store"
)

// EventHydrate is the audit event of a hydrate commit.
const EventHydrate = "hydrate"

// Hydrate commits env's rendered manifests to its hydrated branch (branch,
// default env/<name>) at ref, or else at the revision env last deployed
// successfully, or else at its lane's head. With a remote the branch is
// pushed. A commit is recorded as an event; equal manifests make none.
func (a *App) Hydrate(ctx context.Context, env, ref, branch string) (*hydrate.Result, error) {
	e, err := a.Flow(ctx)
	if err != nil {
		return nil, err
	}
	if err := e.Sync(ctx); err != nil {
		return nil, err
	}
	rev, source, err := a.hydrateRevision(ctx, env, ref)
	if err != nil {
		return nil, err
	}
	m, err := deploy.RenderEnv(ctx, a.P, env, rev, a.DeployOptions())
	if err != nil {
		return nil, err
	}
	res, err := hydrate.Hydrate(ctx, a.Repo, m, hydrate.Options{Branch: branch, Remote: e.Remote, Source: source})
	if err != nil || !res.Changed {
		return res, err
	}
	data, _ := json.Marshal(map[string]any{"branch": res.Branch, "commit": res.Commit, "revision": res.Revision, "version": res.Version})
	msg := fmt.Sprintf("hydrated %s to %s at %s", env, res.Branch, short(res.Revision))
	if _, err := a.Store.AppendEvent(ctx, store.Event{Kind: EventHydrate, Env: env, Actor: a.Actor, Time: time.Now(),
		Message: msg, Data: string(data)}); err != nil {
		return res, fmt.Errorf("hydrate %s: committed %s but could not record it: %w", env, short(res.Commit), err)
	}
	return res, nil
}

// hydrateRevision picks what to hydrate: ref when given, else the
// environment's last successful deployment, else its lane's head ("").
func (a *App) hydrateRevision(ctx context.Context, env, ref string) (rev, source string, err error) {
	if ref != "" {
		return ref, "ref", nil
	}
	if _, ok := a.P.Env(env); !ok {
		return "", "", &deploy.UnknownEnvError{Env: env}
	}
	ds, err := a.Store.Deployments(ctx, store.DeploymentFilter{Env: env, Status: store.StatusSucceeded, Limit: 20})
	if err != nil {
		return "", "", fmt.Errorf("hydrate %s: read its deployments: %w", env, err)
	}
	for _, d := range ds {
		if d.Target == "" { // the whole environment, not one target
			return d.Revision, "deployed", nil
		}
	}
	return "", "lane", nil
}

func short(rev string) string {
	if len(rev) > 12 {
		return rev[:12]
	}
	return rev
}
