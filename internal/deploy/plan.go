package deploy

import (
	"context"

	"ferry.dev/ferry/internal/platform"
	"ferry.dev/ferry/internal/store"
)

// Plan shows what Sync would do for env at rev, writing nothing: Terraform
// plan summaries and Kubernetes diffs per target and component. Every
// target is planned (a failure of one does not hide the others).
func Plan(ctx context.Context, p *platform.Platform, envName, rev string, opts Options) (*Report, error) {
	opts.defaults(p.Dir)
	repo, err := opts.repo(p.Dir)
	if err != nil {
		return nil, err
	}
	r, err := resolve(ctx, p, repo, envName, rev)
	if err != nil {
		return nil, err
	}
	opts.Log = opts.Log.With("env", envName, "revision", r.revision)
	rep := &Report{Env: envName, Revision: r.revision, Version: r.version, DryRun: true, Status: store.StatusSucceeded}
	err = withRevision(ctx, repo, r.revision, envName, opts.Renders, func(tr *tree, wp *platform.Platform) error {
		env, ok := wp.Env(envName)
		if !ok {
			return &UnknownEnvError{Env: envName}
		}
		for _, t := range env.OrderedTargets() {
			res := syncTarget(ctx, tr, wp, env, t, r.revision, opts, true)
			if res.Status == store.StatusFailed {
				rep.Status = store.StatusFailed
			}
			rep.Targets = append(rep.Targets, res)
		}
		return nil
	})
	return rep, err
}
