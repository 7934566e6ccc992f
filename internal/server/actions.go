package server

import (
	"context"
	"encoding/json"
	"strconv"
	"sync"
	"time"

	"ferry.dev/ferry/internal/api"
	"ferry.dev/ferry/internal/store"
)

// keptActions bounds the finished actions kept for GET /api/v1/actions.
// Actions live in this process only: after a restart, follow the
// deployment instead (GET /api/v1/deployments/{id}).
const keptActions = 200

// actions are the long actions this process started.
type actions struct {
	mu    sync.Mutex
	n     int
	byID  map[string]*actionState
	order []string
}

func newActions() *actions { return &actions{byID: map[string]*actionState{}} }

// actionState is one action; started closes when its deployment is
// recorded (or it ended without one), done when it ended.
type actionState struct {
	mu          sync.Mutex
	a           api.Action
	started     chan struct{}
	startedOnce sync.Once
	done        chan struct{}
}

func (st *actionState) snapshot() api.Action {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.a
}

func (st *actionState) deployment(id int64) {
	st.mu.Lock()
	if st.a.Deployment == 0 {
		st.a.Deployment = id
	}
	st.mu.Unlock()
	st.startedOnce.Do(func() { close(st.started) })
}

// run is an action's work: it reports its deployment through started and
// returns the verb's report (its -o json) and error.
type run func(ctx context.Context, st store.Store) (result any, err error)

// start runs fn in the background: it outlives the request that started
// it (a deployment is never cut off by a client going away).
func (as *actions) start(kind, env, actor string, st store.Store, fn run) *actionState {
	as.mu.Lock()
	as.n++
	s := &actionState{a: api.Action{ID: "a" + strconv.Itoa(as.n), Kind: kind, Env: env, Actor: actor,
		Status: api.ActionRunning, StartedAt: time.Now().UTC()}, started: make(chan struct{}), done: make(chan struct{})}
	as.byID[s.a.ID] = s
	as.order = append(as.order, s.a.ID)
	if len(as.order) > keptActions {
		old := as.order[0]
		if o := as.byID[old]; o != nil && o.snapshot().Done() {
			delete(as.byID, old)
			as.order = as.order[1:]
		}
	}
	as.mu.Unlock()
	go func() {
		result, err := fn(context.Background(), &startStore{Store: st, onStart: s.deployment})
		s.mu.Lock()
		if result != nil {
			s.a.Result, _ = json.Marshal(result)
		}
		s.a.Status, s.a.EndedAt = api.ActionSucceeded, time.Now().UTC()
		if err != nil {
			e := errorOf(err)
			if e.Code == api.CodeInternal {
				e.Code = api.CodeFailed // the operation ran and failed
			}
			s.a.Status, s.a.Error = api.ActionFailed, e
		}
		s.mu.Unlock()
		s.startedOnce.Do(func() { close(s.started) })
		close(s.done)
	}()
	return s
}

func (as *actions) get(id string) (*actionState, bool) {
	as.mu.Lock()
	defer as.mu.Unlock()
	s, ok := as.byID[id]
	return s, ok
}

// startStore tells the action the ID of the deployment its use case
// records, the moment it is recorded.
type startStore struct {
	store.Store
	onStart func(int64)
}

func (s *startStore) StartDeployment(ctx context.Context, d store.Deployment) (int64, error) {
	id, err := s.Store.StartDeployment(ctx, d)
	if err == nil {
		s.onStart(id)
	}
	return id, err
}
