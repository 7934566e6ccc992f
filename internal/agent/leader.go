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

// elector decides which of several ferry serve processes leads: the store
// lease by default, a coordination.k8s.io Lease when configured.
type elector interface {
	// campaign returns once this process leads, or ctx's error when ctx
	// ends first.
	campaign(ctx context.Context) (term, error)
	// String names the lease, for logs and /readyz.
	String() string
}

// term is one period of leadership.
type term interface {
	// lost closes when leadership ends: a renewal failed (the lease may be
	// someone else's now) or release was called.
	lost() <-chan struct{}
	// release ends the term and frees the lease for the next leader.
	release()
}

// campaign waits for the elector while keeping the mirror fresh, so that
// readiness means something and a takeover starts from current refs.
func (a *Agent) campaign(ctx context.Context) (term, error) {
	type result struct {
		t   term
		err error
	}
	got := make(chan result, 1)
	go func() {
		t, err := a.elector.campaign(ctx)
		got <- result{t, err}
	}()
	// A lease free for the taking arrives well before the first fetch.
	fetch := time.NewTimer(200 * time.Millisecond)
	defer fetch.Stop()
	for {
		select {
		case r := <-got:
			return r.t, r.err
		case <-fetch.C:
			a.fetch(ctx)
			fetch.Reset(jitter(a.pollInterval()))
		}
	}
}

// storeElector holds a lock in the store, renewed every third of its TTL.
type storeElector struct {
	st       store.Store
	identity string
	ttl      time.Duration
	log      *slog.Logger
}

func (e *storeElector) String() string { return "store lock " + LeaseName }

func (e *storeElector) campaign(ctx context.Context) (term, error) {
	for {
		l, err := e.st.AcquireLock(ctx, LeaseName, e.identity, e.ttl)
		if err == nil {
			renewCtx, stop := context.WithCancel(context.WithoutCancel(ctx))
			t := &storeTerm{e: e, lock: l, lostCh: make(chan struct{}), stop: stop, renewed: make(chan struct{})}
			go t.renew(renewCtx)
			return t, nil
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if !errors.Is(err, store.ErrLocked) {
			e.log.Warn("leader lease unavailable", "error", err.Error())
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(jitter(e.ttl / 3)):
		}
	}
}

// storeTerm is a held store lease; lost closes when a renewal fails
// (expired and maybe taken), so the leader stops at once rather than
// racing the next one.
type storeTerm struct {
	e        *storeElector
	lostCh   chan struct{}
	lostOnce sync.Once
	stop     context.CancelFunc
	renewed  chan struct{} // closed when the renew loop has returned
	lock     store.Lock    // renew's until it returns, then release's
}

func (t *storeTerm) lost() <-chan struct{} { return t.lostCh }

func (t *storeTerm) renew(ctx context.Context) {
	defer close(t.renewed)
	tick := time.NewTicker(t.e.ttl / 3)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		nl, err := t.e.st.RenewLock(context.WithoutCancel(ctx), t.lock, t.e.ttl)
		if err != nil {
			t.e.log.Error("leader lease lost", "error", err.Error())
			t.markLost()
			return
		}
		t.lock = nl
	}
}

func (t *storeTerm) markLost() { t.lostOnce.Do(func() { close(t.lostCh) }) }

// release frees the lease for the next leader (a lost one needs nothing).
func (t *storeTerm) release() {
	t.stop()
	<-t.renewed
	select {
	case <-t.lostCh:
		return
	default:
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := t.e.st.ReleaseLock(ctx, t.lock); err != nil {
		t.e.log.Warn("release leader lease", "error", err.Error())
	}
	t.markLost()
}
