package flow

import (
	"context"
	"fmt"
	"strings"
	"time"

	"ferry.dev/ferry/internal/git"
	"ferry.dev/ferry/internal/platform"
	"ferry.dev/ferry/internal/store"
)

// PromoteOptions tune Promote.
type PromoteOptions struct {
	DryRun   bool
	Override string // break-glass reason; failed gates are recorded as overridden
	// Ref is the break-glass candidate (needs Override): promote this
	// revision of the source lane (or the lane it is fed from) instead of
	// the verified one.
	Ref string
}

// RefWithoutOverrideError: --ref picks a candidate past the gates, so it
// is break-glass and needs a reason.
type RefWithoutOverrideError struct{ To string }

func (e *RefWithoutOverrideError) Error() string {
	return fmt.Sprintf("promote %s: --ref needs --override REASON (it bypasses the deployed gate)", e.To)
}
func (e *RefWithoutOverrideError) ConfigError() bool { return true }

// Plan is what a promotion would do and why it may or may not.
type Plan struct {
	From          string       `json:"from"`
	To            string       `json:"to"`
	CandidateKind string       `json:"candidateKind"` // head, verified, or break-glass
	Candidate     string       `json:"candidate,omitempty"`
	Target        string       `json:"target"` // the lane's head before
	Commits       []CommitInfo `json:"commits"`
	Gates         []Gate       `json:"gates"`
	UpToDate      bool         `json:"upToDate"`
	// RolledBack: the lane's tree is a rollback to this tag, which the
	// promotion replaces with the candidate's.
	RolledBack string `json:"rolledBack,omitempty"`
	Allowed    bool   `json:"allowed"`
	Override   string `json:"override,omitempty"`
}

// Result is a finished (or dry-run) promotion.
type Result struct {
	Plan
	DryRun      bool     `json:"dryRun"`
	Commit      string   `json:"commit,omitempty"` // the merge commit now on the lane
	PromotionID int64    `json:"promotionId,omitempty"`
	Attempts    int      `json:"attempts"`
	Notes       []string `json:"notes,omitempty"`
}

// GateError says a lane move is blocked, listing the failed gates.
type GateError struct {
	Op    string // "promotion to staging", "finish of feature/x"
	Gates []Gate
	// NoCandidate: nothing verified to promote, so --override cannot help.
	NoCandidate bool
}

// Refused names the gates that refused (failed and not overridden).
func (e *GateError) Refused() []string {
	var names []string
	for _, g := range e.Gates {
		if !g.Passed && !g.Overridden {
			names = append(names, g.Name)
		}
	}
	return names
}

// PendingUntil is the latest time a refusing gate that is only pending
// (a verify gate's soak) may pass; ok is false when none is pending.
func (e *GateError) PendingUntil() (until time.Time, ok bool) {
	for _, g := range e.Gates {
		if !g.Passed && !g.Overridden && g.Pending && !g.Until.IsZero() {
			ok = true
			if g.Until.After(until) {
				until = g.Until
			}
		}
	}
	return until, ok
}

// Failed returns the refusing gate named name that failed (not pending).
func (e *GateError) Failed(name string) (Gate, bool) {
	for _, g := range e.Gates {
		if g.Name == name && !g.Passed && !g.Overridden && !g.Pending {
			return g, true
		}
	}
	return Gate{}, false
}

func (e *GateError) Error() string {
	var failed []string
	for _, g := range e.Gates {
		if !g.Passed && !g.Overridden {
			failed = append(failed, g.Name+": "+g.Reason)
		}
	}
	return fmt.Sprintf("%s blocked: %s", e.Op, strings.Join(failed, "; "))
}

// Hint points at the break-glass path.
func (e *GateError) Hint() string {
	if e.NoCandidate {
		return "deploy and verify the source environment first: only a revision it ran healthy can be promoted; " +
			"break-glass: --override REASON promotes the source lane's head (or --ref REV) unverified, recorded"
	}
	return "fix what the gates report, or `--override REASON` (recorded with your name)"
}

