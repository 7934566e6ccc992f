package deploy

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"ferry.dev/ferry/internal/git"
	"ferry.dev/ferry/internal/platform"
	"ferry.dev/ferry/internal/store"
)

// ErrFailed: the deployment ran and failed (the report says where).
var ErrFailed = errors.New("deployment failed")

// Sync deploys env at rev ("" = the env's lane head) and records it. A
// failed deployment returns its report and an error wrapping ErrFailed.
func Sync(ctx context.Context, p *platform.Platform, envName, rev string, opts Options) (*Report, error) {
	opts.defaults(p.Dir)
	if opts.Store == nil {
		return nil, ErrNoStore
	}
	repo, err := opts.repo(p.Dir)
	if err != nil {
		return nil, err
	}
	r, err := resolve(ctx, p, repo, envName, rev)
	if err != nil {
		return nil, err
	}
	opts.actorFor(ctx, repo)
	opts.Log = opts.Log.With("env", envName, "revision", r.revision)
	if ids, err := opts.Store.MarkAborted(ctx, envName); err != nil {
		return nil, err
	} else if len(ids) > 0 {
		opts.logf("marked %d interrupted deployment(s) of %s aborted: %v", len(ids), envName, ids)
	}
	lock, err := opts.Store.AcquireLock(ctx, store.EnvLockName(envName), lockOwner(opts.Actor), opts.LockTTL)
	if err != nil {
		return nil, fmt.Errorf("sync %s: %w", envName, err)
	}
	ctx, stopRenew := renewLock(ctx, opts.Store, lock, opts.LockTTL)
	defer func() {
		stopRenew()
		_ = opts.Store.ReleaseLock(context.Background(), lock)
	}()
	if r.change, err = changeOf(ctx, p, repo, opts.Store, envName, r.revision); err != nil {
		// The DORA metrics count the deployment as lacking change data;
		// the deployment itself does not depend on it.
		opts.Log.Warn("read the change from git", "error", err.Error())
	}
	return record(ctx, repo, r, opts)
}

func lockOwner(actor string) string {
	host, _ := os.Hostname()
	return fmt.Sprintf("%s@%s pid %d", actor, host, os.Getpid())
}

// renewLock renews the lock every ttl/3; if it is lost the returned context
// is cancelled, so the sync stops instead of racing another one.
func renewLock(ctx context.Context, st store.Store, l store.Lock, ttl time.Duration) (context.Context, func()) {
	ctx, cancel := context.WithCancelCause(ctx)
	done := make(chan struct{})
	go func() {
		t := time.NewTicker(ttl / 3)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-ctx.Done():
				return
			case <-t.C:
				nl, err := st.RenewLock(context.Background(), l, ttl)
				if err != nil {
					cancel(fmt.Errorf("renew environment lock: %w", err))
					return
				}
				l = nl
			}
		}
	}()
	return ctx, func() { close(done); cancel(nil) }
}

// record runs the deployment between StartDeployment and a deferred
// FinishDeployment, so every exit path (error, panic, cancellation) ends it.
func record(ctx context.Context, repo *git.Repo, r resolved, opts Options) (rep *Report, err error) {
	rep = &Report{Env: r.env.Name, Revision: r.revision, Version: r.version, Status: store.StatusRunning}
	id, err := opts.Store.StartDeployment(ctx, store.Deployment{
		Env: r.env.Name, Revision: r.revision, Version: r.version, Status: store.StatusRunning,
		Actor: opts.Actor, StartedAt: time.Now(), Change: r.change,
	})
	if err != nil {
		return nil, fmt.Errorf("record deployment: %w", err)
	}
	rep.DeploymentID = id
	opts.Log = opts.Log.With("deployment", id)
	opts.logf("deployment %d: %s at %s %s", id, r.env.Name, short(r.revision), r.version)
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("sync %s: panic: %v", r.env.Name, p)
		}
		if err != nil && rep.Status != store.StatusFailed {
			rep.Status = store.StatusFailed
		}
		if err != nil && ctx.Err() != nil {
			// Cut off (SIGTERM past the grace period, a lost lock): the
			// work did not fail, it was stopped.
			rep.Status = store.StatusAborted
		}
		if err != nil && rep.Error == "" {
			rep.Error = err.Error()
		}
		targets, inv := rep.storeTargets()
		changes, total := rep.storeChanges()
		fctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		ferr := opts.Store.FinishDeployment(fctx, id, store.DeploymentResult{
			Status: rep.Status, Healthy: rep.Status == store.StatusSucceeded, Verified: rep.Verified, Summary: summary(rep),
			Targets: targets, Inventory: inv, EndedAt: time.Now(), Changes: changes, ChangesTotal: total,
		})
		if ferr != nil && err == nil {
			err = fmt.Errorf("record deployment result: %w", ferr)
		}
	}()
	err = withRevision(ctx, repo, r.revision, r.env.Name, opts.Renders, func(t *tree, p *platform.Platform) error {
		if err := runTargets(ctx, t, p, r, opts, rep); err != nil {
			return err
		}
		rep.Verified, rep.Verification = verify(ctx, t, p, r, opts)
		return nil
	})
	if err == nil {
		rep.Status = store.StatusSucceeded
		return rep, nil
	}
	if rep.Status == store.StatusFailed && r.env.RollbackOnFailure {
		rollbackFailed(ctx, repo, r, opts, rep)
	}
	return rep, err
}

