package app

import (
	"context"
	"log/slog"
	"time"

	"ferry.dev/ferry/internal/check/scan"
	"ferry.dev/ferry/internal/deploy"
	"ferry.dev/ferry/internal/flow"
	"ferry.dev/ferry/internal/git"
	"ferry.dev/ferry/internal/notify"
	"ferry.dev/ferry/internal/platform"
	"ferry.dev/ferry/internal/store"
)

// Options configure an App. The zero value is the command line's setup:
// the platform's own store, the real check pipeline behind the checks gate,
// the actor by git.Repo.Actor's rule, logs discarded.
type Options struct {
	// Log receives every step as a structured record (default: discarded).
	Log *slog.Logger
	// Actor names who acts (the agent: "ferry-agent"); default
	// git.Repo.Actor, the one rule every record uses.
	Actor string
	// Store is used instead of opening the platform's store; the caller
	// keeps ownership and closes it.
	Store store.Store
	// Checker runs checks for the checks gate (default scan.Checker).
	Checker flow.Checker
	// Deploy is the base of every deploy.Options (state dir, lock TTL,
	// cluster connections, health timeout); Store, Actor and Log are set
	// from the App.
	Deploy deploy.Options
	// Notify delivers the use cases' notifications (the agent's, which
	// outlives every App). Without it an App whose ferry.yaml declares
	// sinks makes its own and Close waits up to NotifyDrain (default
	// DefaultNotifyDrain) for it to deliver.
	Notify      *notify.Dispatcher
	NotifyDrain time.Duration
}

// App is one platform repository with its store, ready to run use cases.
type App struct {
	P     *platform.Platform
	Repo  *git.Repo
	Store store.Store
	// Actor is who the records name (resolved once).
	Actor string
	Log   *slog.Logger

	opts      Options
	ownStore  bool
	engine    *flow.Engine
	notify    *notify.Dispatcher
	ownNotify bool
}

// Open loads ferry.yaml at dir (strictly; all problems at once) and opens
// the App on it.
func Open(ctx context.Context, dir string, o Options) (*App, error) {
	p, err := platform.Load(dir)
	if err != nil {
		return nil, err
	}
	return New(ctx, p, o)
}

// New opens the App on an already loaded platform: its repository and,
// unless o.Store is set, its store.
func New(ctx context.Context, p *platform.Platform, o Options) (*App, error) {
	repo, err := git.Open(p.Dir)
	if err != nil {
		return nil, err
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Checker == nil {
		o.Checker = scan.Checker{}
	}
	a := &App{P: p, Repo: repo, Store: o.Store, Actor: o.Actor, Log: o.Log, opts: o}
	if a.Actor == "" {
		a.Actor, _ = repo.Actor(ctx)
	}
	if a.Store == nil {
		if a.Store, err = OpenStore(ctx, p); err != nil {
			return nil, err
		}
		a.ownStore = true
	}
	a.startNotify()
	return a, nil
}

// Close delivers the notifications of its own dispatcher (bounded) and
// closes the store if the App opened it.
func (a *App) Close() error {
	a.closeNotify()
	if a.ownStore && a.Store != nil {
		return a.Store.Close()
	}
	return nil
}

// Flow returns the workflow engine on the App's platform and store (built
// once): lanes, topics, promotions, releases, approvals, rollbacks.
func (a *App) Flow(ctx context.Context) (*flow.Engine, error) {
	if a.engine != nil {
		return a.engine, nil
	}
	// The explicit actor only: flow applies the same rule itself and needs
	// to know when nobody is known (an approval must name a person).
	e, err := flow.New(ctx, a.P, flow.Options{Store: a.Store, Checker: a.opts.Checker, Log: a.Log, Actor: a.opts.Actor})
	if err != nil {
		return nil, err
	}
	a.engine = e
	return e, nil
}

// DeployOptions are the deploy engine's options: the App's base with its
// store, actor and logger.
func (a *App) DeployOptions() deploy.Options {
	o := a.opts.Deploy
	o.Store, o.Actor, o.Log, o.Repo = a.Store, a.Actor, a.Log, a.Repo
	return o
}
