package flow

import (
	"context"
	"errors"
	"fmt"
	"time"

	"ferry.dev/ferry/internal/platform"
	"ferry.dev/ferry/internal/store"
)

// Checker runs the check pipeline on a revision of the repository at dir.
// A returned run with ID 0 has not been recorded yet; flow records it.
type Checker interface {
	Check(ctx context.Context, dir, rev string) (store.CheckRun, error)
}

// ErrNoCheckRun: no check run is recorded for a revision and the Checker
// did not run one.
var ErrNoCheckRun = errors.New("no check run recorded")

// NoChecker is the default Checker: it runs nothing and reports that no
// check run is recorded, so the checks gate fails until `ferry validate`
// has recorded a passing run for the revision.
type NoChecker struct{}

// Check implements Checker.
func (NoChecker) Check(_ context.Context, _, rev string) (store.CheckRun, error) {
	return store.CheckRun{}, fmt.Errorf("%w for %s: run `ferry validate`", ErrNoCheckRun, shortID(rev))
}

// Gate is one condition of a promotion, with its verdict.
type Gate struct {
	Name       string   `json:"name"` // checks, deployed, lane
	Passed     bool     `json:"passed"`
	Reason     string   `json:"reason"`
	Evidence   []string `json:"evidence,omitempty"` // "check-run:12", "deployment:7"
	Overridden bool     `json:"overridden,omitempty"`
	// Pending: not failed, not yet passed (a verify gate's soak); Until,
	// when set, is when it may pass.
	Pending bool      `json:"pending,omitempty"`
	Until   time.Time `json:"until,omitzero"`
	// deployment is what a passed deployed gate found: the verify gate
	// soaks from its end.
	deployment *store.Deployment
}

// checksGate passes when a passing whole-platform check run is recorded for
// rev. Without one (none recorded, the newest failed, or it covered only one
// environment, as `ferry validate --env` does) the Checker checks rev and the
// run is recorded; a recorded failed run stands when the Checker cannot run.
// With judge (the target lane's spec.checks, when rev relaxes them and no
// one approved that) no recorded run counts — they were judged by rev's own
// settings — and rev is checked by judge.
func (e *Engine) checksGate(ctx context.Context, rev string, judge *platform.Checks, lane string) Gate {
	if judge != nil {
		return e.judgedChecksGate(ctx, rev, *judge, lane)
	}
	g := Gate{Name: "checks"}
	run, err := e.Store.LatestCheckRun(ctx, rev)
	covers := err == nil && run.Passed && run.Env == ""
	if !covers && (err == nil || errors.Is(err, store.ErrNotFound)) {
		fresh, cerr := e.runChecks(ctx, rev)
		switch {
		case cerr == nil:
			run, err = fresh, nil
		case err != nil:
			err = cerr
		case run.Passed: // a passing run of one environment is no evidence for the platform
			err = fmt.Errorf("check run %d on %s covers only environment %s, and checking the whole platform failed: %w",
				run.ID, shortID(rev), run.Env, cerr)
		}
	}
	if err != nil {
		g.Reason = err.Error()
		return g
	}
	return runVerdict(g, run, rev, "")
}

func runVerdict(g Gate, run store.CheckRun, rev, by string) Gate {
	g.Evidence = []string{fmt.Sprintf("check-run:%d", run.ID)}
	if !run.Passed {
		g.Reason = fmt.Sprintf("check run %d on %s failed%s: %s", run.ID, shortID(rev), by, run.Summary)
		return g
	}
	g.Passed = true
	g.Reason = fmt.Sprintf("check run %d on %s passed%s", run.ID, shortID(rev), by)
	return g
}

// judgedChecksGate checks rev by the target lane's settings.
func (e *Engine) judgedChecksGate(ctx context.Context, rev string, judge platform.Checks, lane string) Gate {
	g := Gate{Name: "checks"}
	by := " by " + lane + "'s settings (the change relaxes its own)"
	sc, ok := e.Checker.(SettingsChecker)
	if !ok {
		g.Reason = fmt.Sprintf("%s changes the checks settings and this checker cannot judge it by %s's: approve the change or --override", shortID(rev), lane)
		return g
	}
	e.logf("checking %s by %s's checks settings (it relaxes its own)", shortID(rev), lane)
	run, err := sc.CheckWith(ctx, e.P.Dir, rev, judge)
	if err == nil && run.ID == 0 {
		run.Revision = rev
		run.ID, err = e.Store.RecordCheckRun(ctx, run)
	}
	if err != nil {
		g.Reason = fmt.Sprintf("check %s%s: %v", shortID(rev), by, err)
		return g
	}
	return runVerdict(g, run, rev, by)
}