// maxListed bounds the commits a plan lists.
const maxListed = 50

func (e *Engine) promotionTo(to string) (platform.Promotion, error) {
	if _, err := e.lane(to); err != nil {
		return platform.Promotion{}, err
	}
	pr, ok := e.P.PromotionTo(to)
	if !ok {
		return platform.Promotion{}, &UnknownLaneError{What: "promotion target (nothing is promoted into it)", Name: to, Known: promotionTargets(e.P)}
	}
	return pr, nil
}

func promotionTargets(p *platform.Platform) []string {
	var out []string
	for _, pr := range p.Spec.Promotions {
		out = append(out, pr.To)
	}
	return out
}

// PlanPromotion picks the candidate for lane to and evaluates its gates,
// changing nothing. Call Sync first to plan on the remote's state.
func (e *Engine) PlanPromotion(ctx context.Context, to, override string) (*Plan, error) {
	pr, err := e.promotionTo(to)
	if err != nil {
		return nil, err
	}
	return e.plan(ctx, pr, override, "")
}

// CandidateBreakGlass is the candidate kind of a verified promotion forced
// with an override: the source lane's head, or the revision --ref named.
const CandidateBreakGlass = "break-glass"

func (e *Engine) plan(ctx context.Context, pr platform.Promotion, override, ref string) (*Plan, error) {
	p := &Plan{From: pr.From, To: pr.To, CandidateKind: pr.Candidate, Override: override, Commits: []CommitInfo{}}
	var err error
	if p.Target, err = e.branchHead(ctx, pr.To); err != nil {
		return nil, err
	}
	var gates []Gate
	switch {
	case ref != "":
		if p.Candidate, _, err = e.breakGlassCandidate(ctx, pr, ref); err != nil {
			return nil, err
		}
		p.CandidateKind = CandidateBreakGlass
		if pr.Gates.Deployed != "" {
			gates = append(gates, e.deployedGate(ctx, pr.Gates, p.Candidate))
		}
	case pr.Candidate == platform.CandidateVerified:
		g, cand := e.verifiedCandidate(ctx, pr)
		if cand == "" && override != "" {
			// Break-glass: nothing verified (the gate environment is down,
			// say), so the override promotes the source lane's head; the
			// deployed gate stays failed, with why, and is overridden.
			var why string
			if cand, why, err = e.breakGlassCandidate(ctx, pr, ""); err != nil {
				return nil, err
			}
			if cand == "" {
				g.Reason += " " + why
			} else {
				p.CandidateKind = CandidateBreakGlass
				g.Reason += fmt.Sprintf("; break-glass: promoting %s's head (%s) unverified", pr.From, shortID(cand))
			}
		}
		gates, p.Candidate = append(gates, g), cand
	default:
		if p.Candidate, err = e.branchHead(ctx, pr.From); err != nil {
			return nil, err
		}
		if pr.Gates.Deployed != "" {
			gates = append(gates, e.deployedGate(ctx, pr.Gates, p.Candidate))
		}
	}
	if p.Candidate == "" {
		p.Gates = gates
		return p, nil
	}
	lc, err := e.content(ctx, pr.To, p.Target)
	if err != nil {
		return nil, err
	}
	p.RolledBack = lc.RolledBack
	if p.UpToDate, err = e.contains(ctx, lc, p.Candidate); err != nil || p.UpToDate {
		p.Allowed = p.UpToDate
		return p, err
	}
	args := append([]string{"--no-merges", fmt.Sprintf("--max-count=%d", maxListed), p.Candidate}, lc.exclude()...)
	commits, err := e.Repo.Log(ctx, args...)
	if err != nil {
		return nil, err
	}
	for _, c := range commits {
		p.Commits = append(p.Commits, infoOf(c))
	}
	gates = append(gates, e.gatedChecks(ctx, p.Candidate, pr.Gates.Checks, pr.To)...)
	if pr.Gates.Approvals > 0 {
		gates = append(gates, e.approvalsGate(ctx, pr.To, p.Candidate, pr.Gates.Approvals))
	}
	if pr.Gates.Verify != nil {
		gates = append(gates, e.verifyGate(ctx, pr, gateNamed(gates, "deployed")))
	}
	if l, _ := e.P.Lane(pr.To); l.Protected {
		gates = append(gates, e.laneGate(ctx, pr.To))
	}
	if g, ok := e.carriedGate(ctx, pr.To, lc, p.Candidate); ok {
		gates = append(gates, g)
	}
	p.Gates = gates
	p.Allowed = applyOverride(p.Gates, override)
	return p, nil
}

