package dashboard

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"ferry.dev/ferry/internal/app"
	"ferry.dev/ferry/internal/flow"
	"ferry.dev/ferry/internal/platform"
	"ferry.dev/ferry/internal/store"
)

// World is what the pages read from Git, as of one look: the platform
// model, the lane heads, each lane's status and each promotion's plan
// (its candidate and gates). Reading it costs Git work, so pages share
// one, refreshed in the background when older than the TTL (stale while
// it revalidates) and at once after an action moved something.
type World struct {
	P     *platform.Platform
	Heads map[string]string
	Lanes []flow.LaneStatus
	// Plans are the promotions' plans by target lane (absent: the plan
	// failed; PlanErrs says why).
	Plans    map[string]*flow.Plan
	PlanErrs map[string]string
	// Next is the version a release of the release lane's candidate would
	// carry, with its changelog (nil when there is nothing to release).
	Next *flow.VersionPlan
	At   time.Time
	// stamp is what the look was taken of; an equal stamp later means the
	// same lanes and plans, so the look is reused.
	stamp string
}

type worlds struct {
	b   Backend
	st  store.Store
	log *slog.Logger
	ttl time.Duration

	mu         sync.Mutex
	w          *World
	refreshing bool
	flight     chan struct{} // closed when the running refresh ends
	lastErr    error
}

func (ws *worlds) get(ctx context.Context) (*World, error) {
	ws.mu.Lock()
	w := ws.w
	if w != nil {
		if time.Since(w.At) > ws.ttl && !ws.refreshing {
			ws.start()
			go ws.refresh(context.WithoutCancel(ctx))
		}
		ws.mu.Unlock()
		return w, nil
	}
	if !ws.refreshing {
		ws.start()
		go ws.refresh(context.WithoutCancel(ctx))
	}
	flight := ws.flight
	ws.mu.Unlock()
	select {
	case <-flight:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	ws.mu.Lock()
	defer ws.mu.Unlock()
	if ws.w == nil {
		return nil, ws.lastErr
	}
	return ws.w, nil
}

// start marks a refresh running (ws.mu held).
func (ws *worlds) start() {
	ws.refreshing = true
	ws.flight = make(chan struct{})
}

func (ws *worlds) refresh(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	ws.mu.Lock()
	prev := ws.w
	ws.mu.Unlock()
	w, err := ws.look(ctx, prev)
	ws.mu.Lock()
	defer ws.mu.Unlock()
	if err != nil {
		ws.log.Warn("dashboard: read lanes", "error", err.Error())
		ws.lastErr = err
	} else {
		ws.w, ws.lastErr = w, nil
	}
	ws.refreshing = false
	close(ws.flight)
}

// invalidate makes the next page wait for a fresh look (after an action).
func (ws *worlds) invalidate() {
	ws.mu.Lock()
	ws.w = nil
	ws.mu.Unlock()
}

// look reads the world: the snapshot, then the lanes and promotion plans
// through the use-case layer's workflow engine, holding the mirror as the
// API's reads do. Plans check gates without running anything: the checks
// gate reads recorded check runs only (recordedChecks).
func (ws *worlds) look(ctx context.Context, prev *World) (*World, error) {
	p, heads, err := ws.b.Snapshot(ctx)
	if err != nil {
		return nil, fmt.Errorf("read platform: %w", err)
	}
	stamp, err := ws.stampOf(ctx, p, heads)
	if err != nil {
		return nil, err
	}
	if prev != nil && prev.stamp == stamp && prev.P == p {
		again := *prev
		again.At = time.Now()
		return &again, nil
	}
	w := &World{P: p, Heads: heads, Plans: map[string]*flow.Plan{}, PlanErrs: map[string]string{}, stamp: stamp}
	ap, err := ws.b.App(ctx, p, app.Options{Store: ws.st, Checker: recordedChecks{}, Actor: "dashboard", Log: ws.log})
	if err != nil {
		return nil, fmt.Errorf("open platform: %w", err)
	}
	defer ap.Close()
	err = ws.b.Exclusive(func() error {
		e, err := ap.Flow(ctx)
		if err != nil {
			return err
		}
		if w.Lanes, err = e.Lanes(ctx); err != nil {
			return fmt.Errorf("read lanes: %w", err)
		}
		for _, pr := range p.Spec.Promotions {
			plan, err := e.PlanPromotion(ctx, pr.To, "")
			if err != nil {
				w.PlanErrs[pr.To] = err.Error()
				continue
			}
			markUnchecked(plan)
			w.Plans[pr.To] = plan
			if pr.To == e.ReleaseLane() && plan.Candidate != "" && !plan.UpToDate {
				if vp, err := e.NextVersion(ctx, plan.Candidate, flow.BumpNone, false); err == nil {
					w.Next = vp
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	w.At = time.Now()
	return w, nil
}

// uncheckedNote ends the reason of a checks gate that no recorded run
// decides yet.
const uncheckedNote = "promoting runs the checks"

// markUnchecked shows a checks gate without a recorded run as pending: the
// promotion runs the checks, so nothing failed yet.
func markUnchecked(p *flow.Plan) {
	for i, g := range p.Gates {
		if g.Name == "checks" && !g.Passed && strings.HasSuffix(g.Reason, uncheckedNote) {
			p.Gates[i].Pending = true
			p.Gates[i].Reason = "not checked yet: " + uncheckedNote
		}
	}
}

// stampOf names what lanes and plans are derived from: the lane heads
// (the agent keeps its mirror fetched) and the newest record of every kind
// a gate reads (deployments, events with approvals, promotions, check
// runs). The same stamp, the same look.
func (ws *worlds) stampOf(ctx context.Context, p *platform.Platform, heads map[string]string) (string, error) {
	var b strings.Builder
	for _, l := range p.LaneNames() {
		b.WriteString(l + "=" + heads[l] + ";")
	}
	ds, err := ws.st.Deployments(ctx, store.DeploymentFilter{Limit: 1})
	if err != nil {
		return "", err
	}
	evs, err := ws.st.Events(ctx, store.EventFilter{Limit: 1})
	if err != nil {
		return "", err
	}
	ps, err := ws.st.Promotions(ctx, store.PromotionFilter{Limit: 1})
	if err != nil {
		return "", err
	}
	cs, err := ws.st.CheckRuns(ctx, store.CheckRunFilter{Limit: 1})
	if err != nil {
		return "", err
	}
	for _, d := range ds {
		fmt.Fprintf(&b, "d%d%s;", d.ID, d.Status)
	}
	for _, e := range evs {
		fmt.Fprintf(&b, "e%d;", e.ID)
	}
	for _, x := range ps {
		fmt.Fprintf(&b, "p%d;", x.ID)
	}
	for _, c := range cs {
		fmt.Fprintf(&b, "c%d;", c.ID)
	}
	return b.String(), nil
}

// recordedChecks is the checks gate's Checker for a page: it runs nothing,
// so a page never starts a check run; a promotion runs them.
type recordedChecks struct{}

func (recordedChecks) Check(_ context.Context, _, rev string) (store.CheckRun, error) {
	return store.CheckRun{}, fmt.Errorf("%w for %s: %s", flow.ErrNoCheckRun, short(rev), uncheckedNote)
}

func short(rev string) string {
	if len(rev) > 12 {
		return rev[:12]
	}
	return rev
}