// runChecks runs the Checker on rev and records the run.
func (e *Engine) runChecks(ctx context.Context, rev string) (store.CheckRun, error) {
	e.logf("checking %s (no passing check run recorded)", shortID(rev))
	run, err := e.Checker.Check(ctx, e.P.Dir, rev)
	if err != nil {
		return run, err
	}
	if run.ID == 0 {
		run.Revision = rev
		if run.ID, err = e.Store.RecordCheckRun(ctx, run); err != nil {
			return run, fmt.Errorf("record check run: %w", err)
		}
	}
	return run, nil
}

// verifiedDeployment finds the latest successful, healthy (and verified, if
// required) whole-environment deployment of env.
func (e *Engine) verifiedDeployment(ctx context.Context, env string, needVerified bool) (store.Deployment, error) {
	ds, err := e.Store.Deployments(ctx, store.DeploymentFilter{Env: env, Status: store.StatusSucceeded, Limit: 50})
	if err != nil {
		return store.Deployment{}, fmt.Errorf("read deployments of %s: %w", env, err)
	}
	for _, d := range ds {
		if d.Target == "" && d.Healthy && (d.Verified || !needVerified) {
			return d, nil
		}
	}
	what := "healthy"
	if needVerified {
		what = "healthy, verified"
	}
	return store.Deployment{}, fmt.Errorf("no successful %s deployment of %s is recorded", what, env)
}

// sourceRevision maps a deployed lane commit to the revision it promoted:
// the Ferry-Revision trailer of a ferry promotion commit, else the commit.
func (e *Engine) sourceRevision(ctx context.Context, rev string) (string, error) {
	cs, err := e.Repo.Log(ctx, "-1", rev)
	if err != nil {
		return "", err
	}
	if len(cs) == 1 {
		if v, ok := cs[0].Trailer(TrailerRevision); ok && v != "" {
			if _, ok := cs[0].Trailer(TrailerPromotion); ok {
				return e.Repo.ResolveCommit(ctx, v)
			}
		}
	}
	return rev, nil
}

// deployedGate passes when env's latest good deployment is of candidate.
func (e *Engine) deployedGate(ctx context.Context, g platform.Gates, candidate string) Gate {
	gate := Gate{Name: "deployed"}
	d, err := e.verifiedDeployment(ctx, g.Deployed, g.Verified)
	if err != nil {
		gate.Reason = err.Error()
		return gate
	}
	gate.Evidence = []string{fmt.Sprintf("deployment:%d", d.ID)}
	src, err := e.sourceRevision(ctx, d.Revision)
	if err != nil {
		gate.Reason = fmt.Sprintf("deployment %d: revision %s: %v", d.ID, shortID(d.Revision), err)
		return gate
	}
	if src != candidate {
		gate.Reason = fmt.Sprintf("%s's latest good deployment (%d) is of %s, not %s", g.Deployed, d.ID, shortID(src), shortID(candidate))
		return gate
	}
	gate.Passed, gate.deployment = true, &d
	gate.Reason = fmt.Sprintf("%s deployed %s healthy in deployment %d", g.Deployed, shortID(candidate), d.ID)
	if g.Verified {
		gate.Reason += " and verified it"
	}
	return gate
}

// laneGate passes when the target lane has no commits ferry did not make.
func (e *Engine) laneGate(ctx context.Context, lane string) Gate {
	g := Gate{Name: "lane"}
	drift, err := e.Drift(ctx, lane)
	if err != nil {
		g.Reason = err.Error()
		return g
	}
	if len(drift) > 0 {
		g.Reason = fmt.Sprintf("%s was edited by hand: %d commit(s) ferry did not make, newest %s %q", lane, len(drift), drift[0].Short, drift[0].Subject)
		return g
	}
	g.Passed = true
	g.Reason = fmt.Sprintf("%s has no hand edits", lane)
	return g
}

// applyOverride marks failed gates overridden when a reason is given and
// reports whether every gate now lets the promotion through.
func applyOverride(gates []Gate, reason string) bool {
	ok := true
	for i := range gates {
		if gates[i].Passed {
			continue
		}
		if reason != "" {
			gates[i].Overridden = true
			continue
		}
		ok = false
	}
	return ok
}

func evidenceOf(gates []Gate) []string {
	var ev []string
	for _, g := range gates {
		ev = append(ev, g.Evidence...)
	}
	return ev
}