// breakGlassCandidate is the revision an override promotes past the
// deployed gate: ref, or the source lane's head, as the source revision it
// carries (a promotion commit on the source lane stands for the revision it
// promoted). It must be on the lane promotions take revisions from (develop,
// for main <- staging): an override forgoes the evidence, not the lanes, so
// a hand edit of staging cannot reach main this way. ok is false when the
// source lane's head is no such revision (why says so); a bad ref is an error.
func (e *Engine) breakGlassCandidate(ctx context.Context, pr platform.Promotion, ref string) (rev string, why string, err error) {
	origin := pr.From
	if up := e.upstream(pr.From); pr.Candidate == platform.CandidateVerified && up != "" {
		origin = up
	}
	if ref != "" {
		if rev, err = e.Repo.ResolveCommit(ctx, ref); err != nil {
			return "", "", &BadRefError{Ref: ref, Why: "is not a commit in this repository"}
		}
	} else if rev, err = e.branchHead(ctx, pr.From); err != nil {
		return "", "", err
	}
	src, err := e.sourceRevision(ctx, rev)
	if err != nil {
		return "", "", err
	}
	head, err := e.branchHead(ctx, origin)
	if err != nil {
		return "", "", err
	}
	on, err := e.Repo.IsAncestor(ctx, src, head)
	switch {
	case err != nil:
		return "", "", err
	case on:
		return src, "", nil
	case ref != "":
		return "", "", &BadRefError{Ref: ref, Why: fmt.Sprintf("is not on %s (only its revisions are promoted into %s)", origin, pr.To)}
	}
	return "", fmt.Sprintf("and %s's head %s, which an override would promote, is not on %s (a hand edit of %s?): name a revision of %s with --ref",
		pr.From, shortID(src), origin, pr.From, origin), nil
}

// BadRefError: a --ref that cannot be promoted.
type BadRefError struct{ Ref, Why string }

func (e *BadRefError) Error() string     { return fmt.Sprintf("ref %q %s", e.Ref, e.Why) }
func (e *BadRefError) ConfigError() bool { return true }

// gateNamed is the gate called name, or a zero Gate.
func gateNamed(gates []Gate, name string) Gate {
	for _, g := range gates {
		if g.Name == name {
			return g
		}
	}
	return Gate{Name: name, Reason: "no " + name + " gate"}
}

