package agent

import (
	"context"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"time"

	"ferry.dev/ferry/internal/flow"
	"ferry.dev/ferry/internal/platform"
	"ferry.dev/ferry/internal/store"
)

// EventHint is the store event a follower writes for a webhook it
// received, so the leader fetches.
const EventHint = "agent.hint"

// watch is the leader's lane watcher: it fetches on a jittered poll, on a
// webhook (kick) and on hints that followers recorded, and queues every
// environment whose lane moved.
func (a *Agent) watch(ctx context.Context) {
	a.fetchAndQueue(ctx, true)
	hints, approvals := newEventCursor(EventHint), newEventCursor(flow.EventApproval)
	poll := time.NewTimer(jitter(a.pollInterval()))
	tick := time.NewTicker(a.cfg.HintInterval)
	defer poll.Stop()
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-poll.C:
			a.fetchAndQueue(ctx, false)
			if err := a.mirror.Maintain(ctx); err != nil {
				a.log.Warn("git maintenance of the mirror failed", "error", err.Error())
			}
			poll.Reset(jitter(a.pollInterval()))
		case <-a.kick:
			a.fetchAndQueue(ctx, false)
		case <-tick.C:
			if len(hints.next(ctx, a.cfg.Store)) > 0 {
				a.fetchAndQueue(ctx, false)
			}
			if evs := approvals.next(ctx, a.cfg.Store); len(evs) > 0 {
				a.queueAutoPromotions(approvals.last)
			}
		}
	}
}

func (a *Agent) pollInterval() time.Duration {
	if a.cfg.PollInterval > 0 {
		return a.cfg.PollInterval
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.model != nil && a.model.Spec.Agent.PollInterval.Duration > 0 {
		return a.model.Spec.Agent.PollInterval.Duration
	}
	return time.Minute
}

// fetch refreshes the mirror and the platform model (ferry.yaml at the
// first lane's head, which names the environments and their lanes). It
// returns the lane heads before and after.
func (a *Agent) fetch(ctx context.Context) (before, after map[string]string, ok bool) {
	start := time.Now()
	err := a.mirror.Fetch(ctx)
	a.cfg.Metrics.Fetched(time.Since(start), err)
	a.mu.Lock()
	a.fetchErr = err
	if err == nil {
		a.fetched = time.Now()
	}
	before = a.heads
	model := a.model
	a.mu.Unlock()
	if err != nil {
		a.log.Error("fetch failed", "error", err.Error())
		return before, before, false
	}
	lanes := laneNames(model)
	after = a.mirror.Heads(ctx, lanes)
	if first, ok := after[lanes[0]]; ok {
		if p, err := a.mirror.Platform(ctx, first); err != nil {
			a.log.Error("ferry.yaml does not load", "lane", lanes[0], "revision", first, "error", err.Error())
		} else {
			model = p
		}
	}
	a.mu.Lock()
	a.heads, a.model = after, model
	a.mu.Unlock()
	return before, after, true
}

// laneNames are the model's lanes, or ferry's default lanes before any
// model loaded.
func laneNames(model *platform.Platform) []string {
	if model != nil && len(model.Spec.Lanes) > 0 {
		return model.LaneNames()
	}
	return []string{"develop", "staging", "main", "release"}
}

func (a *Agent) fetchAndQueue(ctx context.Context, all bool) {
	before, after, ok := a.fetch(ctx)
	if !ok {
		return
	}
	a.mu.Lock()
	model, q := a.model, a.q
	a.mu.Unlock()
	if model == nil || q == nil {
		return
	}
	for _, env := range model.Spec.Environments {
		if moved := before[env.Lane] != after[env.Lane]; moved || all {
			if moved {
				a.log.Info("lane moved", "env", env.Name, "lane", env.Lane, "from", before[env.Lane], "to", after[env.Lane])
			}
			q.Add(env.Name)
		}
	}
}

// Hint is a webhook's news that refs were pushed: the leader fetches now
// (the payload's commits are never trusted); a follower records the hint
// for the leader. Refs that name no lane (nor a tag) are only logged; an
// empty list means "look at every lane".
func (a *Agent) Hint(ctx context.Context, source string, refs []string) {
	if len(refs) > 0 && !a.watched(refs) {
		a.log.Info("webhook names no watched lane; ignored", "source", source, "refs", strings.Join(refs, ","))
		return
	}
	a.mu.Lock()
	leader := a.role == "leader"
	a.mu.Unlock()
	if leader {
		a.kickFetch()
		return
	}
	data, _ := json.Marshal(map[string]any{"source": source, "refs": refs})
	if _, err := a.cfg.Store.AppendEvent(ctx, store.Event{Kind: EventHint, Actor: a.cfg.Actor, Time: time.Now(),
		Message: "webhook from " + source + " received by a follower", Data: string(data)}); err != nil {
		a.log.Error("record webhook hint for the leader", "error", err.Error())
	}
}

func (a *Agent) kickFetch() {
	select {
	case a.kick <- struct{}{}:
	default: // a fetch is already due
	}
}

func (a *Agent) watched(refs []string) bool {
	a.mu.Lock()
	model := a.model
	a.mu.Unlock()
	lanes := laneNames(model)
	for _, r := range refs {
		if strings.HasPrefix(r, "refs/tags/") {
			return true
		}
		if b, ok := strings.CutPrefix(r, "refs/heads/"); ok && slices.Contains(lanes, b) {
			return true
		}
	}
	return false
}

// eventCursor reads the store events of one kind recorded since the
// leader started watching: followers' webhook hints, and approvals (which
// may open an auto promotion's last gate).
type eventCursor struct {
	kind  string
	since time.Time
	last  int64
}

func newEventCursor(kind string) *eventCursor { return &eventCursor{kind: kind, since: time.Now()} }

// next returns the events recorded since the last call. The window starts
// a second early so that a clock step does not lose one; IDs drop repeats.
func (c *eventCursor) next(ctx context.Context, st store.Store) []store.Event {
	evs, err := st.Events(ctx, store.EventFilter{Kind: c.kind, Since: c.since.Add(-time.Second), Limit: 100})
	if err != nil {
		return nil
	}
	var out []store.Event
	newest := c.last // evs are newest first, by time: IDs need max
	for _, e := range evs {
		if e.ID > c.last {
			out = append(out, e)
			newest = max(newest, e.ID)
			if e.Time.After(c.since) {
				c.since = e.Time
			}
		}
	}
	c.last = newest
	return out
}

// queueAutoPromotions notes the newest approval the leader has seen (part
// of what an auto promotion's retry depends on) and queues every
// environment an auto promotion starts from, so it is acted on at once.
func (a *Agent) queueAutoPromotions(approval int64) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.approval = approval
	if a.model == nil || a.q == nil {
		return
	}
	for _, pr := range a.model.Spec.Promotions {
		if env, ok := a.model.EnvForLane(pr.From); ok && pr.Auto {
			a.q.Add(env.Name)
		}
	}
}

// promotionState is what an auto promotion's gates read besides this
// lane and its deployment: the target lane's head as of the last fetch,
// and the newest approval the leader has seen.
func (a *Agent) promotionState(lane string) string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.heads[lane] + "/" + strconv.FormatInt(a.approval, 10)
}
