package flow

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"ferry.dev/ferry/internal/git"
	"ferry.dev/ferry/internal/store"
)

// record stores a lane move and its audit event, once per commit.
func (e *Engine) record(ctx context.Context, p store.Promotion) (int64, error) {
	p.Actor = e.Actor
	p.CreatedAt = e.now()
	if prior, err := e.Store.Promotions(ctx, store.PromotionFilter{Kind: p.Kind, To: p.To, Limit: 20}); err == nil {
		for _, r := range prior {
			if r.Commit == p.Commit {
				return r.ID, nil
			}
		}
	}
	id, err := e.Store.RecordPromotion(ctx, p)
	if err != nil {
		return 0, fmt.Errorf("record %s of %s (the lane moved; git log has it): %w", p.Kind, p.To, err)
	}
	p.ID = id
	data, _ := json.Marshal(p)
	env := ""
	if en, ok := e.P.EnvForLane(p.To); ok {
		env = en.Name
	}
	msg := fmt.Sprintf("%s %s -> %s at %s", p.Kind, p.From, p.To, shortID(p.Commit))
	if p.Override != "" {
		msg += " (override: " + p.Override + ")"
	}
	if _, err := e.Store.AppendEvent(ctx, store.Event{Kind: eventKind(p.Kind), Env: env, Actor: e.Actor,
		Time: p.CreatedAt, Message: msg, Data: string(data)}); err != nil {
		return id, fmt.Errorf("record event: %w", err)
	}
	return id, nil
}

func eventKind(kind string) string {
	switch kind {
	case "promote":
		return "promotion"
	default:
		return kind
	}
}

// recoverRecords stores, from its trailers, a ferry commit at the head of a
// lane that the store does not know: the trace of a run killed between
// moving the lane and recording it. Best effort; git log stays the truth.
func (e *Engine) recoverRecords(ctx context.Context, lane string) {
	head, err := e.branchHead(ctx, lane)
	if err != nil {
		return
	}
	last, err := e.Store.Promotions(ctx, store.PromotionFilter{To: lane, Limit: 1})
	if err != nil || (len(last) == 1 && last[0].Commit == head) {
		return
	}
	cs, err := e.Repo.Log(ctx, "-1", head)
	if err != nil || len(cs) != 1 {
		return
	}
	p, ok := promotionFromCommit(cs[0], lane)
	if !ok {
		return
	}
	recorded, err := e.Store.Promotions(ctx, store.PromotionFilter{Kind: p.Kind, To: lane, Limit: 20})
	if err != nil {
		return
	}
	for _, r := range recorded {
		if r.Commit == head {
			return
		}
	}
	ok, release := e.claimRecovery(ctx, head)
	defer release()
	if !ok {
		return // the run that made it is still publishing and will record it
	}
	if p.Kind == "release" && p.Version != "" {
		// The tag's message is the release's changelog section.
		if msg, err := e.Repo.TagMessage(ctx, p.Version); err == nil {
			p.Changelog = msg
		}
	}
	actor := e.Actor
	if a, ok := cs[0].Trailer(TrailerActor); ok {
		e.Actor = a
	}
	if _, err := e.record(ctx, p); err == nil {
		e.logf("recorded %s of %s at %s from its trailers (an earlier run stopped before recording it)", p.Kind, lane, shortID(head))
	}
	e.Actor = actor
}

// promotionFromCommit rebuilds a store record from a ferry commit's trailers.
func promotionFromCommit(c git.Commit, lane string) (store.Promotion, bool) {
	p := store.Promotion{To: lane, Commit: c.ID}
	p.Revision, _ = c.Trailer(TrailerRevision)
	if ev, ok := c.Trailer(TrailerEvidence); ok {
		for _, s := range strings.Split(ev, ",") {
			if s = strings.TrimSpace(s); s != "" {
				p.Evidence = append(p.Evidence, s)
			}
		}
	}
	if o, ok := c.Trailer(TrailerOverride); ok {
		if _, reason, found := strings.Cut(o, ": "); found {
			o = reason
		}
		p.Override = o
	}
	switch {
	case has(c, TrailerRelease):
		p.Kind = "release"
		p.Version, _ = c.Trailer(TrailerRelease)
		p.From, _, _ = strings.Cut(trailer(c, TrailerPromotion), " -> ")
	case has(c, TrailerRollback):
		p.Kind = "rollback"
		p.Version, _ = c.Trailer(TrailerRollback)
		p.From = p.Version
	case has(c, TrailerPromotion):
		p.Kind = "promote"
		p.From, _, _ = strings.Cut(trailer(c, TrailerPromotion), " -> ")
	case has(c, TrailerFinish):
		p.Kind = "finish"
		p.From, _, _ = strings.Cut(trailer(c, TrailerFinish), " -> ")
	default:
		return p, false
	}
	return p, true
}

func has(c git.Commit, key string) bool { _, ok := c.Trailer(key); return ok }

func trailer(c git.Commit, key string) string { v, _ := c.Trailer(key); return v }

// gateRecords is what a move records of its gates: each one's verdict,
// why, evidence and whether an override let it through.
func gateRecords(gates []Gate) []store.Gate {
	var out []store.Gate
	for _, g := range gates {
		out = append(out, store.Gate{Name: g.Name, Passed: g.Passed, Reason: g.Reason, Evidence: g.Evidence, Overridden: g.Overridden})
	}
	return out
}