// runTargets syncs every target in rollout order; the first failure stops.
func runTargets(ctx context.Context, files *tree, p *platform.Platform, r resolved, opts Options, rep *Report) error {
	env, ok := p.Env(r.env.Name)
	if !ok {
		return &UnknownEnvError{Env: r.env.Name}
	}
	for _, t := range env.OrderedTargets() {
		tr := syncTarget(ctx, files, p, env, t, r.revision, opts, false)
		rep.Targets = append(rep.Targets, tr)
		if tr.Status == store.StatusFailed {
			rep.Status = store.StatusFailed
			err := fmt.Errorf("%w: target %s: %s", ErrFailed, t.Name, tr.Error)
			if tr.terminal {
				return Terminal(err)
			}
			return err
		}
	}
	return nil
}

// verify checks, after a successful sync, that the environment now equals
// the revision: a plan of every target (Terraform plan, Kubernetes dry-run
// against the live objects) must show nothing to change. The promotion gate
// "verified" reads this.
func verify(ctx context.Context, files *tree, p *platform.Platform, r resolved, opts Options) (bool, string) {
	env, ok := p.Env(r.env.Name)
	if !ok {
		return false, "environment missing at the revision"
	}
	for _, t := range env.OrderedTargets() {
		tr := syncTarget(ctx, files, p, env, t, r.revision, opts, true)
		if tr.Status == store.StatusFailed {
			return false, fmt.Sprintf("verification of %s failed: %s", t.Name, tr.Error)
		}
		for _, c := range tr.Components {
			if c.Changed() {
				return false, fmt.Sprintf("verification: %s/%s still differs after the sync: %s", t.Name, c.Component, c.Summary())
			}
		}
	}
	opts.logf("verified: a plan after the sync shows no difference")
	return true, "a plan after the sync shows no difference"
}

// rollbackFailed re-syncs the failed target at the environment's last
// successful revision.
func rollbackFailed(ctx context.Context, repo *git.Repo, r resolved, opts Options, rep *Report) {
	last, err := opts.Store.Deployments(ctx, store.DeploymentFilter{Env: r.env.Name, Status: store.StatusSucceeded, Limit: 1})
	if err != nil || len(last) == 0 || last[0].Revision == r.revision || len(rep.Targets) == 0 {
		return
	}
	failed := rep.Targets[len(rep.Targets)-1].Target
	good := last[0].Revision
	opts.logf("rolling %s back to %s", failed, short(good))
	err = withRevision(ctx, repo, good, r.env.Name, opts.Renders, func(files *tree, p *platform.Platform) error {
		env, _ := p.Env(r.env.Name)
		for _, t := range env.Targets {
			if t.Name == failed {
				if tr := syncTarget(ctx, files, p, env, t, good, opts, false); tr.Status == store.StatusFailed {
					return errors.New(tr.Error)
				}
			}
		}
		return nil
	})
	if err != nil {
		rep.Error += fmt.Sprintf("; rollback of %s to %s failed: %v", failed, short(good), err)
		return
	}
	rep.RolledBack = good
}

func summary(rep *Report) string {
	var parts []string
	for _, t := range rep.Targets {
		for _, c := range t.Components {
			if s := c.Summary(); s != "" {
				parts = append(parts, fmt.Sprintf("%s/%s: %s", t.Target, c.Component, s))
			}
		}
	}
	s := strings.Join(parts, "; ")
	if rep.Error != "" {
		s = rep.Error + "; " + s
	}
	if rep.RolledBack != "" {
		s += "; rolled back to " + short(rep.RolledBack)
	}
	if rep.Verification != "" {
		s += "; " + rep.Verification
	}
	return s
}