// verifiedCandidate finds the source revision the gate environment deployed.
// It must be on the lane the source lane is fed from (develop, for main ←
// staging): a revision that exists only on the source lane is not a
// promotable one.
func (e *Engine) verifiedCandidate(ctx context.Context, pr platform.Promotion) (Gate, string) {
	g := pr.Gates
	gate := Gate{Name: "deployed"}
	d, err := e.verifiedDeployment(ctx, g.Deployed, g.Verified)
	if err != nil {
		gate.Reason = err.Error()
		return gate, ""
	}
	src, err := e.sourceRevision(ctx, d.Revision)
	if err != nil {
		gate.Reason = fmt.Sprintf("deployment %d of %s: revision %s is not in this repository", d.ID, g.Deployed, shortID(d.Revision))
		return gate, ""
	}
	if cs, err := e.Repo.Log(ctx, "-1", d.Revision); err == nil && len(cs) == 1 && has(cs[0], TrailerRollback) {
		gate.Reason = fmt.Sprintf("deployment %d of %s ran the rollback to %s, which is not a revision to promote: promote %s again and deploy it first",
			d.ID, g.Deployed, trailer(cs[0], TrailerRollback), pr.From)
		return gate, ""
	}
	origin := e.upstream(pr.From)
	if origin == "" {
		origin = pr.From
	}
	if head, err := e.branchHead(ctx, origin); err == nil {
		if on, err := e.Repo.IsAncestor(ctx, src, head); err == nil && !on {
			gate.Reason = fmt.Sprintf("deployment %d of %s ran %s, which is not on %s (a hand edit of %s?)", d.ID, g.Deployed, shortID(src), origin, pr.From)
			return gate, ""
		}
	}
	gate.Passed, gate.deployment = true, &d
	gate.Evidence = []string{fmt.Sprintf("deployment:%d", d.ID)}
	gate.Reason = fmt.Sprintf("%s deployed %s healthy in deployment %d", g.Deployed, shortID(src), d.ID)
	if g.Verified {
		gate.Reason += " and verified it"
	}
	return gate, src
}

// Promote moves the candidate into lane to if its gates pass, re-planning
// when the lane moves under it.
func (e *Engine) Promote(ctx context.Context, to string, o PromoteOptions) (*Result, error) {
	pr, err := e.promotionTo(to)
	if err != nil {
		return nil, err
	}
	if o.Ref != "" && o.Override == "" {
		return nil, &RefWithoutOverrideError{To: to}
	}
	defer e.releaseInflight()
	for attempt := 1; ; attempt++ {
		if err := e.Sync(ctx); err != nil {
			return nil, err
		}
		e.recoverRecords(ctx, to)
		plan, err := e.plan(ctx, pr, o.Override, o.Ref)
		if err != nil {
			return nil, err
		}
		res := &Result{Plan: *plan, DryRun: o.DryRun, Attempts: attempt}
		if plan.UpToDate {
			res.Notes = e.catchUp(ctx, to)
			return res, nil
		}
		if !plan.Allowed || plan.Candidate == "" {
			return res, &GateError{Op: "promotion to " + to, Gates: plan.Gates, NoCandidate: plan.Candidate == ""}
		}
		if o.DryRun {
			return res, nil
		}
		res.Commit, res.Notes, err = e.executePromotion(ctx, plan)
		if git.IsNonFastForward(err) && attempt < e.maxAttempts {
			e.logf("%s moved while promoting (%v); re-planning", to, err)
			continue
		}
		if err != nil {
			res.Commit = "" // made but not published: not on the lane
			return res, fmt.Errorf("promote %s: %w", to, err)
		}
		res.PromotionID, err = e.record(ctx, store.Promotion{Kind: "promote", From: plan.From, To: to,
			Revision: plan.Candidate, Commit: res.Commit, Evidence: evidenceOf(plan.Gates), Override: o.Override, Gates: gateRecords(plan.Gates)})
		return res, err
	}
}

func (e *Engine) executePromotion(ctx context.Context, p *Plan) (string, []string, error) {
	msg := git.Message(fmt.Sprintf("Promote %s@%s to %s", p.From, shortID(p.Candidate), p.To), "",
		e.trailerSet(TrailerPromotion, p.From+" -> "+p.To, p.Candidate, evidenceOf(p.Gates), p.Override))
	commit, err := e.promotionCommit(ctx, p, msg, "")
	if err != nil {
		return "", nil, err
	}
	crashPoint("merged")
	e.inflight(ctx, commit)
	notes, err := e.publish(ctx, []git.RefUpdate{{Ref: "refs/heads/" + p.To, New: commit, Old: p.Target}}, "ferry: promote to "+p.To)
	return commit, notes, err
}
