package server

import (
	"context"
	"errors"
	"sync"
	"time"

	"ferry.dev/ferry/internal/agent"
	"ferry.dev/ferry/internal/app"
	"ferry.dev/ferry/internal/deploy"
	"ferry.dev/ferry/internal/notify"
	"ferry.dev/ferry/internal/platform"
)

// Backend is what the API reads and acts on: the platform as the agent's
// mirror has it and the use-case layer on it.
type Backend interface {
	// Snapshot is ferry.yaml of the first lane and every lane's head, as
	// of the last fetch.
	Snapshot(ctx context.Context) (*platform.Platform, map[string]string, error)
	// App opens the use-case layer on p; o carries the store, the actor
	// and the logger, the backend adds the deploy base and notifications.
	App(ctx context.Context, p *platform.Platform, o app.Options) (*app.App, error)
	// Exclusive runs fn while no fetch or other lane move runs.
	Exclusive(fn func() error) error
	// Moved tells the agent that lanes moved, so it reconciles them now.
	Moved(ctx context.Context, lanes []string)
}

// AgentBackend is the Backend of ferry serve: the agent's mirror.
type AgentBackend struct {
	Agent *agent.Agent
	// Deploy is the base of every sync (the agent's).
	Deploy deploy.Options
	Notify *notify.Dispatcher
}

// Snapshot reads the mirror.
func (b AgentBackend) Snapshot(ctx context.Context) (*platform.Platform, map[string]string, error) {
	m := b.Agent.Mirror()
	p, err := m.FirstLanePlatform(ctx)
	if err != nil {
		return nil, nil, err
	}
	return p, m.Heads(ctx, p.LaneNames()), nil
}

// App opens the use cases on the mirror, as the agent's reconciles do.
func (b AgentBackend) App(ctx context.Context, p *platform.Platform, o app.Options) (*app.App, error) {
	o.Deploy, o.Notify = b.Deploy, b.Notify
	return app.New(ctx, p, o)
}

// Exclusive takes the mirror's lock.
func (b AgentBackend) Exclusive(fn func() error) error { return b.Agent.Mirror().Locked(fn) }

// Moved hints the agent as a webhook would.
func (b AgentBackend) Moved(ctx context.Context, lanes []string) { b.Agent.Hint(ctx, "api", lanes) }

// snapshotTTL is how stale the platform and heads the reads use may be;
// a refresh runs in the background, so no request waits for Git.
const snapshotTTL = time.Second

// snapshots caches Backend.Snapshot (stale while it revalidates).
type snapshots struct {
	b          Backend
	mu         sync.Mutex
	p          *platform.Platform
	heads      map[string]string
	at         time.Time
	refreshing bool
}

var errNotReady = errors.New("no platform is loaded yet")

func (s *snapshots) get(ctx context.Context) (*platform.Platform, map[string]string, error) {
	s.mu.Lock()
	p, heads, at := s.p, s.heads, s.at
	stale := time.Since(at) > snapshotTTL
	if p != nil && stale && !s.refreshing {
		s.refreshing = true
		go s.refresh(context.WithoutCancel(ctx))
	}
	s.mu.Unlock()
	if p != nil {
		return p, heads, nil
	}
	return s.refresh(ctx)
}

func (s *snapshots) refresh(ctx context.Context) (*platform.Platform, map[string]string, error) {
	p, heads, err := s.b.Snapshot(ctx)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refreshing = false
	if err != nil {
		return nil, nil, errors.Join(errNotReady, err)
	}
	s.p, s.heads, s.at = p, heads, time.Now()
	return p, heads, nil
}

// invalidate makes the next read wait for a fresh snapshot (after an
// action moved a lane).
func (s *snapshots) invalidate() {
	s.mu.Lock()
	s.p = nil
	s.mu.Unlock()
}
