package deploy

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"time"

	"ferry.dev/ferry/internal/git"
	"ferry.dev/ferry/internal/kube"
	"ferry.dev/ferry/internal/platform"
	"ferry.dev/ferry/internal/store"
	"ferry.dev/ferry/internal/terraform"
)

// Options configure Sync, Plan and Status.
type Options struct {
	// Store records deployments and holds the environment lock (required
	// for Sync).
	Store store.Store
	// Actor is recorded with the deployment (default: git.Repo.Actor, the
	// one rule every ferry record uses).
	Actor string
	// Log receives one record per step, with the environment, revision and
	// deployment ID as attributes (default: discarded). The CLI turns the
	// messages into its progress lines; the agent writes JSON lines.
	Log *slog.Logger
	// Terraform runs terraform components (default: terraform or tofu on
	// PATH, found when first needed).
	Terraform *terraform.Runner
	// Policy must approve every Terraform plan before apply (default: the
	// platform's checks.policyDirs at the revision, through package policy).
	Policy terraform.PolicyChecker
	// StateDir holds Terraform data dirs and local state (default
	// <repo>/.ferry).
	StateDir string
	// LockTTL is how long the environment lock lives without renewal
	// (default 1m; renewed every TTL/3 while the sync runs).
	LockTTL time.Duration
	// Connect builds the kube client of a target (default kube.Connect
	// with the target's kubeconfig and context).
	Connect func(t platform.Target, allowExec bool) (*kube.Client, error)
	// HealthTimeout overrides the environment's healthTimeout when set.
	HealthTimeout time.Duration
	// TrustVerified makes plans take objects nobody wrote since ferry's
	// last verified apply as unchanged without a server dry-run
	// (kube.ApplyOptions.TrustVerified); Drift sets it.
	TrustVerified bool
	// Repo, when set, is the platform's repository already opened (the
	// App's), so a call does not open it again.
	Repo *git.Repo
	// Renders, when set, keeps rendered components across calls (the
	// agent's); without it a render is shared only by one sync and its
	// verification.
	Renders *RenderCache
}

func (o *Options) defaults(repoDir string) {
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.StateDir == "" {
		o.StateDir = filepath.Join(repoDir, ".ferry")
	}
	if o.LockTTL <= 0 {
		o.LockTTL = time.Minute
	}
	if o.Connect == nil {
		o.Connect = connectTarget
	}
}

// repo is the platform's repository: Options.Repo, else opened from dir.
func (o *Options) repo(dir string) (*git.Repo, error) {
	if o.Repo != nil {
		return o.Repo, nil
	}
	return git.Open(dir)
}

func connectTarget(t platform.Target, allowExec bool) (*kube.Client, error) {
	return kube.Connect(kube.Options{Kubeconfig: t.Kube.Kubeconfig, Context: t.Kube.Context, AllowExecPlugins: allowExec})
}

func (o *Options) logf(format string, args ...any) { o.Log.Info(fmt.Sprintf(format, args...)) }

// actorFor fills in the actor by the one rule (git.Repo.Actor) when the
// caller named none.
func (o *Options) actorFor(ctx context.Context, repo *git.Repo) {
	if o.Actor == "" {
		o.Actor, _ = repo.Actor(ctx)
	}
}

// UnknownEnvError: the environment is not in ferry.yaml.
type UnknownEnvError struct{ Env string }

func (e *UnknownEnvError) Error() string     { return fmt.Sprintf("unknown environment %q", e.Env) }
func (e *UnknownEnvError) ConfigError() bool { return true }
func (e *UnknownEnvError) Hint() string      { return "ferry config show to list the environments" }

// ErrNoStore: Sync needs a store.
var ErrNoStore = errors.New("deploy needs a store")

// resolved is an environment at a commit.
type resolved struct {
	env      platform.Environment
	revision string
	version  string
	change   *store.Change // what the revision brings (nil: unknown)
}

// resolve picks the revision (default: the env's lane head) and its version
// (versionOf).
func resolve(ctx context.Context, p *platform.Platform, repo *git.Repo, envName, rev string) (resolved, error) {
	env, ok := p.Env(envName)
	if !ok {
		return resolved{}, &UnknownEnvError{Env: envName}
	}
	var sha string
	var err error
	if rev == "" {
		sha, err = repo.BranchHead(ctx, env.Lane)
	} else {
		sha, err = repo.ResolveCommit(ctx, rev)
	}
	if err != nil {
		return resolved{}, fmt.Errorf("resolve revision of %s: %w", envName, err)
	}
	version, err := versionOf(ctx, repo, sha, p.Spec.Versioning.TagPrefix)
	if err != nil {
		return resolved{}, err
	}
	return resolved{env: env, revision: sha, version: version}, nil
}

// versionOf is the version whose tree rev holds: for a ferry rollback
// commit (Ferry-Rollback: TAG, its tree equal to TAG's), TAG — the nearest
// tag reachable from it is the lane's history (v0.1.0 on staging, or the
// very release rolled back from on the release lane), not what it runs;
// otherwise the nearest tag reachable, per the platform's tag prefix.
func versionOf(ctx context.Context, repo *git.Repo, rev, prefix string) (string, error) {
	out, err := repo.Run(ctx, "log", "-1", "--format=%T%n%(trailers:key="+trailerRollback+",valueonly,separator=%x00)", rev, "--")
	if err != nil {
		return "", fmt.Errorf("read commit %s: %w", short(rev), err)
	}
	tree, tag, _ := strings.Cut(strings.TrimSpace(out), "\n")
	if tag, _, _ = strings.Cut(tag, "\x00"); tag != "" && strings.HasPrefix(tag, prefix) && git.ValidateTagName(tag) == nil {
		if tt, err := repo.Tree(ctx, "refs/tags/"+tag); err == nil && tt == tree {
			return tag, nil
		}
	}
	return repo.Describe(ctx, rev, prefix+"[0-9]*", "")
}

// withRevision runs fn on rev's files and its ferry.yaml for env: from the
// render cache alone when it covers every component env needs there, else
// in a fresh worktree, whose renders the cache then keeps.
func withRevision(ctx context.Context, repo *git.Repo, rev, env string, cache *RenderCache,
	fn func(t *tree, p *platform.Platform) error) error {
	if t, p, ok := cache.covered(rev, env); ok {
		return fn(t, p)
	}
	return repo.WithWorktree(ctx, rev, func(w *git.Worktree) error {
		p, err := platform.Load(w.Dir)
		if err != nil {
			return Terminal(fmt.Errorf("load ferry.yaml at %s: %w", short(rev), err))
		}
		t := newTree(w.Dir, rev, env, p, cache)
		if cache != nil {
			defer cache.keep(t, platformFile(w.Dir))
		}
		return fn(t, p)
	})
}

func short(rev string) string {
	if len(rev) > 12 {
		return rev[:12]
	}
	return rev
}
