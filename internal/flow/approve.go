package flow

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"ferry.dev/ferry/internal/platform"
	"ferry.dev/ferry/internal/store"
)

// EventApproval is the store event kind of an approval; its Data is an
// approvalData document.
const EventApproval = "approval"

// approvalScan bounds how many of the newest approval events a gate reads.
const approvalScan = 1000

type approvalData struct {
	Lane     string `json:"lane"`
	From     string `json:"from"`
	Revision string `json:"revision"`
	Comment  string `json:"comment,omitempty"`
}

// Approval is one person's approval of a revision for the promotion into a
// lane, and where the approvals of that revision stand.
type Approval struct {
	ID        int64    `json:"id"` // the event ID, cited as approval:ID
	Lane      string   `json:"lane"`
	From      string   `json:"from"`
	Revision  string   `json:"revision"`
	Actor     string   `json:"actor"`
	Comment   string   `json:"comment,omitempty"`
	Candidate string   `json:"candidate,omitempty"` // the promotion's current candidate
	Approvers []string `json:"approvers"`           // distinct approvers of Revision for Lane
	Required  int      `json:"required"`            // gates.approvals of the promotion
}

// NoApproverError: ferry cannot tell who is approving.
type NoApproverError struct{}

func (NoApproverError) Error() string     { return "cannot tell who is approving" }
func (NoApproverError) ConfigError() bool { return true }
func (NoApproverError) Hint() string      { return "git config user.email you@example.com" }

// Approve records that the acting person approves rev (default: the
// promotion's current candidate) for the promotion into lane.
func (e *Engine) Approve(ctx context.Context, lane, rev, comment string) (*Approval, error) {
	pr, err := e.promotionTo(lane)
	if err != nil {
		return nil, err
	}
	actor, err := e.approver(ctx)
	if err != nil {
		return nil, err
	}
	if err := e.Sync(ctx); err != nil {
		return nil, err
	}
	a := &Approval{Lane: pr.To, From: pr.From, Actor: actor, Comment: strings.TrimSpace(comment), Required: pr.Gates.Approvals}
	var gate Gate
	if a.Candidate, gate, err = e.candidate(ctx, pr); err != nil {
		return nil, err
	}
	switch {
	case rev != "":
		if a.Revision, err = e.resolve(ctx, rev); err != nil {
			return nil, err
		}
	case a.Candidate == "":
		return nil, &GateError{Op: "approval of the promotion to " + lane, Gates: []Gate{gate}, NoCandidate: true}
	default:
		a.Revision = a.Candidate
	}
	data, err := json.Marshal(approvalData{Lane: a.Lane, From: a.From, Revision: a.Revision, Comment: a.Comment})
	if err != nil {
		return nil, fmt.Errorf("record approval: %w", err)
	}
	env := ""
	if en, ok := e.P.EnvForLane(lane); ok {
		env = en.Name
	}
	a.ID, err = e.Store.AppendEvent(ctx, store.Event{Kind: EventApproval, Env: env, Actor: actor, Time: e.now(),
		Message: fmt.Sprintf("approved %s for %s -> %s", shortID(a.Revision), a.From, a.Lane), Data: string(data)})
	if err != nil {
		return nil, fmt.Errorf("record approval: %w", err)
	}
	ids, err := e.approvals(ctx, lane, a.Revision)
	if err != nil {
		return nil, err
	}
	a.Approvers = sortedKeys(ids)
	return a, nil
}

// candidate is the revision a promotion would move now ("" with the failed
// gate when there is none), without evaluating its other gates.
func (e *Engine) candidate(ctx context.Context, pr platform.Promotion) (string, Gate, error) {
	if pr.Candidate == platform.CandidateVerified {
		g, cand := e.verifiedCandidate(ctx, pr)
		return cand, g, nil
	}
	h, err := e.branchHead(ctx, pr.From)
	return h, Gate{}, err
}

// approvals returns, per distinct actor, the newest approval event of rev
// for the promotion into lane.
func (e *Engine) approvals(ctx context.Context, lane, rev string) (map[string]int64, error) {
	f := store.EventFilter{Kind: EventApproval, Limit: approvalScan}
	if en, ok := e.P.EnvForLane(lane); ok {
		f.Env = en.Name
	}
	evs, err := e.Store.Events(ctx, f)
	if err != nil {
		return nil, fmt.Errorf("read approvals: %w", err)
	}
	out := map[string]int64{}
	for _, ev := range evs {
		var d approvalData
		if json.Unmarshal([]byte(ev.Data), &d) != nil || d.Lane != lane || d.Revision != rev || ev.Actor == "" {
			continue
		}
		if _, seen := out[ev.Actor]; !seen {
			out[ev.Actor] = ev.ID
		}
	}
	return out, nil
}

// approvalsGate passes when at least n distinct people approved exactly
// the candidate for this promotion.
func (e *Engine) approvalsGate(ctx context.Context, lane, candidate string, n int) Gate {
	g := Gate{Name: "approvals"}
	ids, err := e.approvals(ctx, lane, candidate)
	if err != nil {
		g.Reason = err.Error()
		return g
	}
	actors := sortedKeys(ids)
	for _, a := range actors {
		g.Evidence = append(g.Evidence, fmt.Sprintf("approval:%d", ids[a]))
	}
	who := ""
	if len(actors) > 0 {
		who = " (" + strings.Join(actors, ", ") + ")"
	}
	g.Reason = fmt.Sprintf("%d of %d approval(s) of %s%s", len(actors), n, shortID(candidate), who)
	if len(actors) < n {
		g.Reason += "; add one with `ferry approve " + lane + "`"
		return g
	}
	g.Passed = true
	return g
}

func sortedKeys(m map[string]int64) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// approver is who approves: the engine's explicit actor, else FERRY_ACTOR,
// else git config user.email, else user.name, else $USER.
func (e *Engine) approver(ctx context.Context) (string, error) {
	if e.actorExplicit {
		return e.Actor, nil
	}
	if a, known := e.Repo.Actor(ctx); known {
		return a, nil
	}
	return "", NoApproverError{}
}
