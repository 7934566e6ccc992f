package app

import (
	"context"

	"ferry.dev/ferry/internal/deploy"
	"ferry.dev/ferry/internal/flow"
	"ferry.dev/ferry/internal/notify"
	"ferry.dev/ferry/internal/platform"
	"ferry.dev/ferry/internal/store"
)

// Sync deploys env at ref ("" = its lane head): env lock, targets in
// rollout order, components in dependsOn order, health wait, verification,
// recorded on every exit path.
func (a *App) Sync(ctx context.Context, env, ref string) (*deploy.Report, error) {
	rep, err := deploy.Sync(ctx, a.P, env, ref, a.DeployOptions())
	a.notifySync(rep, err)
	return rep, err
}

// Plan shows what Sync would change, writing nothing.
func (a *App) Plan(ctx context.Context, env, ref string) (*deploy.Report, error) {
	return deploy.Plan(ctx, a.P, env, ref, a.DeployOptions())
}

// Status reports env's targets: deployed revision, health and, with live,
// drift against the clusters and backends.
func (a *App) Status(ctx context.Context, env string, live bool) ([]deploy.TargetStatus, error) {
	return deploy.Status(ctx, a.P, env, a.DeployOptions(), live)
}

// Drift reports env's drift against its deployed revision the cheap way
// (deploy.Drift): the agent's check.
func (a *App) Drift(ctx context.Context, env string) ([]deploy.TargetStatus, error) {
	return deploy.Drift(ctx, a.P, env, a.DeployOptions())
}

// Deployments lists env's deployments, newest first.
func (a *App) Deployments(ctx context.Context, env string, limit int) ([]store.Deployment, error) {
	return deploy.History(ctx, a.Store, env, limit)
}

// Promote moves the promotion's candidate into lane when its gates pass.
func (a *App) Promote(ctx context.Context, lane string, o flow.PromoteOptions) (*flow.Result, error) {
	e, err := a.Flow(ctx)
	if err != nil {
		return nil, err
	}
	res, err := e.Promote(ctx, lane, o)
	if res != nil && !o.DryRun {
		a.notifyBlocked(&res.Plan, err)
	}
	return res, err
}

// Release versions, tags and changelogs the release lane.
func (a *App) Release(ctx context.Context, o flow.ReleaseOptions) (*flow.ReleaseResult, error) {
	e, err := a.Flow(ctx)
	if err != nil {
		return nil, err
	}
	res, err := e.Release(ctx, o)
	if res == nil || o.DryRun {
		return res, err
	}
	a.notifyBlocked(&res.Plan, err)
	if err == nil && res.Commit != "" {
		a.Notify(notify.Event{Trigger: platform.OnReleased, Env: a.laneEnv(res.To, ""), Revision: res.Commit,
			Version: res.Tag, Message: "released " + res.Tag + " on " + res.To})
	}
	return res, err
}

// Approve records the actor's approval of rev ("" = the candidate) for the
// promotion into lane.
func (a *App) Approve(ctx context.Context, lane, rev, comment string) (*flow.Approval, error) {
	e, err := a.Flow(ctx)
	if err != nil {
		return nil, err
	}
	return e.Approve(ctx, lane, rev, comment)
}

// Rollback commits tag's tree on env's lane and, with sync, deploys env
// at that commit (or at the lane head when the lane already had the tree).
// A nil result means the rollback commit failed; with a result, err and the
// report are the sync's (nil without sync).
func (a *App) Rollback(ctx context.Context, env, tag string, sync bool) (*flow.RollbackResult, *deploy.Report, error) {
	res, err := a.RollbackCommit(ctx, env, tag)
	if err != nil || res == nil || !sync {
		return res, nil, err
	}
	rep, err := a.RollbackSync(ctx, res)
	return res, rep, err
}

// RollbackCommit is Rollback's first half: the commit on env's lane (a
// lane move, which the API makes while the agent's mirror is held).
func (a *App) RollbackCommit(ctx context.Context, env, tag string) (*flow.RollbackResult, error) {
	e, err := a.Flow(ctx)
	if err != nil {
		return nil, err
	}
	return e.Rollback(ctx, env, tag)
}

// RollbackSync is Rollback's second half: deploy the rollback commit and
// tell of it.
func (a *App) RollbackSync(ctx context.Context, res *flow.RollbackResult) (*deploy.Report, error) {
	rep, err := a.Sync(ctx, res.Env, res.Commit)
	if err == nil {
		a.Notify(notify.Event{Trigger: platform.OnRolledBack, Env: res.Env, Revision: rep.Revision, Version: res.Tag,
			Deployment: rep.DeploymentID, Message: "rolled " + res.Env + " back to " + res.Tag})
	}
	return rep, err
}

// RecordCheckRun records a finished check run, the evidence the checks
// gate reads.
func (a *App) RecordCheckRun(ctx context.Context, run store.CheckRun) (int64, error) {
	return a.Store.RecordCheckRun(ctx, run)
}
