package server

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"

	"ferry.dev/ferry/internal/store"
)

// streamPoll is how often the hub reads the store while anyone listens:
// writes of other processes (another ferry serve, the command line) reach
// the stream within it; this process's own writes wake it at once.
const streamPoll = 100 * time.Millisecond

// Hub feeds the SSE stream: one reader of the store for all listeners,
// woken by this process's writes (Wrap) and polling for everyone else's.
type Hub struct {
	st   store.Store
	wake chan struct{}

	mu      sync.Mutex
	subs    map[chan message]struct{}
	running bool
}

// message is one SSE message.
type message struct {
	id    int64 // event ID ("" for deployments)
	event string
	data  []byte
}

// NewHub makes the hub of a store.
func NewHub(st store.Store) *Hub {
	return &Hub{st: st, wake: make(chan struct{}, 1), subs: map[chan message]struct{}{}}
}

// Wrap returns st with every write waking the hub: give it to everything
// in the process that records (the agent, the API's use cases).
func (h *Hub) Wrap(st store.Store) store.Store { return &wakingStore{Store: st, h: h} }

func (h *Hub) poke() {
	select {
	case h.wake <- struct{}{}:
	default:
	}
}

func (h *Hub) subscribe() chan message {
	ch := make(chan message, 256)
	h.mu.Lock()
	h.subs[ch] = struct{}{}
	if !h.running {
		h.running = true
		go h.run()
	}
	h.mu.Unlock()
	return ch
}

func (h *Hub) unsubscribe(ch chan message) {
	h.mu.Lock()
	delete(h.subs, ch)
	h.mu.Unlock()
}

// run reads what is new until nobody listens.
func (h *Hub) run() {
	ctx := context.Background()
	var lastEvent int64
	if evs, err := h.st.Events(ctx, store.EventFilter{Limit: 1}); err == nil && len(evs) > 0 {
		lastEvent = evs[0].ID
	}
	seen := map[int64]store.Status{}
	h.deployments(ctx, seen, false)
	tick := time.NewTicker(streamPoll)
	defer tick.Stop()
	for {
		select {
		case <-tick.C:
		case <-h.wake:
		}
		h.mu.Lock()
		if len(h.subs) == 0 {
			h.running = false
			h.mu.Unlock()
			return
		}
		h.mu.Unlock()
		lastEvent = h.events(ctx, lastEvent)
		h.deployments(ctx, seen, true)
	}
}

func (h *Hub) events(ctx context.Context, after int64) int64 {
	for {
		evs, err := h.st.Events(ctx, store.EventFilter{After: after, Limit: 200})
		if err != nil || len(evs) == 0 {
			return after
		}
		for _, e := range evs {
			data, _ := json.Marshal(e)
			h.broadcast(message{id: e.ID, event: "event", data: data})
			after = e.ID
		}
		if len(evs) < 200 {
			return after
		}
	}
}

// deploymentChange is the data of a "deployment" message.
type deploymentChange struct {
	ID        int64        `json:"id"`
	Env       string       `json:"env"`
	Status    store.Status `json:"status"`
	Revision  string       `json:"revision"`
	Version   string       `json:"version,omitempty"`
	Actor     string       `json:"actor"`
	StartedAt time.Time    `json:"startedAt"`
	EndedAt   time.Time    `json:"endedAt,omitzero"`
}

// deployments sends the deployments whose status changed since the last
// look: the newest ones and every running one.
func (h *Hub) deployments(ctx context.Context, seen map[int64]store.Status, send bool) {
	recent, err := h.st.Deployments(ctx, store.DeploymentFilter{Limit: 20})
	if err != nil {
		return
	}
	running, err := h.st.Deployments(ctx, store.DeploymentFilter{Status: store.StatusRunning, Limit: 100})
	if err != nil {
		return
	}
	now := map[int64]store.Status{}
	for _, d := range append(running, recent...) {
		if _, dup := now[d.ID]; dup {
			continue
		}
		now[d.ID] = d.Status
		if send && seen[d.ID] != d.Status {
			data, _ := json.Marshal(deploymentChange{ID: d.ID, Env: d.Env, Status: d.Status, Revision: d.Revision,
				Version: d.Version, Actor: d.Actor, StartedAt: d.StartedAt, EndedAt: d.EndedAt})
			h.broadcast(message{event: "deployment", data: data})
		}
	}
	clear(seen)
	for id, s := range now {
		seen[id] = s
	}
}

// broadcast hands m to every listener; one too slow to keep 256 messages
// is dropped (its stream ends; the browser reconnects with Last-Event-ID).
func (h *Hub) broadcast(m message) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for ch := range h.subs {
		select {
		case ch <- m:
		default:
			delete(h.subs, ch)
			close(ch)
		}
	}
}

// serveStream is GET /api/v1/events/stream: Server-Sent Events, "event"
// messages (audit events, with their ID, so Last-Event-ID resumes) and
// "deployment" messages (a deployment's status changed).
func (s *apiServer) serveStream(w http.ResponseWriter, r *http.Request) {
	rc := http.NewResponseController(w)
	_ = rc.SetWriteDeadline(time.Time{}) // a stream outlives the server's write timeout
	ch := s.hub.subscribe()
	defer s.hub.unsubscribe(ch)
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	fmt.Fprint(w, ": ferry event stream\n\n")
	var sent int64
	if last, err := strconv.ParseInt(r.Header.Get("Last-Event-ID"), 10, 64); err == nil && last > 0 {
		evs, err := s.store.Events(r.Context(), store.EventFilter{After: last, Limit: 1000})
		if err == nil {
			for _, e := range evs {
				data, _ := json.Marshal(e)
				writeMessage(w, message{id: e.ID, event: "event", data: data})
				sent = e.ID
			}
		}
	}
	if err := rc.Flush(); err != nil {
		return
	}
	beat := time.NewTicker(15 * time.Second)
	defer beat.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-beat.C:
			fmt.Fprint(w, ": keep-alive\n\n")
		case m, ok := <-ch:
			if !ok {
				return
			}
			if m.id != 0 && m.id <= sent {
				continue // already sent in the catch-up
			}
			writeMessage(w, m)
		}
		if err := rc.Flush(); err != nil {
			return
		}
	}
}

func writeMessage(w http.ResponseWriter, m message) {
	if m.id != 0 {
		fmt.Fprintf(w, "id: %d\n", m.id)
	}
	fmt.Fprintf(w, "event: %s\ndata: %s\n\n", m.event, m.data)
}

// wakingStore wakes the hub after every write.
type wakingStore struct {
	store.Store
	h *Hub
}

func (s *wakingStore) StartDeployment(ctx context.Context, d store.Deployment) (int64, error) {
	defer s.h.poke()
	return s.Store.StartDeployment(ctx, d)
}

func (s *wakingStore) FinishDeployment(ctx context.Context, id int64, f store.DeploymentResult) error {
	defer s.h.poke()
	return s.Store.FinishDeployment(ctx, id, f)
}

func (s *wakingStore) AppendEvent(ctx context.Context, e store.Event) (int64, error) {
	defer s.h.poke()
	return s.Store.AppendEvent(ctx, e)
}

func (s *wakingStore) RecordPromotion(ctx context.Context, p store.Promotion) (int64, error) {
	defer s.h.poke()
	return s.Store.RecordPromotion(ctx, p)
}

func (s *wakingStore) MarkAborted(ctx context.Context, env string) ([]int64, error) {
	defer s.h.poke()
	return s.Store.MarkAborted(ctx, env)
}
