package agent

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"ferry.dev/ferry/internal/kube"
	"ferry.dev/ferry/internal/platform"
	"ferry.dev/ferry/internal/store"
)

// objectWatches are the leader's watches on managed Kubernetes objects,
// one set per environment, rebuilt when a new deployment changes what is
// managed. A hand edit of a watched object queues a drift check at once
// instead of at the next interval.
type objectWatches struct {
	mu   sync.Mutex
	envs map[string]*envWatch
}

type envWatch struct {
	deployment int64
	cancel     context.CancelFunc
}

// settle is how long after its own sync the agent holds back watch events
// of an environment: most are the sync's own aftermath (a controller
// annotating a rolled-out Deployment).
const settle = 2 * time.Second

// settled is the watches' callback: a change is a drift hint at once, or,
// within the settle window, one drift check when the window ends. The
// check compares live state with what was deployed, so a hand edit made
// right after a sync is still found, and the sync's own aftermath is not
// drift.
func (a *Agent) settled(ctx context.Context, env string) func(kube.ID) {
	since := time.Now()
	var deferred atomic.Bool
	return func(id kube.ID) {
		wait := settle - time.Since(since)
		if wait <= 0 {
			a.driftHint(env, id, "managed object changed outside ferry")
			return
		}
		if deferred.Swap(true) {
			return
		}
		time.AfterFunc(wait, func() {
			if ctx.Err() == nil {
				a.driftHint(env, id, "managed object changed just after the sync; checking for drift")
			}
		})
	}
}

// refreshWatches (re)starts env's watches for the objects good deployed.
func (a *Agent) refreshWatches(ctx context.Context, env platform.Environment, good *store.Deployment) {
	if a.cfg.NoWatch || good == nil {
		return
	}
	a.mu.Lock()
	if a.watches == nil {
		a.watches = &objectWatches{envs: map[string]*envWatch{}}
	}
	w := a.watches
	a.mu.Unlock()
	w.mu.Lock()
	defer w.mu.Unlock()
	if cur, ok := w.envs[env.Name]; ok && cur.deployment == good.ID {
		return
	}
	d, err := a.cfg.Store.Deployment(ctx, good.ID)
	if err != nil {
		a.log.Warn("watch managed objects: read deployment", "env", env.Name, "error", err.Error())
		return
	}
	ids := map[string][]kube.ID{} // by target: the store keeps "target:id"
	for _, s := range d.Inventory {
		target, rest, ok := strings.Cut(s, ":")
		if id, err := kube.ParseID(rest); ok && err == nil {
			ids[target] = append(ids[target], id)
		}
	}
	if cur, ok := w.envs[env.Name]; ok {
		cur.cancel()
	}
	wctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	w.envs[env.Name] = &envWatch{deployment: good.ID, cancel: cancel}
	if len(ids) == 0 {
		return
	}
	changed := a.settled(wctx, env.Name)
	for _, t := range env.Targets {
		if t.Kube == nil || len(ids[t.Name]) == 0 {
			continue
		}
		opts := kube.Options{Kubeconfig: t.Kube.Kubeconfig, Context: t.Kube.Context, AllowExecPlugins: false}
		go func() {
			err := kube.Watch(wctx, opts, env.Name, ids[t.Name], changed)
			if err != nil && wctx.Err() == nil {
				a.log.Warn("watch managed objects", "env", env.Name, "target", t.Name, "error", err.Error())
			}
		}()
	}
}

// driftHint queues a drift check of env now.
func (a *Agent) driftHint(env string, id kube.ID, why string) {
	s := a.state(env)
	a.mu.Lock()
	s.driftNow = true
	q := a.q
	a.mu.Unlock()
	a.log.Info(why, "env", env, "object", id.Short())
	if q != nil {
		q.Add(env)
	}
}

func (a *Agent) stopWatches() {
	a.mu.Lock()
	w := a.watches
	a.watches = nil
	a.mu.Unlock()
	if w == nil {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, e := range w.envs {
		e.cancel()
	}
}
