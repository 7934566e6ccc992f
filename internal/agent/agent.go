package agent

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"k8s.io/client-go/util/workqueue"

	"ferry.dev/ferry/internal/platform"
	"ferry.dev/ferry/internal/store"
)

// Agent is one ferry serve process: a follower until it holds the leader
// lease, then the reconciler of every environment.
type Agent struct {
	cfg     Config
	mirror  *Mirror
	log     *slog.Logger
	elector elector

	kick chan struct{} // fetch now: a webhook or a follower's hint arrived

	mu       sync.Mutex
	role     string // "", "follower", "leader"
	fetched  time.Time
	fetchErr error
	model    *platform.Platform // ferry.yaml at the first lane's head
	heads    map[string]string  // lane → commit at the last fetch
	approval int64              // the newest approval event the leader has seen
	envs     map[string]*envState
	q        workqueue.TypedRateLimitingInterface[string]
	watches  *objectWatches
}

// envState is what the leader remembers of one environment between
// reconciles; the store has the records, so a new leader starts empty.
type envState struct {
	terminalRev   string        // a revision whose sync failed terminally: not retried
	lastDrift     time.Time     // when drift was last checked
	driftEvery    time.Duration // driftInterval from the environment's lane
	driftNow      bool          // a watch saw a managed object change
	driftSeen     string        // the drift last recorded, to record changes only
	driftAt       time.Time     // the timer queued for the next drift check
	outcome       Outcome       // the last recorded outcome
	promoteTried  map[string]string
	inventoryHash string
	deployed      *store.Deployment // the last successful deployment, for ferry_environment_info
	unhealthy     bool              // the last health probe found a target unhealthy
	hydrated      string            // the revision last hydrated to the env's branch
}

// New opens (or clones) the mirror; nothing runs until Run.
func New(ctx context.Context, cfg Config) (*Agent, error) {
	if err := cfg.defaults(); err != nil {
		return nil, err
	}
	m, err := OpenMirror(ctx, cfg.Source, filepath.Join(cfg.StateDir, "mirror.git"), cfg.Credentials)
	if err != nil {
		return nil, err
	}
	a := &Agent{cfg: cfg, mirror: m, log: cfg.Log, kick: make(chan struct{}, 1),
		heads: map[string]string{}, envs: map[string]*envState{}}
	a.elector = &storeElector{st: cfg.Store, identity: cfg.Identity, ttl: cfg.LeaseTTL, log: cfg.Log}
	if cfg.KubeLease != nil {
		a.elector = &kubeElector{cfg: *cfg.KubeLease, identity: cfg.Identity, ttl: cfg.LeaseTTL, log: cfg.Log}
	}
	return a, nil
}

// Mirror is the agent's clone (tests read it).
func (a *Agent) Mirror() *Mirror { return a.mirror }

// Run campaigns for the lease and, while it holds it, reconciles; it
// returns when ctx ends, after in-flight syncs finished or the grace
// period cut them off.
func (a *Agent) Run(ctx context.Context) error {
	a.setRole("follower")
	for {
		lease, err := a.campaign(ctx)
		if err != nil {
			return nil // ctx ended while following
		}
		a.lead(ctx, lease)
		if ctx.Err() != nil {
			return nil
		}
		a.setRole("follower")
	}
}

// lead reconciles until ctx ends or the lease is lost.
func (a *Agent) lead(ctx context.Context, lease term) {
	a.setRole("leader")
	a.log.Info("leading", "identity", a.cfg.Identity, "lease", a.elector.String())
	leadCtx, stopLead := context.WithCancel(ctx)
	defer stopLead()
	// Work outlives a SIGTERM by the grace period, but not a lost lease.
	workCtx, cancelWork := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelWork()
	go func() {
		<-lease.lost()
		cancelWork()
		stopLead()
	}()

	q := newQueue(a.cfg.BackoffBase, a.cfg.BackoffMax)
	a.mu.Lock()
	a.q, a.envs = q, map[string]*envState{}
	a.mu.Unlock()
	var wg sync.WaitGroup
	for range a.cfg.Workers {
		wg.Go(func() { a.work(workCtx, q) })
	}
	watchDone := make(chan struct{})
	go func() { defer close(watchDone); a.watch(leadCtx) }()

	<-leadCtx.Done()
	// Stop taking work; the drain below bounds how long in-flight work may
	// take (ShutDownWithDrain alone would wait for it forever).
	go q.ShutDownWithDrain()
	<-watchDone
	a.drain(&wg, cancelWork)
	a.stopWatches()
	lease.release()
	a.log.Info("stopped leading", "identity", a.cfg.Identity)
}

// drain waits for in-flight reconciles, cutting them off after the grace
// period (a cut-off sync records itself aborted).
func (a *Agent) drain(wg *sync.WaitGroup, cancel context.CancelFunc) {
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(a.cfg.Grace):
		a.log.Warn("grace period over: cutting off in-flight syncs", "grace", a.cfg.Grace.String())
		cancel()
		<-done
	}
}

// work runs reconciles until the queue shuts down.
func (a *Agent) work(ctx context.Context, q workqueue.TypedRateLimitingInterface[string]) {
	for {
		env, shutdown := q.Get()
		if shutdown {
			return
		}
		a.process(ctx, q, env)
	}
}

func (a *Agent) process(ctx context.Context, q workqueue.TypedRateLimitingInterface[string], env string) {
	defer q.Done(env)
	start := time.Now()
	err := a.safeReconcile(ctx, env)
	a.cfg.Metrics.Reconciled(env, time.Since(start))
	if err != nil && ctx.Err() == nil {
		q.AddRateLimited(env)
		return
	}
	q.Forget(env)
	a.scheduleDrift(env)
}

// safeReconcile turns a panic in a reconcile into a recorded, retried
// failure.
func (a *Agent) safeReconcile(ctx context.Context, env string) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("reconcile %s: panic: %v", env, p)
			a.log.Error("reconcile panicked", "env", env, "error", err.Error())
			a.record(ctx, env, Outcome{Action: ActionFailed, Message: err.Error()})
		}
	}()
	return a.reconcile(ctx, env)
}

func (a *Agent) setRole(r string) {
	a.mu.Lock()
	a.role = r
	a.mu.Unlock()
	a.cfg.Metrics.Leading(r == "leader")
}

func (a *Agent) state(env string) *envState {
	a.mu.Lock()
	defer a.mu.Unlock()
	s, ok := a.envs[env]
	if !ok {
		s = &envState{promoteTried: map[string]string{}}
		a.envs[env] = s
	}
	return s
}

// Health is what /readyz reports.
type Health struct {
	Role     string    `json:"role"`
	Fetched  time.Time `json:"fetched,omitzero"`
	FetchErr string    `json:"fetchError,omitempty"`
	Identity string    `json:"identity"`
	Lease    string    `json:"lease"`
	Leader   bool      `json:"leader"`
}

// Health reports the agent's role and the last fetch.
func (a *Agent) Health() Health {
	a.mu.Lock()
	defer a.mu.Unlock()
	h := Health{Role: a.role, Fetched: a.fetched, Identity: a.cfg.Identity, Lease: a.elector.String(), Leader: a.role == "leader"}
	if a.fetchErr != nil {
		h.FetchErr = a.fetchErr.Error()
	}
	return h
}

func itoa(n int) string { return strconv.Itoa(n) }
