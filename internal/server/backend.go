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
	// Fetched is when the mirror was last fetched: a snapshot taken since
	// is still true (the API's own lane moves invalidate it themselves).
	Fetched() time.Time
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

// Moved hints the agent as a push webhook naming the lanes would.
func (b AgentBackend) Moved(ctx context.Context, lanes []string) {
	refs := make([]string, 0, len(lanes))
	for _, l := range lanes {
		refs = append(refs, "refs/heads/"+l)
	}
	b.Agent.Hint(ctx, "api", refs)
}

// Fetched is the agent's last successful fetch.
func (b AgentBackend) Fetched() time.Time { return b.Agent.Health().Fetched }

// snapshotMaxAge bounds the age of the cached platform and heads. They
// are otherwise retaken only when the mirror was fetched since (or an API
// action moved a lane): an unchanged mirror costs no git process, and one
// request per fetch waits for the new snapshot (the others wait with it).
const snapshotMaxAge = time.Minute

// snapshots caches Backend.Snapshot.
type snapshots struct {
	b       Backend
	mu      sync.Mutex
	p       *platform.Platform
	heads   map[string]string
	at      time.Time // when it was taken
	fetched time.Time // the mirror's last fetch it reflects
	gen     int       // bumped by invalidate: older refreshes are not kept
	flight  *snapshotCall
}

// snapshotCall is a refresh in flight that every caller waits for.
type snapshotCall struct {
	gen   int
	done  chan struct{}
	p     *platform.Platform
	heads map[string]string
	err   error
}

var errNotReady = errors.New("no platform is loaded yet")

func (s *snapshots) get(ctx context.Context) (*platform.Platform, map[string]string, error) {
	fetched := s.b.Fetched()
	s.mu.Lock()
	if s.p != nil && fetched.Equal(s.fetched) && time.Since(s.at) < snapshotMaxAge {
		p, heads := s.p, s.heads
		s.mu.Unlock()
		return p, heads, nil
	}
	c := s.flight
	if c == nil || c.gen != s.gen {
		c = &snapshotCall{gen: s.gen, done: make(chan struct{})}
		s.flight = c
		go s.refresh(context.WithoutCancel(ctx), c, fetched)
	}
	s.mu.Unlock()
	select {
	case <-c.done:
		return c.p, c.heads, c.err
	case <-ctx.Done():
		return nil, nil, ctx.Err()
	}
}

func (s *snapshots) refresh(ctx context.Context, c *snapshotCall, fetched time.Time) {
	p, heads, err := s.b.Snapshot(ctx)
	s.mu.Lock()
	switch {
	case err != nil:
		err = errors.Join(errNotReady, err)
	case c.gen == s.gen:
		s.p, s.heads, s.at, s.fetched = p, heads, time.Now(), fetched
	}
	if s.flight == c {
		s.flight = nil
	}
	s.mu.Unlock()
	c.p, c.heads, c.err = p, heads, err
	close(c.done)
}

// invalidate makes the next read wait for a fresh snapshot (after an
// action moved a lane).
func (s *snapshots) invalidate() {
	s.mu.Lock()
	s.p = nil
	s.gen++
	s.mu.Unlock()
}
