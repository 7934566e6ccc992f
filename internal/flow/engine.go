package flow

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	"ferry.dev/ferry/internal/git"
	"ferry.dev/ferry/internal/platform"
	"ferry.dev/ferry/internal/store"
)

// Options configure an Engine. The zero value works: no checks are run,
// progress is discarded, the actor comes from FERRY_ACTOR or Git's identity.
type Options struct {
	Checker Checker      // runs checks when none is recorded; default NoChecker
	Log     *slog.Logger // progress records (the CLI prints their messages on stderr)
	Actor   string       // who is acting; default FERRY_ACTOR, else Git's committer
	Now     func() time.Time
	// Store records promotions, check runs and approvals (required; the
	// caller owns it and closes it).
	Store store.Store
	// MaxAttempts bounds re-planning when a lane moves under us (default 4).
	MaxAttempts int
}

// Engine runs the workflow on one platform repository.
type Engine struct {
	P       *platform.Platform
	Repo    *git.Repo
	Store   store.Store
	Checker Checker
	// Remote is the Git remote lanes are pushed to, "" when there is none.
	Remote string
	Actor  string

	actorExplicit bool // Actor came from Options, not the environment
	log           *slog.Logger
	now           func() time.Time
	maxAttempts   int
	held          []store.Lock // in-flight marks, see inflight.go
	// beforePublish is a test seam: called after planning and merging, just
	// before the result is published.
	beforePublish func()
}

// Open loads the platform at dir, opens its repository, settles
// the remote, and removes temporary worktrees left by killed runs.
func Open(ctx context.Context, dir string, o Options) (*Engine, error) {
	p, err := platform.Load(dir)
	if err != nil {
		return nil, err
	}
	return New(ctx, p, o)
}

// New is Open with an already loaded platform.
func New(ctx context.Context, p *platform.Platform, o Options) (*Engine, error) {
	repo, err := git.Open(p.Dir)
	if err != nil {
		return nil, err
	}
	e := &Engine{P: p, Repo: repo, Checker: o.Checker, Actor: o.Actor, log: o.Log,
		now: o.Now, maxAttempts: o.MaxAttempts, Store: o.Store}
	if e.Checker == nil {
		e.Checker = NoChecker{}
	}
	if e.log == nil {
		e.log = slog.New(slog.DiscardHandler)
	}
	if e.now == nil {
		e.now = time.Now
	}
	if e.maxAttempts <= 0 {
		e.maxAttempts = 4
	}
	if err := e.settleRemote(ctx); err != nil {
		return nil, err
	}
	if err := repo.CleanWorktrees(ctx); err != nil {
		return nil, err
	}
	e.actorExplicit = e.Actor != ""
	if e.Actor == "" {
		e.Actor, _ = repo.Actor(ctx)
	}
	if e.Store == nil {
		return nil, ErrNoStore
	}
	return e, nil
}

// ErrNoStore: an Engine needs a store (Options.Store); the composition root
// (package app) opens it.
var ErrNoStore = errors.New("workflow engine needs a store")

// RemoteError is a configured remote that does not exist.
type RemoteError struct{ Name string }

func (e *RemoteError) Error() string {
	return fmt.Sprintf("remote %q (spec.remote in ferry.yaml) is not configured in this repository", e.Name)
}
func (e *RemoteError) ConfigError() bool { return true }
func (e *RemoteError) Hint() string {
	return "git remote add " + e.Name + " URL, or set spec.remote to an existing remote"
}

// settleRemote uses spec.remote when the repository has it. The default
// name (origin) may be absent: ferry then works on local lanes only. A
// remote named explicitly but missing is an error.
func (e *Engine) settleRemote(ctx context.Context) error {
	name := e.P.Spec.Remote
	if name == "" {
		return nil
	}
	if err := git.ValidateRefName(name); err != nil {
		return &RemoteError{Name: name}
	}
	ok, err := e.Repo.HasRemote(ctx, name)
	if err != nil {
		return err
	}
	switch {
	case ok:
		e.Remote = name
	case name != platform.DefaultRemote:
		return &RemoteError{Name: name}
	}
	return nil
}

func (e *Engine) logf(format string, args ...any) {
	e.log.Info(fmt.Sprintf(format, args...))
}

// crashPoint is a test seam for the crash-safety tests: when
// FERRY_TEST_CRASH_AT names this step, the process dies on the spot as if
// killed (exit 137), leaving whatever state a kill -9 would leave.
func crashPoint(step string) {
	if os.Getenv("FERRY_TEST_CRASH_AT") == step {
		os.Exit(137)
	}
}
