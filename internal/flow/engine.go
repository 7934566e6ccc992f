package flow

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"ferry.dev/ferry/internal/git"
	"ferry.dev/ferry/internal/platform"
	"ferry.dev/ferry/internal/store"
)

// Options configure an Engine. The zero value works: no checks are run,
// progress is discarded, the actor comes from FERRY_ACTOR or Git's identity.
type Options struct {
	Checker  Checker   // runs checks when none is recorded; default NoChecker
	Progress io.Writer // progress lines (stderr in the CLI)
	Actor    string    // who is acting; default FERRY_ACTOR, else Git's committer
	Now      func() time.Time
	// Store, when set, is used instead of opening the platform's store (the
	// caller keeps ownership and closes it).
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
	progress      io.Writer
	now           func() time.Time
	maxAttempts   int
	ownStore      bool
	held          []store.Lock // in-flight marks, see inflight.go
	// beforePublish is a test seam: called after planning and merging, just
	// before the result is published.
	beforePublish func()
}

// Open loads the platform at dir, opens its repository and store, settles
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
	e := &Engine{P: p, Repo: repo, Checker: o.Checker, Actor: o.Actor, progress: o.Progress,
		now: o.Now, maxAttempts: o.MaxAttempts, Store: o.Store}
	if e.Checker == nil {
		e.Checker = NoChecker{}
	}
	if e.progress == nil {
		e.progress = io.Discard
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
		e.Actor = repo.Actor(ctx)
	}
	if e.Store == nil {
		if e.Store, err = OpenStore(ctx, p); err != nil {
			return nil, err
		}
		e.ownStore = true
	}
	return e, nil
}

// Close closes the store if the engine opened it.
func (e *Engine) Close() error {
	if e.ownStore && e.Store != nil {
		return e.Store.Close()
	}
	return nil
}

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

// OpenStore opens the platform's store: SQLite under the repository by
// default (its directory git-ignores itself) or PostgreSQL.
func OpenStore(ctx context.Context, p *platform.Platform) (store.Store, error) {
	if p.Spec.Store.Driver == platform.DefaultStoreDriver {
		path, err := p.StorePath()
		if err != nil {
			return nil, err
		}
		if err := ignoreStoreDir(filepath.Dir(path), p.Dir); err != nil {
			return nil, err
		}
		return store.OpenSQLite(ctx, path)
	}
	dsn, err := p.StoreDSN()
	if err != nil {
		return nil, err
	}
	return store.Open(ctx, p.Spec.Store.Driver, dsn)
}

// ignoreStoreDir writes a .gitignore of "*" into a store directory inside
// the repository, so the state database never shows as untracked.
func ignoreStoreDir(dir, repo string) error {
	rel, err := filepath.Rel(repo, dir)
	if err != nil || rel == "." || strings.HasPrefix(rel, "..") {
		return nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create store dir: %w", err)
	}
	gi := filepath.Join(dir, ".gitignore")
	if _, err := os.Stat(gi); errors.Is(err, os.ErrNotExist) {
		if err := os.WriteFile(gi, []byte("*\n"), 0o644); err != nil {
			return fmt.Errorf("ignore store dir: %w", err)
		}
	}
	return nil
}

func (e *Engine) logf(format string, args ...any) {
	fmt.Fprintf(e.progress, format+"\n", args...)
}

// crashPoint is a test seam for the crash-safety tests: when
// FERRY_TEST_CRASH_AT names this step, the process dies on the spot as if
// killed (exit 137), leaving whatever state a kill -9 would leave.
func crashPoint(step string) {
	if os.Getenv("FERRY_TEST_CRASH_AT") == step {
		os.Exit(137)
	}
}
