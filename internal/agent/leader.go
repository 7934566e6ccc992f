package agent

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"ferry.dev/ferry/internal/store"
)

// LeaseName is the store lock the leading agent holds.
const LeaseName = "agent/leader"

// lease is the held leader lease, renewed every third of its TTL; lost
// closes when a renewal fails (expired and maybe taken), so the leader
// stops at once rather than racing the next one.
type lease struct {
	st       store.Store
	ttl      time.Duration
	log      *slog.Logger
	lost     chan struct{}
	lostOnce sync.Once
	mu       sync.Mutex
	lock     store.Lock
}

// campaign returns once this process holds the lease (nil with ctx's
// error when ctx ends first). Meanwhile it keeps the mirror fresh, so
// readiness means something and a takeover starts from current refs.
func (a *Agent) campaign(ctx context.Context) (*lease, error) {
	var nextFetch time.Time
	for {
		l, err := a.cfg.Store.AcquireLock(ctx, LeaseName, a.cfg.Identity, a.cfg.LeaseTTL)
		if err == nil {
			return &lease{st: a.cfg.Store, ttl: a.cfg.LeaseTTL, log: a.log, lost: make(chan struct{}), lock: l}, nil
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if !errors.Is(err, store.ErrLocked) {
			a.log.Warn("leader lease unavailable", "error", err.Error())
		}
		if time.Now().After(nextFetch) {
			a.fetch(ctx)
			nextFetch = time.Now().Add(jitter(a.pollInterval()))
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(jitter(a.cfg.LeaseTTL / 3)):
		}
	}
}

func (l *lease) renew(ctx context.Context) {
	t := time.NewTicker(l.ttl / 3)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		l.mu.Lock()
		nl, err := l.st.RenewLock(context.WithoutCancel(ctx), l.lock, l.ttl)
		if err == nil {
			l.lock = nl
		}
		l.mu.Unlock()
		if err != nil {
			l.log.Error("leader lease lost", "error", err.Error())
			l.markLost()
			return
		}
	}
}

func (l *lease) markLost() { l.lostOnce.Do(func() { close(l.lost) }) }

// release frees the lease for the next leader (a lost one needs nothing).
func (l *lease) release() {
	select {
	case <-l.lost:
		return
	default:
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := l.st.ReleaseLock(ctx, l.lock); err != nil {
		l.log.Warn("release leader lease", "error", err.Error())
	}
	l.markLost()
}
